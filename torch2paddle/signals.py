"""Process-level faults: SIGTERM handled like Ctrl-C, and child processes that die with their parent.

CI cancellation and ``docker stop`` send SIGTERM; the commands turn it into
``Terminated`` (a ``KeyboardInterrupt``, so every cleanup path written for
Ctrl-C runs for it too) and exit with 143.  Worker processes ask the kernel to
kill them when their parent dies (Linux ``PR_SET_PDEATHSIG``; elsewhere a
watchdog thread polls the parent), so a SIGKILLed or OOM-killed command never
leaves workers writing into OUT or holding its stdout open.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

EXIT_TERMINATED = 128 + signal.SIGTERM  # 143, what a shell reports for a process ended by SIGTERM
_PR_SET_PDEATHSIG = 1


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwind exactly as for Ctrl-C (temp files removed, workers stopped)."""


def _raise_terminated(signum, frame) -> None:
    raise Terminated()


def handle_sigterm() -> None:
    """In the main process: SIGTERM raises ``Terminated`` in the main thread."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_terminated)


def die_with_parent(parent_pid: int) -> None:
    """In a child process: be killed as soon as ``parent_pid`` is gone; SIGTERM back to its default."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked child inherited handle_sigterm's handler
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent_pid:  # the parent died before the request took effect
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="die-with-parent").start()


def _watch_parent(parent_pid: int) -> None:
    import time

    while os.getppid() == parent_pid:
        time.sleep(0.2)
    os._exit(1)


def kill_with_parent_preexec() -> None:
    """``preexec_fn`` for subprocess.Popen: the child is SIGKILLed when this process dies (Linux)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
