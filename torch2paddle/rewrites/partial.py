"""``functools.partial(nn.BatchNorm2d, eps=1e-3, momentum=0.01)``: map the bound arguments.

The partial's arguments are mapped exactly as for a direct call of the wrapped
torch API (renames, drops, value rewrites such as BatchNorm momentum).  The
wrapped callable itself is renamed by the transformer like any reference.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("partial")
def partial(ctx) -> cst.BaseExpression:
    args = list(ctx.call.args)
    if not args or args[0].keyword is not None or args[0].star:
        return ctx.call
    wrapped = ctx.resolve(ctx.original.args[0].value)
    if wrapped is None:
        return ctx.call  # partial of project code: nothing to do
    if wrapped.unsupported:
        raise ctx.unsupported(f"wraps {wrapped.name}: {wrapped.unsupported}")
    if wrapped.rewrite:
        raise ctx.unsupported(f"wraps {wrapped.name}, whose call needs the {wrapped.rewrite!r} rewrite")
    mapped = ctx.map_args(args[1:], entry=wrapped)  # torch defaults Paddle lacks go into the partial
    return ctx.call.with_changes(args=[args[0].with_changes(comma=args[0].comma), *mapped] if mapped else [args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)])
