"""Load and validate the YAML API-mapping tables (schema: mappings/README.md).

The tables are data: every entry says how one torch API becomes Paddle.  This
module turns them into immutable ``ApiEntry`` objects and rejects malformed
entries with the file, the entry name and the reason.
"""

from __future__ import annotations

import functools
import hashlib
import keyword
import math
import os
import pickle
import re
import reprlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

# yaml is imported only when a table is read: start-up loads the compiled (pickled) tables

def _builtin_dir() -> Path:
    installed = Path(__file__).resolve().parent / "mappings"  # wheel: torch2paddle/mappings
    return installed if installed.is_dir() else Path(__file__).resolve().parent.parent / "mappings"


BUILTIN_DIR = _builtin_dir()
RECEIVERS = ("any", "tensor", "module", "optimizer", "may_be_tensor")
_ENTRY_KEYS = {
    "target", "kind", "args", "target_args", "rename", "drop", "values",
    "defaults", "add", "unsupported", "unsupported_args", "rewrite", "aliases",
    "receiver", "note", "examples", "result_fields", "torch_init", "then_to", "value_target",
}
_EXAMPLE_KEYS = {"code", "compare", "inputs", "layers", "atol", "rtol", "setup", "note", "expect_unsupported",
                 "torch_init"}
_SECTIONS = {"area", "modules", "apis", "methods"}
# A user table (`convert --mappings`) is untrusted input: it must fail at load with a TableError, in
# time and memory linear in its size.  YAML aliases can make a tiny file expand exponentially (the
# "billion laughs"), so a document is composed to its node graph first and refused when its fully
# expanded size passes max(_MAX_EXPANDED_NODES, _MAX_EXPANSION * composed nodes).  The built-in
# tables expand to at most 8,794 nodes per file, at most 1.2x their composed size (creation_math.yaml).
_MAX_EXPANDED_NODES = 200_000
_MAX_EXPANSION = 50
_MAX_DEPTH = 100  # the built-in tables nest 7 deep; constructing ~300 levels would hit Python's recursion limit
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_KEYWORDS = frozenset(keyword.kwlist)
_CONSTANT_TARGETS = frozenset({"True", "False", "None"})  # literal targets of the `constant` rewrite
_short_repr = reprlib.Repr()
_short_repr.maxstring = _short_repr.maxother = 80
_short_repr.maxlist = _short_repr.maxdict = 6


class TableError(ValueError):
    """A mapping table is malformed; the message names file, entry and reason."""

    def __init__(self, file: str, entry: str | None, reason: str):
        self.file, self.entry, self.reason = file, entry, reason
        where = f"{file}: entry {entry!r}" if entry else file
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class Example:
    """An executable PyTorch snippet proving an entry (run by tests/test_mapping_examples.py)."""

    code: str
    compare: tuple[str, ...]
    inputs: Mapping[str, str] = field(default_factory=dict)
    layers: tuple[str, ...] = ()
    setup: str = ""
    atol: float = 1e-6
    rtol: float = 1e-5
    expect_unsupported: bool = False
    torch_init: bool = False  # convert with convert_source(..., torch_init=True)


@dataclass(frozen=True)
class ApiEntry:
    """How one torch API (function, class, attribute or method) maps to Paddle."""

    name: str
    table: str
    section: str  # "apis" or "methods"
    target: str | None = None
    kind: str = "callable"
    args: tuple[str, ...] = ()
    target_args: tuple[str, ...] | None = None
    rename: Mapping[str, str] = field(default_factory=dict)
    drop: tuple[str, ...] = ()
    values: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, str] = field(default_factory=dict)
    add: Mapping[str, str] = field(default_factory=dict)
    unsupported: str | None = None
    unsupported_args: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    rewrite: str | None = None
    aliases: tuple[str, ...] = ()
    receiver: str = "any"
    note: str = ""
    examples: tuple[Example, ...] = ()
    result_fields: tuple[str, ...] = ()  # torch's named-tuple fields; Paddle returns a plain tuple in that order
    torch_init: str | None = None  # init rewrite writing torch's default initialisation (convert --torch-init)
    then_to: tuple[str, ...] = ()  # torch keywords applied by `.to(...)` on the result (a layer's dtype=)
    value_target: str | None = None  # what a use as a value becomes where `target` is a function (isinstance)

    @property
    def method_name(self) -> str:
        return self.name.rsplit(".", 1)[1]

    @property
    def target_method(self) -> str | None:
        return self.target.rsplit(".", 1)[1] if self.target else None

    def paddle_name(self, torch_arg: str) -> str:
        return self.rename.get(torch_arg, torch_arg)

    def paddle_positions(self) -> tuple[str, ...]:
        """Paddle's positional parameter names (defaults to torch's, renamed)."""
        if self.target_args is not None:
            return self.target_args
        return tuple(self.paddle_name(a) for a in self.args)


@dataclass
class Tables:
    """All loaded tables, indexed for the transformer."""

    modules: dict[str, str] = field(default_factory=dict)
    apis: dict[str, ApiEntry] = field(default_factory=dict)
    methods: dict[str, list[ApiEntry]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def roots(self) -> frozenset[str]:
        """Top-level module names whose imports the transformer must track."""
        names = set(self.modules) | set(self.apis)
        return frozenset(n.split(".", 1)[0] for n in names)

    def entries(self) -> Iterable[ApiEntry]:
        seen: set[int] = set()
        for entry in list(self.apis.values()) + [e for es in self.methods.values() for e in es]:
            if id(entry) not in seen:
                seen.add(id(entry))
                yield entry

    def lookup_method(self, name: str) -> list[ApiEntry]:
        return self.methods.get(name, [])

    def entry(self, name: str) -> ApiEntry | None:
        """The entry named ``name`` (an API, or a method such as ``torch.Tensor.add_``): what
        ``torch2paddle mappings show NAME`` shows; ``None`` when there is none."""
        found = self.apis.get(name)
        if found is None:
            found = next((e for e in self.lookup_method(name.rsplit(".", 1)[-1]) if e.name == name), None)
        return found


def _fail(file: str, entry: str | None, reason: str) -> TableError:
    return TableError(file, entry, reason)


def _short(value: Any) -> str:
    """A bounded repr for messages: a table value may be large."""
    return _short_repr.repr(value)


def _is_identifier(value: Any, torch_side: bool = False) -> bool:
    """An ASCII Python name.  Names written into the converted code (Paddle keywords, attributes) must
    not be Python keywords; torch's own parameter names may be (``Tensor.uniform_(from, to)``)."""
    return (isinstance(value, str) and _NAME.fullmatch(value) is not None
            and (torch_side or value not in _KEYWORDS))


def _is_dotted(value: Any, torch_side: bool = False) -> bool:
    """A dotted Python name (`paddle.nn.Conv2D`): every part an identifier (see `_is_identifier`)."""
    return (isinstance(value, str) and _DOTTED.fullmatch(value) is not None
            and (torch_side or _KEYWORDS.isdisjoint(value.split("."))))


def _str_list(value: Any, file: str, name: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(file, name, f"'{key}' must be a list of names, got {_short(value)}")
    return tuple(value)


def _identifiers(value: Any, file: str, name: str, key: str, torch_side: bool = False) -> tuple[str, ...]:
    """A list of Python names (parameter names, result fields)."""
    out = _str_list(value, file, name, key)
    for item in out:
        if not _is_identifier(item, torch_side):
            raise _fail(file, name, f"'{key}' must be identifiers (Python names), got {_short(item)}")
    return out


def _check_identifier_keys(mapping: Mapping[Any, Any], file: str, name: str, key: str,
                           torch_side: bool = False) -> None:
    for k in mapping:
        if not _is_identifier(k, torch_side):
            raise _fail(file, name, f"'{key}' key {_short(k)} must be an identifier (a Python name)")


def _what(key: str, example: int | None) -> str:
    """The value a message is about: "'note'", "example 0: 'atol'" (built only on failure)."""
    return f"'{key}'" if example is None else f"example {example}: '{key}'"


def _text(value: Any, file: str, name: str, key: str, example: int | None = None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail(file, name, f"{_what(key, example)} must be a string, got {_short(value)}")
    return value


def _flag(value: Any, file: str, name: str, key: str, example: int | None = None) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):  # bool("no") is True: a string is refused, not guessed
        raise _fail(file, name, f"{_what(key, example)} must be true or false, got {_short(value)}")
    return value


def _tolerance(value: Any, default: float, file: str, name: str, key: str, example: int | None = None) -> float:
    if value is None:
        return default
    number = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):  # PyYAML reads `1e-5` (no dot) as a string
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or number < 0:
        raise _fail(file, name, f"{_what(key, example)} must be a non-negative number, got {_short(value)}")
    return number


def _str_map(value: Any, file: str, name: str, key: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(file, name, f"'{key}' must be a mapping, got {type(value).__name__}")
    out = {}
    for k, v in value.items():
        if not isinstance(k, str):
            raise _fail(file, name, f"'{key}' has a non-string key {_short(k)}")
        if isinstance(v, bool) or v is None:
            v = repr(v)  # YAML true/null -> Python source True/None
        elif isinstance(v, (int, float)):
            v = repr(v)
        if not isinstance(v, str):
            raise _fail(file, name, f"'{key}.{k}' must be a string or literal, got {_short(v)}")
        out[k] = v
    return out


def _parse_examples(raw: Any, file: str, name: str) -> tuple[Example, ...]:
    if raw is None:
        return ()
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise _fail(file, name, "'examples' must be a list")
    out = []
    for i, ex in enumerate(raw):
        if not isinstance(ex, dict) or "code" not in ex:
            raise _fail(file, name, f"example {i} must be a mapping with 'code'")
        unknown = set(ex) - _EXAMPLE_KEYS
        if unknown:
            raise _fail(file, name, f"example {i} has unknown keys {sorted(map(str, unknown))}")
        compare = _str_list(ex.get("compare"), file, name, "compare")
        expect_unsupported = _flag(ex.get("expect_unsupported"), file, name, "expect_unsupported", i)
        if not compare and not expect_unsupported:
            raise _fail(file, name, f"example {i} names no results to 'compare'")
        if not isinstance(ex["code"], str):
            raise _fail(file, name, f"example {i}: 'code' must be a string, got {_short(ex['code'])}")
        out.append(
            Example(
                code=ex["code"],
                compare=compare,
                inputs=_str_map(ex.get("inputs"), file, name, "inputs"),
                layers=_str_list(ex.get("layers"), file, name, "layers"),
                setup=_text(ex.get("setup"), file, name, "setup", i),
                atol=_tolerance(ex.get("atol"), 1e-6, file, name, "atol", i),
                rtol=_tolerance(ex.get("rtol"), 1e-5, file, name, "rtol", i),
                expect_unsupported=expect_unsupported,
                torch_init=_flag(ex.get("torch_init"), file, name, "torch_init", i),
            )
        )
    return tuple(out)


_ENTRY_REWRITE_KINDS = ("call", "access", "class", "directive")  # what `rewrite:` may name


def _check_kind(file: str, name: str, key: str, rewrite: str, rewrites: Mapping[str, str], kinds: tuple[str, ...]
                ) -> None:
    """``rewrite`` must be a registered rewrite of one of ``kinds`` (a value rewrite under ``values:``, ...)."""
    kind = rewrites.get(rewrite) if isinstance(rewrites, Mapping) else ("?" if rewrite in rewrites else None)
    if kind is None:
        known = sorted(r for r in rewrites if not isinstance(rewrites, Mapping) or rewrites[r] in kinds)
        raise _fail(file, name, f"'{key}' names unknown rewrite {rewrite!r} (known: {', '.join(known)})")
    if kind != "?" and kind not in kinds:
        raise _fail(file, name, f"'{key}' names {rewrite!r}, a {kind} rewrite; {key} takes a "
                                f"{' or '.join(kinds)} rewrite")


def _parse_identity(name: str, raw: Any, file: str, section: str, rewrites: Mapping[str, str]):
    """The entry's name, target, reason, rewrite names (checked against their kinds), receiver and kind."""
    if not isinstance(name, str) or "." not in name or not _is_dotted(name, torch_side=True):
        raise _fail(file, str(name), "entry names must be dotted torch names")
    if raw is None:
        raw = {}
    if isinstance(raw, str):  # shorthand: `torch.nn.ReLU6: paddle.nn.ReLU6`
        raw = {"target": raw}
    if not isinstance(raw, dict):
        raise _fail(file, name, "entry must be a mapping or a target string")
    unknown = set(raw) - _ENTRY_KEYS
    if unknown:
        raise _fail(file, name, f"unknown keys {sorted(map(str, unknown))}")
    target = raw.get("target")
    unsupported = raw.get("unsupported")
    if target is None and unsupported is None and raw.get("rewrite") is None:
        raise _fail(file, name, "needs a 'target' or an 'unsupported' reason")
    # the target is written into the converted code as a name: `paddle.zeros(); import os` must not load.
    # The `constant` rewrite writes its target as a literal instead (torch.jit.is_scripting -> False).
    constant_literal = raw.get("rewrite") == "constant" and isinstance(target, str) and target in _CONSTANT_TARGETS
    if target is not None and not (_is_dotted(target) or constant_literal):
        raise _fail(file, name, f"'target' must be a dotted name, got {_short(target)}")
    if unsupported is not None and not isinstance(unsupported, str):
        raise _fail(file, name, f"'unsupported' must be a string (the reason), got {_short(unsupported)}")
    if section == "methods":
        if not name.startswith(("torch.Tensor.", "torch.nn.Module.", "torch.optim.Optimizer.")):
            raise _fail(file, name, "method entries are named torch.Tensor.<m>, torch.nn.Module.<m> or torch.optim.Optimizer.<m>")
        if target is not None and "." not in target and not constant_literal:  # its last part is the method name
            raise _fail(file, name, f"a method's 'target' is <paddle class>.<method>, got {_short(target)}")
    rewrite = raw.get("rewrite")
    if rewrite is not None and not isinstance(rewrite, str):
        raise _fail(file, name, f"'rewrite' must be a name, got {_short(rewrite)}")
    if rewrite is not None:
        _check_kind(file, name, "rewrite", rewrite, rewrites, _ENTRY_REWRITE_KINDS)
        if target is None and unsupported is None:  # only a directive removes a use without writing Paddle's
            _check_kind(file, name, "rewrite (with no 'target')", rewrite, rewrites, ("directive",))
    torch_init = raw.get("torch_init")
    if torch_init is not None and not isinstance(torch_init, str):
        raise _fail(file, name, f"'torch_init' must be a name, got {_short(torch_init)}")
    if torch_init is not None:
        _check_kind(file, name, "torch_init", torch_init, rewrites, ("init",))
    receiver = raw.get("receiver", "any")
    if not isinstance(receiver, str) or receiver not in RECEIVERS:
        raise _fail(file, name, f"'receiver' must be one of {RECEIVERS}")
    kind = raw.get("kind", "callable")
    if not isinstance(kind, str) or kind not in ("callable", "attribute"):
        raise _fail(file, name, "'kind' must be 'callable' or 'attribute'")
    return raw, target, unsupported, rewrite, torch_init, receiver, kind


def _parse_unsupported_args(raw: Any, file: str, name: str) -> dict[str, dict[str, Any]]:
    """``unsupported_args``: ``{arg: reason}`` or ``{arg: {reason, allow: [...], deny: [...]}}``, the listed
    YAML scalars kept as the source text a call's argument is compared with."""
    raw_unsup = raw or {}
    if not isinstance(raw_unsup, dict):
        raise _fail(file, name, "'unsupported_args' must be a mapping")
    _check_identifier_keys(raw_unsup, file, name, "unsupported_args", torch_side=True)
    unsupported_args: dict[str, dict[str, Any]] = {}
    for arg, spec in raw_unsup.items():
        if isinstance(spec, str):
            spec = {"reason": spec}
        if not isinstance(spec, dict) or "reason" not in spec:
            raise _fail(file, name, f"'unsupported_args.{arg}' must be a reason or {{reason, allow}}")
        unknown_spec = set(spec) - {"reason", "allow", "deny"}
        if unknown_spec:
            raise _fail(file, name, f"'unsupported_args.{arg}' has unknown keys {sorted(map(str, unknown_spec))}")
        reason = spec["reason"]
        if not isinstance(reason, str):
            raise _fail(file, name, f"'unsupported_args.{arg}.reason' must be a string, got {_short(reason)}")
        listed: dict[str, tuple[str, ...]] = {}
        for key in ("allow", "deny"):
            values_ = spec.get(key)
            if values_ is None:
                values_ = []
            if not isinstance(values_, list):
                raise _fail(file, name,
                            f"'unsupported_args.{arg}.{key}' must be a list of values, got {_short(values_)}")
            for v in values_:
                if v is not None and not isinstance(v, (str, int, float, bool)):
                    raise _fail(file, name, f"'unsupported_args.{arg}.{key}' must be a list of scalars "
                                            f"(strings, numbers, true/false, null), got {_short(v)}")
            # YAML scalars -> source text, as the call's argument is compared
            listed[key] = tuple(v if isinstance(v, str) else repr(v) for v in values_)
        unsupported_args[arg] = {"reason": reason, "allow": listed["allow"], "deny": listed["deny"]}
    return unsupported_args


def _parse_entry(name: str, raw: Any, file: str, section: str, rewrites: Mapping[str, str]) -> ApiEntry:
    raw, target, unsupported, rewrite, torch_init, receiver, kind = _parse_identity(name, raw, file, section, rewrites)
    # torch's parameter names may be Python keywords (`Tensor.uniform_(from, to)`); Paddle's are
    # written into the converted code as keywords, so they may not, and a torch keyword that would be
    # written as it is must be renamed or dropped
    args = _identifiers(raw.get("args"), file, name, "args", torch_side=True)
    rename = _str_map(raw.get("rename"), file, name, "rename")
    _check_identifier_keys(rename, file, name, "rename", torch_side=True)
    for arg, paddle_arg in rename.items():
        if not _is_identifier(paddle_arg):
            raise _fail(file, name, f"'rename.{arg}' must be an identifier (a Python name), got {_short(paddle_arg)}")
    drop = _identifiers(raw.get("drop"), file, name, "drop", torch_side=True)
    for arg in args:
        if arg in _KEYWORDS and arg not in rename and arg not in drop:
            raise _fail(file, name, f"'args' entry {arg!r} is a Python keyword: it must be renamed or dropped")
    values = _str_map(raw.get("values"), file, name, "values")
    _check_identifier_keys(values, file, name, "values", torch_side=True)
    for arg, value_rewrite in values.items():
        _check_kind(file, name, f"values.{arg}", value_rewrite, rewrites, ("value",))
    defaults = _str_map(raw.get("defaults"), file, name, "defaults")
    _check_identifier_keys(defaults, file, name, "defaults", torch_side=True)
    add = _str_map(raw.get("add"), file, name, "add")
    _check_identifier_keys(add, file, name, "add")
    for source in list(defaults.values()) + list(add.values()):
        try:
            compile(source, "<default>", "eval")
        # null bytes, or nesting too deep for the parser (MemoryError/RecursionError on a short string)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            raise _fail(file, name, f"default/add value {_short(source)} is not a Python expression") from None
    unsupported_args = _parse_unsupported_args(raw.get("unsupported_args"), file, name)
    then_to = _identifiers(raw.get("then_to"), file, name, "then_to", torch_side=True)
    for arg in then_to:
        if arg not in args or arg in drop or arg in rename or arg in values or arg in unsupported_args:
            raise _fail(file, name, f"'then_to' entry {arg!r} must be one of 'args' that no other key handles")
    value_target = raw.get("value_target")
    if value_target is not None and not _is_dotted(value_target):
        raise _fail(file, name, f"'value_target' must be a dotted name, got {_short(value_target)}")
    aliases = _str_list(raw.get("aliases"), file, name, "aliases")
    for alias in aliases:
        if not _is_dotted(alias, torch_side=True):
            raise _fail(file, name, f"'aliases' must be dotted names, got {_short(alias)}")
    return ApiEntry(
        name=name,
        table=file,
        section=section,
        target=target,
        kind=kind,
        args=args,
        target_args=_identifiers(raw["target_args"], file, name, "target_args") if "target_args" in raw else None,
        rename=rename,
        drop=drop,
        values=values,
        defaults=defaults,
        add=add,
        unsupported=unsupported,
        unsupported_args=unsupported_args,
        rewrite=rewrite,
        aliases=aliases,
        receiver=receiver,
        note=_text(raw.get("note"), file, name, "note"),
        examples=_parse_examples(raw.get("examples"), file, name),
        result_fields=_identifiers(raw.get("result_fields"), file, name, "result_fields"),
        torch_init=torch_init,
        then_to=then_to,
        value_target=value_target,
    )


def _read_yaml(path: Path) -> Any:
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(file, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise _fail(file, None, f"not UTF-8: byte {data[exc.start:exc.start + 1]!r} at byte offset {exc.start} "
                                f"(line {line}, column {column}); save the table as UTF-8") from None
    import yaml

    try:  # the C loader is ~10x faster; fall back quietly where it is missing
        from yaml import CSafeLoader as loader_class
    except ImportError:  # pragma: no cover
        from yaml import SafeLoader as loader_class  # type: ignore[assignment]
    loader = None
    try:
        loader = loader_class(text)  # the pure-Python reader already checks the characters here
        try:  # compose only: an alias stays one shared node, so this is linear in the file's size
            node = loader.get_single_node()
        except RecursionError:  # the pure-Python composer recurses per nesting level
            raise _fail(file, None, f"YAML nested more than {_MAX_DEPTH} levels deep") from None
        if node is None:
            return None
        _check_expansion(node, file)  # before anything walks the expanded document
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _fail(file, None, f"invalid YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _check_expansion(root: Any, file: str) -> None:
    """Refuse a YAML node graph whose aliases expand too far, nest too deep or refer to themselves.

    Counts the nodes of the fully expanded document, memoised per node (an alias is the same node
    object as its anchor), so it takes time linear in the composed graph even for a "billion laughs"
    that would expand to 10^9 nodes.  The walk stops at _MAX_DEPTH, well inside the recursion limit.
    """
    from itertools import chain

    from yaml import ScalarNode, SequenceNode

    done: dict[int, tuple[int, int]] = {}  # node id -> (nodes in its expansion, levels below it)
    on_path: set[int] = set()  # nodes being expanded: an alias to one of them is a cycle
    written = [0]  # nodes as composed: each collection once, with its scalars

    def walk(node: Any, depth: int) -> tuple[int, int]:
        if depth > _MAX_DEPTH:
            raise _fail(file, None, f"YAML nested more than {_MAX_DEPTH} levels deep")
        key = id(node)
        on_path.add(key)
        total, below, scalars = 1, 0, 0
        kids = node.value if isinstance(node, SequenceNode) else chain.from_iterable(node.value)
        for kid in kids:
            if isinstance(kid, ScalarNode):
                scalars += 1
                continue
            kid_key = id(kid)
            got = done.get(kid_key)
            if got is None:
                if kid_key in on_path:
                    raise _fail(file, None, "recursive YAML alias: a node contains an alias to itself")
                got = walk(kid, depth + 1)
            elif depth + 1 + got[1] > _MAX_DEPTH:
                raise _fail(file, None, f"YAML nested more than {_MAX_DEPTH} levels deep")
            total += got[0]
            if got[1] >= below:
                below = got[1] + 1
        if scalars:
            total += scalars
            below = below or 1
        written[0] += 1 + scalars
        on_path.discard(key)
        done[key] = (total, below)
        return total, below

    if isinstance(root, ScalarNode):
        return
    expanded = walk(root, 0)[0]
    limit = max(_MAX_EXPANDED_NODES, _MAX_EXPANSION * written[0])
    if expanded > limit:
        raise _fail(file, None, f"YAML aliases expand to more than {limit:,} nodes ({expanded:,} from "
                                f"{written[0]:,} written): refusing an alias bomb")


def merge_table(tables: Tables, path: Path, data: Any, rewrites: Mapping[str, str]) -> None:
    """Validate one table's data and merge it; later tables override earlier entries."""
    file = str(path)
    if data is None:
        return
    if not isinstance(data, dict):
        raise _fail(file, None, "a table must be a mapping with 'apis', 'methods' or 'modules'")
    unknown = set(data) - _SECTIONS
    if unknown:
        raise _fail(file, None, f"unknown top-level keys {sorted(map(str, unknown))} (expected {sorted(_SECTIONS)})")
    modules = data.get("modules") or {}
    if not isinstance(modules, dict):
        raise _fail(file, None, "'modules' must map torch module names to paddle module names")
    for torch_module, paddle_module in modules.items():  # the paddle name is written into import lines
        if not (_is_dotted(torch_module, torch_side=True) and _is_dotted(paddle_module)):
            raise _fail(file, None, "'modules' must map torch module names to paddle module names (dotted names), "
                                    f"got {_short(torch_module)}: {_short(paddle_module)}")
    tables.modules.update(modules)
    for section in ("apis", "methods"):
        raw_entries = data.get(section) or {}
        if not isinstance(raw_entries, dict):
            raise _fail(file, None, f"'{section}' must be a mapping of entry name to entry")
        for name, raw in raw_entries.items():
            try:
                entry = _parse_entry(name, raw, file, section, rewrites)
            except TableError:
                raise
            except (TypeError, ValueError, AttributeError, LookupError, RecursionError) as exc:
                # a last line of defence: whatever the checks above missed is still the table's fault
                detail = str(exc)
                detail = detail if len(detail) <= 200 else detail[:200] + "..."
                raise _fail(file, name if isinstance(name, str) else _short(name),
                            f"malformed entry: {type(exc).__name__}: {detail}") from None
            if section == "apis":
                for key in (name, *entry.aliases):
                    tables.apis[key] = entry
            else:
                bucket = tables.methods.setdefault(entry.method_name, [])
                bucket[:] = [e for e in bucket if e.name != name] + [entry]
    tables.files.append(file)


def _name_list(file: str) -> frozenset[str]:
    try:
        lines = (BUILTIN_DIR / file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@functools.lru_cache(maxsize=1)
def torch_only_dtype_names() -> frozenset[str]:
    """torch.dtype attributes Paddle's dtypes lack (``x.dtype.itemsize``, ``torch.float32.is_floating_point``):
    marked where the receiver is a dtype (``<expr>.dtype``, a torch dtype), never written as Paddle's."""
    return _name_list("torch_only_dtype_names.txt")


@functools.lru_cache(maxsize=1)
def torch_only_tensor_names() -> frozenset[str]:
    """torch.Tensor methods and properties Paddle's Tensor lacks (``mappings/torch_only_tensor_names.txt``,
    generated from both frameworks by ``tools/torch_only_tensor_names.py``).  A call or attribute with one of
    these names on a receiver that may be a tensor, and no table entry for it, is marked unsupported rather
    than passed through: it would fail in Paddle, or run something else on an object that has the name."""
    return frozenset(name.removesuffix("()") for name in _name_list("torch_only_tensor_names.txt"))


@functools.lru_cache(maxsize=1)
def torch_only_tensor_methods() -> frozenset[str]:
    """Those of ``torch_only_tensor_names`` that are methods (written ``name()`` in the list): only a call of
    one is a tensor use; ``args.xpu`` (an argparse flag) is not."""
    return frozenset(name[:-2] for name in _name_list("torch_only_tensor_names.txt") if name.endswith("()"))


def builtin_table_paths() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.yaml"))


def _cache_path(paths: list[Path]) -> Path:
    digest = hashlib.sha256()
    # the schema code is part of the key: a cache pickled by another version must not be reused
    for code in (Path(__file__), Path(__file__).parent / "rewrites"):
        for p in sorted(code.glob("*.py")) if code.is_dir() else [code]:
            st = p.stat()
            digest.update(f"{p}\0{st.st_mtime_ns}\0{st.st_size}\0".encode())
    for p in paths:
        st = p.stat()
        digest.update(f"{p}\0{st.st_mtime_ns}\0{st.st_size}\0".encode())
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "torch2paddle"
    return base / f"tables-{digest.hexdigest()[:20]}.pickle"


def load_tables(extra: Iterable[str | os.PathLike] = (), use_cache: bool = True) -> Tables:
    """Load the built-in tables, then each user table in order (later entries win).

    The built-in tables are cached in compiled (pickled) form keyed by their
    paths, sizes and modification times, so start-up does not parse YAML.
    """
    from .rewrites import REWRITE_KINDS  # imported here: rewrites import nothing from tables at load

    names = dict(REWRITE_KINDS)
    paths = builtin_table_paths()
    tables: Tables | None = None
    cache = _cache_path(paths) if use_cache and paths else None
    if cache is not None and cache.exists():
        try:
            with cache.open("rb") as fh:
                tables = pickle.load(fh)
        except Exception:  # a stale or corrupt cache is simply rebuilt
            tables = None
    if tables is None:
        tables = Tables()
        for path in paths:
            merge_table(tables, path, _read_yaml(path), names)
        if cache is not None:
            _write_cache(cache, tables)
    for extra_path in extra:
        path = Path(extra_path)
        if not path.is_file():
            raise _fail(str(path), None, "mapping file not found")
        merge_table(tables, path, _read_yaml(path), names)
    return tables


def _write_cache(cache: Path, tables: Tables) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(tables, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except OSError:
        pass  # caching is an optimisation only
