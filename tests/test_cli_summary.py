"""What issue 14 also found in `convert`'s output and the library, each run as a user runs it (the installed
`torch2paddle` command in a temporary folder): the unsupported APIs grouped with each reason once, requirements
files counted apart from python files, a summary title never folded, short marker comments, Ctrl-C during
--diff / --check, and `help()` on the library's functions."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_cli_everyday import _command, _snapshot, t2p
from trees import make_tree

REPO = Path(__file__).resolve().parent.parent
LINEAR = "the weight's layout depends on where it comes from"  # the head of F.linear's refusal reason
RAW_LINEAR = ("import torch\nimport torch.nn.functional as F\n\n\n"
              "def f(a, w):\n"
              "    y = F.linear(a, w)\n"
              "    z = F.linear(a, w)\n"
              "    q = F.linear(a, w)\n"
              "    r = F.linear(a, w)\n"
              "    return torch.no_such_function(y + z + q + r)\n")


def _raw_linear_project(root: Path) -> Path:
    return make_tree(root, {"model.py": RAW_LINEAR, "requirements.txt": "torch>=2\nnumpy\n", "README.md": "# m\n"})


def _row(stdout: str, name: str) -> str:
    """The value of a row of the summary table."""
    line = next(line for line in stdout.splitlines() if name in line)
    return line.replace("│", " ").split()[-1]


def test_unsupported_apis_are_grouped_with_each_reason_once(tmp_path):
    _raw_linear_project(tmp_path / "src")
    done = t2p("convert", "src", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "torch.nn.functional.linear: 4 uses" in lines and "torch.no_such_function: 1 use" in lines
    assert done.stdout.count(LINEAR) == 1  # the reason once, not once per use
    why = next(line for line in lines if LINEAR in line)
    assert why.startswith("  why: ") and "decide by hand" in why  # whole, on one line
    assert "  where: model.py:6, model.py:7, model.py:8, model.py:9" in lines
    assert "  why: no mapping" in lines and "  where: model.py:10" in lines
    # the JSON report keeps every use with its whole reason
    report = json.loads((tmp_path / "out" / ".torch2paddle" / "report.json").read_text())
    assert len(report["unsupported"]["torch.nn.functional.linear"]) == 4


def test_requirements_files_are_not_python_files(tmp_path):
    _raw_linear_project(tmp_path / "src")
    done = t2p("convert", "src", "out", "--report", "r.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _row(done.stdout, "python files converted") == "1"  # model.py only
    assert _row(done.stdout, "requirements files rewritten") == "1"
    assert _row(done.stdout, "other files copied") == "1"  # README.md
    counts = json.loads((tmp_path / "r.json").read_text())["counts"]
    assert counts["python_converted"] == 1 and counts["requirements_rewritten"] == 1
    assert "paddlepaddle" in (tmp_path / "out" / "requirements.txt").read_text()


def test_the_summary_title_is_one_line_however_narrow_the_console(tmp_path):
    src = "a_source_folder_with_a_name_much_longer_than_the_console_is_wide_" * 2
    out = "an_output_folder_with_a_long_name_too_" * 2
    _raw_linear_project(tmp_path / src)
    env = {**os.environ, "COLUMNS": "40"}
    done = subprocess.run([*_command(), "convert", src, out], cwd=tmp_path, capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"torch2paddle convert {src} -> {out}" in done.stdout.splitlines()
    lines = done.stdout.splitlines()
    assert "torch.nn.functional.linear: 4 uses" in lines and any(line.endswith("decide by hand") for line in lines)


def test_marker_comments_are_short_and_point_to_mappings_show(tmp_path):
    _raw_linear_project(tmp_path / "src")
    assert t2p("convert", "src", "out", "-q", cwd=tmp_path).returncode == 0
    code = (tmp_path / "out" / "model.py").read_text()
    markers = [line[line.index("# torch2paddle: unsupported"):] for line in code.splitlines()
               if "# torch2paddle: unsupported" in line]
    assert len(markers) == 5
    linear = [m for m in markers if "torch.nn.functional.linear" in m]
    for marker in linear:
        assert len(marker) < 200, marker
        assert LINEAR in marker and marker.endswith("; see: torch2paddle mappings show torch.nn.functional.linear)")
        assert "decide by hand" not in marker  # the rest of the reason is in the report
    assert "# torch2paddle: unsupported torch.no_such_function (no mapping)" in markers  # a short reason: whole
    # converting the output again adds no second marker
    again = t2p("convert", "out/model.py", "-", cwd=tmp_path)
    assert again.stdout.count("# torch2paddle: unsupported") == 5
    # what the marker points to explains the refusal
    shown = t2p("mappings", "show", "torch.nn.functional.linear", cwd=tmp_path)
    assert shown.returncode == 0 and "transpose" in shown.stdout


def _slow_tree(root: Path, files: int = 40) -> Path:
    """A tree that takes a few seconds to convert on a loaded machine."""
    body = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n" + "".join(
        f"class Block{i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        f"        self.conv = nn.Conv2d(3, 8, 3)\n        self.bn = nn.BatchNorm2d(8)\n\n"
        f"    def forward(self, x):\n        return F.relu(self.bn(self.conv(x))).flatten(1).sum(dim=1)\n\n"
        for i in range(40))
    return make_tree(root, {f"pkg/m{i}.py": body for i in range(files)})


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("mode", ["--diff", "--check"])
def test_ctrl_c_during_diff_or_check_writes_nothing_and_exits_130(tmp_path, mode):
    _slow_tree(tmp_path / "src")
    temp = tmp_path / "tmp"  # TMPDIR: where the preview converts; it must be empty afterwards
    temp.mkdir()
    before = _snapshot(tmp_path / "src")
    env = {**os.environ, "TMPDIR": str(temp)}
    process = subprocess.Popen([*_command(), "convert", "src", mode, "-j", "2"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while not any(temp.iterdir()) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # the preview's temp folder appears: the conversion runs
    time.sleep(0.5)
    if process.poll() is not None:
        pytest.skip("the conversion ended before Ctrl-C could be sent")
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
    stdout, stderr = process.communicate(timeout=120)
    stderr = stderr.decode()
    if process.returncode in (0, 1) and "interrupted" not in stderr:
        pytest.skip("the conversion ended between the last poll and Ctrl-C (a loaded machine)")
    assert process.returncode == 130, stderr
    assert stdout == b""  # no partial diff, no summary
    assert "interrupted: nothing was written" in stderr and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    time.sleep(0.5)  # a worker left running would write into the removed temp folder now
    assert list(temp.iterdir()) == []
    assert _snapshot(tmp_path / "src") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src", "tmp"]


_HELP = """
import inspect, sys, torch2paddle
for name, result in (("convert_tree", "TreeReport"), ("verify", "VerifyResult")):
    fn = getattr(torch2paddle, name)
    sig = inspect.signature(fn)
    assert "args" not in sig.parameters and "kwargs" not in sig.parameters, (name, sig)
    assert sig.return_annotation == result, (name, sig.return_annotation)
    assert fn.__doc__ and len(fn.__doc__) > 200, name
print(inspect.signature(torch2paddle.convert_tree))
print(inspect.signature(torch2paddle.verify))
assert "numpy" not in sys.modules and "torch" not in sys.modules  # importing the package stays light
import torch2paddle.verify.cli  # importing the verify package (the CLI does) leaves the function in place
import torch2paddle.verify.harness as harness
from torch2paddle.cli import main
assert inspect.isfunction(torch2paddle.verify) and torch2paddle.verify.harness is harness
from torch2paddle.verify.runner import verify
mine = [(p.name, p.kind, p.default) for p in inspect.signature(torch2paddle.verify).parameters.values()]
real = [(p.name, p.kind, p.default) for p in inspect.signature(verify).parameters.values()]
assert mine == real, (mine, real)
import pathlib
assert (pathlib.Path(torch2paddle.__file__).parent / "py.typed").is_file()
"""


def test_library_functions_have_real_signatures(tmp_path):
    done = subprocess.run([sys.executable, "-c", _HELP], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("(src: 'str | os.PathLike', out: 'str | os.PathLike', *, exclude")
    shown = subprocess.run([sys.executable, "-c", "import torch2paddle; help(torch2paddle.verify)"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300, env={**os.environ, "PAGER": "cat"})
    assert "verify(out_dir, steps=None, *, device: 'str' = 'auto'" in shown.stdout
    assert "-> 'VerifyResult'" in shown.stdout and "(*args, **kwargs)" not in shown.stdout


def test_verify_extra_gives_tested_ranges():
    text = (REPO / "pyproject.toml").read_text()
    extra = re.search(r"^verify = \[(.*?)\]", text, re.S | re.M).group(1)
    assert "==" not in extra
    for spec in ('"torch>=2.14,<2.15"', '"torchvision>=0.29,<0.30"', '"paddlepaddle>=3.3,<3.4"'):
        assert spec in extra
    assert '"torch2paddle" = ["py.typed"]' in text
