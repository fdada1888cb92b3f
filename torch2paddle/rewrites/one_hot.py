"""``F.one_hot(t, n)`` -> ``F.one_hot(t, n).astype("int64")``.

torch returns int64 (LongTensor); Paddle's ``one_hot`` returns float32.  The
cast keeps the dtype (and integer arithmetic on the result) the same.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("one_hot_int64")
def one_hot_int64(ctx) -> cst.BaseExpression:
    call = cst.Call(func=ctx.target(), args=ctx.map_args())
    return cst.Call(func=cst.Attribute(value=call, attr=cst.Name("astype")), args=[cst.Arg(cst.SimpleString('"int64"'))])
