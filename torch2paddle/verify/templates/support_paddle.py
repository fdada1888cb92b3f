"""Side glue of the generated harness, Paddle side (see support_torch.py)."""

import importlib
import json
import re
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = json.loads((ROOT / "config.json").read_text())
SIDE = "paddle"
sys.path.insert(0, CONFIG["roots"][SIDE])

import paddle  # noqa: E402

_HAS_GPU = paddle.device.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0
if CONFIG["device"] == "gpu" and not _HAS_GPU:
    raise RuntimeError("--device gpu: this Paddle build has no CUDA support or sees no GPU (install paddlepaddle-gpu)")
_USE_GPU = CONFIG["device"] == "gpu" or (CONFIG["device"] == "auto" and _HAS_GPU)
paddle.set_device("gpu" if _USE_GPU else "cpu")
DEVICE_NAME = paddle.device.cuda.get_device_name(0) if _USE_GPU else "cpu"
RANDOM_LAYER = re.compile(r"dropout|droppath|drop_path|stochasticdepth|dropblock", re.IGNORECASE)


def factory(spec):
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def seed_all(seed):
    np.random.seed(seed)
    paddle.seed(seed)


def to_device(obj):
    return obj  # paddle.set_device placed everything already


def tensor(array):
    return paddle.to_tensor(np.ascontiguousarray(array))


def to_numpy(value):
    if hasattr(value, "numpy"):
        return value.numpy()
    return np.asarray(value)


def synchronize():
    if _USE_GPU:
        paddle.device.synchronize()


def scalar(value):
    array = np.asarray(to_numpy(value))
    if array.size != 1:
        raise ValueError(f"expected a single value, got shape {list(array.shape)}")
    return float(array.reshape(-1)[0])


def metric_value(value):
    array = np.asarray(to_numpy(value))
    return array.reshape(()) if array.size == 1 else array


def learning_rate(optimizer):
    return float(optimizer.get_lr())


def note(step, **info):
    path = ROOT / "result" / f"{step}_{SIDE}.note.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps(dict(old, **info), indent=2))


def float64_twin(step, model):
    return None  # the float64 reference runs on the torch side only


def record_float64(step, fn, *args):
    pass  # the float64 reference runs on the torch side only


def record(step, **values):
    out = ROOT / "result" / f"{step}_{SIDE}.npy"
    out.parent.mkdir(parents=True, exist_ok=True)
    np.save(out, {k: np.asarray(v) for k, v in values.items()}, allow_pickle=True)


def build_model(**overrides):
    kwargs = dict(CONFIG["model"]["kwargs"], **overrides)
    return factory(CONFIG["model"]["factory"])(**kwargs)


def _load_checked(model):
    state = paddle.load(str(ROOT / "weights" / "model.pdparams"))
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    mismatched = [f"{k}: {list(state[k].shape)} vs {list(own[k].shape)}" for k in sorted(set(state) & set(own))
                  if list(state[k].shape) != list(own[k].shape)]
    if missing or unexpected or mismatched:
        raise RuntimeError(f"converted weights do not fit the converted model: missing {missing}, "
                           f"unexpected {unexpected}, shape mismatches {mismatched}")
    model.set_state_dict(state)
    return model


def prepare_weights(model):
    _load_checked(model)
    state = model.state_dict()
    return {k: state[k].numpy() for k in sorted(state)}


def load_weights(model):
    return _load_checked(model)


def dataset_root():
    root = Path(CONFIG["data"]["root"])
    if not (root / "train").is_dir():
        raise FileNotFoundError(f"{root} has no train/ folder (the torch side generates the tiny dataset first)")
    return str(root)


def trainable_parameters(model):
    # BatchNorm running statistics are (non-trainable) parameters in Paddle, buffers in torch
    return [(name, p) for name, p in model.named_parameters() if not p.stop_gradient]


def gradients(model):
    return {f"grad:{name}": p.grad.numpy() for name, p in model.named_parameters()
            if not p.stop_gradient and p.grad is not None}


def disable_random_layers(step, model, inputs=None):
    names = [name for name, m in model.named_sublayers() if RANDOM_LAYER.search(type(m).__name__)]
    layers = dict(model.named_sublayers())
    for name in names:
        layers[name].eval()
    note(step, random_layers=names)
    return names


def running_means(model):
    from paddle.nn.layer.norm import _BatchNormBase

    return {f"running_mean:{name}": m._mean.numpy()
            for name, m in model.named_sublayers() if isinstance(m, _BatchNormBase)}
