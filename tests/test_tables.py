"""The table loader: a malformed entry fails with the file, the entry name and the reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from torch2paddle import convert_source
from torch2paddle.tables import TableError, load_tables


def _load_one(tmp_path: Path, text: str):
    path = tmp_path / "user.yaml"
    path.write_text(text)
    return load_tables([path]), path


@pytest.mark.parametrize(
    "text, entry, reason",
    [
        ("apis:\n  torch.nn.Foo: {}\n", "torch.nn.Foo", "needs a 'target' or an 'unsupported' reason"),
        ("apis:\n  torch.nn.Foo: {target: paddle.nn.Foo, colour: red}\n", "torch.nn.Foo", "unknown keys ['colour']"),
        ("apis:\n  torch.nn.Foo: {target: paddle.nn.Foo, rewrite: no_such_rewrite}\n", "torch.nn.Foo",
         "unknown rewrite 'no_such_rewrite'"),
        ("apis:\n  torch.nn.Foo: {target: paddle.nn.Foo, values: {momentum: nope}}\n", "torch.nn.Foo",
         "'values.momentum' names unknown rewrite"),
        ("apis:\n  torch.nn.Foo: {target: paddle.nn.Foo, args: [a, 3]}\n", "torch.nn.Foo", "'args' must be a list of names"),
        ("apis:\n  torch.nn.Foo: {target: paddle.nn.Foo, defaults: {a: 'x ='}}\n", "torch.nn.Foo", "is not a Python expression"),
        ("apis:\n  torch.nn.Foo: {target: paddle.nn.Foo, examples: [{compare: [x]}]}\n", "torch.nn.Foo", "with 'code'"),
        ("apis:\n  torch.nn.Foo: {target: paddle.nn.Foo, examples: [{code: 'x = 1'}]}\n", "torch.nn.Foo",
         "names no results to 'compare'"),
        ("apis:\n  torch.nn.Foo: {target: paddle.nn.Foo, receiver: sometimes}\n", "torch.nn.Foo", "'receiver' must be one of"),
        ("methods:\n  torch.Foo.bar: {target: paddle.Tensor.bar}\n", "torch.Foo.bar", "method entries are named"),
        ("apis:\n  torch.nn.Foo: {target: paddle.nn.Foo, unsupported_args: {a: {allow: [1]}}}\n", "torch.nn.Foo",
         "must be a reason or {reason, allow}"),
        ("apis:\n  notdotted: {target: paddle.x}\n", "notdotted", "dotted torch names"),
        ("apis:\n  torch.nn.Foo: {target: paddle.nn.Foo, args: [a, dtype], drop: [dtype], then_to: [dtype]}\n",
         "torch.nn.Foo", "'then_to' entry 'dtype' must be one of 'args' that no other key handles"),
        ("apis:\n  torch.nn.Foo: {target: paddle.nn.Foo, args: [a], then_to: [dtype]}\n",
         "torch.nn.Foo", "'then_to' entry 'dtype' must be one of 'args'"),
    ],
)
def test_malformed_entry_is_named(tmp_path, text, entry, reason):
    with pytest.raises(TableError) as info:
        _load_one(tmp_path, text)
    message = str(info.value)
    assert "user.yaml" in message and repr(entry) in message and reason in message, message


@pytest.mark.parametrize(
    "text, reason",
    [
        ("apis: [1, 2]\n", "'apis' must be a mapping"),
        ("colour: red\n", "unknown top-level keys ['colour']"),
        ("apis:\n  torch.nn.Foo: {target: [\n", "invalid YAML"),
        ("modules: {torch.nn: 3}\n", "'modules' must map"),
    ],
)
def test_malformed_table_is_named(tmp_path, text, reason):
    with pytest.raises(TableError) as info:
        _load_one(tmp_path, text)
    assert "user.yaml" in str(info.value) and reason in str(info.value)


def test_missing_user_table(tmp_path):
    with pytest.raises(TableError, match="mapping file not found"):
        load_tables([tmp_path / "absent.yaml"])


def test_user_table_overrides_and_extends(tmp_path):
    tables, _ = _load_one(tmp_path, (
        "apis:\n"
        "  torch.nn.ReLU: {target: paddle.nn.ReLU6, args: [inplace], drop: [inplace]}\n"
        "  torch.nn.MyLayer: {target: paddle.nn.Identity}\n"
    ))
    code = "import torch.nn as nn\na = nn.ReLU(inplace=True)\nb = nn.MyLayer()\n"
    out = convert_source(code, tables=tables).code
    assert "nn.ReLU6()" in out and "nn.Identity()" in out
    builtin = convert_source(code).code
    assert "nn.ReLU()" in builtin and "torch2paddle: unsupported torch.nn.MyLayer" in builtin


def test_builtin_tables_load_and_are_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = load_tables()
    assert list((tmp_path / "torch2paddle").glob("tables-*.pickle"))
    second = load_tables()
    assert set(first.apis) == set(second.apis) and first.apis["torch.nn.Conv2d"] == second.apis["torch.nn.Conv2d"]


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "torch2paddle", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_mappings_option_and_bad_table(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "m.py").write_text("import torch.nn as nn\nlayer = nn.MyLayer()\n")
    table = tmp_path / "extra.yaml"
    table.write_text("apis:\n  torch.nn.MyLayer: {target: paddle.nn.Identity}\n")
    done = _cli("convert", str(src), str(tmp_path / "out"), "--mappings", str(table), "-q")
    assert done.returncode == 0, done.stderr
    assert "nn.Identity()" in (tmp_path / "out" / "m.py").read_text()
    table.write_text("apis:\n  torch.nn.MyLayer: {}\n")
    bad = _cli("convert", str(src), str(tmp_path / "out2"), "--mappings", str(table))
    assert bad.returncode == 2
    assert "extra.yaml" in bad.stderr and "torch.nn.MyLayer" in bad.stderr
    assert not (tmp_path / "out2").exists(), "a bad table must be reported before anything is written"


def test_cli_mappings_show_and_coverage():
    shown = _cli("mappings", "show", "torch.nn.BatchNorm2d")
    assert shown.returncode == 0
    assert "paddle.nn.BatchNorm2D" in shown.stdout and "eps -> epsilon" in shown.stdout
    assert "momentum: value rewritten by 'one_minus'" in shown.stdout and "example 0" in shown.stdout
    assert _cli("mappings", "show", "torch.no_such_api").returncode == 1
    coverage = _cli("mappings", "coverage")
    assert coverage.returncode == 0 and "nn_layers.yaml" in coverage.stdout and "total" in coverage.stdout
    found = _cli("mappings", "search", "Conv2")
    assert "torch.nn.Conv2d" in found.stdout


def test_cli_weights_converts_a_checkpoint(tmp_path):
    torch = pytest.importorskip("torch")
    paddle = pytest.importorskip("paddle")
    (tmp_path / "tinymodel.py").write_text(
        "import torch.nn as nn\n\n\ndef build(classes=3):\n"
        "    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4 * 6 * 6, classes))\n"
    )
    import importlib
    import sys as _sys

    _sys.path.insert(0, str(tmp_path))
    try:
        model = importlib.import_module("tinymodel").build(5)
    finally:
        _sys.path.remove(str(tmp_path))
    torch.save({"model": model.state_dict(), "epoch": 3}, tmp_path / "ckpt.pth")
    done = _cli("weights", str(tmp_path / "ckpt.pth"), str(tmp_path / "out.pdparams"), "--model", "tinymodel:build",
                "--kwargs", '{"classes": 5}', "--path", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "3.weight" in done.stdout  # the transposed Linear weight is reported
    state = paddle.load(str(tmp_path / "out.pdparams"))
    assert list(state["3.weight"].shape) == [144, 5]
    assert "1._mean" in state and "1.num_batches_tracked" not in state
    bad = _cli("weights", str(tmp_path / "ckpt.pth"), str(tmp_path / "bad.pdparams"), "--model", "tinymodel:build",
               "--path", str(tmp_path))
    assert bad.returncode == 1 and "3.weight" in bad.stderr  # 3 classes: the checkpoint's shapes do not fit
    assert not (tmp_path / "bad.pdparams").exists()


def test_breadth_at_least_600_mapped_apis_each_with_an_example():
    from torch2paddle.mapping_docs import coverage_counts

    counts = coverage_counts(load_tables(use_cache=False))
    mapped = sum(c["mapped"] for c in counts.values())
    assert mapped >= 600, f"only {mapped} APIs are mapped"
    assert all(c["with_examples"] == c["entries"] for c in counts.values())
