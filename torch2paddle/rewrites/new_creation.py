"""``x.new_zeros(2, 3)`` -> ``paddle.zeros([2, 3], dtype=x.dtype)`` (and new_ones/new_full/new_empty/new_tensor).

torch's ``new_*`` methods create a tensor with the receiver's dtype (and
device) unless told otherwise; Paddle's canonical form is the creation
function with ``dtype=x.dtype``.  ``new_zeros``/``new_ones``/``new_empty``
take the shape as varargs or one sequence, packed like ``pack_shape``.
Paddle creates on the current default device, which is where the receiver
lives in ordinary single-device code.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from .shape_args import _packed

_VARIADIC = {"new_zeros", "new_ones", "new_empty"}
_NO_SPACE_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


@call_rewrite("new_creation")
def new_creation(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    args = list(ctx.call.args)
    if ctx.entry.method_name in _VARIADIC:
        positional = [a for a in args if a.keyword is None and a.star != "**"]
        keyword = [a for a in args if a not in positional]
        if positional and keyword and any(args.index(p) > args.index(keyword[0]) for p in positional):
            raise ctx.unsupported("positional arguments after keywords")
        args = ([_packed(positional)] if positional else []) + keyword
    mapped = ctx.map_args(args)
    if not any(a.keyword is not None and a.keyword.value == "dtype" for a in mapped):
        dtype = cst.Attribute(value=ctx.receiver, attr=cst.Name("dtype"))
        mapped = mapped + [cst.Arg(value=dtype, keyword=cst.Name("dtype"), equal=_NO_SPACE_EQUAL)]
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    mapped = [a.with_changes(comma=comma) for a in mapped[:-1]] + [mapped[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    return cst.Call(func=ctx.render(ctx.entry.target), args=mapped)
