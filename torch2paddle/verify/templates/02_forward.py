"""Step forward: both models in eval mode on the same seeded fake data; the logits are compared."""

import numpy as np
import torch

import t2p_support as support

cfg = support.CONFIG
model = support.to_device(support.load_weights(support.build_model()))
model.eval()
shape = cfg["model"]["input_shape"]
inputs = np.random.RandomState(cfg["seed"]).standard_normal(shape).astype(cfg["model"]["input_dtype"])
with torch.no_grad():
    logits = model(support.tensor(inputs))
support.record("forward", logits=support.to_numpy(logits))
