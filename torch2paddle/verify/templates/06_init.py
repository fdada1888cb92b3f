"""Step init: freshly built models (no weight copy): per-parameter mean, std and size."""

import numpy as np

import t2p_support as support

support.seed_all(support.CONFIG["seed"])
model = support.build_model()
stats = {}
for name, param in support.trainable_parameters(model):
    values = support.to_numpy(param).astype("float64")
    stats[name] = np.array([values.mean(), values.std(), values.size])
support.record("init", **stats)
