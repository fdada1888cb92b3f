"""Run the generated harness: the torch side, then the Paddle side, then compare.

Each side runs all its steps in one process (each framework imported once,
never both in one process, so their thread pools do not fight); this process
imports neither and compares the reprod_log records with ``compare``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .compare import Comparison, Tolerance, compare_init_stats, compare_records
from .harness import STEPS, HarnessError, Plan, generate, load_existing, resolve

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CANNOT_RUN = 4

WHAT = {
    "weights": "converted state dict loaded into the converted model (every key, exact)",
    "forward": "logits of both models in eval mode on seeded fake data",
    "data": "dataset length and the first batches of the eval pipeline (exact)",
    "metric": "top-1/top-k of the project's metric on the same logits",
    "loss": "the project's loss on the same logits and labels",
    "init": "per-parameter mean/std of freshly built models (sampling tolerance)",
    "backward": "loss and learning rate per iteration with optimizer and scheduler",
    "train": "per-iteration loss and LR of a short run on the tiny dataset, then val top-1",
    "perf": "median seconds per training iteration, Paddle / torch",
}


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


@dataclass
class VerifyResult:
    harness: str
    steps: list[StepResult]
    side_seconds: dict[str, float]
    import_seconds: dict[str, float]
    wall_seconds: float
    exit_code: int
    devices: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.exit_code == EXIT_PASSED

    def to_dict(self) -> dict:
        return asdict(self)


def _run_side(plan: Plan, side: str, steps: list[str], python: str, on_event: Callable | None) -> tuple[float, float]:
    """Run one side's steps in one process; returns (seconds running steps, seconds importing the framework)."""
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    if side == "paddle":
        env.setdefault("GLOG_minloglevel", "2")
    log_path = plan.harness / "result" / "log" / f"{side}_side.log"
    start = time.perf_counter()
    with log_path.open("w") as log:
        process = subprocess.Popen([python, str(plan.harness / side / "run_steps.py"), *steps], stdout=subprocess.PIPE,
                                   stderr=log, text=True, env=env, cwd=str(plan.harness / side))
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if line.startswith("T2P-STEP ") and on_event:
                _, step, status = line.split()
                on_event(side, step, status)
        process.wait()
    wall = time.perf_counter() - start
    side_file = plan.harness / "result" / f"{side}_side.json"
    if not side_file.is_file():  # the framework (or the harness glue) could not even be imported
        tail = log_path.read_text()[-800:].strip()
        last = tail.splitlines()[-1] if tail else ""
        if last.startswith("RuntimeError: --device"):  # the harness's own refusal: its message says it all
            raise HarnessError(f"the {side} side could not start: {last.split(': ', 1)[1]} "
                               "(--device auto uses a GPU only where both frameworks see one)")
        hint = "install both frameworks with `pip install 'torch2paddle[verify]'`" if "ModuleNotFoundError" in tail \
            else "see the log"
        raise HarnessError(f"the {side} side could not start ({hint}); {log_path}:\n{tail}")
    imported = float(json.loads(side_file.read_text())["import_seconds"])
    return wall - imported, imported


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


def _judge(plan: Plan, step: str) -> StepResult:
    thresholds = plan.config["thresholds"]
    statuses = {side: _status(plan, step, side) for side in ("torch", "paddle")}
    seconds = {side: float(s.get("seconds") or 0.0) for side, s in statuses.items()}
    for side, status in statuses.items():
        if not status["ok"]:
            error = (status.get("error") or "").strip()
            last = error.splitlines()[-1] if error else "failed"
            log = _write_log(plan, step, [f"[{step}] the {side} side raised:", error])
            return StepResult(step, "error", WHAT[step], None, "", f"{side} side: {last}", log, seconds)
    reference = _load(plan.harness / "result" / f"{step}_torch.npy")
    actual = _load(plan.harness / "result" / f"{step}_paddle.npy")
    if reference is None or actual is None:
        return StepResult(step, "error", WHAT[step], None, "", "a side wrote no record", None, seconds)
    threshold = float(thresholds[step])
    lines = [f"[{step}] {WHAT[step]}"]
    detail = ""
    if step == "perf":
        t_torch, t_paddle = float(np.median(reference["seconds"])), float(np.median(actual["seconds"]))
        ratio = t_paddle / t_torch if t_torch > 0 else float("inf")
        lines.append(f"median s/iter: torch {t_torch:.4f}, paddle {t_paddle:.4f}, ratio {ratio:.2f} (flag above {threshold:g})")
        status = "passed" if ratio <= threshold else "flagged"
        detail = f"torch {t_torch * 1000:.1f} ms, paddle {t_paddle * 1000:.1f} ms per iteration"
        return StepResult(step, status, WHAT[step], ratio, f"ratio <= {threshold:g}", detail,
                          _write_log(plan, step, lines), seconds)
    if step == "init":
        comparison = compare_init_stats(reference, actual, rel=threshold)
        tolerance_text = f"5 s.e. + {threshold:g}*std"
    elif step in ("backward", "train"):
        # a longer run on real images amplifies float noise (near-constant channels meet BatchNorm's
        # 1/sqrt(eps)): the train curve is compared with a relative tolerance as well
        rtol = float(plan.config.get("train_rtol", 0.02)) if step == "train" else 0.0
        comparison = compare_records(reference, actual, Tolerance(atol=threshold, rtol=rtol), keys=["loss"])
        lr = compare_records(reference, actual, Tolerance(atol=1e-9, rtol=1e-6), keys=["lr"])
        comparison.keys += lr.keys
        stats = [k for k in reference if k.startswith("running_mean:")]
        if stats:
            comparison.keys += compare_records(reference, actual, Tolerance(atol=plan.config["thresholds"].get(
                "running_stats", 1e-4)), keys=stats).keys
        if step == "train":
            # near-tied logits may flip one validation image after a drifting run: allow exactly one
            one_image = 100.0 / max(1, int(reference.get("val_images", 1)))
            top1 = compare_records(reference, actual, Tolerance(atol=one_image + 1e-6), keys=["top1", "val_images"])
            comparison.keys += top1.keys
        diffs = np.abs(np.asarray(reference["loss"], dtype=np.float64) - np.asarray(actual["loss"], dtype=np.float64)) \
            if np.shape(reference["loss"]) == np.shape(actual["loss"]) else None
        if diffs is not None:
            lines.append("loss diff by iteration (how it grows): " + ", ".join(f"{d:.2e}" for d in diffs))
        tolerance_text = f"loss atol={threshold:g}" + (f", rtol={rtol:g}" if rtol else "") + "; lr exact" + (
            "; BN running means atol=1e-4" if step == "backward" else "; val top-1 within one image")
    else:
        comparison = compare_records(reference, actual, Tolerance(atol=threshold))
        tolerance_text = f"atol={threshold:g}"
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
    if not detail and worst is not None:
        if worst.problem:
            detail = f"{worst.key}: {worst.problem}"
        else:
            detail = f"{worst.key}: max {worst.max_abs:.2e}, mean {worst.mean_abs:.2e}, output scale {worst.ref_scale:.2e}"
    failed = [k.key for k in comparison.keys if not k.passed]
    if failed:
        detail = f"{len(failed)} of {len(comparison.keys)} compared values differ; " + detail
        if step == "init" and not _converted_with_torch_init(plan):
            hint = ("layers no init code touches start from each framework's own default: convert with "
                    "--torch-init to write torch's defaults")
            detail += f" ({hint})"
            lines.append(hint)
    return StepResult(step, status, WHAT[step], worst.max_abs if worst and worst.problem is None else None,
                      tolerance_text, detail, _write_log(plan, step, lines), seconds)


def _converted_with_torch_init(plan) -> bool:
    try:
        manifest = json.loads((plan.harness.parent / "convert.json").read_text())
    except (OSError, ValueError):
        return False
    return bool(manifest.get("torch_init"))


def verify(out_dir, steps=None, *, device: str = "auto", iterations: int = 5, thresholds: dict | None = None,
           checkpoint: str | None = None, input_shape: list[int] | None = None, config: str | None = None,
           model: str | None = None, python: str | None = None, reuse_harness: bool = False,
           on_event: Callable[[str, str, str], None] | None = None,
           on_plan: Callable[[Plan], None] | None = None) -> VerifyResult:
    """Run the alignment chain on the output of ``convert``; returns the structured result.

    Raises ``HarnessError`` when verification cannot be set up or a framework is missing.
    """
    started = time.perf_counter()
    if isinstance(steps, str):
        steps = [s.strip() for s in steps.split(",") if s.strip()]
    if reuse_harness:
        plan, problems = load_existing(Path(out_dir).resolve(), steps), {}
    else:
        plan = resolve(Path(out_dir).resolve(), config_path=config, steps=steps, device=device, iterations=iterations,
                       thresholds=thresholds, checkpoint=checkpoint, input_shape=input_shape, model=model)
        problems = generate(plan)
    if on_plan:
        on_plan(plan)
    python = python or sys.executable
    results: dict[str, StepResult] = {}
    side_seconds, import_seconds = {}, {}
    if plan.steps:
        for side in ("torch", "paddle"):
            side_seconds[side], import_seconds[side] = _run_side(plan, side, plan.steps, python, on_event)
    for step in STEPS:
        if step in plan.skipped:
            results[step] = StepResult(step, "skipped", WHAT[step], detail=plan.skipped[step])
        elif step in plan.steps:
            results[step] = _judge(plan, step)
            if step in problems and results[step].status != "passed":
                results[step].detail += f" (the converted step script has unsupported uses: {'; '.join(problems[step])})"
    devices = {}
    for side in ("torch", "paddle"):
        for step in plan.steps:
            device = _status(plan, step, side).get("device")
            if device:
                devices[side] = device
                break
    ordered = [results[s] for s in STEPS if s in results]
    requested = [r for r in ordered if r.step in plan.steps]
    named_but_skipped = [s for s in (steps or []) if s in plan.skipped]  # --steps named it, it could not run
    if not requested:
        code = EXIT_CANNOT_RUN
    elif any(r.status in ("failed", "error") for r in requested):
        code = EXIT_FAILED
    elif named_but_skipped:
        code = EXIT_CANNOT_RUN
    else:
        code = EXIT_PASSED
    return VerifyResult(str(plan.harness), ordered, side_seconds, import_seconds,
                        time.perf_counter() - started, code, devices)


def parse_thresholds(items: list[str]) -> dict[str, float]:
    out = {}
    for item in items:
        step, sep, value = item.partition("=")
        if not sep or step not in STEPS:
            raise HarnessError(f"--threshold {item!r}: expected STEP=VALUE with STEP one of {', '.join(STEPS)}")
        out[step] = float(value)
    return out


def run_from_cli(args) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    console, err = Console(highlight=False), Console(stderr=True, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console = Console(highlight=False, width=160)  # logs and CI: do not fold the table to 80 columns
    try:
        thresholds = parse_thresholds(args.threshold)
        shape = [int(v) for v in args.input_shape.split(",")] if args.input_shape else None
    except (HarnessError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        return EXIT_USAGE
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, disable=not err.is_terminal, transient=True)
    tasks = {}

    def on_plan(plan: Plan) -> None:
        for side in ("torch", "paddle"):
            tasks[side] = progress.add_task(f"{side} side", total=len(plan.steps))

    def on_event(side: str, step: str, status: str) -> None:
        progress.update(tasks[side], advance=1, description=f"{side} side: {step} {status}")

    try:
        with progress:
            result = verify(args.out, args.steps, device=args.device, iterations=args.iterations,
                            thresholds=thresholds, checkpoint=args.checkpoint, input_shape=shape,
                            config=args.config, model=args.model, reuse_harness=args.reuse_harness, on_event=on_event,
                            on_plan=on_plan)
    except HarnessError as exc:
        err.print(f"[red]cannot verify:[/red] {exc}")
        return EXIT_CANNOT_RUN
    colours = {"passed": "green", "failed": "red", "error": "red", "skipped": "yellow", "flagged": "yellow"}
    table = Table(title=f"torch2paddle verify {args.out}")
    for column in ("step", "status", "compared", "worst", "threshold", "detail"):
        table.add_column(column, overflow="fold")
    for r in result.steps:
        worst = "" if r.worst is None else f"{r.worst:.3g}"
        table.add_row(r.step, f"[{colours[r.status]}]{r.status}[/]", r.compared, worst, r.threshold, r.detail)
    console.print(table)
    imports = ", ".join(f"{k} {v:.1f}s" for k, v in result.import_seconds.items())
    sides = ", ".join(f"{k} {v:.1f}s" for k, v in result.side_seconds.items())
    console.print(f"harness and logs: {result.harness} (result/log/<step>_diff.log)")
    if result.devices:
        console.print("devices: " + ", ".join(f"{side} {name}" for side, name in result.devices.items()))
    console.print(f"time: {result.wall_seconds:.1f}s in all; framework imports {imports}; steps {sides}")
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(json.dumps(result.to_dict(), indent=2))
    ran = any(r.status not in ("skipped",) for r in result.steps)
    verdict = {EXIT_PASSED: "[green]PASSED[/green]", EXIT_FAILED: "[red]FAILED[/red]",
               EXIT_CANNOT_RUN: "[yellow]INCOMPLETE: a step named in --steps could not run[/yellow]" if ran
               else "[yellow]NOTHING RAN[/yellow]"}[result.exit_code]
    console.print(f"verify: {verdict}")
    return result.exit_code
