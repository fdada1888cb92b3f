"""Step loss: the project's loss on the same logits and labels (again in float64 on the reference side)."""

import numpy as np
import torch

import t2p_support as support


def compute(logits, labels):
    criterion = __LOSS__
    return {"loss": support.to_numpy(criterion(logits, labels))}


cfg = support.CONFIG
rng = np.random.RandomState(cfg["seed"])
num_classes = cfg["num_classes"]
logits = support.tensor(rng.standard_normal((16, num_classes)).astype("float32"))
labels = support.tensor(rng.randint(0, num_classes, size=(16,)).astype("int64"))
support.record("loss", **compute(logits, labels))
support.record_float64("loss", compute, logits, labels)
