"""``x.transpose(a, b)`` (swap two dims) -> ``x.moveaxis([a, b], [b, a])``.

Paddle's ``transpose`` takes a full permutation, which needs the rank;
moving axis ``a`` to ``b`` and ``b`` to ``a`` at once is the same swap for any
rank.  Used for torch's ``transpose``, ``swapaxes`` and ``swapdims``.  A single list
argument is Paddle's own permutation (code converted before): left as it is.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite

_SIMPLE = (cst.Name, cst.Attribute, cst.Integer, cst.UnaryOperation)
_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _int_value(node: cst.BaseExpression) -> int | None:
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) and isinstance(node.expression, cst.Integer):
        return -int(node.expression.evaluated_value)
    return None


def _pair(a: cst.BaseExpression, b: cst.BaseExpression) -> cst.List:
    return cst.List(elements=[cst.Element(a, comma=_COMMA), cst.Element(b)])


@call_rewrite("swap_dims")
def swap_dims(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    names = ctx.entry.args  # torch's two parameter names, e.g. (dim0, dim1)
    if (len(ctx.call.args) == 1 and not ctx.call.args[0].star and ctx.call.args[0].keyword is None
            and isinstance(ctx.call.args[0].value, (cst.List, cst.Tuple))):
        return ctx.call  # Paddle's full permutation (torch takes two ints): already converted code
    values: dict[str, cst.BaseExpression] = {}
    for i, arg in enumerate(ctx.call.args):
        if arg.star:
            raise ctx.unsupported("*args: the two dimensions must be visible")
        key = arg.keyword.value if arg.keyword is not None else (names[i] if i < len(names) else None)
        if key not in names or key in values:
            raise ctx.unsupported("takes exactly two dimensions")
        values[key] = arg.value
    if len(values) != 2:
        raise ctx.unsupported("takes exactly two dimensions")
    a, b = values[names[0]], values[names[1]]
    if not (isinstance(a, _SIMPLE) and isinstance(b, _SIMPLE)):
        raise ctx.unsupported("dimension expressions would be evaluated twice")
    ia, ib = _int_value(a), _int_value(b)
    if ia is not None and ia == ib:
        return ctx.receiver  # swapping a dimension with itself
    func = cst.Attribute(value=ctx.receiver, attr=cst.Name(ctx.entry.target_method))
    return cst.Call(func=func, args=[cst.Arg(_pair(a, b), comma=_COMMA), cst.Arg(_pair(b, a))])
