"""``dtype=None`` / ``prefetch_factor=None`` / ``shuffle=None`` -> argument dropped.

Why a value rewrite: torch reads an explicit None as "choose the default"
where Paddle wants a real value (``paddle.amp.auto_cast(dtype=None)`` and
``DataLoader(shuffle=None)`` fail).  Paddle's own default is the same choice
for these arguments, so a literal None is dropped and any other value kept.
"""

from __future__ import annotations

import libcst as cst

from . import value_rewrite


@value_rewrite("drop_literal_none")
def drop_literal_none(value: cst.BaseExpression) -> cst.BaseExpression | None:
    if isinstance(value, cst.Name) and value.value == "None":
        return None
    return value
