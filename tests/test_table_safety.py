"""User-supplied mapping tables (`convert --mappings FILE.yaml`) are untrusted input.

A malformed table must fail at load with a ``TableError`` naming the file (and the entry where
there is one): never a traceback, never unbounded time or memory.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from torch2paddle.cli import main
from torch2paddle.tables import TableError, load_tables

ENTRY = "torch.nn.Foo"


def _write(tmp_path: Path, text: str | bytes, name: str = "user.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str | bytes) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(TableError) as info:
        load_tables([path])
    message = str(info.value)
    assert "user.yaml" in message, message
    return message


def _entry_error(tmp_path: Path, text: str | bytes, reason: str) -> str:
    message = _error(tmp_path, text)
    assert repr(ENTRY) in message and reason in message, message
    return message


def _bomb(levels: int = 9, width: int = 9) -> str:
    """The "billion laughs": `width ** levels` scalars from a few hundred bytes."""
    names = [f"l{i}" for i in range(levels)]
    rows = ["[" + ", ".join(["x"] * width) + "]"]
    rows += ["[" + ", ".join([f"*{names[i - 1]}"] * width) + "]" for i in range(1, levels)]
    anchored = ", ".join(f"&{n} {row}" for n, row in zip(names, rows))
    return f"apis:\n  {ENTRY}:\n    target: paddle.nn.Foo\n    note: [{anchored}]\n"


# 1. alias expansion is bounded ---------------------------------------------------------------


def test_alias_bomb_is_refused_quickly(tmp_path):
    text = _bomb()  # 9 ** 9 = 387 million scalars: the old loader spent tens of seconds and GBs on str(note)
    assert len(text) < 1024
    message = _error(tmp_path, text)
    assert "aliases expand to more than" in message, message


def test_merge_key_bomb_is_refused(tmp_path):
    # PyYAML happens to merge these cheaply, but the bound is on the expanded document, whatever reads it
    rows = ["&m0 {a: x, b: y}"]
    rows += [f"&m{i} {{<<: [" + ", ".join([f"*m{i - 1}"] * 9) + f"], k{i}: v}}" for i in range(1, 9)]
    text = "apis:\n  " + ENTRY + ":\n    target: paddle.nn.Foo\n    note: [" + ", ".join(rows) + "]\n"
    assert "aliases expand to more than" in _error(tmp_path, text)


def test_recursive_alias_is_refused(tmp_path):
    text = f"apis:\n  {ENTRY}:\n    target: paddle.nn.Foo\n    note: &loop [x, *loop]\n"
    assert "recursive" in _error(tmp_path, text)


def test_deep_nesting_is_refused(tmp_path):
    text = f"apis:\n  {ENTRY}:\n    target: paddle.nn.Foo\n    note: {'[' * 500}{']' * 500}\n"
    assert "nested" in _error(tmp_path, text)


@pytest.mark.parametrize("text, reason", [
    (_bomb(), "aliases expand to more than"),
    (f"apis:\n  {ENTRY}:\n    target: paddle.nn.Foo\n    note: {'[' * 600}{']' * 600}\n", "nested"),
    (f"apis:\n  {ENTRY}:\n    target: paddle.nn.Foo\n    note: &loop [x, *loop]\n", "recursive"),
])
def test_pure_python_loader_is_bounded_too(tmp_path, monkeypatch, text, reason):
    import yaml

    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)  # where libyaml is missing
    assert reason in _error(tmp_path, text)


def test_crlf_table_loads(tmp_path):
    text = "apis:\n  torch.nn.Foo:\n    target: paddle.nn.Foo\n    note: |\n      a\n      b\n"
    path = _write(tmp_path, text.replace("\n", "\r\n").encode())
    assert load_tables([path]).apis[ENTRY].note == "a\nb\n"


def test_anchor_alias_and_merge_key_still_load(tmp_path):
    path = _write(tmp_path, (
        "apis:\n"
        "  torch.nn.Foo:\n"
        "    target: paddle.nn.Foo\n"
        "    args: &foo_args [a, b]\n"
        "    unsupported_args: &flags\n"
        "      device: {reason: Paddle places tensors globally, allow: [null, cpu]}\n"
        "  torch.nn.Bar:\n"
        "    target: paddle.nn.Bar\n"
        "    args: *foo_args\n"
        "    unsupported_args:\n"
        "      <<: *flags\n"
        "      out: {reason: Paddle returns a new tensor, allow: [null]}\n"
    ))
    tables = load_tables([path])
    foo, bar = tables.apis["torch.nn.Foo"], tables.apis["torch.nn.Bar"]
    assert bar.args == foo.args == ("a", "b")
    assert set(bar.unsupported_args) == {"device", "out"}
    assert bar.unsupported_args["device"] == foo.unsupported_args["device"]
    assert foo.unsupported_args["device"]["allow"] == ("None", "cpu")


def test_builtin_tables_with_anchors_still_load():
    tables = load_tables(use_cache=False)
    zeros, ones, empty = (tables.apis[f"torch.{n}"] for n in ("zeros", "ones", "empty"))
    assert ones.unsupported_args == zeros.unsupported_args  # `*creation_flags`
    assert {"out", "requires_grad", "memory_format"} <= set(empty.unsupported_args)  # `<<: *creation_flags`


# 2. encoding -----------------------------------------------------------------------------------


def test_non_utf8_table_names_file_and_position(tmp_path):
    text = b"apis:\n  torch.nn.Foo: {target: paddle.nn.Foo, note: caf\xe9}\n"
    offset = text.index(b"\xe9")
    column = offset - text.rindex(b"\n", 0, offset)
    message = _error(tmp_path, text)
    assert "not UTF-8" in message and f"byte offset {offset} (line 2, column {column})" in message, message


# 3.-5. entry values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, reason",
    [
        ("{reason: r, allow: 5}", "'unsupported_args.x.allow' must be a list"),
        ("{reason: r, deny: abc}", "'unsupported_args.x.deny' must be a list"),
        ("{reason: r, allow: [[1, 2]]}", "'unsupported_args.x.allow' must be a list of scalars"),
        ("{reason: r, deny: [{a: 1}]}", "'unsupported_args.x.deny' must be a list of scalars"),
    ],
)
def test_unsupported_args_allow_deny_must_be_scalar_lists(tmp_path, spec, reason):
    _entry_error(tmp_path, f"apis:\n  {ENTRY}: {{target: paddle.nn.Foo, unsupported_args: {{x: {spec}}}}}\n", reason)


@pytest.mark.parametrize(
    "example, reason",
    [
        ("{code: 'y = 1', compare: [y], atol: abc}", "'atol' must be a non-negative number"),
        ("{code: 'y = 1', compare: [y], rtol: [1]}", "'rtol' must be a non-negative number"),
        ("{code: 'y = 1', compare: [y], atol: -1.0}", "'atol' must be a non-negative number"),
        ("{code: 'y = 1', compare: [y], expect_unsupported: 'no'}", "'expect_unsupported' must be true or false"),
        ("{code: 'y = 1', compare: [y], torch_init: 1}", "'torch_init' must be true or false"),
        ("{code: [1, 2], compare: [y]}", "'code' must be a string"),
        ("{code: 'y = 1', compare: [y], setup: {a: 1}}", "'setup' must be a string"),
    ],
)
def test_example_values_are_typed(tmp_path, example, reason):
    _entry_error(tmp_path, f"apis:\n  {ENTRY}: {{target: paddle.nn.Foo, examples: [{example}]}}\n", reason)


def test_numeric_string_tolerance_still_accepted(tmp_path):
    # PyYAML reads `1e-5` (no dot) as a string: it has always been accepted as a number
    path = _write(tmp_path, f"apis:\n  {ENTRY}: {{target: paddle.nn.Foo, examples: [{{code: 'y = 1', compare: [y], "
                            "atol: 1e-5, rtol: 2}]}\n")
    example = load_tables([path]).apis[ENTRY].examples[0]
    assert example.atol == 1e-5 and example.rtol == 2.0


@pytest.mark.parametrize(
    "fields, reason",
    [
        ('target: "paddle.zeros(); import os"', "'target' must be a dotted name"),
        ("target: paddle.nn.", "'target' must be a dotted name"),
        ("target: paddle.nn.lambda", "'target' must be a dotted name"),
        ('target: paddle.nn.Foo, aliases: ["torch.nn.Foo; x"]', "'aliases' must be dotted names"),
        ('target: paddle.nn.Foo, rename: {a: "b=1, c"}', "'rename.a' must be an identifier"),
        ('target: paddle.nn.Foo, rename: {"a b": c}', "'rename' key 'a b' must be an identifier"),
        ('target: paddle.nn.Foo, drop: ["a)"]', "'drop' must be identifiers"),
        ('target: paddle.nn.Foo, args: ["x, y"]', "'args' must be identifiers"),
        ('target: paddle.nn.Foo, target_args: ["*x"]', "'target_args' must be identifiers"),
        ('target: paddle.nn.Foo, add: {"a)": "1"}', "'add' key 'a)' must be an identifier"),
        ('target: paddle.nn.Foo, result_fields: ["0"]', "'result_fields' must be identifiers"),
        ('target: paddle.nn.Foo, unsupported_args: {"x y": r}', "'unsupported_args' key 'x y' must be an identifier"),
        ("target: paddle.nn.Foo, rewrite: [a, b]", "'rewrite' must be a name"),
        ("target: paddle.nn.Foo, torch_init: {a: 1}", "'torch_init' must be a name"),
        ("target: paddle.nn.Foo, receiver: [tensor]", "'receiver' must be one of"),
        ("target: paddle.nn.Foo, note: [a, b]", "'note' must be a string"),
        ("unsupported: [a, b]", "'unsupported' must be a string"),
        ("target: paddle.nn.Foo, unsupported_args: {x: {reason: [r]}}", "'unsupported_args.x.reason' must be a string"),
        ("target: paddle.nn.Foo, defaults: {a: \"'\\0'\"}", "is not a Python expression"),
        ("target: paddle.nn.Foo, defaults: {a: '" + "-" * 100_000 + "1'}", "is not a Python expression"),
        ("target: paddle.nn.Foo, add: {a: '1" + "+1" * 100_000 + "'}", "is not a Python expression"),
        ("target: paddle.nn.Foo, args: [from]", "'args' entry 'from' is a Python keyword: it must be renamed"),
        ("target: paddle.nn.Foo, args: [a], rename: {a: from}", "'rename.a' must be an identifier"),
        ('target: "False"', "'target' must be a dotted name"),
        ("target: [x], rewrite: constant", "'target' must be a dotted name"),
        ("target: paddle.nn.Foo, 1: x, colour: red", "unknown keys ['1', 'colour']"),
    ],
)
def test_names_and_scalars_are_validated(tmp_path, fields, reason):
    _entry_error(tmp_path, f"apis:\n  {ENTRY}: {{{fields}}}\n", reason)


def test_method_target_names_the_method(tmp_path):
    message = _error(tmp_path, "methods:\n  torch.Tensor.foo: {target: bar}\n")
    assert "'torch.Tensor.foo'" in message and "<paddle class>.<method>" in message, message


def test_builtin_forms_still_accepted(tmp_path):
    # a torch parameter that is a Python keyword, renamed (Tensor.uniform_(from, to)); a `constant` literal
    path = _write(tmp_path, (
        "apis:\n"
        "  torch.jit.is_foo: {target: 'False', rewrite: constant}\n"
        "methods:\n"
        "  torch.Tensor.foo_: {target: paddle.Tensor.foo_, args: [from, to], rename: {from: min, to: max}}\n"
    ))
    tables = load_tables([path])
    assert tables.apis["torch.jit.is_foo"].target == "False"
    assert tables.lookup_method("foo_")[-1].paddle_positions() == ("min", "max")


def test_shorthand_target_is_validated(tmp_path):
    _entry_error(tmp_path, f'apis:\n  {ENTRY}: "paddle.zeros(); import os"\n', "'target' must be a dotted name")


@pytest.mark.parametrize(
    "modules, reason",
    [
        ('{torch.foo: "paddle.foo; import os"}', "'modules' must map torch module names to paddle module names"),
        ('{"torch.foo()": paddle.foo}', "'modules' must map torch module names to paddle module names"),
    ],
)
def test_modules_are_dotted_names(tmp_path, modules, reason):
    message = _error(tmp_path, f"modules: {modules}\n")
    assert reason in message, message


def test_mixed_unknown_top_level_keys(tmp_path):
    assert "unknown top-level keys ['1', 'colour']" in _error(tmp_path, "1: x\ncolour: red\n")


# 6. the last line of defence ------------------------------------------------------------------


def test_unexpected_parse_error_becomes_table_error(tmp_path, monkeypatch):
    import torch2paddle.tables as tables_mod

    def broken(*args, **kwargs):
        raise AttributeError("'int' object has no attribute 'items'")

    monkeypatch.setattr(tables_mod, "_parse_examples", broken)
    message = _entry_error(tmp_path, f"apis:\n  {ENTRY}: {{target: paddle.nn.Foo}}\n", "malformed entry:")
    assert "has no attribute 'items'" in message


# CLI ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "table",
    [
        _bomb(),
        'apis:\n  torch.nn.MyLayer: {target: "paddle.zeros(); import os"}\n',
        b"apis:\n  torch.nn.MyLayer: {target: paddle.nn.Identity, note: \xff}\n",
    ],
    ids=["alias-bomb", "target-code", "not-utf8"],
)
def test_cli_bad_table_exits_2_before_writing(tmp_path, capsys, table):
    src = tmp_path / "src"
    src.mkdir()
    (src / "m.py").write_text("import torch.nn as nn\nlayer = nn.MyLayer()\n")
    bad = _write(tmp_path, table, "bad.yaml")
    assert main(["convert", str(src), str(tmp_path / "out"), "--mappings", str(bad), "-q", "-j", "1"]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()


# -- rewrites are named where their kind fits -------------------------------------------------------------
@pytest.mark.parametrize("body, message", [
    ("values: {momentum: pack_shape}", "'values.momentum' names 'pack_shape', a call rewrite; values.momentum takes a value rewrite"),
    ("rewrite: one_minus", "'rewrite' names 'one_minus', a value rewrite"),
    ("torch_init: one_minus", "'torch_init' names 'one_minus', a value rewrite; torch_init takes a init rewrite"),
    ("values: {momentum: no_such_rewrite}", "'values.momentum' names unknown rewrite 'no_such_rewrite' (known: "),
])
def test_a_rewrite_of_the_wrong_kind_fails_at_load(tmp_path, body, message):
    table = tmp_path / "bad.yaml"
    table.write_text(f"apis:\n  torch.nn.BatchNorm2d:\n    target: paddle.nn.BatchNorm2D\n    {body}\n")
    with pytest.raises(TableError) as info:
        load_tables([table])
    assert "torch.nn.BatchNorm2d" in str(info.value) and message in str(info.value)


def test_every_rewrite_says_why_it_exists_and_show_prints_it():
    import sys

    from torch2paddle.mapping_docs import entry_text
    from torch2paddle.rewrites import REWRITE_KINDS, REWRITES

    assert set(REWRITE_KINDS) == set(REWRITES)
    assert not [n for n, fn in REWRITES.items() if not (fn.__doc__ or sys.modules[fn.__module__].__doc__)]
    text = entry_text(load_tables(), "torch.nn.BatchNorm2d")
    assert "rewrite 'one_minus': [value] BatchNorm momentum" in text
