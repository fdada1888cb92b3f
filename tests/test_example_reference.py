"""The bundled PyTorch reference project (examples/mobilenetv3_ref) works as a torch project.

These tests check only the source side of the conversion: the models build and run, the
tiny dataset is deterministic, and the training script trains, checkpoints and resumes on
the CPU.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PROJECT = EXAMPLES / "mobilenetv3_ref"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("arch", ["mobilenet_v3_small", "mobilenet_v3_large"])
@pytest.mark.parametrize("num_classes", [3, 10])
def test_models_forward(arch, num_classes):
    from mobilenetv3_ref import models

    torch.manual_seed(0)
    model = getattr(models, arch)(num_classes=num_classes, dropout=0.0)
    assert isinstance(model, models.MobileNetV3)
    model.eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, 64, 64))
    assert out.shape == (2, num_classes)
    assert torch.isfinite(out).all()


def test_model_defaults():
    from mobilenetv3_ref.models import mobilenet_v3_small

    model = mobilenet_v3_small()
    assert model.classifier[-1].out_features == 1000
    assert model.classifier[2].p == 0.2
    bn = next(m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d))
    assert (bn.eps, bn.momentum) == (0.001, 0.01)


def test_tiny_dataset_is_deterministic(tmp_path):
    from mobilenetv3_ref.dataset import make_tiny_imagefolder

    a = make_tiny_imagefolder(str(tmp_path / "a"))
    b = make_tiny_imagefolder(str(tmp_path / "b"))
    da, db = _tree_digest(Path(a)), _tree_digest(Path(b))
    assert da == db
    for split, per_class in (("train", 6), ("val", 3)):
        files = [k for k in da if k.startswith(split + os.sep)]
        assert len(files) == 3 * per_class <= 20
    assert _tree_digest(Path(make_tiny_imagefolder(str(tmp_path / "c"), seed=1))) != da

    with pytest.raises(ValueError):
        make_tiny_imagefolder(str(tmp_path / "too_big"), num_classes=4, images_per_class_train=6)


def test_presets_and_imagefolder(tmp_path):
    import torchvision
    from mobilenetv3_ref import presets
    from mobilenetv3_ref.dataset import make_tiny_imagefolder

    root = make_tiny_imagefolder(str(tmp_path / "data"))
    train = torchvision.datasets.ImageFolder(
        os.path.join(root, "train"), presets.ClassificationPresetTrain(crop_size=64)
    )
    val = torchvision.datasets.ImageFolder(
        os.path.join(root, "val"), presets.ClassificationPresetEval(crop_size=64, resize_size=72)
    )
    assert len(train.classes) == 3 and len(train) == 18 and len(val) == 9
    img, label = train[0]
    assert img.shape == (3, 64, 64) and img.dtype == torch.float32 and label == 0
    img, label = val[8]
    assert img.shape == (3, 64, 64) and label == 2


def test_accuracy():
    from mobilenetv3_ref.metric import accuracy

    output = torch.tensor([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1], [0.2, 0.3, 0.5], [0.5, 0.4, 0.1]])
    target = torch.tensor([1, 2, 2, 1])
    top1, top2 = accuracy(output, target, topk=(1, 2))
    assert top1.item() == pytest.approx(50.0)
    assert top2.item() == pytest.approx(75.0)


def test_config_entry_points_resolve():
    yaml = pytest.importorskip("yaml")
    cfg = yaml.safe_load((PROJECT / "torch2paddle.yaml").read_text())
    assert cfg["package"] == "mobilenetv3_ref"
    refs = [
        cfg["model"]["factory"],
        cfg["data"]["tiny_dataset"],
        cfg["data"]["train_transform"],
        cfg["data"]["eval_transform"],
        cfg["metric"],
    ]
    for ref in refs:
        module, _, attr = ref.partition(":")
        assert callable(getattr(importlib.import_module(module), attr)), ref
    model = importlib.import_module("mobilenetv3_ref.models").mobilenet_v3_small(**cfg["model"]["kwargs"])
    with torch.no_grad():
        out = model.eval()(torch.zeros(cfg["model"]["input_shape"]))
    assert out.shape == (cfg["model"]["input_shape"][0], cfg["num_classes"])


def _run_train(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(EXAMPLES), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    # one intra-op thread: on a busy, small CI machine spinning OpenMP threads slow a tiny model down ~10x
    env.setdefault("OMP_NUM_THREADS", "1")
    proc = subprocess.run(
        [sys.executable, "-m", "mobilenetv3_ref.train", *args],
        cwd=str(EXAMPLES),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def test_train_one_epoch_then_resume(tmp_path):
    data = tmp_path / "tiny"
    out = tmp_path / "out"
    common = ["--data-path", str(data), "--batch-size", "4", "--print-freq", "100", "--output-dir", str(out)]

    proc = _run_train(*common, "--make-tiny-data", "--epochs", "1")
    assert "Test: Acc@1" in proc.stdout
    assert (out / "checkpoint.pth").is_file() and (out / "model_0.pth").is_file()
    ckpt = torch.load(out / "checkpoint.pth", map_location="cpu", weights_only=False)
    assert set(ckpt) == {"model", "optimizer", "lr_scheduler", "epoch", "args"}
    assert ckpt["epoch"] == 0

    proc = _run_train(*common, "--epochs", "2", "--resume", str(out / "checkpoint.pth"))
    assert "Epoch: [1]" in proc.stdout and "Epoch: [0]" not in proc.stdout
    assert (out / "model_1.pth").is_file()
    ckpt = torch.load(out / "checkpoint.pth", map_location="cpu", weights_only=False)
    assert ckpt["epoch"] == 1

    proc = _run_train("--data-path", str(data), "--batch-size", "4", "--resume", str(out / "model_1.pth"), "--test-only")
    assert "Test: Acc@1" in proc.stdout and "Epoch:" not in proc.stdout
