"""Tensor methods and functions whose Paddle counterpart exists but differs in form.

* ``inplace_compare``: ``x.lt_(y)`` / ``x.logical_and_(y)`` (and eq_, ne_, le_, gt_, ge_, less_, ...) ->
  ``paddle.assign((x < y).astype(x.dtype), output=x)``.  torch writes the 0/1 result into ``x`` in
  ``x``'s own dtype and returns ``x``; Paddle's ``less_``/``logical_and_`` turn ``x`` into a bool
  tensor, and its ``less_`` rejects a Python number.  The comparison is written as the Python operator
  (which takes numbers and promotes as torch does); the logical ones as ``paddle.logical_*`` of both
  operands cast to bool (Paddle refuses mixed int/float operands).  The
  receiver is written three times, so it must be a name or an attribute chain.
* ``method_operator``: ``x.greater_equal(y)`` -> ``(x >= y)``: Paddle's comparison methods reject a
  Python number for ``y``; the operator takes one and promotes like torch (``int_tensor >= 0.5``).
* ``slice_scatter_lists``: ``x.slice_scatter(src, dim, start, end, step)`` ->
  ``paddle.slice_scatter(x, src, axes=[dim], starts=[start], ends=[end], strides=[step])``; torch's
  defaults (dim 0, start 0, end the dim's size, step 1) are written out.
* ``then_astype_input``: ``torch.histc(x, ...)`` -> ``paddle.histogram(x, ...).astype(x.dtype)``
  (Paddle counts in int64, torch in the input's dtype).
* ``frexp_pair``: ``torch.frexp(x)`` -> ``(paddle.frexp(x)[0], paddle.frexp(x)[1].astype(paddle.int32))``
  (Paddle's exponent is a float tensor, torch's int32).  The input is written twice.
* ``broadcast_pair``: ``torch.igamma(x, y)`` -> ``paddle.gammainc(*paddle.broadcast_tensors([x, y]))``:
  Paddle's gammainc/gammaincc give wrong values (no error) for operands of different shapes.
* ``complex_part`` (access): ``x.real`` -> ``(paddle.real(x) if x.is_complex() else x)`` (torch's
  ``real`` of a real tensor is the tensor itself; Paddle's real() has no real kernel);
  ``x.imag`` -> ``paddle.imag(x)``.  torch's are attributes, Paddle's methods.
* ``byte_size`` (access): ``x.nbytes`` -> ``(x.size * x.element_size())`` (Paddle's Tensor has no
  nbytes; its ``size`` is the element count).
"""

from __future__ import annotations

import libcst as cst

from . import access_rewrite, call_rewrite
from ._support import assign_into, plain_read
from .fn_binding import is_simple, mapped_by_name, may_be_random, paren, tuple_of

_SPACE = cst.SimpleWhitespace(" ")
_COMMA = cst.Comma(whitespace_after=_SPACE)
_NO_SPACE_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))

_COMPARE = {
    "equal": cst.Equal,
    "not_equal": cst.NotEqual,
    "less_than": cst.LessThan,
    "less_equal": cst.LessThanEqual,
    "greater_than": cst.GreaterThan,
    "greater_equal": cst.GreaterThanEqual,
}
_LOGICAL = {"logical_and", "logical_or", "logical_xor"}


def _parens(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _attr(value: cst.BaseExpression, name: str) -> cst.Attribute:
    return cst.Attribute(value=value, attr=cst.Name(name))


def _call(func: cst.BaseExpression, *args: cst.BaseExpression, **keywords: cst.BaseExpression) -> cst.Call:
    items = [cst.Arg(a) for a in args] + [
        cst.Arg(v, keyword=cst.Name(k), equal=_NO_SPACE_EQUAL) for k, v in keywords.items()]
    items = [a.with_changes(comma=_COMMA) for a in items[:-1]] + items[-1:]
    return cst.Call(func=func, args=items)


def _operand(ctx) -> cst.BaseExpression:
    values = mapped_by_name(ctx)
    other = values.pop("y", None)
    if other is None or values:
        raise ctx.unsupported("takes exactly one operand (other)")
    return other


def _compare(ctx, name: str, left: cst.BaseExpression, right: cst.BaseExpression) -> cst.BaseExpression:
    if name in _COMPARE:
        comparison = cst.Comparison(left=paren(left), comparisons=[cst.ComparisonTarget(
            operator=_COMPARE[name](whitespace_before=_SPACE, whitespace_after=_SPACE), comparator=paren(right))])
        return _parens(comparison)
    if name in _LOGICAL:  # as bool tensors: Paddle's logical ops refuse mixed int/float operands
        def as_bool(node):
            return _call(_attr(paren(node), "astype"), ctx.render("paddle.bool"))
        return _call(ctx.render(f"paddle.{name}"), as_bool(left), as_bool(right))
    raise ctx.unsupported(f"no operator for {name}")


@call_rewrite("inplace_compare")
def inplace_compare(ctx) -> cst.BaseExpression:
    """``x.lt_(y)`` -> ``paddle.assign((x < y).astype(x.dtype), output=x)``: the result in x's dtype, into x."""
    x = ctx.receiver
    if x is None:
        raise ctx.unsupported("needs a receiver")
    if not is_simple(x):
        raise ctx.unsupported("the receiver is written three times; assign it to a name first")
    name = ctx.entry.target.rsplit(".", 1)[-1]
    return assign_into(ctx.render, _compare(ctx, name, x, _operand(ctx)), x)


@call_rewrite("method_operator")
def method_operator(ctx) -> cst.BaseExpression:
    """``x.greater_equal(y)`` -> ``(x >= y)`` (the operator takes a Python number and promotes like torch)."""
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    return _compare(ctx, ctx.entry.target.rsplit(".", 1)[-1], ctx.receiver, _operand(ctx))


def _int_literal(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Integer) or (
        isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)
        and isinstance(node.expression, cst.Integer))


def _is_none(node: cst.BaseExpression | None) -> bool:
    return node is None or (isinstance(node, cst.Name) and node.value == "None")


@call_rewrite("slice_scatter_lists")
def slice_scatter_lists(ctx) -> cst.BaseExpression:
    """torch's one dim/start/end/step as Paddle's lists, torch's defaults written out."""
    values = mapped_by_name(ctx)
    x = ctx.receiver if ctx.receiver is not None else values.pop("x", None)
    src = values.pop("value", None)
    if x is None or src is None:
        raise ctx.unsupported("needs the input and src")
    axis = values.pop("axes", None) or cst.Integer("0")
    start = values.pop("starts", None)
    end = values.pop("ends", None)
    step = values.pop("strides", None)
    if values:
        raise ctx.unsupported(f"unexpected arguments: {', '.join(values)}")
    if _is_none(end):
        if not is_simple(x) or not (_int_literal(axis) or is_simple(axis)):
            raise ctx.unsupported("end=None needs the input's size along dim; pass end= or assign the input to a name")
        end = cst.Subscript(value=_attr(x, "shape"), slice=[cst.SubscriptElement(slice=cst.Index(value=axis))])
    start = cst.Integer("0") if _is_none(start) else start
    step = cst.Integer("1") if _is_none(step) else step

    def listed(node):
        return cst.List(elements=[cst.Element(node)])

    return _call(ctx.render("paddle.slice_scatter"), x, src, axes=listed(axis), starts=listed(start),
                 ends=listed(end), strides=listed(step))


def _input(ctx, values: dict[str, cst.BaseExpression]) -> cst.BaseExpression:
    if ctx.receiver is not None:
        return ctx.receiver
    for name in ("x", "input"):
        if name in values:
            return values[name]
    raise ctx.unsupported("needs the input")


@call_rewrite("then_astype_input")
def then_astype_input(ctx) -> cst.BaseExpression:
    """The call, then ``.astype(<input>.dtype)`` (the input must be a name or an attribute chain)."""
    source = _input(ctx, mapped_by_name(ctx))
    if not is_simple(source):
        raise ctx.unsupported("the input is written twice; assign it to a name first")
    call = cst.Call(func=ctx.target(), args=ctx.map_args())
    return _call(_attr(call, "astype"), _attr(source, "dtype"))


@call_rewrite("frexp_pair")
def frexp_pair(ctx) -> cst.BaseExpression:
    """``(paddle.frexp(x)[0], paddle.frexp(x)[1].astype(paddle.int32))``: torch's exponent is int32."""
    source = _input(ctx, mapped_by_name(ctx))
    if may_be_random(source):
        raise ctx.unsupported("the input is written twice and may be random; assign it to a name first")
    call = cst.Call(func=ctx.render("paddle.frexp"), args=[cst.Arg(source)])

    def item(index: int) -> cst.Subscript:
        return cst.Subscript(value=call, slice=[cst.SubscriptElement(slice=cst.Index(value=cst.Integer(str(index))))])

    return tuple_of(item(0), _call(_attr(item(1), "astype"), ctx.render("paddle.int32")))


@call_rewrite("broadcast_pair")
def broadcast_pair(ctx) -> cst.BaseExpression:
    """``target(*paddle.broadcast_tensors([x, y]))``: the operands broadcast first (Paddle's kernel does not)."""
    values = mapped_by_name(ctx)
    x, y = values.pop("x", None), values.pop("y", None)
    if x is None or y is None or values:
        raise ctx.unsupported("takes exactly the two operands")
    pair = cst.List(elements=[cst.Element(x, comma=_COMMA), cst.Element(y)])
    both = cst.Call(func=ctx.render("paddle.broadcast_tensors"), args=[cst.Arg(pair)])
    return cst.Call(func=ctx.render(ctx.entry.target), args=[cst.Arg(both, star="*")])


def _not_a_tensor(ctx) -> bool:
    """``x.dtype.<attr>`` / ``x.shape.<attr>``: no tensor, left as it is."""
    return isinstance(ctx.receiver, cst.Attribute) and ctx.receiver.attr.value in ("dtype", "shape", "device")


@access_rewrite("complex_part")
def complex_part(ctx):
    """``x.real`` -> ``(paddle.real(x) if x.is_complex() else x)``; ``x.imag`` -> ``paddle.imag(x)``."""
    name = ctx.entry.target.rsplit(".", 1)[-1]
    if _not_a_tensor(ctx):
        return None
    plain_read(ctx, name)
    part = _call(ctx.render(f"paddle.{name}"), ctx.receiver)
    if name != "real":
        return part
    if not is_simple(ctx.receiver):
        raise ctx.unsupported("x.real of a real tensor is x itself: assign the tensor to a name first")
    test = cst.Call(func=_attr(ctx.receiver, "is_complex"), args=[])
    return _parens(cst.IfExp(test=test, body=part, orelse=ctx.receiver,
                             whitespace_before_if=_SPACE, whitespace_after_if=_SPACE,
                             whitespace_before_else=_SPACE, whitespace_after_else=_SPACE))


@access_rewrite("byte_size")
def byte_size(ctx):
    """``x.nbytes`` -> ``(x.size * x.element_size())``."""
    if _not_a_tensor(ctx):
        return None
    plain_read(ctx, "nbytes")
    if not is_simple(ctx.receiver):
        raise ctx.unsupported("the tensor is written twice; assign it to a name first")
    product = cst.BinaryOperation(left=_attr(ctx.receiver, "size"),
                                  operator=cst.Multiply(whitespace_before=_SPACE, whitespace_after=_SPACE),
                                  right=cst.Call(func=_attr(ctx.receiver, "element_size"), args=[]))
    return _parens(product)
