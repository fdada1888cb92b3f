"""Resolve the alignment config and generate the harness into OUT.

Layout (``OUT/.torch2paddle/verify``)::

    config.json              resolved entry points, thresholds, paths
    torch/NN_<step>.py       each step written once, in PyTorch (templates/)
    paddle/NN_<step>.py      the same steps converted by torch2paddle itself
    torch|paddle/t2p_support.py, run_steps.py
    weights/, data/, result/ (reprod_log records), result/log/<step>_diff.log
    result/<step>_float64.npy  the torch side's float64 rerun (forward, loss, backward, train): noise floors
    result/<step>_<side>.note.json  what a side noted (dropout layers disabled, why there is no float64 run)
    result/structure_<side>.json  per module: parameters, buffers, output shape (the weights step)
    torch|paddle/10_locate.py, result/locate_<side>.npy  every module's output (localisation, on demand)

Each script can be rerun alone: ``python torch/02_forward.py``.
"""

from __future__ import annotations

import ast
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..convert import convert_source
from ..tree import CONFIG_NAME, MANIFEST_DIR

TEMPLATES = Path(__file__).resolve().parent / "templates"
STEPS = ("weights", "forward", "data", "metric", "loss", "init", "backward", "train", "perf")
STEP_FILES = {name: f"{i + 1:02d}_{name}.py" for i, name in enumerate(STEPS)}
# not a step of the chain: run after it, only when forward or backward failed or with --locate
LOCATE_FILE = "10_locate.py"
DEFAULT_THRESHOLDS = {
    "weights": 0.0, "forward": 1e-5, "data": 0.0, "metric": 1e-4, "loss": 1e-5,
    "init": 0.1, "backward": 1e-5, "train": 1e-3, "perf": 2.0,
}
# a difference within NOISE_FACTOR x the float32 noise floor (|torch32 - torch64|, measured in the same run)
# passes too, in the steps the torch side reruns in float64; a threshold the user gives is used as it is
NOISE_FACTOR = 10.0
# on a GPU (TF32 off, deterministic cuDNN on both sides) the absolute parts are 10x the CPU ones: two
# frameworks' GPU kernels (their own cuDNN algorithm choices, atomic reductions) are not bit-reproducible
# against each other where the noise floor of tiny values is ~0; the noise allowance is the same, measured
# on the GPU itself. A threshold the user gives is used as given on either device.
GPU_THRESHOLDS = {"forward": 1e-4, "loss": 1e-4, "backward": 1e-4, "gradients": 1e-5, "running_stats": 1e-3}
NOISE_STEPS = ("forward", "loss", "backward", "train")
# what each step needs from the config
NEEDS = {  # "input_shape": the model's fake input (init builds models only)
    "weights": ("model", "input_shape"), "forward": ("model", "input_shape"), "data": ("data",),
    "metric": ("metric", "num_classes"), "loss": ("loss", "num_classes"), "init": ("model",),
    "backward": ("model", "input_shape", "loss", "num_classes"),
    "train": ("model", "input_shape", "loss", "data", "metric"),
    "perf": ("model", "input_shape", "loss", "num_classes"),
}
DEPENDS = {"forward": "weights", "backward": "weights", "train": "weights", "perf": "weights"}


class HarnessError(Exception):
    """Verification cannot be set up (no convert manifest, bad config): says how to fix it."""


@dataclass
class Plan:
    harness: Path
    config: dict[str, Any]
    steps: list[str]
    skipped: dict[str, str] = field(default_factory=dict)


def _read_manifest(out: Path) -> dict:
    manifest = out / MANIFEST_DIR / "convert.json"
    if not manifest.is_file():
        raise HarnessError(f"{out} has no {MANIFEST_DIR}/convert.json: run `torch2paddle convert SRC {out}` first")
    return json.loads(manifest.read_text())


def _package_root(folder: Path, package: str, link_dir: Path) -> Path:
    """The folder to put on sys.path so that `import package` finds this copy.

    When the folder is the package under another name (`convert pkg /tmp/out`),
    a link named after the package is made in ``link_dir``.
    """
    if (folder / package).is_dir():
        return folder
    if folder.name == package:
        return folder.parent
    if (folder / "__init__.py").is_file():
        link_dir.mkdir(parents=True, exist_ok=True)
        link = link_dir / package
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(folder.resolve(), target_is_directory=True)
        return link_dir
    raise HarnessError(f"cannot find package {package!r} in {folder}")


def infer_model_factory(source: Path, package: str) -> list[str]:
    """Top-level functions that build an nn.Module subclass, e.g. `models:resnet18` (for configless runs)."""
    found = []
    for path in sorted(source.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, OSError):
            continue
        classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef) and any(
            (isinstance(b, ast.Attribute) and b.attr == "Module") or (isinstance(b, ast.Name) and b.id == "Module")
            for b in n.bases)}
        rel = path.relative_to(source).with_suffix("")
        module = ".".join((package, *rel.parts)).removesuffix(".__init__")
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                args = node.args
                required = len(args.args) - len(args.defaults)
                returns = [r for r in ast.walk(node) if isinstance(r, ast.Return) and isinstance(r.value, ast.Call)]
                builds = any(isinstance(r.value.func, ast.Name) and r.value.func.id in classes for r in returns)
                if builds and required == 0:
                    found.append(f"{module}:{node.name}")
    return found


def _built_with_cuda() -> dict[str, bool | None]:
    """Whether each framework's installed build has CUDA, read from its version file without importing it
    (None: cannot tell). A torch CUDA build beside a CPU-only Paddle is common (pip's default torch)."""
    import importlib.util
    import re

    found: dict[str, bool | None] = {}
    for name, relative, pattern in (("torch", "version.py", r"^cuda\s*(?::[^=]*)?=\s*(.+)$"),
                                    ("paddle", "version/__init__.py", r"^cuda_version\s*=\s*(.+)$")):
        try:
            spec = importlib.util.find_spec(name)
            folder = Path(list(spec.submodule_search_locations)[0])
            match = re.search(pattern, (folder / relative).read_text(), re.MULTILINE)
        except (ImportError, AttributeError, IndexError, TypeError, OSError, ValueError):
            match = None
        if match is None:
            found[name] = None
        else:
            value = match.group(1).strip().strip("'\"")
            found[name] = value not in ("None", "False", "")
    return found


def auto_gpu() -> tuple[bool, str]:
    """``--device auto``: may both sides use a GPU? Only when both builds have CUDA (each side still checks
    that it sees a device), so that auto never puts one side on the GPU and the other on the CPU."""
    builds = _built_with_cuda()
    cpu_only = [name for name, cuda in builds.items() if cuda is False]
    if cpu_only:
        return False, f"--device auto: CPU, since the {' and '.join(cpu_only)} build has no CUDA"
    return True, ""


def _expression(spec: dict | str | None, default_class: str, extra_first: str = "") -> str | None:
    """Source text of a constructor call from a config entry ({class, kwargs} or flat kwargs)."""
    if spec is None:
        return None
    if isinstance(spec, str):
        spec = {"class": spec}
    spec = dict(spec)
    cls = spec.pop("class", default_class)
    kwargs = spec.pop("kwargs", spec)
    parts = [extra_first] if extra_first else []
    parts += [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{cls}({', '.join(parts)})"


def resolve(out: Path, *, config_path: str | None = None, steps: list[str] | None = None, device: str = "auto",
            iterations: int = 5, thresholds: dict[str, float] | None = None, checkpoint: str | None = None,
            input_shape: list[int] | None = None, model: str | None = None) -> Plan:
    manifest = _read_manifest(out)
    source = Path(manifest["source"])
    config_file = Path(config_path) if config_path else (Path(manifest["config"]) if manifest.get("config") else None)
    if config_file is not None and not config_file.is_file():
        raise HarnessError(f"config {config_file} not found")
    user = yaml.safe_load(config_file.read_text()) if config_file else {}
    if not isinstance(user, dict):
        raise HarnessError(f"{config_file}: the config must be a mapping")
    package = user.get("package") or (source.name if source.is_dir() else source.stem)
    harness = out / MANIFEST_DIR / "verify"
    cfg: dict[str, Any] = {
        "package": package,
        "roots": {"torch": str(_package_root(source, package, harness / "import" / "torch")),
                  "paddle": str(_package_root(out.resolve(), package, harness / "import" / "paddle"))},
        "device": device,
        "auto_gpu": auto_gpu()[0] if device == "auto" else device == "gpu",
        "seed": int(user.get("seed", 0)),
        "iterations": int(iterations),
        "train_epochs": int(user.get("train_epochs", 1)),
        "checkpoint": str(Path(checkpoint).resolve()) if checkpoint else None,
        "num_classes": user.get("num_classes"),
        "metric": user.get("metric"),
        "thresholds": dict(DEFAULT_THRESHOLDS, **(user.get("thresholds") or {}), **(thresholds or {})),
        # thresholds the user set (config or --threshold): used as given, without the noise allowance
        "fixed_thresholds": sorted(set(user.get("thresholds") or {}) | set(thresholds or {})),
        "noise_factor": float(user.get("noise_factor", NOISE_FACTOR)),
        "float64": bool(user.get("float64", True)),  # false: no float64 runs (a model too big to run twice)
        "perf": {"warmup": 2, "iterations": 5, **(user.get("perf") or {})},
        "config_file": str(config_file) if config_file else None,
    }
    notes: dict[str, str] = {}
    model_cfg = dict(user.get("model") or {})
    if model:
        model_cfg["factory"] = model
    if not model_cfg.get("factory"):
        candidates = infer_model_factory(source if source.is_dir() else source.parent, package)
        if candidates:
            model_cfg["factory"] = candidates[0]
            notes["model"] = f"no config: using the model factory {candidates[0]} (found: {', '.join(candidates)})"
    if input_shape:
        model_cfg["input_shape"] = list(input_shape)
    if model_cfg.get("factory"):
        model_cfg.setdefault("kwargs", {})
        model_cfg.setdefault("input_dtype", "float32")
        cfg["model"] = model_cfg
        cfg["input_shape"] = bool(model_cfg.get("input_shape"))
    data = user.get("data")
    if data:
        data = dict(data)
        data.setdefault("transform_kwargs", {})
        data.setdefault("batch_size", 4)
        data.setdefault("batches", 4)
        data["root"] = str((harness / "data").resolve()) if data.get("tiny_dataset") and not data.get("root") else data.get("root")
        if data.get("eval_transform") and data.get("root"):
            cfg["data"] = data
    cfg["loss"] = _expression(user.get("loss"), "torch.nn.CrossEntropyLoss")
    cfg["optimizer"] = _expression(user.get("optimizer") or {"lr": 0.01}, "torch.optim.SGD", "model.parameters()")
    # no scheduler configured: none (a constant StepLR(gamma=1.0) is refused by Paddle's StepDecay)
    cfg["scheduler"] = _expression(user.get("scheduler") or None, "torch.optim.lr_scheduler.StepLR", "optimizer")

    wanted = list(steps or STEPS)
    unknown = [s for s in wanted if s not in STEPS]
    if unknown:
        raise HarnessError(f"unknown steps {unknown}; choose from {', '.join(STEPS)}")
    for step in list(wanted):  # a step needs the weights step's output
        if step in DEPENDS and DEPENDS[step] not in wanted:
            wanted.insert(0, DEPENDS[step])
    wanted = [s for s in STEPS if s in wanted]
    skipped = {}
    for step in wanted:
        missing = [need for need in NEEDS[step] if not cfg.get(need)]
        if missing:
            if config_file:
                hint = "add them to torch2paddle.yaml in the source project"
            elif missing == ["input_shape"]:
                hint = "pass --input-shape (e.g. 2,3,224,224), or write a torch2paddle.yaml"
            elif set(missing) <= {"model", "input_shape"}:
                hint = "pass --model PKG.MODULE:FACTORY and --input-shape, or write a torch2paddle.yaml"
            else:  # loss, data, metric: only a config can say them
                hint = "write a torch2paddle.yaml in the source project (see examples/mobilenetv3_ref)"
            skipped[step] = f"needs {', '.join(missing)} in the config: {hint}"
            if "model" in missing and notes.get("model") is None:
                skipped[step] += " (no model factory found)"
    for step, dependency in DEPENDS.items():
        if step in wanted and dependency in skipped and step not in skipped:
            skipped[step] = f"the {dependency} step was skipped"
    cfg["notes"] = notes
    return Plan(harness, cfg, [s for s in wanted if s not in skipped], skipped)


def load_existing(out: Path, steps: list[str] | None) -> Plan:
    """The harness as generated (and perhaps edited by the user) before: rerun it without regenerating."""
    harness = out / MANIFEST_DIR / "verify"
    config_file = harness / "config.json"
    if not config_file.is_file():
        raise HarnessError(f"no harness in {harness}: run `torch2paddle verify {out}` once without --reuse-harness")
    cfg = json.loads(config_file.read_text())
    wanted = [s for s in STEPS if s in (steps or STEPS)]
    have_weights = (harness / "weights" / "model.pdparams").is_file()
    for step in list(wanted):
        if step in DEPENDS and DEPENDS[step] not in wanted and not have_weights:
            wanted.insert(0, DEPENDS[step])
    wanted = [s for s in STEPS if s in wanted]
    shutil.rmtree(harness / "result", ignore_errors=True)
    (harness / "result" / "log").mkdir(parents=True)
    return Plan(harness, cfg, wanted, {})


def _fill(template: str, cfg: dict) -> str:
    return (template.replace("__LOSS__", cfg.get("loss") or "None")
            .replace("__OPTIMIZER__", cfg.get("optimizer") or "None")
            .replace("__SCHEDULER__", cfg.get("scheduler") or "None"))


def generate(plan: Plan) -> dict[str, list[str]]:
    """Write the harness; return the unsupported uses found while converting each step (should be none)."""
    harness = plan.harness
    for side in ("torch", "paddle"):
        if (harness / side).exists():
            shutil.rmtree(harness / side)
        (harness / side).mkdir(parents=True)
    shutil.rmtree(harness / "result", ignore_errors=True)
    (harness / "result" / "log").mkdir(parents=True)
    (harness / "config.json").write_text(json.dumps(plan.config, indent=2))
    shutil.copyfile(TEMPLATES / "support_torch.py", harness / "torch" / "t2p_support.py")
    shutil.copyfile(TEMPLATES / "support_paddle.py", harness / "paddle" / "t2p_support.py")
    for side in ("torch", "paddle"):
        shutil.copyfile(TEMPLATES / "run_steps.py", harness / side / "run_steps.py")
    problems: dict[str, list[str]] = {}
    for step, filename in [*STEP_FILES.items(), ("locate", LOCATE_FILE)]:
        text = _fill((TEMPLATES / filename).read_text(), plan.config)
        (harness / "torch" / filename).write_text(text)
        result = convert_source(text, filename)
        (harness / "paddle" / filename).write_text(result.code)
        if result.unsupported:
            problems[step] = [f"{u.api} (line {u.line}: {u.reason})" for u in result.unsupported]
    return problems
