"""verify says *where* a port diverges: the first module whose output differs, the structure table, GPU settings.

The first tests judge hand-made traces and records (no framework); the others break the converted example
the way a port goes wrong and check that the first-divergence report names the module that was broken.
"""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from torch2paddle.verify.compare import Tolerance
from torch2paddle.verify.harness import DEFAULT_THRESHOLDS, GPU_THRESHOLDS, Plan
from torch2paddle.verify.runner import EXIT_FAILED, EXIT_PASSED, _compare_traces, _divergence_words, _judge

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mobilenetv3_ref"


# -- the comparison of two traces, on hand-made traces -------------------------------------------------------
def _trace(outputs: dict, types: dict | None = None, order: list | None = None, **extra) -> dict:
    order = order or list(outputs)
    return {"order": order, "outputs": {k: [np.asarray(v, dtype=np.float32)] for k, v in outputs.items()},
            "types": types or {k.partition("#")[0]: "Layer" for k in order},
            "in_shapes": {k: [[len(v)]] for k, v in outputs.items()}, **extra}


def test_the_first_module_beyond_its_own_noise_floor_is_named_with_the_last_match():
    """A big activation differs by more than atol but within 10x its floor (passes); the next one is off."""
    big = np.linspace(-1e3, 1e3, 8)
    ref = {"conv": big, "bn": np.linspace(-1, 1, 8), "act": np.linspace(0, 1, 8), "": np.ones(8)}
    act = {"conv": big + 2e-3, "bn": ref["bn"] + 1e-2, "act": ref["act"] + 1e-2, "": ref[""] + 1e-2}
    torch_trace = _trace(ref, {"conv": "Conv2d", "bn": "BatchNorm2d", "act": "ReLU", "": "Net"})
    torch_trace["float64"] = {"conv": [big + 1e-3], "bn": [ref["bn"] + 1e-7], "act": [ref["act"] + 1e-7],
                              "": [ref[""] + 1e-7]}
    lines: list[str] = []
    first, summary = _compare_traces("eval", torch_trace, _trace(act, {"conv": "Conv2D", "bn": "BatchNorm2D"}),
                                     Tolerance(atol=1e-5, noise_factor=10.0), lines)
    assert first["module"] == "bn" and first["type"] == "BatchNorm2d" and first["paddle_type"] == "BatchNorm2D"
    assert first["worst"] == pytest.approx(1e-2, rel=1e-3) and first["shape"] == [8]
    assert first["last_match"]["module"] == "conv" and first["position"] == 2
    assert summary["compared"] == 4 and "DIFF bn (BatchNorm2d)" in lines[1] and "ok   conv" in lines[0]
    words = _divergence_words(first)
    assert words.startswith("first divergence (eval mode, module 2 of 4): bn (BatchNorm2d), in [8] -> out [8], "
                            "max 1.00e-02") and words.endswith("; last match: conv (Conv2d)"), words


def test_a_module_called_twice_is_compared_call_by_call_and_unmatched_modules_are_counted():
    ref = {"act": np.zeros(4), "act#1": np.ones(4), "only_torch": np.ones(2), "": np.ones(4)}
    act = {"act": np.zeros(4), "act#1": np.ones(4) * 2, "": np.ones(4) * 2, "only_paddle": np.ones(1)}
    first, summary = _compare_traces("train", _trace(ref), _trace(act), Tolerance(atol=1e-5), [])
    assert first["module"] == "act" and first["call"] == 2 and first["last_match"]["module"] == "act"
    assert summary["only_torch_count"] == 1 and summary["only_paddle_count"] == 1
    assert "call 2" in _divergence_words(first)


def test_a_converted_model_that_raises_is_named_where_it_raised():
    ref = {"a": np.zeros(3), "b": np.ones(3), "": np.ones(3)}
    paddle = _trace({"a": np.zeros(3)}, {"a": "Linear", "b": "SE"}, error="ValueError: bad shape", raised_in="b")
    first, _ = _compare_traces("eval", _trace(ref, {"a": "Linear", "b": "SE", "": "Net"}), paddle,
                               Tolerance(atol=1e-5), [])
    assert first["module"] == "b" and first["last_match"]["module"] == "a"
    assert first["problem"] == "the converted model raised ValueError: bad shape"


# -- the runner's verdicts on hand-made records ------------------------------------------------------------
def _plan(tmp_path: Path, step: str, torch: dict, paddle: dict, float64: dict | None = None,
          device: str = "cpu", **config) -> Plan:
    harness = tmp_path / "verify"
    (harness / "result" / "log").mkdir(parents=True, exist_ok=True)
    for side, record in (("torch", torch), ("paddle", paddle), ("float64", float64)):
        if record is not None:
            np.save(harness / "result" / f"{step}_{side}.npy", {k: np.asarray(v) for k, v in record.items()},
                    allow_pickle=True)
    for side in ("torch", "paddle"):
        (harness / "result" / f"{step}_{side}.status.json").write_text(
            json.dumps({"ok": True, "seconds": 0.1, "device": device}))
    cfg = {"thresholds": dict(DEFAULT_THRESHOLDS, **config.pop("thresholds", {})), "noise_factor": 10.0, **config}
    return Plan(harness, cfg, [step])


def _grads(shift: dict[str, float]) -> tuple[dict, dict, dict]:
    rng = np.random.RandomState(0)
    names = (("conv.weight", (4, 3)), ("conv.bias", (4,)), ("fc.weight", (3, 2)), ("fc.bias", (2,)),
             ("head.weight", (2, 2)))
    grads = {f"grad:{n}": rng.standard_normal(s).astype(np.float32) for n, s in names}
    losses = np.array([2.0, 1.5, 1.2])
    torch = {"loss": losses, "lr": np.full(3, 0.1), **grads}
    float64 = {"loss": losses + 1e-7, "lr": np.full(3, 0.1),
               **{k: v.astype(np.float64) + 1e-8 for k, v in grads.items()}}
    paddle = {"loss": losses, "lr": np.full(3, 0.1),
              **{k: v + np.float32(shift.get(k[5:], 0.0)) for k, v in grads.items()}}
    return torch, paddle, float64


def test_backward_names_the_gradient_nearest_the_output_and_puts_it_in_the_json(tmp_path):
    """A wrong backward in `fc` spoils fc's gradients and every layer's before it (conv), never head's:
    the first in backward order is fc.weight, and the step carries it as its first_divergence."""
    torch, paddle, float64 = _grads({"conv.weight": 1e-3, "conv.bias": 1e-3, "fc.weight": 1e-3, "fc.bias": 1e-3})
    result = _judge(_plan(tmp_path, "backward", torch, paddle, float64), "backward")
    assert result.status == "failed"
    assert "first parameter whose iteration-1 gradient differs: fc.weight" in result.detail, result.detail
    divergence = result.first_divergence
    assert divergence["module"] == "fc" and divergence["parameter"] == "fc.weight"
    assert divergence["source"] == "gradient" and divergence["shape"] == [3, 2]
    assert divergence["worst"] == pytest.approx(1e-3, rel=1e-2)
    assert json.loads(json.dumps(result.first_divergence)) == divergence  # JSON-ready as it is


def test_on_a_gpu_the_threshold_says_it_uses_the_gpu_tolerance(tmp_path):
    ref = np.linspace(-3, 3, 40, dtype=np.float32)
    shifted = {"logits": ref + np.float32(5e-5)}  # beyond the CPU atol, within the GPU one (floor ~0)
    cpu = _judge(_plan(tmp_path / "cpu", "forward", {"logits": ref}, shifted, {"logits": ref.astype(np.float64)}),
                 "forward")
    gpu = _judge(_plan(tmp_path / "gpu", "forward", {"logits": ref}, shifted, {"logits": ref.astype(np.float64)},
                       device="NVIDIA H100 80GB HBM3"), "forward")
    assert cpu.status == "failed" and cpu.threshold == "max(atol=1e-05, 10x noise)"
    assert gpu.status == "passed"
    assert gpu.threshold == f"max(atol={GPU_THRESHOLDS['forward']:g}, 10x noise) (GPU tolerance)"
    mine = _judge(_plan(tmp_path / "mine", "forward", {"logits": ref}, shifted, {"logits": ref.astype(np.float64)},
                        device="NVIDIA H100", thresholds={"forward": 1e-5}, fixed_thresholds=["forward"]), "forward")
    assert mine.status == "failed" and mine.threshold.endswith("(your threshold)")


def test_auto_uses_the_gpu_only_where_both_builds_have_cuda(monkeypatch):
    from torch2paddle.verify import harness

    monkeypatch.setattr(harness, "_built_with_cuda", lambda: {"torch": True, "paddle": False})
    use, why = harness.auto_gpu()
    assert not use and "paddle build has no CUDA" in why
    monkeypatch.setattr(harness, "_built_with_cuda", lambda: {"torch": True, "paddle": True})
    assert harness.auto_gpu()[0]
    monkeypatch.setattr(harness, "_built_with_cuda", lambda: {"torch": None, "paddle": True})
    assert harness.auto_gpu()[0]  # cannot tell: each side decides by what it sees


def test_gpu_check_script_is_one_short_script():
    script = Path(__file__).resolve().parent.parent / "scripts" / "gpu-check.sh"
    text = script.read_text()
    assert "set -euo pipefail" in text and "--device gpu" in text and "--locate" in text
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0


# -- the real chain on the example ----------------------------------------------------------------------
pytest.importorskip("torch")
pytest.importorskip("paddle")

from torch2paddle import convert_tree  # noqa: E402
from torch2paddle.verify.runner import verify  # noqa: E402


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    out = tmp_path_factory.mktemp("locate") / "mobilenetv3_ref"
    assert not convert_tree(EXAMPLE, out, jobs=1).errors
    return out


def _copy(converted: Path, tmp_path: Path) -> Path:
    target = tmp_path / "mobilenetv3_ref"
    shutil.copytree(converted, target, ignore=shutil.ignore_patterns("verify"))
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _step(result, name):
    return next(s for s in result.steps if s.step == name)


@pytest.fixture(scope="module")
def located(converted, tmp_path_factory):
    """The right port with --locate: every module matches, in eval and in train mode."""
    out = _copy(converted, tmp_path_factory.mktemp("located"))
    return verify(out, "forward,backward", locate=True)


def test_locate_on_the_right_port_finds_every_module_matching(located):
    assert located.exit_code == EXIT_PASSED, [(s.step, s.detail) for s in located.steps]
    assert located.locate_seconds is not None
    for name, mode in (("forward", "eval"), ("backward", "train")):
        step = _step(located, name)
        assert step.first_divergence is None and step.locate["mode"] == mode
        assert step.locate["compared"] == step.locate["modules"] == 200, step.locate
        assert step.locate["only_torch_count"] == 0 and step.locate["only_paddle_count"] == 0
        assert f"localisation: all 200 modules match ({mode} mode)" in step.detail, step.detail


def test_hooks_change_nothing_and_cost_less_than_twice_a_plain_forward(located):
    """Hooks on: the same output, bit for bit, as hooks off in the same process, and as the forward step."""
    harness = Path(located.harness)
    for name in ("forward", "backward"):
        info = _step(located, name).locate
        assert info["hooks_changed_output"] == {"torch": 0.0, "paddle": 0.0}, info
    for side in ("torch", "paddle"):
        trace = np.load(harness / "result" / f"locate_{side}.npy", allow_pickle=True).item()["eval"]
        record = np.load(harness / "result" / f"forward_{side}.npy", allow_pickle=True).item()
        assert np.array_equal(trace["plain"][0], record["logits"])
        assert np.array_equal(trace["hooked"][0], record["logits"])
        assert np.array_equal(trace["outputs"][""][0], record["logits"])  # the model's own hook saw the logits
    # the fastest of 5 hooked forwards against the fastest of 5 plain ones, in turn (a busy machine: the best mode)
    for side in ("torch", "paddle"):
        cost = min(_step(located, name).locate["hooks_cost"][side] for name in ("forward", "backward"))
        assert cost < 2.0, (side, [_step(located, n).locate["hooks_cost"] for n in ("forward", "backward")])


def test_localisation_runs_only_on_failure_or_when_asked(converted, tmp_path):
    result = verify(_copy(converted, tmp_path), "forward")
    assert result.exit_code == EXIT_PASSED and result.locate_seconds is None
    assert _step(result, "forward").locate is None
    assert not (Path(result.harness) / "result" / "locate_torch.npy").exists()


def test_structure_table_of_the_example(located):
    weights = _step(located, "weights")
    structure = weights.structure
    assert structure["totals"] == {"params": [1520931, 1520931], "buffers": [12112, 12112]}
    assert structure["mismatches"] == 0 and not structure["forward_errors"]
    blocks = [b["module"] for b in structure["blocks"]]
    assert blocks == [f"features.{i}" for i in range(13)] + ["avgpool"] + [f"classifier.{i}" for i in range(4)]
    first = structure["blocks"][0]
    assert first["params"] == [464, 464] and first["out_shape"] == [[[4, 16, 32, 32]], [[4, 16, 32, 32]]]
    assert len(structure["modules"]) == 200  # the JSON has every module; the console the blocks
    assert "parameters: torch 1,520,931, Paddle 1,520,931" in weights.detail
    assert "structure (per module" in Path(weights.log).read_text()


def test_structure_counts_mobilenet_v3_small_with_1000_classes(converted, tmp_path):
    """torchvision's mobilenet_v3_small has 2,542,856 parameters; BN statistics are counted apart."""
    out = _copy(converted, tmp_path)
    config = tmp_path / "torch2paddle.yaml"
    text = (EXAMPLE / "torch2paddle.yaml").read_text()
    config.write_text(text.replace("num_classes: 3, dropout", "num_classes: 1000, dropout"))
    weights = _step(verify(out, "weights", config=str(config)), "weights")
    assert weights.status == "passed", weights.detail
    assert weights.structure["totals"]["params"] == [2542856, 2542856]
    assert weights.structure["totals"]["buffers"] == [12112, 12112]
    assert weights.structure["dropped_counters"] == 34  # one num_batches_tracked per BatchNorm, not counted


def test_structure_mismatch_is_highlighted(converted, tmp_path):
    """A block whose output shape differs (a stride lost in the port): the weights step's table says where."""
    out = _copy(converted, tmp_path)
    _edit(out / "models" / "mobilenetv3.py", "self.avgpool = nn.AdaptiveAvgPool2D(1)",
          "self.avgpool = nn.AdaptiveAvgPool2D(1)\n        self.features[12][0]._stride = [2, 2]")
    result = verify(out, "forward")
    weights = _step(result, "weights")
    bad = [b for b in weights.structure["blocks"] if b["mismatch"]]
    assert [b["module"] for b in bad] == ["features.12"] and bad[0]["mismatch"] == ["output shape"], bad
    assert "STRUCTURE DIFFERS" in weights.detail and "first features.12 (output shape: [4, 576, 2, 2] vs " \
        "[4, 576, 1, 1])" in weights.detail, weights.detail
    forward = _step(result, "forward")
    assert forward.first_divergence["module"] == "features.12.0", forward.first_divergence
    assert "shape" in forward.first_divergence["problem"]


# -- fault injection: each fault named at the module that was broken ------------------------------------------
def test_fault_scaled_squeeze_excitation_is_named_in_forward_and_backward(converted, tmp_path):
    out = _copy(converted, tmp_path)
    _edit(out / "models" / "misc.py", "        return scale * input\n", "        return scale * input * 1.01\n")
    result = verify(out, "forward,backward")
    assert result.exit_code == EXIT_FAILED and result.locate_seconds is not None
    for name, mode in (("forward", "eval"), ("backward", "train")):
        step = _step(result, name)
        divergence = step.first_divergence
        assert step.status == "failed" and divergence is not None, step.detail
        assert divergence["module"] == "features.1.block.1" and divergence["type"] == "SqueezeExcitation", divergence
        assert divergence["shape"] == [4, 16, 16, 16] and divergence["input_shape"] == [4, 16, 16, 16]
        assert divergence["last_match"] == {"module": "features.1.block.1.scale_activation", "type": "Hardsigmoid",
                                            "call": 1}
        assert divergence["worst"] > 1e-3 and divergence["noise_ratio"] > 1e3
        assert divergence["source"] == f"forward ({mode} mode)"
        assert step.detail.startswith(f"first divergence ({mode} mode, module 13 of 200): features.1.block.1 "
                                      "(SqueezeExcitation)"), step.detail


def test_fault_batchnorm_epsilon_in_one_block_is_named_at_that_layer(converted, tmp_path):
    out = _copy(converted, tmp_path)
    _edit(out / "models" / "mobilenetv3.py", "        self.features = nn.Sequential(*layers)\n",
          "        self.features = nn.Sequential(*layers)\n        self.features[4].block[1][1]._epsilon = 1e-05\n")
    forward = _step(verify(out, "forward"), "forward")
    divergence = forward.first_divergence
    assert forward.status == "failed" and divergence["module"] == "features.4.block.1.1", forward.detail
    assert divergence["type"] == "BatchNorm2d" and divergence["paddle_type"] == "BatchNorm2D"
    assert divergence["last_match"]["module"] == "features.4.block.1.0"


def test_fault_linear_weight_in_torch_layout_is_named_at_the_linear(converted, tmp_path):
    """classifier.0's weight loaded as torch stores it ([out, in] numbers read as Paddle's [in, out])."""
    out = _copy(converted, tmp_path)
    assert verify(out, "weights").exit_code == EXIT_PASSED
    weights = out / ".torch2paddle" / "verify" / "weights" / "model.pdparams"
    state = pickle.loads(weights.read_bytes())
    w = state["classifier.0.weight"]
    state["classifier.0.weight"] = np.ascontiguousarray(w.T).reshape(w.shape)
    weights.write_bytes(pickle.dumps(state))
    forward = _step(verify(out, "forward", reuse_harness=True), "forward")
    divergence = forward.first_divergence
    assert forward.status == "failed" and divergence["module"] == "classifier.0", forward.detail
    assert divergence["type"] == "Linear" and divergence["shape"] == [4, 1024]
    assert divergence["last_match"]["module"] == "avgpool"


def test_fault_linear_weight_not_transposed_is_named_by_the_weights_it_cannot_load(converted, tmp_path):
    out = _copy(converted, tmp_path)
    assert verify(out, "weights").exit_code == EXIT_PASSED
    weights = out / ".torch2paddle" / "verify" / "weights" / "model.pdparams"
    state = pickle.loads(weights.read_bytes())
    for key in ("classifier.0.weight", "classifier.3.weight"):
        state[key] = np.ascontiguousarray(state[key].T)
    weights.write_bytes(pickle.dumps(state))
    forward = _step(verify(out, "forward", reuse_harness=True), "forward")
    divergence = forward.first_divergence
    assert forward.status == "error" and divergence["module"] == "classifier.0", forward.detail
    assert divergence["type"] == "Linear" and divergence["parameter"] == "classifier.0.weight"
    assert divergence["shape"] == [1024, 576] and divergence["reference_shape"] == [576, 1024]
    assert "transposed" in divergence["problem"]


def test_fault_a_square_linear_left_untransposed_is_found_by_its_output(tmp_path):
    """The silent case: a square Linear's weight loads either way round. Through the command line, with the
    report: the table names fc2, the JSON has first_divergence on the forward step."""
    src = tmp_path / "src" / "squarenet"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("")
    (src / "net.py").write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc1 = nn.Linear(8, 8)\n        self.act = nn.Tanh()\n        self.fc2 = nn.Linear(8, 8)\n\n"
        "    def forward(self, x):\n        return self.fc2(self.act(self.fc1(x)))\n\n\n"
        "def make():\n    return Net()\n")
    out = tmp_path / "out" / "squarenet"
    assert not convert_tree(src, out, jobs=1).errors
    assert verify(out, "weights", input_shape=[4, 8]).exit_code == EXIT_PASSED
    weights = out / ".torch2paddle" / "verify" / "weights" / "model.pdparams"
    state = pickle.loads(weights.read_bytes())
    state["fc2.weight"] = np.ascontiguousarray(state["fc2.weight"].T)
    weights.write_bytes(pickle.dumps(state))
    report = tmp_path / "report.json"
    run = subprocess.run([sys.executable, "-m", "torch2paddle", "verify", str(out), "--steps", "forward",
                          "--input-shape", "4,8", "--reuse-harness", "--report", str(report)],
                         capture_output=True, text=True)
    assert run.returncode == EXIT_FAILED, run.stdout + run.stderr
    assert "first divergence" in run.stdout, run.stdout  # the table folds the detail: the words are checked below
    assert "structure (weights step)" not in run.stdout  # --reuse-harness without the weights step: no table
    forward = next(s for s in json.loads(report.read_text())["steps"] if s["step"] == "forward")
    assert forward["first_divergence"]["module"] == "fc2" and forward["first_divergence"]["type"] == "Linear"
    assert forward["first_divergence"]["last_match"]["module"] == "act"
    assert forward["detail"].startswith("first divergence (eval mode, module 3 of 4): fc2 (Linear), in [4, 8] -> "
                                        "out [4, 8], max "), forward["detail"]


def test_fault_a_layer_that_raises_in_the_port_is_named(converted, tmp_path):
    out = _copy(converted, tmp_path)
    _edit(out / "models" / "misc.py", "        scale = self._scale(input)\n",
          "        scale = self._scale(input)\n        if input.shape[1] == 96:\n"
          "            raise ValueError('broken port')\n")
    forward = _step(verify(out, "forward"), "forward")
    divergence = forward.first_divergence
    assert forward.status == "error" and divergence["module"] == "features.4.block.2", forward.detail
    assert divergence["type"] == "SqueezeExcitation" and "raised ValueError: broken port" in divergence["problem"]
