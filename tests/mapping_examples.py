"""Differential runner for the mapping tables' examples.

Every ``Example`` of every table entry is a test: its PyTorch snippet runs as
written, the converted snippet (``torch2paddle.convert_source``) runs under
Paddle, and the names listed in ``compare`` must agree (shape, dtype, values).

Semantics (see ``torch2paddle.tables.Example``):

* ``inputs``: name -> numpy expression, evaluated in order with ``np`` and a
  fresh ``rng = np.random.default_rng(0)`` in scope (earlier inputs visible to
  later ones).  Torch gets ``torch.from_numpy(arr.copy())``, Paddle gets
  ``paddle.to_tensor(arr)``; non-array values are passed as they are.
* ``setup``: PyTorch code run first (converted separately for Paddle); then
  for every name in ``layers`` the torch module's weights are copied into its
  Paddle twin with ``torch2paddle.weights.convert_state_dict``.
* ``code``: run after that, in the same namespace as ``setup``.
* ``expect_unsupported``: the conversion must report at least one unsupported
  use; only the torch side runs (the example must still be valid PyTorch).

torch, paddle and numpy are imported lazily, once per process, so collecting
the tests (and the fixture tests that share this directory) stays cheap.
"""

from __future__ import annotations

import math
import os
import re
import sys
import traceback
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from torch2paddle import convert_source
from torch2paddle.tables import ApiEntry, Example, Tables, load_tables

_TORCH_IMPORT = re.compile(r"^[ \t]*(?:import[ \t]+torch(?:vision)?\b|from[ \t]+torch(?:vision)?\b)", re.MULTILINE)


# --------------------------------------------------------------------------- collection


@dataclass(frozen=True)
class ExampleCase:
    """One example of one entry: the unit the test suite parametrises over."""

    entry: ApiEntry
    index: int

    @property
    def example(self) -> Example:
        return self.entry.examples[self.index]

    @property
    def table(self) -> str:
        return os.path.basename(self.entry.table)

    @property
    def id(self) -> str:
        return f"{self.table}::{self.entry.name}[{self.index}]"


@lru_cache(maxsize=1)
def tables() -> Tables:
    return load_tables()


def entries() -> list[ApiEntry]:
    """Every entry once (aliases share one ApiEntry), sorted by table then name."""
    return sorted(tables().entries(), key=lambda e: (os.path.basename(e.table), e.name))


def cases() -> list[ExampleCase]:
    return [ExampleCase(e, i) for e in entries() for i in range(len(e.examples))]


def table_counts() -> dict[str, tuple[int, int]]:
    """table file name -> (entries, examples)."""
    counts: dict[str, list[int]] = {}
    for e in entries():
        c = counts.setdefault(os.path.basename(e.table), [0, 0])
        c[0] += 1
        c[1] += len(e.examples)
    return {k: (v[0], v[1]) for k, v in sorted(counts.items())}


# --------------------------------------------------------------------------- frameworks


@lru_cache(maxsize=1)
def frameworks():
    """(np, torch, paddle), imported once per process."""
    import numpy as np
    import paddle
    import torch

    torch.set_num_threads(1)
    paddle.set_device("cpu")
    return np, torch, paddle


@lru_cache(maxsize=1)
def _convert_state_dict():
    from torch2paddle.weights import convert_state_dict

    return convert_state_dict


# --------------------------------------------------------------------------- failures


class ExampleFailure(AssertionError):
    pass


def _indent(text: str, prefix: str = "    | ") -> str:
    return "\n".join(prefix + line for line in (text.rstrip("\n") or "<empty>").split("\n"))


@dataclass
class _Snippets:
    torch_setup: str
    torch_code: str
    paddle_setup: str | None = None
    paddle_code: str | None = None

    def render(self) -> str:
        parts = []
        if self.torch_setup:
            parts += ["  torch setup:", _indent(self.torch_setup)]
        parts += ["  torch code:", _indent(self.torch_code)]
        if self.paddle_setup is not None and self.torch_setup:
            parts += ["  converted setup:", _indent(self.paddle_setup)]
        if self.paddle_code is not None:
            parts += ["  converted code:", _indent(self.paddle_code)]
        return "\n".join(parts)


def _fail(case: ExampleCase, snippets: _Snippets, what: str, detail: str = "") -> ExampleFailure:
    msg = [f"{case.id}: {what}"]
    if detail:
        msg.append(detail.rstrip("\n"))
    msg.append(snippets.render())
    return ExampleFailure("\n".join(msg))


# --------------------------------------------------------------------------- value normalisation


@dataclass
class _Val:
    kind: str  # tensor | number | bool | seq | dtype | none | str | other
    value: Any
    shape: tuple | None = None
    dtype: str | None = None

    def describe(self) -> str:
        if self.kind == "tensor":
            return f"tensor shape={list(self.shape)} dtype={self.dtype}"
        if self.kind == "seq":
            return f"sequence of {len(self.value)}"
        if self.kind in ("number", "bool"):
            return f"{type(self.value).__name__} {self.value!r}"
        if self.kind == "dtype":
            return f"dtype {self.value}"
        return f"{self.kind} {self.value!r}"[:200]


_DTYPE_ALIASES = {"bfloat16": "bfloat16", "float": "float32", "double": "float64", "half": "float16",
                  "long": "int64", "int": "int32", "bool": "bool"}


def _dtype_name(dtype) -> str:
    """torch.float32 / paddle.float32 / np.dtype('float32') -> 'float32'."""
    np, torch, paddle = frameworks()
    if isinstance(dtype, np.dtype):
        return dtype.name
    text = str(dtype)
    for prefix in ("torch.", "paddle.", "VarType.", "DataType."):
        if text.startswith(prefix):
            text = text[len(prefix):]
    text = text.lower()
    text = {"fp32": "float32", "fp64": "float64", "fp16": "float16", "bf16": "bfloat16"}.get(text, text)
    return _DTYPE_ALIASES.get(text, text)


def _tensor_to_numpy(t, side: str):
    np, torch, paddle = frameworks()
    if side == "torch":
        t = t.detach().cpu().resolve_conj().resolve_neg()  # lazy conjugate/negative views have no numpy()
        dtype = _dtype_name(t.dtype)
        if t.dtype == torch.bfloat16:
            t = t.float()
        return t.numpy(), dtype
    dtype = _dtype_name(t.dtype)
    if dtype == "bfloat16":
        t = t.astype("float32")
    return np.asarray(t.numpy()), dtype


def _normalise(value, side: str) -> _Val:
    np, torch, paddle = frameworks()
    if value is None:
        return _Val("none", None)
    if isinstance(value, (torch.Tensor, paddle.Tensor)):
        arr, dtype = _tensor_to_numpy(value, "torch" if isinstance(value, torch.Tensor) else "paddle")
        return _Val("tensor", arr, tuple(arr.shape), dtype)
    if isinstance(value, np.ndarray):
        return _Val("tensor", value, tuple(value.shape), value.dtype.name)
    if isinstance(value, (torch.dtype, np.dtype)) or type(value).__name__ in ("VarType", "DataType"):
        return _Val("dtype", _dtype_name(value))
    if isinstance(value, (bool, np.bool_)):
        return _Val("bool", bool(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _Val("number", value.item() if isinstance(value, np.generic) else value)
    if isinstance(value, str):
        return _Val("str", value)
    if isinstance(value, (list, tuple)):  # torch.Size is a tuple; Paddle shapes are lists
        return _Val("seq", [_normalise(v, side) for v in value])
    return _Val("other", value)


def _max_abs_diff(a, b) -> float | None:
    np = frameworks()[0]
    if a.shape != b.shape or a.size == 0:
        return None
    with np.errstate(all="ignore"):
        diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
    finite = diff[np.isfinite(diff)]
    if finite.size == 0:
        return float("nan")
    return float(finite.max())


def _compare(t: _Val, p: _Val, rtol: float, atol: float, path: str) -> str | None:
    """None when equal, else a description of the first difference."""
    np = frameworks()[0]
    if t.kind != p.kind:
        return f"{path}: torch gives {t.describe()}, paddle gives {p.describe()}"
    if t.kind == "tensor":
        problems = []
        if t.shape != p.shape:
            problems.append("shape")
        if t.dtype != p.dtype:
            problems.append("dtype")
        head = (f"{path}: torch {t.describe()}, paddle {p.describe()}")
        if problems:
            diff = _max_abs_diff(t.value, p.value)
            return f"{head}; {' and '.join(problems)} differ" + (f"; max abs diff {diff:.3g}" if diff is not None else "")
        a, b = t.value, p.value
        if a.dtype.kind in "biuSUO" and b.dtype.kind in "biuSUO":
            if not np.array_equal(a, b):
                bad = int(np.sum(a != b))
                return f"{head}; {bad} of {a.size} elements differ; max abs diff {_max_abs_diff(a, b):.3g}"
            return None
        a64, b64 = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64), b.astype(
            np.complex128 if b.dtype.kind == "c" else np.float64)
        fa, fb = np.isfinite(a64), np.isfinite(b64)
        nonfinite = ~(fa & fb)
        if nonfinite.any():
            # NaN/Inf anywhere fails unless both sides hold the same non-finite values there
            same = (np.isnan(a64) & np.isnan(b64)) | (a64 == b64)
            if not np.all(same[nonfinite]):
                return f"{head}; non-finite values differ (torch nan/inf: {int((~fa).sum())}, paddle: {int((~fb).sum())})"
        close = np.isclose(a64, b64, rtol=rtol, atol=atol, equal_nan=True)
        if not close.all():
            diff = _max_abs_diff(a, b)
            return (f"{head}; {int((~close).sum())} of {a.size} elements differ beyond rtol={rtol} atol={atol}; "
                    f"max abs diff {diff:.3g}")
        return None
    if t.kind == "seq":
        if len(t.value) != len(p.value):
            return f"{path}: torch sequence of {len(t.value)}, paddle sequence of {len(p.value)}"
        for i, (a, b) in enumerate(zip(t.value, p.value)):
            problem = _compare(a, b, rtol, atol, f"{path}[{i}]")
            if problem:
                return problem
        return None
    if t.kind == "number":
        a, b = t.value, p.value
        if not (math.isfinite(a) and math.isfinite(b)):
            if (math.isnan(a) and math.isnan(b)) or a == b:
                return None
            return f"{path}: torch {a!r}, paddle {b!r} (non-finite)"
        if abs(a - b) > atol + rtol * abs(b):
            return f"{path}: torch {a!r}, paddle {b!r}; abs diff {abs(a - b):.3g}"
        return None
    if t.kind == "other":
        if t.value is p.value:
            return None
        return f"{path}: cannot compare {type(t.value).__name__} (torch) with {type(p.value).__name__} (paddle)"
    if t.value != p.value:
        return f"{path}: torch {t.describe()}, paddle {p.describe()}"
    return None


def compare_values(torch_value, paddle_value, rtol: float, atol: float, name: str) -> str | None:
    """Public entry point: compare one torch result with its Paddle twin."""
    return _compare(_normalise(torch_value, "torch"), _normalise(paddle_value, "paddle"), rtol, atol, name)


# --------------------------------------------------------------------------- running


def _eval_inputs(example: Example) -> dict[str, Any]:
    np = frameworks()[0]
    rng = np.random.default_rng(0)
    scope: dict[str, Any] = {"np": np, "rng": rng}
    values: dict[str, Any] = {}
    for name, expr in example.inputs.items():
        values[name] = scope[name] = eval(expr, scope)  # noqa: S307 - trusted table data
    return values


def _exec(source: str, namespace: dict, label: str) -> None:
    if source:
        import linecache

        filename = f"<{label}>"
        # TorchScript (torch.jit.script, script_method) compiles from the source text: make it findable
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - trusted table data


def _convert(case: ExampleCase, snippets: _Snippets, source: str, what: str):
    if not source:
        return "", []
    try:
        result = convert_source(source, torch_init=case.example.torch_init)
    except Exception:
        raise _fail(case, snippets, f"converting the {what} raised", traceback.format_exc()) from None
    if result.runtime_apis:
        _install_runtime(result.runtime_apis)
    return result.code, result.unsupported


def _runtime_module(apis):
    """What `convert` writes into OUT for a converted file that uses it: the generated run-time module."""
    import types

    from torch2paddle.convert import default_tables
    from torch2paddle.runtime import MODULE, module_source

    tables = default_tables()
    entries = [e for e in tables.entries() if e.name in set(apis)]
    module = types.ModuleType(MODULE)
    exec(compile(module_source(entries), MODULE + ".py", "exec"), module.__dict__)  # noqa: S102 - generated here
    return module


def _install_runtime(apis) -> None:
    from torch2paddle.runtime import MODULE

    sys.modules[MODULE] = _runtime_module(apis)


def run_case(case: ExampleCase) -> None:
    """Run one example on both frameworks; raise ``ExampleFailure`` on any difference.

    Process-wide state an example may set (torch's and Paddle's default device and dtype, grad mode) is
    restored afterwards: ``torch.set_default_device("cpu")`` leaves a device mode that turns off torch's own
    fast paths (the Transformer encoder's) for every later example in the process."""
    _, torch, paddle = frameworks()
    saved = (torch.get_default_dtype(), torch.is_grad_enabled(), paddle.get_default_dtype(), paddle.get_device(),
             paddle.is_grad_enabled())
    try:
        _run_case(case)
    finally:
        torch.set_default_device(None)
        torch.set_default_dtype(saved[0])
        torch.set_grad_enabled(saved[1])
        paddle.set_default_dtype(saved[2])
        paddle.set_device(saved[3])
        paddle.set_grad_enabled(saved[4])


def _run_case(case: ExampleCase) -> None:
    example = case.example
    snippets = _Snippets(example.setup, example.code)
    setup_p, unsup_setup = _convert(case, snippets, example.setup, "setup")
    code_p, unsup_code = _convert(case, snippets, example.code, "code")
    snippets.paddle_setup, snippets.paddle_code = setup_p, code_p
    unsupported = unsup_setup + unsup_code

    np, torch, paddle = frameworks()

    if example.expect_unsupported:
        if not unsupported:
            raise _fail(case, snippets, "expect_unsupported, but the conversion reported no unsupported use")
        _run_torch(case, snippets, _eval_inputs(example))
        return

    if unsupported:
        listed = "\n".join(f"    line {u.line}: {u.api} ({u.reason})" for u in unsupported)
        raise _fail(case, snippets, "the conversion left unsupported uses", listed)
    for label, text in (("setup", setup_p), ("code", code_p)):
        if _TORCH_IMPORT.search(text):
            raise _fail(case, snippets, f"the converted {label} still imports torch")

    inputs = _eval_inputs(example)
    ns_t = _torch_namespace(inputs)
    ns_p = {"__name__": "__t2p_paddle_example__"}
    ns_p.update({k: paddle.to_tensor(v) if isinstance(v, np.ndarray) else v for k, v in inputs.items()})

    torch.manual_seed(0)
    _run_step(case, snippets, example.setup, ns_t, "torch setup")
    paddle.seed(0)
    _run_step(case, snippets, setup_p, ns_p, "converted setup")

    for name in example.layers:
        _copy_layer(case, snippets, name, ns_t, ns_p)

    torch.manual_seed(0)
    _run_step(case, snippets, example.code, ns_t, "torch code")
    paddle.seed(0)
    _run_step(case, snippets, code_p, ns_p, "converted code")

    problems = []
    for name in example.compare:
        for side, ns in (("torch", ns_t), ("paddle", ns_p)):
            if name not in ns:
                problems.append(f"{name}: not defined by the {side} run")
        if name not in ns_t or name not in ns_p:
            continue
        try:
            problem = compare_values(ns_t[name], ns_p[name], example.rtol, example.atol, name)
        except Exception:
            problem = f"{name}: comparison raised\n{traceback.format_exc()}"
        if problem:
            problems.append(problem)
    if problems:
        raise _fail(case, snippets, "results differ", "\n".join("  " + p for p in problems))


def _torch_namespace(inputs: dict[str, Any]) -> dict[str, Any]:
    np, torch, paddle = frameworks()
    ns = {"__name__": "__t2p_torch_example__"}
    ns.update({k: torch.from_numpy(v.copy()) if isinstance(v, np.ndarray) else v for k, v in inputs.items()})
    return ns


def _run_torch(case: ExampleCase, snippets: _Snippets, inputs: dict[str, Any]) -> dict[str, Any]:
    torch = frameworks()[1]
    ns = _torch_namespace(inputs)
    torch.manual_seed(0)
    _run_step(case, snippets, case.example.setup, ns, "torch setup")
    torch.manual_seed(0)
    _run_step(case, snippets, case.example.code, ns, "torch code")
    return ns


def _user_traceback() -> str:
    """The current exception's traceback without the runner's own frames."""
    import sys

    exc = sys.exc_info()[1]
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    return "".join(traceback.format_list(frames[-6:]) + traceback.format_exception_only(type(exc), exc))


def _run_step(case: ExampleCase, snippets: _Snippets, source: str, ns: dict, label: str) -> None:
    try:
        _exec(source, ns, f"{case.id} {label}")
    except Exception:
        raise _fail(case, snippets, f"the {label} raised", _user_traceback()) from None


def _copy_layer(case: ExampleCase, snippets: _Snippets, name: str, ns_t: dict, ns_p: dict) -> None:
    if name not in ns_t or name not in ns_p:
        raise _fail(case, snippets, f"layer {name!r} is not defined by both setups")
    try:
        from torch2paddle.weights import load_into_paddle  # checks every key, then set_state_dict

        load_into_paddle(ns_p[name], _convert_state_dict()(ns_t[name], paddle_model=ns_p[name]))
    except Exception:
        raise _fail(case, snippets, f"copying the weights of layer {name!r} raised", _user_traceback()) from None


# --------------------------------------------------------------------------- targets


def paddle_targets(entry: ApiEntry) -> list[str]:
    """The Paddle (or stdlib) names an entry's conversion emits."""
    if not entry.target or entry.rewrite == "constant":  # a Python literal, not a name
        return []
    names = [entry.target]
    if entry.rewrite == "reduce_with_indices":  # also emits the arg-variant for the indices
        owner, _, method = entry.target.rpartition(".")
        names.append(f"{owner}.arg{method}")
    return names


def resolve(dotted: str) -> Any:
    """Import the longest importable module prefix of ``dotted`` and getattr the rest; a name of the
    generated run-time module (``_torch2paddle_runtime.MultiheadAttention``) is looked up in that module as
    ``convert`` writes it for the entries targeting it."""
    import importlib

    from torch2paddle.runtime import is_runtime_target

    if is_runtime_target(dotted):
        apis = [e.name for e in tables().entries() if is_runtime_target(e.target)]
        obj = _runtime_module(apis)
        for attr in dotted.split(".")[1:]:
            obj = getattr(obj, attr)
        return obj
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)  # AttributeError -> missing
        return obj
    raise ImportError(f"no importable prefix of {dotted}")
