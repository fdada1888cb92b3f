"""Step loss: the project's loss on the same logits and labels (again in float64 on the reference side).

Then the same logits scaled by 100 (gaps far above 64: where Paddle 3.3.1's CPU log_softmax clamps
log-probabilities at -64): judged apart as the `loss_large_margin` row. The reference side also computes
the loss on log-probabilities clamped at -64 (what such a kernel computes), so that verify can tell that
known limit from a difference of the port.
"""

import numpy as np
import torch

import t2p_support as support


def compute(logits, labels):
    criterion = __LOSS__
    values = {"loss": support.to_numpy(criterion(logits, labels))}
    large = logits * 100.0
    values["large_margin"] = support.to_numpy(criterion(large, labels))
    clamped = support.clamped_log_probs(large)  # the reference side only (None on the Paddle side)
    if clamped is not None:
        values["large_margin_clamped"] = support.to_numpy(criterion(clamped, labels))
    return values


cfg = support.CONFIG
rng = np.random.RandomState(cfg["seed"])
num_classes = cfg["num_classes"]
logits = support.tensor(rng.standard_normal((16, num_classes)).astype("float32"))
labels = support.tensor(rng.randint(0, num_classes, size=(16,)).astype("int64"))
support.record("loss", **compute(logits, labels))
support.record_float64("loss", compute, logits, labels)
