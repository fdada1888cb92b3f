"""Step loss: the project's loss on the same logits and labels."""

import numpy as np
import torch

import t2p_support as support

cfg = support.CONFIG
rng = np.random.RandomState(cfg["seed"])
num_classes = cfg["num_classes"]
logits = rng.standard_normal((16, num_classes)).astype("float32")
labels = rng.randint(0, num_classes, size=(16,)).astype("int64")
criterion = __LOSS__
loss = criterion(support.tensor(logits), support.tensor(labels))
support.record("loss", loss=support.to_numpy(loss))
