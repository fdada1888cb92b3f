"""Run this side's steps in one process, so each framework is imported once.

Usage: python run_steps.py STEP [STEP ...]   (prints `T2P-IMPORTED` once the framework is imported,
then one `T2P-STEP name ok|error` line per step: verify's deadline restarts at each line)
"""

import json
import runpy
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

_start = time.perf_counter()
import t2p_support  # noqa: E402  (imports this side's framework once)

_side_file = t2p_support.ROOT / "result" / f"{t2p_support.SIDE}_side.json"
_side_file.parent.mkdir(parents=True, exist_ok=True)
_side_file.write_text(json.dumps({"import_seconds": time.perf_counter() - _start, "device": t2p_support.DEVICE_NAME,
                                  "version": getattr(t2p_support, "FRAMEWORK_VERSION", None),
                                  "threads": getattr(t2p_support, "THREADS", None)}))
print("T2P-IMPORTED", flush=True)

for step in sys.argv[1:]:
    scripts = sorted(HERE.glob(f"[0-9][0-9]_{step}.py"))
    status = {"step": step, "side": t2p_support.SIDE, "device": t2p_support.DEVICE_NAME, "ok": False,
              "seconds": 0.0, "error": None}
    start = time.perf_counter()
    try:
        if not scripts:
            raise FileNotFoundError(f"no script for step {step!r} in {HERE}")
        runpy.run_path(str(scripts[0]), run_name="__main__")
        status["ok"] = True
    except BaseException as exc:  # a failing step must not stop the others
        if isinstance(exc, MemoryError):  # free what the step's frames hold before formatting (--memory-mb)
            traceback.clear_frames(exc.__traceback__)
        status["error"] = "".join(traceback.format_exception(exc))
    status["seconds"] = time.perf_counter() - start
    out = t2p_support.ROOT / "result" / f"{step}_{t2p_support.SIDE}.status.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(status, indent=2))
    print(f"T2P-STEP {step} {'ok' if status['ok'] else 'error'}", flush=True)
