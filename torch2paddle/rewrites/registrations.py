"""Registrations with torch's own registries (operator dispatcher, ONNX exporter): removed.

Why rewrites: ``torch.library.define("ns::op", ...)``, ``register_fake``,
``register_autograd`` and ``torch.onnx.register_custom_op_symbolic`` put a schema,
a shape rule, a backward rule or an export rule into registries that only torch
reads: when code calls ``torch.ops.ns.op(...)`` or ``torch.onnx.export`` runs.
Converted code does neither (``torch.ops`` calls and ``torch.onnx`` are refused
where they occur, with their reason), so the registration has no effect on it and
the faithful conversion is to remove the statement.  Keeping it would make the
whole module need torch at import time for nothing.
"""

from __future__ import annotations

from . import directive_rewrite


@directive_rewrite("drop_registration")
def drop_registration(ctx):
    """``torch.library.define(...)`` / ``register_autograd(...)`` /
    ``torch.onnx.register_custom_op_symbolic(...)`` as a statement: removed.

    Why: it registers with a torch-only registry that converted code never reads.  As a
    decorator or a value it is refused: torch returns None, so the decorated name or the
    value would differ.
    """
    if ctx.site != "statement":
        raise ctx.unsupported(f"only a {ctx.entry.name}(...) statement converts (it is removed: it registers with "
                              "a torch-only registry converted code never reads)")
    return None


@directive_rewrite("drop_registering_decorator")
def drop_registering_decorator(ctx):
    """``@torch.library.register_fake("ns::op")`` on a def, or ``register_fake("ns::op", fn)`` as a
    statement: removed.

    Why: it registers ``fn`` as the op's shape rule with torch's dispatcher, which converted
    code never calls into, and as a decorator hands back the function itself.  A use of
    the result (``f = register_fake("ns::op")``) is refused.
    """
    if ctx.site == "call":
        raise ctx.unsupported(f"only @{ctx.entry.name}(\"ns::op\") on a def or a {ctx.entry.name}(...) statement "
                              "converts (it is removed)")
    if ctx.site == "decorator" and ctx.call is None:
        raise ctx.unsupported(f"@{ctx.entry.name} needs the op's name")
    return None
