"""``nn.Upsample(size=n)`` with one int: expanded to one size per spatial dimension, or reported.

torch applies an int ``size`` to every spatial dimension; Paddle's Upsample
needs a list (an int raises at forward).  The number of spatial dimensions
follows from ``mode`` when it says it ('linear' 1, 'bilinear'/'bicubic' 2,
'trilinear' 3) and ``size`` becomes ``[n] * dims``; with 'nearest'/'area' (any
rank) an int literal is reported.  Other calls go through the entry's
pipeline unchanged.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from ._support import bound_arguments

_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _find(ctx, name: str) -> cst.Arg | None:
    return bound_arguments(ctx.entry, ctx.call.args).get(name)


@call_rewrite("upsample_size")
def upsample_size(ctx) -> cst.BaseExpression:
    size = _find(ctx, "size")
    args = list(ctx.call.args)
    if size is not None and isinstance(size.value, cst.Integer):
        mode = _find(ctx, "mode")
        if mode is None:
            dims = None  # torch's default mode is 'nearest': any rank
        elif isinstance(mode.value, cst.SimpleString):
            dims = _DIMS.get(mode.value.evaluated_value)
        else:
            dims = None
        if dims is None:
            raise ctx.unsupported("an int size with mode 'nearest'/'area' (any rank): Paddle needs one per spatial dim")
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        sizes = cst.List(
            elements=[
                cst.Element(size.value, comma=comma if i < dims - 1 else cst.MaybeSentinel.DEFAULT) for i in range(dims)
            ]
        )
        args = [a.with_changes(value=sizes) if a is size else a for a in args]
    return cst.Call(func=ctx.target(), args=ctx.map_args(args))
