"""Side glue of the generated harness, torch side: paths, device, seeding, records, weights.

The step scripts beside this file are plain PyTorch; their Paddle twins are
produced by converting them with torch2paddle.  Only what is inherently
different per framework (where weights come from, device set-up) lives here.
"""

import copy
import importlib
import json
import pickle
import re
import sys
import traceback
from pathlib import Path

import numpy as np

import t2p_shared

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = json.loads((ROOT / "config.json").read_text())
SIDE = "torch"
sys.path.insert(0, CONFIG["roots"][SIDE])

import torch  # noqa: E402

FRAMEWORK_VERSION = torch.__version__
if CONFIG.get("threads"):  # the same intra-op threads as the Paddle side (the runner also sets OMP/MKL_NUM_THREADS)
    torch.set_num_threads(int(CONFIG["threads"]))
THREADS = torch.get_num_threads()
if CONFIG["device"] == "gpu" and not torch.cuda.is_available():
    raise RuntimeError("--device gpu: this torch build sees no CUDA device")
# auto: the GPU only where both frameworks can use one (the runner read both builds: CONFIG["auto_gpu"]),
# so that the two sides never run on different devices
_USE_GPU = CONFIG["device"] == "gpu" or (CONFIG["device"] == "auto" and CONFIG.get("auto_gpu", True)
                                         and torch.cuda.is_available())
_DEVICE = torch.device("cuda" if _USE_GPU else "cpu")
DEVICE_NAME = torch.cuda.get_device_name(0) if _USE_GPU else "cpu"


def _exact_float32_on_gpu():
    """float32 means float32 on the GPU too: TF32 off (cuDNN convolutions use it by default on Ampere and
    later), deterministic cuDNN algorithms. The runner also sets NVIDIA_TF32_OVERRIDE=0 for both sides."""
    import warnings

    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    # the allow_tf32 flags, not the newer fp32_precision ones: after the new API, torch 2.14 refuses to read
    # `cudnn.allow_tf32` (a mix of the two APIs), which third-party code still does
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.backends.cuda.matmul.allow_tf32 = False
            torch.backends.cudnn.allow_tf32 = False
        except (AttributeError, RuntimeError):  # a torch without them
            torch.backends.fp32_precision = "ieee"


if _USE_GPU:
    _exact_float32_on_gpu()
_FLOAT64 = False  # True while record_float64 runs a step's computation again in float64
# layers whose output depends on a random generator in train mode: each framework draws its own masks
RANDOM_LAYER = re.compile(r"dropout|droppath|drop_path|stochasticdepth|dropblock", re.IGNORECASE)


def factory(spec):
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def seed_all(seed):
    np.random.seed(seed)
    torch.manual_seed(seed)


def to_device(obj):
    """On this side's device; during a float64 run, floating tensors (a batch from a loader) in float64 too."""
    if _FLOAT64 and isinstance(obj, torch.Tensor) and obj.is_floating_point():
        return obj.to(_DEVICE, dtype=torch.float64)
    return obj.to(_DEVICE)


def tensor(array):
    return torch.from_numpy(np.ascontiguousarray(array)).to(_DEVICE)


def to_numpy(value):
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def synchronize():
    if _USE_GPU:
        torch.cuda.synchronize()


def scalar(value):
    """A one-element value as a float: a metric may return a 0-d tensor or a shape-[1] one (torchvision's
    reference `accuracy` does), and numpy refuses float() of the latter."""
    array = np.asarray(to_numpy(value))
    if array.size != 1:
        raise ValueError(f"expected a single value, got shape {list(array.shape)}")
    return float(array.reshape(-1)[0])


def metric_value(value):
    """A metric's value as recorded: a one-element value as 0-d, so that [1] and [] compare equal."""
    array = np.asarray(to_numpy(value))
    return array.reshape(()) if array.size == 1 else array


def learning_rate(optimizer):
    return float(optimizer.param_groups[0]["lr"])


def note(step, **info):
    """Facts about a step that are not compared (random layers disabled, why there is no float64 run)."""
    path = ROOT / "result" / f"{step}_{SIDE}.note.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps(dict(old, **info), indent=2))


def _error(exc):
    return "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]


def float64_twin(step, model):
    """A float64 copy of ``model`` as it is now (same weights, same buffers), or None if it cannot be made.

    Taken before a step changes the model (training), so that the twin starts where the model started.
    """
    if not CONFIG.get("float64", True):
        note(step, float64="`float64: false` in the config")
        return None
    try:
        return copy.deepcopy(model).double()
    except Exception as exc:  # noqa: BLE001 - no float64 reference: the step falls back to fixed thresholds
        note(step, float64=f"the model cannot be copied to float64: {_error(exc)}")
        return None


def _cast64(value):
    if isinstance(value, torch.Tensor) and value.is_floating_point():
        return value.double()
    return value


# piecewise-linear (kinked) activations: the kink floor's run takes their derivative at a shifted input
KINKED = ("ReLU", "ReLU6", "Hardtanh", "LeakyReLU", "PReLU", "Threshold", "Hardswish", "Hardsigmoid",
          "Hardshrink", "Softshrink", "ELU", "CELU", "SELU")


def _kinked(model):
    return [(name, m) for name, m in model.named_modules() if type(m).__name__ in KINKED]


def _kink_inputs(model, inputs):
    """Each kinked module's input (per call) in one train-mode forward of a copy (``model`` is left as it is)."""
    probe = copy.deepcopy(model)
    seen = {}
    for name, module in _kinked(probe):
        module.register_forward_pre_hook(
            lambda mod, args, name=name: seen.setdefault(name, []).append(args[0].detach().double().clone())
            if args and isinstance(args[0], torch.Tensor) else None)
    with torch.no_grad():
        probe(inputs)
    return seen


def kink_twin(step, model, inputs):
    """A float64 copy of ``model`` whose kinked activations (ReLU, ReLU6, Hardswish, ... modules) take their
    derivative at an input shifted by float32's own noise there, or None.

    A kink within float32 rounding of an activation's input may fall on either side in another float32
    computation (the Paddle side), while torch32 and torch64 agree: |torch32 - torch64| cannot see how far the
    gradients then move. Each kinked module's noise is measured first: sigma = max |x32 - x64| over its input
    (one train-mode forward of a float32 copy and of a float64 copy). In the copy returned, the module's output
    keeps its float64 value and its derivative is taken at x + sigma * u (u uniform in [-1, 1], seeded): the
    forward is unchanged, so smooth layers add nothing, and only a kink within that module's float32 noise can
    switch. |torch64 - that run| is the kink floor of each compared value (the runner takes the larger floor).
    """
    if not CONFIG.get("float64", True):
        return None
    try:
        kinked = _kinked(model)
        if not kinked:
            note(step, kink_floor="no kinked activation module (ReLU, ReLU6, Hardswish, ...) in the model")
            return None
        twin = copy.deepcopy(model).double()
        x32 = _kink_inputs(model, inputs)
        previous = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)
        try:
            x64 = _kink_inputs(twin, _cast64(inputs))
        finally:
            torch.set_default_dtype(previous)
        sigma = {name: [float((a - b).abs().max()) if a.shape == b.shape else 0.0
                        for a, b in zip(x32.get(name, []), x64.get(name, []))] for name in x64}
        generator = torch.Generator(device=_DEVICE).manual_seed(int(CONFIG["seed"]) + 1)
        for name, module in _kinked(twin):
            if hasattr(module, "inplace"):
                module.inplace = False  # the hook needs the input as it was
            calls = sigma.get(name) or [0.0]
            state = {"call": 0}

            def shifted_derivative(mod, args, output, calls=calls, state=state):
                x = args[0]
                noise = calls[min(state["call"], len(calls) - 1)]
                state["call"] += 1
                if not noise or not isinstance(x, torch.Tensor):
                    return None
                u = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device) * 2 - 1
                shifted = type(mod).forward(mod, x + noise * u)
                return output.detach() + (shifted - shifted.detach())

            module.register_forward_hook(shifted_derivative)
        return twin
    except Exception as exc:  # noqa: BLE001 - no kink floor: the step says so, the float32 floor still applies
        note(step, kink_floor=f"the kink-floor copy could not be made: {_error(exc)}")
        return None


def record_float64(step, fn, *args, name=None):
    """Run ``fn(*args)`` again in float64 and save what it returns as the step's float64 reference.

    torch32 - torch64 is float32's own rounding error on this model and input: the noise floor verify
    compares the Paddle side's difference against.  Floating tensors among ``args`` are cast to float64, a
    model among them must be a ``float64_twin``; torch's default dtype is float64 meanwhile (tensors a
    forward creates follow it).  A model that cannot run in float64 (a hard-coded float32 tensor) leaves a
    note, and its step uses the fixed thresholds.
    """
    global _FLOAT64
    if any(arg is None for arg in args):  # the twin could not be made: float64_twin left the note
        return
    if not CONFIG.get("float64", True):
        note(step, float64="`float64: false` in the config")
        return
    previous = torch.get_default_dtype()
    _FLOAT64 = True
    torch.set_default_dtype(torch.float64)
    try:
        seed_all(CONFIG["seed"])
        values = fn(*[_cast64(arg) for arg in args])
    except Exception as exc:  # noqa: BLE001 - reported in the table, never fatal
        note(step, **{"kink_floor" if name else "float64": f"the float64 run failed: {_error(exc)}"})
        return
    finally:
        _FLOAT64 = False
        torch.set_default_dtype(previous)
    out = ROOT / "result" / f"{name or step + '_float64'}.npy"
    np.save(out, {k: np.asarray(v) for k, v in values.items()}, allow_pickle=True)


def record(step, **values):
    """Save values in reprod_log's record format (a pickled dict of arrays in a .npy)."""
    out = ROOT / "result" / f"{step}_{SIDE}.npy"
    out.parent.mkdir(parents=True, exist_ok=True)
    np.save(out, {k: np.asarray(v) for k, v in values.items()}, allow_pickle=True)


def build_model(**overrides):
    kwargs = dict(CONFIG["model"]["kwargs"], **overrides)
    return factory(CONFIG["model"]["factory"])(**kwargs)


def prepare_weights(model):
    """Seeded, non-degenerate weights (or the given checkpoint) saved for both sides."""
    from torch2paddle.weights import convert_state_dict, load_torch_checkpoint, randomize_for_alignment

    weights = ROOT / "weights"
    weights.mkdir(exist_ok=True)
    if CONFIG.get("checkpoint"):
        state, _ = load_torch_checkpoint(CONFIG["checkpoint"])
        model.load_state_dict(state)
    else:
        # calibrate BatchNorm statistics on the forward step's own input: activations stay O(1) at every depth
        shape = CONFIG["model"]["input_shape"]
        inputs = np.random.RandomState(CONFIG["seed"]).standard_normal(shape).astype(CONFIG["model"]["input_dtype"])
        calibration = torch.from_numpy(inputs)
        randomize_for_alignment(model, seed=CONFIG["seed"], calibration_input=calibration)
    torch.save(model.state_dict(), weights / "model.pth")
    converted, report = convert_state_dict(model)
    with open(weights / "model.pdparams", "wb") as fh:  # paddle.load reads a pickled dict of arrays
        pickle.dump(converted, fh, protocol=4)
    (weights / "conversion_report.txt").write_text(report.summary())
    return {k: converted[k] for k in sorted(converted)}


def load_weights(model):
    model.load_state_dict(torch.load(ROOT / "weights" / "model.pth", map_location="cpu"))
    return model


def dataset_root():
    """The image folder of the data/train steps; the tiny one is generated here (torch runs first)."""
    data = CONFIG["data"]
    root = Path(data["root"])
    if not (root / "train").is_dir() and data.get("tiny_dataset"):
        factory(data["tiny_dataset"])(str(root))
    return str(root)


def trainable_parameters(model):
    return [(name, p) for name, p in model.named_parameters() if p.requires_grad]


def gradients(model):
    """Each parameter's gradient, named and laid out as Paddle's (a Linear weight's transposed)."""
    from torch2paddle.weights import convert_state_dict

    grads = {name: p.grad for name, p in model.named_parameters() if p.requires_grad and p.grad is not None}
    converted, _ = convert_state_dict(model, grads, strict=False)
    return {f"grad:{name}": value for name, value in converted.items()}


def _tensors(output):
    """The tensors of a model's output (a tensor, or a tuple/list/dict of them)."""
    if isinstance(output, torch.Tensor):
        return [output]
    if isinstance(output, dict):
        output = list(output.values())
    if isinstance(output, (tuple, list)):
        return [t for item in output for t in _tensors(item)]
    return []


def disable_random_layers(step, model, inputs=None):
    """Put dropout-like layers in eval mode, so both sides compute the same function; named in the table.

    With ``inputs``, check that the model is now deterministic in train mode (two forwards of a copy): a
    functional dropout (``F.dropout(x, 0.2)``) is not a layer and stays random, and the step says so.
    """
    names = [name for name, m in model.named_modules() if name and RANDOM_LAYER.search(type(m).__name__)]
    modules = dict(model.named_modules())
    for name in names:
        modules[name].eval()
    note(step, random_layers=names)
    if inputs is not None:
        probe = copy.deepcopy(model)
        with torch.no_grad():
            first, second = _tensors(probe(inputs)), _tensors(probe(inputs))
        # far above a GPU kernel's run-to-run wobble (atomic adds), far below what a dropped unit changes
        if any(not torch.allclose(a, b, rtol=0.0, atol=1e-4 * float(a.abs().max()) + 1e-6)
               for a, b in zip(first, second) if a.is_floating_point()):
            note(step, still_random="the model's train-mode output changes between two calls on the same input "
                                    "with its dropout layers in eval mode (a functional dropout or another random "
                                    "op?): the two sides cannot be compared exactly")
    return names


def running_means(model):
    from torch.nn.modules.batchnorm import _BatchNorm

    return {f"running_mean:{name}": m.running_mean.detach().cpu().numpy()
            for name, m in model.named_modules() if isinstance(m, _BatchNorm) and m.running_mean is not None}


# -- structure (weights step) and localisation (locate step): hooks on every module ---------------------------
def _shape(tensor):
    return [int(d) for d in tensor.shape]


def _array(tensor):
    """A copy of a module's output as it is now: later in-place ops (ReLU(inplace=True), `x += y`) must not
    change what was recorded."""
    value = tensor.detach()
    if value.dtype == torch.bfloat16:
        value = value.float()
    return value.cpu().numpy().copy()


def _modules(model):
    return list(model.named_modules())


def _trainable(param):
    return param.requires_grad


def _own_counts(module):
    """(trainable parameters, buffers) held by ``module`` itself. Buffers: persistent ones (BatchNorm running
    statistics) and frozen parameters, what Paddle keeps as non-trainable parameters; torch's
    `num_batches_tracked` counters are left out (Paddle has none; the weights step drops them)."""
    params = buffers = 0
    for param in module._parameters.values():
        if param is not None:
            if _trainable(param):
                params += param.numel()
            else:
                buffers += param.numel()
    skip = getattr(module, "_non_persistent_buffers_set", set())
    for name, buf in module._buffers.items():
        if buf is not None and name not in skip and name != "num_batches_tracked":
            buffers += buf.numel()
    return int(params), int(buffers)


_CONTAINERS = (torch.nn.Sequential, torch.nn.ModuleList, torch.nn.ModuleDict)


def _register_post_hook(module, hook):
    return module.register_forward_hook(hook)


def _version(tensor):
    return getattr(tensor, "_version", None)


def _run_traced(model, inputs, keep=True):
    return t2p_shared.run_traced(sys.modules[__name__], model, inputs, keep)


def _plain_and_hooked(model, inputs, budget=0.5, most=5):
    return t2p_shared.plain_and_hooked(sys.modules[__name__], model, inputs, budget, most)


_totals = t2p_shared.totals


def record_structure(model):
    """The weights step's structure table: per module its parameters and buffers (itself and below), its
    class, and its output shape on the forward step's input (one eval-mode forward with hooks)."""
    shape = CONFIG["model"]["input_shape"]
    inputs = torch.from_numpy(np.random.RandomState(CONFIG["seed"]).standard_normal(shape)
                              .astype(CONFIG["model"]["input_dtype"]))
    inputs = inputs.to(next(iter(model.parameters()), inputs).device)
    training = [(m, m.training) for m in model.modules()]
    model.eval()
    with torch.no_grad():
        tracer, _, _, error = _run_traced(model, inputs, keep=False)
    for module, flag in training:
        module.training = flag
    totals = _totals([(name, _own_counts(module)) for name, module in _modules(model)])
    modules = []
    for name, module in _modules(model):
        modules.append({
            "name": name, "type": type(module).__name__, "depth": name.count(".") + 1 if name else 0,
            "container": isinstance(module, _CONTAINERS),
            "params": totals[name][0], "buffers": totals[name][1],
            "out_shape": (tracer.out_shapes.get(name) if tracer else None),
            "in_shape": (tracer.in_shapes.get(name) if tracer else None),
        })
    params = sum(p.numel() for p in model.parameters() if _trainable(p))
    frozen = sum(p.numel() for p in model.parameters() if not _trainable(p))
    counters = sum(b.numel() for n, b in model.named_buffers() if n.rpartition(".")[2] == "num_batches_tracked")
    buffers = sum(b.numel() for b in model.buffers()) - counters + frozen  # non-persistent ones are rare
    structure = {"side": SIDE, "modules": modules, "params": int(params), "buffers": int(buffers),
                 "dropped_counters": int(counters), "error": error,
                 "raised_in": tracer.raised_in if tracer and error else None}
    (ROOT / "result" / f"structure_{SIDE}.json").write_text(json.dumps(structure))
    return structure


def locate_modes():
    """Which forwards the locate step traces: the runner asks for eval (forward failed), train (backward
    failed) or both (--locate); run by hand, both."""
    request = ROOT / "result" / "locate_request.json"
    if request.is_file():
        return json.loads(request.read_text())["modes"]
    return ["eval", "train"]


def load_failure(mode, exc):
    """The model could not be built or loaded: recorded, so that verify says why there is no trace."""
    return {"mode": mode, "load_error": _error(exc), "missing": [], "unexpected": [], "mismatched": []}


def trace(mode, model, inputs):
    """Localisation: the model's forward without hooks and with a hook on every module keeping a copy of each
    module's output, in execution order; on this side also its float64 twin with hooks (each module's noise
    floor). No gradients are taken: the outputs are those of the forward (eval) or backward (train) step."""
    twin = float64_twin("locate", model)
    with torch.no_grad():
        result, tracer, output, error = _plain_and_hooked(model, inputs)
    result["mode"] = mode
    if tracer is None:  # the hooks could not even be put on
        result.update(order=[], types={}, in_shapes={}, outputs={}, hooked=None, error=error)
        return result
    result.update(order=tracer.order, types=tracer.types, in_shapes=tracer.in_shapes, outputs=tracer.outputs,
                  hooked=[_array(t) for t in _tensors(output)] if output is not None else None,
                  error=error, raised_in=tracer.raised_in if error else None)
    if twin is not None:
        global _FLOAT64
        previous = torch.get_default_dtype()
        _FLOAT64 = True
        torch.set_default_dtype(torch.float64)
        try:
            with torch.no_grad():
                tracer64, _, _, error64 = _run_traced(twin, _cast64(inputs))
        finally:
            _FLOAT64 = False
            torch.set_default_dtype(previous)
        if error64:
            result["float64_error"] = error64
        else:
            result["float64"] = tracer64.outputs
    return result


def record_trace(traces):
    out = ROOT / "result" / f"locate_{SIDE}.npy"
    np.save(out, traces, allow_pickle=True)


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
    """Log-probabilities as Paddle 3.3.1's CPU log_softmax computes them: logits minus their maximum, clamped at
    -64, then normalised (measured: Paddle's floor is -64 - log(sum), 3e-6 from this emulation). They are
    log-probabilities already (their exp sums to 1), so a criterion applied to them as logits computes what
    that kernel gives (the loss step's large-margin row)."""
    shifted = torch.clamp(logits - logits.max(dim=1, keepdim=True).values, min=-64.0)
    return shifted - torch.logsumexp(shifted, dim=1, keepdim=True)
