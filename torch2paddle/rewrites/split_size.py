"""``x.split(size_or_sections, dim)``: torch's int is a chunk *size*, Paddle's int a chunk *count*.

A literal list/tuple of sizes maps directly (``num_or_sections``).  A literal
int size ``n`` becomes ``x.tensor_split(list(range(n, x.shape[dim], n)), axis=dim)``:
split points every ``n``, so the last chunk is shorter exactly as in torch
(``x.shape[dim] // n`` chunks would silently give other sizes).  A size the source
does not show (``self.width``) becomes the sections the run-time ``split_sections``
computes when the call runs, from an int (chunk size) or a list alike.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite

_LITERAL_INT = (cst.Integer,)
_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


@call_rewrite("split_sizes")
def split_sizes(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    mapped = ctx.map_args()
    first_name, dim_name = ctx.entry.paddle_positions()[:2]
    sizes = dim = None
    for i, arg in enumerate(mapped):
        name = arg.keyword.value if arg.keyword is not None else (ctx.entry.paddle_positions()[i] if not arg.star else None)
        if name == first_name:
            sizes = arg
        elif name == dim_name:
            dim = arg
        else:
            raise ctx.unsupported("unexpected argument")
    if sizes is None:
        raise ctx.unsupported("split() needs the sizes")
    func = cst.Attribute(value=ctx.receiver, attr=cst.Name(ctx.entry.target_method))
    if isinstance(sizes.value, (cst.List, cst.Tuple)):
        return cst.Call(func=func, args=mapped)
    if not isinstance(ctx.receiver, (cst.Name, cst.Attribute)):
        raise ctx.unsupported("the receiver would be evaluated twice; assign it to a name first")
    dim_value = dim.value if dim is not None else cst.Integer("0")
    shape = cst.Subscript(
        value=cst.Attribute(value=ctx.receiver, attr=cst.Name("shape")),
        slice=[cst.SubscriptElement(slice=cst.Index(value=dim_value))],
    )
    if not isinstance(sizes.value, _LITERAL_INT):  # an int (chunk size) or a list: told apart when it runs
        if ctx.helper is None or not isinstance(dim_value, (cst.Name, cst.Integer, cst.UnaryOperation)):
            raise ctx.unsupported("a non-literal split size may be an int (chunk size) or a list (sections)")
        sections = cst.Call(func=ctx.helper("split_sections"), args=[
            cst.Arg(value=sizes.value, comma=_COMMA), cst.Arg(value=shape)])
        return cst.Call(func=func, args=[sizes.with_changes(value=sections), *[a for a in mapped if a is not sizes]])
    points = cst.Call(func=cst.Name("list"), args=[cst.Arg(value=cst.Call(func=cst.Name("range"), args=[
        cst.Arg(value=sizes.value, comma=_COMMA), cst.Arg(value=shape, comma=_COMMA), cst.Arg(value=sizes.value)]))])
    args = [cst.Arg(value=points)]
    if dim is not None:
        args = [
            args[0].with_changes(comma=_COMMA),
            cst.Arg(
                value=dim.value,
                keyword=cst.Name(dim_name),
                equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
            ),
        ]
    return cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name("tensor_split")), args=args)
