"""``x.narrow(dim, start, length)`` -> ``x.slice([dim], [start], [start + length])``.

Paddle's ``narrow`` is a torch-compatibility alias; ``slice`` is canonical.  A
negative ``start`` counts from the end in torch but ``start + length`` would
then wrap past zero, so only a non-negative integer literal ``start`` is
converted.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite

_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _one(value: cst.BaseExpression) -> cst.List:
    return cst.List(elements=[cst.Element(value)])


@call_rewrite("narrow_slice")
def narrow_slice(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    names = ctx.entry.args  # dim, start, length
    values: dict[str, cst.BaseExpression] = {}
    for i, arg in enumerate(ctx.call.args):
        key = arg.keyword.value if arg.keyword is not None else (names[i] if i < len(names) and not arg.star else None)
        if key not in names or key in values:
            raise ctx.unsupported("narrow() takes dim, start and length")
        values[key] = arg.value
    if len(values) != 3:
        raise ctx.unsupported("narrow() takes dim, start and length")
    dim, start, length = (values[n] for n in names)
    if not isinstance(start, cst.Integer):
        raise ctx.unsupported("start must be a non-negative integer literal (a negative start counts from the end)")
    if isinstance(length, cst.Integer):
        end: cst.BaseExpression = cst.Integer(str(int(start.evaluated_value) + int(length.evaluated_value)))
    else:
        if not isinstance(length, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
            length = length.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        end = cst.BinaryOperation(
            left=start,
            operator=cst.Add(whitespace_before=cst.SimpleWhitespace(" "), whitespace_after=cst.SimpleWhitespace(" ")),
            right=length,
        )
    func = cst.Attribute(value=ctx.receiver, attr=cst.Name(ctx.entry.target_method))
    return cst.Call(
        func=func,
        args=[cst.Arg(_one(dim), comma=_COMMA), cst.Arg(_one(start), comma=_COMMA), cst.Arg(_one(end))],
    )
