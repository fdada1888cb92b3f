"""``F.cross_entropy``: the argument combinations Paddle computes differently.

Measured against torch 2.14.1 (Paddle 3.3.1):

* the class dimension is 1 in torch and -1 by default in Paddle: the entry adds
  ``axis=1`` (same result for [N, C] inputs, and right for [N, C, d1, ...]);
* with ``label_smoothing`` Paddle one-hot encodes the labels itself: class
  ``weight`` is then applied differently, targets equal to a custom
  ``ignore_index`` are smoothed instead of skipped (values differ, no error),
  and ``reduction="none"`` keeps a trailing axis of 1 (squeezed here);
* ``reduction="mean"`` without ``weight`` and with a negative ``ignore_index``
  divides by all targets, ignored ones included (torch divides by the kept
  ones): an explicit negative ``ignore_index`` is reported.  The implicit
  default (-100) is converted; the difference shows only when targets hold -100.
"""

from __future__ import annotations

import libcst as cst

from ..arguments import source_of
from . import call_rewrite
from ._support import bound_arguments
from .legacy_reduction import fold_legacy_reduction


def _bound(ctx) -> dict[str, cst.BaseExpression]:
    if any(arg.star for arg in ctx.call.args):
        raise ctx.unsupported("*args/**kwargs: the loss options must be visible")
    return {name: arg.value for name, arg in bound_arguments(ctx.entry, ctx.call.args).items()}


def _text(node: cst.BaseExpression | None) -> str | None:
    return None if node is None else source_of(node).strip()


def _number(node: cst.BaseExpression | None) -> float | None:
    text = _text(node)
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _string(node: cst.BaseExpression | None) -> str | None:
    return node.evaluated_value if isinstance(node, cst.SimpleString) else None


@call_rewrite("cross_entropy")
def cross_entropy(ctx) -> cst.BaseExpression:
    ctx = fold_legacy_reduction(ctx)  # size_average/reduce -> reduction=
    bound = _bound(ctx)
    weight = bound.get("weight")
    has_weight = weight is not None and _text(weight) != "None"
    ignore = bound.get("ignore_index")
    reduction = bound.get("reduction")
    reduction_value = "mean" if reduction is None else _string(reduction)
    smoothing = bound.get("label_smoothing")
    squeeze = False
    if smoothing is not None and _number(smoothing) != 0.0:
        if has_weight:
            raise ctx.unsupported("label_smoothing with a class weight: Paddle weighs the smoothed targets differently")
        if ignore is not None and _number(ignore) != -100:
            raise ctx.unsupported("label_smoothing with ignore_index: Paddle smooths the ignored targets instead of skipping them")
        if reduction_value not in ("mean", "sum", "none"):
            raise ctx.unsupported("label_smoothing with a reduction only known at run time")
        squeeze = reduction_value == "none"
    elif ignore is not None and (_number(ignore) or 0) < 0 and reduction_value == "mean" and not has_weight:
        raise ctx.unsupported("a negative ignore_index with reduction='mean': Paddle averages over the ignored targets too")
    call = cst.Call(func=ctx.target(), args=ctx.map_args())
    if squeeze:  # Paddle keeps [N, 1] for smoothed labels
        return cst.Call(func=cst.Attribute(value=call, attr=cst.Name("squeeze")), args=[cst.Arg(cst.UnaryOperation(operator=cst.Minus(), expression=cst.Integer("1")))])
    return call
