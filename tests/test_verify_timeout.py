"""verify keeps going, and leaves nothing behind, when a step hangs, dies, runs out of memory or is interrupted.

Most tests run a small hand-made harness whose two sides import numpy only (no framework), through
the real ``run_steps.py`` and runner, so each takes a second or two; one runs the real frameworks.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from torch2paddle.verify.harness import DEFAULT_THRESHOLDS, STEP_FILES, TEMPLATES, HarnessError
from torch2paddle.verify.runner import DEFAULT_TIMEOUT, EXIT_FAILED, verify

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups, /proc, rlimits")

SUPPORT = '''\
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = json.loads((ROOT / "config.json").read_text())
SIDE = HERE.name
DEVICE_NAME = "cpu"


def record(step, **values):
    import numpy as np

    np.save(ROOT / "result" / f"{step}_{SIDE}.npy", {k: np.asarray(v) for k, v in values.items()}, allow_pickle=True)


def spawn_sleeper():
    """A grandchild that would outlive its step (its command line names the harness)."""
    import subprocess
    import sys

    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1000)", str(HERE)])
'''


def _step(name: str, extra: str = "") -> str:
    return f"import t2p_support as support\n{extra}\nsupport.record({name!r}, value=[1.0, 2.0])\n"


def _fake_harness(tmp_path: Path, steps: list[str], *, torch: dict[str, str] | None = None,
                  paddle: dict[str, str] | None = None, paddle_support: str = "") -> Path:
    """OUT holding a harness as `verify` generates it, but whose sides import no framework.

    Every step records the same value on both sides (so it passes) unless ``torch``/``paddle`` give
    another script for it.
    """
    out = tmp_path / "out"
    harness = out / ".torch2paddle" / "verify"
    (harness / "weights").mkdir(parents=True)
    (harness / "weights" / "model.pdparams").write_bytes(b"")  # so that --reuse-harness adds no weights step
    (harness / "config.json").write_text(json.dumps({"thresholds": DEFAULT_THRESHOLDS}))
    for side, scripts in (("torch", torch or {}), ("paddle", paddle or {})):
        folder = harness / side
        folder.mkdir()
        shutil.copyfile(TEMPLATES / "run_steps.py", folder / "run_steps.py")
        (folder / "t2p_support.py").write_text(SUPPORT + (paddle_support if side == "paddle" else ""))
        for step in steps:
            (folder / STEP_FILES[step]).write_text(scripts.get(step, _step(step)))
    return out


def _processes(text: str) -> list[str]:
    """Command lines of live processes that contain ``text``."""
    try:
        import psutil
    except ImportError:
        psutil = None
    found = []
    if psutil is not None:
        for proc in psutil.process_iter(["cmdline", "status"]):
            cmdline = " ".join(proc.info["cmdline"] or [])
            if text in cmdline and proc.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(cmdline)
        return found
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:  # gone meanwhile
                continue
            if text in cmdline:
                found.append(cmdline)
    return found


def _assert_nothing_left(harness: Path | str) -> None:
    # SIGKILL is delivered at once, but a dying process may keep its command line for a moment
    for _ in range(40):
        left = _processes(str(harness))
        if not left:
            return
        time.sleep(0.05)
    pytest.fail(f"processes left behind: {left}")


def _status(harness: Path | str, step: str, side: str) -> dict:
    return json.loads((Path(harness) / "result" / f"{step}_{side}.status.json").read_text())


def _by_step(result) -> dict:
    return {s.step: s for s in result.steps}


def test_a_step_that_never_returns_is_timed_out_and_the_chain_goes_on(tmp_path):
    # the converted forward spins (after starting a grandchild); the torch side's metric step leaves
    # a grandchild running although it finishes: both must be killed
    out = _fake_harness(tmp_path, ["forward", "metric", "loss"],
                        torch={"metric": _step("metric", "support.spawn_sleeper()")},
                        paddle={"forward": "import t2p_support as support\nsupport.spawn_sleeper()\n"
                                           "while True:\n    pass\n"})
    events = []
    started = time.monotonic()
    result = verify(out, "forward,metric,loss", reuse_harness=True, timeout=2,
                    on_event=lambda *event: events.append(event))
    took = time.monotonic() - started
    steps = _by_step(result)
    assert steps["forward"].status == "error"
    assert steps["forward"].detail == "paddle side: timed out after 2 s"
    assert "timed out" in Path(steps["forward"].log).read_text()
    assert steps["metric"].status == "passed" and steps["loss"].status == "passed"  # ran in a restarted process
    assert result.exit_code == EXIT_FAILED
    status = _status(result.harness, "forward", "paddle")
    assert status["ok"] is False and status["timed_out"] is True and status["error"] == "timed out after 2 s"
    assert status["seconds"] >= 2
    assert ("paddle", "forward", "timeout") in events and ("paddle", "loss", "ok") in events
    assert "restarting the paddle side for: metric, loss" in (Path(result.harness) / "result" / "log" /
                                                             "paddle_side.log").read_text()
    assert took < 20, took
    _assert_nothing_left(result.harness)


def test_a_process_a_finished_step_left_running_neither_stalls_verify_nor_survives_it(tmp_path):
    # the leftover holds the side's stdout open: verify must go by the side process's exit, not the pipe's end
    out = _fake_harness(tmp_path, ["metric", "loss"], torch={"metric": _step("metric", "support.spawn_sleeper()")})
    started = time.monotonic()
    result = verify(out, "metric,loss", reuse_harness=True, timeout=30)
    assert time.monotonic() - started < 15  # not the 30 s deadline
    assert result.exit_code == 0, [(s.step, s.status, s.detail) for s in result.steps]
    _assert_nothing_left(result.harness)


def test_a_framework_import_that_never_returns_is_timed_out(tmp_path):
    out = _fake_harness(tmp_path, ["metric"], paddle_support="import time\ntime.sleep(1000)\n")
    with pytest.raises(HarnessError, match=r"the paddle side did not finish importing its framework within 1 s"):
        verify(out, "metric", reuse_harness=True, timeout=1)
    _assert_nothing_left(out / ".torch2paddle" / "verify")


def test_a_restarted_side_whose_import_never_returns_fails_the_steps_left(tmp_path):
    out = _fake_harness(tmp_path, ["forward", "metric"],
                        paddle={"forward": "import t2p_support as support\n(support.ROOT / 'hang').write_text('')\n"
                                           "while True:\n    pass\n"},
                        paddle_support="if (ROOT / 'hang').exists():\n    import time\n    time.sleep(1000)\n")
    result = verify(out, "forward,metric", reuse_harness=True, timeout=1)
    steps = _by_step(result)
    assert steps["forward"].detail == "paddle side: timed out after 1 s"
    assert steps["metric"].status == "error"
    assert steps["metric"].detail == ("paddle side: timed out after 1 s importing the framework in the restarted "
                                      "side process")
    assert result.exit_code == EXIT_FAILED
    _assert_nothing_left(result.harness)


def test_a_step_that_kills_its_process_is_an_error_and_the_chain_goes_on(tmp_path):
    out = _fake_harness(tmp_path, ["metric", "loss"],
                        paddle={"metric": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"})
    result = verify(out, "metric,loss", reuse_harness=True, timeout=10)
    steps = _by_step(result)
    assert steps["metric"].status == "error" and "killed by SIGKILL" in steps["metric"].detail
    assert steps["loss"].status == "passed"
    assert result.exit_code == EXIT_FAILED
    _assert_nothing_left(result.harness)


def test_a_step_over_the_memory_cap_fails_with_memory_error_and_the_chain_goes_on(tmp_path):
    # bytes(n) is calloc'd: untouched pages, so this reaches the cap at once without using real memory
    runaway = "blocks = []\nwhile True:\n    blocks.append(bytes(10**8))\n"
    out = _fake_harness(tmp_path, ["forward", "metric"], paddle={"forward": runaway})
    result = verify(out, "forward,metric", reuse_harness=True, timeout=10, memory_mb=1000)
    steps = _by_step(result)
    assert steps["forward"].status == "error" and "MemoryError" in steps["forward"].detail, steps["forward"].detail
    assert steps["metric"].status == "passed"  # same process, after the step's memory was let go
    assert result.exit_code == EXIT_FAILED
    _assert_nothing_left(result.harness)


def test_sigint_ends_verify_and_its_step_processes(tmp_path):
    out = _fake_harness(tmp_path, ["forward", "metric"], torch={"forward": (
        "import t2p_support as support\nsupport.spawn_sleeper()\n"
        "(support.ROOT / 'started').write_text('')\nwhile True:\n    pass\n")})
    harness = out / ".torch2paddle" / "verify"
    # its own session, so that the signal reaches verify alone, as Ctrl-C reaches only the foreground group
    # (verify starts each side in a session of its own precisely so that this is all it gets)
    process = subprocess.Popen([sys.executable, "-m", "torch2paddle", "verify", str(out), "--reuse-harness",
                                "--steps", "forward,metric", "--timeout", "0", "--memory-mb", "2000"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not (harness / "started").is_file():
            assert process.poll() is None, process.communicate()[0].decode()
            assert time.monotonic() < deadline, "the forward step never started"
            time.sleep(0.05)
        time.sleep(0.2)  # let the step reach its loop and its grandchild start
        os.kill(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130, output.decode()
    _assert_nothing_left(harness)


def test_side_processes_die_with_a_killed_verify(tmp_path):
    """SIGKILL leaves verify no chance to clean up: PR_SET_PDEATHSIG takes the side process down with it."""
    out = _fake_harness(tmp_path, ["forward"], torch={"forward": (
        "import t2p_support as support\n(support.ROOT / 'started').write_text('')\nwhile True:\n    pass\n")})
    harness = out / ".torch2paddle" / "verify"
    process = subprocess.Popen([sys.executable, "-m", "torch2paddle", "verify", str(out), "--reuse-harness",
                                "--steps", "forward"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not (harness / "started").is_file():
            assert process.poll() is None and time.monotonic() < deadline, "the forward step never started"
            time.sleep(0.05)
        assert _processes(str(harness / "torch" / "run_steps.py"))
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    _assert_nothing_left(harness)


def test_the_frameworks_run_under_a_memory_cap(tmp_path):
    """Both frameworks import and run their steps under --memory-mb 3000; a runaway converted forward fails.

    (init compares per-parameter statistics: 128 biases are enough for them, 4 are not.)
    """
    pytest.importorskip("torch")
    pytest.importorskip("paddle")
    from torch2paddle import convert_tree

    src = tmp_path / "src" / "capnet"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("")
    (src / "net.py").write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(256, 128)\n\n    def forward(self, x):\n        return self.fc(x)\n\n\n"
        "def cap_net():\n    return Net()\n")
    out = tmp_path / "out" / "capnet"
    convert_tree(src, out, jobs=1, torch_init=True)
    converted = (out / "net.py").read_text()
    assert "return self.fc(x)" in converted
    (out / "net.py").write_text(converted.replace("return self.fc(x)", "return [bytes(10**8) for _ in iter(int, 1)]"))
    result = verify(out, "forward,init", input_shape=[2, 256], memory_mb=3000, timeout=30)
    steps = _by_step(result)
    assert steps["weights"].status == "passed", steps["weights"].detail
    assert steps["forward"].status == "error" and "MemoryError" in steps["forward"].detail, steps["forward"].detail
    assert steps["init"].status == "passed", steps["init"].detail
    assert result.exit_code == EXIT_FAILED
    _assert_nothing_left(result.harness)


def test_options_and_their_checks(tmp_path):
    from torch2paddle.cli import build_parser
    from torch2paddle.verify import cli

    args = build_parser().parse_args(["verify", "out"])
    assert args.timeout == DEFAULT_TIMEOUT == cli.DEFAULT_TIMEOUT == 300 and args.memory_mb is None
    args = build_parser().parse_args(["verify", "out", "--timeout", "0", "--memory-mb", "4000"])
    assert args.timeout == 0 and args.memory_mb == 4000
    for bad in (["--timeout", "-1"], ["--memory-mb", "0"]):
        run = subprocess.run([sys.executable, "-m", "torch2paddle", "verify", str(tmp_path), *bad],
                             capture_output=True, text=True)
        assert run.returncode == 2, run.stdout + run.stderr
    with pytest.raises(ValueError, match="timeout"):
        verify(tmp_path, timeout=-1)
    with pytest.raises(ValueError, match="memory_mb"):
        verify(tmp_path, memory_mb=0)
