"""Load and validate the YAML API-mapping tables (schema: mappings/README.md).

The tables are data: every entry says how one torch API becomes Paddle.  This
module turns them into immutable ``ApiEntry`` objects and rejects malformed
entries with the file, the entry name and the reason.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

# yaml is imported only when a table is read: start-up loads the compiled (pickled) tables

def _builtin_dir() -> Path:
    installed = Path(__file__).resolve().parent / "mappings"  # wheel: torch2paddle/mappings
    return installed if installed.is_dir() else Path(__file__).resolve().parent.parent / "mappings"


BUILTIN_DIR = _builtin_dir()
RECEIVERS = ("any", "tensor", "module", "optimizer")
_ENTRY_KEYS = {
    "target", "kind", "args", "target_args", "rename", "drop", "values",
    "defaults", "add", "unsupported", "unsupported_args", "rewrite", "aliases",
    "receiver", "note", "examples", "result_fields", "torch_init",
}
_EXAMPLE_KEYS = {"code", "compare", "inputs", "layers", "atol", "rtol", "setup", "note", "expect_unsupported",
                 "torch_init"}
_SECTIONS = {"area", "modules", "apis", "methods"}


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


def _fail(file: str, entry: str | None, reason: str) -> TableError:
    return TableError(file, entry, reason)


def _str_list(value: Any, file: str, name: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(file, name, f"'{key}' must be a list of names, got {value!r}")
    return tuple(value)


def _str_map(value: Any, file: str, name: str, key: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(file, name, f"'{key}' must be a mapping, got {type(value).__name__}")
    out = {}
    for k, v in value.items():
        if not isinstance(k, str):
            raise _fail(file, name, f"'{key}' has a non-string key {k!r}")
        if isinstance(v, bool) or v is None:
            v = repr(v)  # YAML true/null -> Python source True/None
        elif isinstance(v, (int, float)):
            v = repr(v)
        if not isinstance(v, str):
            raise _fail(file, name, f"'{key}.{k}' must be a string or literal, got {v!r}")
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
            raise _fail(file, name, f"example {i} has unknown keys {sorted(unknown)}")
        compare = _str_list(ex.get("compare"), file, name, "compare")
        if not compare and not ex.get("expect_unsupported"):
            raise _fail(file, name, f"example {i} names no results to 'compare'")
        out.append(
            Example(
                code=str(ex["code"]),
                compare=compare,
                inputs=_str_map(ex.get("inputs"), file, name, "inputs"),
                layers=_str_list(ex.get("layers"), file, name, "layers"),
                setup=str(ex.get("setup", "")),
                atol=float(ex.get("atol", 1e-6)),
                rtol=float(ex.get("rtol", 1e-5)),
                expect_unsupported=bool(ex.get("expect_unsupported", False)),
                torch_init=bool(ex.get("torch_init", False)),
            )
        )
    return tuple(out)


def _parse_entry(name: str, raw: Any, file: str, section: str, rewrites: frozenset[str]) -> ApiEntry:
    if not isinstance(name, str) or "." not in name:
        raise _fail(file, str(name), "entry names must be dotted torch names")
    if raw is None:
        raw = {}
    if isinstance(raw, str):  # shorthand: `torch.nn.ReLU6: paddle.nn.ReLU6`
        raw = {"target": raw}
    if not isinstance(raw, dict):
        raise _fail(file, name, "entry must be a mapping or a target string")
    unknown = set(raw) - _ENTRY_KEYS
    if unknown:
        raise _fail(file, name, f"unknown keys {sorted(unknown)}")
    target = raw.get("target")
    unsupported = raw.get("unsupported")
    if target is None and unsupported is None:
        raise _fail(file, name, "needs a 'target' or an 'unsupported' reason")
    if target is not None and (not isinstance(target, str) or not target):
        raise _fail(file, name, f"'target' must be a dotted name, got {target!r}")
    if section == "methods":
        if not name.startswith(("torch.Tensor.", "torch.nn.Module.", "torch.optim.Optimizer.")):
            raise _fail(file, name, "method entries are named torch.Tensor.<m>, torch.nn.Module.<m> or torch.optim.Optimizer.<m>")
    rewrite = raw.get("rewrite")
    if rewrite is not None and rewrite not in rewrites:
        raise _fail(file, name, f"names unknown rewrite {rewrite!r} (known: {', '.join(sorted(rewrites))})")
    torch_init = raw.get("torch_init")
    if torch_init is not None and torch_init not in rewrites:
        raise _fail(file, name, f"'torch_init' names unknown rewrite {torch_init!r}")
    receiver = raw.get("receiver", "any")
    if receiver not in RECEIVERS:
        raise _fail(file, name, f"'receiver' must be one of {RECEIVERS}")
    kind = raw.get("kind", "callable")
    if kind not in ("callable", "attribute"):
        raise _fail(file, name, "'kind' must be 'callable' or 'attribute'")
    args = _str_list(raw.get("args"), file, name, "args")
    rename = _str_map(raw.get("rename"), file, name, "rename")
    drop = _str_list(raw.get("drop"), file, name, "drop")
    values = _str_map(raw.get("values"), file, name, "values")
    for arg, value_rewrite in values.items():
        if value_rewrite not in rewrites:
            raise _fail(file, name, f"'values.{arg}' names unknown rewrite {value_rewrite!r}")
    defaults = _str_map(raw.get("defaults"), file, name, "defaults")
    for source in list(defaults.values()) + list(_str_map(raw.get("add"), file, name, "add").values()):
        try:
            compile(source, "<default>", "eval")
        except SyntaxError:
            raise _fail(file, name, f"default/add value {source!r} is not a Python expression") from None
    raw_unsup = raw.get("unsupported_args") or {}
    if not isinstance(raw_unsup, dict):
        raise _fail(file, name, "'unsupported_args' must be a mapping")
    unsupported_args: dict[str, dict[str, Any]] = {}
    for arg, spec in raw_unsup.items():
        if isinstance(spec, str):
            spec = {"reason": spec}
        if not isinstance(spec, dict) or "reason" not in spec:
            raise _fail(file, name, f"'unsupported_args.{arg}' must be a reason or {{reason, allow}}")
        unknown_spec = set(spec) - {"reason", "allow", "deny"}
        if unknown_spec:
            raise _fail(file, name, f"'unsupported_args.{arg}' has unknown keys {sorted(unknown_spec)}")
        literal = lambda v: repr(v) if not isinstance(v, str) else v  # noqa: E731 - YAML scalars -> source
        unsupported_args[arg] = {
            "reason": str(spec["reason"]),
            "allow": tuple(literal(v) for v in (spec.get("allow") or [])),
            "deny": tuple(literal(v) for v in (spec.get("deny") or [])),
        }
    return ApiEntry(
        name=name,
        table=file,
        section=section,
        target=target,
        kind=kind,
        args=args,
        target_args=_str_list(raw["target_args"], file, name, "target_args") if "target_args" in raw else None,
        rename=rename,
        drop=drop,
        values=values,
        defaults=defaults,
        add=_str_map(raw.get("add"), file, name, "add"),
        unsupported=str(unsupported) if unsupported is not None else None,
        unsupported_args=unsupported_args,
        rewrite=rewrite,
        aliases=_str_list(raw.get("aliases"), file, name, "aliases"),
        receiver=receiver,
        note=str(raw.get("note", "")),
        examples=_parse_examples(raw.get("examples"), file, name),
        result_fields=_str_list(raw.get("result_fields"), file, name, "result_fields"),
        torch_init=torch_init,
    )


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(str(path), None, f"cannot read: {exc.strerror}") from None
    import yaml

    try:  # the C loader is ~10x faster; fall back quietly where it is missing
        from yaml import CSafeLoader as loader
    except ImportError:  # pragma: no cover
        from yaml import SafeLoader as loader  # type: ignore[assignment]
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise _fail(str(path), None, f"invalid YAML: {exc}") from None


def merge_table(tables: Tables, path: Path, data: Any, rewrites: frozenset[str]) -> None:
    """Validate one table's data and merge it; later tables override earlier entries."""
    file = str(path)
    if data is None:
        return
    if not isinstance(data, dict):
        raise _fail(file, None, "a table must be a mapping with 'apis', 'methods' or 'modules'")
    unknown = set(data) - _SECTIONS
    if unknown:
        raise _fail(file, None, f"unknown top-level keys {sorted(unknown)} (expected {sorted(_SECTIONS)})")
    modules = data.get("modules") or {}
    if not isinstance(modules, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in modules.items()):
        raise _fail(file, None, "'modules' must map torch module names to paddle module names")
    tables.modules.update(modules)
    for section in ("apis", "methods"):
        raw_entries = data.get(section) or {}
        if not isinstance(raw_entries, dict):
            raise _fail(file, None, f"'{section}' must be a mapping of entry name to entry")
        for name, raw in raw_entries.items():
            entry = _parse_entry(name, raw, file, section, rewrites)
            if section == "apis":
                for key in (name, *entry.aliases):
                    tables.apis[key] = entry
            else:
                bucket = tables.methods.setdefault(entry.method_name, [])
                bucket[:] = [e for e in bucket if e.name != name] + [entry]
    tables.files.append(file)


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
    from .rewrites import REWRITES  # imported here: rewrites import nothing from tables at load

    names = frozenset(REWRITES)
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
