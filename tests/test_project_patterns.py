"""Whole-project patterns (issue 18) in one small multi-file package written for this test: a project
registry whose ``register_module`` is not torch's, a ``try: apex / except ImportError: torch`` fallback, a
Conv2d subclass reading its own geometry (``self.stride``, ``self.dilation``...), a layer factory passed as
``functools.partial`` and checked with ``isinstance``, a ``train()`` override in a sublayer (frozen BN),
``isinstance(m, nn.Conv2d)`` then ``m.out_channels``, ``correct.mul_(100.0 / n)``, numpy's ``arr.max(0)``
and ``next(model.parameters())``.  Converted whole, run with torch blocked, compared with torch."""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from torch2paddle.tree import convert_tree
from trees import make_tree, run_without_torch

PACKAGE = {
    "zoo/__init__.py": "from .model import build\n",
    "zoo/registry.py": textwrap.dedent('''\
        class Registry:
            """A project's own registry: its register_module is not torch's nn.Module.register_module."""

            def __init__(self):
                self._modules = {}

            def register_module(self, name=None):
                def add(cls):
                    self._modules[name or cls.__name__] = cls
                    return cls
                return add

            def build(self, name, *args, **kwargs):
                return self._modules[name](*args, **kwargs)


        MODELS = Registry()
    '''),
    "zoo/blocks.py": textwrap.dedent('''\
        import math
        from functools import partial

        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        try:
            from apex.normalization import FusedLayerNorm as LayerNorm  # absent: the torch fallback is used
        except ImportError:
            from torch.nn import LayerNorm


        class SameConv(nn.Conv2d):
            """TF-style 'same' padding computed from the layer's own geometry."""

            def forward(self, x):
                ih, iw = x.shape[-2:]
                kh, kw = self.kernel_size
                sh, sw = self.stride
                dh, dw = self.dilation
                ph = max((math.ceil(ih / sh) - 1) * sh + (kh - 1) * dh + 1 - ih, 0)
                pw = max((math.ceil(iw / sw) - 1) * sw + (kw - 1) * dw + 1 - iw, 0)
                x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
                return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


        class Backbone(nn.Module):
            def __init__(self, act_layer=partial(nn.ReLU, inplace=True)):
                super().__init__()
                self.conv = SameConv(3, 8, 3, stride=2)
                self.bn = nn.BatchNorm2d(8)
                self.act = act_layer()
                self.norm = LayerNorm(8)
                self.uses_partial = isinstance(act_layer, partial)

            def train(self, mode=True):  # BatchNorm statistics stay frozen, as detection backbones do
                super().train(mode)
                self.bn.eval()
                return self

            def forward(self, x):
                y = self.act(self.bn(self.conv(x)))
                return self.norm(y.mean(dim=(2, 3)))


        def describe(module):
            widths = []
            for m in module.modules():
                if isinstance(m, nn.Conv2d):
                    widths.append(m.out_channels)
            return widths
    '''),
    "zoo/model.py": textwrap.dedent('''\
        import numpy as np
        import torch
        import torch.nn as nn

        from .blocks import Backbone, describe
        from .registry import MODELS


        @MODELS.register_module()
        class Classifier(nn.Module):
            def __init__(self, classes=3):
                super().__init__()
                self.backbone = Backbone()
                self.head = nn.Linear(8, classes)

            def forward(self, x):
                return self.head(self.backbone(x))


        def build(classes=3):
            return MODELS.build("Classifier", classes)


        def accuracy(output, target, batch_size):
            correct = (output.argmax(1) == target).float().sum(0, keepdim=True)
            return correct.mul_(100.0 / batch_size)


        def statistics(images):
            arr = np.asarray(images).astype("float32")
            return arr.max(0), arr.mean(axis=0)  # numpy's max: the values, not torch's pair


        def dtype_of(model):
            return str(next(model.parameters()).dtype).split(".")[-1]


        def widths(model):
            return describe(model)
    '''),
}


DRIVER = """
import json, sys
import numpy as np
from zoo import build
from zoo.model import accuracy, dtype_of, statistics, widths

model = build(3)
model.train()
modes = [[name, layer.training] for name, layer in FRAMEWORK_MODULES(model)]
images = np.arange(24, dtype=np.float32).reshape(4, 6) % 7
peak, mean = statistics(images)
out = {"modes": modes, "peak": peak.tolist(), "mean": mean.tolist(), "dtype": dtype_of(model),
       "widths": widths(model), "partial": model.backbone.uses_partial}
print(json.dumps(out))
"""


def _torch_side(src):
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(src))
    try:
        namespace = {}
        code = DRIVER.replace("FRAMEWORK_MODULES(model)", "model.named_modules()")
        import contextlib, io
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(code, "driver.py", "exec"), namespace)
        facts = json.loads(buffer.getvalue())
        from zoo import build
        from zoo.model import accuracy
        from torch2paddle.weights import convert_state_dict
        torch.manual_seed(0)
        model = build(3)
        for name, value in model.state_dict().items():
            if name.endswith(("running_mean", "running_var")):
                value.copy_(torch.rand_like(value) + 0.5)
        model.eval()
        x = torch.randn(2, 3, 9, 7)
        logits = model(x)
        acc = accuracy(logits, torch.tensor([0, 1]), 2)
        converted, _ = convert_state_dict(model)
        return facts, x.numpy(), logits.detach().numpy(), acc.numpy(), converted
    finally:
        sys.path.remove(str(src))
        for key in [k for k in sys.modules if k == "zoo" or k.startswith("zoo.")]:
            del sys.modules[key]


def test_a_project_with_every_pattern_runs_without_torch_and_agrees(tmp_path):
    pytest.importorskip("paddle")
    import numpy as np

    src = make_tree(tmp_path / "src", PACKAGE)
    report = convert_tree(src / "zoo", tmp_path / "out" / "zoo", jobs=1)
    assert not report.errors and report.counts()["modules_importing_torch"] == 0
    assert not [u for f in report.files for u in f.unsupported], "every pattern converts"
    facts, x, logits, acc, weights = _torch_side(src)
    np.savez(tmp_path / "data.npz", x=x, logits=logits, acc=acc, **{"w_" + k: v for k, v in weights.items()})
    code = DRIVER.replace("FRAMEWORK_MODULES(model)", "model.named_sublayers(include_self=True)")
    code = code.replace("from zoo.model import accuracy, dtype_of, statistics, widths",
                        "from zoo.model import accuracy, dtype_of, statistics, widths\nimport paddle")
    code += f"""
data = np.load({str(tmp_path / "data.npz")!r})
model = build(3)
model.set_state_dict({{k[2:]: paddle.to_tensor(data[k]) for k in data.files if k.startswith("w_")}})
model.eval()
logits = model(paddle.to_tensor(data["x"])).numpy()
print(float(np.abs(logits - data["logits"]).max()))
acc = accuracy(paddle.to_tensor(logits), paddle.to_tensor([0, 1]), 2).numpy()
print(float(np.abs(acc - data["acc"]).max()))
"""
    done = run_without_torch(tmp_path / "out", code)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    paddle_facts = json.loads(lines[0])
    torch_modes = [[name, flag] for name, flag in facts.pop("modes")]
    paddle_modes = paddle_facts.pop("modes")
    assert [flag for _, flag in paddle_modes] == [flag for _, flag in torch_modes]  # frozen BN: False in both
    assert paddle_facts == facts
    assert float(lines[1]) < 1e-5 and float(lines[2]) == 0.0
