"""``x.view(...)``: a shape (-> ``x.reshape([...])``, like ``pack_shape``) or a dtype.

``x.view(torch.int32)`` reinterprets the bytes; Paddle's ``x.view(dtype)`` does
the same (``reshape`` would fail on a dtype).  The single argument counts as a
dtype when it names a torch dtype the tables map; a numpy dtype
(``arr.view(np.int32)``) means the receiver is a numpy array, left as it is.
"""

from __future__ import annotations

import libcst as cst

from . import CALL_REWRITES, call_rewrite

_DTYPES = {
    "float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64", "uint8", "bool",
    "complex64", "complex128",
}


@call_rewrite("view_shape_or_dtype")
def view_shape_or_dtype(ctx) -> cst.BaseExpression:
    args = ctx.original.args
    if len(args) == 1 and (args[0].keyword is None or args[0].keyword.value == "dtype") and not args[0].star:
        entry = ctx.resolve(args[0].value)
        if entry is not None and entry.kind == "attribute" and entry.target and entry.target.rsplit(".", 1)[-1] in _DTYPES:
            if ctx.receiver is None:
                raise ctx.unsupported("needs a receiver")
            converted = ctx.call.args[0].value
            return cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name("view")), args=[cst.Arg(value=converted)])
        if isinstance(args[0].value, cst.Attribute):
            root = args[0].value
            while isinstance(root, cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name) and root.value in ("np", "numpy"):
                return ctx.call
            if isinstance(root, cst.Name) and root.value == "paddle" and args[0].value.attr.value in _DTYPES:
                return ctx.call  # x.view(paddle.uint8): already Paddle's view(dtype) (a file converted before)
    return CALL_REWRITES["pack_shape"](ctx)
