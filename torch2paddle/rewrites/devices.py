"""Device queries whose Paddle form is an expression, not a renamed call.

``torch.cuda.is_available()`` -> ``bool(paddle.device.cuda.device_count())``:
``paddle.is_compiled_with_cuda()`` is True on a CUDA build without a GPU, and
``paddle.device.is_available()`` also counts XPUs and custom devices; the
number of visible CUDA GPUs is what torch answers (0 on a CPU-only build).
The ``bool(...)`` call keeps the result a bool and needs no parentheses
wherever the call stood.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite


@call_rewrite("cuda_is_available")
def cuda_is_available(ctx) -> cst.BaseExpression:
    if ctx.call.args:
        raise ctx.unsupported("torch.cuda.is_available() takes no arguments")
    count = cst.Call(func=ctx.render(ctx.entry.target))
    return cst.Call(func=cst.Name("bool"), args=[cst.Arg(value=count)])


@call_rewrite("default_dtype")
def default_dtype(ctx) -> cst.BaseExpression:
    """``torch.get_default_dtype()`` -> ``getattr(paddle, paddle.get_default_dtype())``.

    Why a rewrite: Paddle's ``get_default_dtype()`` returns the dtype's name (``'float32'``),
    which compares unequal to ``paddle.float32`` and cannot be passed where code passes
    torch's dtype object (``dtype=torch.get_default_dtype()``); the attribute of that name
    is the dtype object itself.
    """
    if ctx.call.args:
        raise ctx.unsupported("takes no arguments")
    getter = ctx.render(ctx.entry.target)
    module = getter.value if isinstance(getter, cst.Attribute) else None
    if module is None:
        raise ctx.unsupported("Paddle's get_default_dtype is imported by name here: write getattr(paddle, ...)")
    return cst.Call(func=cst.Name("getattr"), args=[
        cst.Arg(module, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
        cst.Arg(cst.Call(func=getter))])
