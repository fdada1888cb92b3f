"""``m.train(False)`` -> ``m.eval()``; ``m.train()`` / ``m.train(True)`` -> ``m.train()``.

Paddle's canonical ``Layer.train()`` takes no mode flag.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("train_mode")
def train_mode(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    args = ctx.map_args()
    method = "train"
    if args:
        value = args[0].value
        if len(args) != 1 or not (isinstance(value, cst.Name) and value.value in ("True", "False")):
            raise ctx.unsupported("train(mode) with a non-literal mode: write `m.train() if mode else m.eval()`")
        method = "train" if value.value == "True" else "eval"
    return cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name(method)), args=[])
