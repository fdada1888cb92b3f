"""Named Python rewrites: what a YAML entry cannot express.

Each rewrite lives in its own small module and registers itself by name with
``@value_rewrite`` (an argument value -> a new value), ``@call_rewrite`` (a
whole call -> a new expression), ``@access_rewrite`` (an attribute read,
assignment or loop), ``@class_rewrite`` (a class deriving from the entry's
torch class) or ``@directive_rewrite`` (a compiler directive as a decorator,
a statement or a call).  Tables refer to them by that name (``rewrite: pack_shape`` /
``values: {momentum: one_minus}``); the loader rejects unknown names.
"""

from __future__ import annotations

from typing import Callable

REWRITES: dict[str, Callable] = {}
REWRITE_KINDS: dict[str, str] = {}  # name -> "value", "call", "access", "class", "init" or "directive"
VALUE_REWRITES: dict[str, Callable] = {}
CALL_REWRITES: dict[str, Callable] = {}
ACCESS_REWRITES: dict[str, Callable] = {}
CLASS_REWRITES: dict[str, Callable] = {}
INIT_REWRITES: dict[str, Callable] = {}
DIRECTIVE_REWRITES: dict[str, Callable] = {}
# class rewrites whose entry converts only as a base class: name -> why any other use is refused
BASES_ONLY: dict[str, str] = {}
# call rewrites that only translate optional torch arguments (legacy flags, requires_grad): without them the
# entry's target is the same function, so the API passed by name (`criterion = F.mse_loss`) converts to it;
# a call through that name passing such an argument then fails loudly in Paddle (an unexpected keyword)
NAME_CONVERTS: set[str] = set()


def _registrar(registry: dict[str, Callable], doc: str, kind: str):
    """A decorator factory ``@kind(name)`` that files a rewrite in ``registry`` (and in REWRITES, names unique).

    Every rewrite says why it exists in its docstring (``mappings show`` prints it); the loader checks
    that a table names each rewrite where its kind fits (``values:`` a value rewrite, ...)."""

    def decorator(name: str):
        def register(fn):
            if name in REWRITES:
                raise ValueError(f"rewrite {name!r} registered twice")
            REWRITES[name] = registry[name] = fn
            REWRITE_KINDS[name] = kind
            return fn

        return register

    decorator.__doc__ = doc
    return decorator


value_rewrite = _registrar(VALUE_REWRITES, """Register ``fn(value: cst.BaseExpression) -> cst.BaseExpression | None``
(None drops the argument).""", "value")

call_rewrite = _registrar(CALL_REWRITES, """Register ``fn(ctx: CallContext) -> cst.BaseExpression`` for a whole call.""", "call")

access_rewrite = _registrar(ACCESS_REWRITES, """Register ``fn(ctx: AccessContext)`` for an attribute entry (``kind: attribute``).

It is called for a read of the attribute (with any subscripts applied to it, e.g.
``optimizer.param_groups[0]["lr"]``) and returns the new expression, for an assignment
to it (``ctx.value`` set) and returns the new small statement, or for a loop over it
(``ctx.loop``) and returns the statement line replacing the loop.""", "access")

class_rewrite = _registrar(CLASS_REWRITES, """Register ``fn(ctx: ClassContext) -> cst.ClassDef`` for a class whose base is the
entry's torch class.

It is called with the class as converted so far and returns the class to write (its base
is then renamed), or raises ``ctx.unsupported(reason)``: the base then stays in torch form
with a marker.""", "class")

init_rewrite = _registrar(INIT_REWRITES, """Register ``fn(ctx: InitContext) -> dict[str, cst.BaseExpression | None]``
for a layer entry's ``torch_init``: the Paddle keywords (``weight_attr``, ``bias_attr``) that give the
layer torch's default initialisation, added when converting with ``torch_init=True``.""", "init")

directive_rewrite = _registrar(DIRECTIVE_REWRITES, """Register ``fn(ctx: DirectiveContext) -> cst.BaseExpression | None``
for a compiler directive that is a no-op in eager code (``@torch.jit.ignore``, ``torch.compile``).

It is called where the entry decorates a def or class (``ctx.site == "decorator"``), is called as a
whole expression statement (``"statement"``) or is called anywhere else (``"call"``), and returns None
to remove the decorator or statement, the expression replacing it, or raises ``ctx.unsupported(reason)``.""", "directive")


def _register_all() -> None:
    """Import every module of this package: importing a module registers its rewrites."""
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{info.name}")


_register_all()
