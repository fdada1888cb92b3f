"""Every torch API that real code uses has a table entry: mapped with an example, or unsupported with a reason.

``tests/data/torchvision_api_ranking.json`` (written by ``tools/rank_torch_apis.py``) ranks the
torch/torchvision APIs used in the installed torchvision sources and examples/mobilenetv3_ref.
Each API used at least ``MIN_USES`` times must resolve, the way the converter resolves it, to

* an entry of its own (exact name or alias),
* for ``torch.Tensor.m`` / ``torch.nn.Module.m`` / ``torch.optim.Optimizer.m``: a method entry, or
* the entry of an enclosing namespace or class (``torch.jit`` covers ``torch.jit.annotations.X``,
  ``...InterpolationMode`` covers ``...InterpolationMode.BILINEAR``), unless a module mapping sits
  in between (then the converter reports the name as having no mapping),

and that entry must either be marked ``unsupported`` or carry at least one example.  The failure
lists the uncovered APIs grouped by the table area that should own them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from torch2paddle.tables import ApiEntry, Tables, load_tables

RANKING = Path(__file__).resolve().parent / "data" / "torchvision_api_ranking.json"
MIN_USES = 2
_METHOD_OWNERS = ("torch.Tensor.", "torch.nn.Module.", "torch.optim.Optimizer.")

# (prefix, area): the first matching prefix names the table that should own an uncovered API
_AREAS = (
    ("torch.Tensor.", "tensor_methods"),
    ("torch.nn.Module.", "tensor_methods (module methods)"),
    ("torch.optim.Optimizer.", "optim"),
    ("torch.nn.functional.", "nn_functional"),
    ("torch.nn.init.", "nn_init"),
    ("torch.nn.utils.", "nn_utils"),
    ("torch.nn.modules.utils.", "unsupported"),
    ("torch.nn.quantized", "unsupported"),
    ("torch.nn.", "nn_layers"),
    ("torch.optim", "optim"),
    ("torch.utils.data", "data"),
    ("torch.linalg", "linalg_fft"),
    ("torch.fft", "linalg_fft"),
    ("torch.distributions", "distributions"),
    ("torch.cuda", "training"),
    ("torch.distributed", "training"),
    ("torch.backends", "training"),
    ("torch.amp", "training"),
    ("torch.autograd", "training"),
    ("torch.save", "training"),
    ("torch.load", "training"),
    ("torch.manual_seed", "training"),
    ("torch.jit", "unsupported"),
    ("torch.fx", "unsupported"),
    ("torch.onnx", "unsupported"),
    ("torch.library", "unsupported"),
    ("torch.ops", "unsupported"),
    ("torch.ao", "unsupported"),
    ("torch.compiler", "unsupported"),
    ("torch.utils._", "unsupported"),
    ("torch._", "unsupported"),
    ("torch.", "creation_math / shape_index"),
    ("torchvision.transforms.v2", "unsupported"),
    ("torchvision.tv_tensors", "unsupported"),
    ("torchvision.ops", "unsupported (torchvision.ops)"),
    ("torchvision.models", "unsupported (torchvision.models)"),
    ("torchvision.extension", "unsupported"),
    ("torchvision._", "unsupported"),
    ("torchvision.utils._", "unsupported"),
    ("torchvision.", "vision"),
)


def ranked_apis(min_uses: int = MIN_USES) -> list[tuple[str, int]]:
    data = json.loads(RANKING.read_text(encoding="utf-8"))
    return [(r["api"], r["uses"]) for r in data["ranking"] if r["uses"] >= min_uses]


def entry_for(tables: Tables, api: str) -> ApiEntry | None:
    """The entry the converter uses for ``api`` (mirrors TorchToPaddle.lookup and its method tables)."""
    exact = tables.apis.get(api)
    if exact is not None:
        return exact
    if api.startswith(_METHOD_OWNERS):
        # a method: only a method entry of that owner converts it (torch.Tensor's own entry does not)
        return next((e for e in tables.lookup_method(api.rsplit(".", 1)[1]) if e.name == api), None)
    parts = api.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in tables.modules:
            return None
        entry = tables.apis.get(prefix)
        if entry is not None:
            return entry
    return None


def area_of(api: str) -> str:
    return next((area for prefix, area in _AREAS if api.startswith(prefix)), "other")


def uncovered(tables: Tables, apis: list[tuple[str, int]]) -> list[tuple[str, int, str]]:
    """(api, uses, why) for every ranked API without a usable entry."""
    out = []
    for api, uses in apis:
        entry = entry_for(tables, api)
        if entry is None:
            out.append((api, uses, "no entry"))
        elif not entry.unsupported and not entry.examples:
            out.append((api, uses, f"{entry.name} is mapped without an example"))
    return out


def test_ranking_file_is_readable() -> None:
    apis = ranked_apis()
    assert apis, f"{RANKING} lists no API used at least {MIN_USES} times"
    assert all(isinstance(a, str) and "." in a for a, _ in apis)


def test_every_ranked_api_is_mapped_or_unsupported() -> None:
    apis = ranked_apis()
    missing = uncovered(load_tables(), apis)
    if not missing:
        return
    by_area: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for item in missing:
        by_area[area_of(item[0])].append(item)
    lines = [
        f"{len(missing)} of the {len(apis)} APIs used at least {MIN_USES} times in {RANKING.name} have no table "
        "entry (map them with an example, or mark them `unsupported: <reason>`):"
    ]
    for area in sorted(by_area, key=lambda a: (-len(by_area[a]), a)):
        lines.append(f"  {area} ({len(by_area[area])}):")
        lines += [f"    {api}  [{uses} uses]" + ("" if why == "no entry" else f"  ({why})") for api, uses, why in by_area[area]]
    raise AssertionError("\n".join(lines))


def test_entry_lookup_follows_the_converter() -> None:
    """The lookup rules above, checked on a hand-made table."""
    from torch2paddle.tables import Example

    ex = (Example(code="pass", compare=("x",)),)
    tables = Tables(
        modules={"torch": "paddle", "torchvision.ops": "paddle.vision.ops"},
        apis={
            "torch.jit": ApiEntry("torch.jit", "t.yaml", "apis", unsupported="TorchScript", examples=ex),
            "torch.Tensor": ApiEntry("torch.Tensor", "t.yaml", "apis", target="paddle.Tensor", examples=ex),
            "torch.nn.Linear": ApiEntry("torch.nn.Linear", "t.yaml", "apis", target="paddle.nn.Linear"),
        },
        methods={"view": [ApiEntry("torch.Tensor.view", "t.yaml", "methods", target="paddle.Tensor.reshape", examples=ex)]},
    )
    assert entry_for(tables, "torch.jit.annotations.BroadcastingList2").name == "torch.jit"
    assert entry_for(tables, "torch.Tensor.view").name == "torch.Tensor.view"
    assert entry_for(tables, "torch.Tensor.size") is None  # torch.Tensor's entry does not cover its methods
    assert entry_for(tables, "torchvision.ops.boxes.box_iou") is None  # a module mapping stops the search
    result = uncovered(tables, [("torch.nn.Linear", 5), ("torch.jit.unused", 3), ("torch.cat", 2)])
    assert [(a, why) for a, _, why in result] == [
        ("torch.nn.Linear", "torch.nn.Linear is mapped without an example"),
        ("torch.cat", "no entry"),
    ]
