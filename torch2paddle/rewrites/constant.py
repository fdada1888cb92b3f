"""A torch query whose answer is fixed in Paddle code: ``torch.jit.is_scripting()`` -> ``False``.

Why a rewrite: the result is a Python literal (the entry's ``target``), not a
Paddle call.  Converted code is never TorchScript-compiled, so the query is
always False there and the eager branch it guards is the one that runs.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("constant")
def constant(ctx) -> cst.BaseExpression:
    if ctx.call.args:
        raise ctx.unsupported("takes no arguments")
    return cst.parse_expression(ctx.entry.target)
