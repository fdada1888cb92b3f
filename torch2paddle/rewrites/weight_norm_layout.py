"""``nn.utils.weight_norm(layer, dim=0)``: only where torch's ``dim`` means the same axis in Paddle.

``dim`` indexes the weight, and Paddle's Linear weight is ``[in, out]`` (torch:
``[out, in]``), so ``dim=0`` is per output unit in torch but per input unit in
Paddle.  Conv weights share torch's layout.  The call is converted when
``dim`` is None (one norm over the whole weight) or when the layer argument is
written as a torch convolution constructor (``weight_norm(nn.Conv1d(...))``,
the usual pattern); otherwise the layer type is unknown and the use is
reported unsupported.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite

_SAME_LAYOUT = ("torch.nn.Conv1d", "torch.nn.Conv2d", "torch.nn.Conv3d")


@call_rewrite("weight_norm_layout")
def weight_norm_layout(ctx) -> cst.BaseExpression:
    original = list(ctx.original.args)
    params = ctx.entry.args  # module, name, dim
    layer = dim = None
    for i, arg in enumerate(original):
        if arg.star:
            raise ctx.unsupported("*args/**kwargs hide the layer and dim")
        name = arg.keyword.value if arg.keyword is not None else (params[i] if i < len(params) else None)
        if name == params[0]:
            layer = arg.value
        elif name == "dim":
            dim = arg.value
    dim_is_none = isinstance(dim, cst.Name) and dim.value == "None"
    layer_entry = ctx.resolve(layer.func) if isinstance(layer, cst.Call) else None
    if not dim_is_none and (layer_entry is None or layer_entry.name not in _SAME_LAYOUT):
        raise ctx.unsupported(
            "dim indexes the weight and Paddle's Linear weight is [in, out]: for a Linear pass dim=1 "
            "to paddle.nn.utils.weight_norm, for a convolution keep dim=0 (write the layer constructor "
            "inside the call so the converter can see it)"
        )
    return cst.Call(func=ctx.target(), args=ctx.map_args())
