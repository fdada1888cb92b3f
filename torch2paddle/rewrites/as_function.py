"""Tensor methods whose canonical Paddle form is a function of the tensor.

``x.relu()`` -> ``F.relu(x)``; ``x.softmax(dim)`` -> ``F.softmax(x, axis=dim)``
(``receiver_as_first_arg``): Paddle has no ``Tensor.relu``/``log_softmax``, and
its ``Tensor.softmax`` is a torch-compatibility alias.
``x.where(cond, y)`` -> ``paddle.where(cond, x, y)`` (``tensor_where``): Paddle's
``Tensor.where`` binds the tensor as the *condition*.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite

_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _commas(args: list[cst.Arg]) -> list[cst.Arg]:
    if not args:
        return args
    return [a.with_changes(comma=_COMMA) for a in args[:-1]] + [args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]


@call_rewrite("receiver_as_first_arg")
def receiver_as_first_arg(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    return cst.Call(func=ctx.render(ctx.entry.target), args=_commas([cst.Arg(value=ctx.receiver), *ctx.map_args()]))


@call_rewrite("tensor_where")
def tensor_where(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    mapped = ctx.map_args()
    by_name: dict[str, cst.Arg] = {}
    positions = ctx.entry.paddle_positions()
    for i, arg in enumerate(mapped):
        if arg.star:
            raise ctx.unsupported("*args")
        name = arg.keyword.value if arg.keyword is not None else positions[i]
        by_name[name] = arg.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)
    if set(by_name) != set(positions):
        raise ctx.unsupported("where() needs the condition and the other value")
    condition, other = (by_name[n] for n in positions)
    return cst.Call(func=ctx.render(ctx.entry.target), args=_commas([condition, cst.Arg(value=ctx.receiver), other]))
