"""Resolve the alignment config and generate the harness into OUT.

Layout (``OUT/.torch2paddle/verify``)::

    config.json              resolved entry points, thresholds, paths
    torch/NN_<step>.py       each step written once, in PyTorch (templates/)
    paddle/NN_<step>.py      the same steps converted by torch2paddle itself
    torch|paddle/t2p_support.py, run_steps.py
    weights/, data/, result/ (reprod_log records), result/log/<step>_diff.log
    result/<step>_float64.npy  the torch side's float64 rerun (forward, loss, backward, train): noise floors
    result/backward_kinks.npy  the torch side's float64 rerun with kinks' derivatives at shifted inputs: kink floors
    result/<step>_<side>.note.json  what a side noted (dropout layers disabled, why there is no float64 run)
    result/structure_<side>.json  per module: parameters, buffers, output shape (the weights step)
    torch|paddle/10_locate.py, result/locate_<side>.npy  every module's output (localisation, on demand)

Each script can be rerun alone: ``python torch/02_forward.py``.
"""

from __future__ import annotations

import ast
import json
import re
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
    "weights": ("model", "input_shape"), "forward": ("model", "input_shape"), "data": ("dataset",),
    "metric": ("metric",), "loss": ("loss", "num_classes"), "init": ("model",),
    "backward": ("model", "input_shape", "loss", "num_classes"),
    "train": ("model", "input_shape", "loss", "data"),  # data: an image folder, arrays, or synthetic
    "perf": ("model", "input_shape", "loss", "num_classes"),
}
DEPENDS = {"forward": "weights", "backward": "weights", "train": "weights", "perf": "weights"}


class HarnessError(Exception):
    """Verification cannot be set up (no convert manifest, bad config): says how to fix it."""


class ConfigError(HarnessError):
    """A bad argument or config entry (an unknown key, a value of the wrong kind): exit code 2, the key named."""


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
    a link named after the package is made in ``link_dir``. A converted single file or script
    (`convert main.py out/`) is the module ``package`` itself: its folder goes on sys.path.
    """
    if folder.is_file():  # the original of a single-file project
        if folder.stem == package:
            return folder.parent
        link_dir.mkdir(parents=True, exist_ok=True)
        link = link_dir / f"{package}.py"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(folder.resolve())
        return link_dir
    if (folder / package).is_dir() or (folder / f"{package}.py").is_file():
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


def _module_classes(tree: ast.Module) -> set[str]:
    return {n.name for n in tree.body if isinstance(n, ast.ClassDef) and any(
        (isinstance(b, ast.Attribute) and b.attr == "Module") or (isinstance(b, ast.Name) and b.id == "Module")
        for b in n.bases)}


def _required_args(args: ast.arguments, skip: int = 0) -> int:
    return len(args.args) - skip - len(args.defaults)


def infer_model_factory(source: Path, package: str) -> list[str]:
    """Top-level functions that build an nn.Module subclass, e.g. `models:resnet18`, then the nn.Module
    subclasses that need no argument (a script's `Net`), for configless runs."""
    found, classes_found = [], []
    paths = [source] if source.is_file() else sorted(source.rglob("*.py"))
    for path in paths:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, OSError):
            continue
        classes = _module_classes(tree)
        if source.is_file():
            module = package
        else:
            rel = path.relative_to(source).with_suffix("")
            module = ".".join((package, *rel.parts)).removesuffix(".__init__")
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                returns = [r for r in ast.walk(node) if isinstance(r, ast.Return) and isinstance(r.value, ast.Call)]
                builds = any(isinstance(r.value.func, ast.Name) and r.value.func.id in classes for r in returns)
                if builds and _required_args(node.args) == 0:
                    found.append(f"{module}:{node.name}")
            elif isinstance(node, ast.ClassDef) and node.name in classes and not node.name.startswith("_"):
                init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
                if init is None or _required_args(init.args, skip=1) <= 0:
                    classes_found.append(f"{module}:{node.name}")
    return found + classes_found


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


# -- the config: found, validated, resolved ---------------------------------------------------------------
THRESHOLD_KEYS = (*STEPS, "gradients", "running_stats")
CONFIG_KEYS = ("package", "model", "num_classes", "data", "metric", "loss", "optimizer", "scheduler", "noise_factor",
               "float64", "thresholds", "seed", "train_epochs", "perf", "threads", "train_rtol", "min_output_scale")
SECTION_KEYS = {
    "model": ("factory", "kwargs", "input_shape", "input_dtype"),
    "data": ("dataset", "dataset_kwargs", "tiny_dataset", "root", "train_transform", "eval_transform",
             "transform_kwargs", "batch_size", "batches", "synthetic_samples"),
    "thresholds": THRESHOLD_KEYS,
    "perf": ("warmup", "iterations"),
    "metric": ("function", "topk"),
}
RECIPE_KEYS = ("class", "factory", "kwargs")
# loss / optimizer / scheduler: where a bare class name lives, the default class, what a torch class and what
# the project's own factory is called with first
RECIPES = {
    "loss": ("torch.nn", "torch.nn.CrossEntropyLoss", "", ""),
    "optimizer": ("torch.optim", "torch.optim.SGD", "model.parameters()", "model"),
    "scheduler": ("torch.optim.lr_scheduler", "torch.optim.lr_scheduler.StepLR", "optimizer", "optimizer"),
}
DEFAULT_TOPK = (1, 5)
# what to add to the config for each thing a step needs (the skip reason says it)
NEED_HINTS = {
    "model": "model: {factory: PKG.MODULE:FACTORY} (or --model)",
    "input_shape": "model: {input_shape: [N, C, H, W]} (or --input-shape)",
    "num_classes": "num_classes: N",
    "loss": "loss: torch.nn.CrossEntropyLoss (or the project's own: loss: PKG.MODULE:BUILD_CRITERION)",
    "metric": "metric: PKG.MODULE:ACCURACY (called as accuracy(logits, labels, topk=(1, 5)))",
    "dataset": "data: {dataset: PKG.MODULE:FUNCTION} returning (inputs, labels) arrays or tensors, or an image "
               "folder (data: {root: DIR, eval_transform: PKG.MODULE:CLASS})",
    "data": "data: {dataset: PKG.MODULE:FUNCTION}, or num_classes and model.input_shape for synthetic data",
}


def _unknown_keys(mapping: dict, allowed, where: str) -> list[str]:
    import difflib

    problems = []
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), [str(a) for a in allowed], n=1, cutoff=0.6)
            problems.append(f"{where}{key}: unknown key" + (f" (did you mean {close[0]}?)" if close else "")
                            + f"; known keys: {', '.join(allowed)}")
    return problems


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate_config(user: dict, where: str) -> None:
    """Unknown keys (with the nearest known one) and values of the wrong kind, all at once: ConfigError."""
    problems = _unknown_keys(user, CONFIG_KEYS, "")
    for section in ("model", "data", "thresholds", "perf"):
        value = user.get(section)
        if value is None:
            continue
        if not isinstance(value, dict):
            problems.append(f"{section}: expected a mapping, not {type(value).__name__}")
            continue
        problems += _unknown_keys(value, SECTION_KEYS[section], f"{section}.")
    for key, value in (user.get("thresholds") or {}).items() if isinstance(user.get("thresholds"), dict) else ():
        if not _is_number(value) or value < 0:
            problems.append(f"thresholds.{key}: expected a number >= 0, not {value!r}")
    metric = user.get("metric")
    if isinstance(metric, dict):
        problems += _unknown_keys(metric, SECTION_KEYS["metric"], "metric.")
        topk = metric.get("topk")
        if topk is not None and not (isinstance(topk, list) and topk and all(isinstance(k, int) and k >= 1
                                                                            for k in topk)):
            problems.append(f"metric.topk: expected a list of integers >= 1, not {topk!r}")
    elif metric is not None and not isinstance(metric, str):
        problems.append(f"metric: expected PKG.MODULE:FUNCTION or {{function: ..., topk: [1, 5]}}, not {metric!r}")
    for role in RECIPES:
        value = user.get(role)
        if isinstance(value, dict) and ("class" in value or "factory" in value):
            problems += _unknown_keys(value, RECIPE_KEYS, f"{role}.")
        elif value is not None and not isinstance(value, (dict, str)):
            problems.append(f"{role}: expected a class or PKG.MODULE:FACTORY, or {{class: ..., kwargs: {{...}}}}, "
                            f"not {value!r}")
    model = user.get("model") if isinstance(user.get("model"), dict) else {}
    shape = model.get("input_shape")
    if shape is not None and not (isinstance(shape, list) and shape and all(isinstance(d, int) and d > 0
                                                                            for d in shape)):
        problems.append(f"model.input_shape: expected a list of positive integers, not {shape!r}")
    for section, key in (("model", "kwargs"), ("data", "transform_kwargs"), ("data", "dataset_kwargs")):
        block = user.get(section) if isinstance(user.get(section), dict) else {}
        if block.get(key) is not None and not isinstance(block.get(key), dict):
            problems.append(f"{section}.{key}: expected a mapping, not {block.get(key)!r}")
    for key in ("num_classes", "threads", "seed", "train_epochs"):
        value = user.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < (0 if key == "seed" else 1)):
            problems.append(f"{key}: expected a positive integer, not {value!r}")
    for key, value in (user.get("perf") or {}).items() if isinstance(user.get("perf"), dict) else ():
        if not isinstance(value, int) or isinstance(value, bool) or value < (0 if key == "warmup" else 1):
            problems.append(f"perf.{key}: expected an integer >= {0 if key == 'warmup' else 1}, not {value!r}")
    for key in ("noise_factor", "train_rtol", "min_output_scale"):
        if user.get(key) is not None and not _is_number(user[key]):
            problems.append(f"{key}: expected a number, not {user[key]!r}")
    if user.get("float64") is not None and not isinstance(user["float64"], bool):
        problems.append(f"float64: expected true or false, not {user['float64']!r}")
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems) if len(problems) == 1 else
                          f"{where}:\n  " + "\n  ".join(problems))


def find_config(out: Path, manifest: dict, config_path: str | None) -> Path | None:
    """--config, else the config convert recorded, else torch2paddle.yaml in or beside SRC, else in OUT (a
    config written after `convert` is found too)."""
    if config_path:
        path = Path(config_path)
        if not path.is_file():
            raise ConfigError(f"--config {config_path}: no such file")
        return path
    source = Path(manifest["source"])
    candidates = [Path(manifest["config"])] if manifest.get("config") else []
    candidates.append((source if source.is_dir() else source.parent) / CONFIG_NAME)
    if source.is_dir():
        candidates.append(source.parent / CONFIG_NAME)
    candidates.append(out / CONFIG_NAME)
    return next((c for c in candidates if c.is_file()), None)


class _Project:
    """The original project's modules, read (never imported) to resolve `PKG.MODULE:NAME` entry points."""

    def __init__(self, source: Path, package: str):
        self.source, self.package = source, package

    def _file(self, parts: list[str]) -> Path | None:
        if self.source.is_file():
            return self.source if parts == [self.package] else None
        if parts and parts[0] == self.package:
            parts = parts[1:]
        base = self.source.joinpath(*parts) if parts else self.source
        for candidate in (base.with_suffix(".py") if parts else None, base / "__init__.py"):
            if candidate is not None and candidate.is_file():
                return candidate
        return None

    def resolve(self, where: str, target: str) -> str:
        """`PKG.MODULE:NAME` (or the dotted `PKG.MODULE.NAME`, or a module relative to the package) as the
        importable name of a module of the project, checked to define NAME: ConfigError otherwise."""
        if ":" in target:
            module, _, attr = target.partition(":")
        else:
            module, _, attr = target.rpartition(".")
        if not module or not attr or not all(p.isidentifier() for p in [*module.split("."), attr]):
            raise ConfigError(f"{where}: {target!r} is not PKG.MODULE:NAME")
        parts = module.split(".")
        path = self._file(parts)
        if path is None:
            raise ConfigError(f"{where}: {target}: no module {module!r} in the project {self.source} "
                              f"(write it as PKG.MODULE:NAME, e.g. {self.package}.recipe:{attr})")
        full = module if self.source.is_file() or parts[0] == self.package else f"{self.package}.{module}"
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, OSError):
            return f"{full}:{attr}"  # it says why when imported
        names, open_ended = set(), False
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                for target_node in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                    names |= {n.id for n in ast.walk(target_node) if isinstance(n, ast.Name)}
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    open_ended |= alias.name == "*"
                    names.add((alias.asname or alias.name).split(".")[0])
            elif not isinstance(node, (ast.Expr, ast.If, ast.Try)):
                continue
        if attr not in names and not open_ended and "__getattr__" not in names:
            raise ConfigError(f"{where}: {target}: {path} defines no {attr!r}")
        return f"{full}:{attr}"


def _recipe(role: str, spec, project: _Project) -> tuple[str | None, str]:
    """(source text the harness calls, what it is in words) for the loss, the optimizer or the scheduler.

    A torch class (`torch.nn.CrossEntropyLoss`, `{class: torch.optim.SGD, kwargs: ...}`, flat kwargs for the
    default class) is written into the torch step scripts and converted with them; the project's own code
    (`PKG.MODULE:FACTORY`, or a class or function of the project, dotted or not) is called on each side from
    that side's project: the original's on torch, the converted one's on Paddle.
    """
    if spec is None:
        return None, f"no {role}"
    namespace, default_class, torch_first, project_first = RECIPES[role]
    if isinstance(spec, str):
        spec = {"class": spec}
    spec = dict(spec)
    if "class" in spec or "factory" in spec:
        if "class" in spec and "factory" in spec:
            raise ConfigError(f"{role}: give class or factory, not both")
        target, kwargs = spec.get("factory") or spec.get("class"), spec.get("kwargs") or {}
    else:
        target, kwargs = default_class, spec.pop("kwargs", spec)
    if not isinstance(target, str) or not target.strip():
        raise ConfigError(f"{role}: expected a class or PKG.MODULE:FACTORY, not {target!r}")
    if not isinstance(kwargs, dict):
        raise ConfigError(f"{role}.kwargs: expected a mapping, not {kwargs!r}")
    target = target.strip()
    arguments = [f"{k}={v!r}" for k, v in kwargs.items()]
    head = target.split(".")[0]
    if ":" not in target and (head in ("torch", "nn", "optim", "lr_scheduler") or "." not in target):
        cls = ("torch." + target if head in ("nn", "optim") else
               "torch.optim." + target if head == "lr_scheduler" else
               target if head == "torch" else f"{namespace}.{target}")
        text = f"{cls}({', '.join([torch_first, *arguments] if torch_first else arguments)})"
        return text, f"{role} {cls} (config)"
    resolved = project.resolve(role, target)
    call_args = [project_first, *arguments] if project_first else arguments
    text = f"support.factory({resolved!r})({', '.join(call_args)})"
    return text, f"{role} {resolved} (project's)"


def _metric(spec) -> tuple[str | None, list[int]]:
    if isinstance(spec, dict):
        return spec.get("function"), list(spec.get("topk") or DEFAULT_TOPK)
    return spec, list(DEFAULT_TOPK)


def default_threads() -> int:
    """Both sides' intra-op threads when neither --threads nor `threads:` says: half the CPUs this process may
    use (torch's own default counts physical cores, about half the logical ones), at least 1, at most 8. On a
    busy or small machine more threads than cores spin against each other: measured on 2 shared cores, the
    example's backward step took 38 s with 2 threads and 8 s with 1."""
    import os

    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(8, cpus // 2))


def harness_dir(out: Path, factory: str | None, default: str | None) -> Path:
    """One harness per model: the config's (or the auto-chosen) model in OUT/.torch2paddle/verify, any other
    model given with --model in verify/models/<its factory>, so that both keep their records and logs."""
    root = out / MANIFEST_DIR / "verify"
    if not factory or factory == default:
        return root
    return root / "models" / re.sub(r"[^A-Za-z0-9_.-]", "_", factory.replace(":", "."))


def _data(user_data, cfg: dict, harness: Path, project: _Project) -> dict | None:
    """The data of the data and train steps: an image folder, the project's dataset factory (arrays or
    tensors), or synthetic data from model.input_shape and num_classes."""
    data = dict(user_data or {})
    batch = {"batch_size": int(data.get("batch_size", 4)), "batches": int(data.get("batches", 4))}
    if data.get("dataset"):
        return {"kind": "arrays", "dataset": project.resolve("data.dataset", str(data["dataset"])),
                "dataset_kwargs": dict(data.get("dataset_kwargs") or {}), **batch}
    if data.get("eval_transform") and (data.get("root") or data.get("tiny_dataset")):
        data.setdefault("transform_kwargs", {})
        data.update(batch)
        data["root"] = str(Path(data["root"]).resolve()) if data.get("root") else str((harness / "data").resolve())
        data["kind"] = "imagefolder"
        return data
    if cfg.get("model") and cfg["model"].get("input_shape") and cfg.get("num_classes"):
        samples = int(data.get("synthetic_samples", 4 * batch["batch_size"]))
        return {"kind": "synthetic", "samples": samples, **batch}
    return None


def resolve(out: Path, *, config_path: str | None = None, steps: list[str] | None = None, device: str = "auto",
            iterations: int = 5, thresholds: dict[str, float] | None = None, checkpoint: str | None = None,
            input_shape: list[int] | None = None, model: str | None = None, threads: int | None = None) -> Plan:
    wanted = list(steps or STEPS)
    unknown = [s for s in wanted if s not in STEPS]
    if unknown:
        raise ConfigError(f"--steps: unknown step {', '.join(map(repr, unknown))}; choose from {', '.join(STEPS)}")
    if out.is_file():
        raise HarnessError(f"{out} is a file: verify needs the folder `convert` wrote (convert a single file into a "
                           f"folder: `torch2paddle convert main.py out/`, then `torch2paddle verify out/`)")
    manifest = _read_manifest(out)
    source = Path(manifest["source"])
    config_file = find_config(out, manifest, config_path)
    user = _user_config(config_file)
    package = user.get("package") or (source.name if source.is_dir() else source.stem)
    project = _Project(source, package)
    notes: dict[str, str] = {}
    model_cfg, default_factory = _model_config(user, source, package, model, notes)
    harness = harness_dir(out, model_cfg.get("factory"), default_factory)
    if input_shape:
        model_cfg["input_shape"] = list(input_shape)
    user_thresholds = dict(user.get("thresholds") or {})
    metric, topk = _metric(user.get("metric"))
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
        "metric": metric,
        "metric_topk": topk,
        "thresholds": dict(DEFAULT_THRESHOLDS, **user_thresholds, **(thresholds or {})),
        # thresholds the user set (config or --threshold): used as given, without the noise allowance
        "fixed_thresholds": sorted(set(user_thresholds) | set(thresholds or {})),
        "noise_factor": float(user.get("noise_factor", NOISE_FACTOR)),
        "float64": bool(user.get("float64", True)),  # false: no float64 runs (a model too big to run twice)
        "perf": {"warmup": 2, "iterations": 7, **(user.get("perf") or {})},
        # the same intra-op thread count on both sides (perf is a fair race): --threads, `threads:`, or default
        "threads": int(threads or user.get("threads") or default_threads()),
        "config_file": str(config_file.resolve()) if config_file else None,
    }
    for key in ("train_rtol", "min_output_scale"):
        if user.get(key) is not None:
            cfg[key] = float(user[key])
    if model_cfg.get("factory"):
        model_cfg.setdefault("kwargs", {})
        model_cfg.setdefault("input_dtype", "float32")
        cfg["model"] = model_cfg
        cfg["input_shape"] = bool(model_cfg.get("input_shape"))
    cfg["data"] = _data(user.get("data"), cfg, harness, project)
    cfg["dataset"] = bool(cfg["data"] and cfg["data"]["kind"] != "synthetic")
    recipe = {}
    cfg["loss"], recipe["loss"] = _recipe("loss", user.get("loss"), project)
    cfg["optimizer"], recipe["optimizer"] = _recipe("optimizer", user.get("optimizer") or {"lr": 0.01}, project)
    # no scheduler configured: none (a constant StepLR(gamma=1.0) is refused by Paddle's StepDecay)
    cfg["scheduler"], recipe["scheduler"] = _recipe("scheduler", user.get("scheduler") or None, project)
    cfg["recipe"] = recipe
    cfg["notes"] = notes
    wanted, skipped = _plan_steps(wanted, cfg, config_file)
    return Plan(harness, cfg, [s for s in wanted if s not in skipped], skipped)


def _user_config(config_file: Path | None) -> dict:
    """The verify config the user wrote (validated), {} without one."""
    try:
        user = yaml.safe_load(config_file.read_text()) if config_file else {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{config_file}: not valid YAML: {exc}") from None
    user = {} if user is None else user
    if not isinstance(user, dict):
        raise ConfigError(f"{config_file}: the config must be a mapping")
    validate_config(user, str(config_file))
    return user


def _model_config(user: dict, source: Path, package: str, model: str | None, notes: dict[str, str]):
    """The config's ``model:`` section with the factory to verify (--model, the config's, or the first the
    source suggests, noted in ``notes``); and the default factory (what the harness folder is named after)."""
    model_cfg = dict(user.get("model") or {})
    default_factory = model_cfg.get("factory")
    candidates: list[str] = []
    if not default_factory:
        candidates = infer_model_factory(source, package)
        default_factory = candidates[0] if candidates else None
    if model:
        model_cfg["factory"] = model
    elif not model_cfg.get("factory") and default_factory:
        model_cfg["factory"] = default_factory
        shown = ", ".join(candidates[:8]) + (f" and {len(candidates) - 8} more" if len(candidates) > 8 else "")
        notes["model"] = (f"no model factory in the config: using {default_factory} (found: {shown}; "
                          "choose another with --model)")
    return model_cfg, default_factory


def _plan_steps(wanted: list[str], cfg: dict, config_file: Path | None) -> tuple[list[str], dict[str, str]]:
    """The steps to run in order (with the steps they depend on) and the ones skipped, with why."""
    notes = cfg["notes"]
    for step in list(wanted):  # a step needs the weights step's output
        if step in DEPENDS and DEPENDS[step] not in wanted:
            wanted.insert(0, DEPENDS[step])
    wanted = [s for s in STEPS if s in wanted]
    skipped = {}
    for step in wanted:
        missing = [need for need in NEEDS[step] if not cfg.get(need)]
        if missing:
            where = f"{config_file}" if config_file else f"a {CONFIG_NAME} beside the source (or in OUT)"
            skipped[step] = (f"needs {', '.join(missing)}: add to {where}: "
                             + "; ".join(NEED_HINTS.get(m, m) for m in missing))
            if "model" in missing and notes.get("model") is None and not config_file:
                skipped[step] += " (no model factory found in the source)"
            if step == "data" and cfg["data"]:  # synthetic: nothing of the project's to compare
                skipped[step] = ("no dataset in the config: the train step uses synthetic data (model.input_shape, "
                                 "num_classes); to compare the project's data pipeline add " + NEED_HINTS["dataset"])
    for step, dependency in DEPENDS.items():
        if step in wanted and dependency in skipped and step not in skipped:
            skipped[step] = f"the {dependency} step was skipped"
    return wanted, skipped


def load_existing(out: Path, steps: list[str] | None, model: str | None = None) -> Plan:
    """The harness as generated (and perhaps edited by the user) before: rerun it without regenerating."""
    harness = out / MANIFEST_DIR / "verify"
    if model and not _same_model(harness, model):
        harness = harness_dir(out, model, None)
    config_file = harness / "config.json"
    if not config_file.is_file():
        raise HarnessError(f"no harness in {harness}: run `torch2paddle verify {out}` once without --reuse-harness")
    unknown = [s for s in (steps or []) if s not in STEPS]
    if unknown:
        raise ConfigError(f"--steps: unknown step {', '.join(map(repr, unknown))}; choose from {', '.join(STEPS)}")
    cfg = json.loads(config_file.read_text())
    wanted = [s for s in STEPS if s in (steps or STEPS)]
    have_weights = (harness / "weights" / "model.pdparams").is_file()
    for step in list(wanted):
        if step in DEPENDS and DEPENDS[step] not in wanted and not have_weights:
            wanted.insert(0, DEPENDS[step])
    wanted = [s for s in STEPS if s in wanted]
    clear_results(harness, wanted)
    return Plan(harness, cfg, wanted, {})


def _same_model(harness: Path, model: str) -> bool:
    try:
        return json.loads((harness / "config.json").read_text())["model"]["factory"] == model
    except (OSError, ValueError, KeyError, TypeError):
        return False


def clear_results(harness: Path, steps: list[str]) -> None:
    """Remove the records and logs of the steps about to run (and of localisation); the other steps' records
    from an earlier run stay (`--steps forward` after a full run keeps the others')."""
    result = harness / "result"
    (result / "log").mkdir(parents=True, exist_ok=True)
    for step in [*steps, "locate"]:
        for path in [*result.glob(f"{step}_*"), result / "log" / f"{step}_diff.log"]:
            if path.is_file():
                path.unlink()
    if "weights" in steps:
        for path in result.glob("structure_*.json"):
            path.unlink()
    (result / "locate_request.json").unlink(missing_ok=True)


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
    clear_results(harness, plan.steps)
    (harness / "config.json").write_text(json.dumps(plan.config, indent=2))
    shutil.copyfile(TEMPLATES / "support_torch.py", harness / "torch" / "t2p_support.py")
    shutil.copyfile(TEMPLATES / "support_paddle.py", harness / "paddle" / "t2p_support.py")
    for side in ("torch", "paddle"):  # the framework-neutral glue both sides share
        shutil.copyfile(TEMPLATES / "support_shared.py", harness / side / "t2p_shared.py")
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
