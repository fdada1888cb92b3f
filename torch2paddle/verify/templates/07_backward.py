"""Step backward: N iterations with the optimizer and LR scheduler on the same data and weights."""

import numpy as np
import torch

import t2p_support as support

cfg = support.CONFIG
support.seed_all(cfg["seed"])
model = support.to_device(support.load_weights(support.build_model()))
model.train()
criterion = __LOSS__
optimizer = __OPTIMIZER__
lr_scheduler = __SCHEDULER__
rng = np.random.RandomState(cfg["seed"])
shape = cfg["model"]["input_shape"]
inputs = support.tensor(rng.standard_normal(shape).astype(cfg["model"]["input_dtype"]))
labels = support.tensor(rng.randint(0, cfg["num_classes"], size=(shape[0],)).astype("int64"))
losses, lrs = [], []
for _ in range(cfg["iterations"]):
    output = model(inputs)
    loss = criterion(output, labels)
    optimizer.zero_grad()
    loss.backward()
    lrs.append(support.learning_rate(optimizer))
    optimizer.step()
    lr_scheduler.step()
    losses.append(loss.item())
# running statistics show a BatchNorm momentum mistake that train-mode losses cannot
support.record("backward", loss=np.array(losses), lr=np.array(lrs), **support.running_means(model))
