"""Named Python rewrites: what a YAML entry cannot express.

Each rewrite lives in its own small module and registers itself by name with
``@value_rewrite`` (an argument value -> a new value), ``@call_rewrite`` (a
whole call -> a new expression), ``@access_rewrite`` (an attribute read or
assignment) or ``@class_rewrite`` (a class deriving from the entry's torch class).  Tables refer to them by that name
(``rewrite: pack_shape`` / ``values: {momentum: one_minus}``); the loader
rejects unknown names.
"""

from __future__ import annotations

from typing import Callable

REWRITES: dict[str, Callable] = {}
VALUE_REWRITES: dict[str, Callable] = {}
CALL_REWRITES: dict[str, Callable] = {}
ACCESS_REWRITES: dict[str, Callable] = {}
CLASS_REWRITES: dict[str, Callable] = {}


def value_rewrite(name: str):
    """Register ``fn(value: cst.BaseExpression) -> cst.BaseExpression | None`` (None drops the argument)."""

    def register(fn):
        if name in REWRITES:
            raise ValueError(f"rewrite {name!r} registered twice")
        REWRITES[name] = VALUE_REWRITES[name] = fn
        return fn

    return register


def call_rewrite(name: str):
    """Register ``fn(ctx: CallContext) -> cst.BaseExpression`` for a whole call."""

    def register(fn):
        if name in REWRITES:
            raise ValueError(f"rewrite {name!r} registered twice")
        REWRITES[name] = CALL_REWRITES[name] = fn
        return fn

    return register


def access_rewrite(name: str):
    """Register ``fn(ctx: AccessContext)`` for an attribute entry (``kind: attribute``).

    It is called for a read of the attribute (with any subscripts applied to
    it, e.g. ``optimizer.param_groups[0]["lr"]``) and returns the new
    expression, or for an assignment to it (``ctx.value`` set) and returns
    the new small statement.
    """

    def register(fn):
        if name in REWRITES:
            raise ValueError(f"rewrite {name!r} registered twice")
        REWRITES[name] = ACCESS_REWRITES[name] = fn
        return fn

    return register


def class_rewrite(name: str):
    """Register ``fn(ctx: ClassContext) -> cst.ClassDef`` for a class whose base is the entry's torch class.

    It is called with the class as converted so far (its base already renamed) and returns the class to
    write, or raises ``ctx.unsupported(reason)``: the base then stays in torch form with a marker.
    """

    def register(fn):
        if name in REWRITES:
            raise ValueError(f"rewrite {name!r} registered twice")
        REWRITES[name] = CLASS_REWRITES[name] = fn
        return fn

    return register


def _register_all() -> None:
    """Import every module of this package: importing a module registers its rewrites."""
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{info.name}")


_register_all()
