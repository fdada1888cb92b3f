"""The fixed part of the generated ``_torch2paddle_runtime.py``: the run-time keyword adapter, layer
attributes, placeholders for refused names, and small helpers converted code calls (file objects and
whole layers for save/load, split sections, ceil-mode strides, ``Layer.train`` recursion, ``layer_to``).

Everything below the ``COPIED`` line is copied verbatim after the generated ``DROP``/``_VALUES``/``_SPECS``
(``runtime.module_source``).  Like the rest of that module it imports only the standard library when it
is imported; Paddle is imported inside the functions.  The names defined above the line stand for the
generated ones, so this file can be imported and checked on its own.
"""

DROP = object()  # generated: a value Paddle expresses by leaving the keyword out
_VALUES: dict = {}  # generated: value conversions the specs name
_SPECS: dict = {}  # generated: what the adapter knows of each torch API

# ---- COPIED into _torch2paddle_runtime.py from here on (torch2paddle/runtime_base.py) ----


def kwargs(api, given, **defaults):
    """Paddle keyword arguments for torch's ``api`` called with ``**given``; ``defaults`` are Paddle
    keywords the converter would have written out (used unless ``given`` supplies them)."""
    spec = _SPECS[api]
    out = {}
    for name, value in given.items():
        if name in spec.get("then_to", ()):  # a layer's dtype=: applied by `.to(...)` on the built layer
            if value is None:
                continue
            raise TypeError(f"{api}: {name}={value!r} through **kwargs: Paddle's layer takes no {name}; pass it "
                            f"by name, where the converted call builds the layer and then casts it")
        check = spec["checks"].get(name)
        if check is not None:
            refused = value in check["deny"] if check["deny"] else value not in check["allow"]
            if refused:
                raise TypeError(f"{api}: {name}={value!r} has no Paddle equivalent: {check['reason']}")
        if name in spec["drop"] or (check is not None and check["allow"] and name not in spec["rename"]
                                     and name not in spec["values"]):
            continue  # a keyword Paddle does not take, passed torch's no-op value
        if name in spec["values"]:
            convert = _VALUES.get(spec["values"][name])
            if convert is None:
                raise TypeError(f"{api}: {name}= needs a conversion that only works written out: "
                                f"pass it explicitly, not through **kwargs")
            value = convert(value)
            if value is DROP:
                continue
        out[spec["rename"].get(name, name)] = value
    for name, value in defaults.items():
        out.setdefault(name, value)
    return out


def positional(api, values):
    """torch's positional arguments of ``api`` (``*args`` of a call whose positions differ in Paddle), bound to
    torch's parameter names; ``kwargs`` then translates them like keywords."""
    names = _SPECS[api]["args"]
    if len(values) > len(names):
        raise TypeError(f"{api} takes at most {len(names)} positional arguments ({len(values)} given)")
    return dict(zip(names, values))


class _LegacyTensorType(type):
    """The legacy ``torch.<T>Tensor`` classes: calling one makes a tensor of its dtype (one sequence, array or
    tensor is data; integers, or nothing, a size: uninitialised, as torch's); ``isinstance(x, cls)``: a tensor
    of that dtype (on any device: the converted program places tensors by Paddle's default device)."""

    def __instancecheck__(cls, obj):
        import paddle

        return isinstance(obj, paddle.Tensor) and obj.dtype == getattr(paddle, cls._dtype)

    def __call__(cls, *args, **kwargs):
        import paddle

        name = "torch." + cls.__name__
        if kwargs:
            raise NotImplementedError(f"{name}(...) with keywords (torch2paddle): write paddle.to_tensor(data, "
                                      f"dtype='{cls._dtype}') or paddle.empty(shape, dtype='{cls._dtype}')")
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args):  # sizes; none: an empty tensor
            return paddle.empty(list(args) if args else [0], dtype=cls._dtype)
        if len(args) == 1 and isinstance(args[0], paddle.Tensor):  # torch: the tensor itself, if of this type
            if not isinstance(args[0], cls):
                raise TypeError(f"expected {name} (got a {args[0].dtype} tensor)")
            return args[0]
        if len(args) == 1:  # a sequence or an array: data
            return paddle.to_tensor(args[0], dtype=cls._dtype)
        raise TypeError(f"{name}(): expected a sequence of data or integer sizes")


for _name, _dtype in {"FloatTensor": "float32", "DoubleTensor": "float64", "HalfTensor": "float16",
                      "BFloat16Tensor": "bfloat16", "ByteTensor": "uint8", "CharTensor": "int8",
                      "ShortTensor": "int16", "IntTensor": "int32", "LongTensor": "int64",
                      "BoolTensor": "bool"}.items():
    globals()[_name] = _LegacyTensorType(_name, (), {"_dtype": _dtype, "__module__": __name__})
del _name, _dtype


class _OptimizerType(type):
    """isinstance(opt, torch.optim.Optimizer): a converted torch optimizer (Paddle's own) is one too."""

    def __instancecheck__(cls, obj):
        import paddle

        return type.__instancecheck__(cls, obj) or (cls is Optimizer and isinstance(obj, paddle.optimizer.Optimizer))


class Optimizer(metaclass=_OptimizerType):
    """torch.optim.Optimizer's protocol over Paddle parameters, the base of a project's own optimizers: ``defaults``,
    ``param_groups`` (dicts holding ``params`` and the options), ``state`` (per parameter), ``zero_grad``,
    ``add_param_group``, ``state_dict``/``load_state_dict`` in torch's layout; the subclass writes ``step``
    (converted code runs it under ``paddle.no_grad()``, where in-place updates of parameters are allowed).
    Paddle's names (``clear_grad``, ``get_lr``/``set_lr``, ``set_state_dict``) are there for converted calls."""

    def __init__(self, params, defaults):
        import collections

        self.defaults = dict(defaults)
        self.state = collections.defaultdict(dict)
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        for group in groups if isinstance(groups[0], dict) else [{"params": groups}]:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        import paddle

        group = dict(param_group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, paddle.Tensor) else list(params)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        for name, value in self.defaults.items():
            group.setdefault(name, value)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.clear_gradient(set_to_zero=not set_to_none)

    def clear_grad(self, set_to_zero=True):
        self.zero_grad(set_to_none=not set_to_zero)

    def step(self, closure=None):
        raise NotImplementedError

    def get_lr(self):
        return self.param_groups[0]["lr"]

    def set_lr(self, value):
        for group in self.param_groups:
            group["lr"] = value

    def state_dict(self):
        index = {id(p): i for i, p in enumerate(p for g in self.param_groups for p in g["params"])}
        groups = [{**{k: v for k, v in g.items() if k != "params"}, "params": [index[id(p)] for p in g["params"]]}
                  for g in self.param_groups]
        return {"state": {index[id(p)]: dict(v) for p, v in ((p, self.state[p]) for g in self.param_groups
                                                           for p in g["params"]) if v},
                "param_groups": groups}

    def load_state_dict(self, state_dict):
        params = [p for g in self.param_groups for p in g["params"]]
        if len(state_dict["param_groups"]) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for group, saved in zip(self.param_groups, state_dict["param_groups"]):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 "optimizer's group")
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state.clear()
        for i, value in state_dict["state"].items():
            self.state[params[int(i)]] = dict(value)

    set_state_dict = load_state_dict


_CLASSES = None


def kwargs_for(callee, given, positional=0):
    """``kwargs`` for whatever ``callee`` is when the call runs: a Paddle class the tables map (or a
    functools.partial of one) gets its keywords translated; anything else (a project class or function,
    which takes torch's keywords itself) gets them as they are.  ``positional``: how many positional
    arguments the call passes; more than mean the same in Paddle raises a TypeError naming the class."""
    global _CLASSES
    if _CLASSES is None:
        import importlib

        _CLASSES = {}
        for api, spec in _SPECS.items():
            if spec is None:  # keyword rules that cannot run as data: never translated at run time
                continue
            module, _, name = spec["target"].rpartition(".")
            try:
                if module == "_torch2paddle_runtime":  # this module's own (built on first use by its __getattr__)
                    value = globals()[name] if name in globals() else globals()["__getattr__"](name)
                else:
                    value = getattr(importlib.import_module(module), name)
                _CLASSES[value] = api
            except (ImportError, AttributeError, KeyError):
                pass
    target = callee
    while hasattr(target, "func") and hasattr(target, "keywords"):  # functools.partial
        target = target.func
    api = _CLASSES.get(target) if isinstance(target, type) else None
    if api is not None and positional > _SPECS[api]["positions"]:
        raise TypeError(f"torch2paddle: {api} takes its arguments past the first "
                        f"{_SPECS[api]['positions']} in another order in Paddle: pass them by keyword")
    if api is None and (given or positional > 1) and getattr(target, "__module__", "").startswith("paddle."):
        # a Paddle class whose torch counterpart this module does not know: torch's keywords may mean
        # something else there (BatchNorm momentum), so they are not passed on unchecked
        raise TypeError(f"torch2paddle: the torch keywords {sorted(given)} cannot be translated for "
                        f"{target.__name__}: pass them in Paddle's terms")
    return kwargs(api, given) if api is not None else dict(given)


def torch_attr(module, name, torch_module):
    """``getattr(nn, rnn_type)(...)``: the torch class or function chosen by name when the code runs, as a
    callable that takes torch's arguments and calls the Paddle counterpart the tables map it to (positional
    arguments bound by torch's names, keywords translated as ``kwargs`` does, torch's defaults written out
    where Paddle's differ).  A name whose conversion needs more than its table data raises, naming it."""
    import importlib

    api = f"{torch_module}.{name}"
    spec = _SPECS.get(api)
    if spec is None or spec.get("unsupported") or not spec.get("plain") or spec.get("defaults") is None:
        if spec is None and not hasattr(module, name):
            raise AttributeError(f"module {torch_module!r} has no attribute {name!r} (torch2paddle)")
        reason = (spec or {}).get("unsupported") or "its conversion needs more than the tables' data"
        raise NotImplementedError(f"{api}, chosen by name when the code runs, has no Paddle counterpart "
                                  f"here: {reason} (torch2paddle)")
    owner, _, attribute = spec["target"].rpartition(".")
    target = getattr(importlib.import_module(owner), attribute)

    def call(*args, **given):
        if len(args) > len(spec["args"]):
            raise TypeError(f"{api} takes at most {len(spec['args'])} positional arguments (torch2paddle)")
        named = dict(zip(spec["args"], args))
        for key, value in given.items():
            if key in named:
                raise TypeError(f"{api} got multiple values for argument {key!r}")
            if key not in spec["args"]:  # torchvision's legacy pretrained=True: Paddle's would load its own weights
                raise TypeError(f"{api}: {key}= is not one of the parameters torch2paddle maps for it")
            named[key] = value
        for key, value in spec["defaults"].items():
            named.setdefault(key, value)
        keep = spec["positions"]  # leading arguments that mean the same in Paddle stay positional
        leading = [named.pop(n) for n in spec["args"][:min(keep, len(args))]]
        return target(*leading, **kwargs(api, named))

    call.__name__ = call.__qualname__ = name
    return call


_NAMESPACES = {}


def torch_namespace(torch_module):
    """``torchvision.models.__dict__``: the members of ``torch_module`` the tables map, by torch's name, each a
    callable taking torch's arguments (``torch_attr``); members data alone cannot convert are left out."""
    import importlib

    namespace = _NAMESPACES.get(torch_module)
    if namespace is not None:
        return namespace
    namespace = _NAMESPACES[torch_module] = {}
    prefix = torch_module + "."
    for api, spec in _SPECS.items():
        name = api[len(prefix):]
        if not api.startswith(prefix) or "." in name or not spec or spec.get("unsupported") \
                or not spec.get("plain") or spec.get("defaults") is None:
            continue
        owner = importlib.import_module(spec["target"].rpartition(".")[0])
        namespace[name] = torch_attr(owner, name, torch_module)
    return namespace

# torch layer attributes Paddle keeps under another name (or derives from the weight)
_LAYER_ATTRIBUTES = {
    "in_channels": lambda layer: layer._in_channels,
    "out_channels": lambda layer: layer._out_channels,
    "num_features": lambda layer: layer._num_features,
    "num_embeddings": lambda layer: layer._num_embeddings,
    "embedding_dim": lambda layer: layer._embedding_dim,
    "in_features": lambda layer: layer.weight.shape[0],  # Paddle's Linear weight is [in, out]
    "out_features": lambda layer: layer.weight.shape[1],
    "kernel_size": lambda layer: tuple(layer._kernel_size) if hasattr(layer, "_kernel_size")  # torch: tuples
    else layer.ksize,  # a pool: kept as given, as torch keeps it
    "count_include_pad": lambda layer: not layer.exclusive,
    "divisor_override": lambda layer: layer.divisor,
    "return_indices": lambda layer: layer.return_mask,
    "dilation": lambda layer: tuple(layer._dilation),
    "stride": lambda layer: tuple(layer._stride),
    "groups": lambda layer: layer._groups,
    "eps": lambda layer: layer._epsilon,
    "momentum": lambda layer: 1 - layer._momentum,  # Paddle weighs the old statistic: 1 - torch's
    "normalized_shape": lambda layer: tuple(layer._normalized_shape),
    "track_running_stats": lambda layer: layer._use_global_stats is not False,
    "negative_slope": lambda layer: layer._negative_slope,
    # Paddle: weight_attr=False leaves no weight (InstanceNorm's is called scale)
    "affine": lambda layer: (layer.weight if hasattr(layer, "weight") else layer.scale) is not None,
    "elementwise_affine": lambda layer: layer.weight is not None,
    "padding_mode": lambda layer: layer._padding_mode,
    "num_groups": lambda layer: layer._num_groups,
    "num_channels": lambda layer: layer._num_channels,
    "start_dim": lambda layer: layer.start_axis,
    "end_dim": lambda layer: layer.stop_axis,
    "padding": lambda layer: layer._padding if isinstance(layer._padding, (str, tuple))
    else tuple(layer._padding) if isinstance(layer._padding, list) else (layer._padding,) * len(layer._kernel_size),
}


def load_state_dict(obj, state_dict, strict=True):
    """torch's ``load_state_dict`` on Paddle's ``set_state_dict``: for a layer, missing or unexpected keys raise
    (``strict``, torch's default) and are returned as torch's named tuple (Paddle warns and returns a plain
    tuple); optimizers and schedulers load as Paddle's do."""
    import collections
    import paddle

    result = obj.set_state_dict(state_dict)
    if not isinstance(obj, paddle.nn.Layer) or not isinstance(result, tuple) or len(result) != 2:
        return result
    missing, unexpected = list(result[0]), list(result[1])
    if strict and (missing or unexpected):
        raise RuntimeError(f"Error(s) in loading state_dict for {type(obj).__name__}: missing keys {missing}, "
                           f"unexpected keys {unexpected}")
    keys = collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])
    return keys(missing, unexpected)


def write_out(result, out):
    """torch's ``out=``: the result written into the given tensor, or each result into the given tuple of tensors
    (``torch.max(x, 1, out=(values, indices))``), in place (cast to its dtype, resized to the result's shape),
    and returned as torch returns it. Paddle's functions return new tensors."""
    import paddle

    if isinstance(out, (tuple, list)):
        if not isinstance(result, (tuple, list)) or len(result) != len(out):
            raise TypeError(f"out= holds {len(out)} tensors, the result is not {len(out)} tensors")
        for value, target in zip(result, out):
            paddle.assign(value.astype(target.dtype), output=target)
        return tuple(out)
    return paddle.assign(result.astype(out.dtype), output=out)


def layer_attr(obj, name):
    """``obj.<name>`` as torch reads it: the object's own attribute when it has one (a project class),
    else the Paddle layer's counterpart."""
    try:
        value = getattr(obj, name)
    except AttributeError:
        return _LAYER_ATTRIBUTES[name](obj)
    if value is None and name == "stride" and hasattr(obj, "ksize"):
        return obj.ksize  # a Paddle pool keeps stride=None for the kernel size, torch the kernel size
    return value


def operand(tensor, value):
    """An operand of Paddle's in-place add_/subtract_/multiply_/divide_, which take tensors only: a
    Python number becomes a tensor of the receiver's dtype, as torch computes with it."""
    import paddle

    return value if isinstance(value, paddle.Tensor) else paddle.to_tensor(value, dtype=tensor.dtype)


def train_calls_overrides(cls):
    """Decorates a layer class that overrides ``train``.  torch's ``Module.train(mode)`` calls every
    child's ``train(mode)`` and ``eval()`` is ``train(False)``, so the override (freezing BatchNorm) runs
    whichever ancestor is switched; Paddle's ``Layer.train``/``eval`` only set ``training`` on every
    sublayer.  Gives ``paddle.nn.Layer`` torch's recursion (once per process; same flags as Paddle's)."""
    import paddle

    layer = paddle.nn.Layer
    if issubclass(cls, layer) and not getattr(layer.train, "_torch2paddle", False):
        paddle_train = layer.train

        def train(self, mode=True):
            paddle_train(self, mode)  # the tracer's mode, `training` on self and every sublayer
            for child in self.children():
                child.train(mode)  # an override runs, as in torch
            return self

        def eval(self):
            return self.train(False)

        train._torch2paddle = True
        layer.train, layer.eval = train, eval
    return cls


def ceil_mode_stride(stride, kernel_size, ceil_mode=True):
    """The stride of a ceil_mode pool with no padding, checked when the layer is built: with a stride
    above the kernel, torch drops a last window that starts past the input and Paddle keeps it (its output
    would be one larger), so that case raises instead of pooling differently."""
    strides = tuple(stride) if isinstance(stride, (tuple, list)) else (stride,)
    kernels = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size,)
    if ceil_mode and stride is not None and any(s > k for s, k in zip(strides * len(kernels) if len(strides) == 1 else strides,
                                                    kernels * len(strides) if len(kernels) == 1 else kernels)):
        raise NotImplementedError(f"ceil_mode=True with stride {stride} > kernel_size {kernel_size}: Paddle keeps a "
                                  "last window that starts past the input (torch drops it) (torch2paddle)")
    return stride


def split_sections(size_or_sections, length):
    """torch's split argument as Paddle's sections: an int is a chunk *size* (the last chunk shorter),
    Paddle's int a chunk count; a list of sizes is the same on both sides."""
    if isinstance(size_or_sections, int):
        return [size_or_sections] * (length // size_or_sections) + ([length % size_or_sections] if length % size_or_sections else [])
    return list(size_or_sections)


def layer_to(obj, *args, **kwargs):
    """``obj.to(...)``; for a Paddle layer torch's ``Module.to(device)`` / ``.to(dtype)`` / ``.to(device, dtype)`` /
    ``.to(tensor)``: a dtype (positional or keyword) casts the floating-point (and complex) parameters and buffers
    only and must itself be floating point or complex (Paddle's Layer.to(dtype=...) casts integer buffers too, and
    reads a positional dtype as the device); never-initialised buffers (every RNN layer's _dropout_state, on which
    Paddle 3.3's Layer.to fails: "Tensor's dimension is out of bound") are left out.  Returns the layer."""
    import paddle

    if not isinstance(obj, paddle.nn.Layer):
        return obj.to(*args, **kwargs)
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword argument(s) {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, paddle.Tensor):
            device, dtype = arg.place, arg.dtype
        elif isinstance(arg, paddle.dtype):
            dtype = arg
        elif isinstance(arg, bool):
            continue  # non_blocking: a synchronous copy gives the same values
        elif device is None:
            device = arg
        else:
            raise TypeError(f"to() received an invalid combination of arguments: {args!r}")
    if dtype is not None:
        probe = paddle.zeros([1], dtype=dtype)
        if not (probe.is_floating_point() or probe.is_complex()):
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={dtype}")
    skipped = []
    for layer in obj.sublayers(include_self=True):
        for key, buffer in list(layer._buffers.items()):
            if buffer is None:
                continue
            if not buffer._is_initialized() or (dtype is not None and not (buffer.is_floating_point()
                                                                           or buffer.is_complex())):
                skipped.append((layer, key, buffer))
                del layer._buffers[key]
    try:
        if device is not None:
            obj.to(device=device)
        if dtype is not None:
            obj.to(dtype=dtype)
    finally:
        for layer, key, buffer in skipped:
            layer._buffers[key] = buffer
    if device is not None:  # an integer buffer still moves with the layer
        for layer, key, buffer in skipped:
            if buffer._is_initialized():
                layer._buffers[key] = buffer.to(device=device)
    return obj


def inplace(tensor, method, value):
    """``tensor.<method>(value)`` for Paddle's in-place add_/subtract_/multiply_/divide_ on a receiver written once
    (``tensor.mul_(std).add_(mean)``): a Python number operand made a tensor first, as ``operand`` does."""
    return getattr(tensor, method)(operand(tensor, value))

def layer_cast(obj, dtype):
    """``obj.double()`` / ``.float()`` / ``.half()`` / ``.bfloat16()`` where ``obj`` may be a layer: torch casts a
    module's floating-point parameters and buffers only (Paddle's Layer.to(dtype) casts integer buffers too,
    and its astype leaves the parameters as they are); anything else is ``obj.astype(dtype)``."""
    import paddle

    if not isinstance(obj, paddle.nn.Layer):
        return obj.astype(dtype)
    skipped = []
    for layer in obj.sublayers(include_self=True):
        for key, buffer in list(layer._buffers.items()):
            if buffer is not None and (not buffer._is_initialized() or not buffer.is_floating_point()):
                skipped.append((layer, key, buffer))
                del layer._buffers[key]
    try:
        obj.to(dtype=dtype)
    finally:
        for layer, key, buffer in skipped:
            layer._buffers[key] = buffer
    return obj

def cudnn_deterministic(flag):
    """``torch.backends.cudnn.deterministic = flag``: Paddle's FLAGS_cudnn_deterministic on a CUDA build; a CPU
    build has no cuDNN (and no such flag), so there is nothing to make deterministic."""
    import paddle

    if paddle.is_compiled_with_cuda():
        paddle.set_flags({"FLAGS_cudnn_deterministic": bool(flag)})

def fan_in_and_fan_out(tensor, linear=None):
    """torch's ``nn.init._calculate_fan_in_and_fan_out`` on a converted weight.  Paddle keeps a Linear's weight
    as [in, out] (torch: [out, in]) and every other weight in torch's [out, in, *kernel] layout, so the
    converter says which one it is (``linear``) where the source shows it; a 2-D tensor it cannot tell
    raises rather than swap the fans."""
    shape = list(tensor.shape)
    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    if linear:
        return shape[0], shape[1]
    if len(shape) == 2 and linear is None:
        raise NotImplementedError("_calculate_fan_in_and_fan_out of a 2-D tensor whose layout the converter "
                                  "could not tell (a Linear weight is [in, out] in Paddle): compute the fans from "
                                  "the layer's sizes (torch2paddle)")
    receptive = 1
    for size in shape[2:]:
        receptive *= size
    return shape[1] * receptive, shape[0] * receptive

def save(obj, path, **kwargs):
    """``paddle.save`` that also writes to a file object (``torch.save(obj, open(path, "wb"))``: Paddle
    takes a path or a BytesIO only) and saves a whole layer (``torch.save(model, path)``: Paddle refuses
    layers), pickled with its parameters kept parameters."""
    import io

    import paddle

    buffer = io.BytesIO()
    if _holds_layer(obj):
        _parameter_pickler(buffer, kwargs.get("protocol", 4)).dump(obj)
    else:
        paddle.save(obj, buffer, **kwargs)
    if hasattr(path, "write"):
        path.write(buffer.getvalue())
    else:
        with open(path, "wb") as f:
            f.write(buffer.getvalue())


def load(path, **kwargs):
    """``paddle.load`` that also reads a file object (``with open(path, "rb") as f: torch.load(f)``) and a
    whole layer saved by ``save``."""
    import io
    import pickle

    import paddle

    if hasattr(path, "read"):
        data = path.read()
    else:
        with open(path, "rb") as f:
            data = f.read()
    try:
        return paddle.load(io.BytesIO(data), **kwargs)
    except (NotImplementedError, TypeError, ValueError):  # a whole layer: Paddle's loader refuses it
        return pickle.loads(data)


def _holds_layer(obj):
    import paddle

    if isinstance(obj, paddle.nn.Layer):
        return True
    if isinstance(obj, dict):
        return any(_holds_layer(v) for v in obj.values())
    return isinstance(obj, (list, tuple)) and any(_holds_layer(v) for v in obj)


def _parameter(array, stop_gradient, trainable):
    """A parameter again on load (plain pickling would give a plain tensor)."""
    import paddle

    parameter = paddle.create_parameter(list(array.shape), str(array.dtype),
                                        default_initializer=paddle.nn.initializer.Assign(array))
    parameter.stop_gradient, parameter.trainable = stop_gradient, trainable
    return parameter


def _uninitialized():
    import paddle

    return paddle.Tensor()


def _parameter_pickler(file, protocol):
    """A pickler that keeps a layer's parameters parameters (``reducer_override``)."""
    import pickle

    import paddle

    class ParameterPickler(pickle.Pickler):
        def reducer_override(self, obj):
            if isinstance(obj, paddle.base.framework.EagerParamBase):
                return _parameter, (obj.numpy(), obj.stop_gradient, obj.trainable)
            if isinstance(obj, paddle.Tensor) and not obj._is_initialized():
                return _uninitialized, ()  # an RNN's _dropout_state: Paddle's own pickling fails on it
            return NotImplemented

    return ParameterPickler(file, protocol=protocol)


class _Unsupported:
    """Stands for a torch name Paddle has no counterpart for, where the module needs it at import time
    (a registry of layer classes, a default value): using it raises, naming the API and why."""

    def __init__(self, api, reason):
        self._api, self._reason = api, reason

    def _refuse(self):
        return NotImplementedError(f"{self._api} has no Paddle counterpart: {self._reason} (torch2paddle)")

    def __call__(self, *args, **kwargs):
        raise self._refuse()

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise self._refuse()

    def __bool__(self):  # `if not placeholder:` must not pick a branch silently
        raise self._refuse()

    def __iter__(self):  # else Python iterates through __getitem__ without end
        raise self._refuse()

    def __len__(self):
        raise self._refuse()

    def __contains__(self, item):
        raise self._refuse()

    def __getitem__(self, item):  # an annotation (BroadcastingList2[int]): still a placeholder
        return self

    def __or__(self, other):  # an annotation (Placeholder | None)
        return self

    __ror__ = __or__

    def __repr__(self):
        return f"<unsupported {self._api}>"


def unsupported(api, reason):
    return _Unsupported(api, reason)


def unsupported_decorator(api, reason):
    """A decorator standing for a torch decorator Paddle has no counterpart for: the function is
    defined (the module imports), calling it raises, naming the API and why."""
    import functools

    def decorate(function):
        @functools.wraps(function)
        def refused(*args, **kwargs):
            raise NotImplementedError(f"{api} has no Paddle counterpart: {reason} (torch2paddle)")

        return refused

    return decorate


class _UnsupportedClass(type):
    """The metaclass of a placeholder base: reading a class attribute it lacks (``F.apply``) raises."""

    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise NotImplementedError(f"{cls._api} has no Paddle counterpart: {cls._reason} (torch2paddle)")


def unsupported_base(api, reason):
    """A base class standing for a torch class Paddle has none of: the subclass can be defined (the module
    imports), but creating an instance or reading a missing class attribute raises."""
    def refuse(self, *args, **kwargs):
        raise NotImplementedError(f"{api} has no Paddle counterpart: {reason} (torch2paddle)")

    return _UnsupportedClass("Unsupported", (), {"_api": api, "_reason": reason, "__init__": refuse})
