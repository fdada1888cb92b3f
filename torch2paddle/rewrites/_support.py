"""Helpers shared by the training-side rewrites (optimizers, schedulers, data loading).

Those rewrites add, remove or split keyword arguments, so they first turn the
call's positional arguments into keywords named after the torch parameters
(the entry's ``args``); the generic pipeline then maps the keywords.
"""

from __future__ import annotations

import re
from typing import Sequence

import libcst as cst

from ..arguments import UnsupportedUse, fix_commas, source_of

_EMPTY = cst.SimpleWhitespace("")
_NO_SPACE_EQUAL = cst.AssignEqual(whitespace_before=_EMPTY, whitespace_after=_EMPTY)


def keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value=value, keyword=cst.Name(name), equal=_NO_SPACE_EQUAL)


def as_keywords(entry, args: Sequence[cst.Arg]) -> list[cst.Arg]:
    """The call's arguments with every positional one named after the torch parameter it binds to."""
    out = []
    index = 0
    for arg in args:
        if arg.star:
            raise UnsupportedUse(f"*{'*' if arg.star == '**' else ''}args cannot be matched to {entry.name}'s parameters")
        if arg.keyword is None:
            if index >= len(entry.args):
                raise UnsupportedUse(f"more positional arguments than the {len(entry.args)} torch accepts")
            arg = arg.with_changes(keyword=cst.Name(entry.args[index]), equal=_NO_SPACE_EQUAL)
            index += 1
        out.append(arg)
    return out


def bound_arguments(entry, args: Sequence[cst.Arg]) -> dict[str, cst.Arg]:
    """The call's arguments by torch parameter name: positional ones bound through ``entry.args`` (those past
    its end left out), keywords by their name; ``*``/``**`` arguments are left out (callers that must see
    every argument check for them first)."""
    out: dict[str, cst.Arg] = {}
    position = 0
    for arg in args:
        if arg.star:
            continue
        if arg.keyword is None:
            if position < len(entry.args):
                out[entry.args[position]] = arg
            position += 1
        else:
            out[arg.keyword.value] = arg
    return out


def take(args: list[cst.Arg], name: str) -> cst.Arg | None:
    """Remove and return the keyword argument ``name`` (None when absent)."""
    for i, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == name:
            return args.pop(i)
    return None


def find(args: Sequence[cst.Arg], name: str) -> cst.Arg | None:
    return next((a for a in args if a.keyword is not None and a.keyword.value == name), None)


def is_simple(node: cst.BaseExpression) -> bool:
    """A name or an attribute chain: safe to evaluate twice."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)


def is_literal(node: cst.BaseExpression | None, *values: object) -> bool:
    """Whether ``node`` is a literal equal to one of ``values`` (numbers, True/False/None)."""
    if node is None:
        return False
    text = source_of(node).strip()
    for value in values:
        if value is None or isinstance(value, bool):
            if text == repr(value):
                return True
        elif isinstance(value, (int, float)):
            try:
                if float(text) == float(value):
                    return True
            except ValueError:
                continue
    return False


def rebuild(ctx, func: cst.BaseExpression, args: Sequence[cst.Arg]) -> cst.Call:
    """The call with a new callee and arguments, keeping its own layout (parentheses, line breaks)."""
    args = list(args)
    positions = ctx.entry.paddle_positions()
    for i, name in enumerate(positions):  # leading arguments Paddle takes positionally go back to positions
        if i < len(args) and args[i].keyword is not None and args[i].keyword.value == name:
            args[i] = args[i].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)
        else:
            break
    return ctx.call.with_changes(func=func, args=fix_commas(list(ctx.call.args), args))


def method(receiver: cst.BaseExpression, name: str, args: Sequence[cst.Arg] = ()) -> cst.Call:
    return cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name(name)), args=fix_commas([], list(args)))


# Receivers named like a model or one of its parts (`model`, `net`, `self.backbone`, `blocks`)
_LAYER_LIKE_NAME = re.compile(r"(model|net|module|layer|encoder|decoder|backbone|head|block|classifier)s?$",
                              re.IGNORECASE)


def last_name(node: cst.BaseExpression) -> str | None:
    """``model`` for ``model``, ``backbone`` for ``self.backbone``; None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _builds_class(node: cst.BaseExpression, resolve) -> bool:
    """``Net(...)``, ``models.Net(...)``, ``Net(...).to(...)``: a class (capitalised name) called, other than a
    torch class outside torch.nn (``torch.FloatTensor([1, 2])`` builds a tensor)."""
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        if node.func.attr.value == "to":
            node = node.func.value
        elif node.func.attr.value in ("layer_to", "layer_cast") and node.args:  # converted already (run-time)
            node = node.args[0].value
        else:
            break
    if not isinstance(node, cst.Call):
        return False
    func = node.func
    name = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else ""
    if not name[:1].isupper():
        return False
    entry = resolve(func)
    return entry is None or entry.name.startswith("torch.nn.") or not entry.name.startswith("torch.")


def may_be_layer(ctx, receiver: cst.BaseExpression, by_name: bool = False) -> bool:
    """Whether ``receiver`` may hold an nn.Module, as far as the source shows: it builds a class there
    (``Net(...).to(device)``) or is a name bound to one (``model = Net()``); with ``by_name``, also a receiver
    named like one (``self``, ``model``, ``net``, ``self.backbone``), for rewrites whose tensor form would run
    and do nothing on a layer."""
    if _builds_class(receiver, ctx.resolve):
        return True
    if isinstance(receiver, cst.Name) and any(_builds_class(v, ctx.resolve) for v in ctx.bound_values(receiver)):
        return True
    name = last_name(receiver) if by_name else None
    return name is not None and (name == "self" or bool(_LAYER_LIKE_NAME.search(name)))


def plain_read(ctx, what: str) -> None:
    """An access rewrite of a tensor attribute (``x.mH``, ``x.nbytes``) converts a plain read of it only."""
    if ctx.receiver is None:
        raise ctx.unsupported(f"{what} needs a receiver")
    if ctx.value is not None:
        raise ctx.unsupported(f"an assignment to {what}: assign to the whole tensor in Paddle")
    if ctx.subscripts:
        raise ctx.unsupported(f"index the result of {what} after assigning it to a name")
    if isinstance(ctx.receiver, cst.Name) and ctx.receiver.value == "self":
        raise ctx.unsupported(f"self.{what} is an attribute of the class, not of a tensor")


def assign_into(render, result: cst.BaseExpression, target: cst.BaseExpression) -> cst.Call:
    """``paddle.assign(result.astype(target.dtype), output=target)``: a result written into ``target`` in place,
    in its dtype (torch's in-place methods and ``out=``), which the call returns."""
    cast = cst.Call(func=cst.Attribute(value=result, attr=cst.Name("astype")),
                    args=[cst.Arg(cst.Attribute(value=target, attr=cst.Name("dtype")))])
    return cst.Call(func=render("paddle.assign"), args=[
        cst.Arg(cast, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), keyword("output", target)])
