"""``InstanceNorm*d(affine=...)`` -> Paddle's ``weight_attr=False, bias_attr=False``.

torch's InstanceNorm has a learnable scale and shift only with ``affine=True``
(default False); Paddle's has them unless *both* ``weight_attr`` and
``bias_attr`` are False (it asserts that they agree).  One torch flag becomes
two Paddle arguments and torch's default must be written out, which a YAML
``rename``/``defaults`` (one argument -> one argument) cannot say.  The flag
is taken out of the call (positionals after it become keywords), the rest goes
through the entry's pipeline, and the two attributes are appended.  The torch
default of the flag is the entry's ``defaults`` value for it.
"""

from __future__ import annotations

import dataclasses

import libcst as cst

from . import call_rewrite
from .track_stats import track_stats

_FLAGS = ("affine", "elementwise_affine")
_NO_SPACE = cst.SimpleWhitespace("")


def _keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(
        keyword=cst.Name(name),
        value=value,
        equal=cst.AssignEqual(whitespace_before=_NO_SPACE, whitespace_after=_NO_SPACE),
    )


@call_rewrite("affine_attrs")
def affine_attrs(ctx) -> cst.BaseExpression:
    from ..arguments import fix_commas

    entry = ctx.entry
    flag = next((f for f in _FLAGS if f in entry.args), None)
    if flag is None:
        raise ctx.unsupported(f"{entry.name} has no affine flag")  # a table error, reported as unsupported
    index = entry.args.index(flag)
    rest: list[cst.Arg] = []
    value: cst.BaseExpression | None = None
    position = 0
    for arg in ctx.call.args:
        if arg.star:
            raise ctx.unsupported("*args/**kwargs may hold the affine flag")
        if arg.keyword is None:
            if position >= len(entry.args):
                raise ctx.unsupported(f"more positional arguments than the {len(entry.args)} torch accepts")
            if position == index:
                value = arg.value
            elif position > index:
                rest.append(_keyword(entry.args[position], arg.value).with_changes(comma=arg.comma))
            else:
                rest.append(arg)
            position += 1
        elif arg.keyword.value == flag:
            value = arg.value
        else:
            rest.append(arg)
    trimmed = dataclasses.replace(entry, defaults={k: v for k, v in entry.defaults.items() if k != flag})
    mapped = ctx.map_args(rest, entry=trimmed)
    if value is None:
        value = cst.parse_expression(entry.defaults.get(flag, "True"))
    attr = track_stats(value)  # the same rule: True -> Paddle's default, False -> False, else `None if v else False`
    if attr is not None:
        if any(a.keyword is not None and a.keyword.value in ("weight_attr", "bias_attr") for a in mapped):
            raise ctx.unsupported(f"{flag}= together with a bias/weight argument")
        mapped = mapped + [_keyword("weight_attr", attr), _keyword("bias_attr", attr)]
    return cst.Call(func=ctx.target(), args=fix_commas(ctx.call.args, mapped))
