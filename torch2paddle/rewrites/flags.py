"""``torch.backends.cudnn.benchmark = flag`` -> statement removed.

Why an access rewrite: the flag only lets cuDNN pick faster convolution
algorithms; results do not depend on it.  Paddle's counterpart
(``FLAGS_cudnn_exhaustive_search``) exists only in CUDA builds and
``paddle.set_flags`` raises on a CPU build, so the faithful conversion of the
assignment is to drop it.  Reading the flag is refused.
"""

from __future__ import annotations

import libcst as cst

from . import access_rewrite


@access_rewrite("drop_performance_flag")
def drop_performance_flag(ctx):
    if ctx.value is None or ctx.augmented:
        raise ctx.unsupported("Paddle has no readable counterpart of this performance flag; drop the use")
    return cst.RemovalSentinel.REMOVE
