"""``nn.init.xxx_(tensor, ...)`` -> ``nn.initializer.Xxx(...)(tensor)``.

torch initialises a tensor in place with a function; Paddle builds an
initializer object and calls it on the parameter.  The entry's ``args`` start
with the tensor parameter; the rest map to the initializer's constructor.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("apply_initializer")
def apply_initializer(ctx) -> cst.BaseExpression:
    args = list(ctx.call.args)
    tensor_param = ctx.entry.args[0]
    tensor = None
    for arg in args:
        if (arg.keyword is None and not arg.star and tensor is None) or (
            arg.keyword is not None and arg.keyword.value == tensor_param
        ):
            tensor = arg
            break
    if tensor is None:
        raise ctx.unsupported("the tensor to initialise is not given")
    rest = [a for a in args if a is not tensor]
    # the remaining positionals bind to the parameters after the tensor
    init_args = ctx.map_args(rest, skip=1) if rest or ctx.entry.add or ctx.entry.defaults else []
    initializer = cst.Call(func=ctx.render(ctx.entry.target), args=init_args)
    return cst.Call(func=initializer, args=[cst.Arg(value=tensor.value)])
