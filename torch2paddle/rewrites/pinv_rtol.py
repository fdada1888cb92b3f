"""``torch.linalg.pinv(A)`` -> ``paddle.linalg.pinv(A, rcond=<torch's default rtol>)``.

Without ``atol``/``rtol`` torch cuts singular values below
``eps(dtype) * max(m, n) * sigma_max``; Paddle's ``rcond`` defaults to 1e-15,
which keeps round-off singular values of a rank-deficient matrix and returns
huge entries.  When the call gives no ``rtol``, torch's default is written out
(``rcond=paddle.finfo(A.dtype).eps * max(A.shape[-2:])``); that repeats ``A``,
so only a plain name or attribute is accepted there.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite

_EQ = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _simple(node: cst.BaseExpression) -> bool:
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)


@call_rewrite("pinv_rtol")
def pinv_rtol(ctx) -> cst.BaseExpression:
    mapped = ctx.map_args()
    positions = ctx.entry.paddle_positions()
    names = []
    for i, arg in enumerate(mapped):
        if arg.star:
            raise ctx.unsupported("*args/**kwargs hide whether rtol is given")
        names.append(arg.keyword.value if arg.keyword is not None else positions[i])
    if "rcond" not in names:
        if "x" not in names:
            raise ctx.unsupported("the input matrix is not given")
        matrix = mapped[names.index("x")].value
        if not _simple(matrix):
            raise ctx.unsupported("torch's default rtol depends on the input: pass rtol= explicitly")
        source = f"paddle.finfo({{m}}.dtype).eps * max({{m}}.shape[-2:])"
        code = cst.Module(body=[]).code_for_node(matrix)
        expr = cst.parse_expression(source.format(m=code))
        expr = _render_paddle(expr, ctx)
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        mapped = [a.with_changes(comma=comma) for a in mapped]
        mapped.append(cst.Arg(keyword=cst.Name("rcond"), equal=_EQ, value=expr))
    return cst.Call(func=ctx.target(), args=mapped)


def _render_paddle(expr: cst.BaseExpression, ctx) -> cst.BaseExpression:
    """Route the ``paddle.finfo`` reference through the output's import names."""

    class _Fix(cst.CSTTransformer):
        def leave_Attribute(self, original, updated):
            if isinstance(updated.value, cst.Name) and updated.value.value == "paddle" and updated.attr.value == "finfo":
                return ctx.render("paddle.finfo")
            return updated

    return expr.visit(_Fix())
