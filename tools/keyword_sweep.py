"""Re-run the tables' examples in other spellings of the same calls (developer tool).

Per-API test suites of other converters call each API every way torch allows: every argument by
keyword with torch's own parameter names (``torch.sum(input=x, dim=1, keepdim=True)``,
``x.transpose(dim0=0, dim1=1)``) and torch's defaults written out (``dtype=None``, ``out=None``,
``keepdim=False``).  Our examples mostly use one spelling.  For every table entry with examples this
tool derives two variants of each example (setup and code) in which every call of the entry's API is
rewritten:

* ``keywords``: every positional argument passed by keyword, named by torch's real signature
  (``inspect.signature``; for C builtins, whose signature inspect cannot read, the ``name(...)``
  overload lines of the docstring, the overload chosen per call by running torch; positional
  arguments gathered by ``*size``/``*shape`` are passed as one tuple, ``torch.zeros(size=(2, 3))``);
* ``defaults``: the same plus torch's defaults for the omitted parameters, where the signature gives
  a plain literal (``None``, ``False``, ``1``, ``'mean'``).

A variant must first run under torch and give the example's results (else it is not a valid
spelling: ``torch_fails`` / ``torch_differs``, skipped).  Then it goes through the runner of
``tests/test_mapping_examples.py`` (convert, run both frameworks, compare) and is classified:

* ``passed``: converted and equal;
* ``refused``: the converter reports an unsupported use, or the run-time adapter refuses a keyword's value
  (a lost case, but honest);
* ``FAILED``: converted without a marker, and the Paddle run raises or differs (a bug: at best a late
  error, at worst a silently different result);
* ``unrefused``: the example expects a refusal, the variant was converted and agrees (check it);
* ``baseline_fails``: the variant fails, but so does the example as written (not a spelling bug).

Calls that cannot be spelled by keyword (``*args`` of a Python function, positional-only
parameters, a parameter named by a Python keyword, ``*``/``**`` unpacking) stay as written.

    python tools/keyword_sweep.py                          # every table: ~3 minutes on one core
    python tools/keyword_sweep.py --tables creation_math.yaml --only torch.sum,torch.mean
    python tools/keyword_sweep.py --reordered --out /tmp/keyword_sweep.json --jobs 2

It prints a summary per table and the FAILED/unrefused variants, writes every variant (table, entry,
example, variant, status, setup, code, runner message) as JSON, and exits 1 when one FAILED.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import inspect
import io
import json
import keyword
import os
import re
import signal
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libcst as cst

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import mapping_examples as mx  # noqa: E402  (tests/, the runner of test_mapping_examples.py)

STATUSES = ("passed", "refused", "FAILED", "unrefused", "baseline_fails", "torch_fails", "torch_differs")


# --------------------------------------------------------------------------- torch signatures


@dataclass(frozen=True)
class Param:
    name: str
    default: str | None  # source text of the default; None: required
    kind: str  # "pos" (positional or keyword), "kw" (keyword-only), "var" (*args), "varkw" (**kwargs)


Signature = tuple[Param, ...]

# The docstrings name ``*size``/``*shape``/``*dims`` loosely (``view(*shape)``, whose keyword is ``size``):
# the keyword torch's argument parser really takes is one of these, found by running torch
VAR_KEYWORDS = ["size", "shape", "dims", "repeats"]


def _default_source(value: Any) -> str | None:
    """The source text of a plain literal default, else None (``torch.strided``, objects)."""
    if value is inspect.Parameter.empty:
        return None
    text = repr(value)
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return "<non-literal>"
    return text


def _inspected(obj: Any, is_method: bool) -> list[Signature] | None:
    """[signature] from inspect; [] when unusable (positional-only parameters); None when unreadable."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    kinds = {inspect.Parameter.VAR_POSITIONAL: "var", inspect.Parameter.VAR_KEYWORD: "varkw",
             inspect.Parameter.KEYWORD_ONLY: "kw"}
    params = list(sig.parameters.values())
    if is_method and params and params[0].name == "self":
        params = params[1:]
    if all(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params) and params:
        return None  # a (*args, **kwargs) wrapper: the docstring says more
    if any(p.kind == p.POSITIONAL_ONLY for p in params):
        return []
    return [tuple(Param(p.name, _default_source(p.default), kinds.get(p.kind, "pos")) for p in params)]


def _doc_overloads(obj: Any, short: str) -> list[Signature]:
    """Every ``short(...)`` overload line of a torch docstring (torch.sum has two, torch.max three)."""
    doc = inspect.getdoc(obj) or ""
    pattern = re.compile(rf"^\s*(?:\.\. function:: )?(?:[\w.]*\.)?{re.escape(short)}\((.*)\)\s*(?:->.*)?$")
    out: list[Signature] = []
    for line in doc.splitlines():
        match = pattern.match(line)
        if not match:
            continue
        text = re.sub(r"(\*\w+\s*),\s*\*\s*(,|$)", r"\1\2", match.group(1).replace("\\*", "*"))  # "*size, *, ...": one star
        try:
            args = ast.parse(f"def f({text}): pass").body[0].args  # type: ignore[attr-defined]
        except SyntaxError:
            continue
        positional = args.posonlyargs + args.args
        pad = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        params = [Param(a.arg, _literal(d), "pos") for a, d in zip(positional, pad)]
        if args.vararg:
            params.append(Param(args.vararg.arg, None, "var"))
        params += [Param(a.arg, _literal(d), "kw") for a, d in zip(args.kwonlyargs, args.kw_defaults)]
        if args.kwarg:
            params.append(Param(args.kwarg.arg, None, "varkw"))
        if tuple(params) not in out:
            out.append(tuple(params))
    return out


def _literal(node: ast.expr | None) -> str | None:
    if node is None:
        return None
    text = ast.unparse(node)
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return "<non-literal>"
    return text


def _schema_overloads(short: str, is_method: bool) -> list[Signature]:
    """The ATen schemas of ``aten::<short>`` (builtins without a docstring: ``torch.detach_``), named as
    Python binds them: ``self`` is the receiver of a method and ``input`` of a function; the ``out``
    overloads are the plain ones with ``out=None``."""
    import torch

    try:
        schemas = torch._C._jit_get_schemas_for_operator(f"aten::{short}")
    except RuntimeError:
        return []
    out: list[Signature] = []
    for schema in schemas:
        if schema.overload_name.endswith("out") or any(a.name in ("values", "indices") for a in schema.arguments):
            continue
        params = []
        for a in schema.arguments:
            if a.name == "self" and is_method:
                continue
            default = _default_source(a.default_value) if a.has_default_value() else None
            params.append(Param("input" if a.name == "self" else a.name, default, "kw" if a.kwarg_only else "pos"))
        if tuple(params) not in out:
            out.append(tuple(params))
    return out


def torch_signatures(entry: mx.ApiEntry) -> tuple[list[Signature], str]:
    """The entry's torch signatures and where they come from (``inspect``, ``docstring``, ``schema``, or
    why there are none)."""
    try:
        obj = mx.resolve(entry.name)  # torch's object (the examples' runner resolves names the same way)
    except (ImportError, AttributeError):
        return [], "not importable"
    found = _inspected(obj, entry.section == "methods")
    if found is not None:
        return found, "inspect" if found else "positional-only"
    short = entry.name.rpartition(".")[2]
    overloads = _doc_overloads(obj, short)
    if overloads:
        return overloads, "docstring"
    overloads = _schema_overloads(short, entry.section == "methods")
    return overloads, "schema" if overloads else "unreadable"


# --------------------------------------------------------------------------- binding one call


@dataclass(frozen=True)
class Spelling:
    keywords: tuple[tuple[str, cst.BaseExpression], ...]  # positional arguments, now named
    defaults: tuple[tuple[str, str], ...]  # omitted parameters with a literal default


def bind(sig: Signature, positional: list[cst.BaseExpression], given: set[str], var_name: str) -> Spelling | None:
    """The call's positional arguments named by ``sig`` (those gathered by ``*args`` passed as one
    ``var_name=``), or None where ``sig`` does not fit the call."""
    pos = [p for p in sig if p.kind == "pos"]
    var = next((p for p in sig if p.kind == "var"), None)
    if len(positional) > len(pos) and var is None:
        return None
    named = [(p.name, value) for p, value in zip(pos, positional)]
    rest = positional[len(pos):]
    if rest:
        if var.default is not None or keyword.iskeyword(var.name):
            return None
        packed = rest[0] if len(rest) == 1 else cst.Tuple([cst.Element(v) for v in rest])
        named.append((var_name, packed))
    bound = {n for n, _ in named}
    # keywords the call already passes are valid (torch runs it), even where a docstring omits them
    if bound & given or any(keyword.iskeyword(n) for n in bound):
        return None
    required = {p.name for p in sig if p.kind in ("pos", "kw") and p.default is None}
    if not required <= bound | given:
        return None
    defaults = tuple((p.name, p.default) for p in sig if p.kind in ("pos", "kw") and p.name not in bound | given
                     and p.default not in (None, "<non-literal>") and not keyword.iskeyword(p.name))
    return Spelling(tuple(named), defaults)


def spellings(sigs: list[Signature], call: cst.Call) -> list[Spelling]:
    """Every distinct way the signatures name this call's arguments (none: leave the call as written)."""
    if any(a.star for a in call.args):
        return []
    positional = [a.value for a in call.args if a.keyword is None]
    given = {a.keyword.value for a in call.args if a.keyword is not None}
    out: list[Spelling] = []
    seen: set[str] = set()
    for sig in sigs:
        var = [p.name for p in sig if p.kind == "var"]
        for var_name in dict.fromkeys(var + VAR_KEYWORDS if var and len(sigs) == 1 and var[0] in VAR_KEYWORDS
                                      else var or [""]):
            spelled = bind(sig, positional, given, var_name)
            if spelled is None:
                continue
            key = repr([(n, cst.Module([]).code_for_node(v)) for n, v in spelled.keywords]) + repr(spelled.defaults)
            if key not in seen:
                seen.add(key)
                out.append(spelled)
    return out


def respell(call: cst.Call, spelled: Spelling, mode: str) -> cst.Call:
    """The call with its positional arguments named; ``defaults``: with the defaults written out;
    ``reordered``: every keyword in reverse order (a rewrite must read keywords by name, not place)."""
    def arg(name: str, value: cst.BaseExpression) -> cst.Arg:
        return cst.Arg(value, keyword=cst.Name(name), equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))

    kept = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in call.args if a.keyword is not None]
    args = [arg(n, v) for n, v in spelled.keywords] + kept
    if mode == "defaults":
        args += [arg(n, cst.parse_expression(text)) for n, text in spelled.defaults]
    if mode == "reordered":
        args = args[::-1]
    return call.with_changes(args=args, whitespace_before_args=cst.SimpleWhitespace(""))


# --------------------------------------------------------------------------- finding the entry's calls


def _dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr.value}" if head else None
    return None


def _imports(source: str) -> dict[str, str]:
    """local name -> torch module or object it names (``F`` -> ``torch.nn.functional``)."""
    names: dict[str, str] = {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return names
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    names[a.asname] = a.name
                else:
                    names[a.name.split(".")[0]] = a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                names[a.asname or a.name] = f"{node.module}.{a.name}"
    return names


class CallMatcher:
    """Is a call one of the entry's API (by qualified name, or a method call on a non-module receiver)?"""

    def __init__(self, entry: mx.ApiEntry, source: str):
        self.imports = _imports(source)
        self.is_method = entry.section == "methods"
        self.short = entry.name.rpartition(".")[2]
        self.names = {entry.name, *entry.aliases}

    def qualified(self, node: cst.BaseExpression) -> str | None:
        dotted = _dotted(node)
        if not dotted:
            return None
        head, _, tail = dotted.partition(".")
        if head not in self.imports:
            return None
        return self.imports[head] + (f".{tail}" if tail else "")

    def __call__(self, call: cst.Call) -> bool:
        if self.is_method:
            func = call.func
            return (isinstance(func, cst.Attribute) and func.attr.value == self.short
                    and self.qualified(func.value) is None)
        return self.qualified(call.func) in self.names


class _Respeller(cst.CSTTransformer):
    """Rewrites the matching calls; ``choose(i)`` gives the spelling of the i-th (post-order) or None."""

    def __init__(self, matcher: CallMatcher, choose, mode: str):
        self.matcher, self.choose, self.mode = matcher, choose, mode
        self.count = 0

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if not self.matcher(original):
            return updated
        index, self.count = self.count, self.count + 1
        spelled = self.choose(index, updated)
        return respell(updated, spelled, self.mode) if spelled else updated


def call_options(entry: mx.ApiEntry, sigs: list[Signature], source: str) -> list[list[Spelling]]:
    """For each matching call of ``source`` (post-order), its possible spellings."""
    if not source:
        return []
    options: list[list[Spelling]] = []

    def collect(index, call):
        options.append(spellings(sigs, call))
        return None

    cst.parse_module(source).visit(_Respeller(CallMatcher(entry, source), collect, "keywords"))
    return options


def render(entry: mx.ApiEntry, source: str, choice: dict[int, Spelling], mode: str) -> str:
    if not source or not choice:
        return source
    module = cst.parse_module(source)
    return module.visit(_Respeller(CallMatcher(entry, source), lambda i, _c: choice.get(i), mode)).code


# --------------------------------------------------------------------------- running


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def _limit(seconds: int):
    def alarm(signum, frame):
        raise _Timeout(f"ran over {seconds}s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _torch_results(case: mx.ExampleCase) -> dict[str, Any] | str:
    """The torch run's compared values, or the error text."""
    try:
        ns = mx._run_torch(case, mx._Snippets(case.example.setup, case.example.code), mx._eval_inputs(case.example))
    except (mx.ExampleFailure, _Timeout) as exc:
        return str(exc).split("\n")[0]
    return {name: ns.get(name) for name in case.example.compare}


def _same_in_torch(reference: dict[str, Any], variant: dict[str, Any], example: mx.Example) -> str | None:
    for name, value in reference.items():
        problem = mx.compare_values(value, variant[name], example.rtol, example.atol, name)
        if problem:
            return problem
    return None


def _variant_case(case: mx.ExampleCase, setup: str, code: str, **changes) -> mx.ExampleCase:
    """The case with its example's setup and code replaced (same id in the runner's messages)."""
    examples = list(case.entry.examples)
    examples[case.index] = dataclasses.replace(case.example, setup=setup, code=code, **changes)
    return mx.ExampleCase(dataclasses.replace(case.entry, examples=tuple(examples)), case.index)


# a keyword the converter could not judge as written (`running_mean=rm`), refused by the run-time adapter
_RUNTIME_REFUSAL = re.compile(r'File "_torch2paddle_runtime\.py"[\s\S]*?TypeError: [\w.]+: \w+=[\s\S]*? has no Paddle equivalent')


def _outcome(case: mx.ExampleCase) -> tuple[str, str]:
    """Convert and run one example on both frameworks: (passed | refused | FAILED | unrefused, detail)."""
    try:
        mx.run_case(case)
        return ("refused" if case.example.expect_unsupported else "passed"), ""
    except mx.ExampleFailure as exc:
        text = str(exc)
    except _Timeout as exc:
        return "FAILED", str(exc)
    if "the conversion left unsupported uses" in text or _RUNTIME_REFUSAL.search(text):
        return "refused", text
    if "expect_unsupported, but the conversion reported no unsupported use" in text:
        status, detail = _outcome(_variant_case(case, case.example.setup, case.example.code, expect_unsupported=False))
        return ("unrefused" if status == "passed" else status), detail or "converted although the example expects a refusal"
    return "FAILED", text


def _runs_alike(case: mx.ExampleCase, reference: dict[str, Any], setup: str, code: str) -> bool:
    got = _torch_results(_variant_case(case, setup, code))
    return isinstance(got, dict) and _same_in_torch(reference, got, case.example) is None


def _choose(case: mx.ExampleCase, entry: mx.ApiEntry, reference: dict[str, Any],
            options: dict[str, list[list[Spelling]]]) -> dict[str, dict[int, Spelling]]:
    """One spelling per call.  Where a call has one, it is taken while the whole variant runs alike in
    torch; otherwise each call is tried alone, and keeps the first spelling torch runs to the same
    result (an overload of the docstring, a name for ``*size``), or stays as written."""
    first = {part: {i: s[0] for i, s in enumerate(calls) if len(s) == 1} for part, calls in options.items()}
    if all(len(s) <= 1 for calls in options.values() for s in calls):
        texts = {p: render(entry, getattr(case.example, p), first[p], "keywords") for p in ("setup", "code")}
        if _runs_alike(case, reference, texts["setup"], texts["code"]):
            return first
    choice: dict[str, dict[int, Spelling]] = {"setup": {}, "code": {}}
    for part, calls in options.items():
        for index, spelled in enumerate(calls):
            for candidate in spelled:
                texts = {p: getattr(case.example, p) for p in ("setup", "code")}
                texts[part] = render(entry, texts[part], {index: candidate}, "keywords")
                if _runs_alike(case, reference, texts["setup"], texts["code"]):
                    choice[part][index] = candidate
                    break
    return choice


def _accepted_defaults(case: mx.ExampleCase, entry: mx.ApiEntry, reference: dict[str, Any],
                       choice: dict[str, dict[int, Spelling]]) -> dict[str, dict[int, Spelling]]:
    """The choice with, per call, only the defaults torch takes alone with the same result (a docstring's
    default may be wrong: ``topk(dim=None)``); used where the variant with all of them fails in torch."""
    kept: dict[str, dict[int, Spelling]] = {"setup": {}, "code": {}}
    for part, calls in choice.items():
        for index, spelled in calls.items():
            good = []
            for default in spelled.defaults:
                texts = {p: getattr(case.example, p) for p in ("setup", "code")}
                texts[part] = render(entry, texts[part], {index: dataclasses.replace(spelled, defaults=(default,))},
                                     "defaults")
                if _runs_alike(case, reference, texts["setup"], texts["code"]):
                    good.append(default)
            kept[part][index] = dataclasses.replace(spelled, defaults=tuple(good))
    return kept


def _variants(case: mx.ExampleCase, entry: mx.ApiEntry, reference: dict[str, Any],
              choice: dict[str, dict[int, Spelling]], modes: tuple[str, ...]):
    """(mode, setup, code) of each distinct variant."""
    example = case.example
    seen = {(example.setup, example.code)}
    for mode in modes:
        texts = [render(entry, getattr(example, p), choice[p], mode) for p in ("setup", "code")]
        if mode == "defaults" and tuple(texts) not in seen and not _runs_alike(case, reference, *texts):
            choice = _accepted_defaults(case, entry, reference, choice)
            texts = [render(entry, getattr(example, p), choice[p], mode) for p in ("setup", "code")]
        if tuple(texts) not in seen:
            seen.add(tuple(texts))
            yield mode, texts[0], texts[1]


def sweep_example(case: mx.ExampleCase, sigs: list[Signature], timeout: int,
                  modes: tuple[str, ...] = ("keywords", "defaults")) -> list[dict[str, Any]]:
    entry, example = case.entry, case.example
    options = {p: call_options(entry, sigs, getattr(example, p)) for p in ("setup", "code")}
    if not any(any(o) for o in options.values()):
        return []
    with _limit(timeout * 4):
        reference = _torch_results(case)
        if isinstance(reference, str):
            return [_record(case, "original", "torch_fails", example.setup, example.code, reference)]
        choice = _choose(case, entry, reference, options)
        variants = list(_variants(case, entry, reference, choice, modes))
    records = []
    for mode, setup, code in variants:
        with _limit(timeout):
            status, detail = _classify(case, _variant_case(case, setup, code), reference)
        records.append(_record(case, mode, status, setup, code, detail))
    return records


def _classify(case: mx.ExampleCase, variant: mx.ExampleCase, reference: dict[str, Any]) -> tuple[str, str]:
    got = _torch_results(variant)
    if isinstance(got, str):
        return "torch_fails", got
    problem = _same_in_torch(reference, got, variant.example)
    if problem:
        return "torch_differs", problem
    status, detail = _outcome(variant)
    if status == "FAILED" and _outcome(case)[0] == "FAILED":
        return "baseline_fails", detail
    return status, detail


def _record(case: mx.ExampleCase, mode: str, status: str, setup: str, code: str, detail: str) -> dict[str, Any]:
    return {"table": case.table, "entry": case.entry.name, "example": case.index, "variant": mode,
            "status": status, "setup": setup, "code": code, "detail": detail[:4000]}


# --------------------------------------------------------------------------- driver


def select(tables: list[str] | None, only: list[str] | None) -> list[mx.ExampleCase]:
    cases = []
    for case in mx.cases():
        if tables and case.table not in tables:
            continue
        if only and case.entry.name not in only and not set(case.entry.aliases) & set(only):
            continue
        if case.entry.kind != "callable":
            continue
        cases.append(case)
    return cases


def sweep_cases(keys: list[tuple[str, str, int]], timeout: int, modes: tuple[str, ...]) -> list[dict[str, Any]]:
    """Worker: sweep the examples named (table, entry, index)."""
    mx.frameworks()
    by_key = {(c.table, c.entry.name, c.index): c for c in mx.cases()}
    records: list[dict[str, Any]] = []
    signatures: dict[str, tuple[list[Signature], str]] = {}
    for key in keys:
        case = by_key[key]
        if case.entry.name not in signatures:
            signatures[case.entry.name] = torch_signatures(case.entry)
        sigs, _source = signatures[case.entry.name]
        if not sigs:
            continue
        try:
            records += sweep_example(case, sigs, timeout, modes)
        except Exception as exc:  # a tool bug on one example must not end the sweep
            records.append(_record(case, "tool", "torch_fails", case.example.setup, case.example.code,
                                   f"sweep raised {type(exc).__name__}: {exc}"))
        print(f"  {case.id}: " + ", ".join(r["status"] for r in records if (r["table"], r["entry"], r["example"]) == key),
              file=sys.stderr, flush=True)
    return records


def run(cases: list[mx.ExampleCase], jobs: int, timeout: int, modes: tuple[str, ...]) -> list[dict[str, Any]]:
    keys = [(c.table, c.entry.name, c.index) for c in cases]
    if jobs <= 1:
        return sweep_cases(keys, timeout, modes)
    import multiprocessing

    chunks = [keys[i::jobs] for i in range(jobs)]
    pool = multiprocessing.get_context("spawn").Pool(jobs)
    try:
        parts = pool.starmap(sweep_cases, [(chunk, timeout, modes) for chunk in chunks])
    finally:  # close and join: terminating the workers sets off Paddle's fatal-signal report
        pool.close()
        pool.join()
    return [r for part in parts for r in part]


def summary(records: list[dict[str, Any]]) -> str:
    per_table: dict[str, Counter] = {}
    for r in records:
        per_table.setdefault(r["table"], Counter())[r["status"]] += 1
    width = max([len(t) for t in per_table] + [5])
    lines = [f"{'table':<{width}}  " + "  ".join(f"{s:>14}" for s in STATUSES)]
    total: Counter = Counter()
    for table, counts in sorted(per_table.items()):
        total.update(counts)
        lines.append(f"{table:<{width}}  " + "  ".join(f"{counts[s]:>14}" for s in STATUSES))
    lines.append(f"{'total':<{width}}  " + "  ".join(f"{total[s]:>14}" for s in STATUSES))
    for r in records:
        if r["status"] in ("FAILED", "unrefused"):
            lines.append(f"{r['status']}: {r['table']}::{r['entry']}[{r['example']}] {r['variant']}: {reason(r['detail'])}")
    return "\n".join(lines)


def reason(detail: str) -> str:
    """The line of a runner message that says what went wrong (the exception, the first difference)."""
    head, _, rest = detail.partition("\n")
    body = rest.split("\n  torch setup:")[0].split("\n  torch code:")[0].strip().split("\n")
    if "raised" in head and body:
        errors = [line.strip() for line in body if re.match(r"\s*[\w.]*(Error|Exception|Failure)\b", line)]
        return f"{head.partition(': ')[2]}: {(errors or body)[-1].strip()}"[:240]
    return f"{head.partition(': ')[2] or head}: {body[0].strip() if body else ''}"[:240]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", help="comma-separated table file names (creation_math.yaml,...)")
    parser.add_argument("--only", help="comma-separated entry names (torch.sum,torch.Tensor.transpose)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1: the CPU is shared)")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per variant")
    parser.add_argument("--out", default="/tmp/keyword_sweep.json", help="where the JSON list is written")
    parser.add_argument("--reordered", action="store_true",
                        help="also a variant with each rewritten call's keywords in reverse order")
    args = parser.parse_args(argv)
    split = (lambda text: [t.strip() for t in text.split(",") if t.strip()] if text else None)
    cases = select(split(args.tables), split(args.only))
    print(f"{len(cases)} examples", file=sys.stderr)
    modes = ("keywords", "defaults") + (("reordered",) if args.reordered else ())
    records = run(cases, args.jobs, args.timeout, modes)
    Path(args.out).write_text(json.dumps(records, indent=1))
    print(summary(records))
    print(f"{len(records)} variants written to {args.out}")
    return 1 if any(r["status"] == "FAILED" for r in records) else 0


if __name__ == "__main__":
    os.environ.setdefault("GLOG_minloglevel", "2")
    sys.exit(main())
