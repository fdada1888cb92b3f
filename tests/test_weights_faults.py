"""Faulty inputs of ``torch2paddle weights``: damaged files, state dicts with extras, output == input."""

import os
import pickle
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import paddle  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from torch2paddle import cli  # noqa: E402
from torch2paddle import weights as W  # noqa: E402

paddle.set_device("cpu")

LINEAR_KWARGS = '{"in_features": 3, "out_features": 4}'


def linear_state_dict(seed=0):
    torch.manual_seed(seed)
    return dict(nn.Linear(3, 4).state_dict())


def run_weights(capsys, ckpt, out, *extra, model="torch.nn:Linear", kwargs=LINEAR_KWARGS):
    code = cli.main(["weights", str(ckpt), str(out), "--model", model, "--kwargs", kwargs, *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_clean_error(err, path):
    assert "Traceback" not in err
    assert str(path) in err, err
    assert "IndexError" not in err and "EOFError" not in err and "pop from empty list" not in err


# --------------------------------------------------------------------------- 1. unreadable checkpoints


@pytest.fixture
def good_zip(tmp_path):
    path = tmp_path / "good.pth"
    torch.save(linear_state_dict(), path)
    return path


@pytest.fixture
def good_legacy(tmp_path):
    path = tmp_path / "legacy.pth"
    torch.save(linear_state_dict(), path, _use_new_zipfile_serialization=False)
    return path


def test_valid_checkpoints_in_both_formats_still_load(good_zip, good_legacy):
    for path in (good_zip, good_legacy):
        sd, key = W.load_torch_checkpoint(path)
        assert key is None and sorted(sd) == ["bias", "weight"]


def test_empty_file(tmp_path, capsys):
    ckpt = tmp_path / "empty.pth"
    ckpt.write_bytes(b"")
    out = tmp_path / "out.pdparams"
    code, _, err = run_weights(capsys, ckpt, out)
    assert code == cli.EXIT_FILE_ERRORS
    assert_clean_error(err, ckpt)
    assert "is empty (0 bytes)" in err
    assert not out.exists()
    with pytest.raises(W.CheckpointFileError, match=r"is empty \(0 bytes\)") as info:
        W.load_torch_checkpoint(ckpt)
    assert isinstance(info.value, W.WeightConversionError)
    assert info.value.path == str(ckpt) and info.value.problems == [(str(ckpt), "is empty (0 bytes)")]


def test_missing_file(tmp_path, capsys):
    ckpt = tmp_path / "nowhere.pth"
    code, _, err = run_weights(capsys, ckpt, tmp_path / "out.pdparams")
    assert code == cli.EXIT_FILE_ERRORS
    assert_clean_error(err, ckpt)
    assert "no such file" in err
    assert "FileNotFoundError" not in err


def test_directory_instead_of_file(tmp_path, capsys):
    ckpt = tmp_path / "ckpt_dir"
    ckpt.mkdir()
    code, _, err = run_weights(capsys, ckpt, tmp_path / "out.pdparams")
    assert code == cli.EXIT_FILE_ERRORS
    assert_clean_error(err, ckpt)
    assert "is a directory" in err


@pytest.mark.parametrize(
    "content",
    [
        bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)),
        b".",  # torch's weights-only unpickler: IndexError: pop from empty list
        b"\x80\x02.",
        b"hello, this is a text file\n",  # KeyError from the unpickler
        pickle.dumps({"a": 1}),  # a pickle, but not a torch checkpoint
    ],
    ids=["random", "stop", "proto-stop", "text", "plain-pickle"],
)
def test_not_a_checkpoint(tmp_path, capsys, content):
    ckpt = tmp_path / "junk.pth"
    ckpt.write_bytes(content)
    code, _, err = run_weights(capsys, ckpt, tmp_path / "out.pdparams")
    assert code == cli.EXIT_FILE_ERRORS
    assert_clean_error(err, ckpt)
    assert "is not a torch checkpoint or is damaged" in err
    # not mistaken for a checkpoint that merely needs full unpickling
    assert "allow_pickle" not in err
    for allow_pickle in (False, True):
        with pytest.raises(W.CheckpointFileError, match="is not a torch checkpoint or is damaged"):
            W.load_torch_checkpoint(ckpt, allow_pickle=allow_pickle)


@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_truncated_zip_checkpoint(tmp_path, capsys, good_zip, fraction):
    data = good_zip.read_bytes()
    ckpt = tmp_path / "cut.pth"
    ckpt.write_bytes(data[: int(len(data) * fraction)])
    code, _, err = run_weights(capsys, ckpt, tmp_path / "out.pdparams")
    assert code == cli.EXIT_FILE_ERRORS
    assert_clean_error(err, ckpt)
    assert "is not a torch checkpoint or is damaged" in err and "truncated zip archive" in err
    with pytest.raises(W.CheckpointFileError, match="truncated zip archive"):
        W.load_torch_checkpoint(ckpt, allow_pickle=True)


@pytest.mark.parametrize("keep", [10, 100, 0.5, -5])
def test_truncated_legacy_checkpoint(tmp_path, capsys, good_legacy, keep):
    data = good_legacy.read_bytes()
    ckpt = tmp_path / "cut_legacy.pth"
    ckpt.write_bytes(data[: int(len(data) * keep)] if isinstance(keep, float) else data[:keep])
    code, _, err = run_weights(capsys, ckpt, tmp_path / "out.pdparams")
    assert code == cli.EXIT_FILE_ERRORS
    assert_clean_error(err, ckpt)
    assert "is not a torch checkpoint or is damaged" in err and "truncated" in err
    with pytest.raises(W.CheckpointFileError, match="truncated"):
        W.load_torch_checkpoint(ckpt, allow_pickle=True)


def test_damaged_data_record_of_zip_checkpoint(tmp_path, capsys, good_zip):
    data = bytearray(good_zip.read_bytes())
    with zipfile.ZipFile(good_zip) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith("/data.pkl"))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(2, info.file_size, 7):  # scribble over the pickled structure
        data[start + offset] ^= 0x5A
    ckpt = tmp_path / "scribbled.pth"
    ckpt.write_bytes(bytes(data))
    code, _, err = run_weights(capsys, ckpt, tmp_path / "out.pdparams")
    assert code == cli.EXIT_FILE_ERRORS
    assert_clean_error(err, ckpt)
    assert "is not a torch checkpoint or is damaged" in err and "data.pkl" in err


def test_zip_that_is_not_a_torch_checkpoint(tmp_path, capsys):
    ckpt = tmp_path / "other.pth"
    with zipfile.ZipFile(ckpt, "w") as archive:
        archive.writestr("readme.txt", "hello")
    code, _, err = run_weights(capsys, ckpt, tmp_path / "out.pdparams")
    assert code == cli.EXIT_FILE_ERRORS
    assert_clean_error(err, ckpt)
    assert "is not a torch checkpoint" in err and "data.pkl" in err


def test_torchscript_archive_is_named(tmp_path, capsys):
    ckpt = tmp_path / "scripted.pth"
    torch.jit.save(torch.jit.script(nn.Linear(3, 4)), str(ckpt))
    code, _, err = run_weights(capsys, ckpt, tmp_path / "out.pdparams")
    assert code == cli.EXIT_FILE_ERRORS
    assert_clean_error(err, ckpt)
    assert "TorchScript" in err


def test_message_with_brackets_is_printed_verbatim(tmp_path, capsys):
    folder = tmp_path / "[run]"
    folder.mkdir()
    ckpt = folder / "empty.pth"
    ckpt.write_bytes(b"")
    code, _, err = run_weights(capsys, ckpt, tmp_path / "out.pdparams")
    assert code == cli.EXIT_FILE_ERRORS
    assert f"{ckpt} is empty (0 bytes)" in err


def test_pickle_refusal_is_kept(tmp_path, capsys):
    ckpt = tmp_path / "module.pth"
    torch.save({"model": nn.Linear(3, 4)}, ckpt)  # needs full unpickling
    out = tmp_path / "out.pdparams"
    code, _, err = run_weights(capsys, ckpt, out)
    assert code == cli.EXIT_FILE_ERRORS
    assert "--allow-pickle" in err and "Traceback" not in err and "\x1b" not in err  # the CLI names its option
    assert not out.exists()
    with pytest.raises(W.WeightConversionError, match="allow_pickle=True") as info:
        W.load_torch_checkpoint(ckpt)
    assert not isinstance(info.value, W.CheckpointFileError)
    assert isinstance(info.value, W.PickleRefusedError) and info.value.objects == "torch.nn.modules.linear.Linear"
    assert pickle.loads(pickle.dumps(info.value)).objects == info.value.objects
    sd, key = W.load_torch_checkpoint(ckpt, allow_pickle=True)
    assert key == "model" and sorted(sd) == ["bias", "weight"]


def test_checkpoint_file_error_is_picklable(tmp_path):
    err = W.CheckpointFileError(tmp_path / "a.pth", "is empty (0 bytes)")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is W.CheckpointFileError
    assert str(back) == str(err) == f"{tmp_path / 'a.pth'} is empty (0 bytes)"
    assert back.problems == err.problems


# --------------------------------------------------------------------------- 2. non-tensor entries


def test_plain_state_dict_with_a_non_tensor_entry(tmp_path, capsys):
    sd = linear_state_dict()
    ckpt = tmp_path / "with_epoch.pth"
    torch.save({**sd, "epoch": 7}, ckpt)

    loaded, key = W.load_torch_checkpoint(ckpt)
    assert key is None and sorted(loaded) == ["bias", "weight"]

    out = tmp_path / "out.pdparams"
    report = W.convert_checkpoint(ckpt, out, "torch.nn:Linear", {"in_features": 3, "out_features": 4},
                                  paddle_model_factory="paddle.nn:Linear")
    assert report.skipped_entries == ["epoch"]
    assert report.transposed == ["weight"] and report.copied == ["bias"]
    assert "epoch" in report.summary() and "Skipped" in report.summary()
    as_dict = report.to_dict()
    assert as_dict["skipped_entries"] == ["epoch"]
    state = paddle.load(str(out))
    assert sorted(state) == ["bias", "weight"]
    np.testing.assert_array_equal(np.asarray(state["weight"]), sd["weight"].numpy().T)

    out2 = tmp_path / "cli.pdparams"
    code, stdout, err = run_weights(capsys, ckpt, out2)
    assert code == cli.EXIT_OK, err
    assert "epoch" in stdout and out2.exists()


def test_container_state_dict_with_non_tensor_entries(tmp_path):
    sd = linear_state_dict()
    ckpt = tmp_path / "ckpt.pth"
    torch.save({"state_dict": {**sd, "step": 5, "arch": "linear"}, "optimizer": {"lr": 0.1}, "epoch": 3}, ckpt)
    loaded, key = W.load_torch_checkpoint(ckpt)
    assert key == "state_dict" and sorted(loaded) == ["bias", "weight"]
    report = W.convert_checkpoint(ckpt, tmp_path / "out.pdparams", "torch.nn:Linear",
                                  {"in_features": 3, "out_features": 4})
    assert report.source_key == "state_dict"
    assert report.skipped_entries == ["step", "arch"]


def test_container_key_wins_over_top_level_tensors(tmp_path):
    sd = linear_state_dict()
    ckpt = tmp_path / "ckpt.pth"
    torch.save({"model": sd, "best_acc": torch.tensor(0.9), "epoch": 3}, ckpt)
    loaded, key = W.load_torch_checkpoint(ckpt)
    assert key == "model" and sorted(loaded) == ["bias", "weight"]
    report = W.convert_checkpoint(ckpt, tmp_path / "out.pdparams", "torch.nn:Linear",
                                  {"in_features": 3, "out_features": 4})
    assert report.source_key == "model" and report.skipped_entries == []


def test_top_level_tensors_next_to_nested_weights_are_not_taken_for_the_weights(tmp_path):
    ckpt = tmp_path / "ckpt.pth"
    torch.save({"ema": linear_state_dict(), "best_acc": torch.tensor(0.9)}, ckpt)
    with pytest.raises(W.WeightConversionError, match="no state dict found.*nested under 'ema'.*--key"):
        W.load_torch_checkpoint(ckpt)
    assert W.load_torch_checkpoint(ckpt, key="ema")[1] == "ema"
    torch.save({"net": linear_state_dict(), "best_acc": torch.tensor(0.9)}, ckpt)  # "net": a common container key
    assert W.load_torch_checkpoint(ckpt)[1] == "net"


def test_mapping_without_tensors_is_still_no_state_dict(tmp_path):
    ckpt = tmp_path / "ckpt.pth"
    torch.save({"epoch": 3, "model": {"lr": 0.1}}, ckpt)
    with pytest.raises(W.WeightConversionError, match="no state dict found"):
        W.load_torch_checkpoint(ckpt)


class WithExtraState(nn.Module):
    def get_extra_state(self):
        return {"version": 2}

    def set_extra_state(self, state):
        pass


def linear_with_extra_state():
    return nn.Sequential(nn.Linear(3, 4), WithExtraState())


def test_module_extra_state_is_dropped_by_the_rules_not_skipped(tmp_path):
    torch.manual_seed(0)
    model = linear_with_extra_state()
    ckpt = tmp_path / "extra.pth"
    torch.save(model.state_dict(), ckpt)
    report = W.convert_checkpoint(ckpt, tmp_path / "out.pdparams", linear_with_extra_state)
    assert report.skipped_entries == []
    assert ("1._extra_state", W._REASON_EXTRA_STATE) in report.dropped
    assert sorted(paddle.load(str(tmp_path / "out.pdparams"))) == ["0.bias", "0.weight"]


# --------------------------------------------------------------------------- 3. output == input


def assert_refused(code, err, ckpt, before):
    assert code == cli.EXIT_USAGE
    assert str(ckpt) in err and "Traceback" not in err
    assert "overwrite" in err
    assert ckpt.read_bytes() == before


def test_output_same_as_input_is_refused(tmp_path, capsys, good_zip):
    before = good_zip.read_bytes()
    code, _, err = run_weights(capsys, good_zip, good_zip)
    assert_refused(code, err, good_zip, before)
    # refused before anything is loaded: even an unresolvable model factory is not looked at
    code, _, err = run_weights(capsys, good_zip, good_zip, model="no_such_pkg.nowhere:build")
    assert_refused(code, err, good_zip, before)
    assert "no_such_pkg" not in err
    sd, _ = W.load_torch_checkpoint(good_zip)
    assert sorted(sd) == ["bias", "weight"]


def test_output_same_as_input_spelled_differently(tmp_path, capsys, good_zip, monkeypatch):
    before = good_zip.read_bytes()
    monkeypatch.chdir(tmp_path)
    code, _, err = run_weights(capsys, good_zip, os.path.join(".", "sub", "..", good_zip.name))
    assert_refused(code, err, good_zip, before)


def test_output_linking_to_input_is_refused(tmp_path, capsys, good_zip):
    before = good_zip.read_bytes()
    link = tmp_path / "link.pdparams"
    link.symlink_to(good_zip)
    code, _, err = run_weights(capsys, good_zip, link)
    assert_refused(code, err, good_zip, before)
    assert link.is_symlink()

    hard = tmp_path / "hard.pdparams"
    os.link(good_zip, hard)
    code, _, err = run_weights(capsys, good_zip, hard)
    assert_refused(code, err, good_zip, before)


def test_library_refuses_output_same_as_input(tmp_path, good_zip):
    before = good_zip.read_bytes()
    calls = []

    def factory():
        calls.append(1)
        return nn.Linear(3, 4)

    with pytest.raises(W.CheckpointFileError, match="overwrite"):
        W.convert_checkpoint(good_zip, str(good_zip), factory)
    assert calls == [] and good_zip.read_bytes() == before


def test_distinct_output_still_written(tmp_path, capsys, good_zip):
    out = tmp_path / "good.pdparams"
    code, _, err = run_weights(capsys, good_zip, out)
    assert code == cli.EXIT_OK, err
    assert sorted(paddle.load(str(out))) == ["bias", "weight"]
