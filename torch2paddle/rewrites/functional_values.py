"""Value rewrites for ``torch.nn.functional`` arguments whose Paddle form differs.

* ``flatten_affine``: ``F.layer_norm``'s weight/bias have the normalized shape in
  torch; Paddle wants them flat (``w.flatten()``).  ``None`` stays ``None``.
* ``bias_row``: ``F.bilinear``'s bias is ``[out]`` in torch and ``[1, out]`` in
  Paddle (``b.unsqueeze(0)``).  ``None`` stays ``None``.
* ``none_as_false``: torch reads ``align_corners=None`` as False; Paddle wants a bool.
* ``none_means_default``: a literal ``None`` that torch reads as "the default"
  (``F.pad(value=None)`` is 0, ``F.interpolate(align_corners=None)`` is False)
  is dropped, Paddle's default being the same and ``None`` rejected.
* ``labels_int32``: Paddle's ``ctc_loss`` only takes int32 labels; torch's
  targets are usually int64 (``t.astype("int32")``).
"""

from __future__ import annotations

import libcst as cst

from . import value_rewrite

_ATOMS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)


def _paren(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, _ATOMS) or value.lpar:
        return value
    return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _is_none(value: cst.BaseExpression) -> bool:
    return isinstance(value, cst.Name) and value.value == "None"


def _method(value: cst.BaseExpression, name: str, *args: cst.BaseExpression) -> cst.Call:
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    arg_nodes = [cst.Arg(a, comma=comma if i < len(args) - 1 else cst.MaybeSentinel.DEFAULT) for i, a in enumerate(args)]
    return cst.Call(func=cst.Attribute(value=_paren(value), attr=cst.Name(name)), args=arg_nodes)


@value_rewrite("flatten_affine")
def flatten_affine(value: cst.BaseExpression) -> cst.BaseExpression:
    return value if _is_none(value) else _method(value, "flatten")


@value_rewrite("bias_row")
def bias_row(value: cst.BaseExpression) -> cst.BaseExpression:
    return value if _is_none(value) else _method(value, "unsqueeze", cst.Integer("0"))


@value_rewrite("none_as_false")
def none_as_false(value: cst.BaseExpression) -> cst.BaseExpression:
    return cst.Name("False") if _is_none(value) else value


@value_rewrite("none_means_default")
def none_means_default(value: cst.BaseExpression) -> cst.BaseExpression | None:
    return None if _is_none(value) else value


@value_rewrite("labels_int32")
def labels_int32(value: cst.BaseExpression) -> cst.BaseExpression:
    return _method(value, "astype", cst.SimpleString('"int32"'))
