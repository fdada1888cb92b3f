"""``std/var(correction=0|1)`` -> Paddle's ``unbiased=False|True``.

Paddle's canonical std/var only know Bessel's correction on or off, so any
other correction (or one the code computes) is refused.
"""

from __future__ import annotations

import libcst as cst

from ..arguments import UnsupportedUse
from . import value_rewrite


@value_rewrite("correction_to_unbiased")
def correction_to_unbiased(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, cst.Integer) and int(value.evaluated_value) in (0, 1):
        return cst.Name("True" if int(value.evaluated_value) else "False")
    raise UnsupportedUse("Paddle's std/var only take unbiased=True/False: correction must be the literal 0 or 1")
