"""``torch.addcmul`` / ``torch.addcdiv`` (and the Tensor methods): Paddle has neither, so the call becomes
the arithmetic torch documents, in Paddle's operators.

``torch.addcmul(input, t1, t2, value=v)`` -> ``(input + v * t1 * t2)``;
``addcdiv`` divides instead (``input + v * t1 / t2``).  ``value`` left out (torch's 1) is left out of the
product.  The method form's receiver is ``input``; the in-place ``x.addcmul_(t1, t2, value=v)`` becomes
``x.add_(v * t1 * t2)``, which writes into ``x`` as torch does.  The operators follow the evaluation order
of torch's kernel (``value * t1`` first), so results agree to float32 rounding.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from ._support import method
from .fn_binding import mapped_by_name, paren
from .inplace_number import inplace_operand

_SPACE = cst.SimpleWhitespace(" ")


def _precedence(node: cst.BaseExpression) -> int:
    if node.lpar:
        return 9
    if isinstance(node, cst.BinaryOperation):
        return 1 if isinstance(node.operator, (cst.Add, cst.Subtract)) else 3 if isinstance(node.operator, cst.Power) else 2
    if isinstance(node, cst.UnaryOperation):
        return 0 if isinstance(node.operator, cst.Not) else 2.5
    return 0 if paren(node) is not node else 9  # boolean operations, comparisons, conditionals: 0; atoms


def _binary(left, operator, right) -> cst.BinaryOperation:
    """``left <op> right`` with parentheses only where precedence needs them (both operators left-associative)."""
    level = 1 if operator in (cst.Add, cst.Subtract) else 2
    left = left if _precedence(left) >= level else left.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    right = right if _precedence(right) > level else right.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.BinaryOperation(left=left, operator=operator(whitespace_before=_SPACE, whitespace_after=_SPACE),
                               right=right)


def _product(ctx, values: dict[str, cst.BaseExpression]) -> cst.BaseExpression:
    t1, t2, value = values.get("tensor1"), values.get("tensor2"), values.get("value")
    if t1 is None or t2 is None:
        raise ctx.unsupported("needs tensor1 and tensor2")
    divide = ctx.entry.name.rsplit(".", 1)[-1].startswith("addcdiv")
    first = t1 if value is None or (isinstance(value, cst.Integer) and value.value == "1") else \
        _binary(value, cst.Multiply, t1)
    return _binary(first, cst.Divide if divide else cst.Multiply, t2)


@call_rewrite("pointwise_fused")
def pointwise_fused(ctx) -> cst.BaseExpression:
    """addcmul/addcdiv as ``input + value * tensor1 (* or /) tensor2``; the in-place method as ``add_``."""
    values = mapped_by_name(ctx)
    product = _product(ctx, values)
    if ctx.receiver is None:
        start = values.get("input")
        if start is None:
            raise ctx.unsupported("needs input")
    else:
        start = ctx.receiver
        if ctx.entry.name.endswith("_"):
            return method(ctx.receiver, "add_", [cst.Arg(inplace_operand(ctx, product))])
    result = _binary(start, cst.Add, product)
    return result.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
