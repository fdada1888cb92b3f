"""End to end beyond the bundled example: a PyTorch model file is converted, its weights converted with
torch2paddle.weights, and both models give the same outputs on seeded data."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from torch2paddle import convert_tree

torch = pytest.importorskip("torch")
paddle = pytest.importorskip("paddle")

MODELS = Path(__file__).parent / "data" / "models"


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def vit(tmp_path_factory):
    out = tmp_path_factory.mktemp("vit")
    report = convert_tree(MODELS, out, jobs=1)
    assert not report.errors
    unsupported = [u for f in report.files if f.path == "vit_ref.py" for u in f.uses if not u.converted]
    assert not unsupported, unsupported
    return _load(MODELS / "vit_ref.py", "vit_torch"), _load(out / "vit_ref.py", "vit_paddle")


def test_vit_forward_and_helpers_align(vit):
    from torch2paddle.weights import convert_state_dict, load_into_paddle

    torch_side, paddle_side = vit
    torch.manual_seed(0)
    reference = torch_side.ViT().eval()
    with torch.no_grad():  # perturb every parameter: zero-initialised tokens would hide a layout bug
        for p in reference.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    converted = paddle_side.ViT()
    converted.eval()
    state, _ = convert_state_dict(reference)
    load_into_paddle(converted, state)
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype("float32")
    expected = reference(torch.tensor(x)).detach().numpy()
    got = converted(paddle.to_tensor(x)).numpy()
    scale = float(np.abs(expected).mean())
    diff = float(np.abs(expected - got).max())
    print(f"ViT logits: max diff {diff:.2e} at mean |logit| {scale:.3f}")
    assert scale > 0.1 and diff < 1e-5
    labels_t, top_t = reference.predict(torch.tensor(x))
    labels_p, top_p = converted.predict(paddle.to_tensor(x))
    assert (labels_t.numpy() == labels_p.numpy()).all()
    assert np.abs(top_t.numpy() - top_p.numpy()).max() < 1e-6
    pos = np.random.default_rng(1).standard_normal((1, 16, 8)).astype("float32")
    resized_t = torch_side.interpolate_pos(torch.tensor(pos), 6).numpy()
    resized_p = paddle_side.interpolate_pos(paddle.to_tensor(pos), 6).numpy()
    assert resized_t.shape == resized_p.shape and np.abs(resized_t - resized_p).max() < 1e-5


def test_vit_init_matches_torch_distributions(vit):
    torch_side, paddle_side = vit
    torch.manual_seed(0)
    paddle.seed(0)
    reference, converted = torch_side.ViT(dim=128), paddle_side.ViT(dim=128)
    for (name, p_t), (_, p_p) in zip(reference.named_parameters(), converted.named_parameters()):
        if name.startswith("patch_embed."):
            # the model leaves its Conv2d to the framework's default init, which differs (README: Known limits)
            continue
        a, b = p_t.detach().numpy(), p_p.numpy()
        assert a.shape == b.shape or a.shape == b.T.shape, name
        assert abs(a.std() - b.std()) <= 0.1 * max(a.std(), 1e-3) + 3e-3, (name, a.std(), b.std())
        assert abs(a.mean() - b.mean()) <= 5 * a.std() / np.sqrt(a.size) + 1e-3, (name, a.mean(), b.mean())
