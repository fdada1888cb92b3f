"""Step metric: the project's metric function on the same logits and labels (0-d or shape-[1] values).

The inputs tell every k apart: random logits over more classes than the largest k, and each sample's label
is the class its logits rank r-th, r running over 1 .. max(k) + 2 in turn; so top-k accuracy is
k / (max(k) + 2) for each k, and a top-k computed with another k (or the smallest logits) differs.
"""

import numpy as np

import t2p_support as support

cfg = support.CONFIG
topk = tuple(cfg.get("metric_topk") or (1, 5))
rng = np.random.RandomState(cfg["seed"])
ranks = max(topk) + 2
num_classes = max(cfg.get("num_classes") or 0, ranks + 2)
samples = 4 * ranks
logits = rng.standard_normal((samples, num_classes)).astype("float32")
order = np.argsort(-logits, axis=1)
labels = order[np.arange(samples), rng.permutation(np.arange(samples) % ranks)].astype("int64")
metric = support.factory(cfg["metric"])
values = metric(support.tensor(logits), support.tensor(labels), topk=topk)
support.record("metric", **{f"top{k}": support.metric_value(value) for k, value in zip(topk, values)})
