"""torchvision enum members -> the strings Paddle's transforms take.

``InterpolationMode.BILINEAR`` -> ``"bilinear"``: Paddle's ``Resize``,
``RandomResizedCrop`` and ``RandomRotation`` take the interpolation as a
string (the PIL backend maps it to the same PIL filter torchvision uses).
``NEAREST_EXACT`` has no Paddle counterpart; the bare class is refused.
"""

from __future__ import annotations

import libcst as cst

from . import access_rewrite

_MODES = {
    "NEAREST": "nearest",
    "BILINEAR": "bilinear",
    "BICUBIC": "bicubic",
    "BOX": "box",
    "HAMMING": "hamming",
    "LANCZOS": "lanczos",
}


@access_rewrite("interpolation_mode")
def interpolation_mode(ctx):
    if ctx.value is not None:
        raise ctx.unsupported("assigning to InterpolationMode")
    mode = _MODES.get(ctx.rest)
    if mode is None:
        strings = ", ".join(f'"{m}"' for m in _MODES.values())
        what = f"InterpolationMode.{ctx.rest}" if ctx.rest else "the InterpolationMode class"
        raise ctx.unsupported(f"{what}: Paddle's transforms take the interpolation as a string ({strings})")
    return cst.SimpleString(f'"{mode}"')
