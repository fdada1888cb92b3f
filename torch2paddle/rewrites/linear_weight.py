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
