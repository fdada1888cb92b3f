"""A Paddle method that returns a 0-D tensor where torch returns a Python number/bool.

``x.numel()`` -> ``x.numel().item()``; ``x.equal(y)`` -> ``x.equal_all(y).item()``;
``x.allclose(y)`` -> ``x.allclose(y).item()``.  The call itself goes through the
generic argument pipeline.  A call already followed by ``.item()`` (a file converted
before) gets no second one, and neither does a call on a shape (``x.shape.numel()``,
``paddle.Size([2, 3]).numel()``, ``x.size()[1:].numel()``): ``paddle.Size.numel()`` is
already a Python int, as torch's.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("call_then_item")
def call_then_item(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    call = cst.Call(func=ctx.target(), args=ctx.map_args())
    if ctx.chained == "item" or _is_shape(ctx.receiver):
        return call
    return cst.Call(func=cst.Attribute(value=call, attr=cst.Name("item")), args=[])


def _is_shape(node: cst.BaseExpression) -> bool:
    """A converted receiver that is a paddle.Size: ``<x>.shape``, ``<x>.shape[...]``, ``paddle.Size(...)``."""
    while isinstance(node, cst.Subscript):
        node = node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value == "shape"
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return node.func.attr.value == "Size" and isinstance(node.func.value, cst.Name) and node.func.value.value == "paddle"
    return False
