"""``torch.FloatTensor(...)`` and the other legacy typed tensor classes called as constructors.

Why a rewrite: the same call means two things by its arguments.  One list or tuple is
data (``torch.LongTensor([1, 2])`` -> ``paddle.to_tensor([1, 2], dtype="int64")``); ints
are a size (``torch.FloatTensor(2, 3)`` -> ``paddle.empty([2, 3], dtype="float32")``,
uninitialised as torch's); no argument is an empty tensor.  One argument the source does
not show (a variable: a list or an int?) is refused, and so are keywords (``device=``).
The dtype is the entry's ``add: {dtype: ...}``.  ``isinstance(x, torch.FloatTensor)``
(a device and dtype check) stays refused: only calls convert.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from .fn_binding import build_args

_DATA = (cst.List, cst.Tuple, cst.ListComp)


@call_rewrite("legacy_tensor")
def legacy_tensor(ctx) -> cst.BaseExpression:
    args = list(ctx.call.args)
    dtype = cst.parse_expression(ctx.entry.add["dtype"])
    if any(a.keyword is not None or a.star for a in args):
        raise ctx.unsupported("keywords or *args: write paddle.to_tensor(data, dtype=...) or paddle.empty(shape, ...)")
    if len(args) == 1 and isinstance(args[0].value, _DATA):
        return cst.Call(func=ctx.render(ctx.entry.target), args=build_args([(None, args[0].value), ("dtype", dtype)]))
    if len(args) == 1 and not isinstance(args[0].value, cst.Integer) and ctx.entry.value_target:
        # data or a size, decided when it runs by the run-time class (torch.FloatTensor(x))
        return cst.Call(func=ctx.render(ctx.entry.value_target), args=[cst.Arg(args[0].value)])
    if len(args) == 1 and not isinstance(args[0].value, cst.Integer):
        raise ctx.unsupported("one argument the source does not show as data (a list) or a size (an int): write "
                              "paddle.to_tensor(data, dtype=...) or paddle.empty([n], dtype=...)")
    # no argument: torch's empty tensor has shape [0] (paddle.empty([]) would be a 0-d tensor, one element)
    shape = cst.List([cst.Element(a.value) for a in args] if args else [cst.Element(cst.Integer("0"))])
    return cst.Call(func=ctx.render("paddle.empty"), args=build_args([(None, shape), ("dtype", dtype)]))
