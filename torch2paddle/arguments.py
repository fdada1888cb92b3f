"""The generic argument pipeline: one torch call's arguments -> Paddle's.

Positional arguments are bound to the torch parameter list, then each is
checked (unsupported values), dropped, value-rewritten and renamed; torch
defaults that Paddle does not share are written out; arguments stay
positional only while their position means the same parameter in Paddle.
Original ``Arg`` nodes are reused so spacing and comments survive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import libcst as cst

from .tables import ApiEntry

_EMPTY = cst.SimpleWhitespace("")
_NO_SPACE_EQUAL = cst.AssignEqual(whitespace_before=_EMPTY, whitespace_after=_EMPTY)
_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))

_module = cst.Module(body=[])


class UnsupportedUse(Exception):
    """Raised by the pipeline or a rewrite: this use cannot be converted safely."""


def source_of(node: cst.CSTNode) -> str:
    return _module.code_for_node(node)


@dataclass
class _Bound:
    name: str | None  # torch parameter name; None for an unbound positional (unknown signature)
    arg: cst.Arg
    positional: bool


def _is_variable(node: cst.BaseExpression) -> bool:
    """A name or attribute chain (``affine``, ``self.affine``): it may well hold an allowed value, which only
    the run time knows; a call or any other expression is judged (and refused) as written."""
    chain = isinstance(node, cst.Attribute)
    while isinstance(node, cst.Attribute):
        node = node.value
    if chain and isinstance(node, cst.Name) and node.value in ("paddle", "torch"):
        return False  # a framework constant (`paddle.float64`), judged as written
    return isinstance(node, cst.Name) and node.value not in ("True", "False", "None")


def keyword_rules(entry: ApiEntry) -> bool:
    """Whether torch's keywords for ``entry`` need translating (renamed, dropped, rewritten or checked)."""
    return bool(entry.rename or entry.drop or entry.values or entry.unsupported_args)


# builds the run-time translation of a ``**kwargs`` argument: (entry, the mapping expression, Paddle
# keywords the converter would write out) -> the new mapping expression; None: translation refused
RuntimeKeywords = Callable[[ApiEntry, cst.BaseExpression, list[cst.Arg]], cst.BaseExpression | None]


def spliced_stars(args: Sequence[cst.Arg]) -> list[cst.Arg] | None:
    """``f(x, *[a, b])`` / ``f(*(a, b))``: a starred list or tuple display passes its elements as positional
    arguments, so they are bound like ``f(x, a, b)``.  None when the call has no such star (a display holding a
    starred element of its own is left alone)."""
    def literal(arg: cst.Arg) -> bool:
        return arg.star == "*" and isinstance(arg.value, (cst.List, cst.Tuple)) and not any(
            isinstance(e, cst.StarredElement) for e in arg.value.elements)

    if not any(literal(a) for a in args):
        return None
    out: list[cst.Arg] = []
    for arg in args:
        out += [cst.Arg(value=e.value, comma=_COMMA) for e in arg.value.elements] if literal(arg) else [arg]
    return fix_commas(args, out)


def _positions_same(entry: ApiEntry) -> bool:
    """Whether a positional argument means the same parameter in Paddle wherever it lands (``*args`` binds)."""
    return entry.target_args is None and not entry.drop and not entry.values


def _positional_at_run_time(entry: ApiEntry, args: Sequence[cst.Arg]) -> list[cst.Arg]:
    """``nn.Conv2d(c, *rest, bias=False)`` where Paddle's positions differ: the positional arguments are bound
    to torch's parameter names when the call runs (``**_torch2paddle_runtime.positional("torch.nn.Conv2d",
    (c, *rest))``), and that mapping then goes through the run-time keyword adapter like a ``**kwargs``."""
    from .runtime import MODULE, RUNTIME_VALUES  # (runtime imports this module's users, not this module)

    if any(a.star == "**" for a in args):
        raise UnsupportedUse("*args with **kwargs cannot be matched to parameters whose positions differ")
    if any(rewrite not in RUNTIME_VALUES for rewrite in entry.values.values()):
        raise UnsupportedUse("*args cannot be matched to parameters whose positions differ (a value the "
                             "run time cannot convert may be among them)")
    positional = [a for a in args if a.keyword is None]
    elements = [cst.StarredElement(a.value, comma=_COMMA) if a.star == "*" else cst.Element(a.value, comma=_COMMA)
                for a in positional]
    elements[-1] = elements[-1].with_changes(comma=cst.Comma() if len(elements) == 1 else cst.MaybeSentinel.DEFAULT)
    bound = cst.Call(func=cst.Attribute(value=cst.Name(MODULE), attr=cst.Name("positional")), args=[
        cst.Arg(cst.SimpleString(f'"{entry.name}"'), comma=_COMMA), cst.Arg(cst.Tuple(elements))])
    return fix_commas(args, [cst.Arg(value=bound, star="**", comma=_COMMA),
                             *(a for a in args if a.keyword is not None)])


def _bind(entry: ApiEntry, args: Sequence[cst.Arg], start: int = 0, runtime: RuntimeKeywords | None = None
          ) -> list[_Bound]:
    bound: list[_Bound] = []
    index = start
    for arg in args:
        if arg.star == "**":
            if keyword_rules(entry) and runtime is None:
                raise UnsupportedUse("**kwargs may hold torch-only argument names")
            bound.append(_Bound(None, arg, False))
        elif arg.star == "*":
            if not _positions_same(entry):
                raise UnsupportedUse("*args cannot be matched to parameters whose positions differ")
            bound.append(_Bound(None, arg, True))
            index = len(entry.args)  # everything after is unknowable
        elif arg.keyword is None:
            if index < len(entry.args):
                bound.append(_Bound(entry.args[index], arg, True))
            elif entry.args:
                raise UnsupportedUse(f"more positional arguments than the {len(entry.args)} torch accepts")
            else:
                bound.append(_Bound(None, arg, True))
            index += 1
        else:
            bound.append(_Bound(arg.keyword.value, arg, False))
    return bound


def map_arguments(
    entry: ApiEntry,
    args: Sequence[cst.Arg],
    value_rewrites: dict[str, Callable],
    skip: int = 0,
    with_defaults: bool = True,
    runtime: RuntimeKeywords | None = None,
    star_at_run_time: bool = True,
) -> list[cst.Arg]:
    """Map ``args`` of a call to ``entry`` into Paddle arguments.

    ``skip`` leading torch parameters are treated as already consumed (used
    by rewrites that take, e.g., the initialised tensor out of the call).
    ``runtime`` translates a ``**kwargs`` argument when it runs (``torch2paddle.runtime``);
    without it such an argument is refused where the entry's keywords need translating, and so is
    ``*args`` where Paddle's positions differ (with it, unless ``star_at_run_time`` is false, ``*args`` is
    bound to torch's parameter names when the call runs).
    """
    at_run_time = runtime is not None and star_at_run_time and not skip and not _positions_same(entry) and any(
        a.star == "*" for a in args)
    if at_run_time:
        args = _positional_at_run_time(entry, args)
    bound = _bind(entry, args, skip, runtime)
    star = next((b for b in bound if b.arg.star == "**"), None) if runtime and (
        keyword_rules(entry) or at_run_time) else None
    present = {b.name for b in bound if b.name}
    checked, noop = _check_values(entry, bound, runtime)
    if checked:
        bound, star = _checked_at_run_time(bound, checked, star)
    out = _renamed(entry, bound, noop, value_rewrites)
    deferred = _write_defaults(entry, out, present, value_rewrites, star is not None) if with_defaults else []
    if star is not None:
        translated = runtime(entry, star.arg.value, fix_commas([], deferred) if deferred else [])
        if translated is None:
            raise UnsupportedUse("*args cannot be matched to parameters whose positions differ" if at_run_time
                                 else "**kwargs may hold torch-only argument names")
        out = [(n, a.with_changes(value=translated) if a is star.arg else a, p) for n, a, p in out]
    names_out = {n for n, _, _ in out if n}
    for name, source in entry.add.items() if with_defaults else ():
        if name not in names_out:
            out.append((name, cst.Arg(value=cst.parse_expression(source)), False))
    return fix_commas(args, _placed(entry, out))


_Mapped = list  # of (paddle name or None, the argument node, whether torch's call passed it positionally)


def _check_values(entry: ApiEntry, bound: list[_Bound], runtime) -> tuple[list[_Bound], set[int]]:
    """Refuse arguments whose value Paddle cannot take (``unsupported_args``); returns the keywords only the
    run time can check (``affine=affine``) and the ids of those passing torch's no-op value (dropped)."""
    checked: list[_Bound] = []
    noop: set[int] = set()  # arguments passing torch's no-op value, which Paddle does not take: dropped
    for name, spec in entry.unsupported_args.items():
        for b in bound:
            if b.name != name:
                continue
            value = source_of(b.arg.value)
            bad = value in spec["deny"] if spec["deny"] else value not in spec["allow"]
            if bad and runtime is not None and not b.positional and _is_variable(b.arg.value):
                checked.append(b)  # a variable (`affine=affine`): the adapter checks its value when the call runs
                continue
            if bad:
                raise UnsupportedUse(f"{name}={_shown(value)}: {spec['reason']}")
            if spec["allow"] and name not in entry.values and name not in entry.rename:
                noop.add(id(b))  # a plain no-op value; a mapped argument keeps its (rewritten) value
    return checked, noop


def _shown(value: str) -> str:
    """An argument's value as a refusal names it: its first line, cut at 40 characters (a value may hold a
    converted or refused expression of its own, ``weights=_torch2paddle_runtime.unsupported(...)``)."""
    line = value.strip().split("\n", 1)[0]
    return line if len(line) <= 40 and line == value.strip() else line[:37].rstrip() + "..."


def _checked_at_run_time(bound: list[_Bound], checked: list[_Bound], star: _Bound | None):
    """Move the keywords only the run time can check into the ``**`` mapping the adapter translates."""
    bound = [b for b in bound if all(b is not c for c in checked)]
    mapping = cst.Dict([
        *(cst.DictElement(cst.SimpleString(f'"{c.name}"'), c.arg.value) for c in checked),
        *([cst.StarredDictElement(star.arg.value)] if star is not None else []),
    ])
    if star is not None:
        star = _Bound(None, star.arg.with_changes(value=mapping), False)
        bound = [star if b.arg.star == "**" else b for b in bound]
    else:
        star = _Bound(None, cst.Arg(value=mapping, star="**"), False)
        bound.append(star)
    return bound, star


def _renamed(entry: ApiEntry, bound: list[_Bound], noop: set[int], value_rewrites) -> _Mapped:
    """Each argument under its Paddle name, its value rewritten; dropped and no-op ones left out."""
    out: _Mapped = []
    for b in bound:
        if b.name is None:
            out.append((None, b.arg, b.positional))
            continue
        if b.name in entry.drop or id(b) in noop:
            continue
        value: cst.BaseExpression | None = b.arg.value
        if b.name in entry.values:
            value = value_rewrites[entry.values[b.name]](value)
            if value is None:
                continue
        out.append((entry.paddle_name(b.name), b.arg.with_changes(value=value), b.positional))
    return out


def _write_defaults(entry: ApiEntry, out: _Mapped, present: set[str], value_rewrites, deferred: bool):
    """torch's defaults Paddle's differ from, written out (appended to ``out``); with a ``**`` mapping that may
    supply them they are returned instead, for the run-time adapter to add unless the mapping does."""
    later: list[cst.Arg] = []
    for name, source in entry.defaults.items():
        if name in present:
            continue
        value = cst.parse_expression(source)
        if name in entry.values:
            value = value_rewrites[entry.values[name]](value)
            if value is None:
                continue
        if deferred:  # **kwargs may supply it: the adapter decides when the call runs
            later.append(cst.Arg(value=value, keyword=cst.Name(entry.paddle_name(name)), equal=_NO_SPACE_EQUAL))
            continue
        out.append((entry.paddle_name(name), cst.Arg(value=value), False))
    return later


def _placed(entry: ApiEntry, out: _Mapped) -> list[cst.Arg]:
    """Arguments stay positional while their position means the same Paddle parameter, keywords after."""
    positions = entry.paddle_positions()
    result: list[cst.Arg] = []
    still_positional = True
    for i, (name, arg, was_positional) in enumerate(out):
        keep = was_positional and still_positional and (
            name is None or (i < len(positions) and positions[i] == name)
        )
        if keep:
            result.append(arg)
            continue
        still_positional = False
        if name is None:
            if arg.star == "**" or arg.keyword is not None:
                result.append(arg)
                continue
            raise UnsupportedUse("a positional argument cannot be placed in Paddle's signature")
        if arg.keyword is None:
            arg = arg.with_changes(keyword=cst.Name(name), equal=_NO_SPACE_EQUAL)
        elif arg.keyword.value != name:
            arg = arg.with_changes(keyword=cst.Name(name))
        result.append(arg)
    return result


def fix_commas(original: Sequence[cst.Arg], new: list[cst.Arg]) -> list[cst.Arg]:
    """Give every argument but the last a comma; the last ends the call as the original last did.

    That keeps a multi-line call's trailing comma and closing-paren layout when
    the last argument was dropped or new ones were appended.  A comment after
    the new last argument's own comma is kept, re-indented for the paren.
    """
    if not new:
        return new
    fixed = []
    closing = original[-1] if original else new[-1]
    for i, arg in enumerate(new):
        if i < len(new) - 1:
            fixed.append(arg if isinstance(arg.comma, cst.Comma) else arg.with_changes(comma=_COMMA))
            continue
        if arg is closing or arg.deep_equals(closing):
            fixed.append(arg)
        elif _has_comment(arg.comma):
            fixed.append(arg.with_changes(comma=_reindent_comma(arg.comma, closing),
                                          whitespace_after_arg=cst.SimpleWhitespace("")))
        else:
            fixed.append(arg.with_changes(comma=closing.comma, whitespace_after_arg=closing.whitespace_after_arg))
    return fixed


def append_args(call: cst.Call, extra: Sequence[cst.Arg]) -> cst.Call:
    """``call`` with ``extra`` arguments added at the end, following its layout.

    On one line (or closing on the last argument's line) they follow inline.  A call
    written one argument a line gets each new one on a line of its own, indented like
    the others; the old last argument keeps its comment, the call keeps its closing.
    """
    args, extra = list(call.args), list(extra)
    if not extra:
        return call
    last = args[-1] if args else None
    closing = None
    if last is not None:
        for ws in (getattr(last.comma, "whitespace_after", None), last.whitespace_after_arg):
            if isinstance(ws, cst.ParenthesizedWhitespace):
                closing = ws
    if closing is None:  # inline
        return call.with_changes(args=fix_commas(args, [*args, *extra]))
    between = next((a.comma.whitespace_after for a in args[:-1]
                    if isinstance(getattr(a.comma, "whitespace_after", None), cst.ParenthesizedWhitespace)),
                   call.whitespace_before_args)
    if not isinstance(between, cst.ParenthesizedWhitespace):
        return call.with_changes(args=fix_commas(args, [*args, *extra]))
    between = between.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    bare_closing = closing.with_changes(first_line=cst.TrailingWhitespace())
    out = args[:-1] + [last.with_changes(comma=cst.Comma(whitespace_after=between.with_changes(first_line=closing.first_line)),
                                         whitespace_after_arg=cst.SimpleWhitespace(""))]
    for arg in extra[:-1]:
        out.append(arg.with_changes(comma=cst.Comma(whitespace_after=between)))
    if isinstance(last.comma, cst.Comma):  # a trailing comma before the closing line
        out.append(extra[-1].with_changes(comma=cst.Comma(whitespace_after=bare_closing)))
    else:
        out.append(extra[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=bare_closing))
    return call.with_changes(args=out)


def _has_comment(comma) -> bool:
    ws = getattr(comma, "whitespace_after", None)
    return isinstance(ws, cst.ParenthesizedWhitespace) and ws.first_line.comment is not None


def _reindent_comma(comma: cst.Comma, closing: cst.Arg) -> cst.Comma:
    """Keep ``comma``'s comment but end the line the way the original call closed."""
    for ws in (getattr(closing.comma, "whitespace_after", None), closing.whitespace_after_arg):
        if isinstance(ws, cst.ParenthesizedWhitespace):
            return comma.with_changes(whitespace_after=comma.whitespace_after.with_changes(
                indent=ws.indent, last_line=ws.last_line))
    return comma


@dataclass
class CallContext:
    """What a call rewrite sees: the entry, the call (inner parts already converted) and helpers."""

    entry: ApiEntry
    call: cst.Call  # the call with its inner parts already converted
    original: cst.Call  # the call as written, for resolving names
    render: Callable[[str], cst.BaseExpression]
    resolve: Callable[[cst.BaseExpression], ApiEntry | None]
    value_rewrites: dict[str, Callable]
    receiver: cst.BaseExpression | None = None  # set for method calls
    # statement-level context, for rewrites that need more than the call itself:
    assigned_to: cst.BaseExpression | None = None  # `x` when the call is the whole value of `x = call(...)` on its own line
    add_statement: Callable[[cst.BaseSmallStatement], None] | None = None  # appends a statement after that line
    bound_values: Callable[[cst.BaseExpression], list] = lambda node: []  # what a plain name is assigned anywhere in the file
    file_values: Callable[[], list] = lambda: []  # every value the file assigns to a plain name (the import scan's)
    scope_state: dict | None = None  # per-function scratch space shared by the rewrites of one function
    chained: str | None = None  # the method called on the call's result (`x.numel().item()`: "item")
    runtime: RuntimeKeywords | None = None  # translates **kwargs when the call runs (None: refused)
    helper: Callable[[str], cst.BaseExpression] | None = None  # `_torch2paddle_runtime.<name>` (run-time helpers)
    layer_of: Callable[[cst.BaseExpression], str | None] = lambda node: None  # the torch layer a value holds
    # a parameter every call of the enclosing function passes a converted nn.Linear's weight (call_sites.py)
    holds_linear_weight: Callable[[cst.BaseExpression], bool] = lambda node: False
    file_object: Callable[[cst.BaseExpression], bool] = lambda node: False  # `open(...)`, `with open(...) as f`

    def map_args(
        self,
        args: Sequence[cst.Arg] | None = None,
        skip: int = 0,
        entry: ApiEntry | None = None,
        with_defaults: bool = True,
    ) -> list[cst.Arg]:
        return map_arguments(
            entry or self.entry, self.call.args if args is None else args, self.value_rewrites, skip, with_defaults,
            self.runtime,
        )

    def target(self) -> cst.BaseExpression:
        """The converted callee: the rendered target, or ``receiver.method`` for methods."""
        assert self.entry.target is not None
        if self.receiver is not None:
            return cst.Attribute(value=self.receiver, attr=cst.Name(self.entry.target_method))
        return self.render(self.entry.target)

    def unsupported(self, reason: str) -> UnsupportedUse:
        return UnsupportedUse(reason)


@dataclass
class AccessContext:
    """What an access rewrite sees: a read of a mapped attribute, or an assignment to it.

    For ``optimizer.param_groups[0]["lr"]`` the entry is the ``param_groups``
    method-attribute, ``receiver`` is ``optimizer`` and ``subscripts`` are the
    index expressions ``0`` and ``"lr"`` (innermost first); for a module-level
    attribute such as ``InterpolationMode.BILINEAR`` the entry is found by
    prefix and ``rest`` is ``"BILINEAR"``.  ``value`` is the assigned value
    for ``attr = value`` (the rewrite then returns a small statement);
    ``augmented`` marks an augmented assignment (``attr += v``).  For
    ``for x in obj.attr:`` the whole loop is ``loop``, and a rewrite may return
    the statement line replacing it.  A rewrite
    returns None to leave an access it does not handle as it is (unreported).
    """

    entry: ApiEntry
    node: cst.BaseExpression  # the access as written (inner parts converted)
    render: Callable[[str], cst.BaseExpression]
    receiver: cst.BaseExpression | None = None
    rest: str = ""
    subscripts: tuple[cst.BaseExpression, ...] = ()
    value: cst.BaseExpression | None = None
    augmented: bool = False
    resolve: Callable[[cst.BaseExpression], ApiEntry | None] = lambda node: None
    bound_values: Callable[[cst.BaseExpression], list] = lambda node: []
    loop: cst.For | None = None  # `for x in obj.attr:` (the rewrite may return a statement line for it)
    # `_torch2paddle_runtime.<name>` for a helper of the generated run-time module (None: not available)
    runtime: Callable[[str], cst.BaseExpression] | None = None
    self_is_layer: bool = False  # in a class deriving from a torch layer (`self` is one)
    receiver_kind: str | None = None  # "module", "tensor", "other" or None (unknown), as far as the file tells

    def unsupported(self, reason: str) -> UnsupportedUse:
        return UnsupportedUse(reason)


@dataclass
class ClassContext:
    """What a class rewrite sees: the entry of the torch base class and the class as converted so far."""

    entry: ApiEntry
    node: cst.ClassDef
    render: Callable[[str], cst.BaseExpression]

    def unsupported(self, reason: str) -> UnsupportedUse:
        return UnsupportedUse(reason)


@dataclass
class InitContext:
    """What an init rewrite sees: the layer entry and the call's arguments by torch parameter name."""

    entry: ApiEntry
    args: dict[str, cst.BaseExpression]
    render: Callable[[str], cst.BaseExpression]


@dataclass
class DirectiveContext:
    """What a directive rewrite sees: a compiler directive (``@torch.jit.ignore``, ``torch.compile(m)``,
    ``torch.fx.wrap("f")``) at one of three sites.

    ``site`` is ``"decorator"`` (``node`` is the decorator expression: a name or a call; ``definition``
    says whether it decorates a ``"function"`` or a ``"class"``), ``"statement"`` (a call that is a whole
    expression statement on its own line) or ``"call"`` (a call anywhere else).  ``module_level``: the
    decorated definition or the statement is in no function or class body.  The rewrite returns None to
    remove the decorator or statement (never for a call), a new expression, or raises ``unsupported``.
    """

    entry: ApiEntry
    site: str
    node: cst.BaseExpression  # as converted so far
    render: Callable[[str], cst.BaseExpression]
    module_level: bool = False
    definition: str | None = None

    @property
    def call(self) -> cst.Call | None:
        return self.node if isinstance(self.node, cst.Call) else None

    def unsupported(self, reason: str) -> UnsupportedUse:
        return UnsupportedUse(reason)
