"""The flags of torch's creation functions Paddle's take no argument for: ``requires_grad=``,
``layout=`` and ``memory_format=``.

* ``requires_grad=``: ``torch.zeros(3, requires_grad=True)`` creates a leaf tensor that
  records gradients.  Paddle's creation functions (``paddle.zeros``, ``paddle.full_like``,
  ``paddle.arange``, ...) take no such argument and their results have
  ``stop_gradient=True``; ``Tensor.requires_grad_(flag)`` sets ``stop_gradient = not flag``
  and returns the tensor itself, so ``paddle.zeros([3]).requires_grad_()`` is the same
  leaf, in the same expression.  A literal ``False`` (torch's default) is dropped; a name
  or any other expression is passed to ``requires_grad_`` (evaluated once).  torch takes
  it by keyword only; through ``**kwargs`` it reaches the run-time adapter, which refuses
  anything but False (the entry's ``unsupported_args``).
* ``layout=torch.strided`` and ``memory_format=torch.preserve_format`` /
  ``torch.contiguous_format`` are torch's defaults (Paddle's tensors are all dense and
  contiguous): the argument is removed, and with it the refusal of the bare name.  A sparse
  layout (``torch.sparse_coo``, ...) is refused: Paddle would make a dense tensor.  Any other
  value is left to the entry (``channels_last`` is refused there).

One rewrite per kind of creation call: ``creation_flags`` for calls the argument pipeline
maps, and ``pack_shape_flags`` / ``full_dtype_flags`` / ``new_creation_flags`` for the
calls those rewrites convert.
"""

from __future__ import annotations

import dataclasses

import libcst as cst

from ..arguments import fix_commas, source_of
from . import CALL_REWRITES, NAME_CONVERTS, call_rewrite

_ATOMS = (cst.Call, cst.Name, cst.Attribute, cst.Subscript)
_NO_OP = {"layout": {"torch.strided"}, "memory_format": {"torch.preserve_format", "torch.contiguous_format"}}
_SPARSE = {"sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc", "_mkldnn", "jagged"}


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def split_flags(ctx):
    """(``ctx`` without the call's ``requires_grad=`` and no-op ``layout=``/``memory_format=`` keywords, the
    ``requires_grad`` value); the value is None when the call passes none or a literal False."""
    args, originals = list(ctx.call.args), list(ctx.original.args)
    paired = zip(args, originals) if len(args) == len(originals) else ((a, a) for a in args)
    keep: list[cst.Arg] = []
    requires_grad = None
    for arg, original in paired:
        name = arg.keyword.value if arg.keyword is not None else None
        if name == "requires_grad":
            requires_grad = None if source_of(arg.value).strip() == "False" else arg.value
            continue
        if name in _NO_OP:
            value = original.value
            entry = ctx.resolve(value)
            if _is_none(value) or (entry is not None and entry.name in _NO_OP[name]):
                continue  # torch's default: Paddle's tensors are dense and contiguous
            if name == "layout" and isinstance(value, cst.Attribute) and value.attr.value in _SPARSE:
                raise ctx.unsupported(f"layout={source_of(value).strip()}: Paddle's creation functions make dense tensors")
        keep.append(arg)
    if len(keep) == len(args):
        return ctx, requires_grad
    call = ctx.call.with_changes(args=fix_commas(args, keep) if keep else [])
    return dataclasses.replace(ctx, call=call), requires_grad


def with_requires_grad(result: cst.BaseExpression, value: cst.BaseExpression | None) -> cst.BaseExpression:
    """``result.requires_grad_()`` (``requires_grad_(value)`` for a value that is not the literal True)."""
    if value is None:
        return result
    if not isinstance(result, _ATOMS) and not result.lpar:
        result = result.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    args = [] if source_of(value).strip() == "True" else [cst.Arg(value=value)]
    return cst.Call(func=cst.Attribute(value=result, attr=cst.Name("requires_grad_")), args=args)


NAME_CONVERTS.add("creation_flags")  # `fill = torch.zeros_like` is paddle's function


@call_rewrite("creation_flags")
def creation_flags(ctx) -> cst.BaseExpression:
    """A creation function's requires_grad= (Paddle's take none) becomes the result's requires_grad_();
    torch's default layout/memory_format are removed."""
    ctx, value = split_flags(ctx)
    args = ctx.map_args()
    changes = {} if args else {"whitespace_before_args": cst.SimpleWhitespace("")}
    return with_requires_grad(ctx.call.with_changes(func=ctx.target(), args=args, **changes), value)


def _composed(base: str):
    def rewrite(ctx) -> cst.BaseExpression:
        ctx, value = split_flags(ctx)
        return with_requires_grad(CALL_REWRITES[base](ctx), value)

    rewrite.__name__ = rewrite.__qualname__ = f"{base}_flags"
    rewrite.__doc__ = (f"The {base!r} rewrite, with the creation function's requires_grad= (Paddle's take none) "
                       f"turned into the result's requires_grad_() and torch's default layout/memory_format removed.")
    return rewrite


for _base in ("pack_shape", "full_dtype", "new_creation"):
    call_rewrite(f"{_base}_flags")(_composed(_base))
