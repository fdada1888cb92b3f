"""``x.mul_(100.0 / n)`` -> ``x.multiply_(paddle.to_tensor(100.0 / n, dtype=x.dtype))``.

torch's in-place ``add_/sub_/mul_/div_`` take a Python number for ``other``;
Paddle's ``add_/subtract_/multiply_/divide_`` raise on one (``'float' object
has no attribute 'shape'``: the standard ImageNet accuracy helper does
``correct_k.mul_(100.0 / batch_size)``).  An operand that holds a number
literal is made a tensor of the receiver's dtype, which is also how torch
computes with a wrapped number (the number cast to the tensor's dtype); were it
a tensor after all, ``to_tensor`` copies it and the result is the same.  An
operand whose kind is unknown (a name or an attribute: ``tensor.add_(mean)``)
goes through the generated run-time helper ``operand``, which converts only a
number; any other operand (a tensor expression) is passed as it is.  torch's ``alpha``
(``p.data.add_(p.grad, alpha=-lr)``, Paddle's add_ has none) multiplies the operand:
``p.data.add_(p.grad * -lr)``.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from ._support import is_simple, keyword, method

_NUMBERS = (cst.Integer, cst.Float)


_NUMBER_FUNCTIONS = {"float", "int", "abs", "round", "len", "min", "max", "sum"}


def _holds_number(node: cst.BaseExpression) -> bool:
    """A number literal, or arithmetic with one or with math.*/float()/...: ``2``, ``100.0 / batch_size``,
    ``std * math.sqrt(2.)``."""
    if isinstance(node, _NUMBERS):
        return True
    if isinstance(node, cst.UnaryOperation):
        return _holds_number(node.expression)
    if isinstance(node, cst.BinaryOperation):
        return _holds_number(node.left) or _holds_number(node.right)
    if isinstance(node, cst.Call):
        func = node.func
        return (isinstance(func, cst.Name) and func.value in _NUMBER_FUNCTIONS) or (
            isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "math")
    return False


def _without_alpha(ctx) -> tuple[list[cst.Arg], cst.BaseExpression | None]:
    """The call's arguments without torch's ``alpha`` (``x.add_(y, alpha=a)`` adds ``a * y``), and alpha."""
    if "alpha" not in ctx.entry.args:
        return list(ctx.call.args), None
    position = ctx.entry.args.index("alpha")
    args, alpha, seen = [], None, 0
    for arg in ctx.call.args:
        is_alpha = (arg.keyword is not None and arg.keyword.value == "alpha") or (
            arg.keyword is None and not arg.star and seen == position)
        if arg.keyword is None and not arg.star:
            seen += 1
        if is_alpha:
            alpha = arg.value
        else:
            args.append(arg)
    if alpha is not None and args:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return args, alpha


def _looked_up(node: cst.BaseExpression) -> bool:
    """``group["momentum"]`` / ``cfg[0]``: a value read out of a container, a number as often as a tensor (an
    optimizer's hyperparameters), so the run-time ``operand`` decides."""
    return isinstance(node, cst.Subscript) and (is_simple(node.value) or _looked_up(node.value))


def _scaled(value: cst.BaseExpression, alpha: cst.BaseExpression) -> cst.BaseExpression:
    """``value * alpha``, parenthesised where the operands need it."""
    def atom(node):
        if isinstance(node, (cst.BinaryOperation, cst.BooleanOperation, cst.IfExp, cst.Lambda, cst.Comparison)):
            return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return node
    space = cst.SimpleWhitespace(" ")
    return cst.BinaryOperation(left=atom(value), operator=cst.Multiply(whitespace_before=space, whitespace_after=space),
                               right=atom(alpha))


@call_rewrite("inplace_number")
def inplace_number(ctx) -> cst.BaseExpression:
    """The operand made a tensor where it is a number; torch's ``alpha`` (add_/sub_) multiplies it."""
    if ctx.receiver is None:
        raise ctx.unsupported("needs a receiver")
    given, alpha = _without_alpha(ctx)
    args = ctx.map_args(given)
    if len(args) != 1 or args[0].star:
        raise ctx.unsupported("takes one operand")
    value = args[0].value
    if alpha is not None and not (isinstance(alpha, cst.Integer) and alpha.value == "1"):
        value = _scaled(value, alpha)  # then as if written `x.add_(y * a)`: converting twice changes nothing
    if not is_simple(ctx.receiver) and (is_simple(value) or _looked_up(value) or _holds_number(value)) \
            and ctx.helper is not None:
        # `tensor.mul_(std).add_(mean)`: the receiver is evaluated once, the operand checked when it runs
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        return cst.Call(func=ctx.helper("inplace"), args=[
            cst.Arg(ctx.receiver, comma=comma), cst.Arg(cst.SimpleString(repr(ctx.entry.target_method)), comma=comma),
            cst.Arg(value)])
    return method(ctx.receiver, ctx.entry.target_method, [cst.Arg(inplace_operand(ctx, value))])


def inplace_operand(ctx, value: cst.BaseExpression) -> cst.BaseExpression:
    """The operand of Paddle's in-place add_/subtract_/multiply_/divide_ on ``ctx.receiver``: a number made a
    tensor of the receiver's dtype, a name of unknown kind through the run-time ``operand``.  Every rewrite
    that writes one of these calls uses it, so that the output converts to itself."""
    if _holds_number(value):
        options = [keyword("dtype", cst.Attribute(value=ctx.receiver, attr=cst.Name("dtype")))] \
            if is_simple(ctx.receiver) else []
        return cst.Call(func=ctx.render("paddle.to_tensor"), args=[cst.Arg(value), *options])
    if (is_simple(value) or _looked_up(value)) and is_simple(ctx.receiver) and ctx.helper is not None:
        return cst.Call(func=ctx.helper("operand"), args=[
            cst.Arg(ctx.receiver, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Arg(value)])
    return value
