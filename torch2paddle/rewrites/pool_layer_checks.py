"""``nn.MaxPool*d`` / ``nn.AvgPool*d``: report the arguments Paddle 3.3.1 pools differently.

* ``ceil_mode=True``: torch drops a last window that would start in the right
  padding (``(out - 1) * stride >= size + padding``); Paddle keeps it, so its
  output is one larger along that dimension (measured, e.g. size 5, kernel 2,
  stride 2, padding 1: torch 3, Paddle 4).  That cannot happen with
  ``padding=0`` and ``stride <= kernel_size`` (stride defaults to the kernel),
  so ceil mode converts only when the literals show that, or show ``stride=1`` (then
  ``size + 2 * padding - window`` divides exactly: ceil and floor agree).  With no padding
  and a stride the source does not show (timm's ``nn.AvgPool2d(2, avg_stride, ceil_mode=True)``)
  the stride is checked when the layer is built (run-time ``ceil_mode_stride``: it raises,
  naming the difference, for a stride above the kernel); otherwise reported.
* ``divisor_override`` (AvgPool2d/3d): torch divides every window by it and
  ignores ``count_include_pad``; Paddle applies it only with
  ``exclusive=False`` and rescales partial ``ceil_mode`` windows, so a divisor
  with ``count_include_pad`` other than True or with ``ceil_mode`` is reported.

Everything else goes through the entry's pipeline.  (The functional
``avg_pool*d`` has its own rewrite.)
"""

from __future__ import annotations

import ast

import libcst as cst

from . import call_rewrite
from ._support import bound_arguments


def _given(ctx, name: str) -> str | None:
    """Source text of torch argument ``name`` in the call, or None when absent."""
    from ..arguments import source_of

    arg = bound_arguments(ctx.entry, ctx.call.args).get(name)
    return None if arg is None else source_of(arg.value)
    index = ctx.entry.args.index(name)
    position = 0
    for arg in ctx.call.args:
        if arg.keyword is None and not arg.star:
            if position == index:
                return source_of(arg.value)
            position += 1
        elif arg.keyword is not None and arg.keyword.value == name:
            return source_of(arg.value)
    return None


def _ints(source: str | None, default):
    """A literal int or tuple/list of ints as a tuple; None when not a literal."""
    if source is None or source == "None":
        return default
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value,)
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(value)
    return None


def _check_ceil(ctx) -> list[cst.Arg] | None:
    """Refuses a ceil_mode Paddle pools differently; returns the call's arguments with the stride wrapped
    in the run-time check when only the stride's value decides (else None: the arguments as they are)."""
    ceil = _given(ctx, "ceil_mode")
    if ceil in (None, "False"):
        return None
    stride_source = _given(ctx, "stride")
    kernel = _ints(_given(ctx, "kernel_size"), None)
    stride = _ints(stride_source, kernel)
    padding = _ints(_given(ctx, "padding"), (0,))
    if stride is not None and all(s == 1 for s in stride):
        return None  # (size + 2 * padding - window) / 1 is whole: ceil and floor agree, no window is dropped
    no_padding = padding is not None and all(p == 0 for p in padding)
    if no_padding and stride_source in (None, "None"):
        return None  # the stride is the kernel: every window starts inside the input
    if no_padding and stride is None and ctx.helper is not None:
        checked = _checked_stride(ctx)
        if checked is not None:
            return checked
    safe = kernel is not None and stride is not None and no_padding
    if safe:
        n = max(len(kernel), len(stride))
        kernel = kernel * n if len(kernel) == 1 else kernel
        stride = stride * n if len(stride) == 1 else stride
        safe = len(kernel) == len(stride) and all(s <= k for s, k in zip(stride, kernel))
    if not safe:
        raise ctx.unsupported(
            f"ceil_mode={ceil} with padding or stride > kernel_size: Paddle keeps a last window that starts in the "
            "padding (torch drops it), so its output can be one larger"
        )
    return None


def _checked_stride(ctx) -> list[cst.Arg] | None:
    """The call's arguments with ``stride`` as ``ceil_mode_stride(stride, kernel_size[, ceil_mode])``; None
    when the kernel size or the mode is not a name or literal (it would be evaluated twice)."""
    kernel = mode = None
    found = None
    position = 0
    for i, arg in enumerate(ctx.call.args):
        name = arg.keyword.value if arg.keyword is not None else None
        if name is None and not arg.star:
            name = ctx.entry.args[position] if position < len(ctx.entry.args) else None
            position += 1
        if name == "kernel_size":
            kernel = arg.value
        elif name == "ceil_mode":
            mode = arg.value
        elif name == "stride":
            found = i
    simple = (cst.Name, cst.Integer, cst.Tuple, cst.Attribute)
    if found is None or not isinstance(kernel, simple) or not isinstance(mode, simple):
        return None
    args = list(ctx.call.args)
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    given = [args[found].value, kernel] + ([] if isinstance(mode, cst.Name) and mode.value == "True" else [mode])
    checked = cst.Call(func=ctx.helper("ceil_mode_stride"),
                       args=[cst.Arg(v, comma=comma if i < len(given) - 1 else cst.MaybeSentinel.DEFAULT)
                             for i, v in enumerate(given)])
    args[found] = args[found].with_changes(value=checked)
    return args


@call_rewrite("max_pool_layer")
def max_pool_layer(ctx) -> cst.BaseExpression:
    """nn.MaxPool*d: Paddle's layer; the run-time ``MaxPool*d`` (torch's int64 indices, NaN windows) where
    ``return_indices`` is given (not a literal False) or may be (``*args``/``**kwargs``), or where ceil_mode would
    keep a window Paddle's layer keeps and torch drops."""
    from ..arguments import UnsupportedUse
    from .max_pool_indices import runtime_call, wants_runtime

    if wants_runtime(ctx):
        return runtime_call(ctx)
    try:
        args = _check_ceil(ctx)
    except UnsupportedUse:  # a ceil_mode window Paddle's layer would keep: the run-time layer drops it, as torch
        return runtime_call(ctx)
    return cst.Call(func=ctx.target(), args=ctx.map_args(args))


@call_rewrite("avg_pool_layer")
def avg_pool_layer(ctx) -> cst.BaseExpression:
    args = _check_ceil(ctx)
    divisor = _given(ctx, "divisor_override")
    if divisor not in (None, "None"):
        include = _given(ctx, "count_include_pad")
        if include not in (None, "True"):
            raise ctx.unsupported(
                f"divisor_override with count_include_pad={include}: "
                "Paddle applies the divisor only with exclusive=False"
            )
        ceil = _given(ctx, "ceil_mode")
        if ceil not in (None, "False"):
            raise ctx.unsupported(f"divisor_override with ceil_mode={ceil}: Paddle rescales the partial windows")
    return cst.Call(func=ctx.target(), args=ctx.map_args(args))
