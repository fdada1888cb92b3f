"""verify: the comparator, the whole chain on the example, and proof that it can fail.

Each fault test breaks the converted output the way a hand port goes wrong
and asserts that verify fails the right step and names it.
"""

from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from torch2paddle import convert_tree
from torch2paddle.verify.compare import Tolerance, compare_arrays, compare_init_stats, compare_records
from torch2paddle.verify.runner import EXIT_CANNOT_RUN, EXIT_FAILED, EXIT_PASSED, verify

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mobilenetv3_ref"


# -- the comparator: every way reprod_log 1.0.1 was measured to lie ----------------------------
def test_nan_fails():
    assert not compare_arrays("x", np.array([1.0, np.nan]), np.array([1.0, np.nan]), Tolerance()).passed


def test_broadcastable_shapes_fail():
    result = compare_arrays("x", np.zeros((2, 1)), np.zeros((1, 3)), Tolerance())
    assert not result.passed and "shape" in result.problem


def test_transposed_shape_fails():
    a = np.arange(6.0).reshape(2, 3)
    assert not compare_arrays("x", a, a.T.copy(), Tolerance()).passed


def test_dtype_mismatch_fails():
    assert not compare_arrays("x", np.zeros(3, "float32"), np.zeros(3, "float64"), Tolerance()).passed


def test_within_and_beyond_tolerance():
    ref = np.array([1.0, 2.0], dtype="float32")
    assert compare_arrays("x", ref, ref + np.float32(5e-6), Tolerance(atol=1e-5)).passed
    result = compare_arrays("x", ref, ref + np.float32(5e-5), Tolerance(atol=1e-5))
    assert not result.passed and result.max_abs == pytest.approx(5e-5, rel=1e-2)


def test_missing_and_extra_keys_fail():
    assert not compare_records({"a": np.zeros(1)}, {}, Tolerance()).passed
    assert not compare_records({"a": np.zeros(1)}, {"a": np.zeros(1), "b": np.zeros(1)}, Tolerance()).passed
    assert compare_records({"a": np.zeros(1)}, {"a": np.zeros(1)}, Tolerance()).passed


def test_init_statistics_tell_distributions_apart():
    rng = np.random.default_rng(0)
    n = 256 * 128
    kaiming = rng.uniform(-1, 1, n) / np.sqrt(256)
    kaiming_again = rng.uniform(-1, 1, n) / np.sqrt(256)
    xavier = rng.normal(0, np.sqrt(2 / (256 + 128)), n)

    def stats(v):
        return np.array([v.mean(), v.std(), v.size])

    assert compare_init_stats({"w": stats(kaiming)}, {"w": stats(kaiming_again)}).passed
    assert not compare_init_stats({"w": stats(kaiming)}, {"w": stats(xavier)}).passed
    assert not compare_init_stats({"b": stats(np.zeros(64))}, {"b": stats(rng.uniform(-0.1, 0.1, 64))}).passed


# -- the chain on the example ---------------------------------------------------------------------
pytest.importorskip("torch")
pytest.importorskip("paddle")


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    out = tmp_path_factory.mktemp("verify") / "mobilenetv3_ref"
    report = convert_tree(EXAMPLE, out, jobs=1)
    assert not report.errors
    return out


@pytest.fixture(scope="module")
def full_run(converted):
    return verify(converted)


def _copy(converted: Path, tmp_path: Path) -> Path:
    target = tmp_path / "mobilenetv3_ref"
    shutil.copytree(converted, target, ignore=shutil.ignore_patterns("verify"))
    return target


def _step(result, name):
    return next(s for s in result.steps if s.step == name)


def test_whole_chain_passes_on_the_example(full_run):
    summary = {s.step: (s.status, s.detail) for s in full_run.steps}
    print(summary)
    for step in ("weights", "forward", "data", "metric", "loss", "init", "backward", "train"):
        assert summary[step][0] == "passed", (step, summary[step])
    assert summary["perf"][0] in ("passed", "flagged")
    assert full_run.exit_code == EXIT_PASSED


def test_the_example_is_judged_against_its_float32_noise(full_run):
    """forward, loss, backward and train each measured a noise floor; dropout (p=0 here) is named."""
    for name in ("forward", "loss", "backward", "train"):
        step = _step(full_run, name)
        assert step.noise is not None and step.noise > 0, (name, step.detail)
        assert "no float32 noise floor" not in step.detail, (name, step.detail)
    assert "x float32 noise" in _step(full_run, "forward").detail
    for name in ("backward", "train"):
        assert "dropout-like layers in eval mode on both sides: classifier.2" in _step(full_run, name).detail
    log = Path(_step(full_run, "backward").log).read_text()
    assert "grad:features.0.0.weight: passed" in log and "grad:classifier.3.weight: passed" in log


def test_records_and_logs_are_written(full_run):
    harness = Path(full_run.harness)
    for step in ("forward", "backward"):
        assert (harness / "result" / f"{step}_torch.npy").is_file()
        assert (harness / "result" / f"{step}_paddle.npy").is_file()
        assert (harness / "result" / "log" / f"{step}_diff.log").is_file()
    paddle_script = (harness / "paddle" / "02_forward.py").read_text()
    assert "import paddle" in paddle_script and "torch" not in paddle_script.replace("torch2paddle", "")


def test_forward_output_is_not_degenerate(full_run):
    forward = _step(full_run, "forward")
    scale = float(re.search(r"output scale ([0-9.e+-]+)", forward.detail).group(1))
    assert scale > 1e-2


def test_fault_linear_weights_not_transposed(converted, tmp_path):
    out = _copy(converted, tmp_path)
    assert verify(out, "weights").exit_code == EXIT_PASSED
    weights = out / ".torch2paddle" / "verify" / "weights" / "model.pdparams"
    state = pickle.loads(weights.read_bytes())
    for key in [k for k in state if k.startswith("classifier.") and k.endswith(".weight")]:
        state[key] = np.ascontiguousarray(state[key].T)  # as a port without the transpose would load
    weights.write_bytes(pickle.dumps(state))
    result = verify(out, "forward", reuse_harness=True)
    assert result.exit_code == EXIT_FAILED
    assert _step(result, "forward").status in ("failed", "error")
    assert "classifier" in _step(result, "forward").detail


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def test_fault_batchnorm_momentum_not_inverted(converted, tmp_path):
    out = _copy(converted, tmp_path)
    _edit(out / "models" / "mobilenetv3.py", "momentum=0.99", "momentum=0.01")
    result = verify(out, "backward")
    assert _step(result, "backward").status == "failed"
    assert "running_mean" in _step(result, "backward").detail


def test_fault_batchnorm_epsilon_fails_far_beyond_the_noise(converted, tmp_path, full_run):
    """A wrong epsilon (1e-3 -> 1e-5) is tens of times the float32 noise floor; the right port is not."""
    out = _copy(converted, tmp_path)
    _edit(out / "models" / "mobilenetv3.py", "epsilon=0.001", "epsilon=1e-05")
    forward = _step(verify(out, "forward"), "forward")
    assert forward.status == "failed" and forward.noise_ratio > 10 * 10, forward.detail
    assert _step(full_run, "forward").noise_ratio < 10


def test_dropout_and_no_scheduler_need_no_config_tricks(converted, tmp_path):
    """An active Dropout (p=0.2) and no `scheduler:`: backward and train put dropout in eval mode on both
    sides and run without a scheduler (a StepLR(gamma=1.0) default used to make Paddle raise)."""
    out = _copy(converted, tmp_path)
    config = tmp_path / "torch2paddle.yaml"
    text = (EXAMPLE / "torch2paddle.yaml").read_text()
    assert "dropout: 0.0" in text and "scheduler:" in text
    config.write_text("\n".join(line for line in text.replace("dropout: 0.0", "dropout: 0.2").splitlines()
                                if not line.startswith("scheduler:")) + "\n")
    result = verify(out, "backward,train", config=str(config))
    for name in ("backward", "train"):
        step = _step(result, name)
        assert step.status == "passed", (name, step.detail)
        assert "dropout-like layers in eval mode on both sides: classifier.2" in step.detail
    assert "lr_scheduler = None" in (Path(result.harness) / "torch" / "07_backward.py").read_text()
    assert result.exit_code == EXIT_PASSED


def test_metric_returning_shape_one_tensors(tmp_path):
    """torchvision's reference accuracy: `correct[:k].reshape(-1).float().sum(0, keepdim=True)`, shape [1]."""
    src = tmp_path / "src" / "mobilenetv3_ref"
    shutil.copytree(EXAMPLE, src)
    _edit(src / "metric.py", "correct_k = correct[:k].flatten().sum(dtype=torch.float32)",
          "correct_k = correct[:k].reshape(-1).float().sum(0, keepdim=True)")
    _edit(src / "metric.py", "res.append(correct_k * (100.0 / batch_size))",
          "res.append(correct_k.mul_(100.0 / batch_size))")
    out = tmp_path / "out" / "mobilenetv3_ref"
    assert not convert_tree(src, out, jobs=1).errors
    result = verify(out, "metric,train")
    for name in ("metric", "train"):
        assert _step(result, name).status == "passed", (name, _step(result, name).detail)


def test_fault_init_not_matched(converted, tmp_path):
    out = _copy(converted, tmp_path)
    text = (out / "models" / "mobilenetv3.py").read_text()
    patched = re.sub(r"nn\.initializer\.KaimingNormal\([^)]*\)\(m\.weight\)", "pass", text)
    assert patched != text
    (out / "models" / "mobilenetv3.py").write_text(patched)
    result = verify(out, "init")
    assert _step(result, "init").status == "failed"


def test_fault_topk_rewritten_wrongly(converted, tmp_path):
    out = _copy(converted, tmp_path)
    text = (out / "metric.py").read_text()
    patched = re.sub(r"\.topk\(maxk, 1, True, True\)", ".topk(maxk, 1, False, True)", text)
    assert patched != text
    (out / "metric.py").write_text(patched)
    result = verify(out, "metric")
    assert _step(result, "metric").status == "failed"


def test_fault_transform_changed(converted, tmp_path):
    out = _copy(converted, tmp_path)
    text = (out / "presets.py").read_text()
    patched = text.replace("0.485", "0.5", 1)
    assert patched != text
    (out / "presets.py").write_text(patched)
    result = verify(out, "data")
    assert _step(result, "data").status == "failed"


def test_fault_sgd_momentum_dropped(converted, tmp_path):
    out = _copy(converted, tmp_path)
    assert verify(out, "weights").exit_code == EXIT_PASSED  # generates the harness
    script = out / ".torch2paddle" / "verify" / "paddle" / "07_backward.py"
    text = script.read_text()
    patched = re.sub(r"momentum=0\.9\b", "momentum=0.0", text)
    assert patched != text, text
    script.write_text(patched)
    result = verify(out, "backward", reuse_harness=True)
    assert _step(result, "backward").status == "failed"


def _project(tmp_path: Path, name: str, layers: list[str], forward: str, factory: str) -> Path:
    """A one-module torch project: class Net with ``layers`` and ``forward``, and a factory function."""
    src = tmp_path / "src" / name
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("")
    (src / "net.py").write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        + "".join(f"        {line}\n" for line in layers)
        + f"\n    def forward(self, x):\n        return {forward}\n\n\ndef {factory}():\n    return Net()\n"
    )
    return src


def _tiny_project(tmp_path: Path) -> Path:
    return _project(tmp_path, "tinynet", ["self.fc = nn.Linear(8, 4)"], "self.fc(x)", "tiny_net")


def test_without_config_runs_what_it_can(tmp_path):
    src = _tiny_project(tmp_path)
    out = tmp_path / "out" / "tinynet"
    convert_tree(src, out, jobs=1)
    result = verify(out, "weights,forward,data", input_shape=[2, 8])
    statuses = {s.step: s.status for s in result.steps}
    assert statuses["weights"] == "passed" and statuses["forward"] == "passed"
    assert statuses["data"] == "skipped"
    assert result.exit_code == EXIT_CANNOT_RUN  # --steps named data, and it could not run
    assert verify(out, "weights,forward", input_shape=[2, 8]).exit_code == EXIT_PASSED
    nothing = verify(out, "data")
    assert nothing.exit_code == EXIT_CANNOT_RUN


def test_cli_with_relative_paths(tmp_path):
    """As a user types it, from the folder holding both trees (the side runners change directory)."""
    import subprocess
    import sys

    _tiny_project(tmp_path)
    cli = [sys.executable, "-m", "torch2paddle"]
    subprocess.run([*cli, "convert", "src/tinynet", "out/tinynet", "-q"], cwd=tmp_path, check=True)
    run = subprocess.run([*cli, "verify", "out/tinynet", "--steps", "weights,forward", "--input-shape", "2,8",
                          "--report", "verify.json"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert '"forward"' in (tmp_path / "verify.json").read_text()


def test_gpu_requested_where_there_is_none(tmp_path):
    import torch

    from torch2paddle.verify.harness import HarnessError

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    src = _tiny_project(tmp_path)
    out = tmp_path / "out" / "tinynet"
    convert_tree(src, out, jobs=1)
    with pytest.raises(HarnessError, match=r"could not start: --device gpu: this torch build sees no CUDA device"):
        verify(out, "forward", input_shape=[2, 8], device="gpu")


def test_init_step_names_default_init_and_torch_init_fixes_it(tmp_path):
    """A model left to default init: verify's init step fails and says how to fix it; --torch-init fixes it."""
    src = _project(tmp_path, "widenet", ["self.conv = nn.Conv2d(8, 64, 3)", "self.fc = nn.Linear(256, 128)"],
                   "self.fc(self.conv(x).mean((2, 3)).repeat(1, 4))", "wide_net")
    plain = tmp_path / "plain" / "widenet"
    convert_tree(src, plain, jobs=1)
    result = verify(plain, "init", model="widenet.net:wide_net")
    init = _step(result, "init")
    assert init.status == "failed" and "--torch-init" in init.detail, init.detail
    assert "layers whose initialisation differs: conv, fc" in init.detail, init.detail
    faithful = tmp_path / "faithful" / "widenet"
    convert_tree(src, faithful, jobs=1, torch_init=True)
    assert "KaimingUniform" in (faithful / "net.py").read_text()
    assert _step(verify(faithful, "init", model="widenet.net:wide_net"), "init").status == "passed"
