"""convert_tree basics: paths mirrored, other files copied byte for byte, requirements by exact name,
--exclude, the JSON report, exit codes, the same result whatever --jobs, and all of torchvision."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from torch2paddle.cli import main
from torch2paddle.requirements import PADDLE_REQUIREMENT, rewrite
from trees import make_tree
from torch2paddle.tree import TreeError, convert_tree

MODEL = "import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n" \
        "        super().__init__()\n        self.fc = nn.Linear(4, 2)  # a comment about torch.nn\n"
PLAIN = "import os\n\nprint(os.sep)  # torch is mentioned only here\n"


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and ".torch2paddle" not in p.parts}


def test_paths_mirrored_other_files_copied_byte_for_byte(tmp_path):
    binary = bytes(range(256)) * 40
    src = make_tree(tmp_path / "src", {
        "pkg/__init__.py": "",
        "pkg/model.py": MODEL,
        "pkg/sub/deep/plain.py": PLAIN,
        "pkg/data/weights.bin": binary,
        "README.md": "# torch project\nimport torch\n",
        "scripts/run.sh": "#!/bin/sh\necho torch\n",
        "notes.txt": "torch\r\nwindows line\r\n",
    })
    os.chmod(src / "scripts/run.sh", 0o755)
    os.chmod(src / "pkg/data/weights.bin", 0o600)
    os.chmod(src / "pkg/sub/deep/plain.py", 0o640)
    report = convert_tree(src, tmp_path / "out", jobs=1)
    out = tmp_path / "out"
    assert not report.errors
    for rel in ("pkg/data/weights.bin", "README.md", "scripts/run.sh", "notes.txt", "pkg/sub/deep/plain.py",
                "pkg/__init__.py"):
        assert (out / rel).read_bytes() == (src / rel).read_bytes(), rel
        assert stat.S_IMODE((out / rel).stat().st_mode) == stat.S_IMODE((src / rel).stat().st_mode), rel
    assert "nn.Linear(4, 2)  # a comment about torch.nn" in (out / "pkg/model.py").read_text()
    assert "class Net(nn.Layer)" in (out / "pkg/model.py").read_text()
    status = {f.path: f.status for f in report.files}
    assert status == {
        "README.md": "copied", "notes.txt": "copied", "pkg/__init__.py": "unchanged", "pkg/data/weights.bin": "copied",
        "pkg/model.py": "converted", "pkg/sub/deep/plain.py": "unchanged", "scripts/run.sh": "copied",
    }
    assert [f.path for f in report.files] == sorted(status)
    assert (out / ".torch2paddle" / "convert.json").is_file()


def test_single_file_source(tmp_path):
    (tmp_path / "m.py").write_text(MODEL)
    report = convert_tree(tmp_path / "m.py", tmp_path / "out")
    assert [f.status for f in report.files] == ["converted"]
    assert "nn.Layer" in (tmp_path / "out" / "m.py").read_text()


@pytest.mark.parametrize("text, expected", [
    ("torch==2.1.0\ntorchvision==0.16\nnumpy\n",
     f"{PADDLE_REQUIREMENT}\n# torchvision==0.16  # torch2paddle: provided by paddlepaddle (paddle.vision)\nnumpy\n"),
    ("torchvision>=0.15\n", f"{PADDLE_REQUIREMENT}\n"),
    ("torchmetrics==1.0\ntorchaudio\npytorch-lightning\ntorch-geometric\n",
     "torchmetrics==1.0\ntorchaudio\npytorch-lightning\ntorch-geometric\n"),
    ("Torch>=2  # the framework\r\nrequests\r\n", f"{PADDLE_REQUIREMENT}\r\nrequests\r\n"),
    ("-r base.txt\n--extra-index-url https://example.org/torch\n# torch is needed\n",
     "-r base.txt\n--extra-index-url https://example.org/torch\n# torch is needed\n"),
    ("torch\ntorch[cuda]>=2\n", f"{PADDLE_REQUIREMENT}\n"),
])
def test_requirements_rewritten_by_exact_name(text, expected):
    new = rewrite(text)
    assert new == expected
    assert "paddlepaddlevision" not in new and "paddlepaddle-gpuvision" not in new and "paddlevision" not in new
    assert rewrite(new) == new  # idempotent


def test_requirements_file_in_a_tree(tmp_path):
    src = make_tree(tmp_path / "src", {"requirements.txt": "torch\ntorchvision\n", "requirements-dev.txt": "pytest\n",
                                   "docs/requirements.md": "torch\n"})
    report = convert_tree(src, tmp_path / "out")
    status = {f.path: f.status for f in report.files}
    assert status == {"requirements.txt": "converted", "requirements-dev.txt": "unchanged",
                      "docs/requirements.md": "copied"}
    text = (tmp_path / "out" / "requirements.txt").read_text()
    assert text.startswith(PADDLE_REQUIREMENT) and "vision" not in text.splitlines()[0]


def test_exclude(tmp_path):
    src = make_tree(tmp_path / "src", {"a.py": MODEL, "tests/test_a.py": MODEL, "docs/x.md": "x", "b/keep.py": MODEL,
                                   "b/skip_me.py": MODEL})
    report = convert_tree(src, tmp_path / "out", exclude=["tests", "*.md", "b/skip_*"])
    assert sorted(f.path for f in report.files) == ["a.py", "b/keep.py"]
    assert not (tmp_path / "out" / "tests").exists()


def test_report_json_and_exit_codes(tmp_path, capsys):
    src = make_tree(tmp_path / "src", {"m.py": MODEL, "bad.py": "import torch\ndef f(:\n", "odd.py":
                                   "import torch\ntorch.no_such_function(1)\n"})
    report_path = tmp_path / "report.json"
    code = main(["convert", str(src), str(tmp_path / "out"), "-q", "--report", str(report_path)])
    assert code == 1  # bad.py
    data = json.loads(report_path.read_text())
    assert data["counts"]["errors"] == 1 and data["counts"]["python_converted"] == 2
    bad = next(f for f in data["files"] if f["path"] == "bad.py")
    assert bad["status"] == "error" and "line 2" in bad["error"]
    assert "torch.no_such_function" in data["unsupported"]
    out = capsys.readouterr().out
    assert "bad.py" in out and "line 2" in out
    (src / "bad.py").unlink()
    assert main(["convert", str(src), str(tmp_path / "out2"), "-q"]) == 0
    assert main(["convert", str(src), str(tmp_path / "out3"), "-q", "--strict"]) == 3
    assert main(["convert", str(src), str(tmp_path / "out4"), "-q", "--jobs", "0"]) == 2
    assert main(["convert", str(tmp_path / "missing"), str(tmp_path / "out5"), "-q"]) == 2


def _mixed_tree(root: Path) -> Path:
    files: dict[str, str | bytes] = {}
    for i in range(14):
        files[f"pkg{i % 3}/m{i:02d}.py"] = MODEL.replace("Linear(4, 2)", f"Linear({i + 1}, 2)") * (1 + i % 4)
    files["pkg0/bad.py"] = "import torch\nprint 'py2'\n"
    files["pkg1/latin.py"] = b"import torch\nx = '\xe9'\n"
    files["pkg2/plain.py"] = PLAIN
    files["pkg2/data.bin"] = os.urandom(3000)
    files["requirements.txt"] = "torch\n"
    return make_tree(root, files)


def test_same_result_whatever_the_number_of_jobs(tmp_path):
    src = _mixed_tree(tmp_path / "src")
    results = {}
    for jobs in (1, 2, 3):
        out = tmp_path / f"out{jobs}"
        report = convert_tree(src, out, jobs=jobs)
        data = report.to_dict()
        data.pop("output")
        results[jobs] = (json.dumps(data, sort_keys=True), _outputs(out))
    assert results[1] == results[2] == results[3]
    assert len(json.loads(results[1][0])["files"]) == 19


def test_summary_is_the_same_whatever_the_number_of_jobs(tmp_path, capsys):
    src = _mixed_tree(tmp_path / "src")
    texts = []
    for jobs in (1, 2):
        main(["convert", str(src), str(tmp_path / "out"), "-q", "--force", "--jobs", str(jobs)])
        texts.append(capsys.readouterr().out.replace(str(tmp_path), "<tmp>"))
    assert texts[0] == texts[1]
    assert "pkg0/bad.py" in texts[0]


def test_tree_error_is_raised_for_unusable_paths(tmp_path):
    with pytest.raises(TreeError, match="does not exist"):
        convert_tree(tmp_path / "nope", tmp_path / "out")


def _torchvision_dir() -> Path | None:
    spec = importlib.util.find_spec("torchvision")  # finds it without importing torch
    return Path(list(spec.submodule_search_locations)[0]) if spec and spec.submodule_search_locations else None


@pytest.mark.skipif(_torchvision_dir() is None, reason="torchvision is not installed")
def test_all_of_torchvision_converts_without_a_crash_every_output_parses_and_is_idempotent(tmp_path):
    src = tmp_path / "torchvision"
    shutil.copytree(_torchvision_dir(), src, ignore=lambda d, names: [n for n in names if n == "__pycache__"
                                                                      or (n.endswith((".so", ".dll", ".pyd")))])
    out = tmp_path / "out" / "torchvision"  # the package keeps its name: its self-imports stay its own
    report = convert_tree(src, out, jobs=2)
    crashes = [f"{f.path}: {f.error}" for f in report.errors if "internal error" in (f.error or "")
               or "crashed" in (f.error or "")]
    assert not crashes, "the converter failed on these torchvision files:\n" + "\n".join(crashes)
    assert not report.errors, [f"{f.path}: {f.error}" for f in report.errors]
    counts = report.counts()
    assert counts["python_converted"] > 100
    unparsable = []
    for path in out.rglob("*.py"):
        try:
            ast.parse(path.read_bytes())
        except SyntaxError as exc:
            unparsable.append(f"{path}: {exc}")
    assert not unparsable
    # converting twice changes nothing more: every output file comes back byte for byte
    again = convert_tree(out, tmp_path / "again" / "torchvision", jobs=2)
    assert not again.errors
    changed = [p.relative_to(out).as_posix() for p in sorted(out.rglob("*.py"))
               if ".torch2paddle" not in p.parts
               and p.read_bytes() != (tmp_path / "again" / "torchvision" / p.relative_to(out)).read_bytes()]
    assert not changed, f"a second conversion changed {len(changed)} files: {changed[:10]}"


def _torch_subpackage(name: str) -> Path | None:
    spec = importlib.util.find_spec("torch")  # located without importing torch
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / name
    return path if path.is_dir() else None


@pytest.mark.parametrize("subpackage", ["optim", "distributions"])
def test_torch_own_sources_convert_idempotently(tmp_path, subpackage):
    """torch's own code is dense in tensor methods: a second conversion must leave every file as it is."""
    src = _torch_subpackage(subpackage)
    if src is None:
        pytest.skip("torch is not installed")
    first = convert_tree(src, tmp_path / "once", jobs=2)
    assert not first.errors, [f"{f.path}: {f.error}" for f in first.errors]
    convert_tree(tmp_path / "once", tmp_path / "twice", jobs=2)
    changed = [p.name for p in sorted((tmp_path / "once").rglob("*.py"))
               if p.read_bytes() != (tmp_path / "twice" / p.relative_to(tmp_path / "once")).read_bytes()]
    assert not changed, f"a second conversion changed {changed}"
