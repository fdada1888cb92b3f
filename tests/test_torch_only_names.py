"""torch.Tensor names Paddle's Tensor lacks are marked on a receiver that may be a tensor, never passed
through silently; receivers known not to be tensors (numpy arrays, plain objects, layers) keep them."""

from __future__ import annotations

import pytest

from torch2paddle import convert_source
from torch2paddle.tables import torch_only_tensor_methods, torch_only_tensor_names

NAMES = sorted(torch_only_tensor_names())
METHODS = torch_only_tensor_methods()


def _generator():
    """tools/torch_only_tensor_names.py, loaded as a module (it imports torch and paddle when run)."""
    pytest.importorskip("torch")
    pytest.importorskip("paddle")
    import importlib.util
    from pathlib import Path

    tool = Path(__file__).resolve().parent.parent / "tools" / "torch_only_tensor_names.py"
    spec = importlib.util.spec_from_file_location("torch_only_tool", tool)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_list_is_what_torch_and_paddle_say():
    listed = sorted(n + "()" if n in METHODS else n for n in NAMES)
    assert listed == _generator().torch_only_names(), "regenerate: python tools/torch_only_tensor_names.py"
    assert {"xpu", "addcmul_", "det"} <= METHODS and not {"H", "mH", "is_cpu"} & METHODS
    assert {"addcmul_", "eq_", "aminmax", "det", "H", "mH", "is_cpu", "ger", "igamma"} <= set(NAMES)
    assert not {"items", "index", "put", "resize", "shape"} & set(NAMES)  # Python's / numpy's names too


@pytest.mark.parametrize("name", NAMES)
def test_each_name_on_a_tensor_is_marked(name):
    code = f"import torch\n\n\ndef f(x: torch.Tensor, y):\n    return x.{name}(y), y.{name}\n"
    result = convert_source(code, "f.py")
    converted = {u.api for u in result.uses if u.converted}
    if f"torch.Tensor.{name}" in converted:
        return  # a table entry converts it
    # a method's call is marked; reading a property, too; reading a method's name (args.xpu) is no tensor use
    expected = 1 if name in METHODS else 2
    assert [u.api for u in result.unsupported].count(f"torch.Tensor.{name}") == expected, result.code


def test_a_flag_named_like_a_tensor_method_is_no_tensor_use():
    code = "import torch\n\n\ndef f(args, y):\n    if args.xpu:\n        y = y.xpu()\n    return y\n"
    result = convert_source(code, "f.py")
    assert [(u.api, u.line) for u in result.unsupported] == [("torch.Tensor.xpu", 6)]


def test_receivers_known_not_to_be_tensors_keep_the_name():
    code = ("import numpy as np\nimport torch\n\n\nclass Plain:\n    def det(self):\n        return self.det()\n\n\n"
            "class Net(torch.nn.Module):\n    def forward(self, x):\n        return self.det(x)\n\n\n"
            "counts = np.zeros(3)\nm = counts.aminmax()\nitems = [1, 2].det\n")
    result = convert_source(code, "m.py")
    assert not result.unsupported, [u.api for u in result.unsupported]


def test_dtype_names_paddle_lacks_are_marked_on_dtypes():
    from torch2paddle.tables import torch_only_dtype_names

    assert {"itemsize", "is_floating_point", "is_signed"} <= torch_only_dtype_names()
    code = ("import torch\n\n\ndef f(x):\n    return x.dtype.itemsize, torch.float32.is_signed, x.itemsize, "
            "x.dtype\n")
    result = convert_source(code, "f.py")
    assert sorted(u.api for u in result.unsupported) == ["torch.dtype.itemsize", "torch.float32.is_signed"]
    assert convert_source(result.code, "f.py").code == result.code


def test_the_dtype_list_is_what_torch_and_paddle_say():
    from torch2paddle.tables import torch_only_dtype_names

    assert sorted(torch_only_dtype_names()) == _generator().torch_only_dtype_names()


def test_a_tensor_attribute_is_converted_where_something_is_taken_of_it():
    """``x.mH.sum(0)``: the attribute is the receiver of a method call; it was left as written (no marker) and
    failed in Paddle. A layer buffer's attribute entry (``bn.running_var.add(...)``) is not touched there:
    project classes register buffers of that name (torchvision's FrozenBatchNorm2d)."""
    code = ("import torch\n\n\ndef f(x, z, bn):\n    return x.mT.sum(0), x.mH.sum(0), z.imag.abs(), x.H.sum(), "
            "bn.running_var.add(1)\n")
    result = convert_source(code, "f.py")
    body = result.code.split("return ", 1)[1]
    assert body.startswith("x.moveaxis([-2, -1], [-1, -2]).sum(0), _torch2paddle_runtime.adjoint(x).sum(0), "
                           "paddle.imag(z).abs(), "), body
    assert "bn.running_var.add(1)" in body
    assert not result.unsupported, [u.api for u in result.unsupported]
    assert convert_source(result.code, "f.py").code == result.code
