"""``x.sort(dim)`` -> ``(x.sort(axis=dim), x.argsort(axis=dim))``.

torch's ``sort`` returns (values, indices); Paddle's ``sort`` returns the
values only and ``argsort`` the indices (same arguments).  Like
``reduce_with_indices`` the receiver is written twice, so a receiver that
calls something random (``torch.rand(3).sort()``) is refused.  Arguments are
written by keyword (``x.sort(0)`` would read as torch's pair again), and a
keyword torch's sort does not know (``axis=``) means Paddle code: left as it is.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from ._support import as_keywords
from .fn_binding import may_be_random


@call_rewrite("sort_with_indices")
def sort_with_indices(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    if may_be_random(ctx.receiver):
        raise ctx.unsupported("the receiver would be evaluated twice and may be random; assign it to a name first")
    known = set(ctx.entry.args)
    if any(a.keyword is not None and a.keyword.value not in known for a in ctx.call.args):
        return ctx.call  # x.sort(axis=0): Paddle's (or numpy's) sort, not torch's
    mapped = ctx.map_args(as_keywords(ctx.entry, ctx.call.args))
    method = ctx.entry.target_method
    values = cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name(method)), args=mapped)
    indices = cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name("arg" + method)), args=mapped)
    return cst.Tuple(
        elements=[cst.Element(values, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Element(indices)]
    )
