"""A module/tensor attribute that only changes its name: ``bn.running_mean`` -> ``bn._mean``.

Reads (with any subscripts applied) and plain assignments are renamed to the
last part of the entry's target; augmented assignments are left to the user.
"""

from __future__ import annotations

import libcst as cst

from . import access_rewrite


def _renamed(node: cst.BaseExpression, name: str) -> cst.BaseExpression:
    if isinstance(node, cst.Subscript):
        return node.with_changes(value=_renamed(node.value, name))
    if isinstance(node, cst.Attribute):
        return node.with_changes(attr=cst.Name(name))
    raise ValueError("not an attribute access")


@access_rewrite("rename_attribute")
def rename_attribute(ctx):
    if ctx.receiver is None:
        raise ctx.unsupported("the attribute needs a receiver")
    new_name = ctx.entry.target.rsplit(".", 1)[1]
    if ctx.value is None:
        return _renamed(ctx.node, new_name)
    if ctx.augmented:
        raise ctx.unsupported("an augmented assignment to a renamed attribute")
    target = cst.Attribute(value=ctx.receiver, attr=cst.Name(new_name))
    for index in ctx.subscripts:
        target = cst.Subscript(value=target, slice=[cst.SubscriptElement(slice=cst.Index(value=index))])
    return cst.Assign(targets=[cst.AssignTarget(target=target)], value=ctx.value)
