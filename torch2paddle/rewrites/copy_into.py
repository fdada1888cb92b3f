"""``y.copy_(src)`` -> ``paddle.assign(src.expand_as(y).astype(y.dtype), output=y)``.

torch's ``copy_`` broadcasts ``src`` to ``y``'s shape, casts it to ``y``'s
dtype, records the copy for autograd and returns ``y``.  Paddle's own
``Tensor.copy_`` replaces ``y``'s shape with ``src``'s and passes no gradient;
``set_value`` passes no gradient either; ``paddle.assign(..., output=y)``
passes the gradient and returns ``y`` but also takes ``src``'s shape and
dtype, hence the explicit ``expand_as``/``astype``.  The receiver is written
three times, so it must be a name, attribute or subscript of one.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite

_NO_SPACE_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _simple(node: cst.BaseExpression) -> bool:
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        if isinstance(node, cst.Subscript) and not all(
            isinstance(e.slice, cst.Index) and isinstance(e.slice.value, (cst.Integer, cst.Name, cst.SimpleString))
            for e in node.slice
        ):
            return False
        node = node.value
    return isinstance(node, cst.Name)


def _method(value: cst.BaseExpression, name: str, arg: cst.BaseExpression) -> cst.Call:
    return cst.Call(func=cst.Attribute(value=value, attr=cst.Name(name)), args=[cst.Arg(arg)])


@call_rewrite("copy_into")
def copy_into(ctx) -> cst.BaseExpression:
    receiver = ctx.receiver
    if receiver is None:
        raise ctx.unsupported("needs a receiver")
    if not _simple(receiver):
        raise ctx.unsupported("the receiver would be evaluated three times; assign it to a name first")
    mapped = ctx.map_args()
    if len(mapped) != 1 or mapped[0].star:
        raise ctx.unsupported("copy_() takes one source tensor")
    source = mapped[0].value
    if isinstance(source, (cst.BinaryOperation, cst.UnaryOperation, cst.BooleanOperation, cst.Comparison, cst.IfExp, cst.Lambda)):
        source = source.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    value = _method(_method(source, "expand_as", receiver), "astype", cst.Attribute(value=receiver, attr=cst.Name("dtype")))
    return cst.Call(
        func=ctx.render(ctx.entry.target),
        args=[
            cst.Arg(value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Arg(receiver, keyword=cst.Name("output"), equal=_NO_SPACE_EQUAL),
        ],
    )
