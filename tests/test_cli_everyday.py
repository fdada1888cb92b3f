"""The everyday CLI habits (issue 14), each run as a user runs it: the installed `torch2paddle` command in a
temporary folder.  --diff, --check (and the pre-commit hook), stdin, a file to a file, what a repository
ignores, -q / -v, stale output on a --force re-run, and `mappings` piped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from trees import make_tree

REPO = Path(__file__).resolve().parent.parent
MODEL = "import torch.nn as nn\n\nlayer = nn.Conv2d(3, 8, 3)  # keep me\n"
MODEL_OUT = "import paddle.nn as nn\n\nlayer = nn.Conv2D(3, 8, 3)  # keep me\n"
PLAIN = "def add(a, b):\n    return a + b\n"
RUNTIME = "import torch.nn as nn\n\n\ndef make(cin, cout, **kwargs):\n    return nn.Conv2d(cin, cout, **kwargs)\n"


def _command() -> list[str]:
    installed = Path(sys.executable).parent / ("torch2paddle.exe" if os.name == "nt" else "torch2paddle")
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "torch2paddle"]


def t2p(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """Run the installed command; stdout and stderr as text (bytes in .stdout_bytes)."""
    done = subprocess.run([*_command(), *args], cwd=cwd, input=stdin if stdin is not None else b"",
                          capture_output=True, timeout=300)
    done.stdout_bytes = done.stdout
    done.stdout, done.stderr = done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")
    return done


def _snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under root with its bytes (None for folders): what "nothing written" compares."""
    return {p.relative_to(root).as_posix(): (None if p.is_dir() else p.read_bytes())
            for p in sorted(root.rglob("*")) if not p.is_symlink()}


def _project(root: Path) -> Path:
    return make_tree(root, {
        "model.py": MODEL,
        "util.py": PLAIN,
        "README.md": "# a model\n",
        "requirements.txt": "torch>=2\nnumpy\n",
        "no_newline.py": "import torch\nx = torch.zeros(2)",
        # its own encoding, a form feed and CRLF: the diff keeps each as it is, so `patch` reproduces the output
        "legacy.py": b"# -*- coding: latin-1 -*-\r\nimport torch\r\n\x0c\r\nx = torch.zeros(2)  # caf\xe9\r\n",
    })


# -- 1. --diff --------------------------------------------------------------------------------------------
def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path):
    src = _project(tmp_path / "src")
    before = _snapshot(tmp_path)
    done = t2p("convert", "src", "--diff", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _snapshot(tmp_path) == before  # nothing written: not in SRC, no OUT, no stray files
    diff = done.stdout
    assert "--- a/model.py\n+++ b/model.py\n" in diff
    assert "-layer = nn.Conv2d(3, 8, 3)  # keep me\n+layer = nn.Conv2D(3, 8, 3)  # keep me\n" in diff
    assert "--- a/requirements.txt\n+++ b/requirements.txt\n" in diff and "+paddlepaddle" in diff
    assert "\\ No newline at end of file\n" in diff
    assert "util.py" not in diff and "README.md" not in diff  # unchanged files are not in the diff
    assert "(nothing written)" in done.stderr  # the summary goes to stderr: stdout is the diff alone
    # the diff is the conversion: applied with `patch -p1` inside a copy of SRC it gives what convert writes
    if shutil.which("patch"):
        copy = tmp_path / "applied"
        shutil.copytree(src, copy)
        subprocess.run(["patch", "-p1", "-s"], cwd=copy, input=done.stdout_bytes, check=True)
        assert t2p("convert", "src", "out", "-q", cwd=tmp_path).returncode == 0
        for name in ("model.py", "requirements.txt", "no_newline.py", "util.py", "legacy.py"):
            assert (copy / name).read_bytes() == (tmp_path / "out" / name).read_bytes(), name


def test_diff_of_a_single_file_shows_the_new_runtime_module(tmp_path):
    make_tree(tmp_path, {"factory.py": RUNTIME})
    done = t2p("convert", "factory.py", "--diff", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "--- a/factory.py\n+++ b/factory.py\n" in done.stdout
    assert "--- /dev/null\n+++ b/_torch2paddle_runtime.py\n" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["factory.py"]


def test_diff_and_check_refuse_an_out(tmp_path):
    _project(tmp_path / "src")
    for flag in ("--diff", "--check"):
        done = t2p("convert", "src", "out", flag, cwd=tmp_path)
        assert done.returncode == 2
        assert done.stderr.strip() == f"error: {flag} writes nothing: leave out OUT"
        assert not (tmp_path / "out").exists()


# -- 2. --check and the pre-commit hook ------------------------------------------------------------------
def test_check_exits_1_when_a_file_would_change_and_0_on_a_converted_tree(tmp_path):
    _project(tmp_path / "src")
    before = _snapshot(tmp_path)
    done = t2p("convert", "src", "--check", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert _snapshot(tmp_path) == before
    lines = [line for line in done.stdout.splitlines() if line.startswith("would convert")]
    assert lines == ["would convert legacy.py", "would convert model.py", "would convert no_newline.py",
                     "would convert requirements.txt"]
    assert t2p("convert", "src", "out", "-q", cwd=tmp_path).returncode == 0
    again = t2p("convert", "out", "--check", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "would convert" not in again.stdout
    quiet = t2p("convert", "src", "--check", "-q", cwd=tmp_path)
    assert quiet.returncode == 1 and quiet.stdout == "" and quiet.stderr == ""


def test_check_is_clean_on_the_converted_example_project(tmp_path):
    assert t2p("convert", str(REPO / "examples" / "mobilenetv3_ref"), "out", "-q", cwd=tmp_path).returncode == 0
    assert (tmp_path / "out" / "_torch2paddle_runtime.py").exists()
    done = t2p("convert", "out", "--check", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_pre_commit_hook_runs_convert_check(tmp_path):
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "torch2paddle-check")
    assert hook["entry"].split()[:3] == ["torch2paddle", "convert", "--check"]
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    make_tree(tmp_path, {"pkg/__init__.py": "", "pkg/net.py": MODEL_OUT, ".gitignore": "scratch/\n",
                         "scratch/try_torch.py": MODEL})  # ignored by the repository: not checked
    command = [*hook["entry"].split()[1:], *hook.get("args", [])]
    assert t2p(*command, cwd=tmp_path).returncode == 0
    (tmp_path / "pkg" / "crept_back.py").write_text(MODEL)
    done = t2p(*command, cwd=tmp_path)
    assert done.returncode == 1
    assert "would convert pkg/crept_back.py" in done.stdout


# -- 3. stdin ----------------------------------------------------------------------------------------------
def test_stdin_to_stdout(tmp_path):
    done = t2p("convert", "-", cwd=tmp_path, stdin=MODEL.encode())
    assert done.returncode == 0, done.stderr
    assert done.stdout == MODEL_OUT
    assert "torch2paddle convert - -> stdout" in done.stderr and "python files converted" in done.stderr
    assert list(tmp_path.iterdir()) == []
    plain = t2p("convert", "-", "-q", cwd=tmp_path, stdin=PLAIN.encode())
    assert (plain.returncode, plain.stdout, plain.stderr) == (0, PLAIN, "")


def test_stdin_that_cannot_be_converted_comes_back_as_it_was(tmp_path):
    broken = b"import torch\ndef f(:\n"
    done = t2p("convert", "-", cwd=tmp_path, stdin=broken)
    assert done.returncode == 1
    assert done.stdout_bytes == broken
    assert "error <stdin>: line 2" in done.stderr


def test_stdin_diff_and_bad_arguments(tmp_path):
    done = t2p("convert", "-", "--diff", cwd=tmp_path, stdin=MODEL.encode())
    assert done.returncode == 0
    assert done.stdout.startswith("--- <stdin>\n+++ <stdin>\n")
    bad = t2p("convert", "-", "out.py", cwd=tmp_path, stdin=MODEL.encode())
    assert bad.returncode == 2 and bad.stderr.startswith("error: with SRC -, the converted code goes to stdout")
    assert list(tmp_path.iterdir()) == []


def test_a_file_to_stdout(tmp_path):
    make_tree(tmp_path, {"model.py": MODEL})
    done = t2p("convert", "model.py", "-", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, MODEL_OUT)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]


# -- 4. a file to a file -------------------------------------------------------------------------------------
def test_a_file_to_a_file(tmp_path):
    make_tree(tmp_path, {"model.py": MODEL, "existing/keep.txt": "x"})
    done = t2p("convert", "model.py", "model_paddle.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "model_paddle.py").is_file()
    assert (tmp_path / "model_paddle.py").read_text() == MODEL_OUT
    assert "torch2paddle convert model.py -> model_paddle.py" in done.stdout
    assert not (tmp_path / ".torch2paddle").exists()  # no manifest beside a single output file
    again = t2p("convert", "model.py", "model_paddle.py", cwd=tmp_path)
    assert again.returncode == 2 and again.stderr.strip() == "error: model_paddle.py exists: pass --force to overwrite it"
    assert t2p("convert", "model.py", "model_paddle.py", "--force", "-q", cwd=tmp_path).returncode == 0
    # a folder only when OUT is an existing folder or ends with /
    assert t2p("convert", "model.py", "existing", "-q", cwd=tmp_path).returncode == 0
    assert (tmp_path / "existing" / "model.py").read_text() == MODEL_OUT
    assert t2p("convert", "model.py", "new_folder/", "-q", cwd=tmp_path).returncode == 0
    assert (tmp_path / "new_folder" / "model.py").read_text() == MODEL_OUT
    assert t2p("convert", "model.py", "sub/dir/model_paddle.py", "-q", cwd=tmp_path).returncode == 0
    assert (tmp_path / "sub" / "dir" / "model_paddle.py").read_text() == MODEL_OUT


def test_a_file_to_a_file_writes_the_runtime_module_beside_it(tmp_path):
    make_tree(tmp_path, {"factory.py": RUNTIME})
    assert t2p("convert", "factory.py", "out/factory_paddle.py", "-q", cwd=tmp_path).returncode == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["_torch2paddle_runtime.py", "factory_paddle.py"]
    assert "import _torch2paddle_runtime" in (tmp_path / "out" / "factory_paddle.py").read_text()


def test_a_file_onto_itself_is_refused(tmp_path):
    make_tree(tmp_path, {"model.py": MODEL})
    done = t2p("convert", "model.py", "./model.py", "--force", cwd=tmp_path)
    assert done.returncode == 2 and "is the source file itself" in done.stderr
    assert (tmp_path / "model.py").read_text() == MODEL


# -- 5. what a repository ignores ------------------------------------------------------------------------------
def _repository(root: Path) -> Path:
    make_tree(root, {
        "model.py": MODEL,
        ".git/HEAD": "ref: refs/heads/main\n",
        ".git/hooks/pre_commit.py": MODEL,
        ".git/info/exclude": "local_notes.txt\n",
        "local_notes.txt": "mine\n",
        ".venv/pyvenv.cfg": "home = /usr/bin\n",
        ".venv/lib/python3.11/site-packages/torchlib.py": MODEL,
        "env2/conda-meta/history": "",
        "vendor/site-packages/x.py": MODEL,
        "build/lib/model.py": MODEL,
        "dist/model.whl": "zip",
        ".tox/py311/x.py": MODEL,
        "node_modules/a/index.js": "1;\n",
        "pkg/__init__.py": "",
        "pkg/build/__init__.py": MODEL,  # a package named build: kept
        "pkg/checkpoint.pth": "weights",
        "pkg/keep.pth": "weights",
        "data/raw.csv": "1,2\n",
        "pkg/data/inside.csv": "1,2\n",  # /data/ is anchored: this one is kept
        "logs/run1/out.txt": "x",
        "logs/keep.txt": "x",
        "sub/.gitignore": "*.tmp.py\n!important.tmp.py\n",
        "sub/scratch.tmp.py": MODEL,
        "sub/important.tmp.py": MODEL,
        "sub/deep/secret_key.py": MODEL,
        ".gitignore": "# generated\n*.pth\n!keep.pth\n/data/\nlogs/**\n!logs/keep.txt\n**/secret_*.py\n",
    })
    return root


def test_ignores_what_a_repository_ignores(tmp_path):
    _repository(tmp_path / "repo")
    done = t2p("convert", "repo", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    out = tmp_path / "out"
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                     if p.is_file() and ".torch2paddle" not in p.parts)
    assert written == [".gitignore", "logs/keep.txt", "model.py", "pkg/__init__.py", "pkg/build/__init__.py",
                       "pkg/data/inside.csv", "pkg/keep.pth", "sub/.gitignore", "sub/important.tmp.py"]
    assert (out / "pkg" / "build" / "__init__.py").read_text() == MODEL_OUT
    summary = next(line for line in done.stdout.splitlines() if "ignored paths" in line)
    assert summary.split("│")[2].strip() == "14", summary
    report = json.loads((out / ".torch2paddle" / "report.json").read_text())
    ignored = {entry["path"]: entry["reason"] for entry in report["ignored"]}
    assert ignored[".git/"] == "version control" and ignored[".venv/"] == "virtual environment"
    assert ignored["env2/"] == "virtual environment" and ignored["build/"] == "build output"
    assert ignored["pkg/checkpoint.pth"] == ".gitignore:2: *.pth"
    assert ignored["sub/scratch.tmp.py"] == "sub/.gitignore:1: *.tmp.py"
    assert ignored["local_notes.txt"] == ".git/info/exclude:1: local_notes.txt"
    assert "logs/run1/" in ignored and "sub/deep/secret_key.py" in ignored and "data/" in ignored


def test_no_ignore_converts_everything(tmp_path):
    _repository(tmp_path / "repo")
    done = t2p("convert", "repo", "out", "--no-ignore", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    out = tmp_path / "out"
    for rel in (".git/HEAD", ".venv/lib/python3.11/site-packages/torchlib.py", "build/lib/model.py",
                "pkg/checkpoint.pth", "sub/scratch.tmp.py", "logs/run1/out.txt"):
        assert (out / rel).is_file(), rel
    assert (out / ".venv/lib/python3.11/site-packages/torchlib.py").read_text() == MODEL_OUT


def test_ignore_files_are_read_only_inside_the_source_and_never_through_a_link(tmp_path):
    outside = make_tree(tmp_path / "elsewhere", {"ignore_all": "*\n"})
    src = make_tree(tmp_path / "proj" / "src", {"model.py": MODEL, "pkg/m.py": MODEL, "notes.txt": "x\n",
                                                  ".gitignore": "notes.txt\n"})  # SRC's own: read
    (tmp_path / "proj" / ".gitignore").write_text("src/\n*.py\n")  # above SRC: not read
    os.symlink(outside / "ignore_all", src / "pkg" / ".gitignore")  # a link: not read (git does not read it)
    (src / ".git").mkdir()
    (outside / "info").mkdir()
    (outside / "info" / "exclude").write_text("*\n")
    os.symlink(outside / "info", src / ".git" / "info")  # .git/info/exclude through a link: not read
    done = t2p("convert", "proj/src", "out", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "out" / "model.py").read_text() == MODEL_OUT
    assert (tmp_path / "out" / "pkg" / "m.py").read_text() == MODEL_OUT
    assert not (tmp_path / "out" / "notes.txt").exists()
    assert "skipped pkg/.gitignore: symbolic link to" in done.stdout  # and the link itself is not copied


GITIGNORE = """\
# a comment
*.log
!keep.log
/root_only
docs/
a/**/b
**/foo
bar/**
!bar/keep.txt
x[0-9].txt
y[!a].txt
\\#hash
trailing\\ 
*.tmp   
z?/q
lib/*.so
[[:upper:]]*.cfg
"""
PATHS = ["x.log", "keep.log", "sub/x.log", "root_only", "sub/root_only", "docs", "sub/docs", "sub/docs/f", "a/b",
         "a/b/f", "a/x/y/b", "a/x/y/b/f", "sub/foo", "sub/foo/g", "foo", "bar/in", "bar/in/f", "bar/keep.txt",
         "x1.txt", "xa.txt", "yb.txt", "ya.txt", "#hash", "trailing ", "trailing", "q.tmp", "z1/q", "zz/q",
         "zzz/q", "lib/a.so", "lib/sub/a.so", "Setup.cfg", "setup.cfg"]
FOLDERS = {"sub", "sub/docs", "a", "a/b", "a/x", "a/x/y", "a/x/y/b", "sub/foo", "bar", "bar/in", "z1", "zz", "zzz",
           "lib", "lib/sub"}


def _ignored_by_matcher(rules, rel: str) -> bool:
    from torch2paddle.ignore import ignored_by

    parts = rel.split("/")
    for i in range(1, len(parts) + 1):  # an ignored folder hides everything below it, as in git
        prefix = "/".join(parts[:i])
        if ignored_by(rules, prefix, prefix in FOLDERS):
            return True
    return False


def test_the_gitignore_matcher_agrees_with_git(tmp_path):
    from torch2paddle.ignore import parse_gitignore

    rules = parse_gitignore(GITIGNORE)
    mine = {rel for rel in PATHS if _ignored_by_matcher(rules, rel)}
    expected = {"x.log", "sub/x.log", "root_only", "sub/docs", "sub/docs/f", "a/b", "a/b/f", "a/x/y/b",
                "a/x/y/b/f", "sub/foo", "sub/foo/g", "foo", "bar/in", "bar/in/f", "x1.txt", "yb.txt", "#hash",
                "trailing ", "q.tmp", "z1/q", "zz/q", "lib/a.so", "Setup.cfg"}
    assert mine == expected
    if shutil.which("git") is None:
        return
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text(GITIGNORE)
    for rel in PATHS:
        path = repo / rel
        if rel in FOLDERS:
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x")
    done = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=repo, capture_output=True,
                          text=True, input="\n".join(PATHS) + "\n")
    assert set(done.stdout.splitlines()) == mine


# -- 6. -q and -v ---------------------------------------------------------------------------------------------------
def test_quiet_prints_errors_only(tmp_path):
    make_tree(tmp_path / "src", {"model.py": MODEL, "util.py": PLAIN})
    done = t2p("convert", "src", "out", "-q", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    (tmp_path / "src" / "bad.py").write_text("import torch\ndef f(:\n")
    done = t2p("convert", "src", "out2", "-q", cwd=tmp_path)
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == 1 and done.stdout.startswith("error bad.py: line 2")
    assert done.stderr == ""


def test_verbose_prints_every_file(tmp_path):
    make_tree(tmp_path / "src", {"model.py": MODEL, "util.py": PLAIN, "README.md": "x\n", ".git/HEAD": "x\n",
                                 "odd.py": "import torch\ntorch.no_such_function(1)\n"})
    done = t2p("convert", "src", "out", "-v", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "converted model.py (1 torch API uses)" in lines
    assert "unchanged util.py" in lines and "copied README.md" in lines
    assert "converted odd.py (1 torch API uses, 1 unsupported)" in lines
    assert "ignored .git/ (version control)" in lines
    assert any("python files converted" in line for line in lines)  # then the summary
    check = t2p("convert", "src", "--check", "-v", cwd=tmp_path)
    assert "would convert model.py (1 torch API uses)" in check.stdout.splitlines()
    both = t2p("convert", "src", "out2", "-q", "-v", cwd=tmp_path)
    assert both.returncode == 2 and "not allowed with argument" in both.stderr


# -- 7. --force re-run: output whose source is gone ----------------------------------------------------------------
def test_force_rerun_lists_stale_output_and_prune_removes_only_what_convert_wrote(tmp_path):
    make_tree(tmp_path / "src", {"model.py": MODEL, "old.py": MODEL, "pkg/gone.py": MODEL, "pkg/stays.py": PLAIN})
    assert t2p("convert", "src", "out", "-q", cwd=tmp_path).returncode == 0
    out = tmp_path / "out"
    (out / "mine.py").write_text("a file I added to OUT\n")
    (tmp_path / "src" / "old.py").unlink()
    (tmp_path / "src" / "pkg" / "gone.py").unlink()
    done = t2p("convert", "src", "out", "--force", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "stale old.py" in lines and "stale pkg/gone.py" in lines
    assert not any("mine.py" in line for line in lines)
    assert (out / "old.py").exists() and (out / "pkg" / "gone.py").exists()  # listed, not removed
    # still listed by the next run (the manifest keeps them), then removed with --prune
    again = t2p("convert", "src", "out", "--force", "--report", "r.json", cwd=tmp_path)
    assert "stale old.py" in again.stdout.splitlines()
    assert json.loads((tmp_path / "r.json").read_text())["stale"] == ["old.py", "pkg/gone.py"]
    pruned = t2p("convert", "src", "out", "--force", "--prune", cwd=tmp_path)
    assert pruned.returncode == 0, pruned.stderr
    assert "pruned old.py (no source any more)" in pruned.stdout.splitlines()
    assert not (out / "old.py").exists() and not (out / "pkg" / "gone.py").exists()
    assert (out / "pkg" / "stays.py").exists() and (out / "mine.py").read_text() == "a file I added to OUT\n"
    assert "stale" not in t2p("convert", "src", "out", "--force", cwd=tmp_path).stdout


def test_prune_never_leaves_out(tmp_path):
    victim = make_tree(tmp_path / "victim", {"precious.py": "keep\n"})
    make_tree(tmp_path / "src", {"model.py": MODEL})
    assert t2p("convert", "src", "out", "-q", cwd=tmp_path).returncode == 0
    manifest = tmp_path / "out" / ".torch2paddle" / "convert.json"
    data = json.loads(manifest.read_text())
    data["written"] += ["../victim/precious.py", str(victim / "precious.py"), ".torch2paddle/convert.json",
                        "linked/precious.py"]
    manifest.write_text(json.dumps(data))
    os.symlink(victim, tmp_path / "out" / "linked")
    done = t2p("convert", "src", "out", "--force", "--prune", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (victim / "precious.py").read_text() == "keep\n"
    assert "not pruned linked/precious.py: linked is a symbolic link" in done.stdout


# -- 8. mappings, piped -----------------------------------------------------------------------------------------------
def test_mappings_list_piped_prints_whole_names(tmp_path):
    done = t2p("mappings", "list", cwd=tmp_path)
    assert done.returncode == 0
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    assert all(len(row) == 4 for row in rows)
    conv = next(row for row in rows if row[0] == "torch.nn.ConvTranspose2d")
    assert conv[1] == "paddle.nn.Conv2DTranspose" and conv[2] == "nn_layers.yaml"
    search = t2p("mappings", "search", "ConvTranspose2d", cwd=tmp_path)
    assert "torch.nn.ConvTranspose2d\tpaddle.nn.Conv2DTranspose" in search.stdout


def test_mappings_show_suggests_the_full_name(tmp_path):
    done = t2p("mappings", "show", "nn.Conv2d", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == "no mapping for nn.Conv2d"
    assert done.stdout.splitlines()[1].startswith("did you mean: torch.nn.Conv2d")
