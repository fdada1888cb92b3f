"""``F.softmax(x)`` / ``F.log_softmax(x)`` / ``F.softmin(x)`` without ``dim``: reported.

Without ``dim`` torch picks the dimension from the input's rank at call time
(0 for 0-, 1- and 3-D inputs, else 1; deprecated); Paddle's default axis is
-1, so such a call is unsupported.  A call naming ``dim`` (positionally or by
keyword) goes through the entry's pipeline.

``softmin``: Paddle has no softmin; ``softmin(x, dim) == softmax(-x, axis=dim)``.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


def _check_dim(ctx) -> None:
    names = ctx.entry.args
    index = names.index("dim")
    positional = 0
    for arg in ctx.call.args:
        if arg.star:
            return  # *args / **kwargs: the pipeline decides
        if arg.keyword is None:
            positional += 1
        elif arg.keyword.value == "dim":
            return
    if positional <= index:
        raise ctx.unsupported("no dim: torch infers it from the input's rank (0 for 0/1/3-D, else 1); pass dim=")


@call_rewrite("require_dim_arg")
def require_dim_arg(ctx) -> cst.BaseExpression:
    _check_dim(ctx)
    return cst.Call(func=ctx.target(), args=ctx.map_args())


def _negate(value: cst.BaseExpression) -> cst.BaseExpression:
    if not isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float)) and not value.lpar:
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.UnaryOperation(operator=cst.Minus(), expression=value)


@call_rewrite("softmin")
def softmin(ctx) -> cst.BaseExpression:
    _check_dim(ctx)
    first = ctx.entry.args[0]
    args = list(ctx.call.args)
    for i, arg in enumerate(args):
        if (arg.keyword is None and not arg.star) or (arg.keyword is not None and arg.keyword.value == first):
            args[i] = arg.with_changes(value=_negate(arg.value))
            break
        if arg.star:
            raise ctx.unsupported("*args: the input to negate must be visible")
    else:
        raise ctx.unsupported("the input is not given")
    return cst.Call(func=ctx.target(), args=ctx.map_args(args))
