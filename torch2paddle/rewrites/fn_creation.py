"""Creation functions whose torch call carries what Paddle needs spelled out.

* ``full_dtype``: ``torch.full(size, 3)`` is int64 (torch infers the dtype
  from the fill value: int -> int64, bool -> bool, float -> float32);
  ``paddle.full`` makes float32 for any number.  An int literal fill gets
  ``dtype="int64"``; a float or bool literal needs nothing; any other fill
  value without ``dtype=`` is refused (its Python type is unknown here).
* ``randint_range``: ``torch.randint(high, size)`` (two positionals) means
  ``[0, high)``; Paddle's positional order is ``(low, high, shape)``, so the
  low bound 0 is written out.
* ``meshgrid_ij``: ``paddle.meshgrid`` always indexes ``ij`` (torch's
  default); ``indexing='xy'`` is refused, ``indexing='ij'`` dropped.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from .fn_binding import NO_SPACE_EQUAL, int_value


def _literal_kind(node: cst.BaseExpression | None) -> str | None:
    if node is None:
        return None
    if int_value(node) is not None:
        return "int"
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        return _literal_kind(node.expression)
    if isinstance(node, cst.Float):
        return "float"
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return "bool"
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in ("int", "float", "bool"):
        return node.func.value
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value in ("math", "paddle"):
        if node.attr.value in ("pi", "e", "inf", "nan"):
            return "float"
    return None


@call_rewrite("full_dtype")
def full_dtype(ctx) -> cst.BaseExpression:
    mapped = list(ctx.map_args())
    positions = ctx.entry.paddle_positions()
    names = [a.keyword.value if a.keyword is not None else positions[i] for i, a in enumerate(mapped)]
    if "dtype" not in names:
        fill = next((a.value for a, n in zip(mapped, names) if n == "fill_value"), None)
        kind = _literal_kind(fill)
        if kind == "int":
            mapped.append(cst.Arg(value=cst.SimpleString('"int64"'), keyword=cst.Name("dtype"), equal=NO_SPACE_EQUAL))
        elif kind not in ("float", "bool"):
            raise ctx.unsupported(
                "torch infers the dtype from the fill value (int -> int64, bool -> bool, float -> float32) "
                "while Paddle uses float32 for any number: pass dtype="
            )
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    mapped = [a.with_changes(comma=comma) for a in mapped[:-1]] + [mapped[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    return cst.Call(func=ctx.target(), args=mapped)


@call_rewrite("randint_range")
def randint_range(ctx) -> cst.BaseExpression:
    args = list(ctx.call.args)
    positional = [a for a in args if a.keyword is None]
    keywords = {a.keyword.value for a in args if a.keyword is not None}
    if any(a.star for a in args):
        raise ctx.unsupported("*args: cannot tell randint(high, size) from randint(low, high, size)")
    high_form = (len(positional) == 2 and "low" not in keywords) or (
        len(positional) == 1 and "size" in keywords and "high" not in keywords
    )
    if high_form:  # randint(high, size): low is 0
        args = [cst.Arg(value=cst.Integer("0"), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), *args]
    return cst.Call(func=ctx.target(), args=ctx.map_args(args))


@call_rewrite("meshgrid_ij")
def meshgrid_ij(ctx) -> cst.BaseExpression:
    kept: list[tuple[str | None, cst.BaseExpression]] = []
    for arg in ctx.call.args:
        if arg.keyword is not None:
            if arg.keyword.value != "indexing":
                raise ctx.unsupported(f"unexpected keyword {arg.keyword.value}")
            value = arg.value
            if isinstance(value, cst.Name) and value.value == "None":
                continue
            if isinstance(value, cst.SimpleString) and value.evaluated_value == "ij":
                continue
            raise ctx.unsupported("paddle.meshgrid indexes 'ij' only; indexing='xy' swaps the first two outputs' axes")
        elif arg.star == "**":
            raise ctx.unsupported("**kwargs may set indexing")
        elif arg.star == "*":
            kept.append(("*", arg.value))
        else:
            kept.append((None, arg.value))
    out = []
    for name, value in kept:
        out.append(cst.Arg(value=value, star="*") if name == "*" else cst.Arg(value=value))
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    out = [a.with_changes(comma=comma) for a in out[:-1]] + ([out[-1]] if out else [])
    return cst.Call(func=ctx.target(), args=out)
