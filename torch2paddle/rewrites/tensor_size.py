"""``x.size()`` -> ``x.shape``; ``x.size(i)`` -> ``x.shape[i]``."""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("tensor_size")
def tensor_size(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("size() needs a receiver")
    shape = cst.Attribute(value=ctx.receiver, attr=cst.Name("shape"))
    args = ctx.call.args
    if not args:
        return shape
    if len(args) != 1 or args[0].star or (args[0].keyword is not None and args[0].keyword.value != "dim"):
        raise ctx.unsupported("size() takes one dimension")
    if isinstance(args[0].value, cst.Name) and args[0].value.value == "None":
        return shape  # x.size(dim=None): torch's whole size
    return cst.Subscript(value=shape, slice=[cst.SubscriptElement(slice=cst.Index(value=args[0].value))])
