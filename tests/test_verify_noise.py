"""verify's noise-aware verdicts: float32 noise passes, a bug of a wrong epsilon's size still fails.

The first tests judge hand-made records (no framework), the way the runner judges the records the two
sides write; the last ones convert small projects and run the real chain.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from torch2paddle.verify.compare import Tolerance, compare_arrays, noise_floor
from torch2paddle.verify.harness import DEFAULT_THRESHOLDS, NOISE_FACTOR, Plan
from torch2paddle.verify.runner import _judge


# -- what float32 noise looks like, in numpy alone ------------------------------------------------------
def _normalize(x, eps, dtype, order=1):
    """A BatchNorm-like layer, its sums taken in another order per ``order`` (two frameworks' kernels)."""
    x = x.astype(dtype)
    mean = (x[:, ::order].sum(axis=1, keepdims=True) / x.shape[1]).astype(dtype)
    var = (((x - mean) ** 2)[:, ::order].sum(axis=1, keepdims=True) / x.shape[1]).astype(dtype)
    return ((x - mean) / np.sqrt(var + dtype(eps))).astype(dtype)


def _outputs(eps_converted=1e-3):
    rng = np.random.RandomState(0)
    x = rng.standard_normal((8, 4096)) * 3.0 + 1.0
    w = rng.standard_normal((4096, 16))
    torch32 = _normalize(x, 1e-3, np.float32) @ w.astype(np.float32) * np.float32(100)
    torch64 = _normalize(x, 1e-3, np.float64) @ w * 100
    paddle = _normalize(x, eps_converted, np.float32, order=-1) @ w.astype(np.float32) * np.float32(100)
    return torch32, torch64, paddle


def test_float32_noise_passes_where_a_fixed_threshold_fails():
    torch32, torch64, paddle = _outputs()
    floor = noise_floor(torch32, torch64)
    assert 1e-5 < floor < 1e-2  # float32's own error on these values is above the old fixed threshold
    assert not compare_arrays("logits", torch32, paddle, Tolerance(atol=1e-5)).passed  # the old verdict
    result = compare_arrays("logits", torch32, paddle, Tolerance(atol=1e-5, noise_factor=NOISE_FACTOR), floor)
    assert result.passed and result.noise == pytest.approx(floor) and result.noise_ratio < NOISE_FACTOR


def test_a_wrong_epsilon_fails_through_the_noise_floor():
    torch32, torch64, paddle = _outputs(eps_converted=1e-5)  # BatchNorm's epsilon lost in the port
    floor = noise_floor(torch32, torch64)
    result = compare_arrays("logits", torch32, paddle, Tolerance(atol=1e-5, noise_factor=NOISE_FACTOR), floor)
    assert not result.passed and result.noise_ratio > 10 * NOISE_FACTOR, result.line()


def test_a_trajectory_floor_grows_and_never_shrinks():
    floor = noise_floor(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.001, 3.0, 4.0002]), trajectory=True)
    assert floor == pytest.approx([0.0, 1e-3, 1e-3, 1e-3])
    assert noise_floor(np.zeros(3), None) is None and noise_floor(np.zeros(3), np.zeros(4)) is None
    assert noise_floor(np.zeros(2), np.array([0.0, np.nan])) is None


# -- the runner's verdict on records as the two sides write them -----------------------------------------
def _plan(tmp_path: Path, step: str, torch: dict, paddle: dict, float64: dict | None = None,
          notes: dict | None = None, **config) -> Plan:
    harness = tmp_path / "verify"
    (harness / "result" / "log").mkdir(parents=True, exist_ok=True)
    for side, record in (("torch", torch), ("paddle", paddle), ("float64", float64)):
        if record is not None:
            np.save(harness / "result" / f"{step}_{side}.npy", {k: np.asarray(v) for k, v in record.items()},
                    allow_pickle=True)
    for side in ("torch", "paddle"):
        (harness / "result" / f"{step}_{side}.status.json").write_text(json.dumps({"ok": True, "seconds": 0.1}))
        if (notes or {}).get(side):
            (harness / "result" / f"{step}_{side}.note.json").write_text(json.dumps(notes[side]))
    cfg = {"thresholds": dict(DEFAULT_THRESHOLDS, **config.pop("thresholds", {})), **config}
    return Plan(harness, cfg, [step])


def test_forward_within_ten_times_the_noise_passes_and_says_how_noisy(tmp_path):
    ref = np.linspace(-3, 3, 40, dtype=np.float32)
    plan = _plan(tmp_path, "forward", {"logits": ref}, {"logits": ref + np.float32(3e-4)},
                 {"logits": ref.astype(np.float64) + 1e-4}, noise_factor=10.0)
    result = _judge(plan, "forward")
    assert result.status == "passed", result.detail
    assert result.noise == pytest.approx(1e-4, rel=1e-2) and result.noise_ratio == pytest.approx(3, rel=0.05)
    assert "3x float32 noise (floor 1.00e-04)" in result.detail
    assert result.threshold == "max(atol=1e-05, 10x noise)"
    beyond = _plan(tmp_path / "b", "forward", {"logits": ref}, {"logits": ref + np.float32(2e-3)},
                   {"logits": ref.astype(np.float64) + 1e-4}, noise_factor=10.0)
    assert _judge(beyond, "forward").status == "failed"


def test_a_threshold_the_user_gives_is_used_as_given(tmp_path):
    ref = np.linspace(-3, 3, 40, dtype=np.float32)
    plan = _plan(tmp_path, "forward", {"logits": ref}, {"logits": ref + np.float32(3e-4)},
                 {"logits": ref.astype(np.float64) + 1e-4}, noise_factor=10.0,
                 thresholds={"forward": 1e-4}, fixed_thresholds=["forward"])
    result = _judge(plan, "forward")
    assert result.status == "failed" and result.threshold == "atol=0.0001 (your threshold)"
    assert result.noise_ratio == pytest.approx(3, rel=0.05)  # still shown


def test_without_a_float64_record_the_fixed_threshold_applies_and_the_step_says_why(tmp_path):
    ref = np.linspace(-3, 3, 40, dtype=np.float32)
    plan = _plan(tmp_path, "forward", {"logits": ref}, {"logits": ref + np.float32(3e-4)},
                 notes={"torch": {"float64": "the float64 run failed: RuntimeError: expected Double"}})
    result = _judge(plan, "forward")
    assert result.status == "failed" and result.noise is None
    assert "no float32 noise floor (the float64 run failed: RuntimeError: expected Double)" in result.detail


def _backward_records(grad_shift=0.0, loss_shift=0.0):
    rng = np.random.RandomState(0)
    grads = {f"grad:{name}": rng.standard_normal(shape).astype(np.float32)
             for name, shape in (("conv.weight", (4, 3)), ("fc.weight", (3, 2)), ("fc.bias", (2,)))}
    losses = np.array([2.0, 1.5, 1.2, 1.0, 0.9])
    torch = {"loss": losses, "lr": np.full(5, 0.1), **grads}
    float64 = {"loss": losses + np.array([1e-7, 1e-6, 1e-5, 1e-5, 1e-4]), "lr": np.full(5, 0.1),
               **{k: v.astype(np.float64) + 1e-7 for k, v in grads.items()}}
    paddle = {"loss": losses + loss_shift, "lr": np.full(5, 0.1),
              **{k: v + np.float32(grad_shift if k == "grad:fc.weight" else 0.0) for k, v in grads.items()}}
    return torch, paddle, float64


def test_backward_names_the_first_parameter_whose_gradient_differs(tmp_path):
    torch, paddle, float64 = _backward_records(grad_shift=1e-3)
    result = _judge(_plan(tmp_path, "backward", torch, paddle, float64, noise_factor=10.0), "backward")
    assert result.status == "failed"
    assert "first parameter whose iteration-1 gradient differs: fc.weight" in result.detail, result.detail


def test_backward_fails_a_gradient_only_the_converted_side_has(tmp_path):
    torch, paddle, float64 = _backward_records()
    del torch["grad:fc.bias"]  # frozen in torch, trainable in the port
    result = _judge(_plan(tmp_path, "backward", torch, paddle, float64, noise_factor=10.0), "backward")
    assert result.status == "failed"
    assert "first parameter whose iteration-1 gradient differs: fc.bias (a gradient only the converted side" \
        in result.detail, result.detail


def test_backward_losses_get_a_floor_that_grows_with_the_iteration(tmp_path):
    # 5e-4 at the last iteration: beyond the fixed 1e-5, within 10x the float64 run's drift there (1e-4)
    torch, paddle, float64 = _backward_records(loss_shift=np.array([0, 0, 0, 0, 5e-4]))
    result = _judge(_plan(tmp_path, "backward", torch, paddle, float64, noise_factor=10.0), "backward")
    assert result.status == "passed", result.detail
    # the same difference at iteration 1, where float32 and float64 agree to 1e-7, fails
    torch, paddle, float64 = _backward_records(loss_shift=np.array([5e-4, 0, 0, 0, 0]))
    early = _judge(_plan(tmp_path / "early", "backward", torch, paddle, float64, noise_factor=10.0), "backward")
    assert early.status == "failed" and "loss" in early.detail


def test_backward_names_the_random_layers_it_disabled(tmp_path):
    torch, paddle, float64 = _backward_records()
    notes = {"torch": {"random_layers": ["classifier.2"]}, "paddle": {"random_layers": ["classifier.2"]}}
    result = _judge(_plan(tmp_path, "backward", torch, paddle, float64, notes, noise_factor=10.0), "backward")
    assert result.status == "passed"
    assert "dropout-like layers in eval mode on both sides: classifier.2" in result.detail


def test_backward_says_why_it_cannot_compare_a_model_still_random(tmp_path):
    torch, paddle, float64 = _backward_records(loss_shift=0.3)
    notes = {"torch": {"random_layers": [], "still_random": "the model's train-mode output changes"}}
    result = _judge(_plan(tmp_path, "backward", torch, paddle, float64, notes, noise_factor=10.0), "backward")
    assert result.status == "error" and result.detail.startswith("the model's train-mode output changes")


# -- defaults -------------------------------------------------------------------------------------------
def _tiny_out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / ".torch2paddle").mkdir(parents=True)
    src = tmp_path / "src" / "tiny"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("")
    (out / "__init__.py").write_text("")
    (out / ".torch2paddle" / "convert.json").write_text(json.dumps({"source": str(src), "config": None}))
    return out


def test_no_scheduler_configured_means_none(tmp_path):
    from torch2paddle.verify.harness import resolve

    plan = resolve(_tiny_out(tmp_path), model="tiny.net:net", input_shape=[2, 8])
    assert plan.config["scheduler"] is None
    assert plan.config["noise_factor"] == NOISE_FACTOR and plan.config["fixed_thresholds"] == []
    assert plan.config["float64"] is True
    config = tmp_path / "cfg.yaml"
    config.write_text("scheduler: {step_size: 2, gamma: 0.5}\nthresholds: {forward: 1.0e-4}\nnoise_factor: 4\n"
                      "float64: false\n")
    plan = resolve(_tiny_out(tmp_path / "b"), config_path=str(config), model="tiny.net:net", input_shape=[2, 8],
                   thresholds={"loss": 1e-6})
    assert plan.config["scheduler"] == "torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)"
    assert plan.config["fixed_thresholds"] == ["forward", "loss"] and plan.config["noise_factor"] == 4.0
    assert plan.config["float64"] is False


def test_cli_steps_default_names_no_step():
    from torch2paddle.cli import build_parser

    assert build_parser().parse_args(["verify", "out"]).steps is None


# -- the real chain on small projects ---------------------------------------------------------------------
def _project(tmp_path: Path, name: str, layers: list[str], forward: str, shape: list[int], config: str = "") -> Path:
    """A converted one-module project (class Net, factory ``make``, input ``shape``) and its config."""
    src = tmp_path / "src" / name
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("")
    (src / "net.py").write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        + "".join(f"        {line}\n" for line in layers)
        + f"\n    def forward(self, x):\n        return {forward}\n\n\ndef make():\n    return Net()\n")
    (tmp_path / "torch2paddle.yaml").write_text(
        f"package: {name}\nmodel: {{factory: '{name}.net:make', input_shape: {shape}}}\n" + config)
    out = tmp_path / "out" / name
    from torch2paddle import convert_tree

    convert_tree(src, out, jobs=1, torch_init=True)
    return out


def _by_step(result) -> dict:
    return {s.step: s for s in result.steps}


def _verify(out: Path, steps: str, **kwargs):
    from torch2paddle.verify.runner import verify

    return verify(out, steps, config=str(out.parent.parent / "torch2paddle.yaml"), **kwargs)


LOUD = ["self.fc1 = nn.Linear(64, 256)", "self.bn = nn.BatchNorm1d(256)", "self.act = nn.ReLU()",
        "self.fc2 = nn.Linear(256, 10)"]


@pytest.fixture(scope="module")
def frameworks():
    pytest.importorskip("torch")
    pytest.importorskip("paddle")


def test_a_correct_port_noisier_than_the_old_threshold_passes_and_a_wrong_epsilon_fails(frameworks, tmp_path):
    """Outputs of order 1e3: float32's own error is ~1e-4, above the fixed 1e-5 that failed such ports."""
    out = _project(tmp_path, "loudnet", LOUD, "self.fc2(self.act(self.bn(self.fc1(x)))) * 1000.0", [4, 64])
    forward = _by_step(_verify(out, "forward"))["forward"]
    assert forward.status == "passed", forward.detail
    assert forward.worst > 1e-5 and forward.noise > 1e-5 and forward.noise_ratio < NOISE_FACTOR, forward
    assert "x float32 noise" in forward.detail
    net = out / "net.py"
    text = net.read_text()
    assert "BatchNorm1D(256" in text, text
    net.write_text(text.replace("BatchNorm1D(256", "BatchNorm1D(256, epsilon=0.001", 1))  # eps 1e-5 lost
    wrong = _by_step(_verify(out, "forward"))["forward"]
    assert wrong.status == "failed" and wrong.noise_ratio > 10 * NOISE_FACTOR, wrong


GRAD_CONFIG = "num_classes: 4\nloss: torch.nn.CrossEntropyLoss\n"


def test_a_gradient_bug_names_the_parameter(frameworks, tmp_path):
    """Forward and the first loss are right, fc1's gradient is halved: backward names fc1.weight."""
    out = _project(tmp_path, "gradnet", ["self.fc1 = nn.Linear(16, 32)", "self.act = nn.ReLU()",
                                         "self.fc2 = nn.Linear(32, 4)"], "self.fc2(self.act(self.fc1(x)))",
                   [8, 16], GRAD_CONFIG)
    correct = _verify(out, "backward")
    assert correct.exit_code == 0, [(s.step, s.status, s.detail) for s in correct.steps]
    assert "no float32 noise floor" not in _by_step(correct)["backward"].detail
    net = out / "net.py"
    text = net.read_text()
    assert "self.fc1(x)" in text
    net.write_text(text.replace("self.fc1(x)", "(self.fc1(x) * 0.5 + self.fc1(x).detach() * 0.5)"))
    backward = _by_step(_verify(out, "backward"))["backward"]
    assert backward.status == "failed"
    assert "first parameter whose iteration-1 gradient differs: fc1.weight" in backward.detail, backward.detail


def test_a_functional_dropout_is_named_as_the_reason_backward_cannot_compare(frameworks, tmp_path):
    out = _project(tmp_path, "dropnet", ["self.fc = nn.Linear(16, 4)"], "nn.functional.dropout(self.fc(x), 0.5)",
                   [8, 16], GRAD_CONFIG)
    backward = _by_step(_verify(out, "backward"))["backward"]
    assert backward.status == "error"
    assert "train-mode output changes between two calls" in backward.detail, backward.detail


def test_skipped_steps_the_user_did_not_name_do_not_make_the_run_incomplete(frameworks, tmp_path):
    """No loss, data or metric configured: those steps are skipped, the rest pass, and the CLI exits 0.

    (`float64: false` here: forward then says that it used the fixed threshold.)
    """
    out = _project(tmp_path, "plainnet", ["self.fc = nn.Linear(256, 128)"], "self.fc(x)", [2, 256],
                   "float64: false\n")
    report = tmp_path / "report.json"
    run = subprocess.run([sys.executable, "-m", "torch2paddle", "verify", str(out), "--report", str(report),
                          "--config", str(out.parent.parent / "torch2paddle.yaml")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "skipped" in run.stdout and "verify: PASSED" in run.stdout
    steps = {s["step"]: s for s in json.loads(report.read_text())["steps"]}
    assert steps["forward"]["status"] == "passed" and steps["loss"]["status"] == "skipped"
    assert "no float32 noise floor (`float64: false` in the config)" in steps["forward"]["detail"]
    named = subprocess.run([sys.executable, "-m", "torch2paddle", "verify", str(out),
                            "--steps", "forward,loss", "--config", str(out.parent.parent / "torch2paddle.yaml")],
                           capture_output=True, text=True)
    assert named.returncode == 4, named.stdout + named.stderr  # --steps named loss, and it could not run
