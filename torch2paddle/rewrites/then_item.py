"""A Paddle method that returns a 0-D tensor where torch returns a Python number/bool.

``x.numel()`` -> ``x.numel().item()``; ``x.equal(y)`` -> ``x.equal_all(y).item()``;
``x.allclose(y)`` -> ``x.allclose(y).item()``.  The call itself goes through the
generic argument pipeline.  A call already followed by ``.item()`` (a file converted
before) gets no second one.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("call_then_item")
def call_then_item(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    call = cst.Call(func=ctx.target(), args=ctx.map_args())
    if ctx.chained == "item":
        return call
    return cst.Call(func=cst.Attribute(value=call, attr=cst.Name("item")), args=[])
