"""TorchScript, torch.compile and torch.fx directives that are no-ops in eager code: removed.

Why rewrites: converted code runs eagerly (it is never TorchScript-compiled, traced by
torch.fx or compiled by TorchDynamo), and there each of these directives hands back the
object it was given, or one that computes the same.  So the faithful conversion is to
remove the directive, not to map it to a Paddle call: ``@torch.jit.ignore`` goes,
``torch.compile(model, mode=...)`` becomes ``model``, a module-level
``torch.fx.wrap("f")`` goes.  What eager code could observe stays refused:
``torch.jit.script(model)`` as a value (a ScriptModule, with ``save``/``code``/``graph``
Paddle has no counterpart for) and ``isinstance(m, torch.jit.ScriptModule)``.
"""

from __future__ import annotations

import libcst as cst

from ..fastwalk import walk
from . import BASES_ONLY, class_rewrite, directive_rewrite


@directive_rewrite("drop_decorator")
def drop_decorator(ctx):
    """``@torch.jit.ignore`` / ``@torch.jit.ignore(drop=True)`` / ``@torch.jit.unused`` /
    ``@torch.jit.export`` / ``@torch.jit.script_method`` / ``@torch.jit.script``: removed.

    Why: in eager code torch returns the decorated function itself (only marked for the
    TorchScript compiler), or, for ``script``, a compiled function computing the same.
    Any other use (a call, a value) is refused: what it returns depends on its arguments.
    """
    if ctx.site != "decorator":
        raise ctx.unsupported(
            f"only @{ctx.entry.name} on a def or class converts (it is removed there); remove this use by hand "
            "where eager code only calls the result, or compile with paddle.jit.to_static")
    return None


@directive_rewrite("first_argument")
def first_argument(ctx):
    """``torch.compile(model, mode=...)`` -> ``model``; ``@torch.compile`` / ``@torch.compile(...)``: removed.

    Why: eager Paddle code runs the model itself, and torch's compiled wrapper computes
    what the model computes (its ``state_dict`` keys carry an ``_orig_mod.`` prefix the
    converted model's do not).  Every keyword (``mode``, ``backend``, ``fullgraph``) only
    tunes the compiler.  The object is the first positional argument or the keyword
    named by the entry's first ``args``; without it the call returns a decorator, which
    converts only where it decorates.
    """
    wrapped = None
    call = ctx.call
    name = ctx.entry.args[0] if ctx.entry.args else None
    for i, arg in enumerate(call.args if call is not None else ()):
        if arg.star:
            raise ctx.unsupported("*args/**kwargs may hold the object to compile")
        if (arg.keyword is None and i == 0) or (arg.keyword is not None and arg.keyword.value == name):
            wrapped = arg.value
    if isinstance(wrapped, cst.Name) and wrapped.value == "None":
        wrapped = None  # torch.compile(model=None, ...): no object, a decorator (torch's default)
    if ctx.site == "decorator":
        if wrapped is not None:
            raise ctx.unsupported("a decorator that is given the object to compile")
        return None
    if wrapped is None:
        raise ctx.unsupported("without the object to compile it returns a decorator, which converts only where it "
                              "decorates a def (it is removed there)")
    if isinstance(wrapped, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)) or wrapped.lpar:
        return wrapped
    return wrapped.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


@directive_rewrite("drop_statement")
def drop_statement(ctx):
    """``torch.fx.wrap("f")`` as a module-level statement, or ``@torch.fx.wrap`` on a module-level
    def: removed.

    Why: it only registers ``f`` as a leaf for torch.fx symbolic tracing and returns its
    argument; eager calls of ``f`` are untouched.  torch raises when it is called anywhere
    but at module level, so other uses are refused rather than made to work.
    """
    if ctx.site == "call":
        raise ctx.unsupported(f"only a module-level {ctx.entry.name}(...) statement or decorator converts "
                              "(it is removed); remove this use by hand")
    if not ctx.module_level:
        raise ctx.unsupported(f"{ctx.entry.name} must be called at module level (torch raises elsewhere)")
    return None


@directive_rewrite("plain_assert")
def plain_assert(ctx):
    """``torch._assert(cond, message)`` as a statement -> ``assert cond, message``.

    Why: it is torch.fx's traceable spelling of an assert; in eager code torch runs
    ``assert condition, message`` itself (so ``python -O`` drops both alike).  Used as a
    value (it returns None) it is refused.
    """
    call = ctx.call
    if ctx.site != "statement" or call is None:
        raise ctx.unsupported(f"only a {ctx.entry.name}(cond, message) statement converts (to an assert statement)")
    if len(call.args) != 2 or any(arg.star for arg in call.args):
        raise ctx.unsupported("needs the condition and the message as two arguments")
    by_name = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
    positional = [arg.value for arg in call.args if arg.keyword is None]
    condition = positional[0] if positional else by_name.get("condition")
    message = positional[1] if len(positional) > 1 else by_name.get("message")
    if condition is None or message is None:
        raise ctx.unsupported("needs the condition and the message as two arguments")
    return cst.Assert(test=_one_line_safe(condition), msg=_one_line_safe(message))


def _one_line_safe(node: cst.BaseExpression) -> cst.BaseExpression:
    """Parenthesised when it spans lines: out of the call's parentheses, its line breaks need their own."""
    if node.lpar or "\n" not in cst.Module(body=[]).code_for_node(node):
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


# TorchScript-only members of a ScriptModule: read on `self`, the class cannot be an eager Layer
_SCRIPT_ONLY = frozenset({"define", "save", "save_to_buffer", "code", "code_with_constants", "graph",
                          "inlined_graph", "original_name", "_c"})


class _ScriptOnlyUses(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value == "self" and node.attr.value in _SCRIPT_ONLY:
            self.found.append(node.attr.value)


@class_rewrite("script_module_subclass")
def script_module_subclass(ctx) -> cst.ClassDef:
    """``class M(torch.jit.ScriptModule)`` -> ``class M(paddle.nn.Layer)``.

    Why a class rewrite: a ScriptModule subclass is an ``nn.Module`` whose
    ``@torch.jit.script_method`` methods are compiled when the class is created; in eager
    code they run as written (the decorators are removed on their own), so the class is
    a Layer.  A class using ScriptModule-only members on ``self`` (``define``, ``save``,
    ``code``, ``graph``) is refused, and so is any use of ScriptModule other than as a
    base (``BASES_ONLY``): converted code creates no ScriptModule, but instances of the
    converted subclasses would have been ones.
    """
    finder = _ScriptOnlyUses()
    walk(ctx.node.body, finder)
    if finder.found:
        raise ctx.unsupported(f"the class uses self.{finder.found[0]}, which only TorchScript modules have")
    return ctx.node


BASES_ONLY["script_module_subclass"] = (
    "converted code creates no TorchScript module (a converted subclass is a plain paddle.nn.Layer): decide what "
    "the check means for eager code; only `class M(torch.jit.ScriptModule)` converts")
