"""torch's RNN cells and LBFGS, written in Paddle ops in the generated run-time module (runtime_layers.py).

The differential examples live in the table entries (nn_layers.yaml: torch.nn.LSTMCell / GRUCell / RNNCell,
optim.yaml: torch.optim.LBFGS); these tests cover what the examples cannot say: the weights conversion of a
cell (copied by name, never transposed), torch's errors, and the converted text of the pytorch/examples
time_sequence_prediction model.
"""

import sys
import textwrap
import types

import numpy as np
import pytest

from torch2paddle import convert_source

torch = pytest.importorskip("torch")
paddle = pytest.importorskip("paddle")


@pytest.fixture(scope="module")
def runtime():
    """The generated ``_torch2paddle_runtime`` module, as convert writes it for files using these classes."""
    from torch2paddle.convert import default_tables
    from torch2paddle.runtime import module_source

    tables = default_tables()
    names = ["torch.nn.LSTMCell", "torch.nn.GRUCell", "torch.nn.RNNCell", "torch.optim.LBFGS"]
    module = types.ModuleType("_t2p_runtime_cells")
    exec(compile(module_source([tables.apis[n] for n in names]), "rt.py", "exec"), module.__dict__)
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


def test_a_cell_state_dict_is_copied_by_name_never_transposed(runtime):
    from torch2paddle.weights import convert_state_dict, load_into_paddle

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTMCell(3, 4)
            self.gru = torch.nn.GRUCell(4, 5, bias=False)
            self.rnn = torch.nn.RNNCell(5, 6, nonlinearity="relu")
            self.head = torch.nn.Linear(6, 2)

    class PaddleNet(paddle.nn.Layer):
        def __init__(self):
            super().__init__()
            self.lstm = runtime.LSTMCell(3, 4)
            self.gru = runtime.GRUCell(4, 5, bias=False)
            self.rnn = runtime.RNNCell(5, 6, nonlinearity="relu")
            self.head = paddle.nn.Linear(6, 2)

    tnet, pnet = TorchNet(), PaddleNet()
    converted, report = convert_state_dict(tnet, paddle_model=pnet)
    assert report.transposed == ["head.weight"]  # the Linear's only: no tensor of a cell
    cells = [k for k in tnet.state_dict() if not k.startswith("head.")]
    assert cells == ["lstm.weight_ih", "lstm.weight_hh", "lstm.bias_ih", "lstm.bias_hh", "gru.weight_ih",
                     "gru.weight_hh", "rnn.weight_ih", "rnn.weight_hh", "rnn.bias_ih", "rnn.bias_hh"]
    assert set(cells) <= set(report.copied) and not report.renamed and not report.dropped
    for key in cells:
        np.testing.assert_array_equal(converted[key], tnet.state_dict()[key].numpy())
        assert list(pnet.state_dict()[key].shape) == list(tnet.state_dict()[key].shape)
    load_into_paddle(pnet, converted)
    x = np.random.default_rng(0).standard_normal((2, 3)).astype("float32")
    with torch.no_grad():
        h, c = tnet.lstm(torch.from_numpy(x))
        want = tnet.head(tnet.rnn(tnet.gru(h)))
    ph, pc = pnet.lstm(paddle.to_tensor(x))
    got = pnet.head(pnet.rnn(pnet.gru(ph)))
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-6)
    np.testing.assert_allclose(pc.numpy(), c.numpy(), atol=1e-6)


def test_cells_raise_torchs_errors(runtime):
    x3 = paddle.zeros([2, 2, 3])
    with pytest.raises(ValueError, match=r"LSTMCell: Expected input to be 1D or 2D, got 3D instead"):
        runtime.LSTMCell(3, 4)(x3)
    with pytest.raises(ValueError, match=r"LSTMCell: Expected hx\[1\] to be 1D or 2D, got 3D instead"):
        runtime.LSTMCell(3, 4)(paddle.zeros([2, 3]), (paddle.zeros([2, 4]), paddle.zeros([1, 2, 4])))
    with pytest.raises(ValueError, match=r"GRUCell: Expected hidden to be 1D or 2D, got 3D instead"):
        runtime.GRUCell(3, 4)(paddle.zeros([3]), paddle.zeros([1, 1, 4]))
    with pytest.raises(RuntimeError, match="Unknown nonlinearity: gelu"):
        runtime.RNNCell(3, 4, nonlinearity="gelu")(paddle.zeros([3]))
    with pytest.raises(TypeError, match="device="):
        runtime.GRUCell(3, 4, device="cpu")
    assert repr(runtime.RNNCell(3, 4, bias=False, nonlinearity="relu")) == repr(
        torch.nn.RNNCell(3, 4, bias=False, nonlinearity="relu"))
    assert runtime.LSTMCell.__module__ == runtime.__name__ and runtime.LSTMCell.__qualname__ == "LSTMCell"


def test_lbfgs_takes_one_parameter_group_as_torch_does(runtime):
    w = paddle.create_parameter([2], "float64")
    with pytest.raises(ValueError, match="parameter groups"):
        runtime.LBFGS([{"params": [w]}, {"params": [w]}])
    with pytest.raises(ValueError, match="empty parameter list"):
        runtime.LBFGS([])
    opt = runtime.LBFGS([{"params": [w], "lr": 0.25, "max_iter": 3}], lr=1.0)
    assert (opt.get_lr(), opt.max_iter, opt.max_eval) == (0.25, 3, 25)  # torch keeps the constructor's max_eval
    assert runtime.LBFGS([w], max_iter=8).max_eval == 10


def test_time_sequence_prediction_converts_with_the_run_time_cells_and_lbfgs():
    source = textwrap.dedent("""\
        import torch
        import torch.nn as nn
        import torch.optim as optim


        class Sequence(nn.Module):
            def __init__(self):
                super(Sequence, self).__init__()
                self.lstm1 = nn.LSTMCell(1, 51)
                self.lstm2 = nn.LSTMCell(51, 51)
                self.linear = nn.Linear(51, 1)

            def forward(self, input, future=0):
                outputs = []
                h_t = torch.zeros(input.size(0), 51, dtype=torch.double)
                c_t = torch.zeros(input.size(0), 51, dtype=torch.double)
                for input_t in input.split(1, dim=1):
                    h_t, c_t = self.lstm1(input_t, (h_t, c_t))
                    output = self.linear(h_t)
                return output


        seq = Sequence()
        optimizer = optim.LBFGS(seq.parameters(), lr=0.8)
        """)
    result = convert_source(source)
    assert not [u for u in result.unsupported if "Cell" in u.api or "LBFGS" in u.api]
    assert "self.lstm1 = _torch2paddle_runtime.LSTMCell(1, 51)" in result.code
    assert "h_t, c_t = self.lstm1(input_t, (h_t, c_t))" in result.code
    assert "optimizer = _torch2paddle_runtime.LBFGS(seq.parameters(), lr=0.8)" in result.code
    assert {"torch.nn.LSTMCell", "torch.optim.LBFGS"} <= set(result.runtime_apis)
