"""Max pooling that returns indices (or pools a ceil-mode window Paddle keeps): the run-time max pooling.

Paddle's ``return_mask`` indices are int32 (torch: int64), -1 for a window holding nothing above the dtype's
lowest finite value (torch: the window's first element, and its value -inf where Paddle gives the lowest finite
value), and skip NaN (torch returns the window's last NaN and its index); with ``ceil_mode`` and padding Paddle keeps
a last window that starts in the padding (torch drops it).  ``F.max_pool*d`` / ``F.adaptive_max_pool*d`` /
``nn.MaxPool*d`` / ``nn.AdaptiveMaxPool*d`` calls that pass ``return_indices`` (any value but a literal False),
pass ``*args`` / ``**kwargs`` (which may hold it), or pass a ``ceil_mode`` that literals do not show safe
(``pool_layer_checks``' rule: padding, or a stride above the kernel), become the generated run-time module's function or layer of the same name
(``torch2paddle/runtime_layers.py``): torch's signature, Paddle's pooling made torch's.  A dilation other than 1
is refused (Paddle's max pooling has none).  Any other call goes through the entry's pipeline.
"""

from __future__ import annotations

import ast

import libcst as cst

from . import call_rewrite
from ._support import bound_arguments


def _source(arg: cst.Arg | None) -> str | None:
    from ..arguments import source_of

    return None if arg is None else source_of(arg.value)


def wants_runtime(ctx) -> bool:
    """Whether the call needs the run-time max pooling: indices asked for (or possibly, through ``*``/``**``)."""
    if any(arg.star for arg in ctx.call.args):
        return True
    return _source(bound_arguments(ctx.entry, ctx.call.args).get("return_indices")) not in (None, "False")


def runtime_call(ctx) -> cst.BaseExpression:
    """``_torch2paddle_runtime.<torch name>(<the call's arguments>)``; a literal dilation other than 1 refused."""
    dilation = _source(bound_arguments(ctx.entry, ctx.call.args).get("dilation"))
    if dilation is not None:
        try:
            value = ast.literal_eval(dilation)
        except (ValueError, SyntaxError):
            value = None  # a variable: the run-time function raises for a dilation other than 1
        values = value if isinstance(value, (tuple, list)) else [value]
        if value is not None and any(v != 1 for v in values):
            raise ctx.unsupported(f"dilation={dilation}: Paddle's max pooling has no dilation")
    name = ctx.entry.name.rsplit(".", 1)[1]
    return ctx.call.with_changes(func=ctx.render(f"_torch2paddle_runtime.{name}"))  # its layout kept


@call_rewrite("max_pool_indices")
def max_pool_indices(ctx) -> cst.BaseExpression:
    """F.max_pool*d / F.adaptive_max_pool*d / nn.AdaptiveMaxPool*d: the run-time max pooling where indices are
    asked for, or a ceil_mode Paddle pools differently (functional max pooling); else Paddle's."""
    if wants_runtime(ctx) or ("ceil_mode" in ctx.entry.args and not _ceil_safe(ctx)):
        return runtime_call(ctx)
    return ctx.call.with_changes(func=ctx.target(), args=ctx.map_args())  # the call's layout kept


def _ceil_safe(ctx) -> bool:
    """Whether Paddle's pooling keeps torch's windows for the call's ceil_mode (absent or False, or literals
    showing no window can start in the padding: pool_layer_checks' rule)."""
    from ..arguments import UnsupportedUse
    from .pool_layer_checks import _check_ceil

    try:
        return _check_ceil(ctx) is None
    except UnsupportedUse:
        return False
