"""``F.conv2d(x, w, padding="same", dilation=2)``: reported instead of converted.

Paddle's ``padding="same"`` ignores the dilation when it computes the padding
(measured: a 3x3 kernel with dilation 2 gives different values), so a literal
``"same"`` with a dilation other than a literal 1 is unsupported.  Everything
else goes through the entry's pipeline.
"""

from __future__ import annotations

import libcst as cst

from ..arguments import source_of
from . import call_rewrite
from ._support import bound_arguments

_ONES = {"1", "(1, 1)", "(1, 1, 1)", "[1, 1]", "[1, 1, 1]", "(1,)", "[1]"}


def _bound(ctx) -> dict[str, cst.BaseExpression]:
    return {name: arg.value for name, arg in bound_arguments(ctx.entry, ctx.call.args).items()}


@call_rewrite("conv_same_padding")
def conv_same_padding(ctx) -> cst.BaseExpression:
    bound = _bound(ctx)
    padding, dilation = bound.get("padding"), bound.get("dilation")
    if (
        isinstance(padding, cst.SimpleString)
        and padding.evaluated_value.lower() == "same"
        and dilation is not None
        and source_of(dilation).strip() not in _ONES
    ):
        raise ctx.unsupported("padding='same' with a dilation: Paddle's 'same' padding ignores the dilation")
    return cst.Call(func=ctx.target(), args=ctx.map_args())
