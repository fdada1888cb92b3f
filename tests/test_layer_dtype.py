"""``then_to: [dtype]``: a torch layer built with ``dtype=`` converts to the Paddle layer cast with ``.to(dtype=...)``
(Paddle's layers take no dtype).  For every entry that says so, built both ways in float64: the same parameter
dtypes, and the forward pass runs in that dtype."""

from __future__ import annotations

import pytest

from torch2paddle import convert_source
from torch2paddle.convert import default_tables
from trees import run_without_torch

# the torch constructor arguments (without dtype) and an input shape for each layer with then_to
BUILD = {
    "Linear": ("5, 3", (2, 5)), "Bilinear": ("5, 4, 3", None), "Conv1d": ("2, 3, 3", (1, 2, 8)),
    "Conv2d": ("2, 3, 3", (1, 2, 8, 8)), "Conv3d": ("2, 3, 3", (1, 2, 6, 6, 6)),
    "ConvTranspose1d": ("2, 3, 3", (1, 2, 8)), "ConvTranspose2d": ("2, 3, 3", (1, 2, 8, 8)),
    "ConvTranspose3d": ("2, 3, 3", (1, 2, 4, 4, 4)), "BatchNorm1d": ("4", (3, 4)), "BatchNorm2d": ("4", (2, 4, 3, 3)),
    "BatchNorm3d": ("4", (2, 4, 2, 2, 2)), "SyncBatchNorm": ("4", None), "GroupNorm": ("2, 4", (2, 4, 3)),
    "LayerNorm": ("4", (2, 4)), "InstanceNorm1d": ("4, affine=True", (2, 4, 5)),
    "InstanceNorm2d": ("4, affine=True", (2, 4, 3, 3)), "InstanceNorm3d": ("4, affine=True", (2, 4, 2, 2, 2)),
    "PReLU": ("", (2, 3)), "Embedding": ("10, 3", None),
}
NAMES = sorted(e.name.rsplit(".", 1)[1] for e in default_tables().entries() if e.then_to)


def test_every_layer_with_then_to_is_covered():
    assert set(NAMES) == set(BUILD)


@pytest.mark.parametrize("name", NAMES)
def test_layer_built_with_a_dtype_has_it(name, tmp_path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("paddle")
    args, shape = BUILD[name]
    sep = ", " if args else ""
    source = f"import torch\nimport torch.nn as nn\nlayer = nn.{name}({args}{sep}dtype=torch.float64, device=None)\n"
    scope: dict = {}
    exec(source, scope)
    expected = sorted({str(p.dtype).replace("torch.", "") for p in scope["layer"].parameters()})
    result = convert_source(source, "layer.py")
    assert not result.unsupported, result.code
    assert ".to(dtype=paddle.float64)" in result.code, result.code
    (tmp_path / "layer.py").write_text(result.code)
    run = "import numpy as np, paddle\nfrom layer import layer\n"
    run += "print(sorted({str(p.dtype).replace('paddle.', '') for p in layer.parameters()}))\n"
    if shape is not None:
        run += f"out = layer(paddle.to_tensor(np.ones({shape}), dtype='float64'))\nassert out.dtype == paddle.float64\n"
    done = run_without_torch(tmp_path, run)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == str(expected), (done.stdout, expected)
