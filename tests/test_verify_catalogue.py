"""verify's verdict on ports nobody here wrote, and a catalogue of sabotages that must fail at the right step.

Correct ports (``slow``): models built by the INSTALLED torchvision and pytorchcv (a public CIFAR collection,
a dev-only extra) inside a small project of the test's own. Each library is converted whole with
``convert_tree`` (``torch_init``, so that layers no init code touches start from torch's distributions) next to
the converted project, so that on the Paddle side ``import torchvision`` / ``import pytorchcv`` is the
converted copy, and on the torch side the installed original. The Paddle side runs with torch blocked (a
``sitecustomize`` on PYTHONPATH that acts only in the harness's ``paddle/`` folder and records which copy of
each library it imported). The project looks the builder up by name (``library_model``): the converter maps
a literal ``torchvision.models.resnet18`` to ``paddle.vision.models.resnet18``, another implementation.

Sabotages: each edits converted code (or converted weights) the way a hand port goes wrong, and verify must
fail at the expected step while every earlier step it ran still passes. Already covered elsewhere (not
repeated here): BatchNorm momentum not inverted and BatchNorm epsilon (test_verify.py, backward and forward),
a Linear weight left in torch's layout in the converted weights (test_verify.py forward,
test_verify_locate.py weights/locate), top-k computed with ``largest=False`` (test_verify.py) and with k - 1
plus label smoothing lost (test_verify_recipes.py). Here: a dropped activation, a changed padding and an
active dropout on the bundled example; a softmax axis, a scheduler step, label smoothing added and every
top-k computed with max(k) on a small project with its own recipe.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from torch2paddle import convert_tree
from torch2paddle.verify.runner import EXIT_PASSED, verify

pytest.importorskip("torch")
pytest.importorskip("paddle")

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mobilenetv3_ref"


def _by_step(result) -> dict:
    return {s.step: s for s in result.steps}


def _table(result) -> str:
    return "\n".join(f"{s.step}: {s.status}: {s.detail}" for s in result.steps)


def _edit(path: Path, old: str, new: str, count: int = -1) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count))


def _fails_at(result, step: str, ran: list[str]) -> None:
    """``step`` failed; every step before it that ran (in the chain's order) passed or was flagged."""
    steps = _by_step(result)
    assert steps[step].status == "failed", _table(result)
    for earlier in ran[:ran.index(step)]:
        assert steps[earlier].status in ("passed", "flagged", "skipped"), (earlier, _table(result))
    assert result.exit_code != EXIT_PASSED


# -- correct ports of libraries nobody here wrote ------------------------------------------------------------
BLOCKER = '''\
"""Test-only: on the Paddle side of a verify harness, importing torch raises; records the libraries' origin."""
import atexit, importlib.abc, json, os, sys

_cwd = os.getcwd()
if os.path.basename(_cwd) == "paddle" and os.path.isfile(os.path.join(os.path.dirname(_cwd), "config.json")):
    class _NoTorch(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("torch", "torchaudio", "functorch"):
                raise ImportError("torch is blocked on the Paddle side (%s)" % name)

    sys.meta_path.insert(0, _NoTorch())

    @atexit.register
    def _where():
        seen = {n: getattr(sys.modules[n], "__file__", None) for n in ("torchvision", "pytorchcv", "paddle", "torch")
                if n in sys.modules}
        with open(os.path.join(os.path.dirname(_cwd), "result", "paddle_side_modules.json"), "w") as fh:
            json.dump(seen, fh)
'''

MODELS = '''\
"""Models from libraries this project does not own, built by name so that the converted project builds them
from the converted copy of the library."""
import importlib


def library_model(_module, _attr, **kwargs):
    return getattr(importlib.import_module(_module), _attr)(**kwargs)


def tv(name, **kwargs):
    return library_model("torchvision.models", name, **kwargs)


def cv(name, **kwargs):
    return library_model("pytorchcv.model_provider", "get_model", name=name, **kwargs)
'''

LIB_METRIC = '''\
import torch


def accuracy(output, target, topk=(1,)):
    maxk = max(topk)
    _, pred = output.topk(maxk, 1, True, True)
    pred = pred.t()
    correct = pred.eq(target.view(1, -1).expand_as(pred))
    return [correct[:k].reshape(-1).float().sum(0) * (100.0 / target.size(0)) for k in topk]
'''

PORT_STEPS = ["weights", "forward", "metric", "loss", "init", "backward", "train"]

PORTS = [
    pytest.param("torchvision", "tv", "resnet18", {"num_classes": 10}, [8, 3, 64, 64], id="torchvision-resnet18"),
    pytest.param("torchvision", "tv", "mobilenet_v2", {"num_classes": 10}, [8, 3, 64, 64],
                 id="torchvision-mobilenet_v2"),  # passes through the kink floor (README, noise-aware thresholds)
    pytest.param("torchvision", "tv", "regnet_x_400mf", {"num_classes": 10}, [8, 3, 64, 64],
                 id="torchvision-regnet_x_400mf"),
    pytest.param("torchvision", "tv", "densenet121", {"num_classes": 10}, [8, 3, 64, 64],
                 id="torchvision-densenet121"),
    pytest.param("pytorchcv", "cv", "resnet20_cifar10", {}, [8, 3, 32, 32], id="pytorchcv-resnet20_cifar10"),
]


def _installed(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)  # without importing it (and torch)
    return Path(list(spec.submodule_search_locations)[0]) if spec and spec.submodule_search_locations else None


@pytest.fixture(scope="module")
def converted_libraries(tmp_path_factory):
    """Each installed library converted whole, once per worker: {package: converted folder}."""
    root = tmp_path_factory.mktemp("libraries")
    done = {}
    for package in ("torchvision", "pytorchcv"):
        source = _installed(package)
        if source is None:
            continue
        report = convert_tree(source, root / package, jobs=2, torch_init=True)
        assert not report.errors, [f"{f.path}: {f.error}" for f in report.errors]
        done[package] = root / package
    return done


@pytest.fixture
def torch_blocked_on_the_paddle_side(tmp_path, monkeypatch):
    folder = tmp_path / "blocker"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(BLOCKER)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])))


@pytest.mark.slow
@pytest.mark.parametrize("library, helper, name, kwargs, shape", PORTS)
def test_a_correct_port_of_a_library_model_passes(converted_libraries, torch_blocked_on_the_paddle_side, tmp_path,
                                                  library, helper, name, kwargs, shape):
    if library not in converted_libraries:
        pytest.skip(f"{library} is not installed (a development-only extra)")
    src = tmp_path / "src" / "libports"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("")
    (src / "models.py").write_text(MODELS)
    (src / "metric.py").write_text(LIB_METRIC)
    out = tmp_path / "out" / "libports"
    assert not convert_tree(src, out, jobs=1).errors
    (out.parent / library).symlink_to(converted_libraries[library], target_is_directory=True)
    config = tmp_path / "torch2paddle.yaml"
    config.write_text(
        "package: libports\n"
        f"model: {{factory: 'libports.models:{helper}', kwargs: {json.dumps(dict(name=name, **kwargs))}, "
        f"input_shape: {shape}}}\n"
        "num_classes: 10\nmetric: {function: 'libports.metric:accuracy', topk: [1, 5]}\n"
        "loss: torch.nn.CrossEntropyLoss\noptimizer: {lr: 0.01, momentum: 0.9}\n")
    result = verify(out, ",".join(PORT_STEPS), config=str(config))
    print(_table(result))
    seen = json.loads((Path(result.harness) / "result" / "paddle_side_modules.json").read_text())
    assert "torch" not in seen, seen
    assert os.path.realpath(seen[library]).startswith(os.path.realpath(converted_libraries[library]) + os.sep), seen
    steps = _by_step(result)
    for step in PORT_STEPS:
        assert steps[step].status == "passed", (step, _table(result))
    assert result.exit_code == EXIT_PASSED


# -- sabotages of the converted example ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("catalogue") / "mobilenetv3_ref"
    assert not convert_tree(EXAMPLE, out, jobs=1).errors
    return out


def _padding_shifted(out: Path) -> None:
    """Same output shapes, content shifted: all of a conv's padding on the top and left ([t, b, l, r])."""
    path = out / "models" / "misc.py"
    text = path.read_text()
    patched = re.sub(r"(\n\s+)padding,\n", r"\1[2 * padding, 0, 2 * padding, 0],\n", text, count=1)
    assert patched != text, text
    path.write_text(patched)


EXAMPLE_SABOTAGES = {
    # (edit of the converted tree, the step that must fail)
    "activation_dropped": (lambda out: _edit(out / "models" / "mobilenetv3.py", "nn.Hardswish(),",
                                             "nn.Identity(),", 1), "forward"),
    "padding_changed": (_padding_shifted, "forward"),
    # F.dropout's `training` defaults to True: the port forgot `training=self.training`
    "dropout_left_active": (lambda out: _edit(out / "models" / "mobilenetv3.py", "x = self.classifier(x)",
                                              "x = self.classifier(nn.functional.dropout(x, 0.2))", 1), "forward"),
}


@pytest.mark.parametrize("sabotage", sorted(EXAMPLE_SABOTAGES))
def test_a_sabotaged_example_fails_at_the_right_step(example, tmp_path, sabotage):
    out = tmp_path / "mobilenetv3_ref"
    shutil.copytree(example, out, ignore=shutil.ignore_patterns("verify"))
    edit, step = EXAMPLE_SABOTAGES[sabotage]
    edit(out)
    ran = ["weights", "forward"]
    _fails_at(verify(out, ",".join(ran)), step, ran)


# -- sabotages of a project's own recipe, softmax and metric ---------------------------------------------------
CATNET = {
    "__init__.py": "",
    "net.py": ("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\nclass Net(nn.Module):\n"
               "    def __init__(self, num_classes=12):\n        super().__init__()\n        self.fc1 = nn.Linear(8, 32)\n"
               "        self.act = nn.Tanh()\n        self.fc2 = nn.Linear(32, num_classes)\n\n"
               "    def forward(self, x):\n        return F.log_softmax(self.fc2(self.act(self.fc1(x))), dim=1)\n\n\n"
               "def make():\n    return Net()\n"),
    "recipe.py": ("import torch\nimport torch.nn as nn\n\n\ndef build_criterion():\n    return nn.CrossEntropyLoss()\n\n\n"
                  "def build_optimizer(model, lr=0.1):\n"
                  "    return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)\n\n\n"
                  "def build_scheduler(optimizer):\n"
                  "    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)\n"
                  "    return scheduler\n"),
    "data.py": ("import numpy as np\nimport torch\n\n\ndef make_arrays(n=16):\n    rng = np.random.RandomState(3)\n"
                "    x = torch.from_numpy(rng.standard_normal((n, 8)).astype('float32'))\n"
                "    y = torch.from_numpy(rng.randint(0, 12, size=(n,)).astype('int64'))\n"
                "    return {'train': (x, y), 'val': (x[:8], y[:8])}\n"),
    "metric.py": ("import torch\n\n\ndef accuracy(output, target, topk=(1,)):\n    maxk = max(topk)\n"
                  "    _, pred = output.topk(maxk, 1, True, True)\n    pred = pred.t()\n"
                  "    correct = pred.eq(target.view(1, -1).expand_as(pred))\n"
                  "    return [correct[:k].flatten().sum(dtype=torch.float32) * (100.0 / target.size(0)) "
                  "for k in topk]\n"),
    "torch2paddle.yaml": ("package: catnet\nmodel: {factory: 'catnet.net:make', input_shape: [4, 8]}\nnum_classes: 12\n"
                          "loss: catnet.recipe:build_criterion\n"
                          "optimizer: {factory: 'catnet.recipe:build_optimizer', kwargs: {lr: 0.1}}\n"
                          "scheduler: catnet.recipe:build_scheduler\ndata: {dataset: 'catnet.data:make_arrays'}\n"
                          "metric: {function: 'catnet.metric:accuracy', topk: [1, 3]}\n"),
}
CATNET_STEPS = ["weights", "forward", "data", "metric", "loss", "init", "backward"]

RECIPE_SABOTAGES = {
    # (file, converted text, sabotaged text, the step that must fail)
    "softmax_axis": ("net.py", "axis=1)", "axis=0)", "forward"),
    "scheduler_step": ("recipe.py", "step_size=2", "step_size=3", "backward"),
    "label_smoothing_added": ("recipe.py", "nn.CrossEntropyLoss(", "nn.CrossEntropyLoss(label_smoothing=0.1, ",
                              "loss"),
    "topk_with_max_k": ("metric.py", "correct[:k]", "correct[:maxk]", "metric"),
}


@pytest.fixture(scope="module")
def catnet(tmp_path_factory):
    src = tmp_path_factory.mktemp("catnet") / "src" / "catnet"
    src.mkdir(parents=True)
    for name, text in CATNET.items():
        (src / name).write_text(text)
    out = src.parent.parent / "out" / "catnet"
    assert not convert_tree(src, out, jobs=1, torch_init=True).errors
    return out


def test_the_catalogue_project_passes_before_any_sabotage(catnet, tmp_path):
    out = tmp_path / "catnet"
    shutil.copytree(catnet, out, ignore=shutil.ignore_patterns("verify"))
    result = verify(out, ",".join(CATNET_STEPS))
    for step in CATNET_STEPS:
        assert _by_step(result)[step].status == "passed", (step, _table(result))
    assert result.exit_code == EXIT_PASSED


@pytest.mark.parametrize("sabotage", sorted(RECIPE_SABOTAGES))
def test_a_sabotaged_recipe_fails_at_the_right_step(catnet, tmp_path, sabotage):
    out = tmp_path / "catnet"
    shutil.copytree(catnet, out, ignore=shutil.ignore_patterns("verify"))
    file, old, new, step = RECIPE_SABOTAGES[sabotage]
    _edit(out / file, old, new)
    ran = CATNET_STEPS[:CATNET_STEPS.index(step) + 1]
    _fails_at(verify(out, ",".join(ran)), step, ran)
