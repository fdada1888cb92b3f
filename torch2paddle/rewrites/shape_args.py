"""Variadic shape arguments -> one list: ``x.view(n, -1)`` -> ``x.reshape([n, -1])``.

torch accepts a shape as several ints or as one sequence; Paddle takes one
list/tuple.  A single non-literal argument is passed through (it is almost
always a shape sequence already).  Keyword arguments go through the entry's
normal mapping, bound after the shape parameter.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite

_LITERAL_INT = (cst.Integer, cst.UnaryOperation)


def _packed(positional: list[cst.Arg]) -> cst.Arg:
    if len(positional) == 1 and not positional[0].star and not isinstance(positional[0].value, _LITERAL_INT):
        return cst.Arg(value=positional[0].value)
    elements = []
    for i, arg in enumerate(positional):
        comma = cst.MaybeSentinel.DEFAULT if i == len(positional) - 1 else arg.comma
        if arg.star == "*":
            elements.append(cst.StarredElement(value=arg.value, comma=comma))
        else:
            elements.append(cst.Element(value=arg.value, comma=comma))
    return cst.Arg(value=cst.List(elements=elements))


@call_rewrite("pack_shape")
def pack_shape(ctx) -> cst.BaseExpression:
    args = list(ctx.call.args)
    positional = [a for a in args if a.keyword is None and a.star != "**"]
    keyword = [a for a in args if a not in positional]
    if positional and keyword and any(positional.index(p) > args.index(keyword[0]) for p in positional):
        raise ctx.unsupported("positional arguments after keywords")
    mapped = ctx.map_args(keyword, skip=1 if positional else 0)
    new_args = ([_packed(positional)] if positional else []) + mapped
    if len(new_args) > 1:
        new_args = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in new_args[:-1]] + [
            new_args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        ]
    return cst.Call(func=ctx.target(), args=new_args)
