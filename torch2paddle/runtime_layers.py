"""torch layers Paddle has no counterpart of, written out in Paddle ops, for the generated run-time module.

``torch.nn.MultiheadAttention`` differs from ``paddle.nn.MultiHeadAttention`` in
everything but its purpose: torch packs the q/k/v projections into one
``in_proj_weight`` [3E, E] (separate ``q/k/v_proj_weight`` when kdim/vdim
differ), defaults to sequence-first inputs, returns ``(output, weights
averaged over heads)``, reads a boolean mask's True as *masked* (Paddle: as
*attend*) and takes ``key_padding_mask``, ``bias_k``/``bias_v``,
``add_zero_attn`` and ``is_causal``, which Paddle's layer has no counterpart of.
No argument mapping bridges that, so the converted call becomes
``_torch2paddle_runtime.MultiheadAttention(...)``: a ``paddle.nn.Layer`` with
torch's constructor, forward, attribute and parameter names, computing what
``torch.nn.functional.multi_head_attention_forward`` computes, step by step, in
Paddle ops.  A torch state dict loads by name (``torch2paddle.weights`` copies
``in_proj_weight``, kept in torch's [3E, E] layout and used as ``x @ W.T``, and
transposes ``out_proj.weight``, a Linear's).  ``multi_head_attention_forward``
is the functional form, with torch's signature and torch's weight layouts.

``torch.nn.Transformer``/``TransformerEncoder``/``TransformerDecoder``/``TransformerEncoderLayer``/
``TransformerDecoderLayer`` become the classes of the same names here, built from Paddle Linear/LayerNorm/Dropout
and the ``MultiheadAttention`` above: torch's constructors, defaults (sequence-first), forward signatures and
masks (True = masked), submodule names (``self_attn``, ``linear1``, ``norm1``, ``layers.N``, ``encoder``, ...)
and initialisation, so a torch state dict loads by name (``torch2paddle.weights`` transposes the Linears'
weights, by the torch module's type).  A MultiheadAttention whose every key is masked for a query gives zeros
there when ``need_weights=False``, as torch's ``scaled_dot_product_attention`` does (NaN with weights, as torch).

``torch.nn.LSTMCell``/``GRUCell``/``RNNCell`` become ``LSTMCell``/``GRUCell``/``RNNCell`` here: Paddle's cells
return ``(h, (h, c))`` / ``(h, h)`` where torch's return ``(h, c)`` / ``h`` and take batched input only; these
have torch's constructor, parameters (``weight_ih`` [G*H, I], ``weight_hh`` [G*H, H], ``bias_ih``, ``bias_hh``,
copied by name from a torch state dict), initialisation and ``forward(input, hx=None)``.  ``torch.optim.LBFGS``
becomes ``LBFGS``: a ``paddle.optimizer.LBFGS`` with torch's constructor and torch's ``step(closure)`` (Paddle's
own line search ignores ``max_eval`` and its rate ignores ``set_lr``/``set_lr_scheduler``).

Everything below the ``COPIED`` line is copied verbatim into
``_torch2paddle_runtime.py`` (``runtime.module_source``) when a converted file
uses one of these names.  Like the rest of that module it imports nothing but
the standard library when it is imported: Paddle is imported inside the
functions, and the layer class, which needs ``paddle.nn.Layer`` to be defined,
is built on first use (the module's ``__getattr__``) and kept.
"""

# ---- COPIED into _torch2paddle_runtime.py from here on (torch2paddle/runtime_layers.py) ----


def _mha_linear(x, weight, bias):
    """torch's ``F.linear``: ``weight`` in torch's [out, in] layout."""
    import paddle

    out = paddle.matmul(x, weight, transpose_y=True)
    return out if bias is None else out + bias


def _mha_pad_last(tensor):
    """torch's ``F.pad(tensor, (0, 1))``: one zero appended to the last dimension."""
    import paddle

    return paddle.concat([tensor, paddle.zeros([*tensor.shape[:-1], 1], dtype=tensor.dtype)], axis=-1)


def _mha_canonical_mask(mask, name, other, other_name, dtype, check_other=True):
    """torch's ``F._canonical_mask``: a boolean mask (True = masked) becomes an additive float mask."""
    import paddle

    if mask is None:
        return None
    if mask.dtype != paddle.bool and not paddle.is_floating_point(mask):
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if check_other and other is not None and other.dtype != mask.dtype:
        import warnings

        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same type for both "
                      f"instead.", stacklevel=3)
    if mask.dtype == paddle.bool:
        return paddle.where(mask, paddle.full(mask.shape, float("-inf"), dtype=dtype),
                            paddle.zeros(mask.shape, dtype=dtype))
    return mask if mask.dtype == dtype else mask.astype(dtype)


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """torch's ``F._mha_shape_check``: whether the inputs are batched, with torch's errors."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.ndim}-D tensor instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                                 f"but found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.ndim}-D tensor instead")
            if attn_mask.ndim == 3 and tuple(attn_mask.shape) != (num_heads, query.shape[0], key.shape[0]):
                raise AssertionError(f"Expected `attn_mask` shape to be {(num_heads, query.shape[0], key.shape[0])}"
                                     f" but got {tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query "
                         f"tensor")


def _mha_in_projection_packed(q, k, v, w, b):
    """torch's ``F._in_projection_packed``: q, k, v projected with the rows of ``w`` [3E, E]."""
    embed = q.shape[-1]
    if k is v:
        if q is k:  # self-attention: one product
            proj = _mha_linear(q, w, b).reshape([*q.shape[:-1], 3, embed])
            return proj[..., 0, :], proj[..., 1, :], proj[..., 2, :]
        b_q, b_kv = (None, None) if b is None else (b[:embed], b[embed:])
        kv = _mha_linear(k, w[embed:], b_kv).reshape([*k.shape[:-1], 2, embed])
        return _mha_linear(q, w[:embed], b_q), kv[..., 0, :], kv[..., 1, :]
    b_q, b_k, b_v = (None, None, None) if b is None else (b[:embed], b[embed:2 * embed], b[2 * embed:])
    return (_mha_linear(q, w[:embed], b_q), _mha_linear(k, w[embed:2 * embed], b_k),
            _mha_linear(v, w[2 * embed:], b_v))


def _mha_check_embed(query, key, value, embed_dim_to_check, num_heads, separate):
    """torch's checks of the embedding dimension and of key/value's shapes; the head dimension."""
    embed_dim = query.shape[2]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if separate:
        if list(key.shape[:2]) != list(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                                 f"{tuple(value.shape[:2])}")
    elif list(key.shape) != list(value.shape):
        raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}")
    return head_dim


def _mha_check_attn_mask(attn_mask, tgt_len, src_len, batch_heads):
    """torch's checks of ``attn_mask``'s shape; a 2-D mask gets a leading dimension of one."""
    if attn_mask is None:
        return None
    if attn_mask.ndim == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, but should be "
                               f"{(tgt_len, src_len)}.")
        return attn_mask.unsqueeze(0)
    if attn_mask.ndim == 3:
        if tuple(attn_mask.shape) != (batch_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, but should be "
                               f"{(batch_heads, tgt_len, src_len)}.")
        return attn_mask
    raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")


def _mha_add_bias_kv(k, v, bias_k, bias_v, static_k, static_v, bsz, attn_mask, key_padding_mask):
    """``bias_k``/``bias_v`` appended to the keys and values (the masks padded to match), as torch does."""
    import paddle

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = paddle.concat([k, bias_k.tile([1, bsz, 1])], axis=0)
        v = paddle.concat([v, bias_v.tile([1, bsz, 1])], axis=0)
        if attn_mask is not None:
            attn_mask = _mha_pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _mha_pad_last(key_padding_mask)
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")
    return k, v, attn_mask, key_padding_mask


def _mha_split_heads(x, static, name, batch_heads, head_dim):
    """Keys or values [S, B, E] as [B * heads, S, head_dim], or ``static`` (``name``: static_k / static_v)
    after torch's checks of its shape."""
    if static is None:
        return x.reshape([x.shape[0], batch_heads, head_dim]).transpose([1, 0, 2])
    if static.shape[0] != batch_heads:
        raise AssertionError(f"expecting {name}.size(0) of {batch_heads}, but got {static.shape[0]}")
    if static.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.shape[2]}")
    return static


def _mha_add_zero_attn(k, v, attn_mask, key_padding_mask, batch_heads, head_dim):
    """torch's ``add_zero_attn``: a zero key and value appended (the masks padded to match)."""
    import paddle

    k = paddle.concat([k, paddle.zeros([batch_heads, 1, head_dim], dtype=k.dtype)], axis=1)
    v = paddle.concat([v, paddle.zeros([batch_heads, 1, head_dim], dtype=v.dtype)], axis=1)
    if attn_mask is not None:
        attn_mask = _mha_pad_last(attn_mask)
    if key_padding_mask is not None:
        key_padding_mask = _mha_pad_last(key_padding_mask)
    return k, v, attn_mask, key_padding_mask


def _mha_merge_padding(attn_mask, key_padding_mask, bsz, num_heads, src_len):
    """``key_padding_mask`` [B, S] repeated per head and added to ``attn_mask``, after torch's shape check."""
    if key_padding_mask is None:
        return attn_mask
    if tuple(key_padding_mask.shape) != (bsz, src_len):
        raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                             f"{tuple(key_padding_mask.shape)}")
    key_padding_mask = (key_padding_mask.reshape([bsz, 1, 1, src_len]).expand([bsz, num_heads, 1, src_len])
                        .reshape([bsz * num_heads, 1, src_len]))
    return key_padding_mask if attn_mask is None else attn_mask + key_padding_mask


def _mha_causal_mask(tgt_len, src_len, dtype):
    """scaled_dot_product_attention's is_causal: the top-left lower triangle attends (an additive mask)."""
    import paddle

    upper = paddle.triu(paddle.ones([tgt_len, src_len], dtype=dtype), diagonal=1) > 0
    return paddle.where(upper, paddle.full([tgt_len, src_len], float("-inf"), dtype=dtype),
                        paddle.zeros([tgt_len, src_len], dtype=dtype)).unsqueeze(0)


def _mha_attend(q, k, v, attn_mask, need_weights, dropout_p, head_dim):
    """The attention itself on [B * heads, L/S, head_dim]: ``(weights, weights @ v)``."""
    import math

    import paddle
    import paddle.nn.functional as F

    weights = paddle.bmm(q * math.sqrt(1.0 / float(head_dim)), k.transpose([0, 2, 1]))
    if attn_mask is not None:
        weights = weights + attn_mask
    if need_weights:
        weights = F.softmax(weights, axis=-1)
    else:  # torch's scaled_dot_product_attention: a row whose every key is masked attends to nothing (zeros)
        dead = (weights == float("-inf")).all(axis=-1, keepdim=True)
        weights = paddle.where(dead, paddle.zeros_like(weights),
                               F.softmax(paddle.where(dead, paddle.zeros_like(weights), weights), axis=-1))
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p, training=True)
    return weights, paddle.bmm(weights, v)


def _mha_forward(query, key, value, embed_dim_to_check, num_heads, in_project, bias_k, bias_v, add_zero_attn,
                 dropout_p, out_project, training, key_padding_mask, need_weights, attn_mask, separate, static_k,
                 static_v, average_attn_weights, is_causal):
    """The body of torch's ``F.multi_head_attention_forward`` (sequence-first inputs); ``in_project(q, k, v)``
    gives the projected q, k, v and ``out_project(x)`` the output projection."""
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:  # a batch of one at dimension 1, squeezed again at the end
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _mha_canonical_mask(key_padding_mask, "key_padding_mask", attn_mask, "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    causal = False
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask, causal = None, True  # torch hands is_causal to scaled_dot_product_attention: its own mask
    else:
        attn_mask = _mha_canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
    head_dim = _mha_check_embed(query, key, value, embed_dim_to_check, num_heads, separate)

    q, k, v = in_project(query, key, value)
    attn_mask = _mha_check_attn_mask(attn_mask, tgt_len, src_len, bsz * num_heads)
    k, v, attn_mask, key_padding_mask = _mha_add_bias_kv(k, v, bias_k, bias_v, static_k, static_v, bsz,
                                                         attn_mask, key_padding_mask)
    q = q.reshape([tgt_len, bsz * num_heads, head_dim]).transpose([1, 0, 2])
    k = _mha_split_heads(k, static_k, "static_k", bsz * num_heads, head_dim)
    v = _mha_split_heads(v, static_v, "static_v", bsz * num_heads, head_dim)
    if add_zero_attn:
        k, v, attn_mask, key_padding_mask = _mha_add_zero_attn(k, v, attn_mask, key_padding_mask, bsz * num_heads,
                                                               head_dim)
    src_len = k.shape[1]
    attn_mask = _mha_merge_padding(attn_mask, key_padding_mask, bsz, num_heads, src_len)
    if causal:
        attn_mask = _mha_causal_mask(tgt_len, src_len, q.dtype)

    weights, out = _mha_attend(q, k, v, attn_mask, need_weights, dropout_p if training else 0.0, head_dim)
    out = out.transpose([1, 0, 2]).reshape([tgt_len * bsz, embed_dim])
    out = out_project(out)
    out = out.reshape([tgt_len, bsz, out.shape[-1]])
    if not need_weights:
        return (out if is_batched else out.squeeze(1)), None
    weights = weights.reshape([bsz, num_heads, tgt_len, src_len])
    if average_attn_weights:
        weights = weights.mean(axis=1)
    if not is_batched:
        out, weights = out.squeeze(1), weights.squeeze(0)
    return out, weights


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """torch's ``F.multi_head_attention_forward``, in Paddle ops: the same arguments, every weight in torch's
    layout (``out_proj_weight`` [E, E] is [out, in]: a converted Linear's own weight is passed transposed)."""
    if use_separate_proj_weight:
        for name, weight in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if weight is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")

        def in_project(q, k, v):
            embed = q.shape[-1]
            b = in_proj_bias
            b_q, b_k, b_v = (None, None, None) if b is None else (b[:embed], b[embed:2 * embed], b[2 * embed:])
            return (_mha_linear(q, q_proj_weight, b_q), _mha_linear(k, k_proj_weight, b_k),
                    _mha_linear(v, v_proj_weight, b_v))
    else:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")

        def in_project(q, k, v):
            return _mha_in_projection_packed(q, k, v, in_proj_weight, in_proj_bias)

    return _mha_forward(query, key, value, embed_dim_to_check, num_heads, in_project, bias_k, bias_v, add_zero_attn,
                        dropout_p, lambda x: _mha_linear(x, out_proj_weight, out_proj_bias), training,
                        key_padding_mask, need_weights, attn_mask, use_separate_proj_weight, static_k, static_v,
                        average_attn_weights, is_causal)


# MultiheadAttention derives from paddle.nn.Layer, so it is built on first use by the short
# `_build_multihead_attention` (a `class` statement, whose zero-argument super() call keeps working); its longer
# method bodies are the module-level `_mha_*` functions below, which the class statement takes as methods.


def _mha_init_parameters(self, embed_dim, bias, add_bias_kv, dtype):
    """MultiheadAttention's parameters, in torch's order and with torch's initialisation: Xavier-uniform
    projections (``in_proj_weight`` [3E, E], or ``q/k/v_proj_weight`` when kdim/vdim differ), zero biases,
    ``out_proj`` a Paddle Linear (torch's Linear default), Xavier-normal ``bias_k``/``bias_v``."""
    import math

    import paddle

    xavier = paddle.nn.initializer.XavierUniform()
    if not self._qkv_same_embed_dim:
        self.q_proj_weight = self.create_parameter([embed_dim, embed_dim], dtype=dtype, default_initializer=xavier)
        self.k_proj_weight = self.create_parameter([embed_dim, self.kdim], dtype=dtype, default_initializer=xavier)
        self.v_proj_weight = self.create_parameter([embed_dim, self.vdim], dtype=dtype, default_initializer=xavier)
        self.in_proj_weight = None
    else:
        self.in_proj_weight = self.create_parameter([3 * embed_dim, embed_dim], dtype=dtype,
                                                    default_initializer=xavier)
        self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
    zero = paddle.nn.initializer.Constant(0.0)
    if bias:
        self.in_proj_bias = self.create_parameter([3 * embed_dim], dtype=dtype, is_bias=True,
                                                  default_initializer=zero)
    else:
        self.in_proj_bias = None
    bound = 1 / math.sqrt(embed_dim)  # torch's Linear default: kaiming-uniform(a=sqrt(5)); zero bias
    self.out_proj = paddle.nn.Linear(
        embed_dim, embed_dim,
        weight_attr=paddle.ParamAttr(initializer=paddle.nn.initializer.Uniform(-bound, bound)),
        bias_attr=paddle.ParamAttr(initializer=zero) if bias else False)
    if add_bias_kv:
        normal = paddle.nn.initializer.XavierNormal()
        self.bias_k = self.create_parameter([1, 1, embed_dim], dtype=dtype, default_initializer=normal)
        self.bias_v = self.create_parameter([1, 1, embed_dim], dtype=dtype, default_initializer=normal)
    else:
        self.bias_k = self.bias_v = None


def _mha_reset_parameters(self):
    """torch's initialisation again (user code calls it after changing the layer)."""
    import paddle

    xavier, zero = paddle.nn.initializer.XavierUniform(), paddle.nn.initializer.Constant(0.0)
    for name in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight"):
        if getattr(self, name) is not None:
            xavier(getattr(self, name))
    if self.in_proj_bias is not None:
        zero(self.in_proj_bias)
        zero(self.out_proj.bias)
    for name in ("bias_k", "bias_v"):
        if getattr(self, name) is not None:
            paddle.nn.initializer.XavierNormal()(getattr(self, name))


def _mha_layer_in_project(self):
    """MultiheadAttention's ``in_project(q, k, v)`` for ``_mha_forward``: packed or separate weights."""
    if self._qkv_same_embed_dim:
        def in_project(q, k, v):
            return _mha_in_projection_packed(q, k, v, self.in_proj_weight, self.in_proj_bias)
    else:
        def in_project(q, k, v):
            embed, b = self.embed_dim, self.in_proj_bias
            b_q, b_k, b_v = ((None, None, None) if b is None
                             else (b[:embed], b[embed:2 * embed], b[2 * embed:]))
            return (_mha_linear(q, self.q_proj_weight, b_q), _mha_linear(k, self.k_proj_weight, b_k),
                    _mha_linear(v, self.v_proj_weight, b_v))
    return in_project


def _mha_layer_forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                       average_attn_weights=True, is_causal=False):
    """MultiheadAttention's ``forward``: torch's signature and results."""
    is_batched = query.ndim == 3
    key_padding_mask = _mha_canonical_mask(key_padding_mask, "key_padding_mask", attn_mask, "attn_mask",
                                           query.dtype)
    attn_mask = _mha_canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
    if self.batch_first and is_batched:  # keeps `query is key` / `key is value` as they were
        if key is value:
            if query is key:
                query = key = value = query.transpose([1, 0, 2])
            else:
                query, key = (x.transpose([1, 0, 2]) for x in (query, key))
                value = key
        else:
            query, key, value = (x.transpose([1, 0, 2]) for x in (query, key, value))
    out, weights = _mha_forward(
        query, key, value, self.embed_dim, self.num_heads, _mha_layer_in_project(self), self.bias_k, self.bias_v,
        self.add_zero_attn, self.dropout, self.out_proj, self.training, key_padding_mask, need_weights,
        attn_mask, not self._qkv_same_embed_dim, None, None, average_attn_weights, is_causal)
    if self.batch_first and is_batched:
        out = out.transpose([1, 0, 2])
    return out, weights


def _build_multihead_attention():
    """torch's ``nn.MultiheadAttention`` as a ``paddle.nn.Layer``: torch's constructor, forward, attributes,
    parameter names and layouts (``in_proj_weight`` [3E, E], ``out_proj`` a Paddle Linear) and default
    initialisation (Xavier-uniform projections, zero biases, Xavier-normal bias_k/bias_v)."""
    import paddle

    class MultiheadAttention(paddle.nn.Layer):
        def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                     kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
            if embed_dim <= 0 or num_heads <= 0:
                raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                                 f"num_heads={num_heads} instead")
            if device is not None:
                raise TypeError("torch.nn.MultiheadAttention: device= has no Paddle equivalent: place the model "
                                "with paddle.set_device / .to() instead (torch2paddle)")
            dtype = paddle.get_default_dtype() if dtype is None else dtype
            super().__init__(dtype=dtype)
            self.embed_dim = embed_dim
            self.kdim = kdim if kdim is not None else embed_dim
            self.vdim = vdim if vdim is not None else embed_dim
            self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
            self.num_heads = num_heads
            self.dropout = dropout
            self.batch_first = batch_first
            self.head_dim = embed_dim // num_heads
            if self.head_dim * num_heads != self.embed_dim:
                raise AssertionError("embed_dim must be divisible by num_heads")
            _mha_init_parameters(self, embed_dim, bias, add_bias_kv, dtype)
            self.add_zero_attn = add_zero_attn

        _reset_parameters = _mha_reset_parameters
        forward = _mha_layer_forward

        def extra_repr(self):
            return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, batch_first={self.batch_first}"

    MultiheadAttention.__module__ = __name__  # found again by name (pickle): the module's __getattr__ builds it
    MultiheadAttention.__qualname__ = "MultiheadAttention"
    return MultiheadAttention


def _runtime_class(name):
    """A lazily built class of this module, built once (the same class object for every use: isinstance)."""
    cls = globals().get(name)
    return cls if cls is not None else __getattr__(name)


def _tf_dtype_scope(dtype):
    """Builds layers in ``dtype`` (torch's ``dtype=``): Paddle's Linear/LayerNorm take the default dtype."""
    import contextlib

    import paddle

    @contextlib.contextmanager
    def scope():
        if dtype is None:
            yield
            return
        saved = paddle.get_default_dtype()
        paddle.set_default_dtype(dtype)
        try:
            yield
        finally:
            paddle.set_default_dtype(saved)

    return scope()


def _tf_check_device(device, name):
    if device is not None:
        raise TypeError(f"torch.nn.{name}: device= has no Paddle equivalent: place the model with "
                        "paddle.set_device / .to() instead (torch2paddle)")


def _tf_linear(in_features, out_features, bias):
    """torch's ``nn.Linear`` as a Paddle Linear (weight [in, out]) with torch's default initialisation:
    weight and bias uniform(-1/sqrt(in), 1/sqrt(in))."""
    import math

    import paddle

    bound = 1 / math.sqrt(in_features) if in_features > 0 else 0
    init = paddle.nn.initializer.Uniform(-bound, bound)
    return paddle.nn.Linear(in_features, out_features, weight_attr=paddle.ParamAttr(initializer=init),
                            bias_attr=paddle.ParamAttr(initializer=init) if bias else False)


def _tf_layer_norm(d_model, eps, bias):
    """torch's ``nn.LayerNorm(d_model, eps=eps, bias=bias)``: weight one, bias zero (none with bias=False)."""
    import paddle

    return paddle.nn.LayerNorm(d_model, epsilon=eps, bias_attr=None if bias else False)


def _tf_norm_eps(norm):
    return getattr(norm, "_epsilon", getattr(norm, "eps", None))


def _tf_activation_fn(activation):
    """torch's ``transformer._get_activation_fn``."""
    import paddle.nn.functional as F

    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _tf_generate_square_subsequent_mask(sz, device=None, dtype=None):
    """torch's ``Transformer.generate_square_subsequent_mask``: -inf above the diagonal, 0 elsewhere."""
    import paddle

    mask = paddle.triu(paddle.full([sz, sz], float("-inf"), dtype=dtype or paddle.get_default_dtype()), diagonal=1)
    return mask if device is None else mask.to(device)


def _tf_seq_len(src, batch_first):
    """torch's ``transformer._get_seq_len``."""
    if src.ndim == 2:
        return src.shape[0]
    return src.shape[1 if batch_first else 0]


def _tf_detect_is_causal_mask(mask, is_causal=None, size=None):
    """torch's ``transformer._detect_is_causal_mask``: ``is_causal`` when given, else whether ``mask`` is the
    square subsequent mask (a boolean mask: True above the diagonal) of ``size``."""
    import paddle

    make_causal = is_causal is True
    if is_causal is None and mask is not None:
        sz = size if size is not None else mask.shape[-2]
        if list(mask.shape) == [sz, sz]:
            upper = paddle.triu(paddle.ones([sz, sz], dtype="int32"), diagonal=1) > 0
            if mask.dtype == paddle.bool:
                make_causal = bool(paddle.equal_all(mask, upper))
            else:
                causal = paddle.where(upper, paddle.full([sz, sz], float("-inf"), dtype=mask.dtype),
                                      paddle.zeros([sz, sz], dtype=mask.dtype))
                make_causal = bool((mask == causal).all())
        else:
            make_causal = False
    return make_causal


def _tf_clones(module, n):
    """torch's ``transformer._get_clones``: ``n`` deep copies (the same initial weights) in a LayerList."""
    import copy

    import paddle

    return paddle.nn.LayerList([copy.deepcopy(module) for _ in range(n)])


# The Transformer classes derive from paddle.nn.Layer, so they are built together on the first use of one
# (`_build_transformer_classes`), each by a short `_tf_build_*` function (a `class` statement, whose
# zero-argument super() calls keep working); the longer method bodies are the module-level `_tf_*` functions
# that the class statements take as methods.


def _tf_relu_or_gelu(activation):
    """torch's ``activation_relu_or_gelu``: 1 for relu, 2 for gelu, else 0."""
    import paddle
    import paddle.nn.functional as F

    if activation is F.relu or isinstance(activation, paddle.nn.ReLU):
        return 1
    if activation is F.gelu or isinstance(activation, paddle.nn.GELU):
        return 2
    return 0


def _tf_build_encoder_layer(MultiheadAttention):
    import paddle
    import paddle.nn.functional as F

    class TransformerEncoderLayer(paddle.nn.Layer):
        def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu,
                     layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
            _tf_check_device(device, "TransformerEncoderLayer")
            super().__init__()
            with _tf_dtype_scope(dtype):
                self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                    batch_first=batch_first, dtype=dtype)
                self.linear1 = _tf_linear(d_model, dim_feedforward, bias)
                self.dropout = paddle.nn.Dropout(dropout)
                self.linear2 = _tf_linear(dim_feedforward, d_model, bias)
                self.norm_first = norm_first
                self.norm1 = _tf_layer_norm(d_model, layer_norm_eps, bias)
                self.norm2 = _tf_layer_norm(d_model, layer_norm_eps, bias)
            self.dropout1 = paddle.nn.Dropout(dropout)
            self.dropout2 = paddle.nn.Dropout(dropout)
            if isinstance(activation, str):
                activation = _tf_activation_fn(activation)
            self.activation_relu_or_gelu = _tf_relu_or_gelu(activation)
            self.activation = activation

        def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
            src_key_padding_mask = _mha_canonical_mask(src_key_padding_mask, "src_key_padding_mask", src_mask,
                                                       "src_mask", src.dtype)
            src_mask = _mha_canonical_mask(src_mask, "src_mask", None, "", src.dtype, check_other=False)
            x = src
            if self.norm_first:
                x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal=is_causal)
                x = x + self._ff_block(self.norm2(x))
            else:
                x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal=is_causal))
                x = self.norm2(x + self._ff_block(x))
            return x

        def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
            x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                               need_weights=False, is_causal=is_causal)[0]
            return self.dropout1(x)

        def _ff_block(self, x):
            x = self.linear2(self.dropout(self.activation(self.linear1(x))))
            return self.dropout2(x)

    return TransformerEncoderLayer


def _tf_decoder_layer_forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                              memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
    """TransformerDecoderLayer's ``forward``."""
    x = tgt
    if self.norm_first:
        x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
        x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
        x = x + self._ff_block(self.norm3(x))
    else:
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
        x = self.norm3(x + self._ff_block(x))
    return x


def _tf_build_decoder_layer(MultiheadAttention):
    import paddle
    import paddle.nn.functional as F

    class TransformerDecoderLayer(paddle.nn.Layer):
        def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu,
                     layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
            _tf_check_device(device, "TransformerDecoderLayer")
            super().__init__()
            with _tf_dtype_scope(dtype):
                self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first,
                                                    bias=bias, dtype=dtype)
                self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first,
                                                         bias=bias, dtype=dtype)
                self.linear1 = _tf_linear(d_model, dim_feedforward, bias)
                self.dropout = paddle.nn.Dropout(dropout)
                self.linear2 = _tf_linear(dim_feedforward, d_model, bias)
                self.norm_first = norm_first
                self.norm1 = _tf_layer_norm(d_model, layer_norm_eps, bias)
                self.norm2 = _tf_layer_norm(d_model, layer_norm_eps, bias)
                self.norm3 = _tf_layer_norm(d_model, layer_norm_eps, bias)
            self.dropout1 = paddle.nn.Dropout(dropout)
            self.dropout2 = paddle.nn.Dropout(dropout)
            self.dropout3 = paddle.nn.Dropout(dropout)
            self.activation = _tf_activation_fn(activation) if isinstance(activation, str) else activation

        forward = _tf_decoder_layer_forward

        def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
            x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                               is_causal=is_causal, need_weights=False)[0]
            return self.dropout1(x)

        def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal=False):
            x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                    is_causal=is_causal, need_weights=False)[0]
            return self.dropout2(x)

        def _ff_block(self, x):
            x = self.linear2(self.dropout(self.activation(self.linear1(x))))
            return self.dropout3(x)

    return TransformerDecoderLayer


def _tf_why_not_nested(encoder_layer, encoder_layer_class):
    """Why torch's TransformerEncoder does not use nested tensors with ``encoder_layer`` ("" when it does)."""
    enc_layer = "encoder_layer"
    why_not = ""
    if not isinstance(encoder_layer, encoder_layer_class):
        why_not = f"{enc_layer} was not TransformerEncoderLayer"
    elif encoder_layer.norm_first:
        why_not = f"{enc_layer}.norm_first was True"
    elif not encoder_layer.self_attn.batch_first:
        why_not = (f"{enc_layer}.self_attn.batch_first was not True"
                   "(use batch_first for better inference performance)")
    elif not encoder_layer.self_attn._qkv_same_embed_dim:
        why_not = f"{enc_layer}.self_attn._qkv_same_embed_dim was not True"
    elif encoder_layer.self_attn.in_proj_bias is None:
        why_not = f"{enc_layer}.self_attn was passed bias=False"
    elif not encoder_layer.activation_relu_or_gelu:
        why_not = f"{enc_layer}.activation_relu_or_gelu was not True"
    elif _tf_norm_eps(encoder_layer.norm1) != _tf_norm_eps(encoder_layer.norm2):
        why_not = f"{enc_layer}.norm1.eps was not equal to {enc_layer}.norm2.eps"
    elif encoder_layer.self_attn.num_heads % 2 == 1:
        why_not = f"{enc_layer}.self_attn.num_heads is odd"
    return why_not


def _tf_nested_lengths(self, src, src_key_padding_mask, mask):
    """torch's sparsity fast path (inference, batch-first, a key padding mask and no mask): each
    sequence is cut to its unpadded length (a nested tensor), so the padded positions come out zero
    before ``norm``.  The lengths, or None where torch takes the ordinary path."""
    import paddle

    first = self.layers[0]
    if (not getattr(self, "use_nested_tensor", False) or first.training or src.ndim != 3
            or src_key_padding_mask is None or mask is not None):
        return None
    valid = src_key_padding_mask == 0  # torch: key_padding_mask.logical_not()
    if getattr(self, "mask_check", True) and bool(
            paddle.logical_and(paddle.logical_not(valid[:, :-1]), valid[:, 1:]).any()):
        return None  # not left-aligned
    attn = first.self_attn
    tensors = (src, attn.in_proj_weight, attn.in_proj_bias, attn.out_proj.weight, attn.out_proj.bias,
               first.norm1.weight, first.norm1.bias, first.norm2.weight, first.norm2.bias,
               first.linear1.weight, first.linear1.bias, first.linear2.weight, first.linear2.bias)
    if paddle.is_grad_enabled() and any(t is not None and not t.stop_gradient for t in tensors):
        return None
    return valid.astype("int64").sum(axis=1)


def _tf_encoder_forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
    """TransformerEncoder's ``forward``."""
    import paddle

    src_key_padding_mask = _mha_canonical_mask(src_key_padding_mask, "src_key_padding_mask", mask, "mask",
                                               src.dtype)
    mask = _mha_canonical_mask(mask, "mask", None, "", src.dtype, check_other=False)
    output = src
    first = self.layers[0]
    batch_first = first.self_attn.batch_first
    lengths = self._nested_lengths(src, src_key_padding_mask, mask)
    kept = None
    if lengths is not None:  # the nested tensor's sequences: the first `length` positions of each
        kept = paddle.arange(src.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)
        src_key_padding_mask = paddle.where(kept, paddle.zeros(kept.shape, dtype=src.dtype),
                                            paddle.full(kept.shape, float("-inf"), dtype=src.dtype))
    seq_len = _tf_seq_len(src, batch_first)
    is_causal = _tf_detect_is_causal_mask(mask, is_causal, seq_len)
    for mod in self.layers:
        output = mod(output, src_mask=mask, is_causal=is_causal, src_key_padding_mask=src_key_padding_mask)
    if kept is not None:  # to_padded_tensor(0.0)
        output = paddle.where(kept.unsqueeze(-1), output, paddle.zeros_like(output))
    if self.norm is not None:
        output = self.norm(output)
    return output


def _tf_build_encoder(TransformerEncoderLayer):
    import warnings

    import paddle

    class TransformerEncoder(paddle.nn.Layer):
        def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
            super().__init__()
            self.layers = _tf_clones(encoder_layer, num_layers)
            self.num_layers = num_layers
            self.norm = norm
            self.enable_nested_tensor = enable_nested_tensor
            self.use_nested_tensor = enable_nested_tensor
            self.mask_check = mask_check
            why_not = _tf_why_not_nested(encoder_layer, TransformerEncoderLayer)
            if enable_nested_tensor and why_not:
                warnings.warn(f"enable_nested_tensor is True, but self.use_nested_tensor is False because {why_not}",
                              stacklevel=2)
                self.use_nested_tensor = False

        _nested_lengths = _tf_nested_lengths
        forward = _tf_encoder_forward

    return TransformerEncoder


def _tf_build_decoder():
    import paddle

    class TransformerDecoder(paddle.nn.Layer):
        def __init__(self, decoder_layer, num_layers, norm=None):
            super().__init__()
            self.layers = _tf_clones(decoder_layer, num_layers)
            self.num_layers = num_layers
            self.norm = norm

        def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                    memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
            output = tgt
            seq_len = _tf_seq_len(tgt, self.layers[0].self_attn.batch_first)
            tgt_is_causal = _tf_detect_is_causal_mask(tgt_mask, tgt_is_causal, seq_len)
            for mod in self.layers:
                output = mod(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                             tgt_key_padding_mask=tgt_key_padding_mask,
                             memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                             memory_is_causal=memory_is_causal)
            if self.norm is not None:
                output = self.norm(output)
            return output

    return TransformerDecoder


def _tf_transformer_forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                            src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
                            src_is_causal=None, tgt_is_causal=None, memory_is_causal=False):
    """Transformer's ``forward``: torch's checks, the encoder, then the decoder."""
    is_batched = src.ndim == 3
    if not self.batch_first and src.shape[1] != tgt.shape[1] and is_batched:
        raise RuntimeError("the batch number of src and tgt must be equal")
    elif self.batch_first and src.shape[0] != tgt.shape[0] and is_batched:
        raise RuntimeError("the batch number of src and tgt must be equal")
    if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
        raise RuntimeError("the feature number of src and tgt must be equal to d_model")
    memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
    return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                        tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                        tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)


def _tf_reset_parameters(self):
    """Transformer's ``_reset_parameters``, torch's: Xavier-uniform on every parameter of more than one
    dimension (a Paddle Linear's [in, out] weight has torch's fan_in + fan_out)."""
    import paddle

    xavier = paddle.nn.initializer.XavierUniform()
    for p in self.parameters():
        if p.ndim > 1:
            xavier(p)


def _tf_build_transformer(TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder,
                          TransformerDecoder):
    import paddle
    import paddle.nn.functional as F

    class Transformer(paddle.nn.Layer):
        def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                     dropout=0.1, activation=F.relu, custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
                     batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
            _tf_check_device(device, "Transformer")
            super().__init__()
            if custom_encoder is not None:
                self.encoder = custom_encoder
            else:
                encoder_layer = TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
                                                        layer_norm_eps, batch_first, norm_first, bias, dtype=dtype)
                with _tf_dtype_scope(dtype):
                    encoder_norm = _tf_layer_norm(d_model, layer_norm_eps, bias)
                self.encoder = TransformerEncoder(encoder_layer, num_encoder_layers, encoder_norm)
            if custom_decoder is not None:
                self.decoder = custom_decoder
            else:
                decoder_layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
                                                        layer_norm_eps, batch_first, norm_first, bias, dtype=dtype)
                with _tf_dtype_scope(dtype):
                    decoder_norm = _tf_layer_norm(d_model, layer_norm_eps, bias)
                self.decoder = TransformerDecoder(decoder_layer, num_decoder_layers, decoder_norm)
            self._reset_parameters()
            self.d_model = d_model
            self.nhead = nhead
            self.batch_first = batch_first

        forward = _tf_transformer_forward
        _reset_parameters = _tf_reset_parameters

        @staticmethod
        def generate_square_subsequent_mask(sz, device=None, dtype=None):
            return _tf_generate_square_subsequent_mask(sz, device=device, dtype=dtype)

    return Transformer


def _build_transformer_classes():
    """torch's ``nn.Transformer``, ``TransformerEncoder``, ``TransformerDecoder``, ``TransformerEncoderLayer``
    and ``TransformerDecoderLayer`` as ``paddle.nn.Layer`` s: torch's constructors, defaults, forward
    signatures, attribute and sublayer names (``self_attn``/``multihead_attn`` the run-time
    MultiheadAttention, ``linear1``/``linear2`` Paddle Linears, ``norm1..3`` LayerNorms, ``dropout``,
    ``dropout1..3``; ``layers.N``; ``encoder``/``decoder``/``norm``) and default initialisation."""
    MultiheadAttention = _runtime_class("MultiheadAttention")
    TransformerEncoderLayer = _tf_build_encoder_layer(MultiheadAttention)
    TransformerDecoderLayer = _tf_build_decoder_layer(MultiheadAttention)
    TransformerEncoder = _tf_build_encoder(TransformerEncoderLayer)
    TransformerDecoder = _tf_build_decoder()
    Transformer = _tf_build_transformer(TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder,
                                        TransformerDecoder)
    return {cls.__name__: _named(cls, cls.__name__) for cls in (
        Transformer, TransformerEncoder, TransformerDecoder, TransformerEncoderLayer, TransformerDecoderLayer)}


def _transformer_class(name):
    classes = globals().get("_TRANSFORMER_CLASSES")
    if classes is None:
        classes = globals()["_TRANSFORMER_CLASSES"] = _build_transformer_classes()
    return classes[name]


def _build_rnn_cell_base():
    """torch's ``nn.RNNCellBase``: ``weight_ih`` [G*H, I], ``weight_hh`` [G*H, H], ``bias_ih``/``bias_hh``
    [G*H] (None without bias), all initialised uniform(-1/sqrt(H), 1/sqrt(H)) as torch's reset_parameters."""
    import math

    import paddle

    class RNNCellBase(paddle.nn.Layer):
        def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
            if device is not None:
                raise TypeError(f"torch.nn.{self._cell_name}: device= has no Paddle equivalent: place the "
                                "model with paddle.set_device / .to() instead (torch2paddle)")
            dtype = paddle.get_default_dtype() if dtype is None else dtype
            super().__init__(dtype=dtype)
            self.input_size = input_size
            self.hidden_size = hidden_size
            self.bias = bias
            init = self._uniform()
            self.weight_ih = self.create_parameter([num_chunks * hidden_size, input_size], dtype=dtype,
                                                   default_initializer=init)
            self.weight_hh = self.create_parameter([num_chunks * hidden_size, hidden_size], dtype=dtype,
                                                   default_initializer=init)
            if bias:
                self.bias_ih = self.create_parameter([num_chunks * hidden_size], dtype=dtype, is_bias=True,
                                                     default_initializer=init)
                self.bias_hh = self.create_parameter([num_chunks * hidden_size], dtype=dtype, is_bias=True,
                                                     default_initializer=init)
            else:
                self.bias_ih = self.bias_hh = None

        def _uniform(self):
            stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
            return paddle.nn.initializer.Uniform(-stdv, stdv)

        def reset_parameters(self):
            init = self._uniform()
            for weight in self.parameters():
                init(weight)

        def _states(self, input, hx, count):
            """torch's checks and unbatched handling: ``(input [B, I], states [B, H] each, is_batched)``."""
            name = self._cell_name
            if input.ndim not in (1, 2):
                raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
            states = None if hx is None else (list(hx) if count > 1 else [hx])
            if states is not None:
                for idx, value in enumerate(states):
                    if value.ndim not in (1, 2):
                        what = f"hx[{idx}]" if count > 1 else "hidden"
                        raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {value.ndim}D instead")
            is_batched = input.ndim == 2
            if not is_batched:
                input = input.unsqueeze(0)
            if states is None:
                states = [paddle.zeros([input.shape[0], self.hidden_size], dtype=input.dtype)] * count
            elif not is_batched:
                states = [value.unsqueeze(0) for value in states]
            return input, states, is_batched

        def extra_repr(self):
            text = f"{self.input_size}, {self.hidden_size}"
            if self.bias is not True:
                text += f", bias={self.bias}"
            if getattr(self, "nonlinearity", "tanh") != "tanh":
                text += f", nonlinearity={self.nonlinearity}"
            return text

    return RNNCellBase


def _rnn_cell_base():
    base = globals().get("_RNNCellBase")
    if base is None:
        base = globals()["_RNNCellBase"] = _build_rnn_cell_base()
    return base


def _named(cls, name):
    cls.__module__ = __name__  # found again by name (pickle): the module's __getattr__ builds it
    cls.__name__ = cls.__qualname__ = name
    return cls


def _build_lstm_cell():
    """torch's ``nn.LSTMCell``: gates i, f, g, o; ``forward(input, hx=None)`` returns ``(h, c)``."""
    import paddle
    import paddle.nn.functional as F

    class LSTMCell(_rnn_cell_base()):
        _cell_name = "LSTMCell"  # torch's messages name the cell class, also in a subclass

        def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
            super().__init__(input_size, hidden_size, bias, 4, device=device, dtype=dtype)

        def forward(self, input, hx=None):
            input, (h, c), is_batched = self._states(input, hx, 2)
            gates = _mha_linear(h, self.weight_hh, self.bias_hh) + _mha_linear(input, self.weight_ih, self.bias_ih)
            i, f, g, o = paddle.split(gates, 4, axis=1)
            c = F.sigmoid(f) * c + F.sigmoid(i) * paddle.tanh(g)
            h = F.sigmoid(o) * paddle.tanh(c)
            return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))

    return _named(LSTMCell, "LSTMCell")


def _build_gru_cell():
    """torch's ``nn.GRUCell``: gates r, z, n with n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) and
    h' = (1 - z) * n + z * h; ``forward(input, hx=None)`` returns h'."""
    import paddle
    import paddle.nn.functional as F

    class GRUCell(_rnn_cell_base()):
        _cell_name = "GRUCell"  # torch's messages name the cell class, also in a subclass

        def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
            super().__init__(input_size, hidden_size, bias, 3, device=device, dtype=dtype)

        def forward(self, input, hx=None):
            input, (h,), is_batched = self._states(input, hx, 1)
            i_r, i_z, i_n = paddle.split(_mha_linear(input, self.weight_ih, self.bias_ih), 3, axis=1)
            h_r, h_z, h_n = paddle.split(_mha_linear(h, self.weight_hh, self.bias_hh), 3, axis=1)
            r = F.sigmoid(h_r + i_r)
            z = F.sigmoid(h_z + i_z)
            n = paddle.tanh(i_n + h_n * r)
            out = (h - n) * z + n
            return out if is_batched else out.squeeze(0)

    return _named(GRUCell, "GRUCell")


def _build_rnn_cell():
    """torch's ``nn.RNNCell``: h' = tanh (or relu) of W_ih x + b_ih + W_hh h + b_hh."""
    import paddle
    import paddle.nn.functional as F

    class RNNCell(_rnn_cell_base()):
        _cell_name = "RNNCell"  # torch's messages name the cell class, also in a subclass

        def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
            super().__init__(input_size, hidden_size, bias, 1, device=device, dtype=dtype)
            self.nonlinearity = nonlinearity

        def forward(self, input, hx=None):
            input, (h,), is_batched = self._states(input, hx, 1)
            if self.nonlinearity not in ("tanh", "relu"):
                raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
            pre = _mha_linear(h, self.weight_hh, self.bias_hh) + _mha_linear(input, self.weight_ih, self.bias_ih)
            out = paddle.tanh(pre) if self.nonlinearity == "tanh" else F.relu(pre)
            return out if is_batched else out.squeeze(0)

    return _named(RNNCell, "RNNCell")


def _lbfgs_dot(x, y):
    """The dot product of two flat tensors (Paddle's own LBFGS avoids ``paddle.dot`` the same way)."""
    return (x * y).sum(axis=-1)


def _lbfgs_cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """torch's ``optim.lbfgs._cubic_interpolate``: the minimiser of the cubic through two points."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = d2_square.sqrt()
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _lbfgs_strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """torch's ``optim.lbfgs._strong_wolfe`` (bracketing, then zoom), step for step."""
    d_norm = d.abs().max()
    g = g.clone()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = _lbfgs_dot(g_new, d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.clone()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.clone()], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _lbfgs_cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.clone(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = _lbfgs_dot(g_new, d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _lbfgs_cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1],
                                     bracket_gtd[1])
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = _lbfgs_dot(g_new, d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.clone(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.clone(), gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


# LBFGS derives from paddle.optimizer.LBFGS, so it is built on first use by the short `_build_lbfgs` (a `class`
# statement, whose zero-argument super() calls keep working); its constructor's checks and its ``step`` are the
# module-level `_lbfgs_*` functions below, ``step`` split into its named steps.


def _lbfgs_options(params, lr, max_iter, max_eval, tolerance_grad, tolerance_change, history_size, line_search_fn,
                   maximize):
    """torch's checks of LBFGS's arguments: ``(params, options)``, a parameter group's options overriding the
    arguments (``options``: lr, max_iter, max_eval, tolerance_grad, tolerance_change, history_size,
    line_search_fn, maximize)."""
    import paddle

    if isinstance(lr, paddle.Tensor):
        if lr.size != 1:
            raise ValueError("Tensor lr must be 1-element")
        lr = float(lr)
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if max_eval is None:
        max_eval = max_iter * 5 // 4
    if isinstance(params, paddle.Tensor):
        raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                        f"but got {type(params).__name__}")
    params = list(params)
    if len(params) == 0:
        raise ValueError("optimizer got an empty parameter list")
    options = dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                   tolerance_change=tolerance_change, history_size=history_size, line_search_fn=line_search_fn,
                   maximize=maximize)
    if isinstance(params[0], dict):  # one group (torch refuses more) whose options override the defaults
        if len(params) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        group = dict(params[0])
        params = group.pop("params")
        params = [params] if isinstance(params, paddle.Tensor) else list(params)
        options = {name: group.get(name, value) for name, value in options.items()}
    if any(p.is_complex() for p in params):
        raise TypeError("torch.optim.LBFGS: complex parameters are not supported by the Paddle port "
                        "(torch2paddle)")
    return params, options


def _lbfgs_settings(self):
    """The optimizer's settings as ``step`` starts (the rate is ``get_lr()``)."""
    import types

    return types.SimpleNamespace(
        lr=self.get_lr(), max_iter=self.max_iter, max_eval=self.max_eval, tolerance_grad=self.tolerance_grad,
        tolerance_change=self.tolerance_change, line_search_fn=self.line_search_fn,
        history_size=self.history_size, maximize=self.maximize)


def _lbfgs_direction(state, flat_grad, prev_flat_grad, d, t, old_dirs, old_stps, ro, H_diag, history_size):
    """torch's L-BFGS update after the first iteration: the curvature pair (s, y) added to the history
    (``old_dirs``/``old_stps``/``ro``, changed in place) when ys > 1e-10, then the two-loop recursion.
    ``(direction, H_diag)``."""
    y = flat_grad - prev_flat_grad
    s = d * t
    ys = _lbfgs_dot(y, s)
    if ys > 1e-10:
        if len(old_dirs) == history_size:
            old_dirs.pop(0)
            old_stps.pop(0)
            ro.pop(0)
        old_dirs.append(y)
        old_stps.append(s)
        ro.append(1.0 / ys)
        H_diag = ys / _lbfgs_dot(y, y)
    num_old = len(old_dirs)
    if "al" not in state:
        state["al"] = [None] * history_size
    al = state["al"]
    q = -flat_grad
    for i in range(num_old - 1, -1, -1):
        al[i] = _lbfgs_dot(old_stps[i], q) * ro[i]
        q = q + old_dirs[i] * (-al[i])
    r = q * H_diag
    for i in range(num_old):
        be_i = _lbfgs_dot(old_dirs[i], r) * ro[i]
        r = r + old_stps[i] * (al[i] - be_i)
    return r, H_diag


def _lbfgs_move(self, closure, opts, loss, flat_grad, t, d, gtd, opt_cond, n_iter, current_evals):
    """One step along ``d``: the strong-Wolfe line search, or a fixed step ``t`` then one evaluation (none
    on the last iteration).  ``(loss, flat_grad, t, opt_cond, evaluations)``."""
    import paddle

    ls_func_evals = 0
    if opts.line_search_fn is not None:
        if opts.line_search_fn != "strong_wolfe":
            raise RuntimeError("only 'strong_wolfe' is supported")
        x_init = self._clone_param()

        def obj_func(x, t, d):
            return self._directional_evaluate(closure, x, t, d)

        loss, flat_grad, t, ls_func_evals = _lbfgs_strong_wolfe(
            obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=opts.max_eval - current_evals)
        self._add_grad(t, d)
        opt_cond = flat_grad.abs().max() <= opts.tolerance_grad
    else:
        self._add_grad(t, d)
        if n_iter != opts.max_iter:
            with paddle.enable_grad():
                loss = closure()
            loss = -float(loss) if opts.maximize else float(loss)
            flat_grad = self._gather_flat_grad()
            opt_cond = flat_grad.abs().max() <= opts.tolerance_grad
            ls_func_evals = 1
    return loss, flat_grad, t, opt_cond, ls_func_evals


def _lbfgs_iterate(self, closure, opts, state, loss, flat_grad, opt_cond):
    """torch's L-BFGS iterations after the first evaluation, the history carried in ``state``."""
    current_evals = 1
    d, t = state.get("d"), state.get("t")
    old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
    H_diag = state.get("H_diag")
    prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")
    n_iter = 0
    while n_iter < opts.max_iter:
        n_iter += 1
        state["n_iter"] += 1
        if state["n_iter"] == 1:
            d = -flat_grad
            old_dirs, old_stps, ro = [], [], []
            H_diag = 1
        else:
            d, H_diag = _lbfgs_direction(state, flat_grad, prev_flat_grad, d, t, old_dirs, old_stps, ro, H_diag,
                                         opts.history_size)
        prev_flat_grad = flat_grad.clone()
        prev_loss = loss
        if state["n_iter"] == 1:
            t = min(1.0, 1.0 / flat_grad.abs().sum()) * opts.lr
        else:
            t = opts.lr
        gtd = _lbfgs_dot(flat_grad, d)
        if gtd > -opts.tolerance_change:
            break
        loss, flat_grad, t, opt_cond, ls_func_evals = _lbfgs_move(self, closure, opts, loss, flat_grad, t, d, gtd,
                                                                  opt_cond, n_iter, current_evals)
        current_evals += ls_func_evals
        state["func_evals"] += ls_func_evals
        if n_iter == opts.max_iter or current_evals >= opts.max_eval or opt_cond:
            break
        if (d * t).abs().max() <= opts.tolerance_change:
            break
        if abs(loss - prev_loss) < opts.tolerance_change:
            break
    state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                 prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)


def _lbfgs_step(self, closure):
    """torch's ``LBFGS.step``: up to ``max_iter`` iterations (``max_eval`` evaluations of ``closure``,
    which clears the gradients, computes the loss, calls backward and returns it); returns the first
    loss."""
    import paddle

    with paddle.no_grad():
        closure = paddle.enable_grad()(closure)
        opts = _lbfgs_settings(self)
        state = self.state
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = closure()
        loss = -float(orig_loss) if opts.maximize else float(orig_loss)
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        opt_cond = flat_grad.abs().max() <= opts.tolerance_grad
        if opt_cond:
            return orig_loss
        _lbfgs_iterate(self, closure, opts, state, loss, flat_grad, opt_cond)
    return orig_loss


def _build_lbfgs():
    """torch's ``optim.LBFGS`` on Paddle parameters: torch's constructor and ``step(closure)``, step for step
    (Paddle's own LBFGS lets the line search run 25 evaluations where torch stops at ``max_eval``, and keeps its
    rate apart from ``get_lr``/``set_lr``/``set_lr_scheduler``).  The rate is the optimizer's (``get_lr()``, so
    ``set_lr`` and an attached scheduler change it as torch's ``param_groups[0]["lr"]`` does)."""
    import paddle

    class LBFGS(paddle.optimizer.LBFGS):
        def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                     history_size=100, line_search_fn=None, *, maximize=False):
            params, options = _lbfgs_options(params, lr, max_iter, max_eval, tolerance_grad, tolerance_change,
                                             history_size, line_search_fn, maximize)
            super().__init__(learning_rate=1.0, max_iter=options["max_iter"], max_eval=options["max_eval"],
                             tolerance_grad=options["tolerance_grad"], tolerance_change=options["tolerance_change"],
                             history_size=options["history_size"], line_search_fn=options["line_search_fn"],
                             parameters=params)
            self._learning_rate = float(options["lr"])  # what get_lr/set_lr/set_lr_scheduler read and write
            self.maximize = options["maximize"]

        def _gather_flat_grad(self):
            flat_grad = super()._gather_flat_grad()
            return -flat_grad if self.maximize else flat_grad

        def _directional_evaluate(self, closure, x, t, d):
            self._add_grad(t, d)
            loss = float(closure())
            if self.maximize:
                loss = -loss
            flat_grad = self._gather_flat_grad()
            self._set_param(x)
            return loss, flat_grad

        step = _lbfgs_step

    return _named(LBFGS, "LBFGS")


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    """torchvision's ``utils.make_grid``: a batch of images [B, C, H, W] (or a list of [C, H, W]) tiled into
    one image, ``nrow`` per row, with torch's normalisation and padding."""
    import math

    import paddle

    if isinstance(tensor, (list, tuple)):
        tensor = paddle.stack(list(tensor), axis=0)
    if tensor.ndim == 2:  # a single image H x W
        tensor = tensor.unsqueeze(0)
    if tensor.ndim == 3:  # a single image
        if tensor.shape[0] == 1:  # a single-channel image
            tensor = paddle.concat([tensor, tensor, tensor], axis=0)
        tensor = tensor.unsqueeze(0)
    if tensor.ndim == 4 and tensor.shape[1] == 1:  # single-channel images
        tensor = paddle.concat([tensor, tensor, tensor], axis=1)
    if normalize:
        def norm(img, low, high):
            return (img.clip(min=low, max=high) - low) / max(high - low, 1e-5)

        def norm_range(t):
            if value_range is not None:
                return norm(t, value_range[0], value_range[1])
            return norm(t, float(t.min()), float(t.max()))

        tensor = paddle.stack([norm_range(t) for t in tensor]) if scale_each else norm_range(tensor)
    if tensor.shape[0] == 1:
        return tensor.squeeze(0)
    nmaps = tensor.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(tensor.shape[2] + padding), int(tensor.shape[3] + padding)
    grid = paddle.full([tensor.shape[1], height * ymaps + padding, width * xmaps + padding], pad_value,
                       dtype=tensor.dtype)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid[:, y * height + padding:(y + 1) * height, x * width + padding:(x + 1) * width] = tensor[k]
            k += 1
    return grid


def save_image(tensor, fp, format=None, **kwargs):
    """torchvision's ``utils.save_image``: ``make_grid`` then an 8-bit PIL image, rounded as torch rounds."""
    from PIL import Image

    grid = make_grid(tensor, **kwargs)
    array = (grid * 255 + 0.5).clip(0, 255).transpose([1, 2, 0]).astype("uint8").numpy()
    Image.fromarray(array).save(fp, format=format)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """torch's ``F.scaled_dot_product_attention``: inputs [..., heads, L, E] / [..., S, E] (Paddle's own takes
    [batch, seq, heads, dim]), a boolean mask's True = attend, a float mask added to the scores, ``is_causal`` the
    top-left lower triangle, ``scale`` (default 1/sqrt(E)), ``enable_gqa`` (key/value heads repeated to the query's)
    and a query whose every key is masked giving zeros, as torch's kernels do.  Dropout is applied to the weights
    whenever dropout_p > 0, as in torch (Paddle's generator draws the mask)."""
    import math

    import paddle
    import paddle.nn.functional as F

    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if attn_mask is not None and attn_mask.dtype != paddle.bool and attn_mask.dtype != query.dtype:
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {attn_mask.dtype} and  query.dtype: {query.dtype} instead.")
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        if query.shape[-3] % key.shape[-3] or query.shape[-3] % value.shape[-3]:
            raise RuntimeError("the number of query heads must be a multiple of the number of key/value heads")
        key = paddle.repeat_interleave(key, query.shape[-3] // key.shape[-3], axis=key.ndim - 3)
        value = paddle.repeat_interleave(value, query.shape[-3] // value.shape[-3], axis=value.ndim - 3)
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    weights = paddle.matmul(query, key, transpose_y=True) * scale
    tgt_len, src_len = query.shape[-2], key.shape[-2]
    if is_causal:
        attn_mask = paddle.tril(paddle.ones([tgt_len, src_len], dtype="int32")) > 0
    if attn_mask is not None:
        if attn_mask.dtype == paddle.bool:
            weights = paddle.where(attn_mask, weights, paddle.full([], float("-inf"), dtype=weights.dtype))
        else:
            weights = weights + attn_mask
    dead = (weights == float("-inf")).all(axis=-1, keepdim=True)  # a query that attends to nothing: zeros
    weights = F.softmax(paddle.where(dead, paddle.zeros_like(weights), weights), axis=-1)
    weights = paddle.where(dead, paddle.zeros_like(weights), weights)
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p, training=True)
    return paddle.matmul(weights, value)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """torch's ``F.rms_norm``: x / sqrt(mean(x^2) + eps) over the trailing ``normalized_shape`` dimensions, times
    ``weight``, computed in float32 for float16/bfloat16 input; eps=None is the machine epsilon of that computation
    type (float32's, float64's for float64).  Paddle 3.3.1's rms_norm returns a tuple, has no CPU kernel and
    defaults eps to 1e-5."""
    import numbers

    import paddle

    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    normalized_shape = [int(d) for d in normalized_shape]
    count = len(normalized_shape)
    if count == 0 or list(input.shape[input.ndim - count:]) != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={normalized_shape}, expected input with shape "
                           f"[*, {', '.join(map(str, normalized_shape))}], but got input of size {list(input.shape)}")
    compute = "float64" if input.dtype == paddle.float64 else "float32"
    if eps is None:
        eps = 2.220446049250313e-16 if compute == "float64" else 1.1920928955078125e-07
    x = input.astype(compute) if input.dtype != getattr(paddle, compute) else input
    axes = list(range(input.ndim - count, input.ndim))
    out = (x * paddle.rsqrt((x * x).mean(axis=axes, keepdim=True) + eps)).astype(input.dtype)
    return out if weight is None else out * weight


def _build_rms_norm():
    """torch's ``nn.RMSNorm``: ``weight`` of shape ``normalized_shape`` initialised to ones (None without
    elementwise_affine), forward ``rms_norm``."""
    import numbers

    import paddle

    class RMSNorm(paddle.nn.Layer):
        def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
            _tf_check_device(device, "RMSNorm")
            dtype = paddle.get_default_dtype() if dtype is None else dtype
            super().__init__(dtype=dtype)
            if isinstance(normalized_shape, numbers.Integral):
                normalized_shape = (normalized_shape,)
            self.normalized_shape = tuple(normalized_shape)
            self.eps = eps
            self.elementwise_affine = elementwise_affine
            if elementwise_affine:
                self.weight = self.create_parameter(list(self.normalized_shape), dtype=dtype,
                                                    default_initializer=paddle.nn.initializer.Constant(1.0))
            else:
                self.weight = None

        def reset_parameters(self):
            if self.weight is not None:
                paddle.nn.initializer.Constant(1.0)(self.weight)

        def forward(self, x):
            return rms_norm(x, self.normalized_shape, self.weight, self.eps)

        def extra_repr(self):
            return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"

    return _named(RMSNorm, "RMSNorm")


def _build_softmin():
    """torch's ``nn.Softmin(dim=None)``: softmax of -x; dim=None picks torch's legacy dimension (0 for a 0-, 1- or
    3-d input, else 1) with torch's warning."""
    import paddle
    import paddle.nn.functional as F

    class Softmin(paddle.nn.Layer):
        def __init__(self, dim=None):
            super().__init__()
            self.dim = dim

        def forward(self, input):
            dim = self.dim
            if dim is None:
                import warnings

                warnings.warn("Implicit dimension choice for softmin has been deprecated. Change the call to "
                              "include dim=X as an argument.", stacklevel=2)
                dim = 0 if input.ndim in (0, 1, 3) else 1
            return F.softmax(paddle.neg(input), axis=dim)

        def extra_repr(self):
            return f"dim={self.dim}"

    return _named(Softmin, "Softmin")


def _build_nll_loss():
    """``paddle.nn.NLLLoss`` computing through the run-time ``nll_loss`` (runtime_math.py): Paddle 3.3.1's CPU
    kernel corrupts memory with reduction mean/sum when ignore_index is a class index a label holds."""
    import paddle

    class NLLLoss(paddle.nn.NLLLoss):
        def forward(self, input, label):
            # nll_loss: runtime_math.py's, copied into the generated module before this part
            return nll_loss(input, label, weight=self._weight,  # noqa: F821
                            ignore_index=self._ignore_index, reduction=self._reduction)

    return _named(NLLLoss, "NLLLoss")


def module_to(module, *args, **kwargs):
    """torch's ``Module.to(device)`` / ``.to(dtype)`` / ``.to(device, dtype)`` / ``.to(tensor)`` on a Paddle layer:
    the run-time ``layer_to`` (runtime_base.py), which casts the floating-point (and complex) parameters and
    buffers only, as torch.  Returns the layer; anything else is ``module.to(*args, **kwargs)``."""
    return layer_to(module, *args, **kwargs)


def _pool_sizes(value, n, name):
    """A pooling size (int, or a sequence of 1 or n ints) as a tuple of n ints."""
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise ValueError(f"max_pool{n}d: {name} must be an int or a sequence of {n} ints, got {value}")
    return value


def _max_pool(input, n, kernel_size=None, stride=None, padding=0, dilation=1, ceil_mode=False, output_size=None):
    """torch's max pooling (``output_size``: adaptive) as ``(values, indices)``: Paddle's pooling with return_mask,
    then made torch's.  The indices become int64 (Paddle: int32); a window holding NaN gives NaN and the index of its
    last NaN (Paddle skips NaN); a window with nothing above -inf gives its first element above -inf, else its first
    element (Paddle: index -1 and the dtype's lowest finite value); ceil_mode drops a last window that starts in the
    padding (Paddle keeps it).  Flat indices over the spatial dimensions, as torch's."""
    import paddle
    import paddle.nn.functional as F

    batched = input.ndim == n + 2
    if not batched and input.ndim != n + 1:
        raise ValueError(f"max_pool{n}d: expected a {n + 1}-d or {n + 2}-d input, got {input.ndim}-d")
    x = input if batched else input.unsqueeze(0)
    spatial = list(x.shape[2:])
    if output_size is None:
        k = _pool_sizes(kernel_size, n, "kernel_size")
        s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _pool_sizes(stride, n, "stride")
        p = _pool_sizes(padding, n, "padding")
        if any(d != 1 for d in _pool_sizes(dilation, n, "dilation")):
            raise NotImplementedError(f"max_pool{n}d: Paddle's max pooling has no dilation")
        sizes = []
        for size, kk, ss, pp in zip(spatial, k, s, p):
            span = size + 2 * pp - kk
            out = (-(-span // ss) if ceil_mode else span // ss) + 1
            if ceil_mode and (out - 1) * ss >= size + pp:
                out -= 1  # torch drops a last window that starts in the right padding
            sizes.append(out)
        pool_fn = getattr(F, f"max_pool{n}d")

        def pool(t):
            values, indices = pool_fn(t, k, s, p, ceil_mode=ceil_mode, return_mask=True)
            cut = (slice(None), slice(None), *(slice(0, o) for o in sizes))
            return values[cut], indices[cut]
    else:
        output_size = [output_size] * n if output_size is None or isinstance(output_size, int) else list(output_size)
        if len(output_size) == 1:
            output_size = output_size * n
        output_size = [spatial[i] if o is None else int(o) for i, o in enumerate(output_size)]  # None: the input's
        pool_fn = getattr(F, f"adaptive_max_pool{n}d")

        def pool(t):
            return pool_fn(t, output_size, return_mask=True)

    values, indices = pool(x)
    indices = indices.astype("int64")
    fixed = False
    plane = 1
    for size in spatial:
        plane *= size
    flat = None
    if x.is_floating_point():
        bad = indices < 0
        nan = paddle.isnan(x)
        if bool(bad.any()) or bool(nan.any()):
            flat = paddle.arange(plane, dtype="float64").reshape(spatial).expand(x.shape)
        if bool(bad.any()):  # nothing above Paddle's initial lowest value: first element above -inf, else first
            key = -flat - float(plane) * (x == float("-inf")).astype("float64")
            top = pool(key)[0]
            first = paddle.where(top > -float(plane), -top, -top - float(plane)).astype("int64")
            indices = paddle.where(bad, first, indices)
            fixed = True
        if bool(nan.any()):  # torch keeps the window's last NaN
            last = pool(paddle.where(nan, flat + 1.0, paddle.zeros_like(flat)))[0]
            indices = paddle.where(last > 0, last.astype("int64") - 1, indices)
            fixed = True
    if fixed:
        values = paddle.take_along_axis(x.flatten(2), indices.flatten(2), axis=2).reshape(indices.shape)
    if not batched:
        values, indices = values.squeeze(0), indices.squeeze(0)
    return values, indices


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """torch's ``F.max_pool1d``: values (and int64 indices) as torch's, NaN and all -inf windows included."""
    values, indices = _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode)
    return (values, indices) if return_indices else values


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """torch's ``F.max_pool2d``: values (and int64 indices) as torch's, NaN and all -inf windows included."""
    values, indices = _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode)
    return (values, indices) if return_indices else values


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """torch's ``F.max_pool3d``: values (and int64 indices) as torch's, NaN and all -inf windows included."""
    values, indices = _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode)
    return (values, indices) if return_indices else values


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """torch's ``F.max_pool1d_with_indices``: always ``(values, int64 indices)``."""
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """torch's ``F.max_pool2d_with_indices``: always ``(values, int64 indices)``."""
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """torch's ``F.max_pool3d_with_indices``: always ``(values, int64 indices)``."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """torch's ``F.adaptive_max_pool1d``: values (and int64 indices) as torch's, NaN and all -inf windows included."""
    values, indices = _max_pool(input, 1, output_size=output_size)
    return (values, indices) if return_indices else values


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """torch's ``F.adaptive_max_pool2d``: values (and int64 indices) as torch's, NaN and all -inf windows included."""
    values, indices = _max_pool(input, 2, output_size=output_size)
    return (values, indices) if return_indices else values


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """torch's ``F.adaptive_max_pool3d``: values (and int64 indices) as torch's, NaN and all -inf windows included."""
    values, indices = _max_pool(input, 3, output_size=output_size)
    return (values, indices) if return_indices else values


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """torch's ``F.adaptive_max_pool1d_with_indices``: always ``(values, int64 indices)``."""
    return _max_pool(input, 1, output_size=output_size)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """torch's ``F.adaptive_max_pool2d_with_indices``: always ``(values, int64 indices)``."""
    return _max_pool(input, 2, output_size=output_size)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """torch's ``F.adaptive_max_pool3d_with_indices``: always ``(values, int64 indices)``."""
    return _max_pool(input, 3, output_size=output_size)


def _build_max_pool(n):
    """torch's ``nn.MaxPool{n}d`` (the run-time max pooling: int64 indices, NaN and all -inf windows as torch)."""
    import paddle

    class MaxPool(paddle.nn.Layer):
        def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
            super().__init__()
            self.kernel_size, self.stride = kernel_size, stride if stride is not None else kernel_size
            self.padding, self.dilation = padding, dilation
            self.return_indices, self.ceil_mode = return_indices, ceil_mode

        def forward(self, input):
            values, indices = _max_pool(input, n, self.kernel_size, self.stride, self.padding, self.dilation,
                                        self.ceil_mode)
            return (values, indices) if self.return_indices else values

        def extra_repr(self):
            return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                    f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")

    return _named(MaxPool, f"MaxPool{n}d")


def _build_adaptive_max_pool(n):
    """torch's ``nn.AdaptiveMaxPool{n}d`` (the run-time adaptive max pooling: int64 indices, NaN as torch)."""
    import paddle

    class AdaptiveMaxPool(paddle.nn.Layer):
        def __init__(self, output_size, return_indices=False):
            super().__init__()
            self.output_size, self.return_indices = output_size, return_indices

        def forward(self, input):
            values, indices = _max_pool(input, n, output_size=self.output_size)
            return (values, indices) if self.return_indices else values

        def extra_repr(self):
            return f"output_size={self.output_size}"

    return _named(AdaptiveMaxPool, f"AdaptiveMaxPool{n}d")


_VISION_MODES_FROM_INT = {0: "nearest", 1: "lanczos", 2: "bilinear", 3: "bicubic", 4: "box", 5: "hamming"}


def _vision_mode(interpolation):
    """torchvision's interpolation (a converted InterpolationMode string, or a PIL integer constant) as a string."""
    if isinstance(interpolation, int) and not isinstance(interpolation, bool):
        if interpolation not in _VISION_MODES_FROM_INT:
            raise ValueError(f"This interpolation mode {interpolation} is unsupported with Tensor input")
        return _VISION_MODES_FROM_INT[interpolation]
    return getattr(interpolation, "value", interpolation)


def _vision_angles(value, name, sizes=(2,)):
    """torchvision's _setup_angle: a number d as [-d, d], else a sequence of ``sizes`` numbers, as floats."""
    import numbers

    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"If {name} is a single number, it must be positive.")
        value = [-value, value]
    elif not isinstance(value, (list, tuple)) or len(value) not in sizes:
        raise ValueError(f"If {name} is a sequence its length should be one of {list(sizes)}.")
    return [float(d) for d in value]


def _vision_fill(fill):
    import numbers

    if fill is None:
        return 0
    if not isinstance(fill, (list, tuple, numbers.Number)):
        raise TypeError("Fill should be either a sequence or a number.")
    return fill


def _vision_uniform(low, high):
    """A float drawn uniformly from [low, high) with Paddle's generator (exactly low when low == high)."""
    import paddle

    return float(low) + (float(high) - float(low)) * paddle.rand([1]).item()


def _vision_randint(low, high):
    import paddle

    return int(paddle.randint(int(low), int(high), [1]).item())


def _vision_size(img):
    """(width, height) of a PIL image or a [..., H, W] tensor."""
    if hasattr(img, "size") and not callable(img.size) and not hasattr(img, "shape"):
        return tuple(img.size)
    return int(img.shape[-1]), int(img.shape[-2])


class RandomRotation:
    """torchvision's ``transforms.RandomRotation``: an angle drawn from ``degrees`` (Paddle's generator, so not
    torch's draws), then torchvision's ``rotate`` (the run-time ``vision_rotate``: PIL images; a tensor raises)."""

    def __init__(self, degrees, interpolation="nearest", expand=False, center=None, fill=0):
        self.degrees = _vision_angles(degrees, "degrees")
        if center is not None and (not isinstance(center, (list, tuple)) or len(center) != 2):
            raise ValueError("If center is a sequence its length should be one of [2].")
        self.interpolation, self.expand, self.center = _vision_mode(interpolation), expand, center
        self.fill = _vision_fill(fill)

    def __call__(self, img):
        angle = _vision_uniform(self.degrees[0], self.degrees[1])
        return vision_rotate(img, angle, self.interpolation, self.expand, self.center, self.fill)

    def __repr__(self):
        return (f"RandomRotation(degrees={self.degrees}, interpolation={self.interpolation}, expand={self.expand}"
                + (f", center={self.center}" if self.center is not None else "") + f", fill={self.fill})")


class RandomAffine:
    """torchvision's ``transforms.RandomAffine``: angle, translation, scale and shear drawn as torchvision draws them
    (Paddle's generator), then torchvision's ``affine`` (the run-time ``vision_affine``: PIL images; a tensor
    raises)."""

    def __init__(self, degrees, translate=None, scale=None, shear=None, interpolation="nearest", fill=0, center=None):
        self.degrees = _vision_angles(degrees, "degrees")
        if translate is not None:
            if not isinstance(translate, (list, tuple)) or len(translate) != 2:
                raise ValueError("If translate is a sequence its length should be one of [2].")
            if any(not 0.0 <= t <= 1.0 for t in translate):
                raise ValueError("translation values should be between 0 and 1")
        if scale is not None:
            if not isinstance(scale, (list, tuple)) or len(scale) != 2:
                raise ValueError("If scale is a sequence its length should be one of [2].")
            if any(s <= 0 for s in scale):
                raise ValueError("scale values should be positive")
        if center is not None and (not isinstance(center, (list, tuple)) or len(center) != 2):
            raise ValueError("If center is a sequence its length should be one of [2].")
        self.translate, self.scale, self.center = translate, scale, center
        self.shear = _vision_angles(shear, "shear", (2, 4)) if shear is not None else None
        self.interpolation, self.fill = _vision_mode(interpolation), _vision_fill(fill)

    def __call__(self, img):
        width, height = _vision_size(img)
        angle = _vision_uniform(self.degrees[0], self.degrees[1])
        translations = (0, 0)
        if self.translate is not None:
            max_dx, max_dy = float(self.translate[0] * width), float(self.translate[1] * height)
            translations = (int(round(_vision_uniform(-max_dx, max_dx))), int(round(_vision_uniform(-max_dy, max_dy))))
        scale = _vision_uniform(self.scale[0], self.scale[1]) if self.scale is not None else 1.0
        shear = [0.0, 0.0]
        if self.shear is not None:
            shear[0] = _vision_uniform(self.shear[0], self.shear[1])
            if len(self.shear) == 4:
                shear[1] = _vision_uniform(self.shear[2], self.shear[3])
        return vision_affine(img, angle, translations, scale, shear, self.interpolation, self.fill, self.center)

    def __repr__(self):
        return f"RandomAffine(degrees={self.degrees}, translate={self.translate}, scale={self.scale}, shear={self.shear})"


class RandomPerspective:
    """torchvision's ``transforms.RandomPerspective``: with probability ``p`` the corners drawn as torchvision draws
    them (Paddle's generator), then torchvision's ``perspective`` (the run-time ``vision_perspective``: PIL images;
    a tensor raises)."""

    def __init__(self, distortion_scale=0.5, p=0.5, interpolation="bilinear", fill=0):
        self.p, self.distortion_scale = p, distortion_scale
        self.interpolation, self.fill = _vision_mode(interpolation), _vision_fill(fill)

    @staticmethod
    def get_params(width, height, distortion_scale):
        dx, dy = int(distortion_scale * (width // 2)), int(distortion_scale * (height // 2))
        topleft = [_vision_randint(0, dx + 1), _vision_randint(0, dy + 1)]
        topright = [_vision_randint(width - dx - 1, width), _vision_randint(0, dy + 1)]
        botright = [_vision_randint(width - dx - 1, width), _vision_randint(height - dy - 1, height)]
        botleft = [_vision_randint(0, dx + 1), _vision_randint(height - dy - 1, height)]
        start = [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]
        return start, [topleft, topright, botright, botleft]

    def __call__(self, img):
        import paddle

        if paddle.rand([1]).item() < self.p:
            width, height = _vision_size(img)
            start, end = self.get_params(width, height, self.distortion_scale)
            return vision_perspective(img, start, end, self.interpolation, self.fill)
        return img

    def __repr__(self):
        return f"RandomPerspective(p={self.p})"


def vision_adjust_hue(img, hue_factor):
    """torchvision's ``F.adjust_hue``: Paddle's adjust_hue (the same as torchvision's for PIL images and float
    tensors), a one-channel tensor returned as it is, and an integer tensor scaled to [0, 1] floats and back as
    torchvision's convert_image_dtype does (Paddle's own integer path rounds differently)."""
    import paddle
    import paddle.vision.transforms as T

    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not isinstance(img, paddle.Tensor):
        return T.adjust_hue(img, hue_factor)
    if img.ndim < 3 or img.shape[-3] not in (1, 3):
        raise TypeError(f"Input image tensor permitted channel values are [1, 3], but found {img.shape}")
    if img.shape[-3] == 1:
        return img
    if img.is_floating_point():
        return T.adjust_hue(img, hue_factor)
    if img.dtype != paddle.uint8:
        raise TypeError(f"adjust_hue: integer tensors other than uint8 are not supported (got {img.dtype})")
    out = T.adjust_hue(img.astype("float32") / 255.0, hue_factor)
    return (out * (256.0 - 1e-3)).astype(img.dtype)


def vision_erase(img, i, j, h, w, v, inplace=False):
    """torchvision's ``F.erase`` of a [..., H, W] tensor: ``img[..., i:i + h, j:j + w] = v`` on a copy (on ``img``
    itself with inplace=True); Paddle's erase takes [C, H, W] or [N, C, H, W] only."""
    import paddle

    if not isinstance(img, paddle.Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    out = img if inplace else img.clone()
    out[..., i:i + h, j:j + w] = v
    return out


# classes that need paddle.nn.Layer (or paddle.optimizer.LBFGS) to be defined: built on first use
# (`module.MultiheadAttention`), then kept
_LAZY_CLASSES = {"MultiheadAttention": _build_multihead_attention, "LSTMCell": _build_lstm_cell,
                 "GRUCell": _build_gru_cell, "RNNCell": _build_rnn_cell, "LBFGS": _build_lbfgs,
                 "RMSNorm": _build_rms_norm, "Softmin": _build_softmin, "NLLLoss": _build_nll_loss,
                 **{f"MaxPool{n}d": (lambda n=n: _build_max_pool(n)) for n in (1, 2, 3)},
                 **{f"AdaptiveMaxPool{n}d": (lambda n=n: _build_adaptive_max_pool(n)) for n in (1, 2, 3)},
                 **{name: (lambda name=name: _transformer_class(name))
                    for name in ("Transformer", "TransformerEncoder", "TransformerDecoder",
                                 "TransformerEncoderLayer", "TransformerDecoderLayer")}}


def __getattr__(name):
    builder = _LAZY_CLASSES.get(name)
    if builder is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return globals().setdefault(name, builder())
