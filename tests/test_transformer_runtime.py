"""torch's nn.Transformer family, written in Paddle ops in the generated run-time module (runtime_layers.py).

The differential examples live in the table entries (nn_layers.yaml: torch.nn.Transformer, TransformerEncoder,
TransformerDecoder, TransformerEncoderLayer, TransformerDecoderLayer); these tests cover what the examples
cannot say: the weights conversion (which tensors are transposed: the Linears' only, never the attention's
packed in_proj_weight), torch's default sizes and initialisation, torch's errors and warnings, the deep
copies, and the converted text of the pytorch/examples word_language_model.
"""

import sys
import types
import warnings

import numpy as np
import pytest

from torch2paddle import convert_source

torch = pytest.importorskip("torch")
paddle = pytest.importorskip("paddle")

NAMES = ["torch.nn.Transformer", "torch.nn.TransformerEncoder", "torch.nn.TransformerDecoder",
         "torch.nn.TransformerEncoderLayer", "torch.nn.TransformerDecoderLayer"]


@pytest.fixture(scope="module")
def runtime():
    """The generated ``_torch2paddle_runtime`` module, as convert writes it for files using these classes."""
    from torch2paddle.convert import default_tables
    from torch2paddle.runtime import module_source

    tables = default_tables()
    module = types.ModuleType("_t2p_runtime_transformer")
    exec(compile(module_source([tables.apis[n] for n in NAMES]), "rt.py", "exec"), module.__dict__)
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


def _load(tmodel, pmodel):
    from torch2paddle.weights import convert_state_dict, load_into_paddle

    converted, report = convert_state_dict(tmodel, paddle_model=pmodel)
    load_into_paddle(pmodel, converted)
    return report


def test_linears_are_transposed_and_in_proj_weight_kept(runtime):
    """weights.py decides by the torch module's type: linear1/linear2 (Linear) and self_attn.out_proj
    (NonDynamicallyQuantizableLinear, a Linear) are transposed; in_proj_weight, owned by MultiheadAttention, is
    copied in torch's [3E, E] layout, which the run-time MultiheadAttention keeps."""
    torch.manual_seed(0)
    kw = dict(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16, dropout=0.0)
    tmodel, pmodel = torch.nn.Transformer(**kw).eval(), runtime.Transformer(**kw)
    pmodel.eval()
    report = _load(tmodel, pmodel)
    enc, dec = "encoder.layers.0.", "decoder.layers.0."
    assert sorted(report.transposed) == sorted([
        enc + "self_attn.out_proj.weight", enc + "linear1.weight", enc + "linear2.weight",
        dec + "self_attn.out_proj.weight", dec + "multihead_attn.out_proj.weight", dec + "linear1.weight",
        dec + "linear2.weight"])
    assert sorted(tmodel.state_dict()) == sorted(pmodel.state_dict())
    assert list(pmodel.encoder.layers[0].self_attn.in_proj_weight.shape) == [24, 8]
    assert list(pmodel.encoder.layers[0].linear1.weight.shape) == [8, 16]  # Paddle's [in, out]
    src = np.random.default_rng(0).standard_normal((5, 2, 8)).astype("float32")
    tgt = np.random.default_rng(1).standard_normal((3, 2, 8)).astype("float32")
    expected = tmodel(torch.tensor(src), torch.tensor(tgt)).detach().numpy()
    got = pmodel(paddle.to_tensor(src), paddle.to_tensor(tgt)).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_default_sizes_match_torch(runtime):
    """nn.Transformer() with torch's defaults: the same state-dict keys and shapes (Linear weights transposed)."""
    tmodel = torch.nn.Transformer()
    pmodel = runtime.Transformer()
    tstate, pstate = tmodel.state_dict(), pmodel.state_dict()
    assert sorted(tstate) == sorted(pstate)
    linears = {name + ".weight" for name, m in tmodel.named_modules() if isinstance(m, torch.nn.Linear)}
    for key, value in tstate.items():
        shape = list(value.shape)
        assert list(pstate[key].shape) == (shape[::-1] if key in linears else shape), key
    assert (pmodel.d_model, pmodel.nhead, pmodel.batch_first) == (512, 8, False)
    layer = pmodel.encoder.layers[0]
    assert (layer.dropout.p, layer.norm_first, layer.norm1._epsilon, layer.activation_relu_or_gelu) == (
        0.1, False, 1e-5, 1)
    assert pmodel.encoder.num_layers == pmodel.decoder.num_layers == 6


def test_initialisation_matches_torch(runtime):
    """A layer's Linears: torch's uniform(+-1/sqrt(in)) weight and bias; Transformer: Xavier-uniform matrices."""
    layer = runtime.TransformerEncoderLayer(64, 4, 256)
    bound = 1 / np.sqrt(64)
    w, b = layer.linear1.weight.numpy(), layer.linear1.bias.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.8 * bound
    assert float(np.abs(layer.self_attn.in_proj_bias.numpy()).max()) == 0.0
    model = runtime.Transformer(64, 4, 1, 1, 256)
    w = model.encoder.layers[0].linear1.weight.numpy()
    xavier = np.sqrt(6 / (64 + 256))
    assert np.abs(w).max() <= xavier and np.abs(w).max() > 0.9 * xavier


def test_layers_are_deep_copies(runtime):
    layer = runtime.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    enc = runtime.TransformerEncoder(layer, 3)
    first, second = enc.layers[0], enc.layers[1]
    assert first is not layer and first is not second
    np.testing.assert_array_equal(first.linear1.weight.numpy(), second.linear1.weight.numpy())
    with paddle.no_grad():
        first.linear1.weight.set_value(paddle.zeros_like(first.linear1.weight))
    assert np.abs(second.linear1.weight.numpy()).max() > 0
    names = [p.name for p in enc.parameters()]
    assert len(names) == len(set(names))  # distinct Paddle parameters (optimizer accumulators are by name)


def test_torch_errors_and_warnings(runtime):
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        runtime.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(TypeError, match="device="):
        runtime.Transformer(8, 2, device="cpu")
    with pytest.warns(UserWarning, match="self_attn.batch_first was not True"):
        enc = runtime.TransformerEncoder(runtime.TransformerEncoderLayer(8, 2, 16), 1)
    assert enc.use_nested_tensor is False and enc.enable_nested_tensor is True
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        enc = runtime.TransformerEncoder(runtime.TransformerEncoderLayer(8, 2, 16, batch_first=True), 1)
    assert enc.use_nested_tensor is True
    model = runtime.Transformer(8, 2, 1, 1, 16)
    src, tgt = paddle.randn([5, 2, 8]), paddle.randn([4, 3, 8])
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(src, tgt)
    with pytest.raises(RuntimeError, match="equal to d_model"):
        model(src, paddle.randn([4, 2, 6]))
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        model.encoder.layers[0](src, is_causal=True)


def test_square_subsequent_mask(runtime):
    mask = runtime.Transformer.generate_square_subsequent_mask(4)
    expected = torch.nn.Transformer.generate_square_subsequent_mask(4).numpy()
    np.testing.assert_array_equal(mask.numpy(), expected)
    assert mask.dtype == paddle.float32
    assert runtime.Transformer.generate_square_subsequent_mask(3, dtype=paddle.float64).dtype == paddle.float64


WORD_LANGUAGE_MODEL = '''
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class TransformerModel(nn.Transformer):
    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.5):
        super(TransformerModel, self).__init__(d_model=ninp, nhead=nhead, dim_feedforward=nhid,
                                               num_encoder_layers=nlayers)
        self.src_mask = None
        self.input_emb = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)

    def forward(self, src, has_mask=True):
        if has_mask:
            device = src.device
            if self.src_mask is None or self.src_mask.size(0) != len(src):
                mask = nn.Transformer.generate_square_subsequent_mask(len(src)).to(device)
                self.src_mask = mask
        else:
            self.src_mask = None
        src = self.input_emb(src) * math.sqrt(self.ninp)
        output = self.encoder(src, mask=self.src_mask)
        output = self.decoder(output)
        return F.log_softmax(output, dim=-1)
'''


def test_word_language_model_converts_to_a_runtime_subclass(runtime):
    result = convert_source(WORD_LANGUAGE_MODEL)
    code = result.code
    assert "class TransformerModel(_torch2paddle_runtime.Transformer):" in code
    assert "_torch2paddle_runtime.Transformer.generate_square_subsequent_mask(len(src)).to(device)" in code
    assert "output = self.encoder(src, mask=self.src_mask)" in code
    assert all(use.converted for use in result.uses), [u for u in result.uses if not u.converted]

    namespace = {}
    sys.modules["_torch2paddle_runtime"] = runtime
    try:
        exec(compile(code, "wlm.py", "exec"), namespace)
    finally:
        del sys.modules["_torch2paddle_runtime"]
    tnamespace = {}
    exec(compile(WORD_LANGUAGE_MODEL, "wlm_torch.py", "exec"), tnamespace)
    torch.manual_seed(0)
    tmodel = tnamespace["TransformerModel"](20, 8, 2, 16, 2).eval()
    pmodel = namespace["TransformerModel"](20, 8, 2, 16, 2)
    pmodel.eval()
    _load(tmodel, pmodel)
    ids = np.random.default_rng(0).integers(0, 20, (6, 3)).astype("int64")
    expected = tmodel(torch.tensor(ids)).detach().numpy()
    got = pmodel(paddle.to_tensor(ids)).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert "decoder.weight" in pmodel.state_dict() and not any(
        k.startswith("decoder.layers") for k in pmodel.state_dict())
