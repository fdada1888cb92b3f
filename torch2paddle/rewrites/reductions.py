"""``x.max(dim)`` -> ``(x.max(axis=dim), x.argmax(axis=dim))``.

With a dimension torch's max/min return (values, indices); Paddle's return
values only, and argmax/argmin give the indices.  Without a dimension both
return the single extreme value.  The dimension is always written ``axis=``:
``x.max(1)`` would read as torch's (values, indices) call again.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from ._support import as_keywords


@call_rewrite("reduce_with_indices")
def reduce_with_indices(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("max/min with a dim needs a receiver")
    args = list(ctx.call.args)
    if not args:
        return cst.Call(func=ctx.target(), args=[])
    mapped = ctx.map_args(as_keywords(ctx.entry, args))
    method = ctx.entry.target_method
    values = cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name(method)), args=mapped)
    indices = cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name("arg" + method)), args=mapped)
    return cst.Tuple(
        elements=[cst.Element(values, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Element(indices)]
    )
