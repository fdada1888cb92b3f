"""Shape and indexing functions whose arguments Paddle takes in another form.

* ``swap_dims_function``: ``torch.transpose(x, a, b)`` (also ``swapaxes``,
  ``swapdims``) -> ``paddle.moveaxis(x, [a, b], [b, a])``.  Paddle's
  ``transpose`` wants the full permutation (the rank is unknown here) and its
  ``swapaxes`` is a torch-compatibility alias of ``transpose``; moving ``a`` to
  ``b`` and ``b`` to ``a`` at once is the swap for any rank.
* ``narrow_function``: ``torch.narrow(x, dim, start, length)`` ->
  ``paddle.slice(x, axes=[dim], starts=[start], ends=[start + length])``
  (``paddle.narrow`` is a compatibility alias).  A negative ``start`` counts
  from the end in torch and ``start + length`` may then be 0, so only a
  non-negative integer literal ``start`` is converted.
* ``split_function``: torch's int ``split_size`` is a chunk *size*, Paddle's
  int ``num_or_sections`` a chunk *count*.  A literal list/tuple of sizes maps
  to ``paddle.split``; a literal int size ``n`` becomes
  ``paddle.tensor_split(x, list(range(n, x.shape[dim], n)), axis=dim)`` (split
  points every ``n``: a shorter last chunk, exactly as torch); anything else
  cannot be told apart and is refused.
* ``pack_tensor_list``: ``torch.block_diag(a, b)`` -> ``paddle.block_diag([a, b])``
  (torch takes the tensors as varargs, Paddle as one list).
* ``einsum_operands``: ``torch.einsum(eq, [a, b])`` (operands as one list) ->
  ``paddle.einsum(eq, a, b)``; Paddle takes varargs only.
* ``flattened_without_dim``: ``torch.take_along_dim(x, idx)`` without ``dim``
  works on the flattened input; Paddle's ``take_along_axis`` needs an axis, so
  a call without ``dim`` is refused.
* value rewrite ``scatter_reduce_name``: torch's ``reduce='sum'|'prod'`` are
  Paddle's ``'add'|'mul'`` (``'mean'``, ``'amax'``, ``'amin'`` are shared).
"""

from __future__ import annotations

import libcst as cst

from ..arguments import UnsupportedUse
from . import call_rewrite, value_rewrite
from .fn_binding import COMMA, build_args, int_value, is_simple, mapped_by_name, paren

_SPACE = cst.SimpleWhitespace(" ")


def _list(*items: cst.BaseExpression) -> cst.List:
    return cst.List(elements=[cst.Element(v, comma=COMMA if i < len(items) - 1 else cst.MaybeSentinel.DEFAULT)
                              for i, v in enumerate(items)])


@call_rewrite("swap_dims_function")
def swap_dims_function(ctx) -> cst.BaseExpression:
    values = mapped_by_name(ctx)
    x, a, b = values.get("x"), values.get("source"), values.get("destination")
    if x is None or a is None or b is None or len(values) != 3:
        raise ctx.unsupported("takes the input and exactly two dimensions")
    for dim in (a, b):
        if int_value(dim) is None and not is_simple(dim):
            raise ctx.unsupported("dimension expressions would be evaluated twice")
    if int_value(a) is not None and int_value(a) == int_value(b):
        return x  # swapping a dimension with itself
    return cst.Call(func=ctx.target(), args=build_args([(None, x), (None, _list(a, b)), (None, _list(b, a))]))


@call_rewrite("narrow_function")
def narrow_function(ctx) -> cst.BaseExpression:
    values = mapped_by_name(ctx)
    x, dim, start, length = (values.get(n) for n in ("input", "axes", "starts", "ends"))
    if x is None or dim is None or start is None or length is None or len(values) != 4:
        raise ctx.unsupported("narrow() takes the input, dim, start and length")
    begin = int_value(start)
    if begin is None or begin < 0:
        raise ctx.unsupported("start must be a non-negative integer literal (a negative start counts from the end)")
    count = int_value(length)
    if count is not None:
        end: cst.BaseExpression = cst.Integer(str(begin + count))
    else:
        end = cst.BinaryOperation(left=start, operator=cst.Add(whitespace_before=_SPACE, whitespace_after=_SPACE), right=paren(length))
    return cst.Call(func=ctx.target(), args=build_args(
        [(None, x), ("axes", _list(dim)), ("starts", _list(start)), ("ends", _list(end))]))


@call_rewrite("split_function")
def split_function(ctx) -> cst.BaseExpression:
    values = mapped_by_name(ctx)
    x, sizes, axis = values.get("x"), values.get("num_or_sections"), values.get("axis")
    if x is None or sizes is None or len(values) != (3 if axis is not None else 2):
        raise ctx.unsupported("split() takes the tensor, the sizes and dim")
    tail = [("axis", axis)] if axis is not None else []
    if isinstance(sizes, (cst.List, cst.Tuple, cst.ListComp)):
        return cst.Call(func=ctx.target(), args=build_args([(None, x), (None, sizes), *tail]))
    if not is_simple(x):
        raise ctx.unsupported("the tensor would be evaluated twice; assign it to a name first")
    dim = axis if axis is not None else cst.Integer("0")
    length = cst.Subscript(value=cst.Attribute(value=x, attr=cst.Name("shape")),
                           slice=[cst.SubscriptElement(slice=cst.Index(value=dim))])
    if int_value(sizes) is None:  # an int (chunk size) or a list (sizes): told apart when the call runs
        if ctx.helper is None or not (is_simple(dim) or int_value(dim) is not None):
            raise ctx.unsupported("a non-literal split size may be an int (chunk size) or a list (sizes)")
        sections = cst.Call(func=ctx.helper("split_sections"), args=build_args([(None, sizes), (None, length)]))
        return cst.Call(func=ctx.target(), args=build_args([(None, x), (None, sections), *tail]))
    points = cst.Call(func=cst.Name("list"), args=[cst.Arg(value=cst.Call(
        func=cst.Name("range"), args=build_args([(None, sizes), (None, length), (None, sizes)])))])
    return cst.Call(func=ctx.render("paddle.tensor_split"), args=build_args([(None, x), (None, points), *tail]))


@call_rewrite("pack_tensor_list")
def pack_tensor_list(ctx) -> cst.BaseExpression:
    args = list(ctx.call.args)
    positional = [a for a in args if a.keyword is None and a.star != "**"]
    keyword = [a for a in args if a not in positional]
    elements = []
    for i, arg in enumerate(positional):
        comma = COMMA if i < len(positional) - 1 else cst.MaybeSentinel.DEFAULT
        if arg.star == "*":
            elements.append(cst.StarredElement(value=arg.value, comma=comma))
        else:
            elements.append(cst.Element(value=arg.value, comma=comma))
    mapped = ctx.map_args(keyword) if keyword else []
    new = [cst.Arg(value=cst.List(elements=elements))] + list(mapped)
    new = [a.with_changes(comma=COMMA) for a in new[:-1]] + [new[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    return cst.Call(func=ctx.target(), args=new)


@call_rewrite("einsum_operands")
def einsum_operands(ctx) -> cst.BaseExpression:
    args = list(ctx.call.args)
    if any(a.keyword is not None for a in args):
        raise ctx.unsupported("einsum takes the equation and the operands positionally")
    if len(args) == 2 and not args[1].star and isinstance(args[1].value, (cst.List, cst.Tuple)):
        operands = [e.value for e in args[1].value.elements]
        if any(isinstance(e, cst.StarredElement) for e in args[1].value.elements):
            raise ctx.unsupported("starred operands in the list")
        return cst.Call(func=ctx.target(), args=build_args([(None, args[0].value)] + [(None, v) for v in operands]))
    return cst.Call(func=ctx.target(), args=[a for a in args])


@call_rewrite("flattened_without_dim")
def flattened_without_dim(ctx) -> cst.BaseExpression:
    names = ctx.entry.args
    index = names.index("dim")
    positional = sum(1 for a in ctx.call.args if a.keyword is None and not a.star)
    has_dim = positional > index or any(
        a.star or (a.keyword is not None and a.keyword.value == "dim") for a in ctx.call.args
    )
    if not has_dim:
        raise ctx.unsupported("without dim torch works on the flattened input and indices; pass dim= (or flatten both)")
    return cst.Call(func=ctx.target(), args=ctx.map_args())


_REDUCE_NAMES = {"sum": "add", "prod": "mul", "mean": "mean", "amax": "amax", "amin": "amin"}


@value_rewrite("scatter_reduce_name")
def scatter_reduce_name(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, cst.SimpleString) and value.evaluated_value in _REDUCE_NAMES:
        quote = value.quote
        return cst.SimpleString(f"{quote}{_REDUCE_NAMES[value.evaluated_value]}{quote}")
    raise UnsupportedUse("reduce must be a literal 'sum', 'prod', 'mean', 'amax' or 'amin'")
