"""Run the generated harness: the torch side, then the Paddle side, then compare.

Each side runs all its steps in one process (each framework imported once,
never both in one process, so their thread pools do not fight); this process
imports neither and compares the reprod_log records with ``compare``.

A side process runs in its own process group and is watched with a deadline:
the framework import and every step each get ``timeout`` seconds.  A step that
outlasts it (or kills its process) has the whole group killed, is recorded as an
error, and the side is restarted with the steps after it.  Whatever ends this
process (Ctrl-C, any exception), no side process is left behind.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .compare import (Comparison, KeyResult, Tolerance, compare_arrays, compare_init_stats, compare_records,
                      noise_floor)
from .harness import (GPU_THRESHOLDS, LOCATE_FILE, NOISE_FACTOR, NOISE_STEPS, STEPS, THRESHOLD_KEYS, ConfigError,
                      HarnessError, Plan, generate, load_existing, resolve)

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CANNOT_RUN = 4

DEFAULT_GRADIENT_ATOL = 1e-6  # iteration-1 gradients: the absolute part of their tolerance (thresholds.gradients)
DEFAULT_TIMEOUT = 300.0  # seconds per step (and for the framework import); 0 or None: no limit
_POSIX = os.name == "posix"
_LINUX = sys.platform.startswith("linux")

WHAT = {
    "weights": "converted state dict loaded into the converted model (every key, exact)",
    "forward": "logits of both models in eval mode on seeded fake data (float32 noise from a float64 run)",
    "data": "dataset length and the first batches of the eval pipeline (exact)",
    "metric": "top-k of the project's metric for every k it uses, on logits that tell each k apart",
    "loss": "the project's loss on the same logits and labels",
    "loss_large_margin": "the same loss on logits with gaps above 64 (Paddle 3.3.1's CPU log_softmax clamps "
                         "at -64: a known limit is flagged, not failed)",
    "init": "per-parameter mean/std of freshly built models (sampling tolerance)",
    "backward": "iteration-1 gradients per parameter, then loss and LR per iteration with the optimizer",
    "train": "per-iteration loss and LR of a short run on the dataset (or synthetic data), then val top-1",
    "perf": "median seconds per training iteration, Paddle / torch",
}


# the table's rows: the steps, and the loss step's large-margin row (its own verdict) after it
ROWS = (*STEPS[:STEPS.index("loss") + 1], "loss_large_margin", *STEPS[STEPS.index("loss") + 1:])
PARENT = {"loss_large_margin": "loss"}


@dataclass
class StepResult:
    step: str
    status: str  # passed, failed, error, skipped, flagged
    compared: str
    worst: float | None = None
    threshold: str = ""
    detail: str = ""
    log: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    noise: float | None = None  # the worst value's float32 noise floor, max |torch32 - torch64|
    noise_ratio: float | None = None  # its difference in units of that floor
    # where the two sides part (forward: the first module in execution order whose output differs; backward:
    # that in train mode, else the parameter whose gradient differs first in backward order): module, type,
    # worst, shape and more (see README); None when the step passed or nothing could be localised
    first_divergence: dict | None = None
    locate: dict | None = None  # what the localisation run compared (modules, hooks' cost, its log)
    structure: dict | None = None  # weights step: parameters, buffers and output shapes per module, both sides
    code: str | None = None  # which code the step exercised (the project's own factories or the config's classes)


@dataclass
class VerifyResult:
    harness: str
    steps: list[StepResult]
    side_seconds: dict[str, float]
    import_seconds: dict[str, float]
    wall_seconds: float
    exit_code: int
    devices: dict[str, str] = field(default_factory=dict)
    locate_seconds: float | None = None  # the localisation run (both sides), None when it did not run
    model: str | None = None  # the model factory verified (chosen automatically without a config: see notes)
    config_file: str | None = None  # the config used (found beside SRC, in OUT, or --config), None without one
    notes: dict[str, str] = field(default_factory=dict)  # e.g. the auto-chosen model factory
    versions: dict[str, str] = field(default_factory=dict)  # each side's framework version
    threads: dict[str, int | None] = field(default_factory=dict)  # each side's intra-op threads

    @property
    def passed(self) -> bool:
        return self.exit_code == EXIT_PASSED

    def to_dict(self) -> dict:
        return asdict(self)


def _seconds(value: float) -> str:
    return f"{value:g}"


def _child_setup(memory_mb: float | None) -> Callable[[], None] | None:
    """The ``preexec_fn`` of a side process: die with verify, and cap the step's memory.

    Everything it needs is looked up here, in the parent, so that the child runs no imports between fork
    and exec.
    """
    if not _POSIX:
        return None
    prctl = None
    if _LINUX:
        import ctypes

        try:
            prctl = ctypes.CDLL(None, use_errno=True).prctl
        except (OSError, AttributeError):
            prctl = None
    parent = os.getpid()
    limit = None
    if memory_mb:
        import resource

        # RLIMIT_DATA, not RLIMIT_AS: RLIMIT_AS counts address space that is only reserved, never used.
        # Measured on this project's CUDA build of torch (2.14 cu130): `import torch` alone reserves
        # 3.3 GB of address space for 0.8 GB of data, so an RLIMIT_AS of 3000 MB fails the import
        # (numpy's OpenBLAS cannot map its segment); on a GPU the CUDA driver reserves address space for
        # unified addressing well beyond any sensible cap (the well-known `ulimit -v` breaks CUDA).
        # RLIMIT_DATA (Linux 4.7+) counts private writable mappings -- what malloc and mmap'd tensors
        # actually take -- and leaves PROT_NONE reservations alone. GPU memory is covered by neither.
        wanted = int(memory_mb * 1024 * 1024)
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        cap = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        limit = (resource, cap)

    def setup() -> None:
        if prctl is not None:
            prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL: killed when verify's thread that started it dies
            if os.getppid() != parent:  # verify died between fork and prctl
                os._exit(1)
        if limit is not None:
            module, cap = limit
            module.setrlimit(module.RLIMIT_DATA, (cap, cap))

    return setup


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the side process and everything it started (its process group), then reap it."""
    if _POSIX:
        try:
            # safe after the leader was reaped too: a group id is not reused while a member lives
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:  # the group is gone already
            pass
    elif process.poll() is None:
        process.kill()
    process.wait()


def _pump(stream, lines: queue.Queue) -> None:
    """Reader thread: the side's stdout, line by line, then ``None``. It alone closes the stream (closing it
    from another thread while this one is blocked reading would wait for the read forever)."""
    try:
        for line in stream:
            lines.put(line)
    except (OSError, ValueError):
        pass
    finally:
        lines.put(None)
        try:
            stream.close()
        except OSError:
            pass


_TICK = 0.2  # seconds between looks at the side process while its stdout is quiet
_DRAIN = 5.0  # after the end, seconds to wait for the output still in the pipe


@dataclass
class _Run:
    """What one side process did before it ended or was killed."""

    reported: list[str]  # steps that printed their T2P-STEP line, in order
    imported: bool  # the framework import finished
    timed_out: bool  # killed at the deadline (during the import when not ``imported``)
    returncode: int | None
    phase_seconds: float  # time spent in the phase that was running when it ended


def _run_process(argv: list[str], *, cwd: Path, env: dict, log, side: str, timeout: float | None,
                 memory_mb: float | None, on_event: Callable | None) -> _Run:
    """Run one side process; each phase (the import, then each step) must end within ``timeout`` seconds.

    The process is killed with its whole group when a phase outlasts the deadline, when it has ended
    (whatever a step started goes with it), and on any exception here, KeyboardInterrupt included.
    """
    run = _Run([], False, False, None, 0.0)
    phase_start = time.monotonic()

    def take(line: str) -> None:
        nonlocal phase_start
        log.write(line)
        if line.startswith("T2P-IMPORTED"):
            run.imported, phase_start = True, time.monotonic()
        elif line.startswith("T2P-STEP "):
            _, step, status = line.split()
            run.imported = True  # a harness generated before the T2P-IMPORTED marker
            run.reported.append(step)
            phase_start = time.monotonic()
            if on_event:
                on_event(side, step, status)

    log.flush()  # the child appends to the same file
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True, errors="replace", env=env,
                               cwd=str(cwd), start_new_session=_POSIX, preexec_fn=_child_setup(memory_mb))
    killed = False
    try:
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_pump, args=(process.stdout, lines), name=f"t2p-{side}-stdout", daemon=True).start()
        eof = False
        while True:
            tick = _TICK if not timeout else min(_TICK, max(0.0, phase_start + timeout - time.monotonic()))
            if eof:
                time.sleep(tick)
            else:
                try:
                    line = lines.get(timeout=tick)
                except queue.Empty:
                    line = ""
                if line is None:
                    eof = True
                elif line:
                    take(line)
            # the leader's exit, not the pipe's end: a process a step left running may hold the pipe open
            if process.poll() is not None:
                break
            if timeout and time.monotonic() - phase_start >= timeout:
                run.timed_out = True
                break
        _kill_group(process)  # whatever the side left running goes too; the pipe then ends
        killed = True
        deadline = time.monotonic() + _DRAIN  # bounded: a process that left the group may keep the pipe
        while not eof and (left := deadline - time.monotonic()) > 0:
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            if run.timed_out:  # a step that ended at the deadline itself still counts as timed out
                log.write(line)
            else:
                take(line)
    finally:  # also on KeyboardInterrupt or any other BaseException: nothing may outlive verify
        if not killed:
            _kill_group(process)
        log.flush()
    run.returncode = process.returncode
    run.phase_seconds = time.monotonic() - phase_start
    return run


def _write_status(plan: Plan, step: str, side: str, device: str | None, seconds: float, error: str,
                  **extra) -> None:
    status = {"step": step, "side": side, "device": device, "ok": False, "seconds": seconds, "error": error, **extra}
    path = plan.harness / "result" / f"{step}_{side}.status.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(status, indent=2))


def _died(code: int | None, log_path: Path, during: str = "during this step") -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        how = f"was killed by {name}" + (" (the out-of-memory killer? see --memory-mb)" if -code == 9 else "")
    else:
        how = f"exited with status {code}"
    return f"its process {how} {during} without reporting it; see {log_path}"


def _run_side(plan: Plan, side: str, steps: list[str], python: str, on_event: Callable | None,
              timeout: float | None = DEFAULT_TIMEOUT, memory_mb: float | None = None,
              label: str = "side") -> tuple[float, float]:
    """Run one side's steps; returns (seconds running steps, seconds importing the framework).

    The steps run in one process. When a step outlasts ``timeout`` or its process dies, the step is
    recorded as an error and a fresh process runs the steps after it.
    """
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    # on a GPU, float32 is float32 on both sides: no TF32 in cuBLAS/cuDNN (either framework may enable it)
    env.setdefault("NVIDIA_TF32_OVERRIDE", "0")
    threads = plan.config.get("threads")
    if threads:  # the same thread count on both sides, for their math libraries too (perf is a fair race)
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env[name] = str(int(threads))
    if side == "paddle":
        env.setdefault("GLOG_minloglevel", "2")
        env.setdefault("FLAGS_cudnn_deterministic", "1")
    log_path = plan.harness / "result" / "log" / f"{side}_{label}.log"
    side_file = plan.harness / "result" / f"{side}_side.json"
    script = str(plan.harness / side / "run_steps.py")
    start = time.perf_counter()
    imported_seconds = 0.0
    device = None
    remaining = list(steps)
    first = True
    with log_path.open("w") as log:
        while remaining:
            run = _run_process([python, script, *remaining], cwd=plan.harness / side, env=env, log=log, side=side,
                               timeout=timeout, memory_mb=memory_mb, on_event=on_event)
            if run.imported and side_file.is_file():
                info = json.loads(side_file.read_text())
                imported_seconds += float(info["import_seconds"])
                device = info.get("device") or device
            if not run.imported:
                if first:
                    _cannot_start(side, log_path, run, timeout, memory_mb)
                why = (f"timed out after {_seconds(timeout)} s importing the framework in the restarted side process"
                       if run.timed_out else _died(run.returncode, log_path, "while importing the framework again"))
                for step in remaining:
                    _write_status(plan, step, side, device, 0.0, why, timed_out=run.timed_out)
                    if on_event:
                        on_event(side, step, "timeout" if run.timed_out else "error")
                break
            remaining = remaining[len(run.reported):]
            if not remaining:
                break
            step, remaining = remaining[0], remaining[1:]
            if run.timed_out:
                error = f"timed out after {_seconds(timeout)} s"
                _write_status(plan, step, side, device, run.phase_seconds, error, timed_out=True, timeout=timeout)
                note = f"step {step} {error}: its process group was killed"
            else:
                error = _died(run.returncode, log_path)
                _write_status(plan, step, side, device, run.phase_seconds, error)
                note = f"step {step}: {error}"
            log.write(f"[torch2paddle verify] {note}; "
                      + (f"restarting the {side} side for: {', '.join(remaining)}\n" if remaining else "\n"))
            if on_event:
                on_event(side, step, "timeout" if run.timed_out else "error")
            first = False
    wall = time.perf_counter() - start
    return wall - imported_seconds, imported_seconds


def _cannot_start(side: str, log_path: Path, run: _Run, timeout: float | None, memory_mb: float | None):
    """The framework (or the harness glue) could not even be imported: raise ``HarnessError`` saying why."""
    if run.timed_out:
        raise HarnessError(f"the {side} side did not finish importing its framework within {_seconds(timeout)} s "
                           f"(--timeout); {log_path}")
    tail = log_path.read_text(errors="replace")[-800:].strip()
    last = tail.splitlines()[-1] if tail else ""
    if last.startswith("RuntimeError: --device"):  # the harness's own refusal: its message says it all
        raise HarnessError(f"the {side} side could not start: {last.split(': ', 1)[1]} "
                           "(--device auto uses a GPU only where both frameworks see one)")
    if "ModuleNotFoundError" in tail:
        hint = "install both frameworks with `pip install 'torch2paddle[verify]'`"
    elif memory_mb and ("MemoryError" in tail or "Cannot allocate memory" in tail or "failed to map" in tail):
        hint = f"the framework does not import under --memory-mb {_seconds(memory_mb)}: raise it"
    else:
        hint = "see the log"
    raise HarnessError(f"the {side} side could not start ({hint}); {log_path}:\n{tail}")


def _load(path: Path) -> dict | None:
    if not path.is_file():
        return None
    return np.load(path, allow_pickle=True).item()


def _status(plan: Plan, step: str, side: str) -> dict:
    path = plan.harness / "result" / f"{step}_{side}.status.json"
    if not path.is_file():
        return {"ok": False, "error": "the side process did not report this step (see its log)", "seconds": 0.0}
    return json.loads(path.read_text())


def _write_log(plan: Plan, step: str, lines: list[str]) -> str:
    path = plan.harness / "result" / "log" / f"{step}_diff.log"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _note(plan: Plan, step: str, side: str) -> dict:
    """What a side noted about a step beyond its record (random layers disabled, a float64 run that failed)."""
    path = plan.harness / "result" / f"{step}_{side}.note.json"
    try:
        return json.loads(path.read_text()) if path.is_file() else {}
    except ValueError:
        return {}


def _fixed(plan: Plan, name: str) -> bool:
    """The user set this threshold (config or --threshold): it is used as given, without the noise allowance."""
    return name in (plan.config.get("fixed_thresholds") or [])


def _tolerance(plan: Plan, name: str, atol: float, rtol: float = 0.0, float64: dict | None = None) -> Tolerance:
    factor = float(plan.config.get("noise_factor", NOISE_FACTOR))
    noisy = float64 is not None and not _fixed(plan, name)
    return Tolerance(atol=atol, rtol=rtol, noise_factor=factor if noisy else 0.0)


def _compare_training(plan: Plan, step: str, reference: dict, actual: dict, float64: dict | None,
                      lines: list[str], gpu: bool = False, kinks: dict | None = None) -> tuple[Comparison, str]:
    """backward and train: losses against a growing noise floor, the rest per key (see the README's table).

    Iteration 1's gradients come first: the earliest evidence, and the first parameter that differs
    points at the layer to look at.
    """
    threshold = _atol(plan, step, float(plan.config["thresholds"][step]), gpu)
    # a longer run on real images amplifies float noise (near-constant channels meet BatchNorm's
    # 1/sqrt(eps)): the train curve is compared with a relative tolerance as well
    rtol = float(plan.config.get("train_rtol", 0.02)) if step == "train" else 0.0
    comparison = Comparison()
    grads = [k for k in reference if k.startswith("grad:")]
    grad_atol = _atol(plan, "gradients", DEFAULT_GRADIENT_ATOL, gpu)
    if grads:
        comparison.keys += compare_records(reference, actual, _tolerance(plan, "gradients", grad_atol, 0.0, float64),
                                           keys=grads, float64=float64, kinks=kinks).keys
    for key in [k for k in actual if k.startswith("grad:") and k not in reference]:
        comparison.keys.append(KeyResult(key, False, problem="a gradient only the converted side has (a parameter "
                                                             "trainable there and frozen in torch?)"))
    loss_tolerance = _tolerance(plan, step, threshold, rtol, float64)
    comparison.keys += compare_records(reference, actual, loss_tolerance, keys=["loss"], float64=float64,
                                       trajectory=True, kinks=kinks).keys
    comparison.keys += compare_records(reference, actual, Tolerance(atol=1e-9, rtol=1e-6), keys=["lr"]).keys
    stats = [k for k in reference if k.startswith("running_mean:")]
    stats_atol = _atol(plan, "running_stats", 1e-4, gpu)
    if stats:
        comparison.keys += compare_records(reference, actual, _tolerance(plan, "running_stats", stats_atol, 0.0,
                                                                         float64), keys=stats, float64=float64).keys
    if step == "train":
        # near-tied logits may flip one validation image after a drifting run: allow exactly one
        one_image = 100.0 / max(1, int(reference.get("val_images", 1)))
        comparison.keys += compare_records(reference, actual, Tolerance(atol=one_image + 1e-6),
                                           keys=["top1", "val_images"]).keys
    loss32, loss_p = (np.asarray(record.get("loss", []), dtype=np.float64) for record in (reference, actual))
    if loss32.shape == loss_p.shape:
        lines.append("loss diff by iteration (how it grows): " + ", ".join(f"{d:.2e}" for d in np.abs(loss32 - loss_p)))
        floor = noise_floor(reference.get("loss"), (float64 or {}).get("loss"), trajectory=True)
        if floor is not None:
            lines.append("loss noise floor by iteration (running max |torch32 - torch64|): "
                         + ", ".join(f"{d:.2e}" for d in floor))
        kink = noise_floor((float64 or {}).get("loss"), (kinks or {}).get("loss"), trajectory=True)
        if kink is not None and floor is not None:
            lines.append("loss kink floor by iteration (running max |torch64 - torch64, kinks' derivatives at "
                         "float32-noise-shifted inputs|): " + ", ".join(f"{d:.2e}" for d in kink))
    parts = []
    if grads:
        parts.append(f"iteration-1 gradients {_tolerance(plan, 'gradients', grad_atol, 0.0, float64).describe()}")
    parts.append(f"loss {loss_tolerance.describe()}" + (" (running noise)" if loss_tolerance.noise_factor else ""))
    parts.append("lr exact")
    if step == "backward" and stats:
        parts.append(f"BN running means {_tolerance(plan, 'running_stats', stats_atol, 0.0, float64).describe()}")
    if step == "train":
        parts.append("val top-1 within one image")
    return comparison, "; ".join(parts)


def _random_layers(notes: dict[str, dict]) -> str:
    """The table's word on the layers put in eval mode for the comparison (both sides should name the same)."""
    torch_names = notes["torch"].get("random_layers") or []
    paddle_names = notes["paddle"].get("random_layers")
    if not torch_names and not paddle_names:
        return ""
    shown = ", ".join(torch_names[:4]) + (f" and {len(torch_names) - 4} more" if len(torch_names) > 4 else "")
    text = f"dropout-like layers in eval mode on both sides: {shown or 'none on the torch side'}"
    if paddle_names is not None and len(paddle_names) != len(torch_names):
        text += f" (the Paddle side found {len(paddle_names)}: {', '.join(paddle_names[:4])})"
    return text


def _first_gradient_key(comparison: Comparison) -> KeyResult | None:
    """The first parameter whose iteration-1 gradient differs, in backward order.

    Gradients flow from the output back: a layer whose backward is wrong spoils its own gradients and those
    of every layer before it, never those after it. So the layer to look at is the differing one nearest
    the output: of the layers whose gradients differ, the last in the model's (registration) order, and
    there its first parameter that differs.
    """
    failed = [k for k in comparison.keys if k.key.startswith("grad:") and not k.passed]
    if not failed:
        return None
    modules = [k.key[5:].rpartition(".")[0] for k in comparison.keys if k.key.startswith("grad:")]
    position = {name: i for i, name in enumerate(modules)}  # last position of each module's parameters
    latest = max(position.get(k.key[5:].rpartition(".")[0], -1) for k in failed)
    return next(k for k in failed if position.get(k.key[5:].rpartition(".")[0], -1) == latest)


def _first_gradient(comparison: Comparison) -> str:
    """Names the first parameter, in backward order, whose iteration-1 gradient differs."""
    key = _first_gradient_key(comparison)
    if key is None:
        return ""
    how = key.problem or (f"max {key.max_abs:.2e}" + (f", {key.noise_ratio:.3g}x float32 noise"
                                                     if key.noise_ratio is not None else ""))
    return f"first parameter whose iteration-1 gradient differs: {key.key[5:]} ({how}; in backward order)"


def _record_divergence(comparison: Comparison, reference: dict) -> dict | None:
    """backward/train without a trace: the parameter whose gradient differs first (backward order), else the
    first BatchNorm whose running mean differs (model order). The module's class comes from the trace."""
    key = _first_gradient_key(comparison)
    source = "gradient"
    if key is None:
        key = next((k for k in comparison.keys if k.key.startswith("running_mean:") and not k.passed), None)
        source = "running_mean"
    if key is None:
        return None
    name = key.key.partition(":")[2]
    module = name.rpartition(".")[0] if source == "gradient" else name
    shape = list(np.shape(reference.get(key.key))) if key.key in reference else None
    return {"module": module or "(model)", "type": None, "worst": None if key.problem else key.max_abs,
            "shape": shape, "source": source, "parameter": name if source == "gradient" else None,
            "noise": key.noise, "noise_ratio": key.noise_ratio, "problem": key.problem}


def _noise_words(key) -> str:
    """ "3.1x float32 noise (floor 4.5e-07)" for a key measured against a float64 run; where the kink floor set
    it, both floors and why."""
    if key is None or key.noise_ratio is None:
        return ""
    if key.sensitive:
        return (f"{key.noise_ratio:.3g}x float32 noise (floor {key.noise:.2e}, set by the kink floor; "
                f"|torch32 - torch64| {key.float32_noise:.2e}; sensitive: a kink/threshold within float32 rounding)")
    return f"{key.noise_ratio:.3g}x float32 noise (floor {key.noise:.2e})"


def _judge(plan: Plan, step: str) -> StepResult:
    result = _judge_records(plan, step)
    result.code = _exercised(plan, step) or None
    if step == "weights":
        result.structure = _structure(plan)
        if result.structure is not None:
            summary = _structure_summary(result.structure)
            result.detail = f"{summary}; {result.detail}" if result.detail else summary
            if result.log:
                with open(result.log, "a") as log:
                    log.write("\n".join(_structure_lines(result.structure)) + "\n")
    return result


def _on_gpu(statuses: dict[str, dict]) -> bool:
    return any((status.get("device") or "cpu") != "cpu" for status in statuses.values())


def _atol(plan: Plan, name: str, default: float, gpu: bool) -> float:
    """The absolute part of ``name``'s tolerance (a step, ``gradients`` or ``running_stats``): on a GPU the GPU
    one (harness.GPU_THRESHOLDS) unless the user set it."""
    if gpu and name in GPU_THRESHOLDS and not _fixed(plan, name):
        return float(GPU_THRESHOLDS[name])
    return float(plan.config["thresholds"].get(name, default))


def _side_error(plan: Plan, step: str, statuses: dict, seconds: dict) -> StepResult | None:
    """The step's result when a side timed out or raised (None when both ran)."""
    for side, status in statuses.items():
        if status.get("timed_out"):
            error = (status.get("error") or "timed out").strip()
            log = _write_log(plan, step, [f"[{step}] the {side} side {error}: its processes were killed, and the "
                                          "steps after it ran in a fresh process (raise the limit with --timeout)"])
            return StepResult(step, "error", WHAT[step], None, "", f"{side} side: {error}", log, seconds)
        if not status["ok"]:
            error = (status.get("error") or "").strip()
            last = error.splitlines()[-1] if error else "failed"
            log = _write_log(plan, step, [f"[{step}] the {side} side raised:", error])
            return StepResult(step, "error", WHAT[step], None, "", f"{side} side: {last}", log, seconds)
    return None


def _compare_step(plan: Plan, step: str, reference, actual, float64, threshold: float, lines: list[str],
                  gpu: bool):
    """The step's comparison of the two sides' records, and its tolerance in words."""
    if step == "init":
        return compare_init_stats(reference, actual, rel=threshold), f"5 s.e. + {threshold:g}*std"
    if step in ("backward", "train"):
        kinks = (_load(plan.harness / "result" / f"{step}_kinks.npy")
                 if step == "backward" and float64 is not None and not _fixed(plan, "gradients") else None)
        comparison, tolerance_text = _compare_training(plan, step, reference, actual, float64, lines, gpu, kinks)
        if kinks is not None:
            tolerance_text += "; floor max(|torch32 - torch64|, kink floor)"
        return comparison, tolerance_text
    tolerance = _tolerance(plan, step, threshold, 0.0, float64)
    # the loss step's large-margin values are judged apart (_judge_large_margin)
    keys = ["loss"] if step == "loss" and "large_margin" in reference else None
    return compare_records(reference, actual, tolerance, keys=keys, float64=float64), tolerance.describe()


def _worst_detail(worst) -> str:
    if worst is None:
        return ""
    if worst.problem:
        return f"{worst.key}: {worst.problem}"
    detail = f"{worst.key}: max {worst.max_abs:.2e}, mean {worst.mean_abs:.2e}, output scale {worst.ref_scale:.2e}"
    if worst.noise_ratio is not None:
        detail += f", {_noise_words(worst)}"
    return detail


def _judge_records(plan: Plan, step: str) -> StepResult:
    thresholds = plan.config["thresholds"]
    statuses = {side: _status(plan, step, side) for side in ("torch", "paddle")}
    seconds = {side: float(s.get("seconds") or 0.0) for side, s in statuses.items()}
    error = _side_error(plan, step, statuses, seconds)
    if error is not None:
        return error
    reference = _load(plan.harness / "result" / f"{step}_torch.npy")
    actual = _load(plan.harness / "result" / f"{step}_paddle.npy")
    if reference is None or actual is None:
        return StepResult(step, "error", WHAT[step], None, "", "a side wrote no record", None, seconds)
    float64 = _load(plan.harness / "result" / f"{step}_float64.npy") if step in NOISE_STEPS else None
    notes = {side: _note(plan, step, side) for side in ("torch", "paddle")}
    gpu = _on_gpu(statuses)
    threshold = _atol(plan, step, float(thresholds[step]), gpu)
    lines = [f"[{step}] {WHAT[step]}"]
    detail = ""
    if step == "perf":
        return _judge_perf(plan, reference, actual, threshold, lines, seconds)
    comparison, tolerance_text = _compare_step(plan, step, reference, actual, float64, threshold, lines, gpu)
    if step in NOISE_STEPS and _fixed(plan, step):
        tolerance_text += " (your threshold)"
    elif gpu and step in NOISE_STEPS and step != "train":
        tolerance_text += " (GPU tolerance)"
    lines += [k.line() for k in comparison.keys]
    status = "passed" if comparison.passed else "failed"
    worst = comparison.worst
    if step == "forward" and comparison.passed:
        scale = worst.ref_scale if worst else 0.0
        minimum = float(plan.config.get("min_output_scale", 1e-3))
        if not scale > minimum:
            status = "failed"
            detail = f"degenerate reference output (mean |logit| {scale:.2e} <= {minimum:g}): the comparison proves nothing"
            lines.append(detail)
    if step == "weights" and comparison.passed:
        detail = f"all {len(comparison.keys)} converted keys load and match exactly"
    detail = detail or _worst_detail(worst)
    failed = [k for k in comparison.keys if not k.passed]
    divergence = _record_divergence(comparison, reference) if step in ("backward", "train") else None
    if failed:
        detail = f"{len(failed)} of {len(comparison.keys)} compared values differ; " + (
            _first_gradient(comparison) or detail)
        if step == "init":
            detail, hint = _init_detail(plan, failed, detail)
            if hint:
                lines.append(hint)
    extras = [_random_layers(notes)]
    if step in NOISE_STEPS and float64 is None:
        why = notes["torch"].get("float64") or "no float64 record"
        extras.append(f"no float32 noise floor ({why}): fixed thresholds")
    still_random = notes["torch"].get("still_random")
    if still_random:  # what differs then says nothing about the port: the reason comes first
        status = "error"
        lines.append(still_random)
        detail = f"{still_random}; {detail}" if detail else still_random
    extras = [e for e in extras if e]
    lines += extras
    if extras:
        detail = "; ".join([detail, *extras]) if detail else "; ".join(extras)
    measured = worst if worst and worst.problem is None else None
    if divergence:
        lines.append(f"first divergence: {json.dumps(divergence)}")
    return StepResult(step, status, WHAT[step], measured.max_abs if measured else None, tolerance_text, detail,
                      _write_log(plan, step, lines), seconds, noise=measured.noise if measured else None,
                      noise_ratio=measured.noise_ratio if measured else None,
                      first_divergence=divergence if status == "failed" else None)


def _judge_perf(plan: Plan, reference: dict, actual: dict, threshold: float, lines: list[str],
                seconds: dict) -> StepResult:
    """Median seconds per training iteration after warm-up, with the spread of the timed iterations; the
    same thread count on both sides, each side's framework version and device named."""
    times = {side: np.asarray(record["seconds"], dtype=np.float64) for side, record in (("torch", reference),
                                                                                        ("paddle", actual))}
    median = {side: float(np.median(t)) if t.size else float("nan") for side, t in times.items()}
    ratio = median["paddle"] / median["torch"] if median["torch"] > 0 else float("inf")
    info = {side: _read_json(plan.harness / "result" / f"{side}_side.json") or {} for side in ("torch", "paddle")}
    statuses = {side: _status(plan, "perf", side) for side in ("torch", "paddle")}
    perf = plan.config.get("perf") or {}

    def side_text(side: str) -> str:
        t = times[side] * 1000
        version = info[side].get("version")
        return (f"{side}{' ' + version if version else ''} on {statuses[side].get('device') or 'cpu'}: median "
                f"{median[side] * 1000:.3g} ms (min {t.min():.3g}, max {t.max():.3g}, {t.size} timed)")

    threads = {side: info[side].get("threads") for side in ("torch", "paddle")}
    thread_text = f"{plan.config.get('threads')} threads each" if plan.config.get("threads") else "default threads"
    detail = (f"{side_text('torch')}; {side_text('paddle')}; {thread_text}, after {perf.get('warmup', 2)} "
              "warm-up iterations")
    if threads["torch"] and threads["paddle"] and threads["torch"] != threads["paddle"]:
        detail += f" (threads differ: torch {threads['torch']}, Paddle {threads['paddle']})"
    lines.append(f"seconds per iteration: torch {list(np.round(times['torch'], 6))}, paddle "
                 f"{list(np.round(times['paddle'], 6))}")
    lines.append(f"median ratio Paddle / torch {ratio:.3f} (flag above {threshold:g}); {detail}")
    status = "passed" if ratio <= threshold else "flagged"
    return StepResult("perf", status, WHAT["perf"], ratio, f"ratio <= {threshold:g}", detail,
                      _write_log(plan, "perf", lines), seconds)


CLAMP = -64.0  # Paddle 3.3.1's CPU log_softmax floor (../shared/torch-paddle-differences.md)


def _judge_large_margin(plan: Plan, loss: StepResult) -> StepResult | None:
    """The loss on logits whose gaps exceed 64, its own row: passed when Paddle matches torch; flagged (a known
    framework limit, not a failure) when it differs from torch but matches torch's loss on log-probabilities
    clamped at -64, which is what Paddle 3.3.1's CPU log_softmax computes; failed when it matches neither."""
    name = "loss_large_margin"
    reference = _load(plan.harness / "result" / "loss_torch.npy")
    actual = _load(plan.harness / "result" / "loss_paddle.npy")
    if loss.status == "error" or reference is None or actual is None or "large_margin" not in reference:
        return None
    float64 = _load(plan.harness / "result" / "loss_float64.npy")
    gpu = _on_gpu({side: _status(plan, "loss", side) for side in ("torch", "paddle")})
    # relative too: logits of ~100s, whose float32 log-probabilities carry ~1e-6 of them
    tolerance = _tolerance(plan, "loss", _atol(plan, "loss", float(plan.config["thresholds"]["loss"]), gpu), 1e-6,
                           float64)
    plain = compare_records(reference, actual, tolerance, keys=["large_margin"], float64=float64).keys[0]
    lines = [f"[{name}] {WHAT[name]}", plain.line()]
    floor = _note(plan, "loss", "paddle").get("log_softmax_floor")
    build = (f"this Paddle build's log_softmax gives {floor:g} for a log-probability of -1000" if floor is not None
             else "")
    torch_value, paddle_value = (float(np.asarray(r["large_margin"]).reshape(-1)[0]) for r in (reference, actual))
    values = f"torch {torch_value:.6g}, Paddle {paddle_value:.6g}"
    status, detail = "passed", f"{values}: the same at margins above 64"
    if not plain.passed:
        clamped = None
        if "large_margin_clamped" in reference:
            emulated = {"large_margin": reference["large_margin_clamped"]}
            floor64 = {"large_margin": float64["large_margin_clamped"]} if float64 and "large_margin_clamped" in \
                float64 else None
            clamped = compare_records(emulated, actual, tolerance, keys=["large_margin"], float64=floor64).keys[0]
            lines.append("against torch's loss on log-probabilities clamped at -64: " + clamped.line())
        if clamped is not None and clamped.passed:
            status = "flagged"
            detail = (f"{values} (max {plain.max_abs:.3g}): KNOWN PADDLE LIMIT, not this port: Paddle's CPU "
                      f"log_softmax clamps log-probabilities near {CLAMP:g}"
                      + (f" ({build})" if build else "") + "; Paddle matches torch's loss on log-probabilities "
                      f"clamped at {CLAMP:g} (max {clamped.max_abs:.2e}). Losses of samples more than 64 below their "
                      "top logit are capped at 64 (early or diverging training, distillation with temperatures, "
                      "large vocabularies); ordinary margins: the loss row")
        else:
            status = "failed"
            detail = (f"{values}: differs from torch (max {plain.max_abs:.3g})"
                      + (f" and from torch with log-probabilities clamped at {CLAMP:g} (max {clamped.max_abs:.3g})"
                         if clamped is not None and not clamped.problem else "")
                      + ": not Paddle's log_softmax clamp, a difference of the port at large margins")
    lines.append(f"verdict: {status}: {detail}")
    measured = plain if plain.problem is None else None
    return StepResult(name, status, WHAT[name], measured.max_abs if measured else None,
                      tolerance.describe() + "; flagged when it matches the -64 clamp", detail,
                      _write_log(plan, name, lines), {}, noise=measured.noise if measured else None,
                      noise_ratio=measured.noise_ratio if measured else None)


# which of the project's code (or the config's classes) each step runs, for the table
EXERCISES = {"loss": ("loss",), "backward": ("loss", "optimizer", "scheduler"),
             "train": ("loss", "optimizer", "scheduler"), "perf": ("loss", "optimizer")}


def _exercised(plan: Plan, step: str) -> str:
    recipe = plan.config.get("recipe") or {}
    parts = [recipe[role] for role in EXERCISES.get(step, ()) if recipe.get(role)]
    cfg = plan.config
    if step in ("metric", "train") and cfg.get("metric"):
        parts.append(f"metric {cfg['metric']} (project's)" + (f", topk {tuple(cfg.get('metric_topk') or ())}"
                                                               if step == "metric" else ""))
    data = cfg.get("data") or {}
    if step in ("data", "train") and data:
        parts.append({"imagefolder": f"data image folder + {data.get('eval_transform')} (project's)",
                      "arrays": f"data {data.get('dataset')} (project's)",
                      "synthetic": f"data synthetic ({data.get('samples')} samples)"}.get(data.get("kind"), ""))
    return "; ".join(p for p in parts if p)


def _init_detail(plan: Plan, failed: list, detail: str) -> tuple[str, str]:
    """The init step's failure names the layers whose parameters differ, and the fix when it applies."""
    layers = list(dict.fromkeys(k.key.rpartition(".")[0] or k.key for k in failed))
    shown = ", ".join(layers[:6]) + (f" and {len(layers) - 6} more" if len(layers) > 6 else "")
    detail = f"layers whose initialisation differs: {shown}; {detail}"
    if _converted_with_torch_init(plan):
        return detail, ""
    hint = ("layers no init code touches start from each framework's own default: run `torch2paddle convert "
            "--torch-init` to write torch's defaults")
    return f"{detail} ({hint})", hint


def _converted_with_torch_init(plan) -> bool:
    try:
        manifest = json.loads((plan.harness.parent / "convert.json").read_text())
    except (OSError, ValueError):
        return False
    return bool(manifest.get("torch_init"))


# -- the structure table (weights step) ----------------------------------------------------------------------
def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text()) if path.is_file() else None
    except ValueError:
        return None


def _count(value) -> str:
    return "" if value is None else f"{value:,}"


def _shapes_text(shapes) -> str:
    if shapes is None:
        return "not called"
    if len(shapes) == 1:
        return str(shapes[0])
    return "(" + ", ".join(str(s) for s in shapes) + ")" if shapes else "no tensor"


def _block_names(modules: list[dict]) -> list[str]:
    """The console's rows: the model's direct children, a plain container among them (Sequential,
    ModuleList, ModuleDict) opened one level (mobilenet's `features` -> features.0 ... features.12)."""
    names = []
    for module in modules:
        if module["depth"] != 1:
            continue
        children = [m["name"] for m in modules if m["depth"] == 2 and m["name"].startswith(module["name"] + ".")]
        if module.get("container") and children:
            names += children
        else:
            names.append(module["name"])
    return names


def _structure(plan: Plan) -> dict | None:
    """Both sides' structure records side by side, matched by qualified name; mismatches listed per row."""
    sides = {side: _read_json(plan.harness / "result" / f"structure_{side}.json") for side in ("torch", "paddle")}
    if not any(sides.values()):
        return None
    by_name = {side: {m["name"]: m for m in (record or {}).get("modules", [])} for side, record in sides.items()}
    reference = sides["torch"] or sides["paddle"]
    names = [m["name"] for m in reference["modules"]]
    names += [name for record in by_name.values() for name in record if name not in set(names)]
    names = list(dict.fromkeys(names))
    rows = []
    for name in names:
        t, p = by_name["torch"].get(name), by_name["paddle"].get(name)
        row = {"module": name or "(model)", "type": (t or p)["type"], "paddle_type": p["type"] if p else None,
               "params": [t["params"] if t else None, p["params"] if p else None],
               "buffers": [t["buffers"] if t else None, p["buffers"] if p else None],
               "out_shape": [t["out_shape"] if t else None, p["out_shape"] if p else None]}
        mismatch = []
        if sides["torch"] and sides["paddle"]:
            if t is None or p is None:
                mismatch.append("only on the torch side" if p is None else "only on the Paddle side")
            else:
                for field_name in ("params", "buffers"):
                    if row[field_name][0] != row[field_name][1]:
                        mismatch.append(field_name)
                if not (sides["torch"].get("error") or sides["paddle"].get("error")) and \
                        row["out_shape"][0] != row["out_shape"][1]:
                    mismatch.append("output shape")
        row["mismatch"] = mismatch
        rows.append(row)
    blocks = set(_block_names(reference["modules"]))
    totals = {"params": [(sides[s] or {}).get("params") for s in ("torch", "paddle")],
              "buffers": [(sides[s] or {}).get("buffers") for s in ("torch", "paddle")]}
    errors = {side: record["error"] + (f" (in {record['raised_in'] or '(model)'})" if record.get("raised_in") else "")
              for side, record in sides.items() if record and record.get("error")}
    return {"totals": totals, "dropped_counters": (sides["torch"] or {}).get("dropped_counters", 0),
            "blocks": [r for r in rows if r["module"] in blocks], "modules": rows,
            "mismatches": sum(1 for r in rows if r["mismatch"]), "forward_errors": errors,
            "missing_side": [s for s, record in sides.items() if not record]}


def _structure_summary(structure: dict) -> str:
    params, buffers = structure["totals"]["params"], structure["totals"]["buffers"]
    if structure["missing_side"]:
        side = structure["missing_side"][0]
        return f"structure: the {side} side wrote none (its weights step stopped before it)"
    text = f"parameters: torch {_count(params[0])}, Paddle {_count(params[1])}"
    text += (f" (+ buffers: BN statistics, Paddle's non-trainable parameters: {_count(buffers[0])}, "
             f"{_count(buffers[1])})")
    differ = [r for r in structure["modules"] if r["mismatch"]]
    blocks = [r for r in structure["blocks"] if r["mismatch"]]
    if not differ and params[0] == params[1] and buffers[0] == buffers[1]:
        text += f"; {len(structure['blocks'])} blocks, every module's parameters and output shape match"
    else:
        first = (blocks or differ)[0]
        text += (f"; STRUCTURE DIFFERS in {len(differ)} modules ({len(blocks)} of {len(structure['blocks'])} blocks): "
                 f"first {first['module']} ({', '.join(first['mismatch'])}")
        if "output shape" in first["mismatch"]:
            text += f": {_shapes_text(first['out_shape'][0])} vs {_shapes_text(first['out_shape'][1])}"
        elif "params" in first["mismatch"]:
            text += f": {_count(first['params'][0])} vs {_count(first['params'][1])}"
        text += ")"
    for side, error in structure["forward_errors"].items():
        text += f"; no output shapes: the {side} model raised {error}"
    return text


def _structure_lines(structure: dict) -> list[str]:
    """The full table for the log: every module."""
    lines = ["", "structure (per module: trainable parameters, buffers, output shape; torch | Paddle):"]
    for r in structure["modules"]:
        flag = "  <-- " + ", ".join(r["mismatch"]) if r["mismatch"] else ""
        lines.append(f"  {r['module']} ({r['type']}): params {_count(r['params'][0])} | {_count(r['params'][1])}; "
                     f"buffers {_count(r['buffers'][0])} | {_count(r['buffers'][1])}; "
                     f"output {_shapes_text(r['out_shape'][0])} | {_shapes_text(r['out_shape'][1])}{flag}")
    t = structure["totals"]
    lines.append(f"  total: params {_count(t['params'][0])} | {_count(t['params'][1])}; "
                 f"buffers {_count(t['buffers'][0])} | {_count(t['buffers'][1])}"
                 + (f" (torch's {structure['dropped_counters']} num_batches_tracked counters not counted: Paddle has "
                    "none)" if structure.get("dropped_counters") else ""))
    return lines


# -- localisation: the first module whose output differs -------------------------------------------------------
LOCATE_STEPS = {"eval": "forward", "train": "backward"}


def _locate_modes(plan: Plan, results: dict[str, StepResult], locate: bool) -> list[str]:
    """eval when forward failed, train when backward did (both with --locate), where the harness can."""
    if not plan.config.get("model") or not (plan.harness / "torch" / LOCATE_FILE).is_file():
        return []
    modes = []
    for mode, step in LOCATE_STEPS.items():
        result = results.get(step)
        if result is None or step not in plan.steps or result.status == "skipped":
            continue
        if "timed out" in result.detail and result.status == "error":
            continue  # the trace would outlast the limit too
        if step == "backward" and _note(plan, step, "torch").get("still_random"):
            continue  # a random model: no module would match
        if locate or result.status in ("failed", "error"):
            modes.append(mode)
    return modes


def _module_name(key: str) -> str:
    return key.partition("#")[0]


def _display(key: str) -> str:
    name, _, call = key.partition("#")
    return (name or "(model)") + (f" (call {int(call) + 1})" if call else "")


def _key_result(key: str, refs: list, acts: list, floors: list | None, tolerance: Tolerance) -> KeyResult:
    """One module's outputs compared (several tensors: the worst of them)."""
    if len(refs) != len(acts):
        return KeyResult(key, False, problem=f"{len(acts)} output tensors, the reference has {len(refs)}")
    parts = []
    for i, (ref, act) in enumerate(zip(refs, acts)):
        ref64 = floors[i] if floors is not None and i < len(floors) else None
        parts.append(compare_arrays(key, ref, act, tolerance, noise_floor(ref, ref64)))
    failed = [k for k in parts if not k.passed]
    if failed:
        problems = [k for k in failed if k.problem]
        return problems[0] if problems else max(failed, key=lambda k: k.usage)
    return max(parts, key=lambda k: (k.usage, k.max_abs))


def _compare_traces(mode: str, torch_trace: dict, paddle_trace: dict, tolerance: Tolerance,
                    lines: list[str]) -> tuple[dict | None, dict]:
    """Every module the reference ran, in its execution order, against the converted model's module of the
    same qualified name (and call): the first whose output differs beyond the step's rule is the divergence."""
    ref_out, act_out = torch_trace.get("outputs") or {}, paddle_trace.get("outputs") or {}
    float64 = torch_trace.get("float64") or {}
    types, paddle_types = torch_trace.get("types") or {}, paddle_trace.get("types") or {}
    first, last_match, compared, only_torch = None, None, 0, []
    for index, key in enumerate(torch_trace.get("order") or []):
        if key not in act_out:
            only_torch.append(key)
            continue
        refs, acts = ref_out.get(key) or [], act_out[key]
        if not refs and not acts:
            continue  # no tensor output (a module returning None)
        result = _key_result(key, refs, acts, float64.get(key) if float64 else None, tolerance)
        compared += 1
        name = _module_name(key)
        in_shape = (torch_trace.get("in_shapes") or {}).get(key) or []
        out_shape = [list(np.shape(r)) for r in refs]
        floor = f", floor {result.noise:.2e} ({result.noise_ratio:.3g}x)" if result.noise_ratio is not None else ""
        how = result.problem or f"max {result.max_abs:.3e}{floor}"
        lines.append(f"  {index + 1:4d} {'ok  ' if result.passed else 'DIFF'} {_display(key)} ({types.get(name, '?')}) "
                     f"in {_shapes_text(in_shape)} -> out {_shapes_text(out_shape)}: {how}")
        if result.passed:
            if first is None:
                last_match = key
            continue
        if first is None:
            first = {"module": name or "(model)", "type": types.get(name),
                     "worst": None if result.problem else result.max_abs,
                     "shape": out_shape[0] if len(out_shape) == 1 else out_shape,
                     "input_shape": in_shape[0] if len(in_shape) == 1 else in_shape,
                     "paddle_type": paddle_types.get(name),
                     "paddle_shape": [list(np.shape(a)) for a in acts][0] if len(acts) == 1 else
                     [list(np.shape(a)) for a in acts],
                     "noise": result.noise, "noise_ratio": result.noise_ratio, "problem": result.problem,
                     "call": int(key.partition("#")[2] or 0) + 1, "position": index + 1,
                     "modules": len(torch_trace.get("order") or []),
                     "source": f"forward ({mode} mode)",
                     "last_match": None if last_match is None else {
                         "module": _module_name(last_match) or "(model)", "type": types.get(_module_name(last_match)),
                         "call": int(last_match.partition("#")[2] or 0) + 1}}
    total = len(torch_trace.get("order") or [])
    if first is None:
        first = _raised(mode, torch_trace, paddle_trace, last_match)
    summary = {"mode": mode, "modules": total, "compared": compared, "only_torch": only_torch[:20],
               "only_torch_count": len(only_torch),
               "only_paddle_count": sum(1 for k in (paddle_trace.get("order") or []) if k not in ref_out)}
    return first, summary


def _raised(mode: str, torch_trace: dict, paddle_trace: dict, last_match: str | None) -> dict | None:
    """No output differed, but a side raised: the module it raised in (the innermost one entered, not left)."""
    for side, trace in (("paddle", paddle_trace), ("torch", torch_trace)):
        if trace.get("error"):
            name = trace.get("raised_in")
            types = trace.get("types") or {}
            who = "the converted model" if side == "paddle" else "the reference model"
            return {"module": (name or "(model)") if name is not None else None,
                    "type": types.get(name) if name is not None else None, "worst": None, "shape": None,
                    "source": f"forward ({mode} mode)", "problem": f"{who} raised {trace['error']}",
                    "last_match": None if last_match is None else {
                        "module": _module_name(last_match) or "(model)",
                        "type": (torch_trace.get("types") or {}).get(_module_name(last_match))}}
    return None


def _load_divergence(mode: str, torch_trace: dict, paddle_trace: dict) -> dict | None:
    """The converted weights do not load: the first key that does not fit, in the model's order."""
    types = torch_trace.get("types") or {}
    mismatched, missing = paddle_trace.get("mismatched") or [], paddle_trace.get("missing") or []
    if mismatched:
        key, got, want = mismatched[0]
        problem = f"weight {key} has shape {got}, the layer {want}"
        if len(got) == 2 and list(got) == list(want)[::-1]:
            problem += " (transposed: a Linear weight left in torch's [out, in] layout?)"
        module = key.rpartition(".")[0]
        return {"module": module or "(model)", "type": types.get(module), "worst": None, "shape": list(got),
                "reference_shape": list(want), "parameter": key, "source": "weights", "problem": problem}
    if missing:
        module = missing[0].rpartition(".")[0]
        return {"module": module or "(model)", "type": types.get(module), "worst": None, "shape": None,
                "parameter": missing[0], "source": "weights",
                "problem": f"{missing[0]} is missing from the converted weights"}
    return {"module": None, "type": None, "worst": None, "shape": None, "source": "weights",
            "problem": paddle_trace.get("load_error")}


def _divergence_words(divergence: dict) -> str:
    """The table's words, e.g. 'first divergence (eval mode, module 13 of 200): features.1.block.1
    (SqueezeExcitation), in [4, 16, 16, 16] -> out [4, 16, 16, 16], max 4.59e-02 (3.2e+04x float32 noise);
    last match: features.1.block.1.scale_activation (Hardsigmoid)'."""
    source = divergence.get("source") or ""
    where = {"gradient": "gradient, backward order", "running_mean": "BatchNorm running mean",
             "weights": "weights"}.get(source, source.replace("forward (", "").rstrip(")"))
    if divergence.get("position") and divergence.get("modules"):
        where += f", module {divergence['position']} of {divergence['modules']}"
    module = divergence.get("module") or "?"
    kind = divergence.get("type") or divergence.get("paddle_type")
    text = f"first divergence ({where}): {module}" + (f" ({kind})" if kind else "")
    if divergence.get("call", 1) > 1:
        text += f" call {divergence['call']}"
    if divergence.get("parameter"):
        text += f", {'gradient of ' if source == 'gradient' else ''}{divergence['parameter']}"
    if divergence.get("input_shape") is not None and divergence.get("shape") is not None:
        text += f", in {divergence['input_shape']} -> out {divergence['shape']}"
    elif divergence.get("shape") is not None:
        text += f" {divergence['shape']}"
    if divergence.get("problem"):
        text += f": {divergence['problem']}"
    elif divergence.get("worst") is not None:
        text += f", max {divergence['worst']:.2e}"
        if divergence.get("noise_ratio") is not None:
            text += f" ({divergence['noise_ratio']:.2g}x float32 noise)"
    last = divergence.get("last_match")
    if last:
        text += f"; last match: {last['module']}" + (f" ({last['type']})" if last.get("type") else "")
    elif source.startswith("forward") and divergence.get("position"):
        text += "; no module matched before it"
    return text


def _exact_difference(first: list | None, second: list | None) -> float | None:
    """max |a - b| over two lists of arrays (hooks off vs on); None when either is missing."""
    if not first or not second or len(first) != len(second):
        return None
    worst = 0.0
    for a, b in zip(first, second):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return float("inf")
        if a.size:
            worst = max(worst, float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))))
    return worst


def _run_locate(plan: Plan, results: dict[str, StepResult], modes: list[str], python: str,
                on_event: Callable | None, timeout: float | None, memory_mb: float | None) -> float:
    """Run the locate step on both sides and put what it found on the forward/backward results."""
    started = time.perf_counter()
    result_dir = plan.harness / "result"
    (result_dir / "locate_request.json").write_text(json.dumps({"modes": modes}))
    for side in ("torch", "paddle"):
        (result_dir / f"locate_{side}.npy").unlink(missing_ok=True)
    problem = None
    try:
        for side in ("torch", "paddle"):
            _run_side(plan, side, ["locate"], python, on_event, timeout=timeout, memory_mb=memory_mb, label="locate")
    except HarnessError as exc:
        problem = str(exc)
    seconds = time.perf_counter() - started
    traces = {side: _load(result_dir / f"locate_{side}.npy") for side in ("torch", "paddle")}
    log_path = result_dir / "log" / "locate_diff.log"
    lines = [f"[locate] every module's output, torch | Paddle, in the reference's execution order ({', '.join(modes)})"]
    if problem is None:
        for side in ("torch", "paddle"):
            status = _status(plan, "locate", side)
            if not status.get("ok"):
                error = (status.get("error") or "").strip()
                problem = f"the {side} side's locate step failed: {error.splitlines()[-1] if error else 'no report'}"
                lines += [problem, error]
                break
    for mode in modes:
        step = LOCATE_STEPS[mode]
        target = results[step]
        info: dict = {"mode": mode, "log": str(log_path), "seconds": round(seconds, 3)}
        torch_trace = (traces["torch"] or {}).get(mode)
        paddle_trace = (traces["paddle"] or {}).get(mode)
        if problem or torch_trace is None or paddle_trace is None:
            info["problem"] = problem or "a side wrote no trace"
            target.locate = info
            target.detail += f"; localisation could not run: {info['problem']}"
            continue
        lines.append(f"\n[{mode} mode, as the {step} step]")
        divergence, summary = _locate_compare(plan, mode, target, torch_trace, paddle_trace, info, lines, modes)
        _put_divergence(target, mode, divergence, summary, info, lines, torch_trace.get("types") or {})
    log_path.write_text("\n".join(lines) + "\n")
    return seconds


def _locate_compare(plan: Plan, mode: str, target: StepResult, torch_trace: dict, paddle_trace: dict, info: dict,
                    lines: list[str], modes: list[str]):
    """Compare one mode's traces module by module (facts into ``info``): (first divergence or None, summary)."""
    step = LOCATE_STEPS[mode]
    if torch_trace.get("load_error") and not paddle_trace.get("load_error"):
        info["problem"] = f"the reference model could not be loaded: {torch_trace['load_error']}"
        return None, {}
    if paddle_trace.get("load_error"):
        lines.append(f"  the converted weights do not load: {paddle_trace['load_error']}")
        return _load_divergence(mode, torch_trace, paddle_trace), {}
    tolerance = _locate_tolerance(plan, torch_trace)
    info["tolerance"] = tolerance.describe()
    divergence, summary = _compare_traces(mode, torch_trace, paddle_trace, tolerance, lines)
    info.update(summary)
    info["hooks_changed_output"] = {side: _exact_difference(trace.get("plain"), trace.get("hooked"))
                                    for side, trace in (("torch", torch_trace), ("paddle", paddle_trace))}
    info["hooks_cost"] = {side: round(trace["hooks_cost"], 3)
                          for side, trace in (("torch", torch_trace), ("paddle", paddle_trace))
                          if trace.get("hooks_cost")}
    if torch_trace.get("float64_error"):
        info["float64"] = f"no per-module noise floors: {torch_trace['float64_error']}"
    # the locate step's own seconds per side (every mode it ran), against the step it localises
    info["locate_step_seconds"] = {side: round(float(_status(plan, "locate", side).get("seconds") or 0), 3)
                                   for side in ("torch", "paddle")}
    lines.append(f"  hooks' cost (hooked / plain forward, median of pairs): {info['hooks_cost']}; output "
                 f"changed by the hooks: {info['hooks_changed_output']}; locate step "
                 f"{info['locate_step_seconds']} s for {', '.join(modes)}, the {step} step {target.seconds} s")
    return divergence, summary


def _put_divergence(target: StepResult, mode: str, divergence, summary: dict, info: dict, lines: list[str],
                    types: dict) -> None:
    """What localisation found, on the step it localises (its detail, first divergence and log)."""
    if divergence is None and target.step == "backward" and target.first_divergence:
        divergence = dict(target.first_divergence)  # the forward matches in train mode: the gradient one
        if divergence.get("type") is None:
            divergence["type"] = types.get(divergence["module"] if divergence["module"] != "(model)" else "")
    info["first_divergence"] = divergence
    target.locate = info
    if divergence:
        target.first_divergence = divergence
        lines.append(f"  {_divergence_words(divergence)}")
        target.detail = f"{_divergence_words(divergence)}; {target.detail}"
    elif not info.get("problem"):
        target.detail += f"; localisation: all {summary.get('compared', 0)} modules match ({mode} mode)"
    else:
        target.detail += f"; localisation could not run: {info['problem']}"
    if info.get("hooks_changed_output") and any(info["hooks_changed_output"].values()):
        target.detail += f"; the hooks changed an output ({info['hooks_changed_output']}): localisation unsure"
    if target.log:
        with open(target.log, "a") as log:
            log.write(f"localisation ({mode} mode): {json.dumps(info, default=str)}\n")


def _locate_tolerance(plan: Plan, torch_trace: dict) -> Tolerance:
    """The forward step's rule for each module's output: max(atol, k x that module's float32 noise floor)."""
    gpu = _on_gpu({"torch": _status(plan, "locate", "torch"), "paddle": _status(plan, "locate", "paddle")})
    atol = _atol(plan, "forward", float(plan.config["thresholds"]["forward"]), gpu)
    return _tolerance(plan, "forward", atol, 0.0, torch_trace.get("float64"))


def verify(out_dir, steps=None, *, device: str = "auto", iterations: int = 5, thresholds: dict | None = None,
           checkpoint: str | None = None, input_shape: list[int] | None = None, config: str | None = None,
           model: str | None = None, python: str | None = None, reuse_harness: bool = False,
           on_event: Callable[[str, str, str], None] | None = None,
           on_plan: Callable[[Plan], None] | None = None, timeout: float | None = DEFAULT_TIMEOUT,
           memory_mb: float | None = None, locate: bool = False, threads: int | None = None) -> VerifyResult:
    """Run the alignment chain on the output of ``convert``; returns the structured result.

    ``timeout``: seconds each step (and each side's framework import) may take, ``None`` or 0 for no
    limit; a step that outlasts it is killed with everything it started, reported as an error, and the
    chain goes on. ``memory_mb``: a cap on each side process's data memory (Linux), so that a runaway
    step fails with MemoryError instead of meeting the out-of-memory killer. ``on_event(side, step,
    status)`` is called as each step ends, status ``ok``, ``error`` or ``timeout``.

    Localisation: when forward or backward fails (or with ``locate``), both models run again with a hook on
    every module, and the step's ``first_divergence`` names the first module, in execution order, whose
    output differs beyond the step's rule (``locate`` step, after the chain; it costs one more process per
    side).

    Raises ``HarnessError`` when verification cannot be set up or a framework is missing.
    """
    if timeout is not None and timeout < 0:
        raise ValueError(f"timeout must be >= 0 seconds (0: no limit), not {timeout}")
    if memory_mb is not None and memory_mb <= 0:
        raise ValueError(f"memory_mb must be positive, not {memory_mb}")
    started = time.perf_counter()
    if isinstance(steps, str):
        steps = parse_steps(steps)
    if reuse_harness:
        plan, problems = load_existing(Path(out_dir).resolve(), steps, model), {}
    else:
        plan = resolve(Path(out_dir).resolve(), config_path=config, steps=steps, device=device, iterations=iterations,
                       thresholds=thresholds, checkpoint=checkpoint, input_shape=input_shape, model=model,
                       threads=threads)
        problems = generate(plan)
    if on_plan:
        on_plan(plan)
    python = python or sys.executable
    results: dict[str, StepResult] = {}
    side_seconds, import_seconds = {}, {}
    if plan.steps:
        for side in ("torch", "paddle"):
            side_seconds[side], import_seconds[side] = _run_side(plan, side, plan.steps, python, on_event,
                                                                 timeout=timeout, memory_mb=memory_mb)
    for step in STEPS:
        if step in plan.skipped:
            results[step] = StepResult(step, "skipped", WHAT[step], detail=plan.skipped[step])
        elif step in plan.steps:
            results[step] = _judge(plan, step)
            if step in problems and results[step].status != "passed":
                results[step].detail += f" (the converted step script has unsupported uses: {'; '.join(problems[step])})"
            if step == "loss":
                margin = _judge_large_margin(plan, results[step])
                if margin is not None:
                    results[margin.step] = margin
    locate_seconds = None
    modes = _locate_modes(plan, results, locate)
    if modes:
        locate_seconds = _run_locate(plan, results, modes, python, on_event, timeout, memory_mb)
    ordered = [results[s] for s in ROWS if s in results]
    code = _exit_code(plan, ordered, steps)
    devices, versions, threads = _side_facts(plan)
    return VerifyResult(str(plan.harness), ordered, side_seconds, import_seconds,
                        time.perf_counter() - started, code, devices, locate_seconds,
                        model=(plan.config.get("model") or {}).get("factory"),
                        config_file=plan.config.get("config_file"), notes=dict(plan.config.get("notes") or {}),
                        versions=versions, threads=threads)


def _exit_code(plan: Plan, ordered: list[StepResult], steps: list[str] | None) -> int:
    requested = [r for r in ordered if PARENT.get(r.step, r.step) in plan.steps]
    named_but_skipped = [s for s in (steps or []) if s in plan.skipped]  # --steps named it, it could not run
    if not requested:
        return EXIT_CANNOT_RUN
    if any(r.status in ("failed", "error") for r in requested):
        return EXIT_FAILED
    return EXIT_CANNOT_RUN if named_but_skipped else EXIT_PASSED


def _side_facts(plan: Plan) -> tuple[dict, dict, dict]:
    """Each side's device, framework version and thread count, as its processes reported them."""
    devices, versions, threads = {}, {}, {}
    for side in ("torch", "paddle"):
        device = next((d for d in (_status(plan, step, side).get("device") for step in plan.steps) if d), None)
        if device:
            devices[side] = device
        info = _read_json(plan.harness / "result" / f"{side}_side.json") or {}
        if info.get("version"):
            versions[side] = info["version"]
        if "threads" in info:
            threads[side] = info["threads"]
    return devices, versions, threads


def parse_thresholds(items: list[str]) -> dict[str, float]:
    """--threshold STEP=VALUE items; a bad one raises ConfigError naming the option (exit code 2)."""
    out = {}
    for item in items:
        step, sep, value = item.partition("=")
        step = step.strip()
        if not sep or step not in THRESHOLD_KEYS:
            raise ConfigError(f"--threshold {item!r}: expected STEP=VALUE with STEP one of {', '.join(THRESHOLD_KEYS)}")
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(f"--threshold {item!r}: {value!r} is not a number (e.g. {step}=1e-4)") from None
        if not number >= 0:
            raise ConfigError(f"--threshold {item!r}: expected a number >= 0")
        out[step] = number
    return out


def parse_steps(text: str | None) -> list[str] | None:
    """--steps a,b: each name checked (ConfigError naming the option: exit code 2)."""
    if text is None:
        return None
    steps = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in steps if s not in STEPS]
    if unknown or not steps:
        raise ConfigError(f"--steps {text!r}: " + (f"unknown step {', '.join(map(repr, unknown))}; " if unknown else
                                                     "no step named; ") + f"choose from {', '.join(STEPS)}")
    return steps


def run_from_cli(args) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    console, err = Console(highlight=False), Console(stderr=True, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console = Console(highlight=False, width=160)  # logs and CI: do not fold the table to 80 columns
    try:
        thresholds, steps, shape = _cli_options(args)
    except (HarnessError, ValueError) as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        return EXIT_USAGE
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, disable=not err.is_terminal, transient=True)
    tasks = {}

    def on_plan(plan: Plan) -> None:
        model = (plan.config.get("model") or {}).get("factory")
        config_file = plan.config.get("config_file")
        err.print(f"verify: model {model or '(none)'}; config {config_file or '(none found)'}; harness {plan.harness}")
        for note in (plan.config.get("notes") or {}).values():
            err.print(f"verify: {escape(note)}")
        for side in ("torch", "paddle"):
            tasks[side] = progress.add_task(f"{side} side", total=len(plan.steps))

    def on_event(side: str, step: str, status: str) -> None:
        if step == "locate":  # after the chain: one more
            progress.update(tasks[side], total=progress.tasks[tasks[side]].total + 1)
        progress.update(tasks[side], advance=1, description=f"{side} side: {step} {status}")

    try:
        with progress:
            result = verify(args.out, steps, device=args.device, iterations=args.iterations,
                            thresholds=thresholds, checkpoint=args.checkpoint, input_shape=shape,
                            config=args.config, model=args.model, reuse_harness=args.reuse_harness, on_event=on_event,
                            on_plan=on_plan, timeout=args.timeout, memory_mb=args.memory_mb,
                            locate=getattr(args, "locate", False), threads=getattr(args, "threads", None))
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        return EXIT_USAGE
    except HarnessError as exc:
        err.print(f"[red]cannot verify:[/red] {escape(str(exc))}")
        return EXIT_CANNOT_RUN
    _print_result(console, result, args, Table, escape)
    return result.exit_code


def _cli_options(args):
    """--threshold, --steps and --input-shape parsed, the numeric options checked (ValueError/ConfigError)."""
    thresholds = parse_thresholds(args.threshold)
    steps = parse_steps(args.steps)
    try:
        shape = [int(v) for v in args.input_shape.split(",")] if args.input_shape else None
    except ValueError:
        raise ValueError(f"--input-shape {args.input_shape!r}: expected integers, e.g. 2,3,224,224") from None
    if args.timeout < 0:
        raise ValueError(f"--timeout {args.timeout:g}: expected seconds >= 0 (0: no limit)")
    if args.memory_mb is not None and args.memory_mb <= 0:
        raise ValueError(f"--memory-mb {args.memory_mb}: expected a positive number of MB")
    if getattr(args, "threads", None) is not None and args.threads < 1:
        raise ValueError(f"--threads {args.threads}: expected a positive number of threads")
    return thresholds, steps, shape


def _print_result(console, result: VerifyResult, args, Table, escape) -> None:
    """The pass/fail table, the weights structure, where the logs are, devices, versions, time, the verdict."""
    colours = {"passed": "green", "failed": "red", "error": "red", "skipped": "yellow", "flagged": "yellow"}
    table = Table(title=f"torch2paddle verify {args.out}")
    for column in ("step", "status", "compared", "worst", "float32 noise", "threshold", "code exercised", "detail"):
        table.add_column(column, overflow="fold")
    for r in result.steps:
        worst = "" if r.worst is None else f"{r.worst:.3g}"
        noise = "" if r.noise is None else f"{r.noise:.2g} (diff {r.noise_ratio:.2g}x)"
        table.add_row(r.step, f"[{colours[r.status]}]{r.status}[/]", escape(r.compared), worst, noise,
                      escape(r.threshold), escape(r.code or ""), escape(r.detail))
    console.print(table)
    weights = next((r for r in result.steps if r.step == "weights" and r.structure), None)
    if weights is not None:
        console.print(_structure_table(weights.structure, Table))
    imports = ", ".join(f"{k} {v:.1f}s" for k, v in result.import_seconds.items())
    sides = ", ".join(f"{k} {v:.1f}s" for k, v in result.side_seconds.items())
    console.print(f"harness and logs: {result.harness} (result/log/<step>_diff.log)")
    if result.devices:
        console.print("devices: " + ", ".join(f"{side} {name}" for side, name in result.devices.items()))
    if result.versions:
        console.print("versions: " + ", ".join(f"{side} {v}" for side, v in result.versions.items())
                      + "; threads: " + ", ".join(f"{side} {n}" for side, n in result.threads.items()))
    console.print(f"time: {result.wall_seconds:.1f}s in all; framework imports {imports}; steps {sides}"
                  + (f"; localisation {result.locate_seconds:.1f}s" if result.locate_seconds is not None else ""))
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(json.dumps(result.to_dict(), indent=2))
    ran = any(r.status not in ("skipped",) for r in result.steps)
    verdict = {EXIT_PASSED: "[green]PASSED[/green]", EXIT_FAILED: "[red]FAILED[/red]",
               EXIT_CANNOT_RUN: "[yellow]INCOMPLETE: a step named in --steps could not run[/yellow]" if ran
               else "[yellow]NOTHING RAN[/yellow]"}[result.exit_code]
    console.print(f"verify: {verdict}")


def _structure_table(structure: dict, Table):
    """The weights step's structure, top-level blocks only (every module: the JSON report and weights_diff.log)."""
    table = Table(title="structure (weights step): trainable parameters and output shape per block, torch | Paddle",
                  title_justify="left")
    for column in ("block", "type", "params torch", "params Paddle", "output torch", "output Paddle"):
        table.add_column(column, overflow="fold")

    def cell(text: str, bad: bool) -> str:
        return f"[red]{text} ≠[/]" if bad else text

    for row in structure["blocks"]:
        bad = set(row["mismatch"])
        whole = bool(bad & {"only on the torch side", "only on the Paddle side"})
        table.add_row(cell(row["module"], whole), row["type"],
                      cell(_count(row["params"][0]), "params" in bad), cell(_count(row["params"][1]), "params" in bad),
                      cell(_shapes_text(row["out_shape"][0]), "output shape" in bad),
                      cell(_shapes_text(row["out_shape"][1]), "output shape" in bad))
    totals = structure["totals"]
    params_bad = totals["params"][0] != totals["params"][1]
    buffers_bad = totals["buffers"][0] != totals["buffers"][1]
    table.add_row("[bold]total[/]", "", cell(_count(totals["params"][0]), params_bad),
                  cell(_count(totals["params"][1]), params_bad), "", "")
    table.add_row("buffers", "BN statistics (Paddle: non-trainable parameters)",
                  cell(_count(totals["buffers"][0]), buffers_bad), cell(_count(totals["buffers"][1]), buffers_bad),
                  "", "")
    others = structure["mismatches"] - sum(1 for r in structure["blocks"] if r["mismatch"])
    if others > 0:
        table.caption = f"{others} modules inside the blocks differ as well: see the weights step's log"
    return table
