"""``m.train(False)`` -> ``m.eval()``; ``m.train()`` / ``m.train(True)`` -> ``m.train()``;
``super().train(mode)`` -> ``(super().train() if mode else super().eval())``.

Paddle's canonical ``Layer.train()`` takes no mode flag.  Note: Paddle's ``train()``/``eval()``
set ``training`` on every sublayer without calling their own ``train`` overrides.
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
        if len(args) != 1 or args[0].star:
            raise ctx.unsupported("train() takes one mode flag")
        if not (isinstance(value, cst.Name) and value.value in ("True", "False")):
            # `super().train(mode)` in an override: the mode is known when the call runs
            if not _evaluated_once(ctx.receiver):
                raise ctx.unsupported("train(mode) with a non-literal mode on a computed receiver: write "
                                      "`m.train() if mode else m.eval()`")
            train = cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name("train")), args=[])
            evaluate = cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name("eval")), args=[])
            return cst.IfExp(test=value, body=train, orelse=evaluate, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        method = "train" if value.value == "True" else "eval"
    return cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name(method)), args=[])


def _evaluated_once(receiver: cst.BaseExpression) -> bool:
    """A receiver that may be written in both branches: a name, an attribute chain, or ``super()``."""
    while isinstance(receiver, cst.Attribute):
        receiver = receiver.value
    if isinstance(receiver, cst.Call):
        return isinstance(receiver.func, cst.Name) and receiver.func.value == "super" and not receiver.args
    return isinstance(receiver, cst.Name)
