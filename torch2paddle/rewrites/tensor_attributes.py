"""Tensor attributes whose canonical Paddle spelling differs (access rewrites).

* ``x.requires_grad`` -> ``(not x.stop_gradient)``; ``x.requires_grad = flag`` ->
  ``x.stop_gradient = not flag`` (Paddle's ``requires_grad`` property is a
  compatibility alias).
* ``x.is_cuda`` -> ``x.place.is_gpu_place()`` (read only).
* ``x.mT`` -> ``x.moveaxis([-2, -1], [-1, -2])`` (swap of the last two dims; read only).

``self.<attr>`` is an attribute of the class being defined, not of a tensor,
and is refused.
"""

from __future__ import annotations

import libcst as cst

from . import access_rewrite

_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _plain_read(ctx, what: str) -> None:
    if ctx.receiver is None:
        raise ctx.unsupported(f"{what} needs a receiver")
    if ctx.subscripts:
        raise ctx.unsupported(f"{what} is not subscriptable")
    if isinstance(ctx.receiver, cst.Name) and ctx.receiver.value == "self":
        raise ctx.unsupported(f"self.{what} is an attribute of the class, not of a tensor")


def _paren(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _negate(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, cst.Name) and value.value in ("True", "False"):
        return cst.Name("False" if value.value == "True" else "True")
    if not isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
        value = _paren(value)
    return cst.UnaryOperation(operator=cst.Not(), expression=value)


@access_rewrite("requires_grad_flag")
def requires_grad_flag(ctx):
    _plain_read(ctx, "requires_grad")
    stop = cst.Attribute(value=ctx.receiver, attr=cst.Name("stop_gradient"))
    if ctx.value is not None:
        if ctx.augmented:
            raise ctx.unsupported("an augmented assignment to requires_grad")
        return cst.Assign(targets=[cst.AssignTarget(target=stop)], value=_negate(ctx.value))
    return _paren(cst.UnaryOperation(operator=cst.Not(), expression=stop))


@access_rewrite("is_gpu_place")
def is_gpu_place(ctx):
    _plain_read(ctx, "is_cuda")
    if ctx.value is not None:
        raise ctx.unsupported("is_cuda is read-only")
    place = cst.Attribute(value=ctx.receiver, attr=cst.Name("place"))
    return cst.Call(func=cst.Attribute(value=place, attr=cst.Name("is_gpu_place")), args=[])


def _int_list(*values: int) -> cst.List:
    elements = []
    for i, v in enumerate(values):
        node = cst.Integer(str(abs(v)))
        if v < 0:
            node = cst.UnaryOperation(operator=cst.Minus(), expression=node)
        elements.append(cst.Element(node, comma=_COMMA if i < len(values) - 1 else cst.MaybeSentinel.DEFAULT))
    return cst.List(elements=elements)


@access_rewrite("matrix_transpose")
def matrix_transpose(ctx):
    _plain_read(ctx, "mT")
    if ctx.value is not None:
        raise ctx.unsupported("mT is read-only")
    func = cst.Attribute(value=ctx.receiver, attr=cst.Name("moveaxis"))
    return cst.Call(func=func, args=[cst.Arg(_int_list(-2, -1), comma=_COMMA), cst.Arg(_int_list(-1, -2))])
