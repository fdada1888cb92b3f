"""In-place tensor methods Paddle has no in-place twin of, and tensor attributes that are functions in Paddle.

* ``assign_to_receiver``: ``x.erfc_()`` / ``x.atan2_(y)`` -> ``paddle.assign(<target>(x, y).astype(x.dtype),
  output=x)``.  torch computes the out-of-place result, casts it to ``x``'s dtype and writes it into ``x``,
  which the call returns; Paddle's ``assign(..., output=x)`` writes into ``x`` and returns it, but takes the
  source's dtype, hence the cast.  The target is the out-of-place function (``paddle.atan2``, or a composed
  ``_torch2paddle_runtime.<name>``), called with the receiver first.  The receiver is written twice, so it
  must be a name or an attribute chain.
* ``attribute_as_call`` (access): ``x.mH`` -> ``<target>(x)`` (``_torch2paddle_runtime.adjoint(x)``): a
  read-only torch attribute whose Paddle form is a function of the tensor.
* ``is_cpu_place`` (access): ``x.is_cpu`` -> ``x.place.is_cpu_place()``.
"""

from __future__ import annotations

import libcst as cst

from . import access_rewrite, call_rewrite
from ._support import assign_into, is_simple, plain_read

_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _commas(args: list[cst.Arg]) -> list[cst.Arg]:
    return [a.with_changes(comma=_COMMA) for a in args[:-1]] + [args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]


@call_rewrite("assign_to_receiver")
def assign_to_receiver(ctx) -> cst.BaseExpression:
    """``x.erfc_()`` -> ``paddle.assign(<target>(x).astype(x.dtype), output=x)``: the result, in x's dtype, into x."""
    x = ctx.receiver
    if x is None:
        raise ctx.unsupported("needs a receiver")
    if not is_simple(x):
        raise ctx.unsupported("the receiver is written twice; assign it to a name first")
    result = cst.Call(func=ctx.render(ctx.entry.target), args=_commas([cst.Arg(x), *ctx.map_args()]))
    return assign_into(ctx.render, result, x)


@access_rewrite("attribute_as_call")
def attribute_as_call(ctx):
    """``x.mH`` -> ``<target>(x)``: the attribute computed by a function of the tensor."""
    plain_read(ctx, ctx.entry.name.rsplit(".", 1)[-1])
    return cst.Call(func=ctx.render(ctx.entry.target), args=[cst.Arg(ctx.receiver)])


@access_rewrite("is_cpu_place")
def is_cpu_place(ctx):
    """``x.is_cpu`` -> ``x.place.is_cpu_place()``."""
    plain_read(ctx, "is_cpu")
    place = cst.Attribute(value=ctx.receiver, attr=cst.Name("place"))
    return cst.Call(func=cst.Attribute(value=place, attr=cst.Name("is_cpu_place")), args=[])
