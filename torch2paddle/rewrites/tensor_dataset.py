"""``TensorDataset(a, b)`` -> ``TensorDataset([a, b])``.

Why a rewrite: torch takes the tensors as separate positional arguments,
Paddle's ``paddle.io.TensorDataset`` takes one list of them.  Starred
arguments become starred list elements (``TensorDataset(*ts)`` ->
``TensorDataset([*ts])``).
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("tensors_as_list")
def tensors_as_list(ctx) -> cst.BaseExpression:
    elements = []
    args = list(ctx.call.args)
    for i, arg in enumerate(args):
        if arg.keyword is not None or arg.star == "**":
            raise ctx.unsupported("TensorDataset takes the tensors positionally")
        comma = cst.MaybeSentinel.DEFAULT if i == len(args) - 1 else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        node = cst.StarredElement if arg.star == "*" else cst.Element
        elements.append(node(value=arg.value, comma=comma))
    return cst.Call(func=ctx.render(ctx.entry.target), args=[cst.Arg(value=cst.List(elements=elements))])

