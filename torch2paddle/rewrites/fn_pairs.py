"""Function forms whose torch result is a pair Paddle computes with two calls.

* ``max_min_function``: ``torch.max(x, dim)`` -> ``(paddle.max(x, axis=dim),
  paddle.argmax(x, axis=dim))`` (torch returns (values, indices));
  ``torch.max(x)`` -> ``paddle.max(x)``; ``torch.max(x, other)`` with a
  tensor -> ``paddle.maximum(x, other)`` (``paddle.logical_or`` when both are bool tensors,
  comparisons: Paddle's maximum has no bool kernel).  The second positional argument
  decides: an int literal is a dim; a slice (``b[:, :2]``) or a torch call
  is a tensor; anything else (a plain name) cannot be told apart and is
  refused (write ``dim=`` or ``torch.maximum``).
* ``sort_function``: ``torch.sort(x, ...)`` -> ``(paddle.sort(x, ...),
  paddle.argsort(x, ...))``.
* ``aminmax_pair``: ``torch.aminmax(x, dim=d)`` -> ``(paddle.amin(x, axis=d),
  paddle.amax(x, axis=d))``.

The input is written twice, so an input that calls something random is
refused.  The tuple has no ``.values``/``.indices`` attributes (index it).
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from .fn_binding import int_value, may_be_random, tuple_of

_ELEMENTWISE = {"paddle.max": "paddle.maximum", "paddle.min": "paddle.minimum"}
# torch's maximum/minimum of two bool tensors is their or/and; Paddle's kernels take no bool
_BOOLEAN = {"paddle.maximum": "paddle.logical_or", "paddle.minimum": "paddle.logical_and"}
_BOOLEAN_CALLS = {"logical_and", "logical_or", "logical_not", "logical_xor", "isnan", "isinf", "isfinite", "equal",
                  "not_equal", "less_than", "less_equal", "greater_than", "greater_equal", "isclose", "isin"}
_SECOND = {"paddle.max": "paddle.argmax", "paddle.min": "paddle.argmin", "paddle.sort": "paddle.argsort",
           "paddle.amin": "paddle.amax"}


def _slices(node: cst.Subscript) -> bool:
    for element in node.slice:
        part = element.slice
        if isinstance(part, cst.Slice):
            return True
        if isinstance(part, cst.Index) and (
            (isinstance(part.value, cst.Name) and part.value.value == "None") or isinstance(part.value, cst.Ellipsis)
        ):
            return True
    return False


def _second_kind(ctx, node: cst.BaseExpression) -> str | None:
    """'dim', 'tensor' or None (cannot tell)."""
    if int_value(node) is not None:
        return "dim"
    if isinstance(node, cst.Subscript) and _slices(node):
        return "tensor"
    if isinstance(node, cst.Call) and ctx.resolve(node.func) is not None:
        return "tensor"
    return None


def _input_of(ctx, args) -> cst.BaseExpression | None:
    for arg in args:
        if arg.keyword is None and not arg.star:
            return arg.value
        if arg.keyword is not None and arg.keyword.value == ctx.entry.args[0]:
            return arg.value
    return None


def _pair(ctx, first: str, second: str) -> cst.Tuple:
    source = _input_of(ctx, ctx.call.args)
    if source is not None and may_be_random(source):
        raise ctx.unsupported("the input would be evaluated twice and may be random; assign it to a name first")
    mapped = ctx.map_args()
    return tuple_of(cst.Call(func=ctx.render(first), args=mapped), cst.Call(func=ctx.render(second), args=mapped))


@call_rewrite("max_min_function")
def max_min_function(ctx) -> cst.BaseExpression:
    target = ctx.entry.target
    args, original = list(ctx.call.args), list(ctx.original.args)
    if any(a.star for a in args):
        raise ctx.unsupported("*args: cannot tell a dim from a tensor")
    positional = [i for i, a in enumerate(args) if a.keyword is None]
    keywords = {a.keyword.value: a for a in args if a.keyword is not None}
    kind = _second_kind(ctx, original[positional[1]].value) if len(positional) >= 2 else None
    if "other" in keywords or kind == "tensor":
        if len(args) != 2:
            raise ctx.unsupported("the elementwise form takes the input and the other tensor only")
        return _elementwise(ctx, _ELEMENTWISE[target], [a.value for a in args])
    if len(positional) >= 2 and kind != "dim":
        raise ctx.unsupported(
            "the second argument may be a dim (values, indices) or a tensor (elementwise); "
            "pass dim= or use torch.maximum/torch.minimum"
        )
    if len(positional) < 2 and "dim" not in keywords:
        return cst.Call(func=ctx.target(), args=ctx.map_args())
    return _pair(ctx, target, _SECOND[target])


def _is_boolean(node: cst.BaseExpression) -> bool:
    """A converted operand that is a bool tensor: a comparison, ``~b`` of one, a Paddle predicate call."""
    if isinstance(node, cst.Comparison):
        return True
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.BitInvert):
        return _is_boolean(node.expression)
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in _BOOLEAN_CALLS)


def _elementwise(ctx, target: str, values: list[cst.BaseExpression]) -> cst.Call:
    """``paddle.maximum(a, b)``; of two bool tensors (comparisons), ``paddle.logical_or(a, b)``."""
    if len(values) == 2 and all(_is_boolean(v) for v in values):
        target = _BOOLEAN[target]
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return cst.Call(func=ctx.render(target), args=[cst.Arg(values[0], comma=comma), cst.Arg(values[1])])


@call_rewrite("elementwise_extreme")
def elementwise_extreme(ctx) -> cst.BaseExpression:
    """``torch.maximum/minimum``: as Paddle's, or logical or/and where both operands are bool tensors."""
    args = ctx.map_args()
    names = ctx.entry.paddle_positions()[:2]
    if len(args) == 2 and not any(a.star for a in args):  # positional or by keyword (x=, y=)
        by_name = {a.keyword.value if a.keyword is not None else names[i]: a.value for i, a in enumerate(args)}
        if set(by_name) == set(names):
            return _elementwise(ctx, ctx.entry.target, [by_name[n] for n in names])
    return cst.Call(func=ctx.target(), args=args)


@call_rewrite("sort_function")
def sort_function(ctx) -> cst.BaseExpression:
    return _pair(ctx, ctx.entry.target, _SECOND[ctx.entry.target])


@call_rewrite("aminmax_pair")
def aminmax_pair(ctx) -> cst.BaseExpression:
    return _pair(ctx, ctx.entry.target, _SECOND[ctx.entry.target])
