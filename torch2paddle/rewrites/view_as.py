"""``x.view_as(y)`` / ``x.reshape_as(y)`` -> ``x.reshape(y.shape)``.

Paddle has no canonical ``reshape_as`` (its ``view_as`` is a torch-compatibility
alias); reshaping to the other tensor's shape says the same.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("reshape_like")
def reshape_like(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    args = ctx.map_args()
    if len(args) != 1 or args[0].star:
        raise ctx.unsupported("takes one tensor")
    shape = cst.Attribute(value=args[0].value, attr=cst.Name("shape"))
    return cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name(ctx.entry.target_method)), args=[cst.Arg(shape)])
