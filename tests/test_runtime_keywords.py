"""``**kwargs`` forwarded into mapped calls: translated when the call runs by the generated
``_torch2paddle_runtime`` module (renames, no-op drops, value rewrites, a TypeError naming anything
Paddle cannot take), placed where the converted package can import it, and agreeing with torch."""

from __future__ import annotations

import sys
import textwrap

import pytest

from torch2paddle import convert_source
from torch2paddle.project import runtime_home
from torch2paddle.runtime import module_source
from torch2paddle.tree import convert_tree
from torch2paddle.convert import default_tables
from trees import make_tree, run_without_torch

BLOCKS = textwrap.dedent('''\
    import torch
    import torch.nn as nn


    class Block(nn.Module):
        def __init__(self, c, conv_kw=None, **norm_kw):
            super().__init__()
            self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False, **(conv_kw or {}))
            self.bn = nn.BatchNorm2d(c, **norm_kw)

        def forward(self, x):
            return torch.relu(self.bn(self.conv(x)))
''')
MODEL = textwrap.dedent('''\
    import torch.nn as nn
    from .sub.blocks import Block


    def make(device=None, dtype=None):
        dd = dict(device=device, dtype=dtype)
        return nn.Sequential(Block(4, conv_kw=dd, eps=1e-3, momentum=0.3, **dd), nn.Flatten(), nn.Linear(64, 2, **dd))
''')
PACKAGE = {"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/blocks.py": BLOCKS, "pkg/model.py": MODEL}


def test_the_adapter_lives_at_the_top_of_the_package_and_is_imported_relatively():
    packages = {"", "sub", "sub/deep"}
    assert runtime_home("m.py", packages) == ("_torch2paddle_runtime.py", "from . import _torch2paddle_runtime")
    assert runtime_home("sub/deep/m.py", packages)[1] == "from ... import _torch2paddle_runtime"
    assert runtime_home("scripts/train.py", packages) == ("scripts/_torch2paddle_runtime.py",
                                                          "import _torch2paddle_runtime")


def test_a_call_with_kwargs_goes_through_the_adapter_and_is_reported():
    result = convert_source(BLOCKS, "blocks.py")
    assert 'nn.BatchNorm2D(c, **_torch2paddle_runtime.kwargs("torch.nn.BatchNorm2d", norm_kw))' in result.code
    assert result.code.startswith("import _torch2paddle_runtime\n")
    assert result.runtime_apis == ("torch.nn.BatchNorm2d", "torch.nn.Conv2d")
    assert not result.unsupported


def test_the_generated_module_refuses_what_paddle_cannot_take():
    namespace: dict = {}
    tables = default_tables()
    exec(module_source([tables.apis["torch.nn.BatchNorm2d"], tables.apis["torch.nn.Conv2d"]]), namespace)
    kwargs = namespace["kwargs"]
    assert kwargs("torch.nn.BatchNorm2d", {"eps": 1e-3, "momentum": 0.3, "device": None, "affine": True}) == {
        "epsilon": 1e-3, "momentum": pytest.approx(0.7)}
    assert kwargs("torch.nn.BatchNorm2d", {"track_running_stats": False}) == {"use_global_stats": False}
    for bad in ({"momentum": None}, {"affine": False}, {"dtype": "float64"}):
        with pytest.raises(TypeError, match=next(iter(bad))):
            kwargs("torch.nn.BatchNorm2d", bad)
    # the device is dropped (Paddle places layers by its default device, as the converted creation calls do)
    assert kwargs("torch.nn.BatchNorm2d", {"device": "cuda", "dtype": None}) == {}
    assert kwargs("torch.nn.Conv2d", {"bias": True, "padding_mode": "zeros"}) == {"bias_attr": True,
                                                                                "padding_mode": "zeros"}


def test_converted_package_runs_without_torch_and_agrees(tmp_path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("paddle")
    import numpy as np

    src = make_tree(tmp_path / "src", PACKAGE)
    report = convert_tree(src / "pkg", tmp_path / "out" / "pkg", jobs=1)
    assert not report.errors and not any(f.unsupported for f in report.files)
    assert report.counts()["runtime_keyword_uses"] == 3
    assert (tmp_path / "out" / "pkg" / "_torch2paddle_runtime.py").is_file()
    assert "import torch" not in (tmp_path / "out" / "pkg" / "_torch2paddle_runtime.py").read_text()

    sys.path.insert(0, str(src))
    try:
        from pkg.model import make

        torch.manual_seed(0)
        net = make()
        x = torch.randn(2, 4, 4, 4)
        net.train()
        train_out = net(x).detach().numpy()  # one train-mode step: running stats move by torch's momentum
        state = {k: v.detach().numpy() for k, v in net.state_dict().items() if "num_batches" not in k}
        net.eval()
        eval_out = net(x).detach().numpy()
    finally:
        sys.path.remove(str(src))
        for key in [k for k in sys.modules if k == "pkg" or k.startswith("pkg.")]:
            del sys.modules[key]
    np.savez(tmp_path / "ref.npz", x=x.numpy(), train_out=train_out, eval_out=eval_out,
             **{k.replace(".", "__"): v for k, v in state.items()})
    done = run_without_torch(tmp_path / "out", f"""
        import numpy as np, paddle
        from pkg.model import make
        ref = np.load({str(tmp_path / "ref.npz")!r})
        net = make()
        names = {{"running_mean": "_mean", "running_var": "_variance"}}
        state = {{}}
        for key, value in net.state_dict().items():
            head, _, last = key.rpartition(".")
            torch_key = (head + "." + {{v: k for k, v in names.items()}}.get(last, last)).replace(".", "__")
            value = ref[torch_key]
            state[key] = paddle.to_tensor(value.T if key.endswith("2.weight") else value)
        net.set_state_dict(state)
        # train mode normalises with batch statistics, so the output matches whatever the running ones hold
        net.train()
        out = net(paddle.to_tensor(ref["x"])).numpy()
        bn = net[0].bn
        print(float(bn._epsilon), float(bn._momentum))
        assert abs(bn._epsilon - 1e-3) < 1e-12 and abs(bn._momentum - 0.7) < 1e-9
        assert np.allclose(out, ref["train_out"], atol=1e-5), np.abs(out - ref["train_out"]).max()
    """)
    assert done.returncode == 0, done.stdout + done.stderr


FACTORY = textwrap.dedent('''\
    from typing import Callable, Optional

    import torch.nn as nn


    class Block(nn.Module):
        def __init__(self, c: int, activation_layer: Callable[..., nn.Module],
                     norm_layer: Optional[Callable[..., nn.Module]] = None):
            super().__init__()
            self.act = activation_layer(inplace=True)
            self.norm = norm_layer(c, momentum=0.3) if norm_layer is not None else nn.Identity()

        def forward(self, x):
            return self.act(self.norm(x))


    class Swish(nn.Module):  # a project class: takes torch's keywords itself
        def __init__(self, inplace=False):
            super().__init__()
            self.inplace = inplace

        def forward(self, x):
            return x * x.sigmoid()


    def relu_block(c):
        activation, norm = nn.ReLU, nn.BatchNorm2d
        return Block(c, activation, norm)


    def positional(layer: Callable[..., nn.Module]):
        return layer(3, 1e-3)
''')


def test_a_layer_factory_parameter_gets_its_keywords_translated_when_the_call_runs(tmp_path):
    """``activation_layer(inplace=True)`` where the parameter is annotated ``Callable[..., nn.Module]``: Paddle's
    ReLU takes no ``inplace`` and BatchNorm's momentum is 1 - torch's; a project class gets them unchanged, and a
    Paddle class the module cannot translate for raises instead of taking torch's keywords unchecked."""
    result = convert_source(FACTORY, "blocks.py")
    assert 'activation_layer(**_torch2paddle_runtime.kwargs_for(activation_layer, {"inplace": True}))' in result.code
    assert not result.unsupported and result.runtime_apis == ("<layer factories>", "torch.nn.BatchNorm2d", "torch.nn.ReLU")
    src = make_tree(tmp_path / "src", {"pkg/__init__.py": "", "pkg/blocks.py": FACTORY})
    convert_tree(src, tmp_path / "out", jobs=1)
    done = run_without_torch(tmp_path / "out", """
        import paddle
        from pkg.blocks import Block, Swish, relu_block
        block = relu_block(3)
        print(type(block.act).__name__, round(float(block.norm._momentum), 2))
        print(Block(3, Swish).act.inplace)
        try:
            Block(3, paddle.nn.Hardswish)
        except TypeError as exc:
            print("refused:", "inplace" in str(exc))
        from pkg.blocks import positional
        print(positional(lambda *args: "project %s %s" % args))
        try:
            positional(paddle.nn.BatchNorm2D)  # torch's (features, eps, momentum) are Paddle's (features, momentum, ...)
        except TypeError as exc:
            print("refused:", "by keyword" in str(exc))
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == ["ReLU 0.7", "True", "refused: True", "project 3 0.001", "refused: True", ""]


def test_layers_written_in_paddle_ops_are_in_the_generated_module_only_where_used():
    """``_torch2paddle_runtime.MultiheadAttention`` (torch's layer in Paddle ops, torch2paddle/runtime_layers.py)
    is written into the module when a file uses it; the module imports without Paddle (the class is built on
    first use), and **kwargs for it are translated like any layer's."""
    import types

    tables = default_tables()
    plain = module_source([tables.apis["torch.nn.Conv2d"]])
    assert "_build_multihead_attention" not in plain and "\ndef __getattr__" not in plain
    result = convert_source("import torch.nn as nn\nattn = nn.MultiheadAttention(8, 2, batch_first=True)\n")
    assert result.code == ("import _torch2paddle_runtime\n"
                           "attn = _torch2paddle_runtime.MultiheadAttention(8, 2, batch_first=True)\n")
    # every entry targeting the run-time module comes along (convert.runtime_target_entries), the datasets too
    assert {"torch.nn.MultiheadAttention", "torch.nn.functional.multi_head_attention_forward"} <= set(result.runtime_apis)
    module = types.ModuleType("_t2p_runtime_with_layers")
    exec(compile(module_source([e for e in tables.entries() if e.name in result.runtime_apis]), "rt.py", "exec"),
         module.__dict__)
    assert "MultiheadAttention" not in vars(module)  # not built yet: nothing imported paddle
    assert module.kwargs("torch.nn.MultiheadAttention", {"batch_first": True, "device": None}) == {
        "batch_first": True}
    with pytest.raises(TypeError, match="dtype"):
        module.kwargs("torch.nn.MultiheadAttention", {"dtype": "float64"})
    pytest.importorskip("paddle")
    sys.modules[module.__name__] = module
    try:
        cls = module.MultiheadAttention
        assert module.MultiheadAttention is cls and cls.__module__ == module.__name__
        assert module.kwargs_for(cls, {"dropout": 0.0, "dtype": None}) == {"dropout": 0.0}
        layer = cls(8, 2, **module.kwargs("torch.nn.MultiheadAttention", {"bias": False, "device": None}))
        assert sorted(layer.state_dict()) == ["in_proj_weight", "out_proj.weight"]
    finally:
        del sys.modules[module.__name__]


def test_a_layer_factory_gets_the_layer_classes_other_modules_pass(tmp_path):
    """``norm_layer: Optional[Type[nn.Module]]`` called with ``**dd`` in one module, given ``nn.BatchNorm2d`` by
    another: the package's run-time module translates the keywords for every torch layer class the package
    uses as a value (device/dtype None dropped, momentum 1 - m)."""
    blocks = textwrap.dedent('''\
        from typing import Optional, Type
        import torch.nn as nn


        class Block(nn.Module):
            def __init__(self, c: int, norm_layer: Optional[Type[nn.Module]] = None, device=None, dtype=None):
                super().__init__()
                dd = {"device": device, "dtype": dtype}
                self.bn = norm_layer(c, momentum=0.3, **dd)
    ''')
    model = "import torch.nn as nn\nfrom .blocks import Block\n\n\ndef make():\n    return Block(4, norm_layer=nn.BatchNorm2d)\n"
    src = make_tree(tmp_path / "src", {"pkg/__init__.py": "", "pkg/blocks.py": blocks, "pkg/model.py": model})
    report = convert_tree(src / "pkg", tmp_path / "out" / "pkg", jobs=2)
    assert not any(f.unsupported for f in report.files)
    done = run_without_torch(tmp_path / "out", """
        from pkg.model import make
        bn = make().bn
        print(type(bn).__name__, round(float(bn._momentum), 2))
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == ["BatchNorm2D 0.7", ""]


CHOSEN_BY_NAME = '''\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, rnn_type, act):
        super().__init__()
        self.rnn = getattr(nn, rnn_type)(4, 3, 2, dropout=0.0)  # torch's default batch_first=False
        self.act = getattr(nn, act)()

    def forward(self, x, fn):
        y, state = self.rnn(x)
        state = state[0] if isinstance(state, tuple) else state  # [layers, batch, hidden]: tells time-major apart
        return getattr(F, fn)(self.act(y)), state


def shapes():
    x = torch.ones(5, 2, 4)  # sequence-first
    return [[tuple(t.shape) for t in Net(kind, act)(x, fn)] for kind, act, fn in
            (("LSTM", "Tanh", "relu"), ("GRU", "ReLU", "gelu"), ("RNN", "Sigmoid", "silu"))]


def refused():
    try:
        getattr(nn, "LSTM")(4, 3, proj_size=2)  # a keyword Paddle cannot take: raises, naming it
    except Exception as exc:
        return type(exc).__name__
'''


def test_a_torch_class_chosen_by_name_takes_torchs_arguments(tmp_path):
    """getattr(nn, rnn_type)(...) (the word-language-model example): the run-time torch_attr translates the
    call for the class the name holds; run with torch blocked, the shapes are torch's (time_major written)."""
    from torch2paddle.tree import convert_tree
    from trees import make_tree, run_without_torch

    pytest.importorskip("paddle")
    result = convert_source(CHOSEN_BY_NAME, "net.py")
    assert "_torch2paddle_runtime.torch_attr(nn, rnn_type, 'torch.nn')(4, 3, 2, dropout=0.0)" in result.code
    assert not result.unsupported
    namespace: dict = {}
    exec(compile(CHOSEN_BY_NAME, "net.py", "exec"), namespace)
    expected = namespace["shapes"]()
    src = make_tree(tmp_path / "src", {"net.py": CHOSEN_BY_NAME})
    convert_tree(src, tmp_path / "out", jobs=1)
    done = run_without_torch(tmp_path / "out", "import net\nprint(net.shapes())\nprint(net.refused())\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == [str(expected), "TypeError"]


def test_star_args_where_paddle_positions_differ_are_bound_when_the_call_runs(tmp_path):
    pytest.importorskip("paddle")
    source = textwrap.dedent('''\
        import torch.nn as nn

        def norm(*args):
            return nn.BatchNorm2d(*args)

        def linear(*args):
            return nn.Linear(*args)

        def conv(c, *args, **kwargs):
            return nn.Conv2d(c, *args, **kwargs)
    ''')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "layers.py").write_text(source)
    report = convert_tree(tmp_path / "src", tmp_path / "out", jobs=1)
    assert not report.errors
    unsupported = [u for f in report.files for u in f.unsupported]
    # `*args` together with `**kwargs` stays refused: which keyword holds what is unknown until it runs
    assert [(u.api, u.reason) for u in unsupported] == [
        ("torch.nn.Conv2d", "*args with **kwargs cannot be matched to parameters whose positions differ")]
    done = run_without_torch(tmp_path / "out", """
        from layers import linear, norm
        bn = norm(4, 1e-3, 0.3)  # torch's positions: num_features, eps, momentum
        assert (bn._epsilon, round(bn._momentum, 6)) == (1e-3, 0.7), (bn._epsilon, bn._momentum)
        try:  # affine=False, which Paddle cannot take, is refused by name as through **kwargs
            norm(4, 1e-3, 0.3, False)
        except TypeError as exc:
            assert "affine=False" in str(exc), exc
        else:
            raise AssertionError("affine=False was accepted")
        fc = linear(3, 4, False)  # torch's positions: in_features, out_features, bias
        assert (list(fc.weight.shape), fc.bias) == ([3, 4], None), (fc.weight.shape, fc.bias)
        try:
            linear(3, 4, True, None, None, None)
        except TypeError as exc:
            assert "at most 5 positional arguments (6 given)" in str(exc), exc
        else:
            raise AssertionError("too many positional arguments were accepted")
        print("ok")
    """)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr
