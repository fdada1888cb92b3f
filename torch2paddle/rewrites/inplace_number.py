"""``x.mul_(100.0 / n)`` -> ``x.multiply_(paddle.to_tensor(100.0 / n, dtype=x.dtype))``.

torch's in-place ``add_/sub_/mul_/div_`` take a Python number for ``other``;
Paddle's ``add_/subtract_/multiply_/divide_`` raise on one (``'float' object
has no attribute 'shape'``: the standard ImageNet accuracy helper does
``correct_k.mul_(100.0 / batch_size)``).  An operand that holds a number
literal is made a tensor of the receiver's dtype, which is also how torch
computes with a wrapped number (the number cast to the tensor's dtype); were it
a tensor after all, ``to_tensor`` copies it and the result is the same.  Any
other operand is taken for a tensor and passed as it is.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from ._support import is_simple, keyword, method

_NUMBERS = (cst.Integer, cst.Float)


def _holds_number(node: cst.BaseExpression) -> bool:
    """A number literal, or arithmetic with one: ``2``, ``-0.5``, ``100.0 / batch_size``."""
    if isinstance(node, _NUMBERS):
        return True
    if isinstance(node, cst.UnaryOperation):
        return _holds_number(node.expression)
    if isinstance(node, cst.BinaryOperation):
        return _holds_number(node.left) or _holds_number(node.right)
    return False


@call_rewrite("inplace_number")
def inplace_number(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    args = ctx.map_args()
    if len(args) != 1 or args[0].star:
        raise ctx.unsupported("takes one operand")
    value = args[0].value
    if _holds_number(value):
        options = [keyword("dtype", cst.Attribute(value=ctx.receiver, attr=cst.Name("dtype")))] \
            if is_simple(ctx.receiver) else []
        value = cst.Call(func=ctx.render("paddle.to_tensor"), args=[cst.Arg(value), *options])
    return method(ctx.receiver, ctx.entry.target_method, [cst.Arg(value)])
