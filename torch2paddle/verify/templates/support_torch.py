"""Side glue of the generated harness, torch side: paths, device, seeding, records, weights.

The step scripts beside this file are plain PyTorch; their Paddle twins are
produced by converting them with torch2paddle.  Only what is inherently
different per framework (where weights come from, device set-up) lives here.
"""

import importlib
import json
import pickle
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = json.loads((ROOT / "config.json").read_text())
SIDE = "torch"
sys.path.insert(0, CONFIG["roots"][SIDE])

import torch  # noqa: E402

if CONFIG.get("threads"):
    torch.set_num_threads(int(CONFIG["threads"]))
if CONFIG["device"] == "gpu" and not torch.cuda.is_available():
    raise RuntimeError("--device gpu: this torch build sees no CUDA device")
_USE_GPU = CONFIG["device"] == "gpu" or (CONFIG["device"] == "auto" and torch.cuda.is_available())
_DEVICE = torch.device("cuda" if _USE_GPU else "cpu")
DEVICE_NAME = torch.cuda.get_device_name(0) if _USE_GPU else "cpu"


def factory(spec):
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def seed_all(seed):
    np.random.seed(seed)
    torch.manual_seed(seed)


def to_device(obj):
    return obj.to(_DEVICE)


def tensor(array):
    return torch.from_numpy(np.ascontiguousarray(array)).to(_DEVICE)


def to_numpy(value):
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def synchronize():
    if _USE_GPU:
        torch.cuda.synchronize()


def learning_rate(optimizer):
    return float(optimizer.param_groups[0]["lr"])


def record(step, **values):
    """Save values in reprod_log's record format (a pickled dict of arrays in a .npy)."""
    out = ROOT / "result" / f"{step}_{SIDE}.npy"
    out.parent.mkdir(parents=True, exist_ok=True)
    np.save(out, {k: np.asarray(v) for k, v in values.items()}, allow_pickle=True)


def build_model(**overrides):
    kwargs = dict(CONFIG["model"]["kwargs"], **overrides)
    return factory(CONFIG["model"]["factory"])(**kwargs)


def prepare_weights(model):
    """Seeded, non-degenerate weights (or the given checkpoint) saved for both sides."""
    from torch2paddle.weights import convert_state_dict, load_torch_checkpoint, randomize_for_alignment

    weights = ROOT / "weights"
    weights.mkdir(exist_ok=True)
    if CONFIG.get("checkpoint"):
        state, _ = load_torch_checkpoint(CONFIG["checkpoint"])
        model.load_state_dict(state)
    else:
        # calibrate BatchNorm statistics on the forward step's own input: activations stay O(1) at every depth
        shape = CONFIG["model"]["input_shape"]
        inputs = np.random.RandomState(CONFIG["seed"]).standard_normal(shape).astype(CONFIG["model"]["input_dtype"])
        calibration = torch.from_numpy(inputs)
        randomize_for_alignment(model, seed=CONFIG["seed"], calibration_input=calibration)
    torch.save(model.state_dict(), weights / "model.pth")
    converted, report = convert_state_dict(model)
    with open(weights / "model.pdparams", "wb") as fh:  # paddle.load reads a pickled dict of arrays
        pickle.dump(converted, fh, protocol=4)
    (weights / "conversion_report.txt").write_text(report.summary())
    return {k: converted[k] for k in sorted(converted)}


def load_weights(model):
    model.load_state_dict(torch.load(ROOT / "weights" / "model.pth", map_location="cpu"))
    return model


def dataset_root():
    """The image folder of the data/train steps; the tiny one is generated here (torch runs first)."""
    data = CONFIG["data"]
    root = Path(data["root"])
    if not (root / "train").is_dir() and data.get("tiny_dataset"):
        factory(data["tiny_dataset"])(str(root))
    return str(root)


def trainable_parameters(model):
    return [(name, p) for name, p in model.named_parameters() if p.requires_grad]


def running_means(model):
    from torch.nn.modules.batchnorm import _BatchNorm

    return {f"running_mean:{name}": m.running_mean.detach().cpu().numpy()
            for name, m in model.named_modules() if isinstance(m, _BatchNorm) and m.running_mean is not None}
