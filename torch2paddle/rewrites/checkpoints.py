"""``torch.save(*args, **kwargs)``: forward star arguments unchanged.

Why a rewrite: the generic pipeline refuses ``**kwargs`` for entries that
rename or drop keywords, because the mapping may hold torch-only names.  For
``torch.save`` -> ``paddle.save`` the positions agree (object, then path) and
Paddle rejects every keyword it does not know with an error, so forwarding
``*args, **kwargs`` (the usual ``save_on_master(*args, **kwargs)`` helper)
can fail loudly but never silently differs.  Calls without ``**`` go through
the normal mapping (``f=`` -> ``path=``, pickle options refused).
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("forward_star_args")
def forward_star_args(ctx) -> cst.BaseExpression:
    func = ctx.render(ctx.entry.target)
    if any(a.star == "**" for a in ctx.call.args):
        if any(a.keyword is not None for a in ctx.call.args):
            raise ctx.unsupported("keywords next to **kwargs: pass them positionally or inside kwargs")
        return ctx.call.with_changes(func=func)
    return ctx.call.with_changes(func=func, args=ctx.map_args())
