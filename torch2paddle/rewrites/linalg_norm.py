"""``torch.linalg.norm`` -> ``paddle.linalg.vector_norm`` or ``paddle.linalg.matrix_norm``.

torch decides between a vector and a matrix norm from ``ord`` and ``dim`` (and,
when ``dim`` is None, from the input's rank); ``paddle.linalg.norm`` decides
differently (``p=None`` with two axes is the spectral norm, a numeric ``p``
without axes flattens a matrix).  The rewrite picks the explicit Paddle
function from the literal arguments: a string ``ord`` or a two-element ``dim``
is a matrix norm, an int ``dim`` a vector norm, no ``ord`` and no ``dim`` the
2-norm of the flattened input.  Anything it cannot decide from the source is
reported unsupported.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite

_EQ = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _is_none(value: cst.BaseExpression | None) -> bool:
    return value is None or (isinstance(value, cst.Name) and value.value == "None")


def _is_int(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        value = value.expression
    return isinstance(value, cst.Integer)


def _dim_kind(value: cst.BaseExpression | None) -> str:
    """'none', 'vector', 'matrix' or 'unknown' for a ``dim`` argument."""
    if _is_none(value):
        return "none"
    if _is_int(value):
        return "vector"
    if isinstance(value, (cst.Tuple, cst.List)) and all(isinstance(e, cst.Element) for e in value.elements):
        return {1: "vector", 2: "matrix"}.get(len(value.elements), "unknown")
    return "unknown"


@call_rewrite("linalg_norm")
def linalg_norm(ctx) -> cst.BaseExpression:
    mapped = ctx.map_args()  # renamed: x, p, axis, keepdim, dtype
    positions = ctx.entry.paddle_positions()
    named: dict[str, cst.Arg] = {}
    for i, arg in enumerate(mapped):
        if arg.star:
            raise ctx.unsupported("*args/**kwargs hide which norm torch computes")
        name = arg.keyword.value if arg.keyword is not None else positions[i]
        named[name] = arg
    p = named.get("p")
    p_value = None if p is None else p.value
    axis_kind = _dim_kind(None if named.get("axis") is None else named["axis"].value)
    if isinstance(p_value, cst.SimpleString) or axis_kind == "matrix":
        if axis_kind == "vector":
            raise ctx.unsupported("a matrix norm order with a single dim")
        target = "paddle.linalg.matrix_norm"
        if "dtype" in named:
            raise ctx.unsupported("dtype= with a matrix norm: cast the input with .astype() first")
    elif axis_kind == "vector" or (axis_kind == "none" and _is_none(p_value)):
        target = "paddle.linalg.vector_norm"
    elif axis_kind == "none":
        raise ctx.unsupported(
            "a numeric ord without dim is a vector or a matrix norm depending on the input's rank: "
            "pass dim, or call torch.linalg.vector_norm / matrix_norm"
        )
    else:
        raise ctx.unsupported("dim is not a literal int or pair, so the vector/matrix choice is unknown")
    args: list[cst.Arg] = [named["x"].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)] if "x" in named else []
    for name in ("p", "axis", "keepdim", "dtype"):
        arg = named.get(name)
        if arg is None or (name in ("p", "axis") and _is_none(arg.value)):
            continue
        args.append(cst.Arg(keyword=cst.Name(name), equal=_EQ, value=arg.value))
    if not args or "x" not in named:
        raise ctx.unsupported("the input tensor is not given")
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    args = [a.with_changes(comma=comma) for a in args[:-1]] + [args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    return cst.Call(func=ctx.render(target), args=args)
