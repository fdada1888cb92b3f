"""Convert PyTorch weights (state dicts / ``.pth`` checkpoints) to PaddlePaddle.

The rules are decided by the *type* of the torch module that owns a tensor,
never by the tensor's key name:

* ``torch.nn.Linear`` (and every subclass, e.g. ``NonDynamicallyQuantizableLinear``
  or ``LazyLinear``): ``weight`` is transposed, torch stores ``[out, in]`` and
  ``paddle.nn.Linear`` stores ``[in, out]``.
* ``torch.nn.modules.batchnorm._BatchNorm`` subclasses (``BatchNorm1d/2d/3d``,
  ``SyncBatchNorm``): ``running_mean`` -> ``_mean``, ``running_var`` ->
  ``_variance``; ``num_batches_tracked`` is dropped (Paddle has no counterpart).
* ``torch.nn.PReLU``: ``weight`` -> ``_weight``.
* torch ``InstanceNorm1d/2d/3d``: ``weight`` -> ``scale``.
* Everything else (Conv*, ConvTranspose*, Embedding, LayerNorm, GroupNorm, ...)
  has the same name and layout in both frameworks and is copied unchanged.

torch, paddle and numpy are imported lazily inside the functions so that
importing this module (and the conversion path of the package) stays free of
deep-learning frameworks.
"""

from __future__ import annotations

import importlib
import math
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

__all__ = [
    "WeightReport",
    "WeightConversionError",
    "CheckpointFileError",
    "PickleRefusedError",
    "KeyRecord",
    "FactoryResolutionError",
    "convert_state_dict",
    "load_into_paddle",
    "convert_checkpoint",
    "load_torch_checkpoint",
    "resolve_factory",
    "randomize_for_alignment",
    "DATA_PARALLEL_PREFIX",
    "CHECKPOINT_CONTAINER_KEYS",
]

#: Prefix that ``torch.nn.DataParallel`` / ``DistributedDataParallel`` put in front of every key.
DATA_PARALLEL_PREFIX = "module."
#: Prefixes stripped when every key carries one (and the model's keys do not): DataParallel's, and
#: ``torch.compile``'s (``_orig_mod.``); nested ones (``module._orig_mod.``) are stripped in turn.
WRAPPER_PREFIXES = (DATA_PARALLEL_PREFIX, "_orig_mod.")

#: Keys of a training checkpoint dict that may hold the model's state dict, tried in this order.
CHECKPOINT_CONTAINER_KEYS = ("state_dict", "model_state_dict", "model", "net", "network")

_REASON_NUM_BATCHES = "BatchNorm step counter; Paddle BatchNorm has no counterpart"
_REASON_EXTRA_STATE = "torch module extra state (get_extra_state); no Paddle counterpart"
_REASON_NOT_IN_MODEL = "not a parameter or buffer of the torch model (strict=False)"


# --------------------------------------------------------------------------- report / errors


@dataclass
class KeyRecord:
    """One key of the state dict and what was done to it (a row of ``torch2paddle weights``' table).

    ``action`` is ``copied``, ``renamed``, ``transposed``, ``dropped`` or ``missing``; ``reshaped`` is
    true when Paddle keeps the same numbers in another shape (``paddle_shape``); ``reason`` says why a
    key was dropped.
    """

    torch_key: str
    paddle_key: str | None
    shape: tuple | None
    paddle_shape: tuple | None
    action: str
    reason: str | None = None

    @property
    def reshaped(self) -> bool:
        return (self.action != "transposed" and self.shape is not None and self.paddle_shape is not None
                and tuple(self.shape) != tuple(self.paddle_shape))

    def to_dict(self) -> dict[str, Any]:
        return {"torch_key": self.torch_key, "paddle_key": self.paddle_key,
                "shape": None if self.shape is None else list(self.shape),
                "paddle_shape": None if self.paddle_shape is None else list(self.paddle_shape),
                "action": self.action, "reason": self.reason}


@dataclass
class WeightReport:
    """What happened to every key during a conversion.

    Keys are given in the torch model's naming (after a stripped ``module.``
    prefix, see :attr:`stripped_prefix`).  Every written Paddle key appears in
    exactly one of ``renamed`` (as the target), ``transposed`` or ``copied``.
    """

    renamed: list[tuple[str, str]] = field(default_factory=list)
    transposed: list[str] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)
    #: torch-model keys absent from the given state dict (only possible with ``strict=False``).
    missing: list[str] = field(default_factory=list)
    #: ``"module."`` when a DataParallel prefix was stripped from every key, else ``None``.
    stripped_prefix: str | None = None
    #: key of the checkpoint dict the state dict was taken from (``"model"``, ``"state_dict"``, ...).
    source_key: str | None = None
    notes: list[str] = field(default_factory=list)
    #: keys of the checkpoint's state dict whose values are not tensors (``"epoch"``, ...): not converted.
    skipped_entries: list[str] = field(default_factory=list)
    #: every key of the state dict, in its order, with what was done to it (then the missing ones).
    keys: list[KeyRecord] = field(default_factory=list)

    @property
    def written(self) -> int:
        return len(self.renamed) + len(self.transposed) + len(self.copied)

    def summary(self) -> str:
        lines = [
            f"Weight conversion: {self.written} tensor(s) written "
            f"({len(self.copied)} copied, {len(self.transposed)} transposed, "
            f"{len(self.renamed)} renamed), {len(self.dropped)} dropped"
            + (f", {len(self.missing)} missing" if self.missing else "")
        ]
        if self.source_key is not None:
            lines.append(f"State dict taken from checkpoint key {self.source_key!r}")
        if self.skipped_entries:
            lines.append(f"Skipped non-tensor entries of the state dict: {len(self.skipped_entries)}")
            lines.extend(f"  {k}" for k in self.skipped_entries)
        if self.stripped_prefix:
            lines.append(f"Stripped prefix {self.stripped_prefix!r} from every key ({wrapper_of(self.stripped_prefix)})")
        if self.transposed:
            lines.append(f"Transposed (torch Linear weight [out, in] -> Paddle [in, out]): {len(self.transposed)}")
            lines.extend(f"  {k}" for k in self.transposed)
        if self.renamed:
            lines.append(f"Renamed: {len(self.renamed)}")
            lines.extend(f"  {src} -> {dst}" for src, dst in self.renamed)
        if self.dropped:
            lines.append(f"Dropped: {len(self.dropped)}")
            lines.extend(f"  {k} ({reason})" for k, reason in self.dropped)
        if self.missing:
            lines.append(f"Missing from the state dict (left at Paddle init): {len(self.missing)}")
            lines.extend(f"  {k}" for k in self.missing)
        if self.copied:
            lines.append(f"Copied unchanged: {len(self.copied)}")
            lines.extend(f"  {k}" for k in self.copied)
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  {n}" for n in self.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (tuples become two-element lists)."""
        return {
            "renamed": [[src, dst] for src, dst in self.renamed],
            "transposed": list(self.transposed),
            "dropped": [[k, reason] for k, reason in self.dropped],
            "copied": list(self.copied),
            "missing": list(self.missing),
            "stripped_prefix": self.stripped_prefix,
            "source_key": self.source_key,
            "notes": list(self.notes),
            "skipped_entries": list(self.skipped_entries),
            "keys": [k.to_dict() for k in self.keys],
            "counts": {
                "written": self.written,
                "renamed": len(self.renamed),
                "transposed": len(self.transposed),
                "dropped": len(self.dropped),
                "copied": len(self.copied),
                "missing": len(self.missing),
            },
        }


class WeightConversionError(Exception):
    """One or more weights cannot be placed; the message lists every offending key.

    Attributes: ``missing`` (keys a model expects but nobody provides),
    ``unexpected`` (keys provided that no model has), ``mismatched``
    (``(key, expected_shape, got_shape)``) and ``problems`` (``(key, description)``
    for everything, in order).
    """

    def __init__(
        self,
        problems: Iterable[tuple[str, str]] = (),
        *,
        missing: Iterable[str] = (),
        unexpected: Iterable[str] = (),
        mismatched: Iterable[tuple[str, tuple, tuple]] = (),
        context: str = "",
    ):
        self.problems = list(problems)
        self.missing = list(missing)
        self.unexpected = list(unexpected)
        self.mismatched = list(mismatched)
        self.context = context
        head = f"{len(self.problems)} weight key(s) cannot be placed"
        if context:
            head += f" ({context})"
        body = "".join(f"\n  - {key}: {desc}" for key, desc in self.problems)
        super().__init__(head + ":" + body)

    def __reduce__(self):  # keep picklable despite keyword-only arguments
        return (
            _rebuild_error,
            (self.problems, self.missing, self.unexpected, self.mismatched, self.context),
        )


def _rebuild_error(problems, missing, unexpected, mismatched, context):
    return WeightConversionError(
        problems, missing=missing, unexpected=unexpected, mismatched=mismatched, context=context
    )


class CheckpointFileError(WeightConversionError):
    """A checkpoint file cannot be used at all: missing, empty, damaged, not a torch checkpoint, ...

    The message is ``"<path> <reason>"``, e.g. ``"ckpt.pth is empty (0 bytes)"``;
    ``path`` and ``reason`` are kept as attributes and ``problems`` is ``[(path, reason)]``.
    """

    def __init__(self, path, reason: str):
        self.path = os.fspath(path)
        self.reason = reason
        self.problems = [(self.path, reason)]
        self.missing, self.unexpected, self.mismatched = [], [], []
        self.context = ""
        Exception.__init__(self, f"{self.path} {reason}")

    def __reduce__(self):
        return (CheckpointFileError, (self.path, self.reason))


class PickleRefusedError(WeightConversionError):
    """The checkpoint holds pickled Python objects (a whole ``nn.Module``, custom classes) that
    ``torch.load(weights_only=True)`` refuses; loading them anyway (``allow_pickle=True``, the CLI's
    ``--allow-pickle``) runs code from the file.  ``objects`` names what torch refused, when it says
    (``torch.nn.modules.linear.Linear``); ``detail`` is torch's own reason on one line, without its
    terminal escapes."""

    def __init__(self, path, detail: str = "", objects: str | None = None):
        self.path = os.fspath(path)
        self.detail = detail
        self.objects = objects
        reason = self.explain("allow_pickle=True")
        self.problems = [(self.path, reason)]
        self.missing, self.unexpected, self.mismatched = [], [], []
        self.context = ""
        Exception.__init__(self, f"1 weight key(s) cannot be placed:\n  - {self.path}: {reason}")

    def explain(self, option: str) -> str:
        """Why, in one line, ending with how to load it anyway through ``option``."""
        what = f"pickled Python objects ({self.objects})" if self.objects else "pickled Python objects"
        why = f" ({self.detail})" if self.detail and not self.objects else ""
        return (f"checkpoint cannot be loaded with torch.load(weights_only=True): it holds {what}{why}; "
                f"loading them runs code from the file: if the file is trusted, retry with {option}")

    def __reduce__(self):
        return (PickleRefusedError, (self.path, self.detail, self.objects))


def _clean_torch_message(text: str) -> tuple[str, str | None]:
    """torch's weights_only refusal as ``(first line without terminal escapes, refused globals)``."""
    import re

    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)
    found = re.findall(r"Unsupported global: GLOBAL ([\w.]+)", text)
    first = " ".join(text.strip().splitlines()[0].split()) if text.strip() else ""
    return first, (", ".join(dict.fromkeys(found)) or None)


class _Problems:
    """Accumulates problems so that all of them are reported at once."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self.missing: list[str] = []
        self.unexpected: list[str] = []
        self.mismatched: list[tuple[str, tuple, tuple]] = []

    def add_missing(self, key: str, desc: str) -> None:
        self.missing.append(key)
        self.items.append((key, desc))

    def add_unexpected(self, key: str, desc: str) -> None:
        self.unexpected.append(key)
        self.items.append((key, desc))

    def add_mismatch(self, key: str, expected: tuple, got: tuple, desc: str) -> None:
        self.mismatched.append((key, tuple(expected), tuple(got)))
        self.items.append((key, desc))

    def add_other(self, key: str, desc: str) -> None:
        self.items.append((key, desc))

    def raise_if_any(self, context: str = "") -> None:
        if self.items:
            raise WeightConversionError(
                self.items,
                missing=self.missing,
                unexpected=self.unexpected,
                mismatched=self.mismatched,
                context=context,
            )


class FactoryResolutionError(ImportError):
    """A ``"pkg.module:attr"`` factory spec cannot be resolved."""


# --------------------------------------------------------------------------- key planning


@dataclass
class _Entry:
    paddle_key: str | None  # None when dropped
    transpose: bool = False
    layout: str | None = None  # "row" ([n] -> [1, n]) or "flat" (-> [numel]): Paddle stores it so
    drop_reason: str | None = None
    expected_shape: tuple | None = None  # shape in the torch model, None if unknown


def _unwrap_data_parallel(torch_model):
    import torch

    wrappers = (torch.nn.DataParallel, torch.nn.parallel.DistributedDataParallel)
    while isinstance(torch_model, wrappers):
        torch_model = torch_model.module
    return torch_model


def _local_rule(module, local_name: str) -> tuple[str | None, bool, str | None]:
    """(paddle local name, transpose, drop reason) for one direct tensor of ``module``."""
    import torch
    from torch.nn.modules.batchnorm import _BatchNorm
    from torch.nn.modules.instancenorm import _InstanceNorm

    if isinstance(module, torch.nn.Linear) and local_name == "weight":
        return local_name, True, None
    if isinstance(module, _BatchNorm):
        if local_name == "running_mean":
            return "_mean", False, None
        if local_name == "running_var":
            return "_variance", False, None
        if local_name == "num_batches_tracked":
            return None, False, _REASON_NUM_BATCHES
    if isinstance(module, torch.nn.PReLU) and local_name == "weight":
        return "_weight", False, None
    if isinstance(module, _InstanceNorm) and local_name == "weight":
        return "scale", False, None
    return local_name, False, None


def _layout_rule(module, local_name: str) -> str | None:
    """How Paddle lays out a tensor whose numbers are the same but whose shape is not."""
    import torch

    if isinstance(module, torch.nn.Bilinear) and local_name == "bias":
        return "row"  # Paddle's Bilinear bias is [1, out]
    if isinstance(module, torch.nn.LayerNorm) and local_name in ("weight", "bias"):
        return "flat"  # Paddle's LayerNorm keeps a multi-dimensional normalized_shape flattened
    return None


def _plan(torch_model, problems: _Problems) -> dict[str, _Entry]:
    """Map every state-dict key of ``torch_model`` to what Paddle expects, module by module."""
    import torch

    plan: dict[str, _Entry] = {}
    targets: dict[str, str] = {}
    default_extra_state = torch.nn.Module.get_extra_state
    for mod_name, module in torch_model.named_modules(remove_duplicate=False):
        prefix = f"{mod_name}." if mod_name else ""
        local: list[tuple[str, Any]] = []
        for name, param in module._parameters.items():
            if param is not None:
                local.append((name, param))
        non_persistent = getattr(module, "_non_persistent_buffers_set", set())
        for name, buf in module._buffers.items():
            if buf is not None and name not in non_persistent:
                local.append((name, buf))
        for name, tensor in local:
            key = prefix + name
            paddle_local, transpose, reason = _local_rule(module, name)
            shape = None
            if isinstance(tensor, torch.nn.parameter.UninitializedTensorMixin):
                problems.add_other(key, "uninitialized lazy parameter; run a forward pass before converting")
            else:
                shape = tuple(tensor.shape)
                if transpose and len(shape) != 2:
                    problems.add_other(
                        key, f"Linear weight expected to be 2-D for the transpose, got shape {list(shape)}"
                    )
            paddle_key = None if paddle_local is None else prefix + paddle_local
            plan[key] = _Entry(paddle_key, transpose, layout=_layout_rule(module, name), drop_reason=reason,
                               expected_shape=shape)
            if paddle_key is not None:
                if paddle_key in targets and targets[paddle_key] != key:
                    problems.add_other(key, f"maps to {paddle_key!r}, which {targets[paddle_key]!r} also maps to")
                targets[paddle_key] = key
        if type(module).get_extra_state is not default_extra_state:
            plan[prefix + "_extra_state"] = _Entry(None, drop_reason=_REASON_EXTRA_STATE)
    return plan


def _to_numpy(value, key: str, report: WeightReport):
    import numpy as np

    try:
        import torch
    except ImportError:  # pragma: no cover - torch is needed for the model anyway
        torch = None
    if torch is not None and isinstance(value, torch.Tensor):
        t = value.detach()
        if t.is_quantized:
            raise WeightConversionError([(key, "quantized tensors are not supported; dequantize first")])
        if t.dtype == torch.bfloat16:
            t = t.float()
            report.notes.append(f"{key}: bfloat16 has no numpy dtype; converted to float32")
        return t.cpu().numpy().copy()
    return np.array(value, copy=True)


def _strip_prefix_if_needed(state_dict: Mapping[str, Any], plan_keys: Iterable[str]) -> tuple[dict, str | None]:
    """Strip the wrappers' prefixes (``module.``, ``_orig_mod.``, in turn) that every key carries, as far as
    the keys then match most of the model's keys (all of them, when none match either way); returns the
    state dict and the prefix stripped (``None``: none).  A model whose own submodule is named ``module``
    keeps its keys."""
    plan = set(plan_keys)
    candidates = [(dict(state_dict), "")]
    while True:
        source, stripped = candidates[-1]
        keys = list(source)
        p = next((p for p in WRAPPER_PREFIXES if keys and all(isinstance(k, str) and k.startswith(p) for k in keys)),
                 None)
        if p is None:
            break
        candidates.append(({k[len(p):]: v for k, v in source.items()}, stripped + p))
    source, stripped = max(candidates, key=lambda c: (len(plan.intersection(c[0])), len(c[1])))
    return source, stripped or None


def wrapper_of(prefix: str) -> str:
    """Who puts ``prefix`` in front of every key, in words."""
    names = {DATA_PARALLEL_PREFIX: "DataParallel", "_orig_mod.": "torch.compile"}
    parts = [names.get(p, p) for p in _prefix_parts(prefix or "")]
    return " + ".join(parts) + " checkpoint"


def _prefix_parts(prefix: str) -> list[str]:
    parts, rest = [], prefix
    while rest:
        p = next((p for p in WRAPPER_PREFIXES if rest.startswith(p)), None)
        if p is None:
            return parts + [rest]
        parts.append(p)
        rest = rest[len(p):]
    return parts


# --------------------------------------------------------------------------- public API


def convert_state_dict(
    torch_model,
    state_dict: Mapping[str, Any] | None = None,
    paddle_model=None,
    *,
    strict: bool = True,
):
    """Convert a torch state dict to a Paddle one, following ``torch_model``'s structure.

    Returns ``(converted, report)`` where ``converted`` maps Paddle keys to numpy
    arrays (dtypes kept; bfloat16 becomes float32).  ``state_dict`` defaults to
    ``torch_model.state_dict()``.  A ``module.`` prefix carried by *every* key
    is stripped (recorded in ``report.stripped_prefix``).

    Keys that do not belong to the torch model, and model keys missing from the
    state dict, raise :class:`WeightConversionError` unless ``strict=False``
    (then they are reported as ``dropped`` / ``missing``).  Shape mismatches
    always raise.  When ``paddle_model`` is given, every converted key must
    exist in ``paddle_model.state_dict()`` with the same shape and every Paddle
    key must be provided; all problems are raised together.
    """
    torch_model = _unwrap_data_parallel(torch_model)
    report = WeightReport()
    problems = _Problems()
    plan = _plan(torch_model, problems)

    if state_dict is None:
        source = torch_model.state_dict()
    else:
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"state_dict must be a mapping of names to tensors, got {type(state_dict).__name__}")
        source, report.stripped_prefix = _strip_prefix_if_needed(state_dict, plan.keys())

    converted: dict[str, Any] = {}
    for key, value in source.items():
        entry = plan.get(key)
        if entry is None:
            if strict:
                problems.add_unexpected(key, "unexpected: not a parameter or buffer of the torch model")
            else:
                report.dropped.append((key, _REASON_NOT_IN_MODEL))
                report.keys.append(KeyRecord(key, None, _shape_of(value), None, "dropped", _REASON_NOT_IN_MODEL))
            continue
        if entry.drop_reason is not None:
            report.dropped.append((key, entry.drop_reason))
            report.keys.append(KeyRecord(key, None, _shape_of(value), None, "dropped", entry.drop_reason))
            continue
        arr = _to_numpy(value, key, report)
        if entry.expected_shape is not None and tuple(arr.shape) != entry.expected_shape:
            problems.add_mismatch(
                key,
                entry.expected_shape,
                arr.shape,
                f"shape mismatch: torch model has {list(entry.expected_shape)}, state dict has {list(arr.shape)}",
            )
            continue
        if entry.transpose and arr.ndim != 2:
            continue  # already reported by _plan
        converted[entry.paddle_key] = _convert_one(key, arr, entry, report)

    for key, entry in plan.items():
        if entry.drop_reason is None and key not in source:
            if strict:
                problems.add_missing(key, "missing: the torch model has it but the state dict does not")
            else:
                report.missing.append(key)
                report.keys.append(KeyRecord(key, entry.paddle_key, entry.expected_shape, None, "missing",
                                             "not in the state dict: left at Paddle's initialisation"))

    if paddle_model is not None:
        _check_against_paddle(converted, paddle_model, problems)
    problems.raise_if_any("torch -> paddle state dict conversion")
    return converted, report


def _convert_one(key: str, arr, entry, report: WeightReport):
    """One tensor in Paddle's layout (a Linear weight transposed, LayerNorm/Bilinear reshaped), recorded."""
    shape = tuple(arr.shape)
    if entry.transpose:
        import numpy as np

        arr = np.ascontiguousarray(arr.T)
        report.transposed.append(entry.paddle_key)
        action = "transposed"
        if entry.paddle_key != key:  # not produced by the current rules, kept for completeness
            report.renamed.append((key, entry.paddle_key))
    elif entry.paddle_key != key:
        report.renamed.append((key, entry.paddle_key))
        action = "renamed"
    else:
        report.copied.append(key)
        action = "copied"
    if entry.layout == "row" and arr.ndim == 1:
        arr = arr.reshape(1, -1)
    elif entry.layout == "flat" and arr.ndim > 1:
        arr = arr.reshape(-1)
    report.keys.append(KeyRecord(key, entry.paddle_key, shape, tuple(arr.shape), action))
    return arr


def _shape_of(value) -> tuple | None:
    shape = getattr(value, "shape", None)
    try:
        return None if shape is None else tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        return None


def _check_against_paddle(converted: Mapping[str, Any], paddle_model, problems: _Problems) -> None:
    paddle_sd = paddle_model.state_dict()
    already = {k for k, _ in problems.items}
    for key, value in converted.items():
        if key not in paddle_sd:
            problems.add_unexpected(key, "unexpected: converted key does not exist in the Paddle model")
            continue
        want = tuple(int(d) for d in paddle_sd[key].shape)
        got = tuple(int(d) for d in value.shape)
        if want != got:
            problems.add_mismatch(
                key, want, got, f"shape mismatch: Paddle model has {list(want)}, converted tensor has {list(got)}"
            )
    provided = {id(paddle_sd[k]) for k in converted if k in paddle_sd}
    for key in paddle_sd:
        # Paddle lists some tensors twice (an LSTM's `weight_ih_l0` is also `0.cell.weight_ih`)
        if key not in converted and key not in already and id(paddle_sd[key]) not in provided:
            problems.add_missing(key, "missing: the Paddle model has it but no converted tensor provides it")


def load_into_paddle(paddle_model, converted, report: WeightReport | None = None) -> WeightReport | None:
    """Check ``converted`` against ``paddle_model`` and load it with ``set_state_dict``.

    ``converted`` is the dict from :func:`convert_state_dict` (numpy arrays or
    Paddle tensors) or the whole ``(converted, report)`` tuple.  Nothing is
    loaded when a key is missing, unexpected or has the wrong shape (raises
    :class:`WeightConversionError` listing all of them).  Floating values are
    cast to the dtype of the Paddle parameter.  Returns the report when one is
    available, else ``None``.
    """
    import paddle

    if (
        isinstance(converted, tuple)
        and len(converted) == 2
        and isinstance(converted[0], Mapping)
        and isinstance(converted[1], WeightReport)
    ):
        converted, report = converted
    problems = _Problems()
    _check_against_paddle(converted, paddle_model, problems)
    problems.raise_if_any("loading into the Paddle model")

    target = paddle_model.state_dict()
    tensors = {}
    for key, value in converted.items():
        t = value if isinstance(value, paddle.Tensor) else paddle.to_tensor(value)
        want = target[key].dtype
        if t.dtype != want:
            t = t.astype(want)
        tensors[key] = t
    by_identity = {id(target[k]): k for k in tensors}
    for key, value in target.items():  # the second name of a tensor Paddle lists twice gets the same value
        if key not in tensors and id(value) in by_identity:
            tensors[key] = tensors[by_identity[id(value)]]
    result = paddle_model.set_state_dict(tensors)
    if isinstance(result, tuple) and len(result) == 2:
        missing, unexpected = result
        if missing or unexpected:
            late = _Problems()
            for k in missing:
                late.add_missing(k, "Paddle set_state_dict did not load it")
            for k in unexpected:
                late.add_unexpected(k, "Paddle set_state_dict did not use it")
            late.raise_if_any("Paddle set_state_dict")
    return report


def resolve_factory(spec: str) -> Callable[..., Any]:
    """Resolve ``"pkg.module:attr"`` (``attr`` may be dotted, e.g. ``Class.create``) to a callable."""
    if not isinstance(spec, str):
        raise TypeError(f"factory spec must be a string 'pkg.module:callable', got {type(spec).__name__}")
    module_name, sep, attr_path = spec.strip().partition(":")
    if not sep or not module_name or not attr_path:
        raise FactoryResolutionError(
            f"invalid factory spec {spec!r}: expected 'package.module:callable', e.g. 'torchvision.models:resnet18'"
        )
    try:
        obj = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing and (module_name == missing or module_name.startswith(missing + ".")):
            raise FactoryResolutionError(
                f"cannot resolve factory {spec!r}: module {module_name!r} not found "
                f"(is its directory on sys.path / PYTHONPATH?)",
                name=module_name,
            ) from exc
        raise FactoryResolutionError(
            f"cannot resolve factory {spec!r}: importing module {module_name!r} failed because "
            f"its dependency {missing!r} is not installed ({exc})",
            name=module_name,
        ) from exc
    except ImportError as exc:
        raise FactoryResolutionError(
            f"cannot resolve factory {spec!r}: importing module {module_name!r} failed: {exc}", name=module_name
        ) from exc
    walked = module_name
    for part in attr_path.split("."):
        if not hasattr(obj, part):
            raise FactoryResolutionError(
                f"cannot resolve factory {spec!r}: {walked!r} has no attribute {part!r}", name=module_name
            )
        obj = getattr(obj, part)
        walked = f"{walked}:{part}" if walked == module_name else f"{walked}.{part}"
    if not callable(obj):
        raise TypeError(f"factory {spec!r} resolved to a non-callable {type(obj).__name__}")
    return obj


def _is_extra_state_key(key: str) -> bool:
    return key == "_extra_state" or key.endswith("._extra_state")


def _split_state_dict(obj) -> tuple[dict, list[str]] | None:
    """``(state_dict, skipped_keys)`` when ``obj`` is a state dict, else ``None``.

    A state dict is a non-empty mapping with ``str`` keys and at least one
    tensor value.  Its other values (``"epoch": 7``, ...) are left out and their
    keys returned as skipped, except module extra state (``..._extra_state``),
    which stays so that the conversion rules drop it with their reason.
    """
    import torch

    if not isinstance(obj, Mapping) or not obj or not all(isinstance(k, str) for k in obj):
        return None
    if not any(isinstance(v, torch.Tensor) for v in obj.values()):
        return None
    state_dict: dict[str, Any] = {}
    skipped: list[str] = []
    for key, value in obj.items():
        if isinstance(value, torch.Tensor) or _is_extra_state_key(key):
            state_dict[key] = value
        else:
            skipped.append(key)
    return state_dict, skipped


def _is_state_dict(obj) -> bool:
    return _split_state_dict(obj) is not None


#: ``torch.save``'s legacy (non-zip) format starts with a pickle of this number.
_TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_ZIP_MAGIC = b"PK\x03\x04"
_DAMAGED = "is not a torch checkpoint or is damaged"


def _first_sentence(exc: BaseException, limit: int = 200) -> str:
    text = str(exc).strip()
    text = text.splitlines()[0].strip() if text else ""
    if len(text) > limit:
        cut = text.find(". ")
        text = text[: cut + 1] if 0 < cut < limit else text[:limit] + "..."
    return text


def _os_error_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "does not exist (no such file)"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a checkpoint file"
    return f"cannot be read ({exc.strerror or exc})"


def _precheck_checkpoint_file(path: str) -> None:
    """Refuse what is certainly not a checkpoint before ``torch.load`` sees it."""
    import stat

    try:
        st = os.stat(path)
    except OSError as exc:
        raise CheckpointFileError(path, _os_error_reason(exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise CheckpointFileError(path, "is a directory, not a checkpoint file")
    if stat.S_ISREG(st.st_mode) and st.st_size == 0:
        raise CheckpointFileError(path, "is empty (0 bytes)")


def _checkpoint_file_fault(path: str) -> str | None:
    """What is structurally wrong with a file ``torch.load`` failed on; ``None`` if it looks sound.

    Zip-based checkpoints (``torch.save``'s default) need their central
    directory, which sits at the end of the file (a truncated file lacks it),
    and a ``data.pkl`` record; legacy ones start with torch's magic number.
    """
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError as exc:
        return _os_error_reason(exc)
    if size == 0 or not head:
        return "is empty (0 bytes)"
    if path.endswith(".safetensors"):
        return None  # torch.load reads these through the safetensors package; its message says more
    if head.startswith(_ZIP_MAGIC):
        import zipfile

        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except Exception:  # BadZipFile, or odd values in a damaged directory
            return (
                f"{_DAMAGED} (truncated zip archive: it starts like torch.save's zip format but its "
                f"central directory, stored at the end of the file, is missing or damaged; {size} bytes)"
            )
        if any(n.endswith("/constants.pkl") or "/code/" in n for n in names):
            return (
                "is a TorchScript archive (torch.jit.save), not a checkpoint of weights; load it with "
                "torch.jit.load and torch.save its state_dict()"
            )
        records = [n for n in names if n == "data.pkl" or n.endswith("/data.pkl")]
        if not records:
            return f"{_DAMAGED} (a zip archive without the data.pkl record of torch.save)"
        try:
            with zipfile.ZipFile(path) as archive:
                archive.read(records[0])  # checks its CRC-32; small next to the tensor data
        except Exception as exc:
            return f"{_DAMAGED} (its {records[0]} record is damaged: {_first_sentence(exc)})"
        return None
    import pickle

    magics = [pickle.dumps(_TORCH_LEGACY_MAGIC, protocol=p) for p in range(2, pickle.HIGHEST_PROTOCOL + 1)]
    if any(head.startswith(m) for m in magics):
        return None
    if any(m.startswith(head) for m in magics):
        return f"{_DAMAGED} (truncated legacy torch.save file: only {size} bytes)"
    import tarfile

    try:
        if tarfile.is_tarfile(path):  # the tar format of torch < 0.4
            return None
    except OSError:
        pass
    return (
        f"{_DAMAGED} (neither torch.save's zip format nor its legacy format, which starts with "
        "torch's magic number)"
    )


def _load_failure(path: str, exc: Exception) -> CheckpointFileError:
    """Say in words why ``torch.load`` raised ``exc`` (corrupt and truncated files raise anything)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return CheckpointFileError(path, _os_error_reason(exc))
    fault = _checkpoint_file_fault(path)
    if fault is not None:
        return CheckpointFileError(path, fault)
    detail = _first_sentence(exc)
    if isinstance(exc, EOFError) or "EOF" in detail or "truncated" in detail.lower():
        return CheckpointFileError(path, f"{_DAMAGED} (truncated: {detail or 'the data ends early'})")
    return CheckpointFileError(path, f"{_DAMAGED} ({type(exc).__name__}: {detail})")


def _torch_load(path: str, allow_pickle: bool):
    import pickle

    import torch

    _precheck_checkpoint_file(path)
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except MemoryError:
        raise
    except pickle.UnpicklingError as exc:
        fault = _checkpoint_file_fault(path)
        if fault is not None:
            raise CheckpointFileError(path, fault) from exc
        if not allow_pickle:
            detail, objects = _clean_torch_message(str(exc))
            raise PickleRefusedError(path, detail, objects) from exc
    except Exception as exc:  # a damaged file makes the unpickler raise IndexError, KeyError, EOFError, ...
        raise _load_failure(path, exc) from exc
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except MemoryError:
        raise
    except Exception as exc:
        raise _load_failure(path, exc) from exc


def _extract_state_dict(obj, path: str, key: str | None = None) -> tuple[dict, str | None, list[str]]:
    """``(state_dict, container_key, skipped_keys)`` from what ``torch.load`` returned; ``key``: the
    checkpoint's key that holds the weights (else the common ones, then a single nested one, are tried)."""
    import torch

    if key is not None:
        if not isinstance(obj, Mapping):
            raise WeightConversionError([(path, f"key {key!r} given, but the checkpoint is a "
                                                f"{type(obj).__name__}, not a dict")])
        if key not in obj:
            keys = ", ".join(repr(k) for k in list(obj)[:20])
            raise WeightConversionError([(path, f"has no key {key!r}; its top-level keys are {keys}")])
        inner = obj[key]
        if isinstance(inner, torch.nn.Module):
            return dict(inner.state_dict()), key, []
        split = _split_state_dict(inner)
        if split is None:
            raise WeightConversionError([(path, f"key {key!r} holds a {type(inner).__name__} without tensors, "
                                                "not a state dict")])
        return split[0], key, split[1]
    if isinstance(obj, torch.nn.Module):
        return dict(obj.state_dict()), None, []
    if isinstance(obj, Mapping):
        # A container key wins: a training checkpoint may hold tensors of its own next to the
        # weights ({"model": sd, "best_acc": tensor(0.9)}) and must not be taken for a state dict.
        for key in CHECKPOINT_CONTAINER_KEYS:
            inner = obj.get(key)
            if isinstance(inner, torch.nn.Module):
                return dict(inner.state_dict()), key, []
            split = _split_state_dict(inner)
            if split is not None:
                return split[0], key, split[1]
        nested = [k for k, v in obj.items() if isinstance(v, torch.nn.Module) or _is_state_dict(v)]
        split = _split_state_dict(obj)
        if split is not None and not nested:
            return split[0], None, split[1]
        if len(nested) == 1 and split is None:  # {"generator": sd, "epoch": 3}: the only state dict there
            return _extract_state_dict(obj, path, nested[0])
        keys = ", ".join(repr(k) for k in list(obj)[:20])
        desc = f"no state dict found; top-level keys are {keys} (looked for {CHECKPOINT_CONTAINER_KEYS})"
        if nested:
            desc += "; tensors are nested under " + ", ".join(repr(k) for k in nested[:20])
            if split is not None:
                desc += ", so the top-level tensors are not taken for the weights"
            desc += "; choose one with key= (the CLI's --key)"
        raise WeightConversionError([(path, desc)])
    raise WeightConversionError([(path, f"unsupported checkpoint content of type {type(obj).__name__}")])


def _load_checkpoint(checkpoint_path, allow_pickle: bool, key: str | None = None) -> tuple[dict, str | None, list[str]]:
    path = os.fspath(checkpoint_path)
    return _extract_state_dict(_torch_load(path, allow_pickle), path, key)


def load_torch_checkpoint(checkpoint_path, *, allow_pickle: bool = False,
                          key: str | None = None) -> tuple[dict, str | None]:
    """Load a ``.pth`` file and return ``(state_dict, container_key)``.

    Uses ``torch.load(map_location="cpu", weights_only=True)``.  A checkpoint
    that needs full unpickling (e.g. a pickled ``nn.Module`` or custom classes)
    is only loaded with ``weights_only=False`` when ``allow_pickle=True``,
    because that executes code from the file (else :class:`PickleRefusedError`).
    ``key`` names the checkpoint's key that holds the weights; without it a
    dict holding them under ``"state_dict"``, ``"model_state_dict"``,
    ``"model"``, ``"net"`` or ``"network"`` is unwrapped (the key used is
    returned; such a key wins over tensors at the top level), then a dict whose
    only state dict is nested under another key.  A pickled module gives its
    ``state_dict()``.  Non-tensor entries of the state dict (``"epoch": 7``,
    ...) are left out.

    A missing, empty, truncated or otherwise damaged file raises
    :class:`CheckpointFileError` saying what is wrong with it.
    """
    state_dict, source_key, _ = _load_checkpoint(checkpoint_path, allow_pickle, key)
    return state_dict, source_key


def _same_file(a, b) -> bool:
    """Whether paths ``a`` and ``b`` name the same file (links resolved; hard links when both exist)."""
    a, b = os.fspath(a), os.fspath(b)
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)
    except OSError:
        return False


def _atomic_paddle_save(obj, output_path) -> None:
    import paddle

    output_path = os.path.abspath(os.fspath(output_path))
    out_dir = os.path.dirname(output_path)
    os.makedirs(out_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(output_path) + ".", suffix=".tmp", dir=out_dir)
    os.close(fd)
    try:
        paddle.save(obj, tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, output_path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def convert_checkpoint(
    checkpoint_path,
    output_path,
    model_factory,
    factory_kwargs: Mapping[str, Any] | None = None,
    paddle_model_factory=None,
    *,
    strict: bool = True,
    allow_pickle: bool = False,
    key: str | None = None,
) -> WeightReport:
    """Convert a torch ``.pth`` checkpoint to a Paddle ``.pdparams`` file.

    ``model_factory`` (a callable or ``"pkg.module:factory"``) is called with
    ``factory_kwargs`` to build the torch model whose structure decides the
    rules.  ``paddle_model_factory`` (same forms, same kwargs) optionally builds
    the Paddle model: the converted weights are then checked against it and
    loaded into it before anything is written.  The output is written
    atomically (temporary file in the same directory + ``os.replace``) and can
    be read with ``paddle.load`` + ``set_state_dict``.  An ``output_path``
    naming the checkpoint itself (links resolved) raises :class:`CheckpointFileError`
    before anything is loaded.  Non-tensor entries of the state dict are listed
    in ``report.skipped_entries``.  ``key`` and ``allow_pickle``: see
    :func:`load_torch_checkpoint`; a prefix every key carries (``module.`` of
    DataParallel, ``_orig_mod.`` of torch.compile) is stripped.
    """
    if _same_file(checkpoint_path, output_path):
        raise CheckpointFileError(
            output_path, "is the input checkpoint itself; writing there would overwrite it (choose another output)"
        )
    kwargs = dict(factory_kwargs or {})
    factory = resolve_factory(model_factory) if isinstance(model_factory, str) else model_factory
    torch_model = factory(**kwargs)
    import torch

    if not isinstance(torch_model, torch.nn.Module):
        raise TypeError(f"model_factory returned {type(torch_model).__name__}, expected a torch.nn.Module")

    state_dict, source_key, skipped = _load_checkpoint(checkpoint_path, allow_pickle, key)

    paddle_model = None
    if paddle_model_factory is not None:
        pfactory = (
            resolve_factory(paddle_model_factory) if isinstance(paddle_model_factory, str) else paddle_model_factory
        )
        paddle_model = pfactory(**kwargs)

    converted, report = convert_state_dict(torch_model, state_dict, paddle_model, strict=strict)
    report.source_key = source_key
    report.skipped_entries = list(skipped)
    if paddle_model is not None:
        load_into_paddle(paddle_model, converted)
    _atomic_paddle_save(converted, output_path)
    return report


# --------------------------------------------------------------------------- alignment helpers


def randomize_for_alignment(torch_model, seed: int = 0, calibration_input=None):
    """Give ``torch_model`` non-degenerate, seeded weights for torch/Paddle output comparison.

    With a ``torch.Generator`` seeded by ``seed``:

    * BatchNorm: ``running_mean`` ~ U(-0.1, 0.1), ``running_var`` ~ U(0.5, 1.5);
    * BatchNorm / InstanceNorm / LayerNorm / GroupNorm affine ``weight`` ~ U(0.8, 1.2),
      ``bias`` ~ U(-0.1, 0.1) (so that forgetting to load them is visible);
    * Linear ``weight`` and ``bias`` ~ N(0, 1/in_features);
    * PReLU ``weight`` ~ U(0.1, 0.4);
    * MultiheadAttention ``in_proj_bias``, ``bias_k`` and ``bias_v`` ~ N(0, 1/embed_dim) (torch starts the
      first at zero, which would hide a q/k/v bias loaded in the wrong order; its ``out_proj`` is a Linear).

    Random running statistics alone give O(0.1) logits, but in deep nets with
    depthwise convolutions (MobileNet, EfficientNet) those logits barely depend
    on the input (the conv path shrinks by orders of magnitude and only the
    biases survive), which makes an alignment test blind to conv errors.  Pass
    ``calibration_input`` (a tensor or a tuple of positional inputs, batch > 1)
    to then set every BatchNorm's running statistics to the statistics of its
    input on one eval-mode forward pass over it, which keeps activations O(1)
    at every depth.  Calibrate with the very batch the comparison will use (or
    a large one): statistics from a few samples at 1x1-2x2 spatial size
    normalise *other* inputs badly and their outputs can grow by orders of
    magnitude.

    The module's training flags are restored; returns ``torch_model``.
    """
    import torch
    from torch.nn.modules.batchnorm import _BatchNorm, _NormBase

    gen = torch.Generator().manual_seed(int(seed))

    def fill(tensor, sample) -> None:
        if tensor is None or isinstance(tensor, torch.nn.parameter.UninitializedTensorMixin):
            return
        tensor.copy_(sample(tuple(tensor.shape)))

    def uniform(lo, hi):
        return lambda shape: torch.rand(shape, generator=gen) * (hi - lo) + lo

    def normal(std):
        return lambda shape: torch.randn(shape, generator=gen) * std

    with torch.no_grad():
        for _, module in torch_model.named_modules():
            if isinstance(module, (_NormBase, torch.nn.LayerNorm, torch.nn.GroupNorm)):
                fill(getattr(module, "weight", None), uniform(0.8, 1.2))
                fill(getattr(module, "bias", None), uniform(-0.1, 0.1))
                if isinstance(module, _BatchNorm):
                    fill(getattr(module, "running_mean", None), uniform(-0.1, 0.1))
                    fill(getattr(module, "running_var", None), uniform(0.5, 1.5))
            elif isinstance(module, torch.nn.Linear):
                weight = module.weight
                if isinstance(weight, torch.nn.parameter.UninitializedTensorMixin):
                    continue
                std = 1.0 / math.sqrt(max(1, weight.shape[1]))
                fill(weight, normal(std))
                fill(module.bias, normal(std))
            elif isinstance(module, torch.nn.PReLU):
                fill(module.weight, uniform(0.1, 0.4))
            elif isinstance(module, torch.nn.MultiheadAttention):
                std = 1.0 / math.sqrt(max(1, module.embed_dim))
                for name in ("in_proj_bias", "bias_k", "bias_v"):
                    fill(getattr(module, name, None), normal(std))

    if calibration_input is not None:
        _calibrate_batchnorm(torch_model, calibration_input)
    return torch_model


def _calibrate_batchnorm(torch_model, calibration_input) -> None:
    """Set every BatchNorm's running statistics to those of its input on one forward pass.

    Runs in eval mode with a forward pre-hook on each BatchNorm that writes the
    per-channel mean and *biased* variance of the incoming activations into
    ``running_mean`` / ``running_var`` just before the layer uses them, so eval
    mode on ``calibration_input`` normalises exactly like train mode would
    (train mode's unbiased running variance would compound a sqrt(n/(n-1))
    error per layer for small batches).  Layers downstream see the already
    calibrated activations.  Training flags are restored afterwards.
    """
    import torch
    from torch.nn.modules.batchnorm import _BatchNorm

    bns = [
        m
        for m in torch_model.modules()
        if isinstance(m, _BatchNorm) and m.running_mean is not None and m.running_var is not None
    ]
    if not bns:
        return

    def pre_hook(module, args):
        x = args[0].detach()
        dims = [d for d in range(x.dim()) if d != 1]
        module.running_mean.copy_(x.mean(dim=dims))
        module.running_var.copy_(x.var(dim=dims, unbiased=False))

    modes = [(m, m.training) for m in torch_model.modules()]
    inputs = tuple(calibration_input) if isinstance(calibration_input, (tuple, list)) else (calibration_input,)
    handles = [bn.register_forward_pre_hook(pre_hook) for bn in bns]
    try:
        torch_model.eval()
        with torch.no_grad():
            torch_model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
        for m, training in modes:
            m.training = training
