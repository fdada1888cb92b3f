"""``F.max_unpool1d(..., output_size=[L])``: the output length in the form Paddle reads right.

torch takes ``output_size`` as the spatial size (``[L]``) or the whole shape
(``[N, C, L]``).  Paddle 3.3.1's ``max_unpool1d`` unpools through its 2-D kernel and
turns a one-element ``output_size`` into ``[L, 1]``, which it then rejects (or
misreads); a three-element one is read as ``[N, C, L]`` and only ``L`` is used.  So the
value is written as ``[0, 0, L]`` (the first two entries are ignored):

* a literal list or tuple of one element ``[L]`` -> ``[0, 0, L]``; of three, kept;
* a name or attribute chain (read twice) -> ``[0, 0, *v[-1:]] if v is not None else None``;
* any other expression -> ``[0, 0, *(expr)[-1:]]`` (evaluated once; None there raises in Paddle);
* a literal None is dropped (Paddle's default, the same output length).
"""

from __future__ import annotations

import libcst as cst

from ..arguments import UnsupportedUse
from . import value_rewrite
from ._support import is_simple

_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _padded(last: cst.BaseElement) -> cst.List:
    return cst.List([cst.Element(cst.Integer("0"), comma=_COMMA), cst.Element(cst.Integer("0"), comma=_COMMA), last])


def _tail(value: cst.BaseExpression) -> cst.StarredElement:
    if not isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)) and not value.lpar:
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    last = cst.Subscript(value=value, slice=[cst.SubscriptElement(slice=cst.Slice(
        lower=cst.UnaryOperation(operator=cst.Minus(), expression=cst.Integer("1")), upper=None))])
    return cst.StarredElement(value=last)


@value_rewrite("unpool1d_output_size")
def unpool1d_output_size(value: cst.BaseExpression) -> cst.BaseExpression | None:
    """F.max_unpool1d's output_size as [0, 0, L]: Paddle 3.3.1 misreads a one-element [L]."""
    if isinstance(value, cst.Name) and value.value == "None":
        return None
    if isinstance(value, (cst.List, cst.Tuple)):
        elements = value.elements
        if any(isinstance(e, cst.StarredElement) for e in elements) or len(elements) not in (1, 3):
            raise UnsupportedUse("output_size must hold the length, or the batch, channel and length sizes")
        if len(elements) == 3:
            return value
        return _padded(cst.Element(elements[0].value))
    if is_simple(value):
        test = cst.Comparison(left=value, comparisons=[cst.ComparisonTarget(cst.IsNot(), cst.Name("None"))])
        return cst.IfExp(test=test, body=_padded(_tail(value)), orelse=cst.Name("None"))
    return _padded(_tail(value))
