"""``F.multi_head_attention_forward(..., self.in_proj_weight, ..., self.out_proj.weight, ...)``: weights whose
layout the call can see.

Why a rewrite: the generated run-time module's ``multi_head_attention_forward``
takes torch's arguments with every weight in torch's layout ([out, in]).  A
MultiheadAttention's own ``in_proj_weight`` / ``q_proj_weight`` /
``k_proj_weight`` / ``v_proj_weight`` keep that layout in the converted layer
(it is a raw parameter), so an argument read off an attribute of that name
passes as it is.  A converted ``nn.Linear``'s ``weight`` (``self.out_proj.weight``
of a MultiheadAttention, ``self.proj.weight`` with ``self.proj = nn.Linear(...)``)
is Paddle's [in, out]: it is passed transposed (``.T``).  Any other weight
argument is refused: a raw tensor and a Linear's weight cannot be told apart,
and a square one would run and compute the wrong product.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from ._support import is_literal, rebuild

_WEIGHTS = ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj_weight")
_LINEARS = {"torch.nn.Linear", "torch.nn.modules.linear.Linear"}
_ATTENTIONS = {"torch.nn.MultiheadAttention", "torch.nn.modules.activation.MultiheadAttention"}


def _is_linear(ctx, layer: cst.BaseExpression) -> bool:
    """``layer`` holds a torch Linear: one the file assigns (``self.proj``), or a MultiheadAttention's
    ``out_proj`` (``self.out_proj`` in a subclass of it, ``self.attn.out_proj``)."""
    if ctx.layer_of(layer) in _LINEARS:
        return True
    return (isinstance(layer, cst.Attribute) and layer.attr.value == "out_proj"
            and ctx.layer_of(layer.value) in _ATTENTIONS)


def _weight(ctx, name: str, value: cst.BaseExpression) -> cst.BaseExpression:
    if is_literal(value, None):
        return value
    if isinstance(value, cst.Attribute):
        if name != "out_proj_weight" and value.attr.value == name:
            return value  # a MultiheadAttention's own parameter: torch's layout in the converted layer too
        if value.attr.value == "weight" and _is_linear(ctx, value.value):
            return cst.Attribute(value=value, attr=cst.Name("T"))  # Paddle's Linear weight is [in, out]
    own = "" if name == "out_proj_weight" else f"a MultiheadAttention's own parameter (self.{name}) or "
    raise ctx.unsupported(
        f"{name}'s layout depends on where it comes from: torch's is [out, in], a converted nn.Linear's weight "
        f"is Paddle's [in, out]; converted where it is {own}a Linear's weight the file shows "
        f"(self.out_proj.weight), else decide by hand")


@call_rewrite("attention_weights")
def attention_weights(ctx) -> cst.BaseExpression:
    args = ctx.map_args()
    if any(a.star for a in args):
        raise ctx.unsupported("weights passed through *args / **kwargs: their layouts cannot be checked")
    names = ctx.entry.args
    out = []
    for i, arg in enumerate(args):
        name = arg.keyword.value if arg.keyword is not None else names[i] if i < len(names) else None
        if name in _WEIGHTS:
            arg = arg.with_changes(value=_weight(ctx, name, arg.value))
        out.append(arg)
    return rebuild(ctx, ctx.render(ctx.entry.target), out)
