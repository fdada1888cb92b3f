"""Small value rewrites: one argument value -> its Paddle value."""

from __future__ import annotations

import libcst as cst

from . import value_rewrite


def _paren(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float)):
        return value
    return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


@value_rewrite("one_minus")
def one_minus(value: cst.BaseExpression) -> cst.BaseExpression:
    """BatchNorm momentum: Paddle weighs the old statistic, so its momentum is ``1 - torch's``."""
    if isinstance(value, (cst.Integer, cst.Float)):
        return cst.Float(repr(round(1.0 - float(value.evaluated_value), 12)))
    if (isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Subtract) and not value.lpar
            and isinstance(value.left, (cst.Integer, cst.Float)) and float(value.left.evaluated_value) == 1.0):
        return value.right  # 1 - (1 - m) is m
    return cst.BinaryOperation(
        left=cst.Integer("1"),
        operator=cst.Subtract(whitespace_before=cst.SimpleWhitespace(" "), whitespace_after=cst.SimpleWhitespace(" ")),
        right=_paren(value),
    )


@value_rewrite("logical_not")
def logical_not(value: cst.BaseExpression) -> cst.BaseExpression:
    """A flag whose meaning Paddle inverts (``count_include_pad`` -> ``exclusive``)."""
    if isinstance(value, cst.Name) and value.value in ("True", "False"):
        return cst.Name("False" if value.value == "True" else "True")
    return cst.UnaryOperation(operator=cst.Not(), expression=_paren(value))


@value_rewrite("tanh_flag")
def tanh_flag(value: cst.BaseExpression) -> cst.BaseExpression:
    """GELU ``approximate="tanh"|"none"`` -> Paddle's boolean ``approximate``."""
    if isinstance(value, cst.SimpleString):
        return cst.Name("True" if value.evaluated_value == "tanh" else "False")
    return cst.Comparison(
        left=_paren(value),
        comparisons=[cst.ComparisonTarget(operator=cst.Equal(), comparator=cst.SimpleString('"tanh"'))],
    )


@value_rewrite("bidirectional_direction")
def bidirectional_direction(value: cst.BaseExpression) -> cst.BaseExpression:
    """RNN ``bidirectional=True|False`` -> Paddle's ``direction="bidirect"|"forward"``."""
    if isinstance(value, cst.Name) and value.value in ("True", "False"):
        return cst.SimpleString('"bidirect"' if value.value == "True" else '"forward"')
    return cst.IfExp(test=_paren(value), body=cst.SimpleString('"bidirect"'), orelse=cst.SimpleString('"forward"'))
