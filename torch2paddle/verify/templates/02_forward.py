"""Step forward: both models in eval mode on the same seeded fake data; the logits are compared.

The reference side runs it again in float64 (record_float64): float32's own error there is the noise floor.
"""

import numpy as np
import torch

import t2p_support as support


def forward(model, inputs):
    with torch.no_grad():
        return {"logits": support.to_numpy(model(inputs))}


cfg = support.CONFIG
model = support.to_device(support.load_weights(support.build_model()))
model.eval()
shape = cfg["model"]["input_shape"]
inputs = support.tensor(np.random.RandomState(cfg["seed"]).standard_normal(shape).astype(cfg["model"]["input_dtype"]))
support.record("forward", **forward(model, inputs))
support.record_float64("forward", forward, support.float64_twin("forward", model), inputs)
