"""Step metric: the project's metric function on the same logits and labels (0-d or shape-[1] values)."""

import numpy as np

import t2p_support as support

cfg = support.CONFIG
rng = np.random.RandomState(cfg["seed"])
num_classes = cfg["num_classes"]
logits = rng.standard_normal((16, num_classes)).astype("float32")
labels = rng.randint(0, num_classes, size=(16,)).astype("int64")
metric = support.factory(cfg["metric"])
topk = (1, min(5, num_classes))
top1, top_k = metric(support.tensor(logits), support.tensor(labels), topk=topk)
support.record("metric", top1=support.metric_value(top1), top_k=support.metric_value(top_k))
