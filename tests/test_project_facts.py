"""Whole-project conversion: names crossing modules resolve as direct uses do, re-exports are kept under
their names, and the converted package runs with torch blocked and agrees with torch."""

from __future__ import annotations

import sys
import textwrap

import pytest

from torch2paddle import convert_source
from torch2paddle.convert import default_tables, torch_roots_of
from torch2paddle.project import ModuleFacts, scan_project
from torch2paddle.tree import convert_tree
from trees import make_tree, run_without_torch

PACKAGE = {
    "pkg/__init__.py": "from .model import Net\nfrom torch.nn import ReLU\n",
    # re-exports the module does not use itself
    "pkg/layers.py": "from torch.nn import Conv2d, BatchNorm2d\nimport torch.nn.functional as F\n",
    # a module-level alias, and __all__ naming a torch import
    "pkg/common.py": "import torch\nnn = torch.nn\n__all__ = ['nn', 'Tensor']\nfrom torch import Tensor\n",
    "pkg/stars.py": "from .layers import *\n",
    "pkg/model.py": textwrap.dedent("""\
        import torch
        from .layers import Conv2d, BatchNorm2d, F
        from .common import nn
        from .stars import Conv2d as StarConv
        from pkg.layers import BatchNorm2d as AbsoluteBN


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.c = Conv2d(3, 4, 3)
                self.b = BatchNorm2d(4, momentum=0.1)  # torch's momentum: Paddle's is 1 - m
                self.s = StarConv(4, 4, 1, bias=False)
                self.n = AbsoluteBN(4, eps=1e-3)

            def forward(self, x):
                return F.relu(self.n(self.s(self.b(self.c(x)))), inplace=True)
    """),
}


def test_facts_follow_reexports_aliases_stars_and_all(tmp_path):
    src = make_tree(tmp_path, PACKAGE)
    facts = scan_project([(rel, src / rel) for rel in PACKAGE], torch_roots_of(default_tables()))
    model = facts["pkg/model.py"]
    assert model.imported == {"Conv2d": "torch.nn.Conv2d", "BatchNorm2d": "torch.nn.BatchNorm2d",
                              "F": "torch.nn.functional", "nn": "torch.nn", "StarConv": "torch.nn.Conv2d",
                              "AbsoluteBN": "torch.nn.BatchNorm2d"}
    assert facts["pkg/layers.py"].reexported == {"Conv2d", "BatchNorm2d", "F"}
    assert facts["pkg/common.py"].reexported == {"nn", "Tensor"}
    assert facts["pkg/__init__.py"].reexported == {"ReLU"}


def test_a_reexporting_module_keeps_its_names():
    code = "from torch.nn import Conv2d, BatchNorm2d\nimport torch.nn.functional as F\n"
    alone = convert_source(code, "layers.py").code  # a file converted alone: today's behaviour
    assert alone.strip() == ""
    kept = convert_source(code, "layers.py", project=ModuleFacts({}, frozenset({"Conv2d", "BatchNorm2d", "F"})))
    assert kept.code == ("from paddle.nn import Conv2D as Conv2d, BatchNorm2D as BatchNorm2d\n"
                         "import paddle.nn.functional as F\n")


def test_uses_through_project_names_convert_like_direct_uses():
    facts = ModuleFacts({"BatchNorm2d": "torch.nn.BatchNorm2d", "F": "torch.nn.functional"}, frozenset())
    code = "from .layers import BatchNorm2d, F\nb = BatchNorm2d(4, momentum=0.1)\ny = F.relu(b, inplace=True)\n"
    out = convert_source(code, "m.py", project=facts).code
    assert out == "from .layers import BatchNorm2d, F\nb = BatchNorm2d(4, momentum=0.9)\ny = F.relu(b)\n"


def test_the_converted_package_runs_without_torch_and_agrees(tmp_path):
    pytest.importorskip("paddle")
    torch = pytest.importorskip("torch")
    src = make_tree(tmp_path / "src", PACKAGE)
    report = convert_tree(src / "pkg", tmp_path / "out" / "pkg", jobs=1)
    assert not report.errors and not any(f.unsupported for f in report.files)
    assert report.counts()["modules_importing_torch"] == 0

    sys.path.insert(0, str(src))
    try:
        from pkg import Net

        torch.manual_seed(0)
        net = Net().eval()
        for name, tensor in net.state_dict().items():  # BatchNorm statistics away from 0/1
            if name.endswith(("running_mean", "running_var")):
                tensor.copy_(torch.rand_like(tensor) + 0.5)
        x = torch.randn(2, 3, 8, 8)
        expected = net(x).detach().numpy()
        state = {k: v.numpy() for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}
    finally:
        sys.path.remove(str(src))
        for key in [k for k in sys.modules if k == "pkg" or k.startswith("pkg.")]:
            del sys.modules[key]
    import numpy as np

    np.savez(tmp_path / "state.npz", x=x.numpy(), expected=expected, **state)
    done = run_without_torch(tmp_path / "out", f"""
        import numpy as np, paddle
        from pkg import Net
        data = np.load({str(tmp_path / "state.npz")!r})
        net = Net()
        renames = {{"running_mean": "_mean", "running_var": "_variance"}}
        state = {{}}
        for key in data.files:
            if key in ("x", "expected"):
                continue
            head, _, last = key.rpartition(".")
            state[head + "." + renames.get(last, last)] = paddle.to_tensor(data[key])
        missing, unexpected = net.set_state_dict(state)
        assert not missing and not unexpected, (missing, unexpected)
        net.eval()
        y = net(paddle.to_tensor(data["x"])).numpy()
        print("max diff", float(np.abs(y - data["expected"]).max()))
        assert np.allclose(y, data["expected"], atol=1e-5), float(np.abs(y - data["expected"]).max())
    """)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_vendored_library_imports_itself_not_paddle(tmp_path):
    """A project that ships its own `torchvision` (a fork, a vendored copy): its self-imports are its own
    code; only its uses of torch are converted."""
    src = make_tree(tmp_path / "torchvision", {
        "__init__.py": "from torchvision import models\nfrom . import ops\n",
        "models.py": "import torch\nfrom torchvision.ops import helper\n\ndef build():\n    return helper(torch.nn.ReLU())\n",
        "ops.py": "def helper(layer):\n    return layer\n",
    })
    report = convert_tree(src, tmp_path / "out" / "torchvision", jobs=1)
    assert not any(f.unsupported for f in report.files)
    out = tmp_path / "out" / "torchvision"
    assert (out / "__init__.py").read_text() == (src / "__init__.py").read_text()
    assert (out / "models.py").read_text() == (
        "import paddle\nfrom torchvision.ops import helper\n\ndef build():\n    return helper(paddle.nn.ReLU())\n")


def test_project_layer_subclasses_take_the_layers_arguments(tmp_path):
    """timm's `class Linear(nn.Linear)` (no __init__ of its own) called with torch's keywords elsewhere."""
    src = make_tree(tmp_path / "src", {
        "pkg/__init__.py": "",
        "pkg/linear.py": "import torch.nn as nn\n\n\nclass Linear(nn.Linear):\n    pass\n",
        "pkg/head.py": ("from .linear import Linear\n\n\nclass Head(Linear):\n    pass\n\n\n"
                        "def make(device=None, dtype=None):\n    dd = dict(device=device, dtype=dtype)\n"
                        "    return Linear(4, 2, bias=False, **dd), Head(4, 3, **dd)\n"),
    })
    facts = scan_project([(r, p) for r, p in ((p.relative_to(src / "pkg").as_posix(), p)
                                             for p in (src / "pkg").rglob("*.py"))], torch_roots_of(default_tables()))
    assert dict(facts["head.py"].layer_calls) == {"Linear": "torch.nn.Linear", "Head": "torch.nn.Linear"}
    report = convert_tree(src / "pkg", tmp_path / "out" / "pkg", jobs=1)
    assert not report.errors and not any(f.unsupported for f in report.files)
    text = (tmp_path / "out" / "pkg" / "head.py").read_text()
    assert 'Linear(4, 2, bias_attr=False, **_torch2paddle_runtime.kwargs("torch.nn.Linear", dd))' in text
    pytest.importorskip("paddle")
    done = run_without_torch(tmp_path / "out", """
        from pkg.head import make
        fc, head = make()
        assert fc.bias is None and list(fc.weight.shape) == [4, 2] and list(head.weight.shape) == [4, 3]
    """)
    assert done.returncode == 0, done.stderr


WEIGHT_PARAM = {
    "pkg/__init__.py": "from .attention import Attention\n",
    "pkg/attention.py": textwrap.dedent('''\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        def project(x, weight, bias=None):
            """Called only below, always with a Linear's own weight: that layout is Paddle's after conversion."""
            return F.linear(x, weight, bias)


        class Attention(nn.Module):
            def __init__(self, dim):
                super().__init__()
                self.qkv = nn.Linear(dim, 3 * dim)
                self.proj = nn.Linear(3 * dim, dim, bias=False)

            def forward(self, x):
                return project(project(x, self.qkv.weight, self.qkv.bias), weight=self.proj.weight)
    '''),
}


def test_a_weight_parameter_every_caller_fills_with_a_linear_weight_converts(tmp_path):
    """F.linear(x, weight) in a function whose every call (this file only: no other module imports it) passes a
    converted nn.Linear's own weight: Paddle's layout, converted as it is; aligned against torch."""
    pytest.importorskip("paddle")
    torch = pytest.importorskip("torch")
    import numpy as np

    src = make_tree(tmp_path / "src", WEIGHT_PARAM)
    report = convert_tree(src / "pkg", tmp_path / "out" / "pkg", jobs=1)
    assert not any(f.unsupported for f in report.files), [u.reason for f in report.files for u in f.unsupported]
    # alone (no project facts), or once another module imports the function, its callers are unknown: refused
    alone = convert_source(WEIGHT_PARAM["pkg/attention.py"], "attention.py")
    assert [u.api for u in alone.unsupported] == ["torch.nn.functional.linear"]
    other = make_tree(tmp_path / "other", {**WEIGHT_PARAM, "pkg/use.py": "from .attention import project\n"})
    report2 = convert_tree(other / "pkg", tmp_path / "out2" / "pkg", jobs=1)
    assert [u.api for f in report2.files for u in f.unsupported] == ["torch.nn.functional.linear"]

    sys.path.insert(0, str(src))
    try:
        from pkg import Attention

        torch.manual_seed(0)
        layer = Attention(4).eval()
        x = torch.randn(2, 4)
        expected = layer(x).detach().numpy()
        state = {k: v.numpy() for k, v in layer.state_dict().items()}
    finally:
        sys.path.remove(str(src))
        for key in [k for k in sys.modules if k == "pkg" or k.startswith("pkg.")]:
            del sys.modules[key]
    np.savez(tmp_path / "w.npz", x=x.numpy(), expected=expected, **state)
    done = run_without_torch(tmp_path / "out", f"""
        import numpy as np, paddle
        from pkg import Attention
        data = np.load({str(tmp_path / "w.npz")!r})
        layer = Attention(4)
        layer.set_state_dict({{k: paddle.to_tensor(data[k].T if k.endswith("weight") else data[k])
                               for k in data.files if k not in ("x", "expected")}})
        y = layer(paddle.to_tensor(data["x"])).numpy()
        print(float(np.abs(y - data["expected"]).max()))
    """)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout.split()[-1]) < 1e-5
