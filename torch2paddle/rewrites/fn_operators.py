"""``torch.add(x, y)`` -> ``(x + y)``: arithmetic and comparison functions as Python operators.

torch's ``add/sub/mul/div/pow/eq/lt/...`` accept a Python number for
``other``; Paddle's ``paddle.add/subtract/multiply/divide/less_than/...``
raise on one (``argument 'y' must be Tensor``), and ``paddle.pow(int_tensor,
2.5)`` stays int64 where torch promotes to float32.  Paddle's tensor
operators follow torch's promotion rules for tensors and numbers alike, so
the operator is the faithful (and idiomatic) form.  The entry's ``target``
names the Paddle function the operator stands for; it selects the operator.
The Tensor methods (``x.mul(0.5)``, ``x.div(255)``, ``int_tensor.pow(0.5)``)
take the same form, the receiver as the left operand: Paddle's methods
reject a number and do not promote.

* ``alpha`` (add/sub): ``x + alpha * y``.
* ``rounding_mode`` (div): absent/``None`` -> ``/``; ``"floor"`` -> ``//``;
  ``"trunc"`` is refused (Paddle has no truncating integer division that
  keeps torch's integer dtype).
* The result is parenthesised: the call was an atom where it stood.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from .fn_binding import mapped_by_name, paren
from .tensor_extras import _COMPARE  # by the last part of the target, as _BINARY

_SPACE = cst.SimpleWhitespace(" ")

# by the last part of the target (paddle.add, or the method paddle.Tensor.add)
_BINARY = {
    "add": cst.Add,
    "subtract": cst.Subtract,
    "multiply": cst.Multiply,
    "divide": cst.Divide,
    "pow": cst.Power,
}



def _string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    return None


@call_rewrite("binary_operator")
def binary_operator(ctx) -> cst.BaseExpression:
    target = ctx.entry.target.rsplit(".", 1)[-1]
    values = mapped_by_name(ctx)
    x, y = values.pop("x", None) if ctx.receiver is None else ctx.receiver, values.pop("y", None)
    if x is None or y is None:
        raise ctx.unsupported("needs both operands")
    alpha = values.pop("alpha", None)
    rounding = values.pop("rounding_mode", None)
    if values:
        raise ctx.unsupported(f"unexpected arguments: {', '.join(values)}")
    if alpha is not None and not (isinstance(alpha, cst.Integer) and alpha.value == "1"):
        scale = alpha if isinstance(alpha, cst.UnaryOperation) else paren(alpha)  # -2 * y needs no parentheses
        y = cst.BinaryOperation(left=scale, operator=cst.Multiply(whitespace_before=_SPACE, whitespace_after=_SPACE), right=paren(y))
    if target in _COMPARE:
        expr: cst.BaseExpression = cst.Comparison(
            left=paren(x),
            comparisons=[cst.ComparisonTarget(operator=_COMPARE[target](whitespace_before=_SPACE, whitespace_after=_SPACE), comparator=paren(y))],
        )
    else:
        operator = _BINARY.get(target)
        if operator is None:
            raise ctx.unsupported(f"no operator for {target}")
        if rounding is not None and not (isinstance(rounding, cst.Name) and rounding.value == "None"):
            mode = _string_value(rounding)
            if mode == "floor":
                operator = cst.FloorDivide
            elif mode == "trunc":
                raise ctx.unsupported("rounding_mode='trunc': Paddle has no truncating division keeping integer dtypes")
            else:
                raise ctx.unsupported("rounding_mode must be a literal None, 'floor' or 'trunc'")
        expr = cst.BinaryOperation(left=paren(x), operator=operator(whitespace_before=_SPACE, whitespace_after=_SPACE), right=paren(y))
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
