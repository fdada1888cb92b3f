"""FFT ``norm=None`` -> argument dropped: torch reads None as "backward", Paddle rejects None.

``paddle.fft.*`` default to ``norm="backward"`` (torch's None); any other value
("forward", "ortho", a variable) is passed through unchanged.
"""

from __future__ import annotations

import libcst as cst

from . import value_rewrite


@value_rewrite("fft_norm")
def fft_norm(value: cst.BaseExpression) -> cst.BaseExpression | None:
    if isinstance(value, cst.Name) and value.value == "None":
        return None
    return value
