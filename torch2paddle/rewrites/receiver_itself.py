"""``x.contiguous()`` -> ``x``: Paddle tensors have no non-contiguous views to compact.

The call's arguments still go through the entry (``memory_format`` is checked
and dropped) before the call is replaced by its receiver.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("receiver_itself")
def receiver_itself(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    if ctx.map_args():
        raise ctx.unsupported("arguments that cannot be dropped")
    return ctx.receiver
