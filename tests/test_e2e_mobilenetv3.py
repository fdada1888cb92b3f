"""End to end: convert examples/mobilenetv3_ref, load converted weights, compare outputs.

A freshly initialised MobileNetV3 gives logits of ~1e-10 on fake data (so any
comparison passes): BatchNorm statistics/affine and Linear weights are
randomised (seeded) first, and the logits' scale is asserted beside the diff.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
paddle = pytest.importorskip("paddle")

from torch2paddle import convert_tree  # noqa: E402
from torch2paddle.verify.sides import Side  # noqa: E402
from torch2paddle.weights import convert_state_dict, randomize_for_alignment  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PACKAGE = "mobilenetv3_ref"


@pytest.fixture(scope="module")
def sides(tmp_path_factory):
    out = tmp_path_factory.mktemp("converted")
    report = convert_tree(EXAMPLES / PACKAGE, out / PACKAGE, jobs=1)
    assert not report.errors, [f.error for f in report.errors]
    return report, Side("torch", str(EXAMPLES)), Side("paddle", str(out))


def test_model_package_converts_without_unsupported_uses(sides):
    report, _, _ = sides
    model_files = [f for f in report.files if f.path.startswith("models/")]
    assert model_files, "the models package was not converted"
    unsupported = [(f.path, u.line, u.api) for f in model_files for u in f.unsupported]
    assert unsupported == []
    assert all(f.status == "converted" for f in model_files if f.path.endswith(("mobilenetv3.py", "misc.py")))


@pytest.mark.parametrize("arch", ["mobilenet_v3_small", "mobilenet_v3_large"])
def test_forward_alignment(sides, arch):
    _, torch_side, paddle_side = sides
    torch.manual_seed(0)
    paddle.seed(0)
    torch_model = torch_side.load(PACKAGE, f"{PACKAGE}.models:{arch}")(num_classes=10)
    paddle_model = paddle_side.load(PACKAGE, f"{PACKAGE}.models:{arch}")(num_classes=10)
    assert "paddle" in type(paddle_model).__mro__[-3].__module__ or isinstance(paddle_model, paddle.nn.Layer)
    x = np.random.default_rng(0).standard_normal((4, 3, 64, 64)).astype("float32")
    # BatchNorm statistics calibrated on the probe batch keep activations O(1) at every depth
    randomize_for_alignment(torch_model, seed=1, calibration_input=torch.from_numpy(x))
    converted, _ = convert_state_dict(torch_model, paddle_model=paddle_model)
    paddle_model.set_state_dict({k: paddle.to_tensor(v) for k, v in converted.items()})
    torch_model.eval()
    paddle_model.eval()
    with torch.no_grad():
        expected = torch_model(torch.from_numpy(x)).numpy()
    actual = paddle_model(paddle.to_tensor(x)).numpy()
    scale = float(np.abs(expected).mean())
    diff = float(np.abs(expected - actual).max())
    print(f"{arch}: logits mean |x| = {scale:.3g}, max abs diff = {diff:.3g}")
    assert expected.shape == actual.shape == (4, 10)
    assert 0.05 < scale < 100, f"degenerate reference output (mean |logit| {scale:.3g}): the comparison would prove nothing"
    assert diff <= 1e-5


def test_train_mode_running_means_agree(sides):
    """A momentum mistake (0.01 kept instead of 0.99) shows only in running statistics."""
    _, torch_side, paddle_side = sides
    arch = "mobilenet_v3_small"
    torch_model = torch_side.load(PACKAGE, f"{PACKAGE}.models:{arch}")(num_classes=10, dropout=0.0)
    paddle_model = paddle_side.load(PACKAGE, f"{PACKAGE}.models:{arch}")(num_classes=10, dropout=0.0)
    randomize_for_alignment(torch_model, seed=2)
    converted, _ = convert_state_dict(torch_model, paddle_model=paddle_model)
    paddle_model.set_state_dict({k: paddle.to_tensor(v) for k, v in converted.items()})
    torch_model.train()
    paddle_model.train()
    x = np.random.default_rng(1).standard_normal((4, 3, 64, 64)).astype("float32")
    torch_model(torch.from_numpy(x))
    paddle_model(paddle.to_tensor(x))
    torch_means = {n: m.running_mean.detach().numpy() for n, m in torch_model.named_modules()
                   if isinstance(m, torch.nn.BatchNorm2d)}
    paddle_means = {n: m._mean.numpy() for n, m in paddle_model.named_sublayers()
                    if isinstance(m, paddle.nn.BatchNorm2D)}
    assert torch_means.keys() == paddle_means.keys() and len(torch_means) > 10
    worst = max(float(np.abs(torch_means[n] - paddle_means[n]).max()) for n in torch_means)
    moved = max(float(np.abs(torch_means[n] - converted[f"{n}._mean"]).max()) for n in torch_means)
    print(f"running means: worst diff {worst:.3g}, moved by {moved:.3g} in one step")
    assert moved > 1e-4, "running statistics did not move: the check would prove nothing"
    assert worst <= 1e-5
