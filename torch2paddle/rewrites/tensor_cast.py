"""Dtype casts written as methods: ``x.float()`` / ``x.type(dtype)`` / ``x.type_as(y)`` -> ``x.astype(...)``.

torch has one cast method per dtype and ``type``/``type_as``; Paddle's canonical
cast is ``astype``.  ``fixed_astype`` takes the dtype from the entry's ``add``
(``add: {dtype: '"float32"'}``) and writes it positionally.

Receivers that look like layers (``model.half()``) are refused: these names
are also ``nn.Module`` methods, and Paddle 3.3.1's ``Layer.astype`` leaves the
parameters unchanged (it casts copies), so converting them would run and do
nothing.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from ._support import last_name, may_be_layer


def refuse_layer_like(ctx) -> None:
    if ctx.receiver is not None and may_be_layer(ctx, ctx.receiver, by_name=True):
        raise ctx.unsupported(f"`{last_name(ctx.receiver) or 'the receiver'}` may be an nn.Module, whose dtype "
                              "casts Paddle does not convert this way")


def _astype(ctx, dtype: cst.BaseExpression) -> cst.Call:
    return cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name("astype")), args=[cst.Arg(value=dtype)])


@call_rewrite("fixed_astype")
def fixed_astype(ctx) -> cst.BaseExpression:
    """``x.float()`` -> ``x.astype("float32")`` (the dtype is the entry's ``add.dtype``)."""
    if ctx.receiver is None:
        raise ctx.unsupported("a cast method needs a receiver")
    dtype = cst.parse_expression(ctx.entry.add["dtype"])
    layer_like = may_be_layer(ctx, ctx.receiver, by_name=True)
    if layer_like and ctx.helper is None:
        refuse_layer_like(ctx)
    leftover = ctx.map_args(with_defaults=False)  # checks unsupported_args, drops memory_format
    if leftover:
        raise ctx.unsupported("unexpected arguments to a cast method")
    if layer_like:  # a module casts its floating-point parameters and buffers: decided when it runs
        return cst.Call(func=ctx.helper("layer_cast"), args=[
            cst.Arg(ctx.receiver, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Arg(dtype)])
    return _astype(ctx, dtype)


@call_rewrite("tensor_type")
def tensor_type(ctx) -> cst.BaseExpression:
    """``x.type(torch.float16)`` -> ``x.astype(paddle.float16)``; ``x.type()`` (a type string) has no Paddle twin."""
    if ctx.receiver is None:
        raise ctx.unsupported("type() needs a receiver")
    refuse_layer_like(ctx)
    args = ctx.map_args()
    if not args:
        raise ctx.unsupported("x.type() returns torch's type string ('torch.FloatTensor'); use x.dtype")
    dtype = args[0].value
    if args[0].keyword is not None and args[0].keyword.value != "dtype" or len(args) > 1:
        raise ctx.unsupported("type() takes one dtype")
    legacy = ctx.resolve(ctx.original.args[0].value)
    if legacy is not None and legacy.rewrite == "legacy_tensor" and "dtype" in legacy.add:
        return _astype(ctx, cst.parse_expression(legacy.add["dtype"]))  # x.type(torch.LongTensor): its dtype
    if legacy is not None and (legacy.target or "").startswith("_torch2paddle_runtime.Cuda"):
        raise ctx.unsupported("x.type(torch.cuda.XTensor) also moves the tensor to the GPU: write "
                              "x.astype(<dtype>).cuda()")
    if isinstance(dtype, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        raise ctx.unsupported("a tensor type string such as 'torch.FloatTensor' also selects the device")
    return _astype(ctx, dtype)


@call_rewrite("type_as")
def type_as(ctx) -> cst.BaseExpression:
    """``x.type_as(y)`` -> ``x.astype(y.dtype)``."""
    if ctx.receiver is None:
        raise ctx.unsupported("type_as() needs a receiver")
    args = ctx.map_args()
    if len(args) != 1 or args[0].star:
        raise ctx.unsupported("type_as() takes one tensor")
    return _astype(ctx, cst.Attribute(value=args[0].value, attr=cst.Name("dtype")))
