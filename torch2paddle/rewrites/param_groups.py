"""``optimizer.param_groups[0]["lr"]`` -> ``optimizer.get_lr()``; ``... = v`` -> ``optimizer.set_lr(v)``.

Why an access rewrite: Paddle optimizers have no ``param_groups``; the
learning rate of a single-group optimizer is read with ``get_lr()`` (which
reports the scheduled rate when a scheduler is attached, as torch's
``param_groups[0]["lr"]`` does) and set with ``set_lr()`` (Paddle refuses
``set_lr`` while a scheduler is attached: that raises, it does not silently
differ).  Any other use (another key, a loop over the groups, an augmented
assignment) is refused with the replacement to write by hand.
"""

from __future__ import annotations

import libcst as cst

from . import access_rewrite
from ._support import method

_HOWTO = (
    "Paddle optimizers have no param_groups: read the learning rate with optimizer.get_lr() and set it "
    "with optimizer.set_lr(lr)"
)


def _is_lr_of_first_group(subscripts) -> bool:
    if len(subscripts) != 2 or any(s is None for s in subscripts):
        return False
    index, key = subscripts
    return (
        isinstance(index, cst.Integer) and index.evaluated_value == 0
        and isinstance(key, cst.SimpleString) and key.evaluated_value == "lr"
    )


@access_rewrite("param_groups")
def param_groups(ctx):
    if ctx.receiver is None or not _is_lr_of_first_group(ctx.subscripts):
        raise ctx.unsupported(_HOWTO)
    if ctx.augmented:
        raise ctx.unsupported(_HOWTO + " (write optimizer.set_lr(optimizer.get_lr() * factor))")
    if ctx.value is not None:
        return cst.Expr(method(ctx.receiver, "set_lr", [cst.Arg(value=ctx.value)]))
    return method(ctx.receiver, "get_lr")
