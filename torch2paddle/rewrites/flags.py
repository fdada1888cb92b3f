"""``torch.backends.cudnn.benchmark = flag`` -> statement removed.

Why an access rewrite: the flag only lets cuDNN pick faster convolution
algorithms; results do not depend on it.  Paddle's counterpart
(``FLAGS_cudnn_exhaustive_search``) exists only in CUDA builds and
``paddle.set_flags`` raises on a CPU build, so the faithful conversion of the
assignment is to drop it.  Reading the flag is refused.

``torch.backends.cudnn.deterministic = flag`` does change results on a GPU, so it becomes the run-time
``cudnn_deterministic(flag)``: ``FLAGS_cudnn_deterministic`` on a CUDA build, nothing on a CPU build
(which has no cuDNN to make deterministic).
"""

from __future__ import annotations

import libcst as cst

from . import access_rewrite


@access_rewrite("drop_performance_flag")
def drop_performance_flag(ctx):
    if ctx.value is None or ctx.augmented:
        raise ctx.unsupported("Paddle has no readable counterpart of this performance flag; drop the use")
    return cst.RemovalSentinel.REMOVE


@access_rewrite("cudnn_deterministic_flag")
def cudnn_deterministic_flag(ctx):
    """``torch.backends.cudnn.deterministic = flag`` -> ``_torch2paddle_runtime.cudnn_deterministic(flag)``."""
    if ctx.value is None or ctx.augmented or ctx.runtime is None:
        raise ctx.unsupported("Paddle has no readable counterpart: FLAGS_cudnn_deterministic is set, not read")
    return cst.Expr(value=cst.Call(func=ctx.runtime("cudnn_deterministic"), args=[cst.Arg(ctx.value)]))
