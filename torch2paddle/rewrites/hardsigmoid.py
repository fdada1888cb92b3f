"""``F.hardsigmoid(x)`` -> ``(F.relu6(x + 3) / 6)``: torch's exact formula.

Why a rewrite: Paddle's ``hardsigmoid`` keeps its slope as a float32
attribute (0.1666667, or 1/6 rounded to float32 when passed), so it differs
from torch's ``relu6(x + 3) / 6`` by about 2e-7 relative: invisible in float32
tests, but it makes a float64 comparison of a MobileNetV3 or an EfficientNet
(squeeze-excitation gates) disagree.  The formula itself is exact in every
dtype.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from .fn_binding import paren

_SPACE = cst.SimpleWhitespace(" ")


@call_rewrite("hardsigmoid_exact")
def hardsigmoid_exact(ctx) -> cst.BaseExpression:
    args = [a for a in ctx.map_args() if not (a.keyword and a.keyword.value == "name")]
    if len(args) != 1 or args[0].star or (args[0].keyword and args[0].keyword.value != "x"):
        raise ctx.unsupported("takes one tensor")
    shifted = cst.BinaryOperation(left=paren(args[0].value), operator=cst.Add(whitespace_before=_SPACE,
                                  whitespace_after=_SPACE), right=cst.Integer("3"))
    relu6 = cst.Call(func=ctx.render("paddle.nn.functional.relu6"), args=[cst.Arg(shifted)])
    return cst.BinaryOperation(left=relu6, operator=cst.Divide(whitespace_before=_SPACE, whitespace_after=_SPACE),
                               right=cst.Integer("6"), lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
