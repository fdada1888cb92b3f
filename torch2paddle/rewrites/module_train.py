"""``m.train(False)`` -> ``m.eval()``; ``m.train()`` / ``m.train(True)`` -> ``m.train()``;
``super().train(mode)`` stays (Paddle 3.3's ``Layer.train`` takes the flag and, as torch, rejects a
non-bool).

Paddle's ``train()``/``eval()`` set ``training`` on every sublayer without calling their own ``train``
overrides, and its ``eval()`` is not ``train(False)``: a "freeze BatchNorm in train()" override would
silently stop working.  So a layer class that overrides ``train`` is decorated with the run-time
``train_calls_overrides`` (``decorate_train_override``), which gives ``paddle.nn.Layer`` torch's
recursion (``train(mode)`` calls each child's ``train(mode)``; ``eval()`` is ``train(False)``).
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
            # `super().train(mode)` in an override: the mode is known when the call runs.  Not
            # `(train() if mode else eval())`: under torch's recursion eval() calls the override again.
            return cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name("train")),
                            args=[args[0].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT, comma=cst.MaybeSentinel.DEFAULT)])
        method = "train" if value.value == "True" else "eval"
    return cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name(method)), args=[])


def overrides_train(cls: cst.ClassDef, is_layer: bool) -> bool:
    """The class body defines ``train`` (a method), and the class is known to be a layer (``is_layer``) or,
    deriving from a class of another module, its ``train`` calls ``super().train(...)`` as a layer's does
    (the decorator checks at run time that it is a ``paddle.nn.Layer``)."""
    if not isinstance(cls.body, cst.IndentedBlock):
        return False
    train = next((m for m in cls.body.body if isinstance(m, cst.FunctionDef) and m.name.value == "train"), None)
    if train is None:
        return False
    if is_layer:
        return True
    finder = _SuperTrain()
    train.visit(finder)
    return bool(cls.bases) and finder.found


class _SuperTrain(cst.CSTVisitor):
    """Finds ``super().train(...)`` (no libcst.matchers: importing it costs a third of a second of start-up)."""

    def __init__(self) -> None:
        self.found = False

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        if (isinstance(func, cst.Attribute) and func.attr.value == "train" and isinstance(func.value, cst.Call)
                and isinstance(func.value.func, cst.Name) and func.value.func.value == "super"):
            self.found = True
        return not self.found


def decorate_train_override(cls: cst.ClassDef, helper) -> cst.ClassDef:
    """``@_torch2paddle_runtime.train_calls_overrides`` on a layer class overriding ``train`` (once)."""
    if any(isinstance(d.decorator, cst.Attribute) and d.decorator.attr.value == "train_calls_overrides"
           for d in cls.decorators):
        return cls  # converted before: the file already imports the run-time module
    return cls.with_changes(decorators=[*cls.decorators, cst.Decorator(decorator=helper("train_calls_overrides"))])
