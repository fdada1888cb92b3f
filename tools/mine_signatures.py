"""Propose candidate mapping entries from torch and Paddle signatures (developer tool).

For every public callable of a torch namespace it looks for the Paddle counterpart by name
(``torch.nn.X`` <-> ``paddle.nn.X``, ``Conv2d`` -> ``Conv2D``, ``torch.x`` <-> ``paddle.x``,
``torch.Tensor.m`` <-> ``paddle.Tensor.m``), skips Paddle 3.3.1's torch-compat aliases in favour
of the canonical name (``paddle.cat`` -> ``paddle.concat``, ``paddle.nn.Conv2d`` -> ``Conv2D``),
matches parameters (same name, the usual renames such as dim->axis, input->x, eps->epsilon, the
``Alias: ``dim```` notes in Paddle's docstrings, then position and name similarity) and flags
defaults that differ.  The result is YAML on stdout in the table schema (mappings/README.md),
every entry marked ``# candidate: needs an example``: nothing it proposes may enter a table before
a differential example passes (tests/test_mapping_examples.py).

    python tools/mine_signatures.py torch.nn.functional --limit 50
    python tools/mine_signatures.py torch.nn --names Conv2d,BatchNorm2d
    python tools/mine_signatures.py torch.Tensor --limit 20 --include-existing
"""

from __future__ import annotations

import argparse
import ast
import difflib
import importlib
import inspect
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# torch parameter -> canonical Paddle parameter, when the Paddle signature has it
PARAM_RENAMES = {
    "input": ("x",), "self": ("x",), "other": ("y",), "dim": ("axis", "axes"), "dims": ("perm", "axis", "axes"),
    "eps": ("epsilon",), "keepdims": ("keepdim",), "size": ("shape",), "lr": ("learning_rate",),
    "params": ("parameters",), "bias": ("bias_attr",), "weight": ("weight_attr",), "tensors": ("x",),
    "A": ("x",), "B": ("y",), "ord": ("p",), "start_dim": ("start_axis",), "end_dim": ("stop_axis",),
    "mat2": ("y",), "exponent": ("y",), "target": ("label",), "betas": ("beta1",),
}
# torch parameters that are safe to drop (they change nothing but memory use or speed)
DROP_ALWAYS = {"inplace", "foreach", "fused", "non_blocking", "memory_format", "_stacklevel"}
# torch parameters Paddle handles elsewhere: unsupported unless they hold torch's default
ELSEWHERE = {
    "out": "Paddle returns a new tensor: assign the result instead of out=",
    "device": "place tensors with paddle.set_device / .to() instead",
    "layout": "Paddle tensors are always strided",
    "requires_grad": "set .stop_gradient = False on the result instead",
    "pin_memory": "Paddle has no pinned allocation flag here",
    "generator": "Paddle draws from the global generator (paddle.seed)",
    "dtype": "cast with .astype() / paddle.set_default_dtype instead",
}
# Paddle names that are torch-compat aliases although their object has the same __name__
KNOWN_COMPAT = {
    "paddle.permute": "paddle.transpose",
    "paddle.Tensor.permute": "paddle.Tensor.transpose",
    "paddle.nn.Layer.modules": "paddle.nn.Layer.sublayers",
    "paddle.nn.Layer.named_modules": "paddle.nn.Layer.named_sublayers",
    "paddle.optimizer.Optimizer.zero_grad": "paddle.optimizer.Optimizer.clear_grad",
    "paddle.Tensor.size": None,  # a property (numel) in Paddle, torch's size() is the shape
}
_COMPAT_DOC = re.compile(r"PyTorch[- ]compatible|compatible with PyTorch", re.I)
_ALIAS_DOC = re.compile(r"Alias(?:es)?\s*:\s*((?:``\w+``(?:\s*(?:,|and|or)\s*)?)+)")
_INTERNAL = re.compile(r"torch_function|dispatch|^assert_|^handle_|^has_")
_DOC_PARAM = re.compile(r"^\s+(\*{0,2}\w+)\s*\([^)]*\)\s*(?:,\s*optional)?\s*:")


@dataclass
class Param:
    name: str
    default: str | None  # source text; None: required
    kind: str  # "pos" (positional or keyword), "kw" (keyword-only), "var" (*args), "varkw" (**kwargs)


@dataclass
class Candidate:
    torch_name: str
    target: str | None = None
    args: list[str] = field(default_factory=list)
    target_args: list[str] | None = None
    rename: dict[str, str] = field(default_factory=dict)
    drop: list[str] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)
    unsupported_args: dict[str, Any] = field(default_factory=dict)  # name -> reason or {reason, allow}
    notes: list[str] = field(default_factory=list)
    compat_skipped: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- signatures


def _source(value: Any) -> str:
    if value is inspect.Parameter.empty:
        return None  # type: ignore[return-value]
    if isinstance(value, str):
        return repr(value)
    return repr(value)


def signature_params(obj: Any, drop_first: bool = False, name: str | None = None) -> list[Param] | None:
    """Parameters of a callable from inspect, else from the first ``name(...)`` line of its docstring."""
    target = obj.__init__ if inspect.isclass(obj) and _is_torch(obj) else obj
    params: list[Param] | None = None
    try:
        sig = inspect.signature(target)
        params = []
        for p in sig.parameters.values():
            kind = {p.VAR_POSITIONAL: "var", p.VAR_KEYWORD: "varkw", p.KEYWORD_ONLY: "kw"}.get(p.kind, "pos")
            params.append(Param(p.name, _source(p.default), kind))
        if inspect.isclass(obj) and _is_torch(obj) and params and params[0].name == "self":
            params = params[1:]
    except (TypeError, ValueError):
        params = _doc_signature(obj, name)
    if params is None:
        return None
    if drop_first and params and params[0].kind == "pos":
        params = params[1:]
    return params


def _is_torch(obj: Any) -> bool:
    return (getattr(obj, "__module__", "") or "").startswith("torch")


def _doc_signature(obj: Any, name: str | None = None) -> list[Param] | None:
    """The richest ``name(...)`` overload line of a torch docstring (torch.sum lists (input) and (input, dim, ...))."""
    doc = inspect.getdoc(obj) or ""
    name = name or getattr(obj, "__name__", "")
    pattern = re.compile(rf"^\s*(?:\.\. function:: )?(?:[\w.]*\.)?{re.escape(name)}\((.*)\)\s*(?:->.*)?$")
    best: list[Param] | None = None
    for line in doc.splitlines():
        match = pattern.match(line)
        if not match:
            continue
        try:
            tree = ast.parse(f"def f({match.group(1)}): pass")
        except SyntaxError:
            continue
        a = tree.body[0].args  # type: ignore[attr-defined]
        out: list[Param] = []
        positional = a.posonlyargs + a.args
        pad = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
        out += [Param(p.arg, ast.unparse(d) if d is not None else None, "pos") for p, d in zip(positional, pad)]
        if a.vararg:
            out.append(Param(a.vararg.arg, None, "var"))
        out += [Param(p.arg, ast.unparse(d) if d is not None else None, "kw") for p, d in zip(a.kwonlyargs, a.kw_defaults)]
        if a.kwarg:
            out.append(Param(a.kwarg.arg, None, "varkw"))
        if best is None or len(out) > len(best):
            best = out
    return best


def doc_aliases(obj: Any) -> dict[str, str]:
    """torch-style alias -> canonical parameter, from ``Alias: ``dim``.`` notes in a Paddle docstring."""
    doc = inspect.getdoc(obj) or ""
    out: dict[str, str] = {}
    current = None
    for line in doc.splitlines():
        m = _DOC_PARAM.match("    " + line) if line[:1] != " " else _DOC_PARAM.match(line)
        if m:
            current = m.group(1).lstrip("*")
        a = _ALIAS_DOC.search(line)
        if a and current:
            for alias in re.findall(r"``(\w+)``", a.group(1)):
                out[alias] = current
    return out


# --------------------------------------------------------------------------- names


def _resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def paddle_namespace(torch_namespace: str, modules: dict[str, str]) -> str:
    if torch_namespace == "torch.Tensor":
        return "paddle.Tensor"
    if torch_namespace in modules:
        return modules[torch_namespace]
    return "paddle" + torch_namespace[len("torch"):] if torch_namespace.startswith("torch") else torch_namespace


def name_candidates(name: str) -> list[str]:
    """Paddle spellings of a torch name, most likely first (Conv2d -> Conv2D)."""
    out = [name]
    fixed = re.sub(r"(\d)d\b", r"\1D", name)
    fixed = re.sub(r"(\d)d(?=[A-Z_]|$)", r"\1D", fixed)
    if fixed != name:
        out.insert(0, fixed)
    return out


def compat_reason(qualified: str, attr: str, obj: Any) -> str | None:
    """Why ``qualified`` is a torch-compat alias, or None when it looks canonical."""
    if qualified in KNOWN_COMPAT:
        return "known torch-compat alias"
    module = getattr(obj, "__module__", "") or ""
    if ".compat" in module or qualified.startswith("paddle.compat"):
        return "lives in paddle.compat"
    real = getattr(obj, "__name__", None)
    if isinstance(real, str) and real != attr and not real.startswith("_") and real not in ("wrapper", "inner", "decorated"):
        return f"alias of {real}"
    if isinstance(inspect.getattr_static(_resolve(qualified.rsplit(".", 1)[0]), attr, None), property):
        return "a property in Paddle"
    return None


def find_target(torch_name: str, paddle_ns: str) -> tuple[str | None, Any, list[str]]:
    """(canonical Paddle name, object, compat aliases skipped)."""
    try:
        namespace = _resolve(paddle_ns)
    except (ImportError, AttributeError):
        return None, None, []
    attr = torch_name.rsplit(".", 1)[1]
    skipped: list[str] = []
    for candidate in name_candidates(attr):
        obj = getattr(namespace, candidate, None)
        if obj is None or not callable(obj) and not isinstance(inspect.getattr_static(namespace, candidate, None), property):
            continue
        qualified = f"{paddle_ns}.{candidate}"
        why = compat_reason(qualified, candidate, obj)
        if why is None:
            return qualified, obj, skipped
        skipped.append(f"{qualified} ({why})")
        replacement = KNOWN_COMPAT.get(qualified)
        real = getattr(obj, "__name__", None)
        for alt in ([replacement] if replacement else []) + ([f"{paddle_ns}.{real}"] if isinstance(real, str) else []):
            try:
                alt_obj = _resolve(alt)
            except (ImportError, AttributeError):
                continue
            if compat_reason(alt, alt.rsplit(".", 1)[1], alt_obj) is None:
                return alt, alt_obj, skipped
    return None, None, skipped


# --------------------------------------------------------------------------- parameters


def _same_default(a: str | None, b: str | None) -> bool:
    if a == b:
        return True
    try:
        va, vb = ast.literal_eval(a), ast.literal_eval(b)  # type: ignore[arg-type]
    except (ValueError, SyntaxError, TypeError):
        return False
    if isinstance(va, bool) or isinstance(vb, bool):
        return type(va) is type(vb) and va == vb
    return va == vb


def _choose(tp: Param, index: int, paddle: dict[str, Param], positional: list[str], aliases: dict[str, str],
            taken: set[str], is_class: bool, compat: set[str]) -> tuple[str | None, str | None]:
    """(Paddle parameter for torch parameter ``tp``, note), preferring canonical names over compat ones.

    ``compat`` holds Paddle's torch-compat parameters: the ones after ``name`` (a canonical Paddle
    signature ends with ``name``), out/device/layout/requires_grad/... anywhere, and keyword-only dtype.
    """
    free = {n: p for n, p in paddle.items() if n not in taken}
    canonical = {n: p for n, p in free.items() if n not in compat}
    if tp.name in DROP_ALWAYS:
        return None, f"Paddle also takes `{tp.name}`: dropped anyway (it only changes memory use or speed)" if tp.name in free else None
    if tp.name in aliases and aliases[tp.name] in canonical:
        return aliases[tp.name], f"Paddle documents `{tp.name}` as an alias of `{aliases[tp.name]}`"
    for guess in PARAM_RENAMES.get(tp.name, ()):
        if guess in ("bias_attr", "weight_attr") and not is_class:
            continue
        if guess in canonical:
            note = f"Paddle also accepts `{tp.name}` (torch-compat keyword): emit `{guess}`" if tp.name in free else None
            return guess, note
    if tp.name in canonical:
        return tp.name, None
    if tp.name in free:
        return None, f"Paddle's `{tp.name}` is a torch-compat addition: treated as torch-only"
    if index < len(positional) and positional[index] in canonical:
        if difflib.SequenceMatcher(None, tp.name, positional[index]).ratio() >= 0.6:
            return positional[index], f"`{tp.name}` -> `{positional[index]}` matched by position and spelling: check"
    close = difflib.get_close_matches(tp.name, list(canonical), n=1, cutoff=0.75)
    if close:
        return close[0], f"`{tp.name}` -> `{close[0]}` matched by spelling only: check"
    return None, None


def _equivalent_default(torch_default: str | None, paddle_default: str | None, paddle_name: str) -> bool:
    if _same_default(torch_default, paddle_default):
        return True
    # ParamAttr arguments: torch's bias=True means "create the parameter", Paddle's None does the same
    return paddle_name.endswith("_attr") and torch_default == "True" and paddle_default == "None"


def match_params(torch_params: list[Param], paddle_params: list[Param], aliases: dict[str, str], is_class: bool) -> Candidate:
    cand = Candidate(torch_name="")
    paddle_by_name = {p.name: p for p in paddle_params if p.kind in ("pos", "kw") and p.name != "name"}
    paddle_positional = [p.name for p in paddle_params if p.kind == "pos" and p.name != "name"]
    names = [p.name for p in paddle_params]
    after_name = set(names[names.index("name") + 1:]) if "name" in names else set()
    compat = after_name | {p.name for p in paddle_params if p.name in ELSEWHERE and (p.kind == "kw" or p.name != "dtype")}
    taken: set[str] = set()
    for index, tp in enumerate(torch_params):
        if tp.kind in ("var", "varkw"):
            cand.notes.append(f"torch takes {'*' if tp.kind == 'var' else '**'}{tp.name}: check how Paddle takes it")
            continue
        cand.args.append(tp.name)
        choice, note = _choose(tp, index, paddle_by_name, paddle_positional, aliases, taken, is_class, compat)
        if note:
            cand.notes.append(note)
        if choice is None:
            if tp.name in DROP_ALWAYS:
                cand.drop.append(tp.name)
            elif tp.name in ELSEWHERE:
                cand.drop.append(tp.name)
                cand.unsupported_args[tp.name] = {"reason": ELSEWHERE[tp.name], "allow": tp.default or "None"}
            else:
                cand.unsupported_args[tp.name] = "TODO: no Paddle parameter found; drop only if that is safe"
            continue
        taken.add(choice)
        pp = paddle_by_name[choice]
        if choice != tp.name:
            cand.rename[tp.name] = choice
        if tp.default is not None and not _equivalent_default(tp.default, pp.default, choice):
            cand.defaults[tp.name] = tp.default
            cand.notes.append(f"default of {tp.name}: torch {tp.default}, paddle {pp.default}")
    kept = [cand.rename.get(a, a) for a in cand.args if a not in cand.drop and a not in cand.unsupported_args]
    if kept[: len(paddle_positional)] != paddle_positional[: len(kept)]:
        cand.target_args = paddle_positional
    return cand


# --------------------------------------------------------------------------- mining


def torch_names(namespace: str, names: list[str] | None) -> list[str]:
    obj = _resolve(namespace)
    if names:
        return [f"{namespace}.{n}" for n in names]
    if namespace == "torch.Tensor":
        pool = [n for n in dir(obj) if not n.startswith("_")]
    else:
        pool = list(getattr(obj, "__all__", None) or [n for n in dir(obj) if not n.startswith("_")])
    functional = namespace != "torch.Tensor" and namespace.rsplit(".", 1)[-1] != "nn"
    out = []
    for n in sorted(dict.fromkeys(pool)):
        value = getattr(obj, n, None)
        if not callable(value) or inspect.ismodule(value) or _INTERNAL.search(n):
            continue
        module = getattr(value, "__module__", None) or ""
        if namespace != "torch.Tensor" and module and not module.startswith("torch"):
            continue  # typing helpers and other re-exports
        if functional and inspect.isclass(value):
            continue  # a function namespace re-exporting classes (torch.nn.functional.Tensor)
        out.append(f"{namespace}.{n}")
    return out


def mine_one(torch_name: str, modules: dict[str, str]) -> Candidate:
    namespace, _, attr = torch_name.rpartition(".")
    is_method = namespace == "torch.Tensor"
    torch_obj = _resolve(torch_name)
    target, paddle_obj, skipped = find_target(torch_name, paddle_namespace(namespace, modules))
    if target is None:
        cand = Candidate(torch_name, compat_skipped=skipped)
        cand.notes.append("no canonical Paddle counterpart found by name: map by hand or mark unsupported")
        return cand
    is_class = inspect.isclass(torch_obj)
    tparams = signature_params(torch_obj, name=attr)
    pparams = signature_params(paddle_obj, drop_first=is_method)
    if tparams is None or pparams is None:
        cand = Candidate(torch_name, target=target, compat_skipped=skipped)
        cand.notes.append("signature unavailable on the " + ("torch" if tparams is None else "paddle") + " side")
        return cand
    cand = match_params(tparams, pparams, doc_aliases(paddle_obj), is_class)
    cand.torch_name, cand.target, cand.compat_skipped = torch_name, target, skipped
    if is_method:
        cand.target_args = None if cand.target_args is None else cand.target_args
    return cand


def mine(namespace: str, limit: int | None = None, names: list[str] | None = None, include_existing: bool = False) -> list[Candidate]:
    from torch2paddle.tables import load_tables

    tables = load_tables()
    existing = set(tables.apis) | {e.name for es in tables.methods.values() for e in es}
    out = []
    for torch_name in torch_names(namespace, names):
        if not include_existing and torch_name in existing:
            continue
        try:
            out.append(mine_one(torch_name, tables.modules))
        except Exception as exc:  # a tool: report and go on
            cand = Candidate(torch_name)
            cand.notes.append(f"mining failed: {type(exc).__name__}: {exc}")
            out.append(cand)
        if limit and len(out) >= limit:
            break
    return out


# --------------------------------------------------------------------------- output


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _yaml_scalar(text: str) -> str:
    if re.fullmatch(r"[\w.+-]+", text) and text not in ("yes", "no", "on", "off", "null", "~"):
        return text
    return "'" + text.replace("'", "''") + "'"


def render(candidates: list[Candidate]) -> str:
    lines = ["# Candidates from tools/mine_signatures.py: none of these may enter a table before its", "# differential example passes (tests/test_mapping_examples.py).", "apis:"]
    methods = ["methods:"]
    for c in candidates:
        block = methods if c.torch_name.startswith("torch.Tensor.") else lines
        block.append("  # candidate: needs an example")
        for skipped in c.compat_skipped:
            block.append(f"  # skipped torch-compat alias: {skipped}")
        for note in c.notes:
            block.append(f"  # {note}")
        if c.target is None:
            block.append(f"  # {c.torch_name}: no candidate")
            continue
        block.append(f"  {c.torch_name}:")
        block.append(f"    target: {c.target}")
        if c.args:
            block.append(f"    args: {_flow(c.args)}")
        if c.target_args is not None:
            block.append(f"    target_args: {_flow(c.target_args)}")
        if c.rename:
            block.append("    rename: {" + ", ".join(f"{k}: {v}" for k, v in c.rename.items()) + "}")
        if c.drop:
            block.append(f"    drop: {_flow(c.drop)}")
        if c.defaults:
            block.append("    defaults: {" + ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in c.defaults.items()) + "}")
        if c.unsupported_args:
            block.append("    unsupported_args:")
            for k, why in c.unsupported_args.items():
                if isinstance(why, dict):
                    block.append(f"      {k}: {{reason: {_yaml_scalar(why['reason'])}, allow: [{why['allow']}]}}")
                else:
                    block.append(f"      {k}: {_yaml_scalar(why)}")
        block.append("    examples: []  # TODO: an executable example comparing torch and the conversion")
    out = lines if len(lines) > 3 else lines[:2]
    if len(methods) > 1:
        out += methods
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("namespace", help="torch namespace: torch, torch.nn, torch.nn.functional, torch.linalg, torch.Tensor, ...")
    parser.add_argument("--limit", type=int, default=None, help="stop after this many candidates")
    parser.add_argument("--names", default="", help="comma-separated names inside the namespace (default: all public callables)")
    parser.add_argument("--include-existing", action="store_true", help="also propose names the tables already map")
    args = parser.parse_args(argv)
    import warnings

    warnings.filterwarnings("ignore")
    names = [n.strip() for n in args.names.split(",") if n.strip()] or None
    sys.stdout.write(render(mine(args.namespace, args.limit, names, args.include_existing)))


if __name__ == "__main__":
    main()
