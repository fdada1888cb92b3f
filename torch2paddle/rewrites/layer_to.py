"""``model.to(device)`` where the receiver may be a layer: the run-time ``layer_to``.

Paddle 3.3.1's ``Layer.to`` fails on a layer holding a never-initialised buffer (every RNN layer's
``_dropout_state``): "Tensor's dimension is out of bound".  ``layer_to`` leaves such buffers out of the
move and puts them back, and calls ``to`` unchanged on anything that is not a layer.  The receiver
may be a layer where the source builds a class there (``RNNModel(...).to(device)``) or binds the name to
one (``model = Net(...)`` ... ``model.to(device)``); any other receiver (a tensor) keeps ``x.to(...)``.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from ._support import may_be_layer, method


@call_rewrite("layer_to")
def layer_to(ctx) -> cst.BaseExpression:
    """``x.to(...)`` as Paddle's, or ``layer_to(model, ...)`` where the receiver may be a layer."""
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    args = ctx.map_args()
    if ctx.helper is None or not may_be_layer(ctx, ctx.receiver):
        return method(ctx.receiver, ctx.entry.target_method, args)
    first = cst.Arg(ctx.receiver, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if args
                    else cst.MaybeSentinel.DEFAULT)
    return cst.Call(func=ctx.helper("layer_to"), args=[first, *args])
