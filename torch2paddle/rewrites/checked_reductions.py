"""``x.max(dim)`` / ``x.min(dim)`` with a guard for torch's other overload.

torch's ``x.max(other)`` with a tensor argument is the elementwise maximum;
the positional argument alone cannot tell a tensor from a dimension.  A
positional first argument that is not an integer literal is therefore
refused (write ``dim=`` or ``torch.maximum``).  A keyword torch does not
know (``axis=``) means the receiver is a numpy array or a Paddle tensor: the
call is left as it is.  Everything else goes to ``reduce_with_indices``.
"""

from __future__ import annotations

import libcst as cst

from . import CALL_REWRITES, call_rewrite


def _is_int_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Integer):
        return True
    return isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) and isinstance(node.expression, cst.Integer)


@call_rewrite("reduce_with_indices_checked")
def reduce_with_indices_checked(ctx) -> cst.BaseExpression:
    args = list(ctx.call.args)
    known = set(ctx.entry.args) | {"other"}
    if any(a.keyword is not None and a.keyword.value not in known for a in args):
        return ctx.call  # numpy's / Paddle's max(axis=...): not a torch call
    if args and args[0].keyword is None and (args[0].star or not _is_int_literal(args[0].value)):
        raise ctx.unsupported("a positional non-literal argument may be a tensor (elementwise max/min); pass dim= or use torch.maximum/minimum")
    if any(a.keyword is not None and a.keyword.value == "other" for a in args):
        raise ctx.unsupported("max/min(other=...) is elementwise: use torch.maximum/minimum")
    return CALL_REWRITES["reduce_with_indices"](ctx)
