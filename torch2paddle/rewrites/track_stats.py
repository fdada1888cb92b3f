"""BatchNorm ``track_running_stats`` -> Paddle's ``use_global_stats``.

``track_running_stats=False`` makes torch normalise with the batch statistics
in train *and* eval mode; Paddle does that with ``use_global_stats=False``.
True (torch's default) is Paddle's default behaviour (``None``: batch
statistics in training, running ones in eval), so the argument is dropped.
A non-literal flag becomes ``None if flag else False``.  The same rule turns an ``affine=`` /
``elementwise_affine=`` flag into ``weight_attr``/``bias_attr`` (affine_attrs.py).
"""

from __future__ import annotations

import libcst as cst

from . import value_rewrite


@value_rewrite("track_stats")
def track_stats(value: cst.BaseExpression) -> cst.BaseExpression | None:
    if isinstance(value, cst.Name) and value.value == "True":
        return None
    if isinstance(value, cst.Name) and value.value == "False":
        return value
    return cst.IfExp(test=value, body=cst.Name("None"), orelse=cst.Name("False"))  # libcst spaces it
