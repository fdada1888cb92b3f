"""Safe on repositories nobody here wrote, and under faults: nothing read outside SRC, nothing written
outside OUT, control characters never reach the terminal raw, no worker outlives its parent, SIGTERM
is Ctrl-C, temp files are each run's own, long names fit, and what convert writes follows the umask."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from torch2paddle.cli import EXIT_OK, EXIT_USAGE, main
from torch2paddle.tree import MANIFEST_DIR, convert_tree
from trees import make_tree

GOOD = "import torch.nn as nn\n\nlayer = nn.Conv2d(3, 8, 3)  # keep me\n"
GOOD_OUT = "import paddle.nn as nn\n\nlayer = nn.Conv2D(3, 8, 3)  # keep me\n"
SECRET = "AWS_SECRET=hunter2\n"

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and /proc")


def _all_bytes_under(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink())


# -- 1. links in SRC -----------------------------------------------------------------------------------
def test_links_leaving_the_source_are_never_read(tmp_path, capsys):
    secret = tmp_path / "home" / "id_rsa"
    make_tree(secret.parent, {"id_rsa": SECRET, "leak.py": "import torch\nKEY = '" + SECRET.strip() + "'\n"})
    src = make_tree(tmp_path / "src", {"good.py": GOOD, "pkg/real.py": GOOD})
    os.symlink(secret, src / "notes.txt")  # absolute target outside
    os.symlink(os.path.relpath(secret.parent / "leak.py", src / "pkg"), src / "pkg" / "leak.py")  # relative, via ..
    os.symlink("real.py", src / "pkg" / "alias.py")  # stays inside: followed
    os.symlink("../good.py", src / "pkg" / "up.py")  # leaves pkg/ but stays inside SRC: followed
    out = tmp_path / "out"
    code = main(["convert", str(src), str(out), "-q", "--report", str(tmp_path / "r.json")])
    text = capsys.readouterr().out
    assert code == EXIT_OK
    assert not (out / "notes.txt").exists() and not (out / "pkg" / "leak.py").exists()
    assert b"hunter2" not in _all_bytes_under(out)
    files = {f["path"]: f for f in json.loads((tmp_path / "r.json").read_text())["files"]}
    for rel in ("notes.txt", "pkg/leak.py"):
        assert files[rel]["status"] == "skipped" and "outside the source: not read" in files[rel]["error"]
        assert f"skipped {rel}: symbolic link to" in text
    assert (out / "pkg" / "alias.py").read_text() == GOOD_OUT
    assert (out / "pkg" / "up.py").read_text() == GOOD_OUT


def test_a_fifo_in_the_source_is_reported_not_waited_on(tmp_path):
    src = make_tree(tmp_path / "src", {"good.py": GOOD})
    os.mkfifo(src / "pipe.txt")
    report = convert_tree(src, tmp_path / "out", jobs=1)
    assert {f.path: f.status for f in report.files}["pipe.txt"] == "skipped"


# -- 2. links in OUT -------------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["pkg", MANIFEST_DIR])
def test_force_never_writes_through_a_link_in_out(tmp_path, capsys, where):
    src = make_tree(tmp_path / "src", {"pkg/m.py": GOOD, "top.py": GOOD})
    elsewhere = make_tree(tmp_path / "elsewhere", {"keep.txt": "mine\n"})
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(src / "pkg" if where == "pkg" else elsewhere, out / where)
    before = {p: p.read_bytes() for p in [*src.rglob("*.py"), *elsewhere.rglob("*")]}
    code = main(["convert", str(src), str(out), "-q", "--force"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert f"{out / where} is a symbolic link" in err and "never writes through a link" in err
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]


def test_a_file_link_in_out_is_replaced_not_written_through(tmp_path):
    src = make_tree(tmp_path / "src", {"m.py": GOOD})
    victim = make_tree(tmp_path / "victim", {"v.py": "precious\n"}) / "v.py"
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(victim, out / "m.py")
    report = convert_tree(src, out, force=True, jobs=1)
    assert not report.errors
    assert victim.read_text() == "precious\n"
    assert not (out / "m.py").is_symlink() and (out / "m.py").read_text() == GOOD_OUT


# -- 3. names printed to the terminal ---------------------------------------------------------------------
@pytest.mark.skipif(sys.platform == "win32", reason="such names are not legal there")
def test_control_characters_in_names_are_escaped(tmp_path, capsys):
    src = make_tree(tmp_path / "src", {"good.py": GOOD, "evil\x1b[2K\x1b[1A.py": "import torch\nx = (\n",
                                       "two\nlines.py": "import torch\ny = (\n"})
    code = main(["convert", str(src), str(tmp_path / "out"), "-q"])
    text = capsys.readouterr().out
    assert code == 1
    assert "\x1b" not in text
    assert "error evil\\x1b[2K\\x1b[1A.py: line 2" in text
    lines = [line for line in text.splitlines() if line.startswith("error two")]
    assert lines and lines[0].startswith("error two\\nlines.py: line 2")


# -- 5, 6. processes ------------------------------------------------------------------------------------------
def _big_tree(root: Path, n: int = 160) -> Path:
    body = GOOD + "".join(f"x{i} = nn.Linear({i + 1}, 2)  # {i}\n" for i in range(400))
    return make_tree(root, {f"pkg/m{i:03d}.py": body for i in range(n)})


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start(src: Path, out: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "torch2paddle", "convert", str(src), str(out), "-q", "--jobs", "2", *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _wait_for_output(proc: subprocess.Popen, out: Path, files: int = 3) -> None:
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if len(list(out.rglob("*.py"))) >= files:
            return
        time.sleep(0.01)
    pytest.fail("the conversion finished (or failed) before the fault could be injected")


@linux_only
def test_workers_die_with_a_killed_parent(tmp_path):
    src, out = _big_tree(tmp_path / "src"), tmp_path / "out"
    proc = _start(src, out)
    _wait_for_output(proc, out)
    workers = _children(proc.pid)
    assert workers, "no worker processes found"
    proc.kill()  # SIGKILL, as the OOM killer does
    proc.wait()
    deadline = time.time() + 2
    while time.time() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.02)
    assert not any(_alive(w) for w in workers), "workers outlived their parent"
    written = sorted(p.name for p in out.rglob("*.py"))
    time.sleep(0.5)
    assert sorted(p.name for p in out.rglob("*.py")) == written  # nothing written after the parent died
    proc.stdout.close()
    proc.stderr.close()


@linux_only
def test_sigterm_is_handled_like_ctrl_c(tmp_path):
    src, out = _big_tree(tmp_path / "src"), tmp_path / "out"
    proc = _start(src, out)
    _wait_for_output(proc, out)
    proc.send_signal(signal.SIGTERM)  # to the command only, as `docker stop` does
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 143, stderr.decode()
    assert b"terminated" in stderr and b"--force" in stderr
    assert not list(out.rglob("*.tmp")) and not (out / MANIFEST_DIR / "tmp").exists()
    for path in out.rglob("*.py"):
        assert path.read_text().endswith("# 399\n")  # complete files only


# -- 7. temp files -------------------------------------------------------------------------------------
@linux_only
def test_a_rerun_removes_a_killed_runs_temp_files_but_not_a_live_runs(tmp_path):
    import fcntl

    src = make_tree(tmp_path / "src", {"a.py": GOOD, ".notes.a1b2c3.tmp": "a user's own file\n"})
    out = tmp_path / "out"
    convert_tree(src, out, jobs=1)
    runs = out / MANIFEST_DIR / "tmp"
    dead, live = runs / "run-dead", runs / "run-live"
    for folder in (dead, live):
        folder.mkdir(parents=True)
        (folder / "lock").touch()
        (folder / "big.tmp").write_bytes(b"x" * 1000)
    holder = os.open(live / "lock", os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)  # a concurrent run holds its lock
    try:
        report = convert_tree(src, out, jobs=1, force=True)
    finally:
        os.close(holder)
    assert not report.errors
    assert not dead.exists()
    assert (live / "big.tmp").exists()
    assert (out / ".notes.a1b2c3.tmp").read_text() == "a user's own file\n"  # a user's file is just copied


def test_temp_names_do_not_depend_on_the_final_name(tmp_path):
    long_ascii = "m" * 248 + ".py"  # 251 bytes: legal, and 14 bytes short of the old temp name
    long_cjk = "模" * 81 + ".py"  # 246 bytes in UTF-8
    src = make_tree(tmp_path / "src", {long_ascii: GOOD, long_cjk: GOOD, "n" * 251: "data"})
    report = convert_tree(src, tmp_path / "out", jobs=1)
    assert not report.errors, [(f.path, f.error) for f in report.errors]
    assert (tmp_path / "out" / long_ascii).read_text() == GOOD_OUT
    assert (tmp_path / "out" / long_cjk).read_text() == GOOD_OUT


# -- 9. file modes -------------------------------------------------------------------------------------
def test_reports_and_manifests_follow_the_umask(tmp_path):
    src = make_tree(tmp_path / "src", {"a.py": GOOD})
    old = os.umask(0o022)
    try:
        assert main(["convert", str(src), str(tmp_path / "out"), "-q", "--report", str(tmp_path / "r.json")]) == 0
    finally:
        os.umask(old)
    for path in (tmp_path / "out" / MANIFEST_DIR / "convert.json", tmp_path / "out" / MANIFEST_DIR / "report.json",
                 tmp_path / "r.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
