"""Bad input and faults: each is a clear per-file message (file, and line where there is one), the rest
of the tree still converted, the problem in the summary and the JSON report, an exit code that says so,
and never a half-written file."""

from __future__ import annotations

import ast
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from torch2paddle import tree
from torch2paddle.cli import EXIT_FILE_ERRORS, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, main
from trees import make_tree
from torch2paddle.tree import convert_tree

GOOD = "import torch.nn as nn\n\nlayer = nn.Conv2d(3, 8, 3)  # keep me\n"
GOOD_OUT = "import paddle.nn as nn\n\nlayer = nn.Conv2D(3, 8, 3)  # keep me\n"


def _cli(src: Path, out: Path, *extra: str, capsys=None) -> tuple[int, dict, str]:
    report = out.parent / f"{out.name}-report.json"
    code = main(["convert", str(src), str(out), "-q", "--report", str(report), *extra])
    text = capsys.readouterr().out if capsys else ""
    return code, (json.loads(report.read_text()) if report.exists() else {}), text


def _entry(report: dict, path: str) -> dict:
    return next(f for f in report["files"] if f["path"] == path)


def _no_temp_files(out: Path) -> None:
    assert not [p for p in out.rglob("*.tmp")], "temp files left behind"


def _assert_bad_file(tmp_path, capsys, name: str, content: str | bytes, *message: str, jobs: int = 1) -> dict:
    """One bad file next to a good one: the good one converted, the bad one reported and copied as it is."""
    src = make_tree(tmp_path / "src", {"good.py": GOOD, name: content})
    out = tmp_path / "out"
    code, report, text = _cli(src, out, "--jobs", str(jobs), capsys=capsys)
    assert code == EXIT_FILE_ERRORS
    assert (out / "good.py").read_text() == GOOD_OUT
    entry = _entry(report, name)
    assert entry["status"] == "error"
    for part in message:
        assert part in entry["error"], entry["error"]
        assert part in text  # the summary names it too
    assert f"error {name}" in text
    assert report["counts"]["errors"] == 1
    raw = content.encode() if isinstance(content, str) else content
    assert (out / name).read_bytes() == raw  # copied unchanged
    _no_temp_files(out)
    return entry


def test_syntax_error(tmp_path, capsys):
    _assert_bad_file(tmp_path, capsys, "broken.py", "import torch\n\nx = torch.zeros(1\ny = 2\n", "line 3", "syntax error")


def test_python2_print_statement(tmp_path, capsys):
    _assert_bad_file(tmp_path, capsys, "py2.py", "import torch\nprint 'hello', torch.__version__\n",
                     "line 2", "Missing parentheses in call to 'print'")


def test_non_utf8_without_a_cookie(tmp_path, capsys):
    _assert_bad_file(tmp_path, capsys, "latin.py", b"import torch\n\n# caf\xe9\nx = torch.ones(1)\n",
                     "line 3", "cannot decode as utf-8", "coding")


def test_unknown_encoding_cookie(tmp_path, capsys):
    _assert_bad_file(tmp_path, capsys, "cookie.py", "# -*- coding: klingon -*-\nimport torch\n", "klingon")


def test_latin1_cookie_round_trips_byte_exactly(tmp_path):
    changed = b"# -*- coding: latin-1 -*-\nimport torch.nn as nn\n\n# caf\xe9 \xb5\nlayer = nn.Conv2d(3, 8, 3)  # \xe9\n"
    unchanged = b"# -*- coding: latin-1 -*-\nimport os\n\nname = 'Andr\xe9'  # torch-free\n"
    src = make_tree(tmp_path / "src", {"a.py": changed, "b.py": unchanged})
    report = convert_tree(src, tmp_path / "out", jobs=1)
    assert not report.errors
    out = (tmp_path / "out" / "a.py").read_bytes()
    assert out == changed.replace(b"torch.nn", b"paddle.nn").replace(b"Conv2d", b"Conv2D")
    assert (tmp_path / "out" / "b.py").read_bytes() == unchanged


def test_bom_is_kept(tmp_path):
    bom = b"\xef\xbb\xbf"
    src = make_tree(tmp_path / "src", {"a.py": bom + GOOD.encode(), "b.py": bom + b"import os\n"})
    report = convert_tree(src, tmp_path / "out", jobs=1)
    assert not report.errors
    assert (tmp_path / "out" / "a.py").read_bytes() == bom + GOOD_OUT.encode()
    assert (tmp_path / "out" / "b.py").read_bytes() == bom + b"import os\n"


def test_crlf_line_endings_are_kept(tmp_path):
    code = ("import torch\r\nimport torch.nn as nn\r\n\r\n\r\nclass M(nn.Module):\r\n    def forward(self, x):\r\n"
            "        return torch.no_such_thing(x.view(-1))  # why\r\n")
    src = make_tree(tmp_path / "src", {"a.py": code})
    report = convert_tree(src, tmp_path / "out", jobs=1)
    assert not report.errors
    out = (tmp_path / "out" / "a.py").read_bytes()
    assert b"nn.Layer" in out and b"torch2paddle: unsupported" in out
    assert out.count(b"\n") == out.count(b"\r\n")  # no bare LF
    ast.parse(out)


def test_tabs(tmp_path):
    code = "import torch.nn as nn\n\n\nclass M(nn.Module):\n\tdef __init__(self):\n\t\tsuper().__init__()\n" \
           "\t\tself.bn = nn.BatchNorm2d(8, momentum=0.1)\n"
    src = make_tree(tmp_path / "src", {"a.py": code})
    report = convert_tree(src, tmp_path / "out", jobs=1)
    assert not report.errors
    out = (tmp_path / "out" / "a.py").read_text()
    assert "\t\tself.bn = nn.BatchNorm2D(" in out and "nn.Layer" in out
    ast.parse(out)


def test_empty_and_whitespace_only_files(tmp_path):
    src = make_tree(tmp_path / "src", {"__init__.py": "", "blank.py": "\n\n   \n", "only_comment.py": "# torch\n"})
    report = convert_tree(src, tmp_path / "out", jobs=1)
    assert not report.errors and {f.status for f in report.files} == {"unchanged"}
    for name in ("__init__.py", "blank.py", "only_comment.py"):
        assert (tmp_path / "out" / name).read_bytes() == (src / name).read_bytes()


def test_very_large_files(tmp_path, capsys):
    line = "x{} = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]  # padding padding\n"
    body = "".join(line.format(i) for i in range(110_000))  # ~10 MB
    assert len(body) > 10_000_000
    src = make_tree(tmp_path / "src", {"good.py": GOOD, "big_torch.py": "import torch\n" + body,
                                   "big_plain.py": "import os\n" + body})
    start = time.perf_counter()
    code, report, text = _cli(src, tmp_path / "out", "--jobs", "1", capsys=capsys)
    assert time.perf_counter() - start < 20
    assert code == EXIT_FILE_ERRORS
    big = _entry(report, "big_torch.py")
    assert big["status"] == "error" and "too large to convert" in big["error"] and "big_torch.py" in text
    assert _entry(report, "big_plain.py")["status"] == "unchanged"
    for name in ("big_torch.py", "big_plain.py"):
        assert (tmp_path / "out" / name).read_bytes() == (src / name).read_bytes()
    assert (tmp_path / "out" / "good.py").read_text() == GOOD_OUT


def test_max_file_size_is_an_option(tmp_path, capsys):
    src = make_tree(tmp_path / "src", {"good.py": GOOD})
    code, report, text = _cli(src, tmp_path / "small", "--max-file-mb", "0.00001", capsys=capsys)
    assert code == EXIT_FILE_ERRORS and "--max-file-mb" in _entry(report, "good.py")["error"]
    code, report, text = _cli(src, tmp_path / "large", "--max-file-mb", "20", capsys=capsys)
    assert code == 0 and (tmp_path / "large" / "good.py").read_text() == GOOD_OUT


@pytest.mark.parametrize("jobs", [1, 2])
def test_deeply_nested_expressions_are_per_file_errors(tmp_path, capsys, jobs):
    files = {
        "good.py": GOOD,
        "parens.py": "import torch\nx = " + "(" * 2000 + "torch.zeros(1)" + ")" * 2000 + "\n",
        "plus.py": "import torch\nx = " + " + ".join(["torch.zeros(1)"] * 5000) + "\n",
        "attrs.py": "import torch\nx = torch" + ".a" * 3000 + "\n",
        "unary.py": "import torch\nx = " + "-" * 1500 + "torch.zeros(1)\n",
        "lists.py": "import torch\nx = " + "[" * 120 + "torch.zeros(1)" + "]" * 120 + "\n",
    }
    for i in range(4):  # enough files for a worker pool
        files[f"more{i}.py"] = GOOD
    src = make_tree(tmp_path / "src", files)
    start = time.perf_counter()
    code, report, text = _cli(src, tmp_path / "out", "--jobs", str(jobs), capsys=capsys)
    assert time.perf_counter() - start < 30
    assert code == EXIT_FILE_ERRORS
    for name in ("parens.py", "plus.py", "attrs.py", "unary.py"):
        entry = _entry(report, name)
        assert entry["status"] == "error" and "nested too deeply" in entry["error"], entry
        assert (tmp_path / "out" / name).read_bytes() == (src / name).read_bytes()
    assert "line 2" in _entry(report, "parens.py")["error"]
    assert _entry(report, "lists.py")["status"] in ("converted", "error")  # 120 levels: Python's limit is 200
    for i in range(4):
        assert (tmp_path / "out" / f"more{i}.py").read_text() == GOOD_OUT


def test_symlinks_and_loops(tmp_path, capsys):
    src = make_tree(tmp_path / "src", {"good.py": GOOD, "pkg/real.py": GOOD})
    os.symlink("real.py", src / "pkg" / "alias.py")  # a link to a file: converted like a file
    os.symlink("pkg", src / "linked_pkg")  # a link to a folder: not followed
    os.symlink("..", src / "pkg" / "loop")  # a loop: must not hang
    os.symlink("missing.py", src / "dangling.py")
    os.symlink("self.py", src / "self.py")  # a link to itself
    code, report, text = _cli(src, tmp_path / "out", "--jobs", "1", capsys=capsys)
    assert code == EXIT_OK
    assert (tmp_path / "out" / "pkg" / "alias.py").read_text() == GOOD_OUT
    status = {f["path"]: (f["status"], f["error"]) for f in report["files"]}
    assert status["linked_pkg/"][0] == "skipped" and "not followed" in status["linked_pkg/"][1]
    assert status["pkg/loop/"][0] == "skipped"
    assert status["dangling.py"] == ("skipped", "broken symbolic link (missing.py)")
    assert status["self.py"] == ("skipped", "symbolic link loop (self.py)")
    assert "skipped linked_pkg/" in text and "skipped self.py" in text
    assert not (tmp_path / "out" / "linked_pkg").exists()


def test_unreadable_file(tmp_path, capsys):
    src = make_tree(tmp_path / "src", {"good.py": GOOD, "secret.py": GOOD, "secret.bin": b"\x00\x01"})
    os.chmod(src / "secret.py", 0)
    os.chmod(src / "secret.bin", 0)
    try:
        if os.access(src / "secret.py", os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop this user from reading")
        code, report, text = _cli(src, tmp_path / "out", "--jobs", "1", capsys=capsys)
    finally:
        os.chmod(src / "secret.py", 0o644)
        os.chmod(src / "secret.bin", 0o644)
    assert code == EXIT_FILE_ERRORS
    for name in ("secret.py", "secret.bin"):
        entry = _entry(report, name)
        assert entry["status"] == "error" and "cannot read" in entry["error"] and "ermission denied" in entry["error"]
        assert not (tmp_path / "out" / name).exists()
    assert (tmp_path / "out" / "good.py").read_text() == GOOD_OUT
    _no_temp_files(tmp_path / "out")


def test_unreadable_file_simulated(tmp_path, capsys, monkeypatch):
    """The same as above where chmod cannot stop the reader (root): reads fail with EACCES."""
    src = make_tree(tmp_path / "src", {"good.py": GOOD, "secret.py": GOOD, "secret.bin": b"\x00\x01"})
    real_open = os.open

    def guarded_open(file, *args, **kwargs):  # every source is opened once, with os.open
        if Path(file).name.startswith("secret."):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(tree.os, "open", guarded_open)
    code, report, text = _cli(src, tmp_path / "out", "--jobs", "1", capsys=capsys)
    assert code == EXIT_FILE_ERRORS
    for name in ("secret.py", "secret.bin"):
        entry = _entry(report, name)
        assert entry == {"path": name, "status": "error", "error": "cannot read: Permission denied", "uses": [],
                         "torch_at_import": []}
        assert f"error {name}: cannot read: Permission denied" in text
        assert not (tmp_path / "out" / name).exists()
    assert (tmp_path / "out" / "good.py").read_text() == GOOD_OUT
    _no_temp_files(tmp_path / "out")


def test_unreadable_folder(tmp_path, capsys, monkeypatch):
    src = make_tree(tmp_path / "src", {"good.py": GOOD, "locked/inner.py": GOOD})
    real_walk = os.walk

    def walk(top, onerror=None, followlinks=False):  # what os.walk does with a folder it cannot list
        for root, dirs, files in real_walk(top, onerror=onerror, followlinks=followlinks):
            if Path(root).name == "locked":
                onerror(PermissionError(errno.EACCES, os.strerror(errno.EACCES), root))
                continue
            yield root, dirs, files

    monkeypatch.setattr(tree.os, "walk", walk)
    code, report, text = _cli(src, tmp_path / "out", "--jobs", "1", capsys=capsys)
    assert code == EXIT_FILE_ERRORS
    assert _entry(report, "locked/") == {"path": "locked/", "status": "error", "uses": [], "torch_at_import": [],
                                         "error": "cannot read folder: Permission denied"}
    assert "error locked/: cannot read folder" in text
    assert (tmp_path / "out" / "good.py").read_text() == GOOD_OUT


@pytest.mark.parametrize("case", ["missing", "out_is_src", "out_inside_src", "out_contains_src", "file_onto_itself",
                                  "not_empty", "out_is_a_file"])
def test_unusable_src_or_out(tmp_path, capsys, case):
    src = make_tree(tmp_path / "proj", {"good.py": GOOD})
    args = {
        "missing": (tmp_path / "nope", tmp_path / "out"),
        "out_is_src": (src, src),
        "out_inside_src": (src, src / "converted"),
        "out_contains_src": (src, tmp_path),
        "file_onto_itself": (src / "good.py", src),
        "not_empty": (src, make_tree(tmp_path / "full", {"x.txt": "x"})),
        "out_is_a_file": (src, make_tree(tmp_path, {"a_file": "x"}) / "a_file"),
    }[case]
    before = {p: p.read_bytes() for p in src.rglob("*") if p.is_file()}
    code = main(["convert", str(args[0]), str(args[1]), "-q"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert "error:" in err
    assert {p: p.read_bytes() for p in src.rglob("*") if p.is_file()} == before  # the source is untouched
    if case == "not_empty":
        assert "--force" in err
        assert main(["convert", str(args[0]), str(args[1]), "-q", "--force"]) == EXIT_OK
        assert (args[1] / "good.py").read_text() == GOOD_OUT and (args[1] / "x.txt").exists()


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS])
def test_full_disk_or_read_only_output(tmp_path, capsys, monkeypatch, error):
    src = make_tree(tmp_path / "src", {"a.py": GOOD, "b.py": GOOD, "c.txt": "text", "d.py": GOOD})
    real_replace = os.replace

    def failing_replace(tmp, dst):  # the write itself went to a temp file; the rename is refused
        if Path(dst).name in ("b.py", "c.txt"):
            raise OSError(error, os.strerror(error))
        return real_replace(tmp, dst)

    monkeypatch.setattr(tree.os, "replace", failing_replace)
    code, report, text = _cli(src, tmp_path / "out", "--jobs", "1", capsys=capsys)
    assert code == EXIT_FILE_ERRORS
    for name in ("b.py", "c.txt"):
        entry = _entry(report, name)
        assert entry["status"] == "error" and os.strerror(error) in entry["error"] and "cannot write" in entry["error"]
        assert f"error {name}" in text
        assert not (tmp_path / "out" / name).exists()
    assert (tmp_path / "out" / "a.py").read_text() == GOOD_OUT
    assert (tmp_path / "out" / "d.py").read_text() == GOOD_OUT
    _no_temp_files(tmp_path / "out")


def test_nothing_can_be_written(tmp_path, capsys, monkeypatch):
    src = make_tree(tmp_path / "src", {"a.py": GOOD, "b.txt": "x"})

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tree.tempfile, "mkstemp", no_space)
    report = convert_tree(src, tmp_path / "out", jobs=1)
    assert {f.path: f.error for f in report.errors} == {
        "a.py": f"cannot write {tmp_path / 'out' / 'a.py'}: No space left on device",
        "b.txt": f"cannot write {tmp_path / 'out' / 'b.txt'}: No space left on device",
        ".torch2paddle/convert.json": "cannot write the manifest: No space left on device",
    }
    code = main(["convert", str(src), str(tmp_path / "out2"), "-q", "--report", str(tmp_path / "r.json")])
    captured = capsys.readouterr()
    assert code == EXIT_FILE_ERRORS
    assert "No space left on device" in captured.out and "cannot write the report" in captured.err


def test_converter_bug_and_invalid_output_are_contained(tmp_path, monkeypatch):
    src = make_tree(tmp_path / "src", {"boom.py": GOOD, "garbage.py": GOOD.replace("3, 8", "4, 8"), "good.py": GOOD})
    real = tree.convert_source

    def buggy(code, filename=None, tables=None, **options):
        if filename == "boom.py":
            raise ZeroDivisionError("oops")
        result = real(code, filename, tables, **options)
        if filename == "garbage.py":
            result.code = result.code + "def (:\n"
        return result

    monkeypatch.setattr(tree, "convert_source", buggy)
    report = convert_tree(src, tmp_path / "out", jobs=1)
    errors = {f.path: f.error for f in report.errors}
    assert errors["boom.py"] == "internal error (ZeroDivisionError: oops); copied unchanged"
    assert errors["garbage.py"].startswith("internal error: the converted code does not parse (line 4")
    assert (tmp_path / "out" / "garbage.py").read_text() == (src / "garbage.py").read_text()
    assert (tmp_path / "out" / "good.py").read_text() == GOOD_OUT


@pytest.mark.skipif(sys.platform != "linux", reason="workers inherit the monkeypatch only when forked")
def test_a_worker_crash_names_its_file_and_the_rest_is_done(tmp_path, monkeypatch):
    files = {f"m{i}.py": GOOD for i in range(8)}
    files["crash.py"] = GOOD.replace("Conv2d", "Conv3d")
    src = make_tree(tmp_path / "src", files)
    real = tree.convert_source

    def segfault(code, filename=None, tables=None, **options):
        if filename == "crash.py":
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(code, filename, tables, **options)

    monkeypatch.setattr(tree, "convert_source", segfault)
    report = convert_tree(src, tmp_path / "out", jobs=2)
    errors = {f.path: f.error for f in report.errors}
    assert list(errors) == ["crash.py"]
    assert "crashed" in errors["crash.py"] and "signal 11" in errors["crash.py"]
    assert (tmp_path / "out" / "crash.py").read_text() == files["crash.py"]  # copied unchanged
    for i in range(8):
        assert (tmp_path / "out" / f"m{i}.py").read_text() == GOOD_OUT
    assert any("crashed" in note for note in report.notes)
    _no_temp_files(tmp_path / "out")


def _many(root: Path, n: int = 12) -> Path:
    return make_tree(root, {f"pkg/m{i:02d}.py": GOOD + f"x{i} = nn.Linear({i + 1}, 2)\n" * 30 for i in range(n)})


def _complete(out: Path, src: Path) -> None:
    """Every file that exists in OUT is complete; no temp file is left."""
    _no_temp_files(out)
    for path in out.rglob("*.py"):
        text = path.read_text()
        ast.parse(text)
        assert text.count("\n") == (src / path.relative_to(out)).read_text().count("\n")


@pytest.mark.parametrize("jobs", [1, 2])
def test_interrupt_half_way_then_rerun_with_force(tmp_path, jobs):
    src = _many(tmp_path / "src")
    out = tmp_path / "out"
    seen = []

    def interrupt(result):
        seen.append(result.path)
        if len(seen) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        convert_tree(src, out, jobs=jobs, on_file=interrupt)
    _complete(out, src)
    assert not (out / ".torch2paddle" / "convert.json").exists()  # a manifest would claim a finished tree
    written = list(out.rglob("*.py"))
    assert 5 <= len(written) < 12 or jobs > 1
    report = convert_tree(src, out, jobs=jobs, force=True)
    assert not report.errors and len(report.files) == 12
    clean = tmp_path / "clean"
    convert_tree(src, clean, jobs=1)
    assert {p.name: p.read_bytes() for p in out.rglob("*.py")} == {p.name: p.read_bytes() for p in clean.rglob("*.py")}


def test_interrupt_during_a_write_leaves_no_temp_file(tmp_path, monkeypatch):
    src = _many(tmp_path / "src", 6)
    calls = []
    real_replace = os.replace

    def replace(tmp, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_replace(tmp, dst)

    monkeypatch.setattr(tree.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        convert_tree(src, tmp_path / "out", jobs=1)
    _complete(tmp_path / "out", src)
    assert len(list((tmp_path / "out").rglob("*.py"))) == 2
    assert main(["convert", str(src), str(tmp_path / "out"), "-q"]) == EXIT_USAGE  # not empty
    monkeypatch.undo()
    assert main(["convert", str(src), str(tmp_path / "out"), "-q", "--force"]) == EXIT_OK


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a process group")
def test_ctrl_c_on_the_command(tmp_path):
    src = _many(tmp_path / "src", 60)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "torch2paddle", "convert", str(src), str(out), "-q", "--jobs", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if len(list(out.rglob("*.py"))) >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_INTERRUPTED, stderr.decode()
    assert b"interrupted" in stderr and b"--force" in stderr
    _complete(out, src)
    assert len(list(out.rglob("*.py"))) < 60
    done = subprocess.run(cmd + ["--force"], capture_output=True)
    assert done.returncode == EXIT_OK, done.stderr.decode()
    assert len(list(out.rglob("*.py"))) == 60
    _complete(out, src)
