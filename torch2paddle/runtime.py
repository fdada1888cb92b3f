"""The run-time keyword adapter written into OUT: ``**kwargs`` forwarded into a mapped call.

``nn.Conv2d(cin, cout, **kwargs)`` cannot be converted statically: which
keywords ``kwargs`` holds is known only when it runs, and Paddle names some of
them differently (``bias`` -> ``bias_attr``), does not take others
(``device``) or reads their values differently (BatchNorm ``momentum``).  Such
a call becomes ``nn.Conv2D(cin, cout, **_torch2paddle_runtime.kwargs(
"torch.nn.Conv2d", kwargs))``, and ``_torch2paddle_runtime.py``, generated
into OUT from the same tables, translates the keywords when the call runs:
renames, drops torch's no-op values (``device=None``), rewrites values whose
rewrite has a run-time form, and raises a ``TypeError`` naming the keyword and
the reason for anything Paddle cannot take.  Nothing is accepted silently.

The generated module depends on nothing (not torch, not paddle, not
torch2paddle) and holds only the entries its package uses.
"""

from __future__ import annotations

import ast
import pprint
from pathlib import Path

from .report import RUNTIME_REASON  # noqa: F401 - the report counts the uses converted this way
from .runtime_datasets import CLASSES as DATASET_CLASSES
from .runtime_utils import CLASSES as UTILS_CLASSES
from .tables import ApiEntry

MODULE = "_torch2paddle_runtime"  # the generated module's name, and the local name converted code uses
FUNCTION = "kwargs"
DISPATCH = "kwargs_for"  # the same, for a callee known only when the call runs (norm_layer(c, **kw))
PLACEHOLDER = "unsupported"  # the placeholder factory for refused names evaluated at import time
PLACEHOLDERS = "<placeholders>"  # in a result's runtime_apis: the file uses placeholders
LAYER_FACTORIES = "<layer factories>"  # ... the file calls layer factories (keywords for the package's value layers)

# Run-time forms of the value rewrites an adapted keyword may need (the static forms are in rewrites/).
# DROP: the keyword is left out (Paddle's default is torch's value).
RUNTIME_VALUES = {
    "one_minus": "lambda value: 1 - value",
    "logical_not": "lambda value: not value",
    "track_stats": "lambda value: DROP if value is True else (None if value else False)",
    "tanh_flag": 'lambda value: value == "tanh"',
    "bidirectional_direction": 'lambda value: "bidirect" if value else "forward"',
    "drop_literal_none": "lambda value: DROP if value is None else value",  # Paddle's default is torch's None
}


def _literal(source: str):
    return ast.literal_eval(source)


def _same_positions(entry: ApiEntry) -> int:
    """How many leading positional arguments mean the same in Paddle (same name, same place, same value)."""
    count = 0
    for torch_name, paddle_name in zip(entry.args, entry.paddle_positions()):
        if torch_name != paddle_name or torch_name in entry.drop or torch_name in entry.values \
                or torch_name in entry.unsupported_args:
            break
        count += 1
    return count


def spec_of(entry: ApiEntry) -> dict | None:
    """What the adapter needs to know of ``entry``; None when its keyword rules cannot run as data
    (an allowed or denied value that is not a literal)."""
    try:
        checks = {name: {"allow": [_literal(v) for v in spec["allow"]], "deny": [_literal(v) for v in spec["deny"]],
                         "reason": spec["reason"]} for name, spec in entry.unsupported_args.items()}
    except (ValueError, SyntaxError):
        return None
    try:  # torch defaults Paddle's differ from, written out when a call through torch_attr omits them
        defaults = {name: _literal(value) for name, value in entry.defaults.items()}
    except (ValueError, SyntaxError):
        defaults = None
    return {
        "target": entry.target,
        "positions": _same_positions(entry),
        "rename": {k: v for k, v in entry.rename.items()},
        "drop": sorted(entry.drop),
        "values": dict(entry.values),
        "checks": checks,
        "unsupported": entry.unsupported,
        "args": list(entry.args),
        "defaults": defaults,
        "plain": not entry.rewrite and not entry.add and entry.kind == "callable",  # data alone converts a call
        "then_to": list(entry.then_to),
    }


def is_runtime_target(target: str | None) -> bool:
    """Whether ``target`` names a class or function of the generated module itself
    (``_torch2paddle_runtime.MultiheadAttention``: torch's layer written out in Paddle ops)."""
    return bool(target) and target.startswith(MODULE + ".")


_LAYERS_FILE = Path(__file__).with_name("runtime_layers.py")
_LAYERS_MARKER = "# ---- COPIED into _torch2paddle_runtime.py"
_DATASETS_FILE = Path(__file__).with_name("runtime_datasets.py")
_BASE_FILE = Path(__file__).with_name("runtime_base.py")  # torchvision datasets, copied the same way
_MATH_FILE = Path(__file__).with_name("runtime_math.py")  # torch functions Paddle lacks, in Paddle ops
_UTILS_FILE = Path(__file__).with_name("runtime_utils.py")  # torch utilities Paddle lacks (nn.utils.rnn)


def _defined_names(path: Path) -> frozenset[str]:
    """The functions and classes defined at the top level of ``path``'s copied part."""
    tree = ast.parse("\n".join(_layers_source(path)))
    return frozenset(node.name for node in tree.body
                     if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"))


def _layers_source(path: Path = _LAYERS_FILE) -> list[str]:
    """The part of ``path`` copied into the generated module (runtime_layers.py: the layers written in Paddle
    ops; runtime_datasets.py: torchvision's datasets)."""
    text = path.read_text(encoding="utf-8")
    return ["", "", *text[text.index(_LAYERS_MARKER):].rstrip("\n").split("\n")]


def module_source(entries: list[ApiEntry]) -> str:
    """The text of ``_torch2paddle_runtime.py`` for ``entries`` (sorted, so the output is deterministic);
    torch's layers written in Paddle ops (``runtime_layers.py``) are included when an entry targets one."""
    specs = {e.name: spec_of(e) for e in sorted(entries, key=lambda e: e.name)}
    values = sorted({v for spec in specs.values() if spec for v in spec["values"].values() if v in RUNTIME_VALUES})
    lines = [
        '"""Written by torch2paddle: translates torch keyword arguments that reach Paddle calls through **kwargs.',
        "",
        "A converted call such as ``nn.Conv2D(cin, cout, **_torch2paddle_runtime.kwargs(\"torch.nn.Conv2d\", kw))``",
        "hands its keywords to ``kwargs``, which renames them for Paddle, drops torch's no-op values",
        "(``device=None``), converts values Paddle reads differently, and raises a TypeError naming the",
        "keyword for anything Paddle cannot take.  Regenerated by each conversion; edit the calls, not this file.",
        '"""',
        "",
        "DROP = object()  # a value Paddle expresses by leaving the keyword out",
        "",
        "_VALUES = {",
        *(f"    {name!r}: {RUNTIME_VALUES[name]}," for name in values),
        "}",
        "",
        "_SPECS = " + pprint.pformat(specs, indent=4, width=110, sort_dicts=True),
        "",
        "",
    ]
    lines[-2:] = [*_layers_source(_BASE_FILE), ""]  # the fixed part (runtime_base.py): adapter, placeholders, helpers
    runtime_names = {e.target.rpartition(".")[2] for e in entries if is_runtime_target(e.target)}
    math_names = _defined_names(_MATH_FILE) if runtime_names else frozenset()
    utils_names = (_defined_names(_UTILS_FILE) | UTILS_CLASSES) if runtime_names else frozenset()
    layers = bool(runtime_names - DATASET_CLASSES - math_names - utils_names)
    if runtime_names & math_names or layers:  # the layers use its functions (NLLLoss: nll_loss)
        lines[-1:] = [*_layers_source(_MATH_FILE), ""]
    if layers:
        lines[-1:] = [*_layers_source(), ""]
    if runtime_names & utils_names:  # after the layers: its __getattr__ serves both files' classes
        lines[-1:] = [*_layers_source(_UTILS_FILE), ""]
    if runtime_names & DATASET_CLASSES:  # after the layers: its __getattr__ serves both files' classes
        lines[-1:] = [*_layers_source(_DATASETS_FILE), ""]
    return "\n".join(lines)
