"""A refusal costs only the code path that holds it: a module whose functions keep a refused torch use
still imports, and runs, with torch blocked; only calling that function needs torch.  A refusal that runs
at import time (a bare module- or class-level call) keeps the module-level import, and the report counts the
module; import-time values, decorators and module-level branches holding one cost only their own use."""

from __future__ import annotations

import json

import pytest

from torch2paddle import convert_source
from torch2paddle.tree import convert_tree
from trees import make_tree, run_without_torch

pytest.importorskip("paddle")


MODEL = '''\
"""A model module with one exotic helper."""
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return torch.relu(self.fc(x))

    def quantized(self, x):
        """Only this path needs torch."""
        return torch.quantize_per_tensor(x, 0.1, 0, torch.quint8)


def helper(x): return torch.quantize_per_tensor(x, 0.1, 0, torch.quint8)
'''

IMPORT_TIME = '''\
import torch
import torch.nn as nn


class Weird(nn.Module):
    torch.quantize_per_tensor(torch.ones(2), 0.1, 0, torch.quint8)  # a class body runs at import

    def forward(self, x):
        return x
'''


def test_a_module_with_a_refused_function_imports_and_runs_without_torch(tmp_path):
    src = make_tree(tmp_path / "src", {"pkg/__init__.py": "", "pkg/model.py": MODEL})
    report = convert_tree(src, tmp_path / "out", jobs=1)
    entry = next(f for f in report.files if f.path == "pkg/model.py")
    assert len(entry.unsupported) == 4 and entry.torch_at_import == ()
    assert report.counts()["modules_importing_torch"] == 0
    done = run_without_torch(tmp_path / "out", """
        import paddle
        from pkg.model import Net, helper
        net = Net()
        y = net(paddle.ones([3, 4]))
        assert y.shape == [3, 2]
        try:
            net.quantized(y)
        except ImportError as exc:
            print("refused path:", exc)
        else:
            raise SystemExit("the refused path ran without torch")
    """)
    assert done.returncode == 0, done.stderr
    assert "refused path: torch is blocked (torch)" in done.stdout


def test_a_refusal_at_import_time_keeps_the_module_import_and_is_counted(tmp_path, capsys):
    result = convert_source(IMPORT_TIME, "weird.py")
    assert result.code.startswith("import torch\n") and result.torch_at_import == ("torch",)
    src = make_tree(tmp_path / "src", {"weird.py": IMPORT_TIME, "fine.py": MODEL})
    from torch2paddle.cli import main

    assert main(["convert", str(src), str(tmp_path / "out"), "--report", str(tmp_path / "r.json")]) == 0
    text = capsys.readouterr().out
    assert "needs torch weird.py: a refused use runs at import time" in text
    assert "needs torch fine.py" not in text
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["counts"]["modules_importing_torch"] == 1
    assert {f["path"]: f["torch_at_import"] for f in report["files"]} == {
        "fine.py": [], "weird.py": ["torch"], "_torch2paddle_runtime.py": []}


def test_decorators_and_defaults_belong_to_the_enclosing_scope():
    code = ("import torch\n\n\n@torch.quantize_per_tensor\ndef f(x, q=torch.quint8):\n"
            "    return x\n")
    result = convert_source(code, "d.py")
    # evaluated at import: a placeholder decorator (calling f raises), not an import inside f
    assert result.code.startswith("import _torch2paddle_runtime\n") and result.torch_at_import == ()
    assert '@_torch2paddle_runtime.unsupported_decorator("torch.quantize_per_tensor", ' in result.code
    assert "    import torch" not in result.code
    # a refused name evaluated at import time as a value (a default): a placeholder that raises when used
    assert 'q=_torch2paddle_runtime.unsupported("torch.quint8", ' in result.code


def test_a_refused_name_in_a_module_level_registry_is_a_placeholder(tmp_path):
    code = ("import torch\nimport torch.nn as nn\n\n"
            "LAYERS = {\"bn\": nn.BatchNorm2d, \"quant\": torch.quantize_per_tensor}\n\n"
            "def make(name, c):\n    return LAYERS[name](c)\n")
    src = make_tree(tmp_path / "src", {"pkg/__init__.py": "", "pkg/registry.py": code})
    report = convert_tree(src / "pkg", tmp_path / "out" / "pkg", jobs=1)
    assert report.counts()["modules_importing_torch"] == 0
    done = run_without_torch(tmp_path / "out", """
        from pkg.registry import make
        assert type(make("bn", 4)).__name__ == "BatchNorm2D"
        try:
            make("quant", 4)
        except NotImplementedError as exc:
            print("refused:", exc)
    """)
    assert done.returncode == 0, done.stderr
    assert "refused: torch.quantize_per_tensor has no Paddle counterpart" in done.stdout


IMPORT_TIME_VALUES = '''\
import torch
import torch.onnx.symbolic_helper

SPECIAL = torch.quantize_per_tensor(torch.ones(2), 0.1, 0, torch.quint8)  # a value: a placeholder
KEYS: tuple = (torch._C.DispatchKeySet(torch._C.DispatchKey.AutocastCPU),)
NEW_TORCH = int(torch.__version__[0]) >= 2  # computed with a refused name: the whole value is a placeholder
REGISTRY = {"relu": torch.nn.ReLU, "q": torch.quint8}  # an item: only that item is one
NAMED = dict(relu=torch.nn.ReLU, q=torch.quint8)  # carried by a call: only that argument is one


@torch.onnx.symbolic_helper.parse_args("v", "f")
def symbolic(g, x, scale):
    return g.op("Mul", x, scale)


def _has_ops():
    return False


if _has_ops():
    torch.ops.load_library("ops.so")  # only this branch needs torch
else:
    LOADED = False


class Layer(torch.nn.Module):
    @torch.onnx.symbolic_helper.parse_args("v")
    def export_rule(self, g):
        return g

    def forward(self, x):
        return torch.relu(x)
'''


def test_import_time_values_decorators_and_branches_cost_only_their_use(tmp_path):
    result = convert_source(IMPORT_TIME_VALUES, "lib.py")
    assert result.torch_at_import == () and not result.code.startswith("import torch")
    assert len(result.unsupported) >= 5
    assert 'SPECIAL = _torch2paddle_runtime.unsupported("torch.quantize_per_tensor", ' in result.code
    assert '@_torch2paddle_runtime.unsupported_decorator("torch.onnx.symbolic_helper.parse_args", ' in result.code
    assert "if _has_ops():\n    import torch  # torch2paddle" in result.code
    assert convert_source(result.code, "lib.py").code == result.code  # converting twice changes nothing
    src = make_tree(tmp_path / "src", {"lib.py": IMPORT_TIME_VALUES})
    report = convert_tree(src, tmp_path / "out", jobs=1)
    assert report.counts()["modules_importing_torch"] == 0
    done = run_without_torch(tmp_path / "out", """
        import paddle
        import lib
        assert lib.LOADED is False and lib.symbolic.__name__ == "symbolic"
        print(lib.Layer()(paddle.to_tensor([-1.0, 2.0])).numpy().tolist())
        assert lib.REGISTRY["relu"] is paddle.nn.ReLU and lib.NAMED["relu"] is paddle.nn.ReLU
        for use in (lambda: lib.SPECIAL.dequantize(), lambda: lib.symbolic(None, 1, 2),
                    lambda: lib.Layer().export_rule(None), lambda: 1 if lib.NEW_TORCH else 0):
            try:
                use()
            except NotImplementedError as exc:
                print("refused:", str(exc).split(" has no")[0])
            else:
                raise SystemExit("a refused use ran")
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == [
        "[0.0, 2.0]", "refused: torch.quantize_per_tensor", "refused: torch.onnx.symbolic_helper.parse_args",
        "refused: torch.onnx.symbolic_helper.parse_args", "refused: torch.__version__", ""]


SCRIPT_FLAGS = '''\
import argparse
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--mps", action="store_true")
args = parser.parse_args([])
use_mps = args.mps and torch.xpu.is_available()  # the refused call runs only with --mps
names = sorted(torch.quantize_per_tensor_dynamic(x) for x in [])  # computed at import: the whole value
'''


def test_a_refused_call_on_a_path_the_value_may_not_take_stays_local(tmp_path):
    result = convert_source(SCRIPT_FLAGS, "script.py")
    assert result.torch_at_import == ()
    assert 'use_mps = args.mps and _torch2paddle_runtime.unsupported("torch.xpu.is_available", ' in result.code
    assert 'names = _torch2paddle_runtime.unsupported("torch.quantize_per_tensor_dynamic", ' in result.code
    assert convert_source(result.code, "script.py").code == result.code
    src = make_tree(tmp_path / "src", {"script.py": SCRIPT_FLAGS})
    convert_tree(src, tmp_path / "out", jobs=1)
    done = run_without_torch(tmp_path / "out", """
        import script
        assert script.use_mps is False
        for use in (lambda: list(script.names), lambda: len(script.names), lambda: "a" in script.names,
                    lambda: ", ".join(script.names)):
            try:  # a placeholder is never iterated silently (its __getitem__ would go on for ever)
                use()
            except NotImplementedError as exc:
                print("refused:", str(exc).split(" has no")[0])
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == ["refused: torch.quantize_per_tensor_dynamic"] * 4 + [""]
