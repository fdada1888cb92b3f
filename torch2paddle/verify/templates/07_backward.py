"""Step backward: N iterations with the optimizer (and LR scheduler, if any) on the same data and weights.

Iteration 1's gradients are recorded per parameter; the reference side runs the same iterations again
in float64 from the same start (the noise floor of each gradient and of the loss trajectory), and once more
in float64 with each kinked activation's derivative taken at an input shifted by float32's noise there (the
kink floor: how far the gradients move when a kink within float32 rounding falls on the other side). Dropout-like
layers are put in eval mode on both sides: each framework would draw its own masks.
"""

import numpy as np
import torch

import t2p_support as support


def run(model, inputs, labels):
    criterion = __LOSS__
    optimizer = __OPTIMIZER__
    lr_scheduler = __SCHEDULER__
    losses, lrs, grads = [], [], {}
    for i in range(cfg["iterations"]):
        output = model(inputs)
        loss = criterion(output, labels)
        optimizer.zero_grad()
        loss.backward()
        if i == 0:
            grads = support.gradients(model)
        lrs.append(support.learning_rate(optimizer))
        optimizer.step()
        if lr_scheduler is not None:
            lr_scheduler.step()
        losses.append(loss.item())
    # running statistics show a BatchNorm momentum mistake that train-mode losses cannot
    return dict(loss=np.array(losses), lr=np.array(lrs), **grads, **support.running_means(model))


cfg = support.CONFIG
support.seed_all(cfg["seed"])
model = support.to_device(support.load_weights(support.build_model()))
model.train()
rng = np.random.RandomState(cfg["seed"])
shape = cfg["model"]["input_shape"]
inputs = support.tensor(rng.standard_normal(shape).astype(cfg["model"]["input_dtype"]))
labels = support.tensor(rng.randint(0, cfg["num_classes"], size=(shape[0],)).astype("int64"))
support.disable_random_layers("backward", model, inputs)
twin = support.float64_twin("backward", model)  # before training: the float64 run starts where this one does
kinks = support.kink_twin("backward", model, inputs)  # float64, derivatives of kinks at float32-noise-shifted inputs
support.record("backward", **run(model, inputs, labels))
support.record_float64("backward", run, twin, inputs, labels)
support.record_float64("backward", run, kinks, inputs, labels, name="backward_kinks")
