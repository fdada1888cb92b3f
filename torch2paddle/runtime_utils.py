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

CLASSES = frozenset({"Categorical", "OneHotCategorical", "OneCycleLR", "CyclicLR", "ReduceLROnPlateau",
                     "ChainedScheduler", "SequentialLR", "AveragedModel", "SWALR"})  # built lazily: served by the module's __getattr__

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


# ---- torch's OneCycleLR / CyclicLR with momentum cycling (torch2paddle/rewrites/schedulers.py) ----
# torch's schedulers with cycle_momentum=True also set the optimizer's momentum (SGD) or beta1 (Adam, AdamW) on
# every step.  Paddle's Momentum/Adam/AdamW read `_momentum`/`_beta1` (or a group dict's 'momentum'/'beta1') at
# each step, so these paddle.optimizer.lr.LRScheduler subclasses (torch's constructor, taking the optimizer; they
# attach themselves with set_lr_scheduler) set them.  torch's Adam bias correction is 1 - beta1 ** t with the
# current beta1, Paddle's the running product of the beta1s used: the beta1 power accumulators are set to
# beta1 ** t before the next step (t read from the beta2 power accumulator, beta2 ** t).


def _ut_one_rate(name, value, optimizer):
    """torch's _format_param for one group: a number, or a list/tuple of one value per group."""
    if isinstance(value, (list, tuple)):
        groups = [g for g in (getattr(optimizer, "_param_groups", None) or []) if isinstance(g, dict)]
        count = max(len(groups), 1)
        if len(value) != count:
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. "
                             f"optimizer.param_groups has {count} values, {name} has {len(value)} values.")
        if len(set(value)) != 1:
            raise ValueError(f"torch2paddle: {name} per parameter group differs between groups; a Paddle optimizer "
                             "has one scheduled rate")
        return value[0]
    return value


def _ut_momentum_kind(optimizer):
    """'momentum' (paddle.optimizer.Momentum) or 'beta1' (Adam, AdamW); torch's ValueError for the others."""
    import paddle

    if isinstance(optimizer, paddle.optimizer.Momentum):
        return "momentum"
    if isinstance(optimizer, (paddle.optimizer.Adam, paddle.optimizer.AdamW)):
        return "beta1"
    raise ValueError(
        "optimizer must support momentum or beta1 with `cycle_momentum` option enabled (torch2paddle: momentum "
        f"cycling converts for SGD with momentum (paddle.optimizer.Momentum), Adam and AdamW, not for "
        f"{type(optimizer).__name__}; pass cycle_momentum=False)")


def _ut_set_momentum(optimizer, kind, value):
    """Set the momentum (or beta1) every group of a Paddle optimizer reads at its next step."""
    import math

    groups = [g for g in (getattr(optimizer, "_param_groups", None) or []) if isinstance(g, dict)]
    setattr(optimizer, "_" + kind, value)
    optimizer._default_dict[kind] = value
    for group in groups:
        group[kind] = value
    if kind != "beta1":
        return
    accumulators = getattr(optimizer, "_accumulators", {})
    beta2_of = {p.name: g.get("beta2", optimizer._default_dict["beta2"]) for g in groups for p in g["params"]}
    default_beta2 = optimizer._default_dict["beta2"]
    second = accumulators.get("beta2_pow_acc", {})
    for name, first in accumulators.get("beta1_pow_acc", {}).items():
        if name not in second:
            continue
        beta2 = float(beta2_of.get(name, default_beta2))
        power = float(second[name].reshape([-1])[0])
        if not 0.0 < beta2 < 1.0:
            raise ValueError("torch2paddle: momentum cycling of Adam needs 0 < beta2 < 1")
        # the next step is step t, which reads beta2 ** t (Paddle multiplies after each step)
        t = round(math.log(power) / math.log(beta2)) if power > 0.0 else None
        first.fill_(value ** t if t is not None else 0.0)


def _build_reduce_lr_on_plateau():
    import paddle

    class ReduceLROnPlateau(paddle.optimizer.lr.ReduceOnPlateau):
        """paddle.optimizer.lr.ReduceOnPlateau (its constructor) stepping as torch's ReduceLROnPlateau: torch
        still tracks the best metric during a cooldown (Paddle skips those epochs), compares in Python floats
        (Paddle keeps a tensor metric as a tensor) and with torch's thresholds best * (1 -/+ threshold)."""

        def _torch_better(self, current, best):
            if best is None:
                best = float("inf") if self.mode == "min" else float("-inf")
            if self.mode == "min" and self.threshold_mode == "rel":
                return current < best * (1.0 - self.threshold)
            if self.mode == "min":
                return current < best - self.threshold
            if self.threshold_mode == "rel":
                return current > best * (self.threshold + 1.0)
            return current > best + self.threshold

        def step(self, metrics, epoch=None):
            current = float(metrics)
            self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
            if self._torch_better(current, self.best):
                self.best = current
                self.num_bad_epochs = 0
            else:
                if self.best is None:
                    self.best = float("inf") if self.mode == "min" else float("-inf")
                self.num_bad_epochs += 1
            if self.cooldown_counter > 0:
                self.cooldown_counter -= 1
                self.num_bad_epochs = 0
            if self.num_bad_epochs > self.patience:
                new_lr = max(self.last_lr * self.factor, self.min_lr)
                if self.last_lr - new_lr > self.epsilon:
                    self.last_lr = new_lr
                self.cooldown_counter = self.cooldown
                self.num_bad_epochs = 0

    return ReduceLROnPlateau


def _ut_named(cls):
    cls.__module__ = __name__  # found again by name (pickle): the module's __getattr__ builds it
    cls.__qualname__ = cls.__name__
    return cls


def _ut_anneal(strategy, start, end, pct):
    import math

    if strategy == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


def _build_one_cycle_lr():
    import paddle

    class OneCycleLR(paddle.optimizer.lr.LRScheduler):
        """torch.optim.lr_scheduler.OneCycleLR on a Paddle optimizer, momentum (beta1) cycling included."""

        def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                     anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                     div_factor=25.0, final_div_factor=1e4, three_phase=False, last_epoch=-1):
            if last_epoch != -1:
                raise ValueError("torch2paddle: resuming OneCycleLR part-way (last_epoch != -1) is not supported; "
                                 "restore the scheduler's state_dict")
            self.optimizer = optimizer
            if total_steps is not None:
                if total_steps <= 0 or not isinstance(total_steps, int):
                    raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
                self.total_steps = total_steps
            elif epochs is not None and steps_per_epoch is not None:
                if not isinstance(epochs, int) or epochs <= 0:
                    raise ValueError(f"Expected positive integer epochs, but got {epochs}")
                if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                    raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
                self.total_steps = epochs * steps_per_epoch
            else:
                raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
            if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
                raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
            if anneal_strategy not in ["cos", "linear"]:
                raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
            self.anneal_strategy = anneal_strategy
            top = _ut_one_rate("max_lr", max_lr, optimizer)
            rates = {"initial_lr": top / div_factor, "max_lr": top}
            rates["min_lr"] = rates["initial_lr"] / final_div_factor
            self.cycle_momentum = cycle_momentum
            if cycle_momentum:
                self._kind = _ut_momentum_kind(optimizer)
                rates["max_momentum"] = _ut_one_rate("max_momentum", max_momentum, optimizer)
                rates["base_momentum"] = _ut_one_rate("base_momentum", base_momentum, optimizer)
                _ut_set_momentum(optimizer, self._kind, rates["max_momentum"])
            self._rates = rates
            n = self.total_steps
            if three_phase:
                self._phases = [
                    (float(pct_start * n) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                    (float(2 * pct_start * n) - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                    (n - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
                ]
            else:
                self._phases = [
                    (float(pct_start * n) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                    (n - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
                ]
            super().__init__(float(rates["initial_lr"]), last_epoch)
            optimizer.set_lr_scheduler(self)

        def get_lr(self):
            step_num = self.last_epoch
            if step_num > self.total_steps:
                raise ValueError(
                    f"Tried to step {step_num} times. The specified number of total steps is {self.total_steps}")
            start_step = 0.0
            for i, (end_step, start_lr, end_lr, start_m, end_m) in enumerate(self._phases):
                if step_num <= end_step or i == len(self._phases) - 1:
                    pct = (step_num - start_step) / (end_step - start_step)
                    rate = _ut_anneal(self.anneal_strategy, self._rates[start_lr], self._rates[end_lr], pct)
                    if self.cycle_momentum:
                        momentum = _ut_anneal(self.anneal_strategy, self._rates[start_m], self._rates[end_m], pct)
                        _ut_set_momentum(self.optimizer, self._kind, momentum)
                    return rate
                start_step = end_step

    return OneCycleLR


def _build_cyclic_lr():
    import math
    import paddle

    class CyclicLR(paddle.optimizer.lr.LRScheduler):
        """torch.optim.lr_scheduler.CyclicLR on a Paddle optimizer, momentum (beta1) cycling included."""

        def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None, mode="triangular",
                     gamma=1.0, scale_fn=None, scale_mode="cycle", cycle_momentum=True, base_momentum=0.8,
                     max_momentum=0.9, last_epoch=-1):
            if last_epoch != -1:
                raise ValueError("torch2paddle: resuming CyclicLR part-way (last_epoch != -1) is not supported; "
                                 "restore the scheduler's state_dict")
            self.optimizer = optimizer
            self.base_lr_value = _ut_one_rate("base_lr", base_lr, optimizer)
            self.max_lr_value = _ut_one_rate("max_lr", max_lr, optimizer)
            step_size_up = float(step_size_up)
            step_size_down = float(step_size_down) if step_size_down is not None else step_size_up
            self.total_size = step_size_up + step_size_down
            self.step_ratio = step_size_up / self.total_size
            if mode not in ["triangular", "triangular2", "exp_range"] and scale_fn is None:
                raise ValueError("mode is invalid and scale_fn is None")
            self.mode = mode
            self.gamma = gamma
            self._scale_fn_custom = scale_fn
            self.scale_mode = scale_mode
            if scale_fn is None:
                self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
            self.cycle_momentum = cycle_momentum
            if cycle_momentum:
                self._kind = _ut_momentum_kind(optimizer)
                self.base_momentum = _ut_one_rate("base_momentum", base_momentum, optimizer)
                self.max_momentum = _ut_one_rate("max_momentum", max_momentum, optimizer)
                _ut_set_momentum(optimizer, self._kind, self.max_momentum)
            super().__init__(float(self.base_lr_value), last_epoch)
            optimizer.set_lr_scheduler(self)

        def scale_fn(self, x):
            if self._scale_fn_custom is not None:
                return self._scale_fn_custom(x)
            if self.mode == "triangular":
                return 1.0
            if self.mode == "triangular2":
                return 1 / (2.0 ** (x - 1))
            return self.gamma ** x

        def get_lr(self):
            cycle = math.floor(1 + self.last_epoch / self.total_size)
            x = 1.0 + self.last_epoch / self.total_size - cycle
            if x <= self.step_ratio:
                scale_factor = x / self.step_ratio
            else:
                scale_factor = (x - 1) / (self.step_ratio - 1)
            scale = self.scale_fn(cycle) if self.scale_mode == "cycle" else self.scale_fn(self.last_epoch)
            rate = self.base_lr_value + (self.max_lr_value - self.base_lr_value) * scale_factor * scale
            if self.cycle_momentum:
                height = (self.max_momentum - self.base_momentum) * scale_factor
                _ut_set_momentum(self.optimizer, self._kind, self.max_momentum - height * scale)
            return rate

    return CyclicLR


# torch's ChainedScheduler/SequentialLR over Paddle schedulers built unattached from the optimizer's rate (the
# converter attaches no member: these attach themselves).  torch's chainable schedulers rescale the rate the
# previous one left, so a chain of the multiplicative ones (StepLR, MultiStepLR, ExponentialLR, LinearLR,
# ConstantLR, PolynomialLR, MultiplicativeLR) gives base * prod(factor_i(t)), each factor_i(t) the member's own
# rate over the base; SequentialLR runs each member on its own epoch count from the milestone on (torch resets it
# to epoch 0 with its closed form there), which a fresh Paddle scheduler is at.


def _build_chained_scheduler():
    import paddle

    class ChainedScheduler(paddle.optimizer.lr.LRScheduler):
        """torch.optim.lr_scheduler.ChainedScheduler(schedulers, optimizer) of multiplicative members."""

        def __init__(self, schedulers, optimizer=None):
            if len(schedulers) < 1:
                raise ValueError(f"{type(self).__name__} expects at least one scheduler to be chained, but got no "
                                 "scheduler.")
            if optimizer is None:
                raise ValueError("torch2paddle: ChainedScheduler needs its optimizer")
            self.optimizer = optimizer
            self._schedulers = list(schedulers)
            self._base = float(optimizer.get_lr())  # the members were built on it, none attached
            super().__init__(self._base)
            optimizer.set_lr_scheduler(self)

        def _chained_rate(self):
            rate = self._base
            for scheduler in self._schedulers:
                rate = rate * (float(scheduler.last_lr) / self._base) if self._base else 0.0
            return rate

        def step(self, epoch=None):
            if epoch is not None:
                raise TypeError("ChainedScheduler.step() takes no epoch")
            self.last_epoch += 1
            if self.last_epoch > 0:  # Paddle's constructor steps once; torch's members stepped when built
                for scheduler in self._schedulers:
                    scheduler.step()
            self.last_lr = self._chained_rate()

    return ChainedScheduler


def _build_sequential_lr():
    import bisect
    import paddle

    class SequentialLR(paddle.optimizer.lr.LRScheduler):
        """torch.optim.lr_scheduler.SequentialLR(optimizer, schedulers, milestones) over fresh Paddle schedulers."""

        def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
            if len(schedulers) < 1:
                raise ValueError(f"{type(self).__name__} expects at least one scheduler, but got no scheduler.")
            if len(milestones) != len(schedulers) - 1:
                raise ValueError(
                    "Sequential Schedulers expects number of schedulers provided to be one more than the number of "
                    f"milestone points, but got number of schedulers {len(schedulers)} and the number of milestones "
                    f"to be equal to {len(milestones)}")
            if last_epoch != -1:
                raise ValueError("torch2paddle: resuming SequentialLR part-way (last_epoch != -1) is not supported; "
                                 "restore the scheduler's state_dict")
            self.optimizer = optimizer
            self._schedulers = list(schedulers)
            self._milestones = list(milestones)
            self._fresh = {id(s): s.last_epoch == 0 for s in self._schedulers}
            super().__init__(float(optimizer.get_lr()), last_epoch)
            optimizer.set_lr_scheduler(self)

        def _restart(self, scheduler):
            # torch sets the member to epoch 0 (its closed form): a member not stepped yet is there already
            if not self._fresh.get(id(scheduler)) or scheduler.last_epoch != 0:
                raise ValueError("torch2paddle: a SequentialLR member used twice or stepped on its own cannot be "
                                 "restarted at epoch 0 on Paddle; give each phase its own scheduler")
            self._fresh[id(scheduler)] = False

        def step(self, epoch=None):
            if epoch is not None:
                raise TypeError("SequentialLR.step() takes no epoch")
            self.last_epoch += 1
            idx = bisect.bisect_right(self._milestones, self.last_epoch)
            scheduler = self._schedulers[idx]
            if self.last_epoch == 0 or (idx > 0 and self._milestones[idx - 1] == self.last_epoch):
                self._restart(scheduler)
            else:
                scheduler.step()
            self.last_lr = float(scheduler.last_lr)

    return SequentialLR


# torch.optim.swa_utils.  Paddle keeps a BatchNorm's running mean/variance as non-trainable parameters (`_mean`,
# `_variance`), where torch has buffers: the averaged parameters here are a layer's parameters less those, and its
# "buffers" are those plus the registered buffers (torch's BatchNorm num_batches_tracked has no Paddle tensor).


def _swa_stats(layer):
    import paddle

    stats = []
    for sub in layer.sublayers(include_self=True):
        if isinstance(sub, paddle.nn.layer.norm._BatchNormBase):
            stats += [sub._mean, sub._variance]
    return stats


def _swa_params(layer):
    stats = {id(t) for t in _swa_stats(layer)}
    return [p for p in layer.parameters() if id(p) not in stats]


def _swa_buffers(layer):
    return _swa_stats(layer) + [b for b in layer.buffers() if b is not None]


def _swa_lerp(a, b, w):
    """torch's lerp with a scalar weight (its two formulas, by |w| < 0.5)."""
    if abs(w) < 0.5:
        return a + w * (b - a)
    return b - (b - a) * (1 - w)


def get_ema_multi_avg_fn(decay=0.999):
    """torch.optim.swa_utils.get_ema_multi_avg_fn: an in-place EMA over lists of Paddle tensors."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")

    def ema_update(ema_param_list, current_param_list, _):
        import paddle

        with paddle.no_grad():
            for p_ema, p_model in zip(ema_param_list, current_param_list):
                if p_ema.is_floating_point() or p_ema.is_complex():
                    p_ema.set_value(_swa_lerp(p_ema, p_model, 1 - decay))
                else:
                    p_ema.set_value((p_ema * decay + p_model * (1 - decay)).astype(p_ema.dtype))

    return ema_update


def get_ema_avg_fn(decay=0.999):
    """torch.optim.swa_utils.get_ema_avg_fn."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")

    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """torch.optim.swa_utils.get_swa_avg_fn."""
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def _build_averaged_model():
    import copy
    import paddle

    class AveragedModel(paddle.nn.Layer):
        """torch.optim.swa_utils.AveragedModel: a deep copy of the model, its parameters averaged by
        update_parameters (torch's running mean by default, or avg_fn / multi_avg_fn), forward delegating."""

        def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
            super().__init__()
            if device is not None:
                raise ValueError("torch2paddle: AveragedModel(device=...) is not supported; place the model with "
                                 "paddle.set_device instead")
            self.module = copy.deepcopy(model)
            self.register_buffer("n_averaged", paddle.to_tensor(0, dtype="int64"))
            self.avg_fn = avg_fn
            self.multi_avg_fn = multi_avg_fn
            self.use_buffers = use_buffers

        def forward(self, *args, **kwargs):
            return self.module(*args, **kwargs)

        def update_parameters(self, model):
            if self.use_buffers:
                mine = _swa_params(self.module) + _swa_buffers(self.module)
                theirs = _swa_params(model) + _swa_buffers(model)
            else:
                mine, theirs = _swa_params(self.module), _swa_params(model)
            n = int(self.n_averaged)
            with paddle.no_grad():
                if n == 0:
                    for p_averaged, p_model in zip(mine, theirs):
                        p_averaged.set_value(p_model.detach())
                elif self.multi_avg_fn is not None:
                    self.multi_avg_fn(mine, [p.detach() for p in theirs], self.n_averaged)
                else:
                    avg_fn = self.avg_fn if self.avg_fn is not None else get_swa_avg_fn()
                    for p_averaged, p_model in zip(mine, theirs):
                        new = avg_fn(p_averaged.detach(), p_model.detach(), self.n_averaged)
                        p_averaged.set_value(new.astype(p_averaged.dtype))
                if not self.use_buffers:
                    for b_swa, b_model in zip(_swa_buffers(self.module), _swa_buffers(model)):
                        b_swa.set_value(b_model.detach())
                self.n_averaged.set_value(paddle.to_tensor(n + 1, dtype="int64"))

    return AveragedModel


def update_bn(loader, model, device=None):
    """torch.optim.swa_utils.update_bn: the BatchNorm running statistics recomputed as the plain average of the
    loader's batch statistics (torch's momentum=None), with torch's unbiased running variance (Paddle's BatchNorm
    updates its own with the biased one): the batch statistics are taken from each BatchNorm's input."""
    import paddle

    if device is not None:
        raise ValueError("torch2paddle: update_bn(device=...) is not supported; place the data with paddle.set_device")
    layers = [m for m in model.sublayers(include_self=True) if isinstance(m, paddle.nn.layer.norm._BatchNormBase)]
    if not layers:
        return
    sums = {id(m): [None, None, 0] for m in layers}

    def hook(layer, inputs):
        x = inputs[0]
        fmt = getattr(layer, "_data_format", "NCHW")
        axis = 1 if fmt.startswith("NC") else x.ndim - 1
        axes = [i for i in range(x.ndim) if i != axis]
        with paddle.no_grad():
            mean = x.mean(axis=axes)
            var = x.var(axis=axes, unbiased=True)
            state = sums[id(layer)]
            state[2] += 1
            if state[2] == 1:
                state[0], state[1] = mean, var
            else:  # torch's cumulative average: factor 1 / num_batches_tracked
                f = 1.0 / state[2]
                state[0] = state[0] * (1 - f) + mean * f
                state[1] = state[1] * (1 - f) + var * f

    handles = [m.register_forward_pre_hook(hook) for m in layers]
    was_training = model.training
    model.train()
    try:
        for input in loader:
            if isinstance(input, (list, tuple)):
                input = input[0]
            model(input)
    finally:
        for h in handles:
            h.remove()
    with paddle.no_grad():
        for m in layers:
            mean, var, count = sums[id(m)]
            m._mean.set_value(mean if count else paddle.zeros_like(m._mean))
            m._variance.set_value(var if count else paddle.ones_like(m._variance))
    if not was_training:
        model.eval()


def _build_swalr():
    import math
    import paddle

    class SWALR(paddle.optimizer.lr.LRScheduler):
        """torch.optim.swa_utils.SWALR: anneals the optimizer's current rate to swa_lr over anneal_epochs steps.
        torch's SWALR reads the rate the optimizer has (left by another scheduler, typically): built while another
        scheduler is attached, it takes over at its first step (that scheduler's step() then raises, where torch
        would change the rate SWALR anneals)."""

        def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
            swa_lr = _ut_one_rate("swa_lr", swa_lr, optimizer)
            if anneal_strategy not in ["cos", "linear"]:
                raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
            if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
                raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
            if last_epoch != -1:
                raise ValueError("torch2paddle: resuming SWALR part-way (last_epoch != -1) is not supported; restore "
                                 "the scheduler's state_dict")
            self.optimizer = optimizer
            self.swa_lr = swa_lr
            self.anneal_epochs = anneal_epochs
            self._anneal_strategy = anneal_strategy
            self._step_count = 0
            super().__init__(float(optimizer.get_lr()), last_epoch)
            if not isinstance(optimizer._learning_rate, paddle.optimizer.lr.LRScheduler) or \
                    self.last_lr != float(optimizer.get_lr()):
                self._take_over()

        def anneal_func(self, t):
            return (1 - math.cos(math.pi * t)) / 2 if self._anneal_strategy == "cos" else t

        def _take_over(self):
            previous = self.optimizer._learning_rate
            if previous is self:
                return
            if isinstance(previous, paddle.optimizer.lr.LRScheduler):
                def replaced(*args, **kwargs):
                    raise RuntimeError("torch2paddle: this scheduler's optimizer is now driven by SWALR (a Paddle "
                                       "optimizer holds one scheduler); stop stepping it once SWALR steps")
                previous.step = replaced
            self.optimizer.set_lr_scheduler(self)

        def step(self, epoch=None):
            if epoch is not None:
                raise TypeError("torch2paddle: SWALR.step(epoch) is not supported")
            self._step_count += 1
            self.last_epoch += 1
            current = float(self.optimizer.get_lr())
            step = self._step_count - 1
            if self.anneal_epochs == 0:
                step = max(1, step)
            prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
            prev_alpha = self.anneal_func(prev_t)
            prev_lr = self.swa_lr if prev_alpha == 1 else (current - prev_alpha * self.swa_lr) / (1 - prev_alpha)
            t = max(0, min(1, step / max(1, self.anneal_epochs)))
            alpha = self.anneal_func(t)
            self.last_lr = self.swa_lr * alpha + prev_lr * (1 - alpha)
            if self._step_count > 1:
                self._take_over()

    return SWALR


# classes that need paddle.distribution.Distribution to be defined: built on first use, then kept (merged
# with the lazily built classes of the files copied before this one: one __getattr__ serves them all)
_LAZY_CLASSES = {**globals().get("_LAZY_CLASSES", {}),
                 "Categorical": lambda: _categorical_class("Categorical"),
                 "OneHotCategorical": lambda: _categorical_class("OneHotCategorical"),
                 "OneCycleLR": lambda: _ut_named(_build_one_cycle_lr()), "CyclicLR": lambda: _ut_named(_build_cyclic_lr()),
                 "ReduceLROnPlateau": lambda: _ut_named(_build_reduce_lr_on_plateau()),
                 "ChainedScheduler": lambda: _ut_named(_build_chained_scheduler()),
                 "SequentialLR": lambda: _ut_named(_build_sequential_lr()),
                 "AveragedModel": lambda: _ut_named(_build_averaged_model()),
                 "SWALR": lambda: _ut_named(_build_swalr())}


def __getattr__(name):
    builder = _LAZY_CLASSES.get(name)
    if builder is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return globals().setdefault(name, builder())
