"""Localisation (only after forward or backward failed, or with --locate): where the two models part.

Both models run again on the forward step's input: in eval mode (as forward) and in train mode with the
dropout-like layers in eval (as backward's first iteration). Each run goes once without hooks, then with a
hook on every module that keeps a copy of its output; the reference side also runs its float64 twin with
hooks (each module's float32 noise floor). verify compares module by module in execution order.
"""

import numpy as np

import t2p_support as support

cfg = support.CONFIG
shape = cfg["model"]["input_shape"]
traces = {}
for mode in support.locate_modes():
    support.seed_all(cfg["seed"])
    try:
        model = support.to_device(support.load_weights(support.build_model()))
    except Exception as exc:  # weights that do not fit the model: verify names the first key
        traces[mode] = support.load_failure(mode, exc)
        continue
    if mode == "train":
        model.train()
        support.disable_random_layers("locate", model)
    else:
        model.eval()
    array = np.random.RandomState(cfg["seed"]).standard_normal(shape).astype(cfg["model"]["input_dtype"])
    inputs = support.tensor(array)  # the forward step's input (and backward's: its first draw)
    traces[mode] = support.trace(mode, model, inputs)
support.record_trace(traces)
