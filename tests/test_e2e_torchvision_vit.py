"""torchvision's VisionTransformer, converted from the installed torchvision as a whole, aligns with torch.

Its encoder blocks hold ``nn.MultiheadAttention(hidden_dim, num_heads, dropout=..., batch_first=True)``
called as ``self.self_attention(x, x, x, need_weights=False)``: the converted layer is the generated
run-time module's MultiheadAttention, and the torch state dict (packed ``in_proj_weight``, Linear
``out_proj``) loads into it by name.  The Paddle side runs in a process where importing torch raises and
``torchvision`` is the converted copy.  A small configuration keeps the test fast; the full vit_b_16 is
measured by ``benchmarks/corpus_align.py torchvision 'torchvision.models.vit_b_16(num_classes=10)'
--input 2,3,224,224``.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from torch2paddle import convert_tree


def _torchvision_dir() -> Path | None:
    spec = importlib.util.find_spec("torchvision")  # finds it without importing torch
    return Path(list(spec.submodule_search_locations)[0]) if spec and spec.submodule_search_locations else None


EXPR = ("torchvision.models.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=4, "
        "hidden_dim=32, mlp_dim=64, num_classes=10, attention_dropout=0.1, dropout=0.1)")

PADDLE_SIDE = textwrap.dedent('''
    import importlib.abc, json, os, sys
    class _NoTorch(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("torch", "torchaudio"):
                raise ImportError("torch is blocked (%s)" % name)
    sys.meta_path.insert(0, _NoTorch())
    root, ref, expr = sys.argv[1], sys.argv[2], sys.argv[3]
    sys.path.insert(0, root)
    import numpy as np, paddle
    import torchvision
    assert os.path.realpath(torchvision.__file__).startswith(os.path.realpath(root) + os.sep), torchvision.__file__
    data = np.load(ref)
    paddle.seed(0)
    model = eval(expr)
    own = model.state_dict()
    state = {k[2:]: data[k] for k in data.files if k.startswith("p_")}
    model.set_state_dict({k: paddle.to_tensor(v) for k, v in state.items()})
    model.eval()
    with paddle.no_grad():
        y = model(paddle.to_tensor(data["__x"])).numpy()
    attention = type(model.encoder.layers[0].self_attention)
    print(json.dumps({"missing": sorted(set(own) - set(state)), "unexpected": sorted(set(state) - set(own)),
                      "diff": float(np.abs(y - data["__y"]).max()), "scale": float(np.abs(data["__y"]).mean()),
                      "attention": attention.__module__ + "." + attention.__name__}))
''')


@pytest.mark.skipif(_torchvision_dir() is None, reason="torchvision is not installed")
def test_converted_torchvision_vision_transformer_aligns(tmp_path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("paddle")
    import torchvision

    from torch2paddle.weights import convert_state_dict, randomize_for_alignment

    src = tmp_path / "src" / "torchvision"
    shutil.copytree(_torchvision_dir(), src, ignore=lambda d, names: [n for n in names if n == "__pycache__"
                                                                      or n.endswith((".so", ".dll", ".pyd"))])
    out = tmp_path / "out" / "torchvision"
    report = convert_tree(src, out, jobs=2)
    assert not report.errors, [f"{f.path}: {f.error}" for f in report.errors]
    vit_file = next(f for f in report.files if f.path == "models/vision_transformer.py")
    assert not vit_file.unsupported, vit_file.unsupported
    assert "_torch2paddle_runtime.MultiheadAttention(" in (out / "models" / "vision_transformer.py").read_text()

    torch.manual_seed(0)
    model = eval(EXPR, {"torchvision": torchvision})
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype("float32"))
    randomize_for_alignment(model, seed=0)
    model.eval()
    with torch.no_grad():
        y = model(x)
    converted, _ = convert_state_dict(model)
    assert "encoder.layers.encoder_layer_0.self_attention.in_proj_weight" in converted
    ref = tmp_path / "ref.npz"
    np.savez(ref, __x=x.numpy(), __y=y.numpy(), **{"p_" + k: v for k, v in converted.items()})

    done = subprocess.run([sys.executable, "-c", PADDLE_SIDE, str(out.parent), str(ref), EXPR],
                          capture_output=True, text=True, timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    result = json.loads(lines[-1])
    print(f"torchvision VisionTransformer: max diff {result['diff']:.2e} at mean |logit| {result['scale']:.3f}")
    assert result["missing"] == [] and result["unexpected"] == []
    assert result["attention"] == "torchvision._torch2paddle_runtime.MultiheadAttention"
    assert result["scale"] > 0.1
    assert result["diff"] <= 1e-5 * max(1.0, result["scale"]), result
