"""A torch method whose Paddle twin is an attribute: ``x.dim()`` -> ``x.ndim``."""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("method_to_attribute")
def method_to_attribute(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    if ctx.call.args:
        raise ctx.unsupported("the Paddle attribute takes no arguments")
    return cst.Attribute(value=ctx.receiver, attr=cst.Name(ctx.entry.target_method))
