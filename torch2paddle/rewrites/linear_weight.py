"""``F.linear(x, self.weight, self.bias)`` where the weight is a converted ``nn.Linear``'s own.

Why a rewrite: torch's ``F.linear`` takes the weight as ``[out, in]``, Paddle's
``F.linear`` as ``[in, out]``.  A weight that belongs to a converted
``nn.Linear`` (``self.weight`` in a subclass of ``nn.Linear``, ``self.qkv.weight``
where ``self.qkv`` was assigned ``nn.Linear(...)``) is already in Paddle's layout,
so the call converts as it is; so does a parameter that every call of its function in the
file passes such a weight (``shifted_window_attention(x, self.qkv.weight)``, where no other
module imports the function: see call_sites.py).  Any other weight (a raw ``[out, in]`` tensor
needs a transpose, a square one would run and compute the wrong product) is
refused: the call cannot tell them apart.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from ._support import rebuild

_LINEARS = {"torch.nn.Linear", "torch.nn.modules.linear.Linear"}
_REFUSED = ("the weight's layout depends on where it comes from: torch's is [out, in]; a converted nn.Linear's "
            "weight is Paddle's [in, out] (pass it as is: F.linear(x, fc.weight)), while a raw [out, in] tensor "
            "needs a transpose (F.linear(x, w.T)); the call cannot tell them apart, so decide by hand")


@call_rewrite("linear_of_layer_weight")
def linear_of_layer_weight(ctx) -> cst.BaseExpression:
    args = ctx.map_args()
    weight = next((a.value for i, a in enumerate(args) if (a.keyword and a.keyword.value == "weight")
                   or (a.keyword is None and not a.star and i == 1)), None)
    own = isinstance(weight, cst.Attribute) and weight.attr.value == "weight" and ctx.layer_of(weight.value) in _LINEARS
    if not (own or ctx.holds_linear_weight(weight)):
        raise ctx.unsupported(_REFUSED)
    return rebuild(ctx, ctx.render(ctx.entry.target), args)


@call_rewrite("weight_fans")
def weight_fans(ctx) -> cst.BaseExpression:
    """``nn.init._calculate_fan_in_and_fan_out(w)`` -> the run-time ``fan_in_and_fan_out(w, linear=...)``: a
    converted ``nn.Linear``'s own weight (Paddle's [in, out]) is told to it; a weight the file shows belongs to
    another torch layer keeps torch's layout; anything else is decided when it runs (a 2-D one raises)."""
    args = ctx.map_args()
    if len(args) != 1 or args[0].star or ctx.helper is None:
        raise ctx.unsupported("takes the weight tensor")
    weight = args[0].value
    layer = ctx.layer_of(weight.value) if isinstance(weight, cst.Attribute) and weight.attr.value == "weight" else None
    linear = "True" if layer in _LINEARS or ctx.holds_linear_weight(weight) else "False" if layer else None
    extra = [cst.Arg(cst.Name(linear), keyword=cst.Name("linear"),
                     equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                           whitespace_after=cst.SimpleWhitespace("")))] if linear else []
    first = args[0].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT,
                                 comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if extra
                                 else cst.MaybeSentinel.DEFAULT)
    return cst.Call(func=ctx.helper("fan_in_and_fan_out"), args=[first, *extra])
