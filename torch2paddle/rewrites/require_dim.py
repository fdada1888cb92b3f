"""``nn.Softmax()`` without ``dim``: reported instead of converted.

Without ``dim`` torch picks one from the input's rank at call time (0 for
0-, 1- and 3-D inputs, else 1; deprecated); Paddle's default axis is -1.  A
call that names the dimension (positionally or by keyword) goes through the
entry's pipeline; one that does not is unsupported.  ``dim=None`` is denied
by the entry's ``unsupported_args``.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("require_dim")
def require_dim(ctx) -> cst.BaseExpression:
    name = ctx.entry.args[0]
    given = any(
        (a.keyword is None and not a.star) or a.star == "**" or (a.keyword is not None and a.keyword.value == name)
        for a in ctx.call.args
    )
    if not given:
        raise ctx.unsupported(f"no {name}: torch infers it from the input's rank (0 for 0/1/3-D, else 1); pass {name}=")
    return cst.Call(func=ctx.target(), args=ctx.map_args())
