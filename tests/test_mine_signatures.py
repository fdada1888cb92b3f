"""tools/mine_signatures.py proposes sensible candidates for a few APIs whose mapping is known."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import pytest
import yaml

_TOOL = Path(__file__).resolve().parent.parent / "tools" / "mine_signatures.py"


@pytest.fixture(scope="module")
def miner():
    spec = importlib.util.spec_from_file_location("mine_signatures", _TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    warnings.filterwarnings("ignore")
    return module


@pytest.fixture(scope="module")
def candidates(miner):
    picks = {
        "torch.nn": ["Conv2d", "BatchNorm2d", "Module"],
        "torch": ["cat"],
        "torch.linalg": ["cross"],
        "torch.fft": ["fftshift"],
    }
    out = {}
    for namespace, names in picks.items():
        for cand in miner.mine(namespace, names=names, include_existing=True):
            out[cand.torch_name] = cand
    return out


def test_layer_names_and_attr_renames(candidates) -> None:
    conv = candidates["torch.nn.Conv2d"]
    assert conv.target == "paddle.nn.Conv2D"  # not 3.3.1's compat alias paddle.nn.Conv2d
    assert conv.rename.get("bias") == "bias_attr"  # not Conv2D's torch-compat `bias` keyword
    assert "device" in conv.unsupported_args and "device" in conv.drop


def test_batchnorm_eps_and_momentum_default(candidates) -> None:
    bn = candidates["torch.nn.BatchNorm2d"]
    assert bn.target == "paddle.nn.BatchNorm2D"
    assert bn.rename.get("eps") == "epsilon"
    assert bn.defaults.get("momentum") == "0.1"  # Paddle's default is 0.9: flagged
    assert "affine" in bn.unsupported_args  # no Paddle parameter: left for a human


def test_compat_aliases_are_not_chosen(candidates) -> None:
    assert candidates["torch.nn.Module"].target == "paddle.nn.Layer"
    cat = candidates["torch.cat"]
    assert cat.target == "paddle.concat"
    assert any("paddle.cat" in s for s in cat.compat_skipped)
    assert cat.rename == {"tensors": "x", "dim": "axis"}
    assert "out" in cat.unsupported_args  # paddle.concat's keyword-only out is a compat addition


def test_docstring_signatures_defaults_and_aliases(candidates) -> None:
    cross = candidates["torch.linalg.cross"]  # a builtin: parsed from torch's docstring
    assert cross.rename == {"input": "x", "other": "y", "dim": "axis"}
    assert cross.defaults == {"dim": "-1"}  # Paddle's axis default is 9
    shift = candidates["torch.fft.fftshift"]  # Paddle's docstring says "Alias: ``dim``"
    assert shift.rename == {"input": "x", "dim": "axes"}


def test_output_is_valid_yaml_marked_as_candidates(miner, candidates) -> None:
    text = miner.render(list(candidates.values()))
    assert text.count("# candidate: needs an example") == len(candidates)
    data = yaml.safe_load(text)
    entry = data["apis"]["torch.nn.BatchNorm2d"]
    assert entry["target"] == "paddle.nn.BatchNorm2D"
    assert entry["examples"] == []  # a pasted candidate fails test_every_entry_has_an_example
