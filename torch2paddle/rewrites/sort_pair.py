"""``x.sort(dim)`` -> ``(x.sort(axis=dim), x.argsort(axis=dim))``.

torch's ``sort`` returns (values, indices); Paddle's ``sort`` returns the
values only and ``argsort`` the indices (same arguments).  Like
``reduce_with_indices`` the receiver is written twice, so a receiver that
calls something random (``torch.rand(3).sort()``) is refused.
"""

from __future__ import annotations

import re

import libcst as cst

from . import call_rewrite

_RANDOM = re.compile(r"rand|dropout|normal|uniform|bernoulli|multinomial|shuffle|perm|sample", re.IGNORECASE)


class _Calls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: list[str] = []

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        self.names.append(func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", ""))


def may_be_random(node: cst.BaseExpression) -> bool:
    calls = _Calls()
    node.visit(calls)
    return any(_RANDOM.search(name) for name in calls.names)


@call_rewrite("sort_with_indices")
def sort_with_indices(ctx) -> cst.BaseExpression:
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    if may_be_random(ctx.receiver):
        raise ctx.unsupported("the receiver would be evaluated twice and may be random; assign it to a name first")
    mapped = ctx.map_args()
    method = ctx.entry.target_method
    values = cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name(method)), args=mapped)
    indices = cst.Call(func=cst.Attribute(value=ctx.receiver, attr=cst.Name("arg" + method)), args=mapped)
    return cst.Tuple(
        elements=[cst.Element(values, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Element(indices)]
    )
