"""torch's default initialisation written out on Paddle layers (``convert --torch-init``).

Why: a layer no init code touches starts from its framework's default, and the
two frameworks differ (torch: Conv/Linear weights Kaiming-uniform with
a = sqrt(5), biases uniform in +-1/sqrt(fan_in), Embedding N(0, 1); Paddle:
Xavier/normal weights, zero biases).  A port trained from scratch then starts
elsewhere, and ``verify``'s init step fails on every such layer.

Kaiming-uniform with a = sqrt(5) has the bound 1/sqrt(fan_in), the same as
torch's bias bound, so both are ``KaimingUniform(negative_slope=5 ** 0.5,
nonlinearity="leaky_relu")``: Paddle computes the weight's fan-in from its shape
([in, out] for Linear, [out, in/groups, *k] for conv, as torch does); the bias
is one-dimensional, so its fan-in is written out from the constructor's
arguments.  ``bias=False`` keeps no bias; a bias flag that is an expression
becomes ``bias_attr=<init> if flag else False``.
"""

from __future__ import annotations

import libcst as cst

from ..arguments import fix_commas
from . import init_rewrite
from ._support import keyword


def _kaiming(ctx, fan_in: cst.BaseExpression | None = None) -> cst.Call:
    args = [] if fan_in is None else [keyword("fan_in", fan_in)]
    five = cst.BinaryOperation(left=cst.Integer("5"), operator=cst.Power(), right=cst.Float("0.5"))
    args += [keyword("negative_slope", five), keyword("nonlinearity", cst.SimpleString('"leaky_relu"'))]
    return cst.Call(func=ctx.render("paddle.nn.initializer.KaimingUniform"), args=fix_commas([], args))


def _int(node: cst.BaseExpression | None) -> int | None:
    return int(node.evaluated_value) if isinstance(node, cst.Integer) else None


def _atom(node: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer)) or node.lpar:
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _product(left: cst.BaseExpression, right: cst.BaseExpression) -> cst.BaseExpression:
    return cst.BinaryOperation(left=_atom(left), operator=cst.Multiply(whitespace_before=cst.SimpleWhitespace(" "),
                               whitespace_after=cst.SimpleWhitespace(" ")), right=_atom(right))


def _receptive(kernel: cst.BaseExpression, dims: int) -> cst.BaseExpression:
    """The number of kernel elements: folded for literals, computed at run time otherwise."""
    k = _int(kernel)
    if k is not None:
        return cst.Integer(str(k ** dims))
    if isinstance(kernel, (cst.Tuple, cst.List)) and all(_int(e.value) is not None for e in kernel.elements):
        total = 1
        for e in kernel.elements:
            total *= _int(e.value)
        return cst.Integer(str(total))
    k = _code(_atom(kernel))  # an int or a sequence of `dims` ints, known at run time only
    elements = " * ".join(f"{k}[{i}]" for i in range(dims))
    scalar = k if dims == 1 else f"{k} ** {dims}"
    return cst.parse_expression(f"({elements} if isinstance({k}, (tuple, list)) else {scalar})")


def _code(node: cst.BaseExpression) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _with_bias(ctx, init: cst.BaseExpression) -> dict[str, cst.BaseExpression | None]:
    bias = ctx.args.get("bias")
    if bias is None or (isinstance(bias, cst.Name) and bias.value == "True"):
        return {"bias_attr": init}
    if isinstance(bias, cst.Name) and bias.value == "False":
        return {}
    return {"bias_attr": cst.IfExp(test=bias, body=init, orelse=cst.Name("False"))}


@init_rewrite("linear_init")
def linear_init(ctx) -> dict[str, cst.BaseExpression | None]:
    fan_in = ctx.args.get("in_features")
    if fan_in is None:
        return {}
    return {"weight_attr": _kaiming(ctx), **_with_bias(ctx, _kaiming(ctx, fan_in))}


@init_rewrite("conv_init")
def conv_init(ctx) -> dict[str, cst.BaseExpression | None]:
    return _conv(ctx, "in_channels")


@init_rewrite("conv_transpose_init")
def conv_transpose_init(ctx) -> dict[str, cst.BaseExpression | None]:
    """Transposed convolutions keep the weight as [in, out/groups, *k]: torch's fan-in is out/groups * k."""
    return _conv(ctx, "out_channels")


def _conv(ctx, fan_in_channels: str) -> dict[str, cst.BaseExpression | None]:
    channels, kernel = ctx.args.get(fan_in_channels), ctx.args.get("kernel_size")
    if channels is None or kernel is None:
        return {}
    dims = int(ctx.entry.name[-2])  # torch.nn.Conv1d / Conv2d / Conv3d / ConvTranspose2d ...
    groups = ctx.args.get("groups")
    per_group = channels if groups is None or _int(groups) == 1 else cst.BinaryOperation(
        left=_atom(channels), operator=cst.FloorDivide(whitespace_before=cst.SimpleWhitespace(" "),
                                                       whitespace_after=cst.SimpleWhitespace(" ")), right=_atom(groups))
    count = _receptive(kernel, dims)
    fan_in = per_group if _int(count) == 1 else _product(per_group, count)
    if _int(channels) is not None and _int(count) is not None and (groups is None or _int(groups) is not None):
        fan_in = cst.Integer(str(_int(channels) // (_int(groups) or 1) * _int(count)))
    return {"weight_attr": _kaiming(ctx), **_with_bias(ctx, _kaiming(ctx, fan_in))}


@init_rewrite("embedding_init")
def embedding_init(ctx) -> dict[str, cst.BaseExpression | None]:
    normal = cst.Call(func=ctx.render("paddle.nn.initializer.Normal"),
                      args=fix_commas([], [keyword("mean", cst.Float("0.0")), keyword("std", cst.Float("1.0"))]))
    return {"weight_attr": normal}
