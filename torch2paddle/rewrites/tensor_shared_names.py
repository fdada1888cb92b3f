"""Tensor attributes whose name Paddle's Tensor has too (access rewrites).

A name on both Tensors with no table entry would pass through with Paddle's meaning; these rewrites say, per
entry, what each such attribute becomes:

* ``same_attribute``: ``x.grad`` / ``x.is_leaf`` / ``x.itemsize`` stay as written: Paddle's attribute means
  torch's (the entry's examples prove it).  Nothing is rewritten or reported, on any receiver.
* ``refused_on_tensors``: ``x.name`` / ``x.layout`` mean something else on a Paddle Tensor (a generated name, a
  data layout such as ``"NCHW"``).  On a receiver known to be a tensor the use is reported unsupported with the
  entry's note as the reason; on any other receiver (``args.name``, ``self.layout``, a project's own objects,
  which these everyday names mostly are) it stays as written.
* ``attribute_to_method``: ``x.is_sparse`` -> ``x.is_sparse_coo()``: torch's property is a method in Paddle
  (Paddle's ``is_sparse`` is a method too, so ``x.is_sparse`` there is a bound method, always truthy).
"""

from __future__ import annotations

import libcst as cst

from . import access_rewrite
from ._support import plain_read


@access_rewrite("same_attribute")
def same_attribute(ctx):
    """Paddle's attribute of the same name means torch's: left as written (reads, assignments, loops)."""
    return None


@access_rewrite("refused_on_tensors")
def refused_on_tensors(ctx):
    """Refused (the entry's note is the reason) on a receiver known to be a tensor, left as written elsewhere."""
    if ctx.receiver_kind == "tensor":
        raise ctx.unsupported(ctx.entry.note or f"Paddle's Tensor.{ctx.entry.method_name} means something else")
    return None


@access_rewrite("attribute_to_method")
def attribute_to_method(ctx):
    """``x.<attr>`` -> ``x.<target method>()``: a read-only torch property that is a method in Paddle."""
    plain_read(ctx, ctx.entry.method_name)
    return cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name(ctx.entry.target_method)), args=[])
