"""Legacy ``size_average=`` / ``reduce=`` on torch's losses -> ``reduction=``.

torch (since 0.4) still accepts the two deprecated flags on every loss, functional
and layer, and folds them into ``reduction`` with ``torch.nn._reduction.legacy_get_string``:
when either is not None, the ``reduction`` passed is ignored, a None flag counts as True,
and the result is ``"none"`` when ``reduce`` is false, else ``"sum"`` when
``size_average`` is false, else ``"mean"``.  Paddle's losses take ``reduction`` only.

Literal flags (``True``/``False``/``None``, numbers) are folded into a string here.
A flag given as a name or attribute chain (``size_average=self.size_average``) becomes
a conditional expression computing torch's choice when the call runs (the flag is read
more than once, so any other expression is refused).  Both flags None, or absent,
leave ``reduction`` as written.  ``*args`` hiding the flags is refused; through
``**kwargs`` they reach the run-time adapter, which refuses any value but None.
"""

from __future__ import annotations

import ast
import dataclasses

import libcst as cst

from ..arguments import fix_commas, source_of
from . import NAME_CONVERTS, call_rewrite
from ._support import is_simple, keyword

LEGACY = ("size_average", "reduce")


def legacy_get_string(size_average, reduce) -> str:
    """torch.nn._reduction.legacy_get_string (one of the flags not None)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


_UNKNOWN = object()


def _literal(node: cst.BaseExpression | None):
    """None for an absent or None flag, True/False for a literal one (numbers by their truth), else _UNKNOWN."""
    if node is None:
        return None
    try:
        value = ast.literal_eval(source_of(node).strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _UNKNOWN
    if value is None:
        return None
    if isinstance(value, (bool, int, float)):
        return bool(value)
    return _UNKNOWN


def _text(node: cst.BaseExpression) -> str:
    return source_of(node).strip()


def _expression(s, r, s_node, r_node, reduction: str) -> str:
    """Source of torch's choice where a flag is a name (``s``/``r``: None, a bool or _UNKNOWN); ``reduction``
    is the source of the reduction passed, which stands when both flags are None as the call runs."""
    s_name = _text(s_node) if s is _UNKNOWN else None
    r_name = _text(r_node) if r is _UNKNOWN else None
    may_be_unset = s in (None, _UNKNOWN) and r in (None, _UNKNOWN)
    if may_be_unset and s_name is None:  # only reduce is a name: it is not None past the test
        return f'{reduction} if {r_name} is None else "mean" if {r_name} else "none"'
    if may_be_unset and r_name is None:  # only size_average is a name
        return f'{reduction} if {s_name} is None else "mean" if {s_name} else "sum"'

    def truth(value, name):  # the flag's truth, None counting as True
        if value is _UNKNOWN:
            return f"({name} is None or {name})"
        return "True" if value is None or value else "False"

    s_true, r_true = truth(s, s_name), truth(r, r_name)
    mean_or_sum = '"mean"' if s_true == "True" else '"sum"' if s_true == "False" else f'("mean" if {s_true} else "sum")'
    legacy = '"none"' if r_true == "False" else mean_or_sum if r_true == "True" else f'{mean_or_sum} if {r_true} else "none"'
    if may_be_unset:  # both are names
        return f"{reduction} if {s_name} is None and {r_name} is None else {legacy}"
    return legacy


def fold_legacy_reduction(ctx):
    """``ctx`` with the call's ``size_average``/``reduce`` folded into ``reduction=`` (``ctx`` itself when the
    call passes neither); raises ``ctx.unsupported`` where torch's choice cannot be written out."""
    params = list(ctx.entry.args)
    if not any(name in params for name in LEGACY):
        return ctx
    first_legacy = min(params.index(name) for name in LEGACY if name in params)
    args = list(ctx.call.args)
    out: list[cst.Arg] = []
    found: dict[str, cst.Arg] = {}
    index = 0
    for arg in args:
        if arg.star == "*":
            if any(a.keyword is not None and a.keyword.value in LEGACY for a in args) or index <= first_legacy:
                raise ctx.unsupported("*args may hold the legacy size_average/reduce flags: pass them by keyword")
            out.append(arg)
            continue
        if arg.star == "**":
            out.append(arg)
            continue
        if arg.keyword is None:
            if index >= len(params):
                raise ctx.unsupported(f"more positional arguments than the {len(params)} torch accepts")
            name = params[index]
            index += 1
            if index <= first_legacy:
                out.append(arg)  # before the flags: stays where it is
                continue
            arg = keyword(name, arg.value).with_changes(comma=arg.comma)
        name = arg.keyword.value
        if name in LEGACY or name == "reduction":
            found[name] = arg
            continue
        out.append(arg)
    if not any(name in found for name in LEGACY):
        return ctx
    s_node = found["size_average"].value if "size_average" in found else None
    r_node = found["reduce"].value if "reduce" in found else None
    s, r = _literal(s_node), _literal(r_node)
    reduction_arg = found.get("reduction")
    if s is None and r is None:  # both None: torch uses the reduction passed
        new = [reduction_arg.value] if reduction_arg is not None else []
    elif r is False or (s is not _UNKNOWN and r is not _UNKNOWN):
        new = [cst.SimpleString(f'"{legacy_get_string(True if s is _UNKNOWN else s, r)}"')]
    else:
        for name, value, node in (("size_average", s, s_node), ("reduce", r, r_node)):
            if value is _UNKNOWN and not is_simple(node):
                raise ctx.unsupported(f"{name}={_text(node)}: a legacy flag that is not a literal or a plain name "
                                      f"(it is read more than once): pass reduction= instead")
        passed = _text(reduction_arg.value) if reduction_arg is not None else '"mean"'
        if reduction_arg is not None and not isinstance(reduction_arg.value, (cst.SimpleString, cst.Name, cst.Attribute)):
            passed = f"({passed})"
        new = [cst.parse_expression(_expression(s, r, s_node, r_node, passed))]
    out += [keyword("reduction", value) for value in new]
    return dataclasses.replace(ctx, call=ctx.call.with_changes(args=fix_commas(args, out)))


NAME_CONVERTS.add("legacy_reduction")  # `criterion = F.mse_loss` is paddle's function


@call_rewrite("legacy_reduction")
def legacy_reduction(ctx) -> cst.BaseExpression:
    """The losses' deprecated size_average/reduce flags folded into reduction= (torch's legacy_get_string)."""
    ctx = fold_legacy_reduction(ctx)
    args = ctx.map_args()
    changes = {} if args else {"whitespace_before_args": cst.SimpleWhitespace("")}
    return ctx.call.with_changes(func=ctx.target(), args=args, **changes)
