"""The framework-neutral part of the harness's side glue, shared by both sides (copied as ``t2p_shared.py``
beside ``t2p_support.py``): hooks on every module (execution order, shapes and outputs per module for the
first divergence), timed forwards, parameter counts summed per block, and the data a config gives without
an image folder (the project's arrays or tensors, or synthetic data).  ``fw`` is the side's ``t2p_support``
module: its ``_modules``, ``_register_post_hook``, ``_tensors``, ``_shape``, ``_array``, ``_version``,
``_error``, ``synchronize``, ``to_numpy``, ``tensor``, ``factory`` and ``CONFIG`` are the only
framework-specific parts."""

import time

import numpy as np


class Tracer:
    """Forward pre- and post-hooks on every module: execution order, shapes and (``keep``) a copy of outputs.

    A module called more than once gets one entry per call (``name``, ``name#1``, ...). A module whose
    forward raised is the innermost one entered and never left (``raised_in``)."""

    def __init__(self, fw, model, keep):
        self.fw = fw
        self.keep = keep
        self.order, self.in_shapes, self.out_shapes, self.outputs = [], {}, {}, {}
        self.types = {name: type(module).__name__ for name, module in fw._modules(model)}
        self._stack, self._calls, self._handles, self._last = [], {}, [], None
        for name, module in fw._modules(model):
            self._handles.append(module.register_forward_pre_hook(self._pre(name)))
            self._handles.append(fw._register_post_hook(module, self._post(name)))

    def _pre(self, name):
        def hook(module, args):
            self._stack.append(name)
        return hook

    def _post(self, name):
        def hook(module, args, output):
            while self._stack and self._stack.pop() != name:  # a child that raised and was caught: left
                pass
            call = self._calls.get(name, 0)
            self._calls[name] = call + 1
            key = name if call == 0 else f"{name}#{call}"
            self.order.append(key)
            self.in_shapes[key] = [self.fw._shape(t) for t in self.fw._tensors(list(args))]
            outputs = self.fw._tensors(output)
            self.out_shapes[key] = [self.fw._shape(t) for t in outputs]
            if self.keep:
                self.outputs[key] = [self._copy(t) for t in outputs]
        return hook

    def _copy(self, tensor):
        """A container returns its last child's output tensor itself: the child's copy is shared (unless the
        tensor was changed in place meanwhile), so that nested containers cost nothing."""
        version = self.fw._version(tensor)
        last = self._last
        if version is not None and last is not None and last[0] is tensor and last[1] == version:
            return last[2]
        array = self.fw._array(tensor)
        self._last = (tensor, version, array) if version is not None else None
        return array

    @property
    def raised_in(self):
        return self._stack[-1] if self._stack else None

    def remove(self):
        for handle in self._handles:
            handle.remove()
        self._last = None


def time_forward(fw, model, inputs, repeats):
    """(output, fastest seconds of ``repeats`` forwards)."""
    best, output = float("inf"), None
    for _ in range(repeats):
        fw.synchronize()
        start = time.perf_counter()
        output = model(inputs)
        fw.synchronize()
        best = min(best, time.perf_counter() - start)
    return output, best


def run_traced(fw, model, inputs, keep=True):
    """One hooked forward: (tracer, output, seconds, error); the hooks are removed afterwards."""
    tracer = None
    try:
        tracer = Tracer(fw, model, keep)
        output, seconds = time_forward(fw, model, inputs, 1)
        return tracer, output, seconds, None
    except Exception as exc:  # noqa: BLE001 - where it raised is the answer
        return tracer, None, None, fw._error(exc)
    finally:
        if tracer is not None:
            tracer.remove()


def plain_and_hooked(fw, model, inputs, budget=0.5, most=5):
    """The forward without hooks (its output: the reference for 'hooks change nothing'), then with hooks.

    What the hooks cost is the median, over pairs run back to back, of hooked / plain seconds (a busy machine
    slows both of a pair alike). A fast model gets up to ``most`` pairs within ``budget`` seconds of plain
    forwards; a slow one (a plain forward over ``budget``) a single hooked run against the first plain one,
    so that localisation costs the step's own forwards and one more."""
    result = {}
    try:
        plain, first = time_forward(fw, model, inputs, 1)
        result["plain"] = [fw._array(t) for t in fw._tensors(plain)]
    except Exception as exc:  # noqa: BLE001 - the hooked run says where
        result["plain_error"] = fw._error(exc)
        first = None
    pairs = 0 if first is None or first > budget else max(1, min(most, int(budget / max(first, 1e-4))))
    ratios, seconds = [], []
    for _ in range(max(1, pairs)):
        plain_seconds = time_forward(fw, model, inputs, 1)[1] if pairs else first
        tracer, output, hooked_seconds, error = run_traced(fw, model, inputs)
        if error:
            break
        seconds.append(hooked_seconds)
        if plain_seconds:
            ratios.append(hooked_seconds / plain_seconds)
    result["plain_seconds"] = first
    result["hooked_seconds"] = min(seconds) if seconds else None
    result["hooks_cost"] = float(np.median(ratios)) if ratios else None
    return result, tracer, output, error


def totals(named_counts):
    """Each module's counts summed over itself and every module below it (by qualified name)."""
    totals = {name: [0, 0] for name, _ in named_counts}
    for name, (params, buffers) in named_counts:
        parts = name.split(".") if name else []
        for depth in range(len(parts) + 1):
            prefix = ".".join(parts[:depth])
            if prefix in totals:
                totals[prefix][0] += params
                totals[prefix][1] += buffers
    return totals


# -- data without an image folder: the project's dataset factory (arrays or tensors), or synthetic data ---------
_ARRAYS = {}


def _pair(fw, value, what):
    """(inputs, labels) as numpy arrays from a pair of arrays/tensors or a map-style dataset of pairs."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return np.asarray(fw.to_numpy(value[0])), np.asarray(fw.to_numpy(value[1]))
    if hasattr(value, "__len__") and hasattr(value, "__getitem__"):
        items = [value[i] for i in range(len(value))]
        return (np.stack([np.asarray(fw.to_numpy(x)) for x, _ in items]),
                np.asarray([np.asarray(fw.to_numpy(y)) for _, y in items]))
    raise TypeError(f"{what} returned {type(value).__name__}: expected (inputs, labels) arrays or tensors, a dataset "
                    "of (input, label) pairs, or a dict of them under 'train' and 'val'")


def split_arrays(fw, split):
    CONFIG = fw.CONFIG
    data = CONFIG["data"]
    if not _ARRAYS:
        if data["kind"] == "synthetic":
            shape, rng = CONFIG["model"]["input_shape"], np.random.RandomState(CONFIG["seed"] + 1)
            for name in ("train", "val"):
                inputs = rng.standard_normal((data["samples"], *shape[1:])).astype(CONFIG["model"]["input_dtype"])
                labels = rng.randint(0, CONFIG["num_classes"], size=(data["samples"],)).astype("int64")
                _ARRAYS[name] = (inputs, labels)
        else:
            made = fw.factory(data["dataset"])(**data["dataset_kwargs"])
            splits = made if isinstance(made, dict) else {"train": made}
            if not any(name in splits for name in ("train", "val")):
                raise ValueError(f"{data['dataset']} returned a dict without 'train' or 'val': {sorted(splits)}")
            for name in ("train", "val"):
                value = splits.get(name) if splits.get(name) is not None else splits.get("train", splits.get("val"))
                _ARRAYS[name] = _pair(fw, value, data["dataset"])
    return _ARRAYS[split]


def array_length(fw, split):
    return len(split_arrays(fw, split)[0])


def array_batches(fw, split):
    """The split in batches of data.batch_size, in order, as this side's tensors."""
    inputs, labels = split_arrays(fw, split)
    size = fw.CONFIG["data"]["batch_size"]
    return [(fw.tensor(inputs[i:i + size]), fw.tensor(labels[i:i + size])) for i in range(0, len(inputs), size)]


def top1(fw, output, labels):
    """Top-1 accuracy in percent by argmax (the train step when the config names no metric)."""
    predicted = np.asarray(fw.to_numpy(output)).argmax(axis=1)
    return np.array(100.0 * np.mean(predicted == np.asarray(fw.to_numpy(labels)).reshape(-1)))
