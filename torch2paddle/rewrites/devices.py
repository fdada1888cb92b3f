"""Device queries whose Paddle form is an expression, not a renamed call.

``torch.cuda.is_available()`` -> ``bool(paddle.device.cuda.device_count())``:
``paddle.is_compiled_with_cuda()`` is True on a CUDA build without a GPU, and
``paddle.device.is_available()`` also counts XPUs and custom devices; the
number of visible CUDA GPUs is what torch answers (0 on a CPU-only build).
The ``bool(...)`` call keeps the result a bool and needs no parentheses
wherever the call stood.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("cuda_is_available")
def cuda_is_available(ctx) -> cst.BaseExpression:
    if ctx.call.args:
        raise ctx.unsupported("torch.cuda.is_available() takes no arguments")
    count = cst.Call(func=ctx.render(ctx.entry.target))
    return cst.Call(func=cst.Name("bool"), args=[cst.Arg(value=count)])
