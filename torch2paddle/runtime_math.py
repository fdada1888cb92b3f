"""torch functions and tensor methods Paddle has no counterpart of, composed of Paddle ops, for the generated
run-time module.

A table entry whose target is ``_torch2paddle_runtime.<name>`` names a function defined below (a tensor
method's entry receives the tensor as the first argument). Each is torch's semantics written in Paddle ops
where no single expression says it: ``torch.fmod`` (C-style remainder: Paddle's ``mod`` is Python's floor
remainder), ``torch.std_mean`` (one call, a pair) and the like. Every function carries a differential example in
its table entry.

Everything below the ``COPIED`` line is copied verbatim into ``_torch2paddle_runtime.py``
(``runtime.module_source``) when a converted file uses one of the functions defined there. Like the rest of that
module it imports nothing but the standard library when it is imported: Paddle is imported inside the functions.
"""

# ---- COPIED into _torch2paddle_runtime.py from here on (torch2paddle/runtime_math.py) ----
