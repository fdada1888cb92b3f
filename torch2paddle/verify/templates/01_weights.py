"""Step weights: seeded non-degenerate weights (or --checkpoint), converted by torch2paddle.weights.

Then the structure table: per module its parameters, buffers and output shape on the forward step's input.
"""

import t2p_support as support

support.seed_all(support.CONFIG["seed"])
model = support.build_model()
state = support.prepare_weights(model)
support.record("weights", **state)
support.record_structure(model)
