"""A custom autograd function: ``class F(torch.autograd.Function)`` -> ``class F(paddle.autograd.PyLayer)``.

Why a class rewrite: both bases define the same protocol (static ``forward(ctx,
...)`` and ``backward(ctx, *grads)``, ``ctx.save_for_backward``, ``F.apply``),
but Paddle's context hands the saved tensors back with a method call
(``ctx.saved_tensor()``) where torch has an attribute (``ctx.saved_tensors``),
and Paddle's backward must return exactly one gradient per *tensor* input,
where torch returns one per input with ``None`` for the others.  So:

* ``ctx.saved_tensors`` -> ``ctx.saved_tensor()`` (``ctx``: backward's first parameter);
* a backward returning a literal ``None`` among its gradients is refused: only
  the run time knows whether that input is a tensor (Paddle then wants
  ``None`` kept) or not (Paddle wants it gone);
* torch-only context features (``needs_input_grad``, ``mark_dirty``,
  ``setup_context``, non-static ``forward``/``backward``) are refused.
"""

from __future__ import annotations

import libcst as cst

from . import class_rewrite

_TORCH_ONLY = {"needs_input_grad": "ctx.needs_input_grad has no Paddle counterpart",
               "mark_dirty": "ctx.mark_dirty has no Paddle counterpart (in-place custom functions)"}
_HOWTO = "write the class on paddle.autograd.PyLayer by hand"


def _is_static(fn: cst.FunctionDef) -> bool:
    return any(isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod" for d in fn.decorators)


class _Context(cst.CSTTransformer):
    """``ctx.saved_tensors`` -> ``ctx.saved_tensor()``; notes torch-only context features."""

    def __init__(self, ctx_name: str) -> None:
        super().__init__()
        self.ctx_name = ctx_name
        self.problem: str | None = None

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if isinstance(updated.value, cst.Name) and updated.value.value == self.ctx_name:
            name = updated.attr.value
            if name in _TORCH_ONLY:
                self.problem = _TORCH_ONLY[name]
            if name == "saved_tensors":
                return cst.Call(func=updated.with_changes(attr=cst.Name("saved_tensor")))
        return updated


class _NoneGradients(cst.CSTVisitor):
    """Whether a ``return`` of backward (not of a nested function) lists a literal ``None``."""

    def __init__(self) -> None:
        self.depth = 0
        self.found = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Return(self, node: cst.Return) -> None:
        value = node.value
        if self.depth == 1 and isinstance(value, cst.Tuple):
            self.found |= any(isinstance(e.value, cst.Name) and e.value.value == "None" for e in value.elements)


@class_rewrite("autograd_function_subclass")
def autograd_function_subclass(ctx) -> cst.ClassDef:
    cls = ctx.node
    if not isinstance(cls.body, cst.IndentedBlock):
        raise ctx.unsupported(_HOWTO)
    members = list(cls.body.body)
    methods = {m.name.value: i for i, m in enumerate(members) if isinstance(m, cst.FunctionDef)}
    if "setup_context" in methods:
        raise ctx.unsupported("forward without ctx plus setup_context has no Paddle counterpart; " + _HOWTO)
    for name in ("forward", "backward"):
        if name in methods and not _is_static(members[methods[name]]):
            raise ctx.unsupported(f"{name} must be a @staticmethod; " + _HOWTO)
    for name, at in methods.items():
        fn = members[at]
        params = fn.params.params
        if name not in ("forward", "backward") or not params:
            continue
        rewriter = _Context(params[0].name.value)
        fn = fn.visit(rewriter)
        if rewriter.problem:
            raise ctx.unsupported(rewriter.problem)
        if name == "backward":
            nones = _NoneGradients()
            fn.visit(nones)
            if nones.found:
                raise ctx.unsupported("backward returns None for some inputs: Paddle wants one gradient per "
                                      "tensor input only, so drop the Nones of non-tensor inputs by hand")
        members[at] = fn
    return cls.with_changes(body=cls.body.with_changes(body=members))
