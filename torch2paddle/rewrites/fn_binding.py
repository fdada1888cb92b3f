"""Helpers for the function-form rewrites (``torch.add(x, y)``, ``torch.max(x, 1)``, ...).

They run a call through the entry's generic pipeline (unsupported checks,
drops, renames, defaults) and hand back the result by Paddle parameter name,
so a rewrite can rearrange the arguments (operators, tuples of two calls,
extra expressions) without re-implementing the binding.  No rewrite is
registered here.
"""

from __future__ import annotations

from typing import Sequence

import libcst as cst

_EMPTY = cst.SimpleWhitespace("")
_SPACE = cst.SimpleWhitespace(" ")
NO_SPACE_EQUAL = cst.AssignEqual(whitespace_before=_EMPTY, whitespace_after=_EMPTY)
COMMA = cst.Comma(whitespace_after=_SPACE)

_ATOMS = (
    cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float, cst.Imaginary,
    cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.List, cst.Tuple, cst.Dict,
    cst.Set, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp,
)


def mapped_by_name(ctx, args: Sequence[cst.Arg] | None = None) -> dict[str, cst.BaseExpression]:
    """The call's arguments after the entry's pipeline, keyed by Paddle parameter name (in order)."""
    mapped = ctx.map_args(args)
    positions = ctx.entry.paddle_positions()
    out: dict[str, cst.BaseExpression] = {}
    for i, arg in enumerate(mapped):
        if arg.star:
            raise ctx.unsupported("*args/**kwargs: the arguments must be visible to be rearranged")
        if arg.keyword is not None:
            name = arg.keyword.value
        elif i < len(positions):
            name = positions[i]
        else:
            raise ctx.unsupported("more positional arguments than the Paddle call takes")
        out[name] = arg.value
    return out


def build_args(values: Sequence[tuple[str | None, cst.BaseExpression]]) -> list[cst.Arg]:
    """``[(None, a), ("axis", d)]`` -> ``a, axis=d`` (None: positional)."""
    args = []
    for i, (name, value) in enumerate(values):
        comma = COMMA if i < len(values) - 1 else cst.MaybeSentinel.DEFAULT
        if name is None:
            args.append(cst.Arg(value=value, comma=comma))
        else:
            args.append(cst.Arg(value=value, keyword=cst.Name(name), equal=NO_SPACE_EQUAL, comma=comma))
    return args


def call_with(ctx, target: str, values: dict[str, cst.BaseExpression], positional: int = 1) -> cst.Call:
    """``target(v0, ..., name=v)``: the first ``positional`` values positionally (while they are Paddle's first)."""
    positions = ctx.entry.paddle_positions()
    pairs: list[tuple[str | None, cst.BaseExpression]] = []
    still = True
    for i, (name, value) in enumerate(values.items()):
        keep = still and i < positional and i < len(positions) and positions[i] == name
        still = keep
        pairs.append((None if keep else name, value))
    return cst.Call(func=ctx.render(target), args=build_args(pairs))


def paren(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` as an operand: parenthesised unless it is an atom."""
    if isinstance(node, _ATOMS) or node.lpar:
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def int_value(node: cst.BaseExpression | None) -> int | None:
    """The value of an integer literal (``3``, ``-1``), else None."""
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    if (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.operator, (cst.Minus, cst.Plus))
        and isinstance(node.expression, cst.Integer)
    ):
        value = int(node.expression.evaluated_value)
        return -value if isinstance(node.operator, cst.Minus) else value
    return None


def is_simple(node: cst.BaseExpression) -> bool:
    """A name or an attribute chain: cheap and safe to evaluate twice."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)


def tuple_of(*items: cst.BaseExpression) -> cst.Tuple:
    elements = [cst.Element(item, comma=COMMA if i < len(items) - 1 else cst.MaybeSentinel.DEFAULT)
                for i, item in enumerate(items)]
    return cst.Tuple(elements=elements)


_RANDOM_WORDS = ("rand", "dropout", "normal", "uniform", "bernoulli", "multinomial", "shuffle", "perm", "sample")


class _CallNames(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: list[str] = []

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        self.names.append(func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", ""))


def may_be_random(node: cst.BaseExpression) -> bool:
    """Whether ``node`` calls something random (it must not be written twice)."""
    names = _CallNames()
    node.visit(names)
    return any(word in name.lower() for name in names.names for word in _RANDOM_WORDS)
