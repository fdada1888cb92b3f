"""verify on projects of any shape: the project's own loss/optimizer/scheduler factories, a metric that must
tell every k apart, the large-margin loss row, config discovery and validation, single files, arrays and
synthetic data, one harness per model, fair perf, and the CLI's usage errors (exit code 2).

The first tests need no framework (config resolution, hand-made records); the last ones run small chains.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from torch2paddle.verify.harness import DEFAULT_THRESHOLDS, ConfigError, Plan, resolve
from torch2paddle.verify.runner import EXIT_FAILED, EXIT_PASSED, _judge_large_margin, _judge_records, StepResult


def _fake_out(tmp_path: Path, files: dict[str, str] | None = None, package: str = "proj") -> Path:
    """OUT with a convert manifest whose source is a package holding ``files`` (nothing is run)."""
    src = tmp_path / "src" / package
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("")
    for name, text in (files or {}).items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text)
    out = tmp_path / "out" / package
    (out / ".torch2paddle").mkdir(parents=True)
    (out / "__init__.py").write_text("")
    (out / ".torch2paddle" / "convert.json").write_text(json.dumps({"source": str(src), "config": None}))
    return out


def _config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "cfg.yaml"
    path.write_text(text)
    return str(path)


RECIPE = ("import torch\n\n\ndef make_criterion(smoothing=0.0):\n    return torch.nn.CrossEntropyLoss("
          "label_smoothing=smoothing)\n\n\ndef build_optimizer(model, lr=0.1):\n    return torch.optim.SGD("
          "model.parameters(), lr=lr)\n")


# -- item 6: the project's own factories, resolved in both projects ------------------------------------------
def test_project_factories_colon_dotted_and_relative_forms(tmp_path):
    out = _fake_out(tmp_path, {"models/__init__.py": "", "models/recipe.py": RECIPE})
    config = _config(tmp_path, "loss: {class: 'models.recipe:make_criterion', kwargs: {smoothing: 0.1}}\n"
                               "optimizer: proj.models.recipe.build_optimizer\nscheduler: {step_size: 2}\n")
    plan = resolve(out, config_path=config, model="proj.net:make", input_shape=[2, 8])
    assert plan.config["loss"] == "support.factory('proj.models.recipe:make_criterion')(smoothing=0.1)"
    assert plan.config["optimizer"] == "support.factory('proj.models.recipe:build_optimizer')(model)"
    assert plan.config["scheduler"] == "torch.optim.lr_scheduler.StepLR(optimizer, step_size=2)"
    assert plan.config["recipe"]["loss"] == "loss proj.models.recipe:make_criterion (project's)"
    assert plan.config["recipe"]["scheduler"] == "scheduler torch.optim.lr_scheduler.StepLR (config)"
    # bare and short torch names are torch's
    plan = resolve(out, config_path=_config(tmp_path, "loss: CrossEntropyLoss\noptimizer: {class: optim.Adam}\n"),
                   model="proj.net:make", input_shape=[2, 8])
    assert plan.config["loss"] == "torch.nn.CrossEntropyLoss()"
    assert plan.config["optimizer"] == "torch.optim.Adam(model.parameters())"


@pytest.mark.parametrize("entry, words", [
    ("loss: {class: 'models.nothere:make_criterion'}", "no module 'models.nothere'"),
    ("loss: models.recipe.no_such_function", "defines no 'no_such_function'"),
    ("optimizer: {factory: 'models.recipe:build_optimizer', class: torch.optim.SGD}", "not both"),
    ("loss: {class: torch.nn.CrossEntropyLoss, kwarg: {label_smoothing: 0.1}}", "loss.kwarg: unknown key"),
])
def test_bad_factories_are_config_errors_naming_the_key(tmp_path, entry, words):
    out = _fake_out(tmp_path, {"models/__init__.py": "", "models/recipe.py": RECIPE})
    with pytest.raises(ConfigError, match=words):
        resolve(out, config_path=_config(tmp_path, entry + "\n"), model="proj.net:make", input_shape=[2, 8])


# -- item 4: config found at verify time, validated; data kinds; one harness per model --------------------------
def test_unknown_config_keys_are_named_with_the_nearest_one(tmp_path):
    out = _fake_out(tmp_path)
    config = _config(tmp_path, "optimiser: {lr: 0.1}\nthresholds: {forwad: 1.0e-4}\nmodel: {input_shape: 3}\n")
    with pytest.raises(ConfigError) as info:
        resolve(out, config_path=config)
    text = str(info.value)
    assert "optimiser: unknown key (did you mean optimizer?)" in text
    assert "thresholds.forwad: unknown key (did you mean forward?)" in text
    assert "model.input_shape: expected a list of positive integers" in text


def test_config_written_after_convert_is_found_beside_the_source_or_in_out(tmp_path):
    out = _fake_out(tmp_path)
    assert resolve(out, model="proj.net:make").config["config_file"] is None
    (out / "torch2paddle.yaml").write_text("num_classes: 7\n")
    plan = resolve(out, model="proj.net:make")
    assert plan.config["config_file"] == str((out / "torch2paddle.yaml").resolve()) and plan.config["num_classes"] == 7
    beside = tmp_path / "src" / "proj" / "torch2paddle.yaml"
    beside.write_text("num_classes: 5\n")
    assert resolve(out, model="proj.net:make").config["num_classes"] == 5  # the source's comes first


def test_synthetic_data_without_a_dataset_and_arrays_from_a_factory(tmp_path):
    out = _fake_out(tmp_path, {"data.py": "def make_arrays():\n    return None\n"})
    config = _config(tmp_path, "model: {factory: 'proj.net:make', input_shape: [4, 8]}\nnum_classes: 3\n"
                               "loss: torch.nn.CrossEntropyLoss\n")
    plan = resolve(out, config_path=config)
    assert plan.config["data"]["kind"] == "synthetic" and "train" in plan.steps
    assert "data" in plan.skipped and "synthetic data" in plan.skipped["data"]
    config = _config(tmp_path, "model: {factory: 'proj.net:make', input_shape: [4, 8]}\nnum_classes: 3\n"
                               "data: {dataset: 'data:make_arrays', batch_size: 2}\n")
    plan = resolve(out, config_path=config)
    assert plan.config["data"] == {"kind": "arrays", "dataset": "proj.data:make_arrays", "dataset_kwargs": {},
                                   "batch_size": 2, "batches": 4}
    assert "data" in plan.steps


def test_one_harness_per_model_and_skip_hints_without_the_bundled_example(tmp_path):
    out = _fake_out(tmp_path, {"net.py": "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    pass\n\n\n"
                                         "class Other(nn.Module):\n    pass\n\n\ndef make():\n    return Net()\n"})
    default = resolve(out)
    assert default.config["model"]["factory"] == "proj.net:make"
    assert "proj.net:make" in default.config["notes"]["model"] and "proj.net:Other" in default.config["notes"]["model"]
    assert default.harness == out / ".torch2paddle" / "verify"
    other = resolve(out, model="proj.net:Other")
    assert other.harness == out / ".torch2paddle" / "verify" / "models" / "proj.net.Other"
    assert resolve(out, model="proj.net:make").harness == default.harness
    for reason in default.skipped.values():
        assert "examples/" not in reason and "mobilenetv3_ref" not in reason
    assert "loss: torch.nn.CrossEntropyLoss" in default.skipped["loss"]


# -- item 7: the large-margin row's verdict, on records as the two sides write them --------------------------------
def _loss_plan(tmp_path: Path, paddle_value: float, torch_value=148.289, clamped=51.5508) -> Plan:
    harness = tmp_path / "verify"
    (harness / "result" / "log").mkdir(parents=True)
    records = {"torch": {"loss": 2.16, "large_margin": torch_value, "large_margin_clamped": clamped},
               "paddle": {"loss": 2.16, "large_margin": paddle_value},
               "float64": {"loss": 2.16, "large_margin": torch_value + 1e-6, "large_margin_clamped": clamped + 1e-6}}
    for side, record in records.items():
        np.save(harness / "result" / f"loss_{side}.npy",
                {k: np.asarray(v, dtype=np.float64 if side == "float64" else np.float32) for k, v in record.items()},
                allow_pickle=True)
    for side in ("torch", "paddle"):
        (harness / "result" / f"loss_{side}.status.json").write_text(json.dumps({"ok": True, "seconds": 0.1}))
    return Plan(harness, {"thresholds": dict(DEFAULT_THRESHOLDS)}, ["loss"])


def test_large_margins_known_clamp_is_flagged_a_real_difference_fails(tmp_path):
    plan = _loss_plan(tmp_path / "clamp", 51.5508)
    loss = _judge_records(plan, "loss")
    assert loss.status == "passed"  # the ordinary margins
    row = _judge_large_margin(plan, loss)
    assert row.status == "flagged" and "KNOWN PADDLE LIMIT" in row.detail and "-64" in row.detail, row.detail
    same = _judge_large_margin(_loss_plan(tmp_path / "same", 148.289), loss)
    assert same.status == "passed"
    wrong = _judge_large_margin(_loss_plan(tmp_path / "wrong", 47.0), loss)  # neither torch's nor the clamp's
    assert wrong.status == "failed" and "difference of the port" in wrong.detail
    assert _judge_large_margin(plan, StepResult("loss", "error", "")) is None


# -- the CLI's usage errors: exit code 2 with the option or key named ---------------------------------------------
@pytest.mark.parametrize("args, words", [
    (["--steps", "forward,foward"], "--steps 'forward,foward': unknown step 'foward'"),
    (["--threshold", "forward=abc"], "--threshold 'forward=abc': 'abc' is not a number"),
    (["--threshold", "fwd=1e-4"], "--threshold 'fwd=1e-4': expected STEP=VALUE"),
    (["--config", "CONFIG"], "optimiser: unknown key (did you mean optimizer?)"),
])
def test_cli_usage_errors_exit_2_naming_the_option(tmp_path, args, words):
    out = _fake_out(tmp_path)
    config = _config(tmp_path, "optimiser: {lr: 0.1}\n")
    args = [config if a == "CONFIG" else a for a in args]
    run = subprocess.run([sys.executable, "-m", "torch2paddle", "verify", str(out), *args],
                         capture_output=True, text=True)
    assert run.returncode == 2, run.stdout + run.stderr
    assert words in " ".join((run.stdout + run.stderr).split()), run.stdout + run.stderr


# -- the real chain on small projects ---------------------------------------------------------------------------
NET = ("import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self, num_classes=12):\n"
       "        super().__init__()\n        self.fc1 = nn.Linear(8, 16)\n        self.act = nn.Tanh()\n"
       "        self.fc2 = nn.Linear(16, num_classes)\n\n    def forward(self, x):\n"
       "        return self.fc2(self.act(self.fc1(x)))\n\n\ndef make():\n    return Net()\n")
RECIPE_FULL = ("import torch\nimport torch.nn as nn\n\n\ndef build_criterion(smoothing=0.1):\n"
               "    return nn.CrossEntropyLoss(label_smoothing=smoothing)\n\n\n"
               "def build_optimizer(model, lr=0.1):\n    return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)\n"
               "\n\ndef build_scheduler(optimizer):\n"
               "    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)\n    return scheduler\n")
DATA = ("import numpy as np\nimport torch\n\n\ndef make_arrays(n=16):\n    rng = np.random.RandomState(3)\n"
        "    x = torch.from_numpy(rng.standard_normal((n, 8)).astype('float32'))\n"
        "    y = torch.from_numpy(rng.randint(0, 12, size=(n,)).astype('int64'))\n"
        "    return {'train': (x, y), 'val': (x[:8], y[:8])}\n")
METRIC = ("import torch\n\n\ndef accuracy(output, target, topk=(1,)):\n    maxk = max(topk)\n"
          "    _, pred = output.topk(maxk, 1, True, True)\n    pred = pred.t()\n"
          "    correct = pred.eq(target.view(1, -1).expand_as(pred))\n"
          "    return [correct[:k].flatten().sum(dtype=torch.float32) * (100.0 / target.size(0)) for k in topk]\n")
CONFIG = ("package: recnet\nmodel: {factory: 'recnet.net:make', input_shape: [4, 8]}\nnum_classes: 12\n"
          "loss: recnet.recipe:build_criterion\noptimizer: {factory: 'recnet.recipe:build_optimizer', kwargs: {lr: 0.1}}\n"
          "scheduler: recipe.build_scheduler\ndata: {dataset: 'recnet.data:make_arrays'}\n"
          "metric: {function: 'recnet.metric:accuracy', topk: [1, 3]}\nperf: {warmup: 1, iterations: 3}\n")


@pytest.fixture(scope="module")
def frameworks():
    pytest.importorskip("torch")
    pytest.importorskip("paddle")


def _convert(src: Path, out: Path) -> Path:
    from torch2paddle import convert_tree

    assert not convert_tree(src, out, jobs=1).errors
    return out


def _by_step(result) -> dict:
    return {s.step: s for s in result.steps}


def test_the_projects_own_recipe_runs_on_both_sides_and_its_sabotage_fails(frameworks, tmp_path):
    from torch2paddle.verify.runner import verify

    src = tmp_path / "src" / "recnet"
    src.mkdir(parents=True)
    for name, text in {"__init__.py": "", "net.py": NET, "recipe.py": RECIPE_FULL, "data.py": DATA,
                       "metric.py": METRIC, "torch2paddle.yaml": CONFIG}.items():
        (src / name).write_text(text)
    out = _convert(src, tmp_path / "out" / "recnet")
    result = verify(out, "data,metric,loss,backward,train,perf")
    steps = _by_step(result)
    for name in ("data", "metric", "loss", "backward", "train"):
        assert steps[name].status == "passed", (name, steps[name].detail)
    assert steps["loss_large_margin"].status == "flagged", steps["loss_large_margin"].detail
    assert result.exit_code == EXIT_PASSED
    assert steps["backward"].code == ("loss recnet.recipe:build_criterion (project's); optimizer "
                                      "recnet.recipe:build_optimizer (project's); scheduler "
                                      "recnet.recipe:build_scheduler (project's)")
    assert "data recnet.data:make_arrays (project's)" in steps["train"].code
    record = np.load(Path(result.harness) / "result" / "metric_torch.npy", allow_pickle=True).item()
    assert sorted(record) == ["top1", "top3"] and float(record["top1"]) != float(record["top3"])
    perf = steps["perf"]
    assert "median" in perf.detail and "max" in perf.detail and "3 timed" in perf.detail, perf.detail
    assert set(result.versions) == {"torch", "paddle"} and result.threads["torch"] == result.threads["paddle"]
    # sabotage the converted recipe and metric: label smoothing lost, top-k computed with k - 1
    recipe = (out / "recipe.py").read_text()
    assert "label_smoothing=smoothing" in recipe
    (out / "recipe.py").write_text(recipe.replace("label_smoothing=smoothing", "label_smoothing=0.0"))
    metric = (out / "metric.py").read_text()
    assert "correct[:k]" in metric, metric
    (out / "metric.py").write_text(metric.replace("correct[:k]", "correct[:max(1, k - 1)]"))
    broken = _by_step(verify(out, "metric,loss"))
    assert broken["loss"].status == "failed" and broken["metric"].status == "failed", broken
    assert "top3" in broken["metric"].detail
    # --steps metric,loss kept the full run's other records
    assert (Path(result.harness) / "result" / "train_torch.npy").is_file()


def test_a_converted_script_verifies_with_model_main_net_and_each_model_keeps_its_harness(frameworks, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "main.py").write_text(NET.replace("def make():", "class Wide(Net):\n    pass\n\n\ndef make():")
                                 + "\n\nif __name__ == '__main__':\n    print(Net()(torch.randn(2, 8)))\n")
    (src / "torch2paddle.yaml").write_text("model: {input_shape: [4, 8]}\nnum_classes: 12\n"
                                           "loss: torch.nn.CrossEntropyLoss\n")
    out = _convert(src / "main.py", tmp_path / "out")
    cli = [sys.executable, "-m", "torch2paddle", "verify", str(out), "--report", str(tmp_path / "r.json")]
    run = subprocess.run([*cli, "--steps", "weights,forward,train"], capture_output=True, text=True)
    assert run.returncode == EXIT_PASSED, run.stdout + run.stderr
    assert "using main:make (found: main:make, main:Net;" in " ".join(run.stderr.split()), run.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["model"] == "main:make" and "main:make" in report["notes"]["model"]
    run = subprocess.run([*cli, "--steps", "forward", "--model", "main:Net"], capture_output=True, text=True)
    assert run.returncode == EXIT_PASSED, run.stdout + run.stderr
    harness = out / ".torch2paddle" / "verify"
    assert (harness / "result" / "train_paddle.npy").is_file()  # the first model's records stay
    assert (harness / "models" / "main.Net" / "result" / "forward_paddle.npy").is_file()
