"""``ddp.module`` -> ``ddp._layers`` on a name the file assigns a ``DistributedDataParallel``.

Why an access rewrite: torch's DDP exposes the wrapped model as ``.module``;
Paddle's ``DataParallel`` keeps it in ``_layers`` and has no public accessor
(its ``state_dict`` / ``set_state_dict`` already work on the wrapped layer's
names).  ``.module`` is a common attribute name, so any other receiver is
left alone (the rewrite returns None).
"""

from __future__ import annotations

import libcst as cst

from . import access_rewrite

_DDP = ("torch.nn.parallel.DistributedDataParallel", "torch.nn.DataParallel")


@access_rewrite("wrapped_module")
def wrapped_module(ctx):
    if ctx.receiver is None or ctx.subscripts or ctx.value is not None:
        return None
    wrappers = [v for v in ctx.bound_values(ctx.receiver)
                if isinstance(v, cst.Call) and getattr(ctx.resolve(v.func), "name", None) in _DDP]
    if not wrappers:
        return None
    return cst.Attribute(value=ctx.receiver, attr=cst.Name("_layers"))
