"""A custom autograd function: ``class F(torch.autograd.Function)`` -> ``class F(paddle.autograd.PyLayer)``.

Why a class rewrite: both bases define the same protocol (static ``forward(ctx,
...)`` and ``backward(ctx, *grads)``, ``ctx.save_for_backward``,
``ctx.mark_non_differentiable``, ``ctx.set_materialize_grads``, ``F.apply``),
but Paddle's context hands the saved tensors back with a method call
(``ctx.saved_tensor()``) where torch has an attribute (``ctx.saved_tensors``),
has no ``needs_input_grad``, and Paddle's backward must return exactly one
gradient per *tensor* input, where torch returns one per input with ``None``
for the others.  So:

* ``ctx.saved_tensors`` -> ``ctx.saved_tensor()`` (``ctx``: the method's first parameter);
* where backward returns a tuple written out with a literal ``None`` in it
  (``return grad * ctx.factor, None``), forward first records which of its
  inputs are tensors (``ctx._torch2paddle_tensor_inputs``) and that return
  keeps the gradients of the tensor inputs only;
* where ``ctx.needs_input_grad`` is read, forward first sets it as torch's
  (per input: a tensor that requires grad);
* torch-only context features (``mark_dirty``, ``setup_context``, non-static
  ``forward``/``backward``, a forward taking ``**kwargs`` or keyword-only
  parameters when one of the two above is needed) are refused.
"""

from __future__ import annotations

import libcst as cst

from . import class_rewrite

_TORCH_ONLY = {"mark_dirty": "ctx.mark_dirty has no Paddle counterpart (in-place custom functions): return a new "
                             "tensor instead of the modified input, or write the class on paddle.autograd.PyLayer by hand"}
_MASK = "_torch2paddle_tensor_inputs"
_HOWTO = "write the class on paddle.autograd.PyLayer by hand"


def _is_static(fn: cst.FunctionDef) -> bool:
    return any(isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod" for d in fn.decorators)


class _Context(cst.CSTTransformer):
    """``ctx.saved_tensors`` -> ``ctx.saved_tensor()``; notes torch-only context features."""

    def __init__(self, ctx_name: str) -> None:
        super().__init__()
        self.ctx_name = ctx_name
        self.problem: str | None = None
        self.needs_input_grad = False

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if isinstance(updated.value, cst.Name) and updated.value.value == self.ctx_name:
            name = updated.attr.value
            if name in _TORCH_ONLY:
                self.problem = _TORCH_ONLY[name]
            self.needs_input_grad |= name == "needs_input_grad"
            if name == "saved_tensors":
                return cst.Call(func=updated.with_changes(attr=cst.Name("saved_tensor")))
        return updated


class _NoneGradients(cst.CSTTransformer):
    """Finds the ``return`` statements of backward (not of a nested function) whose value is a tuple written
    out with a literal ``None`` in it, and (``mask`` given) rewrites them to keep the tensor inputs' gradients:
    ``tuple(g for g, t in zip((a, None), ctx._torch2paddle_tensor_inputs) if t)``."""

    def __init__(self, mask: cst.BaseExpression | None = None) -> None:
        super().__init__()
        self.depth = 0
        self.found = False
        self.mask = mask

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        self.depth -= 1
        return updated

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.depth += 1

    def leave_Lambda(self, original: cst.Lambda, updated: cst.Lambda) -> cst.Lambda:
        self.depth -= 1
        return updated

    def leave_Return(self, original: cst.Return, updated: cst.Return) -> cst.Return:
        value = updated.value
        if self.depth != 1 or not isinstance(value, cst.Tuple) or not any(
                isinstance(e.value, cst.Name) and e.value.value == "None" for e in value.elements):
            return updated
        self.found = True
        if self.mask is None:
            return updated
        kept = cst.parse_expression("tuple(_g for _g, _t in zip((), MASK) if _t)")
        gen = kept.args[0].value
        zipped = gen.for_in.iter
        elements = list(value.elements)
        if len(elements) == 1 and elements[0].comma is cst.MaybeSentinel.DEFAULT:
            elements = [elements[0].with_changes(comma=cst.Comma())]
        zipped = zipped.with_changes(args=[zipped.args[0].with_changes(value=cst.Tuple(elements)),
                                           zipped.args[1].with_changes(value=self.mask)])
        gen = gen.with_changes(for_in=gen.for_in.with_changes(iter=zipped))
        return updated.with_changes(value=kept.with_changes(args=[kept.args[0].with_changes(value=gen)]))


def _inputs(fn: cst.FunctionDef) -> cst.BaseExpression | None:
    """forward's inputs after ctx as one tuple expression (``(x, factor, *rest)``); None when forward takes
    keyword-only parameters or ``**kwargs`` (torch's apply passes inputs by position only)."""
    params = fn.params
    if params.kwonly_params or params.star_kwarg is not None or params.posonly_params:
        return None
    elements = [cst.Element(cst.Name(p.name.value)) for p in params.params[1:]]
    if isinstance(params.star_arg, cst.Param):
        elements.append(cst.StarredElement(cst.Name(params.star_arg.name.value)))
    if len(elements) == 1 and isinstance(elements[0], cst.Element):
        return cst.Tuple([elements[0].with_changes(comma=cst.Comma())])
    return cst.Tuple([e.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                      for e in elements[:-1]] + elements[-1:]) if elements else cst.Tuple([])


def _prepend(fn: cst.FunctionDef, statements: list[cst.BaseStatement]) -> cst.FunctionDef:
    """Inserts ``statements`` at the top of ``fn``'s body, after its docstring."""
    body = list(fn.body.body)
    at = 1 if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr) \
        and isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString)) else 0
    return fn.with_changes(body=fn.body.with_changes(body=body[:at] + statements + body[at:]))


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
    needs_input_grad = False
    for name, at in methods.items():
        fn = members[at]
        params = fn.params.params
        if name not in ("forward", "backward") or not params:
            continue
        rewriter = _Context(params[0].name.value)
        fn = fn.visit(rewriter)
        if rewriter.problem:
            raise ctx.unsupported(rewriter.problem)
        needs_input_grad |= rewriter.needs_input_grad
        members[at] = fn
    masked = False
    if "backward" in methods and members[methods["backward"]].params.params:
        backward = members[methods["backward"]]
        nones = _NoneGradients()
        backward.visit(nones)
        if nones.found:
            masked = True
            mask = cst.Attribute(cst.Name(backward.params.params[0].name.value), cst.Name(_MASK))
            members[methods["backward"]] = backward.visit(_NoneGradients(mask))
    if masked or needs_input_grad:
        forward = members[methods["forward"]] if "forward" in methods else None
        if forward is None or not forward.params.params or not isinstance(forward.body, cst.IndentedBlock):
            raise ctx.unsupported("backward returns None for some inputs or needs_input_grad is read, and forward "
                                  "is not a plain def with ctx: " + _HOWTO)
        inputs = _inputs(forward)
        if inputs is None:
            raise ctx.unsupported("forward takes keyword-only parameters or **kwargs: " + _HOWTO)
        ctx_name = forward.params.params[0].name.value
        tensor = ctx.render("paddle.Tensor")
        statements = []
        if masked:
            statements.append(cst.parse_statement(
                f"{ctx_name}.{_MASK} = tuple(isinstance(_a, TENSOR) for _a in INPUTS)"))
        if needs_input_grad:
            statements.append(cst.parse_statement(
                f"{ctx_name}.needs_input_grad = tuple(isinstance(_a, TENSOR) and not _a.stop_gradient for _a in INPUTS)"))
        statements = [st.visit(_Fill(tensor, inputs)) for st in statements]
        members[methods["forward"]] = _prepend(forward, statements)
    return cls.with_changes(body=cls.body.with_changes(body=members))


class _Fill(cst.CSTTransformer):
    """Puts the rendered ``paddle.Tensor`` and forward's input tuple in place of TENSOR and INPUTS."""

    def __init__(self, tensor: cst.BaseExpression, inputs: cst.BaseExpression) -> None:
        super().__init__()
        self.names = {"TENSOR": tensor, "INPUTS": inputs}

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self.names.get(updated.value, updated)
