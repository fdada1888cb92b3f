"""Step perf: time per training iteration (after warm-up, several iterations; the median is compared)."""

import time

import numpy as np
import torch

import t2p_support as support

cfg = support.CONFIG
support.seed_all(cfg["seed"])
model = support.to_device(support.load_weights(support.build_model()))
model.train()
criterion = __LOSS__
optimizer = __OPTIMIZER__
rng = np.random.RandomState(cfg["seed"])
shape = cfg["model"]["input_shape"]
inputs = support.tensor(rng.standard_normal(shape).astype(cfg["model"]["input_dtype"]))
labels = support.tensor(rng.randint(0, cfg["num_classes"], size=(shape[0],)).astype("int64"))
times = []
for i in range(cfg["perf"]["warmup"] + cfg["perf"]["iterations"]):
    support.synchronize()
    start = time.perf_counter()
    loss = criterion(model(inputs), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    support.synchronize()
    if i >= cfg["perf"]["warmup"]:
        times.append(time.perf_counter() - start)
support.record("perf", seconds=np.array(times))
