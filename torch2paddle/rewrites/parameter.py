"""``nn.Parameter(data, requires_grad)`` -> ``paddle.create_parameter(...)`` initialised from ``data``.

Paddle has no public Parameter constructor taking a tensor (``paddle.nn.Parameter``
is a torch-compatibility alias): a parameter is created with its shape and
dtype and an ``Assign`` initializer holding the values.  ``data`` therefore
appears three times; its value is taken once (by ``Assign``), the other two
uses only read ``shape`` and ``dtype``.  That is safe for names, attributes,
subscripts, arithmetic and torch API calls (a random initialiser drawn twice
has the same shape and dtype), not for calls of unknown project functions,
which are reported.  ``requires_grad=False`` becomes
``attr=paddle.ParamAttr(trainable=False)``.

The common ``nn.Parameter(torch.zeros(1, 1, dim))`` (or ``torch.ones``) is written
as Paddle code would say it: ``paddle.create_parameter(shape=[1, 1, dim],
dtype=paddle.get_default_dtype(), default_initializer=Constant(0.0))``.
"""

from __future__ import annotations

import libcst as cst

from ..arguments import fix_commas
from . import call_rewrite

_PLAIN = (cst.Name, cst.Integer, cst.Float, cst.SimpleString)
# tensor methods whose result's shape and dtype do not depend on how often they run
_TENSOR_METHODS = frozenset(
    "clone detach float double half bfloat16 to t transpose permute reshape view contiguous unsqueeze squeeze "
    "expand repeat flatten mul add sub div neg abs exp log sqrt normal_ uniform_ zero_ fill_ mul_ add_ "
    "div_ sub_ clamp clamp_ requires_grad_".split()
)


def _pure(ctx, node: cst.BaseExpression) -> bool:
    """Whether evaluating ``node`` again only costs time (no side effects that matter)."""
    if isinstance(node, _PLAIN):
        return True
    if isinstance(node, cst.Attribute):
        return _pure(ctx, node.value)
    if isinstance(node, cst.Subscript):
        return _pure(ctx, node.value) and all(
            _pure(ctx, e.slice.value) if isinstance(e.slice, cst.Index) else True for e in node.slice
        )
    if isinstance(node, cst.BinaryOperation):
        return _pure(ctx, node.left) and _pure(ctx, node.right)
    if isinstance(node, cst.UnaryOperation):
        return _pure(ctx, node.expression)
    if isinstance(node, (cst.Tuple, cst.List)):
        return all(_pure(ctx, e.value) for e in node.elements)
    if isinstance(node, cst.Call):
        args_ok = all(_pure(ctx, a.value) for a in node.args)
        if ctx.resolve(node.func) is not None:  # a torch API: shape and dtype do not depend on the draw
            return args_ok
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _TENSOR_METHODS and _pure(ctx, func.value):
            return args_ok  # a tensor method of a pure value: x.clone(), torch.empty(3).normal_()
        return False  # project code: it may have side effects
    return False


_CONSTANT_FILLS = {"torch.zeros": "0.0", "torch.ones": "1.0"}


def _constant_fill(ctx, original: cst.BaseExpression, data: cst.BaseExpression):
    """(shape, dtype, fill value) when ``data`` is ``torch.zeros/ones(shape[, dtype=...])``, else None."""
    if not (isinstance(original, cst.Call) and isinstance(data, cst.Call)):
        return None
    entry = ctx.resolve(original.func)
    if entry is None or entry.name not in _CONSTANT_FILLS or not data.args:
        return None
    shape, rest = data.args[0], data.args[1:]
    if shape.keyword is not None or shape.star or not isinstance(shape.value, cst.List):
        return None
    dtype = None
    for arg in rest:
        if arg.keyword is None or arg.keyword.value != "dtype":
            return None  # device=, requires_grad=, out=: leave it to the general form
        dtype = arg.value
    if dtype is None:
        dtype = cst.Call(func=ctx.render("paddle.get_default_dtype"), args=[])
    return shape.value, dtype, _CONSTANT_FILLS[entry.name]


def _keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    empty = cst.SimpleWhitespace("")
    equal = cst.AssignEqual(whitespace_before=empty, whitespace_after=empty)
    return cst.Arg(keyword=cst.Name(name), value=value, equal=equal)


@call_rewrite("parameter")
def parameter(ctx) -> cst.BaseExpression:
    data = requires_grad = None
    original = None
    for i, (arg, orig) in enumerate(zip(ctx.call.args, ctx.original.args)):
        if arg.star:
            raise ctx.unsupported("*args/**kwargs")
        if arg.keyword is not None:
            name = arg.keyword.value
        elif i < 2:
            name = ("data", "requires_grad")[i]
        else:
            raise ctx.unsupported("more than 2 positional arguments")
        if name == "data":
            data, original = arg.value, orig.value
        elif name == "requires_grad":
            requires_grad = arg.value
        else:
            raise ctx.unsupported(f"unexpected argument {name}")
    if data is None:
        raise ctx.unsupported("nn.Parameter() without data")
    fill = _constant_fill(ctx, original, data)
    if fill is not None:
        shape, dtype, value = fill
        init = cst.Call(ctx.render("paddle.nn.initializer.Constant"), [cst.Arg(cst.Float(value))])
        args = [_keyword("shape", shape), _keyword("dtype", dtype), _keyword("default_initializer", init)]
        return _with_trainable(ctx, args, requires_grad)
    if not _pure(ctx, original):
        raise ctx.unsupported("the data expression would be evaluated more than once; assign it to a name first")
    atom = data
    if not isinstance(data, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)) and not data.lpar:
        atom = data.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    args = [
        _keyword("shape", cst.Attribute(value=atom, attr=cst.Name("shape"))),
        _keyword("dtype", cst.Attribute(value=atom, attr=cst.Name("dtype"))),
        _keyword("default_initializer", cst.Call(ctx.render("paddle.nn.initializer.Assign"), [cst.Arg(data)])),
    ]
    return _with_trainable(ctx, args, requires_grad)


def _with_trainable(ctx, args: list[cst.Arg], requires_grad) -> cst.Call:
    if requires_grad is not None and not (isinstance(requires_grad, cst.Name) and requires_grad.value == "True"):
        attr = cst.Call(func=ctx.render("paddle.ParamAttr"), args=[_keyword("trainable", requires_grad)])
        args.append(_keyword("attr", attr))
    return cst.Call(func=ctx.target(), args=fix_commas([], args))
