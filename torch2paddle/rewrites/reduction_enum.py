"""ATen's reduction enum -> Paddle's reduction string."""

from __future__ import annotations

import libcst as cst

from . import value_rewrite

_NAMES = ("none", "mean", "sum")  # at::Reduction: 0 None, 1 Mean, 2 Sum


@value_rewrite("reduction_enum")
def reduction_enum(value: cst.BaseExpression) -> cst.BaseExpression:
    """The torch.* twins of the losses (``torch.margin_ranking_loss(..., reduction=0)``, ATen's signatures) take
    reduction as ATen's enum, an int (0 none, 1 mean, 2 sum); Paddle's losses take the string.  A literal is
    looked up; any other value indexes ``("none", "mean", "sum")`` when the call runs."""
    if isinstance(value, cst.Integer) and value.evaluated_value in range(len(_NAMES)):
        return cst.SimpleString(f'"{_NAMES[value.evaluated_value]}"')
    names = cst.Tuple([cst.Element(cst.SimpleString(f'"{name}"')) for name in _NAMES])
    return cst.Subscript(value=names, slice=[cst.SubscriptElement(slice=cst.Index(value=value))])
