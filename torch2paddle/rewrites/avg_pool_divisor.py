"""``F.avg_pool2d/3d(..., count_include_pad=False, divisor_override=d)``.

torch ignores ``count_include_pad`` once ``divisor_override`` is set (every
window is divided by ``d``); Paddle's ``exclusive=True`` still wins over its
``divisor_override`` at padded borders (measured: values differ).  With a
literal divisor the flag is rewritten to ``True`` (-> ``exclusive=False``);
with a divisor only known at run time, ``count_include_pad`` other than True
is reported.  The rest goes through the entry's pipeline.
"""

from __future__ import annotations

import libcst as cst

from ..arguments import source_of
from . import call_rewrite


@call_rewrite("avg_pool_divisor")
def avg_pool_divisor(ctx) -> cst.BaseExpression:
    names = ctx.entry.args
    args = list(ctx.call.args)
    found: dict[str, int] = {}
    index = 0
    for i, arg in enumerate(args):
        if arg.star:
            continue
        if arg.keyword is None:
            if index < len(names):
                found[names[index]] = i
            index += 1
        else:
            found[arg.keyword.value] = i
    div = args[found["divisor_override"]].value if "divisor_override" in found else None
    if div is not None and source_of(div).strip() != "None":
        flag = found.get("count_include_pad")
        flag_text = source_of(args[flag].value).strip() if flag is not None else "True"
        if flag_text != "True":
            if not isinstance(div, (cst.Integer, cst.Float)):
                raise ctx.unsupported(
                    "count_include_pad with a divisor_override only known at run time: "
                    "torch ignores the flag when a divisor is set, Paddle does not"
                )
            args[flag] = args[flag].with_changes(value=cst.Name("True"))  # torch ignores the flag here
    return cst.Call(func=ctx.target(), args=ctx.map_args(args))
