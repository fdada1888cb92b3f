"""``nn.CrossEntropyLoss(...)``: refuse the option combinations Paddle computes differently.

Measured (torch 2.14.1 / Paddle 3.3.1), the class twin of the ``F.cross_entropy``
rewrite: ``axis=1`` is added (torch's class dimension; the same for [N, C],
right for [N, C, d1, ...]); label smoothing together with a class ``weight``
or a custom ``ignore_index`` gives other values, label smoothing with
``reduction="none"`` keeps a trailing axis of 1 (a layer cannot squeeze its
own output), and an explicit negative ``ignore_index`` with the mean
reduction and no weight averages over the ignored targets too.  The implicit
default ``ignore_index=-100`` converts: targets holding -100 are the one case
that differs (Paddle's mean then divides by every target).
"""

from __future__ import annotations

import libcst as cst

from ..arguments import source_of
from . import call_rewrite
from ._support import as_keywords, find
from .legacy_reduction import fold_legacy_reduction


def _text(node):
    return None if node is None else source_of(node).strip()


def _number(node):
    try:
        return float(_text(node)) if node is not None else None
    except ValueError:
        return None


@call_rewrite("cross_entropy_loss")
def cross_entropy_loss(ctx) -> cst.BaseExpression:
    ctx = fold_legacy_reduction(ctx)  # size_average/reduce -> reduction=
    args = as_keywords(ctx.entry, ctx.call.args)
    value = lambda name: getattr(find(args, name), "value", None)  # noqa: E731
    weight, ignore, smoothing, reduction = value("weight"), value("ignore_index"), value("label_smoothing"), value("reduction")
    has_weight = weight is not None and _text(weight) != "None"
    mode = "mean" if reduction is None else (reduction.evaluated_value if isinstance(reduction, cst.SimpleString) else None)
    if smoothing is not None and _number(smoothing) != 0.0:
        if has_weight:
            raise ctx.unsupported("label_smoothing with a class weight: Paddle weighs the smoothed targets differently")
        if ignore is not None and _number(ignore) != -100:
            raise ctx.unsupported("label_smoothing with ignore_index: Paddle smooths the ignored targets instead of skipping them")
        if mode not in ("mean", "sum"):
            raise ctx.unsupported("label_smoothing with reduction='none' (or one known at run time): Paddle keeps a trailing axis of 1")
    elif ignore is not None and (_number(ignore) is None or _number(ignore) < 0) and mode != "sum" and mode != "none" and not has_weight:
        raise ctx.unsupported(
            "a negative ignore_index with reduction='mean' and no weight: Paddle averages over the ignored targets too"
        )
    return cst.Call(func=ctx.render(ctx.entry.target), args=ctx.map_args())
