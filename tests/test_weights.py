"""Tests for torch2paddle.weights (torch -> Paddle weight conversion)."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import paddle  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from torch2paddle import weights as W  # noqa: E402

paddle.set_device("cpu")

NUM_CLASSES = 5
VOCAB = 11


# --------------------------------------------------------------------------- twin models


class TorchNet(nn.Module):
    def __init__(self, num_classes=NUM_CLASSES, vocab=VOCAB, width=8):
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3, padding=1)
        self.bn = nn.BatchNorm2d(width)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(width, 16)
        self.embed = nn.Embedding(vocab, 16)
        self.norm = nn.LayerNorm(16)
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(16, num_classes))

    def forward(self, x, ids):
        h = self.flatten(self.pool(self.relu(self.bn(self.conv(x)))))
        h = self.norm(self.fc(h) + self.embed(ids).mean(1))
        return self.head(h)


class PaddleNet(paddle.nn.Layer):
    def __init__(self, num_classes=NUM_CLASSES, vocab=VOCAB, width=8):
        super().__init__()
        self.conv = paddle.nn.Conv2D(3, width, 3, padding=1)
        self.bn = paddle.nn.BatchNorm2D(width)
        self.relu = paddle.nn.ReLU()
        self.pool = paddle.nn.AdaptiveAvgPool2D(1)
        self.flatten = paddle.nn.Flatten()
        self.fc = paddle.nn.Linear(width, 16)
        self.embed = paddle.nn.Embedding(vocab, 16)
        self.norm = paddle.nn.LayerNorm(16)
        self.head = paddle.nn.Sequential(paddle.nn.ReLU(), paddle.nn.Linear(16, num_classes))

    def forward(self, x, ids):
        h = self.flatten(self.pool(self.relu(self.bn(self.conv(x)))))
        h = self.norm(self.fc(h) + self.embed(ids).mean(1))
        return self.head(h)


def make_inputs(batch=4, seed=1):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, 3, 12, 12, generator=g)
    ids = torch.randint(0, VOCAB, (batch, 6), generator=g)
    return x, ids


def torch_forward(model, x, ids):
    model.eval()
    with torch.no_grad():
        return model(x, ids).numpy()


def paddle_forward(model, x, ids):
    model.eval()
    with paddle.no_grad():
        return model(paddle.to_tensor(x.numpy()), paddle.to_tensor(ids.numpy())).numpy()


def seeded_torch_net(seed=0, **kwargs):
    torch.manual_seed(seed)
    model = TorchNet(**kwargs)
    return W.randomize_for_alignment(model, seed=seed, calibration_input=make_inputs(seed=seed + 100))


LINEAR_KEYS = ["fc.weight", "head.1.weight"]
BN_RENAMES = [("bn.running_mean", "bn._mean"), ("bn.running_var", "bn._variance")]


# --------------------------------------------------------------------------- alignment


def test_converted_weights_reproduce_torch_outputs():
    tmodel = seeded_torch_net()
    pmodel = PaddleNet()
    converted, report = W.convert_state_dict(tmodel, paddle_model=pmodel)
    assert W.load_into_paddle(pmodel, converted, report) is report

    x, ids = make_inputs(seed=7)
    expected = torch_forward(tmodel, x, ids)
    got = paddle_forward(pmodel, x, ids)
    assert got.shape == expected.shape == (4, NUM_CLASSES)
    assert np.abs(got - expected).max() < 1e-5
    # the comparison must not be vacuous: outputs of non-trivial scale that depend on the input
    assert np.abs(expected).mean() > 1e-2
    assert expected.std(axis=0).mean() > 1e-2

    # negative control: leaving the BatchNorm statistics at Paddle's defaults is detectable
    control = PaddleNet()
    partial = {k: v for k, v in converted.items() if not k.startswith("bn._")}
    control.set_state_dict({k: paddle.to_tensor(v) for k, v in partial.items()})
    assert np.abs(paddle_forward(control, x, ids) - expected).max() > 1e-3


def test_load_into_paddle_accepts_tuple_and_casts_dtype():
    tmodel = seeded_torch_net().double()
    pmodel = PaddleNet()
    result = W.convert_state_dict(tmodel)
    assert result[0]["fc.weight"].dtype == np.float64  # float dtypes are kept
    report = W.load_into_paddle(pmodel, result)
    assert report is result[1]
    assert pmodel.fc.weight.dtype == paddle.float32
    np.testing.assert_allclose(pmodel.fc.weight.numpy(), tmodel.fc.weight.detach().numpy().T, rtol=1e-6)


def test_load_into_paddle_checks_before_loading():
    tmodel = seeded_torch_net()
    pmodel = PaddleNet()
    before = pmodel.conv.weight.numpy().copy()
    converted, _ = W.convert_state_dict(tmodel)
    converted["fc.weight"] = converted["fc.weight"].T  # wrong layout
    del converted["bn._mean"]
    with pytest.raises(W.WeightConversionError) as info:
        W.load_into_paddle(pmodel, converted)
    msg = str(info.value)
    assert "fc.weight" in msg and "[8, 16]" in msg and "[16, 8]" in msg
    assert "bn._mean" in msg
    np.testing.assert_array_equal(pmodel.conv.weight.numpy(), before)  # nothing was loaded


# --------------------------------------------------------------------------- report


def test_report_lists_exactly_the_applied_rules():
    tmodel = seeded_torch_net()
    converted, report = W.convert_state_dict(tmodel, paddle_model=PaddleNet())
    assert report.transposed == LINEAR_KEYS
    assert report.renamed == BN_RENAMES
    assert report.dropped == [("bn.num_batches_tracked", W._REASON_NUM_BATCHES)]
    assert report.copied == [
        "conv.weight",
        "conv.bias",
        "bn.weight",
        "bn.bias",
        "fc.bias",
        "embed.weight",
        "norm.weight",
        "norm.bias",
        "head.1.bias",
    ]
    assert report.missing == [] and report.stripped_prefix is None
    assert set(converted) == set(PaddleNet().state_dict())
    assert "running_mean" not in "".join(converted)
    assert converted["fc.weight"].shape == (8, 16)
    np.testing.assert_array_equal(converted["fc.weight"], tmodel.fc.weight.detach().numpy().T)
    np.testing.assert_array_equal(converted["bn._variance"], tmodel.bn.running_var.numpy())
    assert converted["conv.weight"].dtype == np.float32

    summary = report.summary()
    assert "13 tensor(s) written (9 copied, 2 transposed, 2 renamed), 1 dropped" in summary
    for key in LINEAR_KEYS + ["bn.running_var -> bn._variance", "bn.num_batches_tracked", "embed.weight"]:
        assert key in summary
    data = json.loads(json.dumps(report.to_dict()))
    assert data["counts"] == {
        "written": 13,
        "renamed": 2,
        "transposed": 2,
        "dropped": 1,
        "copied": 9,
        "missing": 0,
    }
    assert data["renamed"] == [list(p) for p in BN_RENAMES]


def test_converted_arrays_do_not_alias_torch_tensors():
    tmodel = seeded_torch_net()
    converted, _ = W.convert_state_dict(tmodel)
    before = converted["conv.weight"].copy()
    with torch.no_grad():
        tmodel.conv.weight.add_(1.0)
    np.testing.assert_array_equal(converted["conv.weight"], before)


# --------------------------------------------------------------------------- type-based rules


class MyLinear(nn.Linear):
    pass


class HasMatrix(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(3, 5))


class RuleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear_like = nn.Conv1d(4, 6, 1)  # weight [6, 4, 1]: not a Linear
        self.fc = HasMatrix()  # Linear-looking name and a 2-D weight: not a Linear
        self.proj = MyLinear(4, 6)  # subclass of nn.Linear: transposed
        self.attn = nn.MultiheadAttention(8, 2)  # out_proj is NonDynamicallyQuantizableLinear
        self.prelu = nn.PReLU()


def test_rules_are_decided_by_module_type_not_key_name():
    model = RuleNet()
    converted, report = W.convert_state_dict(model)
    assert report.transposed == ["proj.weight", "attn.out_proj.weight"]
    assert "linear_like.weight" in report.copied and "fc.weight" in report.copied
    assert converted["linear_like.weight"].shape == (6, 4, 1)
    np.testing.assert_array_equal(converted["fc.weight"], model.fc.weight.detach().numpy())
    np.testing.assert_array_equal(converted["proj.weight"], model.proj.weight.detach().numpy().T)
    assert converted["proj.weight"].shape == (4, 6)
    assert converted["proj.weight"].flags["C_CONTIGUOUS"]
    # in_proj_weight belongs to MultiheadAttention itself, which is not a Linear
    assert converted["attn.in_proj_weight"].shape == (24, 8)
    assert ("prelu.weight", "prelu._weight") in report.renamed
    # PReLU's target name matches Paddle's
    assert set(paddle.nn.PReLU().state_dict()) == {"_weight"}


def test_batchnorm_subclasses_and_instancenorm_names_match_paddle():
    class Norms(nn.Module):
        def __init__(self):
            super().__init__()
            self.b1 = nn.BatchNorm1d(3)
            self.b3 = nn.BatchNorm3d(3)
            self.sync = nn.SyncBatchNorm(3)
            self.inorm = nn.InstanceNorm2d(3, affine=True)
            self.gn = nn.GroupNorm(1, 3)

    class PNorms(paddle.nn.Layer):
        def __init__(self):
            super().__init__()
            self.b1 = paddle.nn.BatchNorm1D(3)
            self.b3 = paddle.nn.BatchNorm3D(3)
            self.sync = paddle.nn.BatchNorm2D(3)
            self.inorm = paddle.nn.InstanceNorm2D(3)
            self.gn = paddle.nn.GroupNorm(1, 3)

    converted, report = W.convert_state_dict(Norms(), paddle_model=PNorms())
    assert sorted(k for k, _ in report.dropped) == [f"{n}.num_batches_tracked" for n in ("b1", "b3", "sync")]
    assert ("inorm.weight", "inorm.scale") in report.renamed
    assert report.transposed == []


# --------------------------------------------------------------------------- errors


class TorchBroken(nn.Module):
    """TorchNet's twin with three differences from PaddleNet."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 5, padding=2)  # kernel 5 vs Paddle's 3: shape mismatch
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 16)
        self.embed = nn.Embedding(VOCAB, 16)
        self.norm = nn.LayerNorm(16)
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(16, NUM_CLASSES))
        self.extra = nn.Linear(4, 4)  # Paddle has no "extra": unexpected
        # no counterpart of Paddle's ... nothing missing yet, see PaddleWithMore


class PaddleWithMore(PaddleNet):
    def __init__(self):
        super().__init__()
        self.aux = paddle.nn.Linear(2, 3)  # torch has no "aux": missing


def test_paddle_mismatches_are_all_reported_at_once():
    with pytest.raises(W.WeightConversionError) as info:
        W.convert_state_dict(TorchBroken(), paddle_model=PaddleWithMore())
    err = info.value
    msg = str(err)
    for key in ("conv.weight", "extra.weight", "extra.bias", "aux.weight", "aux.bias"):
        assert key in msg
    assert "[8, 3, 3, 3]" in msg and "[8, 3, 5, 5]" in msg
    assert set(err.unexpected) == {"extra.weight", "extra.bias"}
    assert set(err.missing) == {"aux.weight", "aux.bias"}
    assert err.mismatched == [("conv.weight", (8, 3, 3, 3), (8, 3, 5, 5))]
    assert msg.startswith("5 weight key(s) cannot be placed")


def test_state_dict_problems_are_all_reported_and_strict_false_drops():
    tmodel = seeded_torch_net()
    sd = dict(tmodel.state_dict())
    sd["stray.weight"] = torch.zeros(2)
    sd["conv.bias"] = torch.zeros(9)  # torch model has 8
    del sd["norm.weight"]
    del sd["bn.num_batches_tracked"]  # older checkpoints lack it: never an error
    with pytest.raises(W.WeightConversionError) as info:
        W.convert_state_dict(tmodel, sd)
    err = info.value
    assert err.unexpected == ["stray.weight"]
    assert err.missing == ["norm.weight"]
    assert err.mismatched == [("conv.bias", (8,), (9,))]
    assert "[8]" in str(err) and "[9]" in str(err)

    del sd["conv.bias"]
    converted, report = W.convert_state_dict(tmodel, sd, strict=False)
    assert ("stray.weight", W._REASON_NOT_IN_MODEL) in report.dropped
    assert report.missing == ["conv.bias", "norm.weight"]
    assert "stray.weight" not in converted and "norm.weight" not in converted
    assert "2 missing" in report.summary()


def test_error_is_picklable():
    import pickle

    err = W.WeightConversionError([("a", "missing: x")], missing=["a"], context="ctx")
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.missing == ["a"]


# --------------------------------------------------------------------------- prefixes / checkpoints


def test_data_parallel_prefix_is_stripped_consistently():
    tmodel = seeded_torch_net()
    plain, plain_report = W.convert_state_dict(tmodel)
    prefixed = {"module." + k: v for k, v in tmodel.state_dict().items()}
    converted, report = W.convert_state_dict(tmodel, prefixed, paddle_model=PaddleNet())
    assert report.stripped_prefix == "module."
    assert "module." in report.summary()
    assert report.transposed == plain_report.transposed == LINEAR_KEYS
    assert set(converted) == set(plain)
    for k in plain:
        np.testing.assert_array_equal(converted[k], plain[k])

    # a DataParallel-wrapped torch model is unwrapped as well
    wrapped = nn.DataParallel(tmodel)
    converted2, report2 = W.convert_state_dict(wrapped, wrapped.state_dict())
    assert report2.stripped_prefix == "module." and set(converted2) == set(plain)

    # only some keys prefixed: not stripped, reported as unexpected/missing
    mixed = dict(tmodel.state_dict())
    mixed["module.conv.weight"] = mixed.pop("conv.weight")
    with pytest.raises(W.WeightConversionError) as info:
        W.convert_state_dict(tmodel, mixed)
    assert info.value.unexpected == ["module.conv.weight"] and info.value.missing == ["conv.weight"]


def _assert_twin_matches(tmodel, pdparams_path):
    pmodel = PaddleNet()
    missing, unexpected = pmodel.set_state_dict(paddle.load(pdparams_path))
    assert not missing and not unexpected
    x, ids = make_inputs(seed=3)
    np.testing.assert_allclose(paddle_forward(pmodel, x, ids), torch_forward(tmodel, x, ids), atol=1e-5, rtol=0)


@pytest.mark.parametrize("container", [None, "model", "state_dict"])
def test_convert_checkpoint_roundtrip(tmp_path, container):
    tmodel = seeded_torch_net(seed=3)
    sd = tmodel.state_dict()
    payload = sd if container is None else {container: sd, "epoch": 7, "optimizer": {"lr": 0.1}}
    ckpt = tmp_path / "ckpt.pth"
    torch.save(payload, ckpt)
    out = tmp_path / "out" / "model.pdparams"

    report = W.convert_checkpoint(ckpt, out, TorchNet, paddle_model_factory=PaddleNet)
    assert report.source_key == container
    assert report.transposed == LINEAR_KEYS
    assert sorted(os.listdir(tmp_path / "out")) == ["model.pdparams"]  # no temp file left
    _assert_twin_matches(tmodel, str(out))


def test_convert_checkpoint_with_prefix_and_string_factories(tmp_path):
    torch.manual_seed(0)
    linear = W.randomize_for_alignment(nn.Linear(3, 4), seed=1)
    ckpt = tmp_path / "dp.pth"
    torch.save({"model": {"module." + k: v for k, v in linear.state_dict().items()}}, ckpt)
    out = tmp_path / "linear.pdparams"
    report = W.convert_checkpoint(
        str(ckpt),
        str(out),
        "torch.nn:Linear",
        {"in_features": 3, "out_features": 4},
        paddle_model_factory="paddle.nn:Linear",
    )
    assert report.stripped_prefix == "module." and report.source_key == "model"
    assert report.transposed == ["weight"]
    player = paddle.nn.Linear(3, 4)
    player.set_state_dict(paddle.load(str(out)))
    x = np.random.default_rng(0).standard_normal((2, 3)).astype("float32")
    with torch.no_grad():
        expected = linear(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(player(paddle.to_tensor(x)).numpy(), expected, atol=1e-6, rtol=0)


def test_convert_checkpoint_failure_leaves_output_untouched(tmp_path):
    ckpt = tmp_path / "bad.pth"
    sd = dict(seeded_torch_net().state_dict())
    sd["surprise"] = torch.ones(1)
    torch.save(sd, ckpt)
    out = tmp_path / "model.pdparams"
    out.write_bytes(b"previous")
    with pytest.raises(W.WeightConversionError, match="surprise"):
        W.convert_checkpoint(ckpt, out, TorchNet)
    assert out.read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == ["bad.pth", "model.pdparams"]

    # strict=False converts it, replacing the old file atomically
    report = W.convert_checkpoint(ckpt, out, TorchNet, strict=False)
    assert ("surprise", W._REASON_NOT_IN_MODEL) in report.dropped
    assert sorted(os.listdir(tmp_path)) == ["bad.pth", "model.pdparams"]
    assert set(paddle.load(str(out))) == set(PaddleNet().state_dict())


def test_atomic_write_cleans_up_when_saving_fails(tmp_path, monkeypatch):
    ckpt = tmp_path / "ok.pth"
    torch.save(seeded_torch_net().state_dict(), ckpt)
    out = tmp_path / "model.pdparams"
    out.write_bytes(b"previous")
    real_save = paddle.save

    def failing_save(obj, path, *a, **k):
        real_save(obj, path, *a, **k)  # write a complete temp file, then fail
        assert os.path.dirname(os.path.abspath(path)) == str(tmp_path)
        raise OSError("disk full")

    monkeypatch.setattr(paddle, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        W.convert_checkpoint(ckpt, out, TorchNet)
    assert out.read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == ["model.pdparams", "ok.pth"]


def test_checkpoint_needing_pickle_is_refused_unless_allowed(tmp_path):
    ckpt = tmp_path / "full.pth"
    tmodel = seeded_torch_net()
    torch.save({"model": tmodel}, ckpt)  # a pickled nn.Module: not weights_only-loadable
    out = tmp_path / "m.pdparams"
    with pytest.raises(W.WeightConversionError, match="allow_pickle=True"):
        W.convert_checkpoint(ckpt, out, TorchNet)
    assert not out.exists()
    report = W.convert_checkpoint(ckpt, out, TorchNet, allow_pickle=True)
    assert report.source_key == "model"
    _assert_twin_matches(tmodel, str(out))


def test_checkpoint_without_state_dict_names_top_level_keys(tmp_path):
    ckpt = tmp_path / "odd.pth"
    torch.save({"weights_here": {"a": 1}, "epoch": 2}, ckpt)
    with pytest.raises(W.WeightConversionError, match="weights_here"):
        W.load_torch_checkpoint(ckpt)


# --------------------------------------------------------------------------- factories


def test_resolve_factory():
    assert W.resolve_factory("torch.nn:Linear") is nn.Linear
    assert W.resolve_factory("os.path:join") is os.path.join
    assert W.resolve_factory("collections:OrderedDict.fromkeys") is not None
    with pytest.raises(W.FactoryResolutionError, match="module 'no_such_pkg_xyz.models' not found"):
        W.resolve_factory("no_such_pkg_xyz.models:build")
    with pytest.raises(W.FactoryResolutionError, match="'torch.nn' has no attribute 'NoSuchLayer'"):
        W.resolve_factory("torch.nn:NoSuchLayer")
    with pytest.raises(W.FactoryResolutionError, match="expected 'package.module:callable'"):
        W.resolve_factory("torch.nn.Linear")
    with pytest.raises(TypeError, match="non-callable"):
        W.resolve_factory("math:pi")
    assert issubclass(W.FactoryResolutionError, ImportError)


def test_resolve_factory_reports_missing_dependency(tmp_path, monkeypatch):
    (tmp_path / "needs_dep_mod_t2p.py").write_text("import surely_missing_dep_t2p\n\ndef build():\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(W.FactoryResolutionError, match="dependency 'surely_missing_dep_t2p'"):
        W.resolve_factory("needs_dep_mod_t2p:build")


# --------------------------------------------------------------------------- randomisation


def test_randomize_for_alignment_is_seeded_and_sane():
    def params(seed):
        torch.manual_seed(123)  # identical initial weights
        model = W.randomize_for_alignment(TorchNet(), seed=seed)
        return {k: v.clone() for k, v in model.state_dict().items()}

    a, b, c = params(0), params(0), params(1)
    for k in a:
        assert torch.equal(a[k], b[k]), k
    assert not torch.equal(a["bn.running_var"], c["bn.running_var"])
    assert not torch.equal(a["fc.weight"], c["fc.weight"])
    assert (a["bn.running_var"] >= 0.5).all() and (a["bn.running_var"] <= 1.5).all()
    assert (a["bn.running_mean"].abs() <= 0.1).all() and a["bn.running_mean"].abs().max() > 0
    assert ((a["bn.weight"] - 1).abs() <= 0.2).all() and not torch.equal(a["bn.weight"], torch.ones(8))
    assert (a["bn.bias"].abs() <= 0.1).all() and a["bn.bias"].abs().max() > 0
    assert not torch.equal(a["norm.weight"], torch.ones(16))
    std = a["head.1.weight"].std().item()
    assert 0.5 / 4 < std < 2 / 4  # N(0, 1/in_features) with in_features = 16


def test_randomize_calibration_restores_modes_and_sets_statistics():
    torch.manual_seed(0)
    model = TorchNet()
    model.train()
    model.head.eval()
    x, ids = make_inputs(seed=5)
    W.randomize_for_alignment(model, seed=0, calibration_input=(x, ids))
    assert model.training and model.bn.training and not model.head.training
    assert model.bn.momentum == 0.1 and int(model.bn.num_batches_tracked) == 0
    with torch.no_grad():
        conv_out = model.conv(x)
        np.testing.assert_allclose(model.bn.running_mean.numpy(), conv_out.mean((0, 2, 3)).numpy(), atol=1e-5)
        # biased variance: eval mode on the calibration batch normalises exactly like train mode
        np.testing.assert_allclose(
            model.bn.running_var.numpy(), conv_out.var((0, 2, 3), unbiased=False).numpy(), rtol=1e-5
        )
        eval_out = model.bn.eval()(conv_out)
        train_out = nn.functional.batch_norm(conv_out, None, None, model.bn.weight, model.bn.bias, training=True)
    np.testing.assert_allclose(eval_out.numpy(), train_out.numpy(), atol=1e-5)


def test_randomize_gives_input_sensitive_logits_for_mobilenet_v3():
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v3_small(num_classes=10).eval()
    probe = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    torch.set_flush_denormal(True)  # the degenerate activations are denormal floats: very slow otherwise
    try:
        with torch.no_grad():
            fresh = model(probe)
            W.randomize_for_alignment(model, seed=0)
            stats_only = model(probe)
            W.randomize_for_alignment(model, seed=0, calibration_input=probe)
            calibrated = model(probe)
    finally:
        torch.set_flush_denormal(False)  # the default
    assert fresh.abs().mean() < 1e-6  # the degenerate starting point
    # random statistics alone: non-trivial scale but (almost) independent of the input
    assert stats_only.abs().mean() > 1e-2 and stats_only.std(0).mean() < 1e-4
    # calibrated on the compared batch: O(0.1-1) and input dependent
    assert 1e-2 < calibrated.abs().mean() < 10 and calibrated.std(0).mean() > 1e-2
    assert not model.training


# --------------------------------------------------------------------------- import hygiene


def test_module_import_does_not_import_frameworks():
    path = os.path.join(ROOT, "torch2paddle", "weights.py")
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('t2p_weights_probe', {path!r})\n"
        "mod = importlib.util.module_from_spec(spec); sys.modules[spec.name] = mod\n"
        "spec.loader.exec_module(mod)\n"
        "bad = sorted(m for m in ('torch', 'paddle', 'numpy') if m in sys.modules)\n"
        "assert not bad, bad\n"
        "r = mod.WeightReport(transposed=['fc.weight']); assert 'fc.weight' in r.summary()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("kind", ["lstm", "gru", "bilinear", "layernorm"])
def test_layers_whose_paddle_layout_differs(kind):
    """Paddle lists RNN weights twice, keeps Bilinear's bias as a row and LayerNorm's affine flattened."""
    import paddle

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    if kind == "lstm":
        t, p = torch.nn.LSTM(4, 8, num_layers=2, batch_first=True, bidirectional=True), paddle.nn.LSTM(
            4, 8, num_layers=2, time_major=False, direction="bidirect")
        inputs = (rng.random((2, 3, 4), dtype=np.float32),)
    elif kind == "gru":
        t, p = torch.nn.GRU(4, 8), paddle.nn.GRU(4, 8, time_major=True)
        inputs = (rng.random((3, 2, 4), dtype=np.float32),)
    elif kind == "bilinear":
        t, p = torch.nn.Bilinear(3, 4, 5), paddle.nn.Bilinear(3, 4, 5)
        inputs = (rng.random((2, 3), dtype=np.float32), rng.random((2, 4), dtype=np.float32))
    else:
        t, p = torch.nn.LayerNorm([3, 4]), paddle.nn.LayerNorm([3, 4])
        W.randomize_for_alignment(t, seed=3)
        inputs = (rng.random((2, 3, 4), dtype=np.float32),)
    W.load_into_paddle(p, W.convert_state_dict(t, paddle_model=p))
    expected = t(*[torch.from_numpy(a) for a in inputs])
    actual = p(*[paddle.to_tensor(a) for a in inputs])
    if isinstance(expected, tuple):
        expected, actual = expected[0], actual[0]
    assert np.abs(expected.detach().numpy() - actual.numpy()).max() < 1e-5
