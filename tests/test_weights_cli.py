"""`torch2paddle weights` run as a user runs it (the installed command, in a temporary folder): the table of
keys, checkpoints nested under a key with DataParallel prefixes (--key, or found by itself), and pickled
checkpoints (--allow-pickle)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
paddle = pytest.importorskip("paddle")

from test_cli_everyday import t2p  # noqa: E402

NET = '''import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 2)
        self.norm = nn.LayerNorm([2, 2])


def make():
    return Net()
'''


def _net(tmp_path, seed: int = 0):
    import tinynet_loader

    torch.manual_seed(seed)
    net = tinynet_loader.make()
    with torch.no_grad():
        net.bn.running_mean.uniform_(-1, 1)
    return net


def weights(tmp_path, ckpt: str, *extra: str):
    return t2p("weights", ckpt, "out.pdparams", "--model", "tinynet:make", "--path", ".", *extra, cwd=tmp_path)


def _loaded(tmp_path) -> dict:
    return {k: np.asarray(v) for k, v in paddle.load(str(tmp_path / "out.pdparams")).items()}


def test_table_of_keys_with_what_was_done(tmp_path):
    net = _net(tmp_path)
    torch.save(net.state_dict(), tmp_path / "sd.pth")
    done = weights(tmp_path, "sd.pth")
    assert done.returncode == 0, done.stderr
    rows = {line.split()[1]: line for line in done.stdout.splitlines() if line.startswith("│ ")}
    assert rows["fc.weight"].replace("│", " ").split()[1:] == ["fc.weight", "[2,", "4]", "->", "[4,", "2]",
                                                               "transposed"]
    assert "bn._mean" in rows["bn.running_mean"] and "renamed" in rows["bn.running_mean"]
    assert "bn._variance" in rows["bn.running_var"]
    assert "dropped: BatchNorm step counter; Paddle BatchNorm has no counterpart" in rows["bn.num_batches_tracked"]
    assert "copied" in rows["conv.weight"] and "[4, 3, 3, 3]" in rows["conv.weight"]
    assert "[2, 2] -> [4]" in rows["norm.weight"] and "reshaped" in rows["norm.weight"]
    assert len(rows) == 11  # every key on one line of its own: never folded in a log
    # the layout words are printed as they are, not taken for markup
    assert "transposed: a Linear weight; torch stores it [out, in], Paddle [in, out]" in done.stdout
    assert "10 tensors written (7 copied, 1 transposed, 2 renamed), 1 dropped" in done.stdout
    out = _loaded(tmp_path)
    np.testing.assert_array_equal(out["fc.weight"], net.fc.weight.detach().numpy().T)


def test_quiet_prints_nothing_but_errors(tmp_path):
    torch.save(_net(tmp_path).state_dict(), tmp_path / "sd.pth")
    done = weights(tmp_path, "sd.pth", "-q")
    assert done.returncode == 0 and done.stdout == "", done.stderr
    assert (tmp_path / "out.pdparams").exists()


@pytest.mark.parametrize("container", ["net", "state_dict", "model"])
def test_nested_data_parallel_checkpoint_is_found_and_unprefixed(tmp_path, container):
    net = _net(tmp_path)
    wrapped = torch.nn.DataParallel(net).state_dict()
    assert all(k.startswith("module.") for k in wrapped)
    torch.save({container: wrapped, "epoch": 3, "optimizer": {"lr": 0.1}}, tmp_path / "ckpt.pth")
    done = weights(tmp_path, "ckpt.pth")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert f"note: weights taken from the checkpoint's key '{container}' (found by itself; --key KEY takes " \
           f"another)" in lines
    assert "note: prefix 'module.' stripped from every key (DataParallel checkpoint)" in lines
    out = _loaded(tmp_path)
    assert "fc.weight" in out and not any(k.startswith("module.") for k in out)
    np.testing.assert_array_equal(out["bn._mean"], net.bn.running_mean.numpy())


def test_key_chooses_among_several_state_dicts(tmp_path):
    first, second = _net(tmp_path, 0), _net(tmp_path, 1)
    torch.save({"student": first.state_dict(), "teacher": second.state_dict()}, tmp_path / "ckpt.pth")
    done = weights(tmp_path, "ckpt.pth")
    assert done.returncode == 1
    error = done.stderr.strip().splitlines()[-1]
    assert error.startswith("error: ckpt.pth: no state dict found") and "'student', 'teacher'" in error
    assert "--key" in error and not (tmp_path / "out.pdparams").exists()
    done = weights(tmp_path, "ckpt.pth", "--key", "teacher")
    assert done.returncode == 0, done.stderr
    assert "note: weights taken from the checkpoint's key 'teacher' (--key)" in done.stdout
    np.testing.assert_array_equal(_loaded(tmp_path)["conv.weight"], second.conv.weight.detach().numpy())
    done = weights(tmp_path, "ckpt.pth", "--key", "ema")
    assert done.returncode == 1
    assert "error: ckpt.pth: has no key 'ema'; its top-level keys are 'student', 'teacher'" in done.stderr


def test_pickled_checkpoint_is_refused_in_one_line_naming_allow_pickle(tmp_path):
    torch.save({"model": _net(tmp_path)}, tmp_path / "pickled.pth")  # the whole module, pickled
    done = weights(tmp_path, "pickled.pth")
    assert done.returncode == 1
    assert "\x1b" not in done.stderr and "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0] == done.stderr.strip().splitlines()[-1]
    assert errors[0].startswith("error: pickled.pth: checkpoint cannot be loaded with torch.load(weights_only=True)")
    assert "(tinynet_loader.Net)" in errors[0] and errors[0].endswith("retry with --allow-pickle")
    assert not (tmp_path / "out.pdparams").exists()
    done = weights(tmp_path, "pickled.pth", "--allow-pickle")
    assert done.returncode == 0, done.stderr
    assert "note: weights taken from the checkpoint's key 'model'" in done.stdout


@pytest.fixture(autouse=True)
def tinynet_loader(tmp_path, monkeypatch):
    """The same model as a module of this process, so that torch can pickle a whole one."""
    (tmp_path / "tinynet_loader.py").write_text(NET)
    (tmp_path / "tinynet.py").write_text(NET)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    import sys

    sys.modules.pop("tinynet_loader", None)
