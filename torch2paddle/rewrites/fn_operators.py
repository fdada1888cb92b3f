"""``torch.add(x, y)`` -> ``(x + y)``: arithmetic and comparison functions as Python operators.

torch's ``add/sub/mul/div/pow/eq/lt/...`` accept a Python number for
``other``; Paddle's ``paddle.add/subtract/multiply/divide/less_than/...``
raise on one (``argument 'y' must be Tensor``), and ``paddle.pow(int_tensor,
2.5)`` stays int64 where torch promotes to float32.  Paddle's tensor
operators follow torch's promotion rules for tensors and numbers alike, so
the operator is the faithful (and idiomatic) form.  The entry's ``target``
names the Paddle function the operator stands for; it selects the operator.

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

_SPACE = cst.SimpleWhitespace(" ")

_BINARY = {
    "paddle.add": cst.Add,
    "paddle.subtract": cst.Subtract,
    "paddle.multiply": cst.Multiply,
    "paddle.divide": cst.Divide,
    "paddle.pow": cst.Power,
}
_COMPARE = {
    "paddle.equal": cst.Equal,
    "paddle.not_equal": cst.NotEqual,
    "paddle.less_than": cst.LessThan,
    "paddle.less_equal": cst.LessThanEqual,
    "paddle.greater_than": cst.GreaterThan,
    "paddle.greater_equal": cst.GreaterThanEqual,
}


def _string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    return None


@call_rewrite("binary_operator")
def binary_operator(ctx) -> cst.BaseExpression:
    target = ctx.entry.target
    values = mapped_by_name(ctx)
    x, y = values.pop("x", None), values.pop("y", None)
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
