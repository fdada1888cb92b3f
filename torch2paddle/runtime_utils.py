"""torch utilities Paddle has no counterpart of, composed of Paddle ops, for the generated run-time module.

``torch.nn.utils.rnn``: Paddle's RNNs take a padded batch plus ``sequence_length`` and have no
``PackedSequence``.  ``pad_sequence``/``unpad_sequence``, ``pack_padded_sequence``/``pad_packed_sequence``,
``pack_sequence``/``unpack_sequence`` and ``invert_permutation`` are torch's functions written in Paddle ops,
with torch's signatures, errors and results; ``PackedSequence`` is torch's named tuple (``data``,
``batch_sizes``, ``sorted_indices``, ``unsorted_indices``) holding the same values torch's would.  The packing
order follows torch's exactly, ties between equal lengths included: ``enforce_sorted=False`` sorts the lengths
with torch's CPU sort (``std::sort``, not a stable sort, once the batch has more than 16 sequences), which
``_rnn_sort_descending`` reproduces step by step.  A ``PackedSequence`` cannot be fed to a converted
``nn.LSTM``/``GRU``/``RNN``: Paddle's layers take the padded batch and ``sequence_length=lengths``, and the
attribute they read first raises an ``AttributeError`` saying so.

``torch.distributions.Categorical``/``OneHotCategorical`` become ``Categorical``/``OneHotCategorical`` here:
``paddle.distribution.Categorical`` reads its argument as logits in ``entropy``/``sample`` but as unnormalised
probabilities in ``probs``/``log_prob`` (and broadcasts ``log_prob``'s value against every batch row), and
Paddle has no OneHotCategorical.  These are ``paddle.distribution.Distribution`` subclasses with torch's
constructor (``probs=`` or ``logits=``), normalisation, attributes (``probs``, ``logits``, ``param_shape``,
``mean``, ``mode``, ``variance``), ``sample``/``log_prob``/``entropy``/``enumerate_support`` and torch's KL
(registered with ``paddle.distribution.register_kl``).  They need ``paddle.distribution.Distribution`` to be
defined, so they are built on first use (the module's ``__getattr__``) and kept.

Everything below the ``COPIED`` line is copied verbatim into ``_torch2paddle_runtime.py``
(``runtime.module_source``) when a converted file uses one of the names defined there. Like the rest of that
module it imports nothing but the standard library when it is imported: Paddle is imported inside the functions.
"""

CLASSES = frozenset({"Categorical", "OneHotCategorical"})  # built lazily: served by the module's __getattr__

# ---- COPIED into _torch2paddle_runtime.py from here on (torch2paddle/runtime_utils.py) ----

import collections as _rnn_collections


# `_rnn_sort_descending` runs libstdc++'s std::sort step by step on a list of (key, index) pairs: the
# `_ut_sort_*` functions below are its steps (each works in place on that list, `items`).


def _ut_sort_less(a, b):  # torch's KeyValueCompDesc: "a sorts before b"
    return a[0] > b[0]


def _ut_sort_adjust_heap(items, first, hole, length, value):
    """std::__adjust_heap: sift the hole down to a leaf, then push ``value`` up from there."""
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if _ut_sort_less(items[first + child], items[first + child - 1]):
            child -= 1
        items[first + hole] = items[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        items[first + hole] = items[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and _ut_sort_less(items[first + parent], value):
        items[first + hole] = items[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    items[first + hole] = value


def _ut_sort_heap_sort(items, first, last):
    """std::__partial_sort over the whole range: make_heap, then sort_heap."""
    length = last - first
    if length >= 2:
        parent = (length - 2) // 2
        while True:
            _ut_sort_adjust_heap(items, first, parent, length, items[first + parent])
            if parent == 0:
                break
            parent -= 1
    while last - first > 1:
        last -= 1
        value = items[last]
        items[last] = items[first]
        _ut_sort_adjust_heap(items, first, 0, last - first, value)


def _ut_sort_swap(items, i, j):
    items[i], items[j] = items[j], items[i]


def _ut_sort_median_to_first(items, result, a, b, c):
    """std::__move_median_to_first: the median of items a, b, c swapped into ``result``."""
    less = _ut_sort_less
    if less(items[a], items[b]):
        if less(items[b], items[c]):
            _ut_sort_swap(items, result, b)
        elif less(items[a], items[c]):
            _ut_sort_swap(items, result, c)
        else:
            _ut_sort_swap(items, result, a)
    elif less(items[a], items[c]):
        _ut_sort_swap(items, result, a)
    elif less(items[b], items[c]):
        _ut_sort_swap(items, result, c)
    else:
        _ut_sort_swap(items, result, b)


def _ut_sort_partition(items, first, last, pivot):
    """std::__unguarded_partition around ``items[pivot]``: the cut."""
    while True:
        while _ut_sort_less(items[first], items[pivot]):
            first += 1
        last -= 1
        while _ut_sort_less(items[pivot], items[last]):
            last -= 1
        if not first < last:
            return first
        _ut_sort_swap(items, first, last)
        first += 1


def _ut_sort_introsort(items, first, last, depth):
    """std::__introsort_loop: quicksort down to ranges of 16, heap sort once ``depth`` runs out."""
    while last - first > 16:
        if depth == 0:
            _ut_sort_heap_sort(items, first, last)
            return
        depth -= 1
        _ut_sort_median_to_first(items, first, first + 1, first + (last - first) // 2, last - 1)
        cut = _ut_sort_partition(items, first + 1, last, first)
        _ut_sort_introsort(items, cut, last, depth)
        last = cut


def _ut_sort_linear_insert(items, last):
    """std::__unguarded_linear_insert: ``items[last]`` moved down to its place."""
    value = items[last]
    previous = last - 1
    while _ut_sort_less(value, items[previous]):
        items[last] = items[previous]
        last = previous
        previous -= 1
    items[last] = value


def _ut_sort_insertion_sort(items, first, last):
    """std::__insertion_sort."""
    for i in range(first + 1, last):
        if _ut_sort_less(items[i], items[first]):
            value = items[i]
            items[first + 1:i + 1] = items[first:i]
            items[first] = value
        else:
            _ut_sort_linear_insert(items, i)


def _ut_sort_final_insertion_sort(items, n):
    """std::__final_insertion_sort: guarded over the first 16, unguarded over the rest."""
    if n > 16:
        _ut_sort_insertion_sort(items, 0, 16)
        for i in range(16, n):
            _ut_sort_linear_insert(items, i)
    else:
        _ut_sort_insertion_sort(items, 0, n)


def _rnn_sort_descending(keys):
    """The permutation torch's CPU ``torch.sort(lengths, descending=True)`` returns: libstdc++'s ``std::sort``
    (introsort, then insertion sort below 16 elements) comparing keys only, so equal lengths come out in the
    order that algorithm leaves them, not in their original order."""
    items = [(key, index) for index, key in enumerate(keys)]
    n = len(items)
    if n:
        _ut_sort_introsort(items, 0, n, 2 * (n.bit_length() - 1))
        _ut_sort_final_insertion_sort(items, n)
    return [index for _, index in items]


def _rnn_int_list(values):
    """Lengths or batch sizes (a tensor, list or tuple) as a list of Python ints."""
    import paddle

    if isinstance(values, paddle.Tensor):
        return [int(v) for v in values.astype("int64").reshape([-1]).tolist()]
    return [int(v) for v in values]


def invert_permutation(permutation):
    """torch's ``nn.utils.rnn.invert_permutation``: the inverse of a 1-D permutation (None stays None)."""
    import paddle

    if permutation is None:
        return None
    order = _rnn_int_list(permutation)
    inverse = [0] * len(order)
    for position, index in enumerate(order):
        inverse[index] = position
    return paddle.to_tensor(inverse, dtype=permutation.dtype, place=permutation.place)


class _PackedSequenceFields(_rnn_collections.namedtuple("PackedSequence_",
                                                        ["data", "batch_sizes", "sorted_indices",
                                                         "unsorted_indices"])):
    __slots__ = ()


class PackedSequence(_PackedSequenceFields):
    """torch's ``PackedSequence``: a named tuple of the packed ``data`` (time step by time step, the sequences
    of each step in decreasing length order), ``batch_sizes`` (int64, how many sequences each step holds),
    ``sorted_indices`` and ``unsorted_indices`` (int64, or None when the batch came sorted)."""

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes), sorted_indices=...)
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def __getattr__(self, name):
        if name in ("dtype", "shape", "ndim"):  # what Paddle's RNN layers read of their input first
            raise AttributeError(
                f"'PackedSequence' object has no attribute {name!r}: Paddle's LSTM/GRU/SimpleRNN take no "
                "PackedSequence; call them with the padded batch and sequence_length=lengths, and keep "
                "pack_padded_sequence/pad_packed_sequence out of the model's forward")
        raise AttributeError(f"'PackedSequence' object has no attribute {name!r}")

    def _with_data(self, data):
        if data is self.data:
            return self

        def move(indices):
            return None if indices is None else indices.to(data.place)

        return type(self)(data, self.batch_sizes, move(self.sorted_indices), move(self.unsorted_indices))

    def to(self, *args, **kwargs):
        """``data.to(...)``; the indices follow data's device, ``batch_sizes`` stays as it is (torch's)."""
        return self._with_data(self.data.to(*args, **kwargs))

    def astype(self, dtype):
        return self._with_data(self.data.astype(dtype))

    def cpu(self):
        return self._with_data(self.data.cpu())

    def cuda(self, device_id=None, blocking=True):
        return self._with_data(self.data.cuda(device_id, blocking))

    def pin_memory(self):
        return self._with_data(self.data.pin_memory())

    def double(self):
        return self.astype("float64")

    def float(self):
        return self.astype("float32")

    def half(self):
        return self.astype("float16")

    def long(self):
        return self.astype("int64")

    def int(self):
        return self.astype("int32")

    def short(self):
        return self.astype("int16")

    def char(self):
        return self.astype("int8")

    def byte(self):
        return self.astype("uint8")

    @property
    def is_cuda(self):
        return self.data.place.is_gpu_place()

    def is_pinned(self):
        return self.data.place.is_cuda_pinned_place()


def _rnn_pad_rows(dtype, trailing, count, padding_value):
    import paddle

    return paddle.full([count, *trailing], padding_value, dtype=dtype)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """torch's ``nn.utils.rnn.pad_sequence``: sequences [L_i, *] padded to the longest, stacked along a new
    batch axis ([T, B, *], or [B, T, *] when ``batch_first``) in the first sequence's dtype."""
    import paddle

    if isinstance(sequences, paddle.Tensor):
        sequences = paddle.unbind(sequences, 0)
    try:
        sequences = tuple(sequences)
    except TypeError:
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}") from None
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    dtype = sequences[0].dtype
    trailing = list(sequences[0].shape[1:])
    longest = max(int(seq.shape[0]) for seq in sequences)
    rows = []
    for seq in sequences:
        seq = seq if seq.dtype == dtype else seq.astype(dtype)
        pad = longest - int(seq.shape[0])
        if pad:
            padding = _rnn_pad_rows(dtype, trailing, pad, padding_value)
            seq = paddle.concat([seq, padding] if padding_side == "right" else [padding, seq], axis=0)
        rows.append(seq)
    out = paddle.stack(rows, axis=0)
    if not batch_first:
        out = out.transpose([1, 0, *range(2, out.ndim)])
    return out


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """torch's ``nn.utils.rnn.unpad_sequence``: the list of sequences ``pad_sequence`` stacked.  Like torch,
    a time-major ``padded_sequences`` is transposed in place."""
    if not batch_first:
        padded_sequences.transpose_([1, 0, *range(2, padded_sequences.ndim)])
    return [seq[:length] for seq, length in zip(padded_sequences, _rnn_int_list(lengths), strict=True)]


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """torch's ``nn.utils.rnn.pack_padded_sequence``: the valid steps of a padded batch, step by step."""
    import paddle

    lengths = _rnn_int_list(lengths)
    sorted_indices = None
    if not enforce_sorted:
        order = _rnn_sort_descending(lengths)
        lengths = [lengths[i] for i in order]
        sorted_indices = paddle.to_tensor(order, dtype="int64", place=input.place)
        input = paddle.index_select(input, sorted_indices, axis=0 if batch_first else 1)
    batch = int(input.shape[0 if batch_first else 1])
    steps = int(input.shape[1 if batch_first else 0])
    if int(input.size) == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if len(lengths) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(lengths)} "
                           f"(batch_size={batch})")
    if lengths and lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in "
                           "'lengths' that is <= 0")
    if any(later > earlier for earlier, later in zip(lengths, lengths[1:])):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                           "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
                           "to sidestep this requirement if you do not need ONNX exportability.")
    if lengths and lengths[0] > steps:  # torch reads past the end of the input here
        raise RuntimeError(f"Expected sequence length to be at most {steps}, but got {lengths[0]}")
    batch_sizes = [sum(1 for length in lengths if length > t) for t in range(lengths[0] if lengths else 0)]
    rows = [(b * steps + t) if batch_first else (t * batch + b)
            for t, size in enumerate(batch_sizes) for b in range(size)]
    flat = input.reshape([batch * steps, *input.shape[2:]])
    data = paddle.gather(flat, paddle.to_tensor(rows, dtype="int64", place=input.place), axis=0)
    return PackedSequence(data, paddle.to_tensor(batch_sizes, dtype="int64"), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """torch's ``nn.utils.rnn.pad_packed_sequence``: (padded batch in the original order, int64 lengths)."""
    import paddle

    batch_sizes = _rnn_int_list(sequence.batch_sizes)
    max_seq_length = len(batch_sizes)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {max_seq_length}")
        max_seq_length = total_length
    data = sequence.data
    batch = batch_sizes[0]
    trailing = list(data.shape[1:])
    source = paddle.concat([data, _rnn_pad_rows(data.dtype, trailing, 1, padding_value)], axis=0)
    pad_row = int(data.shape[0])
    starts = [0]
    for size in batch_sizes:
        starts.append(starts[-1] + size)
    rows = []
    for t in range(max_seq_length):
        for b in range(batch):
            rows.append(starts[t] + b if t < len(batch_sizes) and b < batch_sizes[t] else pad_row)
    if batch_first:
        rows = [rows[t * batch + b] for b in range(batch) for t in range(max_seq_length)]
    padded = paddle.gather(source, paddle.to_tensor(rows, dtype="int64", place=data.place), axis=0)
    shape = [batch, max_seq_length] if batch_first else [max_seq_length, batch]
    padded = padded.reshape([*shape, *trailing])
    lengths = [sum(1 for size in batch_sizes if size > b) for b in range(batch)]
    if sequence.unsorted_indices is not None:
        order = _rnn_int_list(sequence.unsorted_indices)
        padded = paddle.index_select(padded, sequence.unsorted_indices, axis=0 if batch_first else 1)
        lengths = [lengths[i] for i in order]
    return padded, paddle.to_tensor(lengths, dtype="int64")


def pack_sequence(sequences, enforce_sorted=True):
    """torch's ``nn.utils.rnn.pack_sequence``: ``pad_sequence`` then ``pack_padded_sequence``."""
    lengths = [int(seq.shape[0]) for seq in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """torch's ``nn.utils.rnn.unpack_sequence``: the list of sequences a ``PackedSequence`` holds."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


# Categorical and OneHotCategorical derive from paddle.distribution.Distribution, so they can only be built once
# paddle is imported: each is built by a short function below (`_ut_build_*`, a `class` statement whose
# zero-argument super() calls stay in its body), and `_build_categorical_classes` builds both (and registers their
# KL) on the first use of one.  The longer method bodies are the module-level `_ut_*` functions that the class
# statements take as methods.


def _ut_extended_shape(dist, sample_shape=()):
    return [*sample_shape, *dist.batch_shape, *dist.event_shape]


def _ut_categorical_params(self, probs, logits):
    """Categorical's parameter, normalised as torch's is, set on ``self``: the batch shape."""
    import paddle

    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    self._cache = {}
    if probs is not None:
        if probs.ndim < 1:
            raise ValueError("`probs` parameter must be at least one-dimensional.")
        self._cache["probs"] = probs / probs.sum(-1, keepdim=True)
        self._param = self._cache["probs"]
    else:
        if logits.ndim < 1:
            raise ValueError("`logits` parameter must be at least one-dimensional.")
        self._cache["logits"] = logits - paddle.logsumexp(logits, axis=-1, keepdim=True)
        self._param = self._cache["logits"]
    self._num_events = int(self._param.shape[-1])
    return tuple(self._param.shape[:-1])


def _ut_categorical_logits(self):
    import paddle

    if "logits" not in self._cache:  # torch's probs_to_logits: log of probs clamped to [eps, 1 - eps]
        eps = paddle.finfo(self.probs.dtype).eps
        self._cache["logits"] = paddle.log(self.probs.clip(min=eps, max=1 - eps))
    return self._cache["logits"]


def _ut_categorical_probs(self):
    import paddle

    if "probs" not in self._cache:
        self._cache["probs"] = paddle.nn.functional.softmax(self.logits, axis=-1)
    return self._cache["probs"]


def _ut_categorical_nan(self):
    """Categorical's ``mean`` and ``variance``: NaN, as torch's are."""
    import math

    import paddle

    return paddle.full(_ut_extended_shape(self), math.nan, dtype=self.probs.dtype)


def _ut_categorical_sample(self, sample_shape=()):
    import math

    import paddle

    sample_shape = list(sample_shape)
    probs_2d = self.probs.reshape([-1, self._num_events])
    samples_2d = paddle.multinomial(probs_2d, math.prod(sample_shape), replacement=True).T
    return samples_2d.reshape(_ut_extended_shape(self, sample_shape))


def _ut_categorical_log_prob(self, value):
    import paddle

    value = value.astype("int64").unsqueeze(-1)
    shape = paddle.broadcast_shape(list(value.shape), list(self.logits.shape))
    log_pmf = self.logits.expand(shape)
    value = value.expand([*shape[:-1], 1])
    return paddle.take_along_axis(log_pmf, value, axis=-1).squeeze(-1)


def _ut_categorical_entropy(self):
    import paddle

    min_real = paddle.finfo(self.logits.dtype).min
    p_log_p = self.logits.clip(min=min_real) * self.probs
    return -p_log_p.sum(-1)


def _ut_categorical_enumerate_support(self, expand=True):
    import paddle

    values = paddle.arange(self._num_events, dtype="int64")
    values = values.reshape([-1] + [1] * len(self.batch_shape))
    if expand:
        values = values.expand([self._num_events, *self.batch_shape])
    return values


def _ut_categorical_repr(self):
    return f"Categorical({'probs' if self._param is self._cache.get('probs') else 'logits'}: " \
           f"{list(self._param.shape)})"


def _ut_prob(self, value):
    import paddle

    return paddle.exp(self.log_prob(value))


def _ut_perplexity(self):
    import paddle

    return paddle.exp(self.entropy())


def _ut_build_categorical():
    import paddle

    class Categorical(paddle.distribution.Distribution):
        """torch's ``Categorical(probs=None, logits=None)``: probs are normalised to sum to 1, logits to
        log-probabilities (``logits - logsumexp(logits)``)."""

        has_rsample = False
        has_enumerate_support = True

        def __init__(self, probs=None, logits=None, validate_args=None):
            super().__init__(_ut_categorical_params(self, probs, logits))

        logits = property(_ut_categorical_logits)
        probs = property(_ut_categorical_probs)
        param_shape = property(lambda self: list(self._param.shape))
        mean = property(_ut_categorical_nan)
        variance = property(_ut_categorical_nan)
        stddev = property(lambda self: self.variance.sqrt())
        mode = property(lambda self: self.probs.argmax(axis=-1))
        sample = _ut_categorical_sample
        log_prob = _ut_categorical_log_prob
        prob = _ut_prob
        entropy = _ut_categorical_entropy
        perplexity = _ut_perplexity
        enumerate_support = _ut_categorical_enumerate_support
        __repr__ = _ut_categorical_repr

    return Categorical


def _ut_onehot_mode(self):
    import paddle

    probs = self._categorical.probs
    return paddle.nn.functional.one_hot(probs.argmax(axis=-1), probs.shape[-1]).astype(probs.dtype)


def _ut_onehot_sample(self, sample_shape=()):
    import paddle

    probs = self._categorical.probs
    indices = self._categorical.sample(sample_shape)
    return paddle.nn.functional.one_hot(indices, probs.shape[-1]).astype(probs.dtype)


def _ut_onehot_enumerate_support(self, expand=True):
    import paddle

    n = self.event_shape[0]
    values = paddle.eye(n, dtype=self._param.dtype)
    values = values.reshape([n] + [1] * len(self.batch_shape) + [n])
    if expand:
        values = values.expand([n, *self.batch_shape, n])
    return values


def _ut_build_onehot_categorical(categorical):
    import paddle

    class OneHotCategorical(paddle.distribution.Distribution):
        """torch's ``OneHotCategorical(probs=None, logits=None)``: a Categorical whose samples and values are
        one-hot vectors."""

        has_rsample = False
        has_enumerate_support = True

        def __init__(self, probs=None, logits=None, validate_args=None):
            self._categorical = categorical(probs, logits)
            param_shape = list(self._categorical.param_shape)
            super().__init__(tuple(param_shape[:-1]), tuple(param_shape[-1:]))

        _param = property(lambda self: self._categorical._param)
        probs = property(lambda self: self._categorical.probs)
        logits = property(lambda self: self._categorical.logits)
        param_shape = property(lambda self: self._categorical.param_shape)
        mean = property(lambda self: self._categorical.probs)
        mode = property(_ut_onehot_mode)
        variance = property(lambda self: self._categorical.probs * (1 - self._categorical.probs))
        stddev = property(lambda self: self.variance.sqrt())
        sample = _ut_onehot_sample
        prob = _ut_prob
        perplexity = _ut_perplexity
        enumerate_support = _ut_onehot_enumerate_support

        def log_prob(self, value):
            return self._categorical.log_prob(value.argmax(axis=-1))

        def entropy(self):
            return self._categorical.entropy()

    return OneHotCategorical


def _ut_kl_categorical_categorical(p, q):  # torch's _kl_categorical_categorical
    import math

    import paddle

    t = p.probs * (p.logits - q.logits)
    t = paddle.where((q.probs == 0).expand(t.shape), paddle.full_like(t, math.inf), t)
    t = paddle.where((p.probs == 0).expand(t.shape), paddle.zeros_like(t), t)
    return t.sum(-1)


def _ut_kl_onehot_onehot(p, q):
    return _ut_kl_categorical_categorical(p._categorical, q._categorical)


def _build_categorical_classes():
    """torch's Categorical and OneHotCategorical as paddle.distribution.Distribution subclasses."""
    import paddle

    categorical = _ut_build_categorical()
    onehot = _ut_build_onehot_categorical(categorical)
    paddle.distribution.register_kl(categorical, categorical)(_ut_kl_categorical_categorical)
    paddle.distribution.register_kl(onehot, onehot)(_ut_kl_onehot_onehot)
    for cls in (categorical, onehot):
        cls.__module__ = __name__  # found again by name (pickle): the module's __getattr__ builds it
        cls.__qualname__ = cls.__name__
    return {"Categorical": categorical, "OneHotCategorical": onehot}


def _categorical_class(name):
    """Categorical or OneHotCategorical, both built (and their KL registered) once."""
    classes = globals().get("_CATEGORICAL_CLASSES")
    if classes is None:
        classes = globals().setdefault("_CATEGORICAL_CLASSES", _build_categorical_classes())
    return classes[name]


# classes that need paddle.distribution.Distribution to be defined: built on first use, then kept (merged
# with the lazily built classes of the files copied before this one: one __getattr__ serves them all)
_LAZY_CLASSES = {**globals().get("_LAZY_CLASSES", {}),
                 "Categorical": lambda: _categorical_class("Categorical"),
                 "OneHotCategorical": lambda: _categorical_class("OneHotCategorical")}


def __getattr__(name):
    builder = _LAZY_CLASSES.get(name)
    if builder is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return globals().setdefault(name, builder())
