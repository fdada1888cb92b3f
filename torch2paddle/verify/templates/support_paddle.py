"""Side glue of the generated harness, Paddle side (see support_torch.py)."""

import importlib
import json
import re
import sys
import traceback
from pathlib import Path

import numpy as np

import t2p_shared

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = json.loads((ROOT / "config.json").read_text())
SIDE = "paddle"
sys.path.insert(0, CONFIG["roots"][SIDE])

import paddle  # noqa: E402

FRAMEWORK_VERSION = paddle.__version__
THREADS = None
if CONFIG.get("threads"):  # the same intra-op threads as the torch side (the runner also sets OMP/MKL_NUM_THREADS)
    try:
        from paddle.base import core as _core

        _core.set_num_threads(int(CONFIG["threads"]))
        THREADS = int(CONFIG["threads"])
    except (ImportError, AttributeError):
        pass

_HAS_GPU = paddle.device.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0
if CONFIG["device"] == "gpu" and not _HAS_GPU:
    raise RuntimeError("--device gpu: this Paddle build has no CUDA support or sees no GPU (install paddlepaddle-gpu)")
_USE_GPU = CONFIG["device"] == "gpu" or (CONFIG["device"] == "auto" and CONFIG.get("auto_gpu", True) and _HAS_GPU)
paddle.set_device("gpu" if _USE_GPU else "cpu")
if _USE_GPU:  # float32 means float32: deterministic cuDNN (TF32 is off through NVIDIA_TF32_OVERRIDE=0, see runner)
    try:
        paddle.set_flags({"FLAGS_cudnn_deterministic": True, "FLAGS_cudnn_exhaustive_search": False})
    except (ValueError, RuntimeError):
        pass
DEVICE_NAME = paddle.device.cuda.get_device_name(0) if _USE_GPU else "cpu"
RANDOM_LAYER = re.compile(r"dropout|droppath|drop_path|stochasticdepth|dropblock", re.IGNORECASE)


def factory(spec):
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def seed_all(seed):
    np.random.seed(seed)
    paddle.seed(seed)


def to_device(obj):
    """paddle.set_device placed models and new tensors already; a tensor a loader made on the CPU moves."""
    if _USE_GPU and isinstance(obj, paddle.Tensor) and not obj.place.is_gpu_place():
        return obj.cuda()
    return obj


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


def kink_twin(step, model, inputs):
    return None  # the kink floor is measured on the torch side only


def record_float64(step, fn, *args, name=None):
    pass  # the float64 reference runs on the torch side only


def record(step, **values):
    out = ROOT / "result" / f"{step}_{SIDE}.npy"
    out.parent.mkdir(parents=True, exist_ok=True)
    np.save(out, {k: np.asarray(v) for k, v in values.items()}, allow_pickle=True)


def build_model(**overrides):
    kwargs = dict(CONFIG["model"]["kwargs"], **overrides)
    return factory(CONFIG["model"]["factory"])(**kwargs)


class WeightsDoNotFit(RuntimeError):
    """The converted weights do not fit the converted model; the locate step reports the first such key."""

    def __init__(self, missing, unexpected, mismatched):
        self.missing, self.unexpected, self.mismatched = missing, unexpected, mismatched
        shown = [f"{k}: {got} vs {want}" for k, got, want in mismatched]
        super().__init__(f"converted weights do not fit the converted model: missing {missing}, "
                         f"unexpected {unexpected}, shape mismatches {shown}")


def _load_checked(model):
    state = paddle.load(str(ROOT / "weights" / "model.pdparams"))
    own = model.state_dict()
    order = {k: i for i, k in enumerate(own)}  # the model's order: the first key that does not fit comes first
    missing = sorted(set(own) - set(state), key=order.get)
    unexpected = sorted(set(state) - set(own))
    mismatched = [(k, list(state[k].shape), list(own[k].shape)) for k in sorted(set(state) & set(own), key=order.get)
                  if list(state[k].shape) != list(own[k].shape)]
    if missing or unexpected or mismatched:
        raise WeightsDoNotFit(missing, unexpected, mismatched)
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


# -- structure (weights step) and localisation (locate step): hooks on every layer (see support_torch.py) ------
def _error(exc):
    return "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]


def _tensors(output):
    if isinstance(output, paddle.Tensor):
        return [output]
    if isinstance(output, dict):
        output = list(output.values())
    if isinstance(output, (tuple, list)):
        return [t for item in output for t in _tensors(item)]
    return []


def _shape(tensor):
    return [int(d) for d in tensor.shape]


def _array(tensor):
    value = tensor.detach()
    if value.dtype == paddle.bfloat16:
        value = value.astype("float32")
    return np.array(value.numpy(), copy=True)


def _modules(model):
    return list(model.named_sublayers(include_self=True))


def _trainable(param):
    return not param.stop_gradient


def _own_counts(layer):
    """(trainable parameters, buffers): Paddle keeps BatchNorm's statistics as non-trainable parameters."""
    params = buffers = 0
    for param in layer._parameters.values():
        if param is not None:
            if _trainable(param):
                params += int(np.prod(param.shape))
            else:
                buffers += int(np.prod(param.shape))
    skip = getattr(layer, "_non_persistable_buffer_names_set", set())
    for name, buf in layer._buffers.items():
        if buf is not None and name not in skip:
            buffers += int(np.prod(buf.shape))
    return int(params), int(buffers)


_CONTAINERS = (paddle.nn.Sequential, paddle.nn.LayerList, paddle.nn.LayerDict)


def _register_post_hook(layer, hook):
    return layer.register_forward_post_hook(hook)


def _version(tensor):
    return getattr(tensor, "inplace_version", None)


def _run_traced(model, inputs, keep=True):
    return t2p_shared.run_traced(sys.modules[__name__], model, inputs, keep)


def _plain_and_hooked(model, inputs, budget=0.5, most=5):
    return t2p_shared.plain_and_hooked(sys.modules[__name__], model, inputs, budget, most)


_totals = t2p_shared.totals


def record_structure(model):
    shape = CONFIG["model"]["input_shape"]
    inputs = tensor(np.random.RandomState(CONFIG["seed"]).standard_normal(shape).astype(CONFIG["model"]["input_dtype"]))
    training = [(layer, layer.training) for _, layer in _modules(model)]
    model.eval()
    with paddle.no_grad():
        tracer, _, _, error = _run_traced(model, inputs, keep=False)
    for layer, flag in training:
        layer.training = flag
    totals = _totals([(name, _own_counts(layer)) for name, layer in _modules(model)])
    modules = []
    for name, layer in _modules(model):
        modules.append({
            "name": name, "type": type(layer).__name__, "depth": name.count(".") + 1 if name else 0,
            "container": isinstance(layer, _CONTAINERS),
            "params": totals[name][0], "buffers": totals[name][1],
            "out_shape": (tracer.out_shapes.get(name) if tracer else None),
            "in_shape": (tracer.in_shapes.get(name) if tracer else None),
        })
    params = sum(int(np.prod(p.shape)) for p in model.parameters() if _trainable(p))
    frozen = sum(int(np.prod(p.shape)) for p in model.parameters() if not _trainable(p))
    buffers = sum(int(np.prod(b.shape)) for b in model.buffers()) + frozen
    structure = {"side": SIDE, "modules": modules, "params": int(params), "buffers": int(buffers),
                 "dropped_counters": 0, "error": error, "raised_in": tracer.raised_in if tracer and error else None}
    (ROOT / "result" / f"structure_{SIDE}.json").write_text(json.dumps(structure))
    return structure


def locate_modes():
    request = ROOT / "result" / "locate_request.json"
    if request.is_file():
        return json.loads(request.read_text())["modes"]
    return ["eval", "train"]


def load_failure(mode, exc):
    """The model could not get the converted weights: the locate step names the first key that does not fit."""
    return {"mode": mode, "load_error": _error(exc), "missing": list(getattr(exc, "missing", [])),
            "unexpected": list(getattr(exc, "unexpected", [])),
            "mismatched": [list(m) for m in getattr(exc, "mismatched", [])]}


def trace(mode, model, inputs):
    with paddle.no_grad():
        result, tracer, output, error = _plain_and_hooked(model, inputs)
    result["mode"] = mode
    if tracer is None:
        result.update(order=[], types={}, in_shapes={}, outputs={}, hooked=None, error=error)
        return result
    result.update(order=tracer.order, types=tracer.types, in_shapes=tracer.in_shapes, outputs=tracer.outputs,
                  hooked=[_array(t) for t in _tensors(output)] if output is not None else None,
                  error=error, raised_in=tracer.raised_in if error else None)
    return result


def record_trace(traces):
    np.save(ROOT / "result" / f"locate_{SIDE}.npy", traces, allow_pickle=True)


# -- data without an image folder: the project's dataset factory (arrays or tensors), or synthetic data ---------
def array_length(split):
    return t2p_shared.array_length(sys.modules[__name__], split)


def array_batches(split):
    """The split in batches of data.batch_size, in order, as this side's tensors."""
    return t2p_shared.array_batches(sys.modules[__name__], split)


def top1(output, labels):
    """Top-1 accuracy in percent by argmax (the train step when the config names no metric)."""
    return t2p_shared.top1(sys.modules[__name__], output, labels)


def clamped_log_probs(logits):
    """The reference side computes it; here: whether this build's log_softmax clamps (noted for the table)."""
    probe = paddle.nn.functional.log_softmax(paddle.to_tensor([[1000.0, 0.0]], dtype="float32"), axis=1)
    note("loss", log_softmax_floor=float(probe.numpy()[0, 1]))
    return None
