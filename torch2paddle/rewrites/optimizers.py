"""``torch.optim.X(params, lr, betas=(b1, b2), ...)`` -> ``paddle.optimizer.X(learning_rate=..., beta1=, beta2=, parameters=...)``.

Why a rewrite: torch takes the parameters first and the Adam-family betas as
one tuple; Paddle takes ``learning_rate`` first, ``parameters`` by keyword and
``beta1`` / ``beta2`` separately.  ``torch.optim.SGD`` also chooses the Paddle
class: torch's SGD carries momentum, Paddle's does not, so SGD with a
momentum that is not a literal 0 becomes ``paddle.optimizer.Momentum`` (with
momentum 0 Momentum performs exactly SGD's update, so a runtime 0 is safe).

Parameter groups (a list of dicts) convert for SGD, Adam and AdamW when every
group is a dict literal holding only ``params`` and ``weight_decay`` (the same
keys in Paddle, measured equal after several steps): a literal int decay
becomes a float and any other value is wrapped in ``float()``, because Paddle
reads a float as L2Decay and tries to call anything else.  Groups held in a
variable must already say a float literal.  Any other key is refused:
Paddle's per-group ``learning_rate`` multiplies the optimizer's rate instead of
replacing it, and momentum/betas are not per-group settings there.
"""

from __future__ import annotations

import dataclasses

import libcst as cst

from . import call_rewrite, value_rewrite
from ._support import as_keywords, rebuild, is_literal, is_simple, keyword, take

_GROUPS = (
    "parameter groups convert only for SGD, Adam and AdamW with the keys 'params' and 'weight_decay': Paddle's "
    "per-group 'learning_rate' multiplies the optimizer's rate and momentum/betas are not per-group there; "
    "build such Paddle groups by hand"
)


def _holds_dicts(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.List, cst.Tuple)):
        return any(isinstance(e.value, cst.Dict) or (isinstance(e.value, cst.Call) and _is_dict_call(e.value))
                   for e in node.elements)
    if isinstance(node, (cst.ListComp, cst.GeneratorExp)):
        return isinstance(node.elt, cst.Dict) or (isinstance(node.elt, cst.Call) and _is_dict_call(node.elt))
    return False


def _is_dict_call(node: cst.Call) -> bool:
    return isinstance(node.func, cst.Name) and node.func.value == "dict"


_GROUP_OPTIMIZERS = {"torch.optim.SGD", "torch.optim.Adam", "torch.optim.AdamW"}  # measured in the examples
_GROUP_KEYS = {"params", "weight_decay"}


def _group_dicts(node: cst.BaseExpression) -> list[cst.Dict] | None:
    """The dict literals of a literal list/tuple (or comprehension) of groups; None when not all are."""
    if isinstance(node, (cst.ListComp, cst.GeneratorExp)):
        elements = [node.elt]
    elif isinstance(node, (cst.List, cst.Tuple)):
        elements = [e.value for e in node.elements]
    else:
        return None
    if not all(isinstance(e, cst.Dict) for e in elements):
        return None
    for d in elements:
        for element in d.elements:
            if not (isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString)
                    and element.key.evaluated_value in _GROUP_KEYS):
                return None
    return elements


def _float_decay(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, cst.Float):
        return value
    if isinstance(value, cst.Integer):
        return cst.Float(f"{value.evaluated_value}.0")
    return cst.Call(func=cst.Name("float"), args=[cst.Arg(value=value)])


def _with_float_decays(node: cst.BaseExpression, dicts: list[cst.Dict]) -> cst.BaseExpression:
    def fix(d: cst.Dict) -> cst.Dict:
        return d.with_changes(elements=[
            e.with_changes(value=_float_decay(e.value)) if e.key.evaluated_value == "weight_decay" else e
            for e in d.elements
        ])

    if isinstance(node, (cst.ListComp, cst.GeneratorExp)):
        return node.with_changes(elt=fix(node.elt))
    return node.with_changes(elements=[e.with_changes(value=fix(e.value)) for e in node.elements])


def check_param_groups(ctx, args: list[cst.Arg]) -> list[cst.Arg]:
    """The arguments with convertible parameter groups made Paddle-safe; refuses the others."""
    index = next((i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == "params"), None)
    if index is None:
        return args
    params = args[index]
    original = next((a for a in ctx.original.args if a.keyword is None or a.keyword.value == "params"), None)
    bound = ctx.bound_values(original.value) if original is not None else []
    if not _holds_dicts(params.value) and not any(_holds_dicts(v) for v in bound):
        return args
    if ctx.entry.name not in _GROUP_OPTIMIZERS:
        raise ctx.unsupported(_GROUPS)
    if _holds_dicts(params.value):
        dicts = _group_dicts(params.value)
        if dicts is None:
            raise ctx.unsupported(_GROUPS)
        return [*args[:index], params.with_changes(value=_with_float_decays(params.value, dicts)), *args[index + 1:]]
    for value in bound:  # groups built elsewhere: checked, not rewritten
        held = _group_dicts(value) if _holds_dicts(value) else []
        if held is None or any(
            e.key.evaluated_value == "weight_decay" and not isinstance(e.value, cst.Float)
            for d in held for e in d.elements
        ):
            raise ctx.unsupported(_GROUPS + "; groups held in a variable convert when each is a dict literal of "
                                  "'params' and a float-literal 'weight_decay'")
    return args


def _split_betas(ctx, args: list[cst.Arg]) -> list[cst.Arg]:
    betas = take(args, "betas")
    if betas is None:
        return []
    value = betas.value
    if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == 2 and not any(
        isinstance(e, cst.StarredElement) for e in value.elements
    ):
        first, second = (e.value for e in value.elements)
    elif is_simple(value):
        index = lambda i: cst.Subscript(value=value, slice=[cst.SubscriptElement(cst.Index(cst.Integer(str(i))))])  # noqa: E731
        first, second = index(0), index(1)
    else:
        raise ctx.unsupported("betas must be a (beta1, beta2) pair or a name holding one")
    return [keyword("beta1", first), keyword("beta2", second)]


@call_rewrite("optimizer")
def optimizer(ctx) -> cst.BaseExpression:
    args = check_param_groups(ctx, as_keywords(ctx.entry, ctx.call.args))
    betas = _split_betas(ctx, args)
    mapped = ctx.map_args(args)
    # beta1/beta2 go where learning_rate's neighbours are expected: right after it
    at = next((i + 1 for i, a in enumerate(mapped) if a.keyword is not None and a.keyword.value == "learning_rate"), 0)
    return rebuild(ctx, ctx.render(ctx.entry.target), [*mapped[:at], *betas, *mapped[at:]])


@call_rewrite("sgd")
def sgd(ctx) -> cst.BaseExpression:
    args = check_param_groups(ctx, as_keywords(ctx.entry, ctx.call.args))
    momentum = next((a for a in args if a.keyword.value == "momentum"), None)
    entry = ctx.entry  # paddle.optimizer.Momentum
    if momentum is None or is_literal(momentum.value, 0):
        nesterov = take(args, "nesterov")
        if nesterov is not None and not is_literal(nesterov.value, False):
            raise ctx.unsupported("nesterov=True needs a momentum")
        take(args, "momentum")
        entry = dataclasses.replace(entry, target="paddle.optimizer.SGD")
    return rebuild(ctx, ctx.render(entry.target), ctx.map_args(args, entry=entry))


@value_rewrite("squared")
def squared(value: cst.BaseExpression) -> cst.BaseExpression:
    """RMSprop ``eps`` -> Paddle ``epsilon = eps ** 2``.

    torch divides by ``sqrt(v) + eps``, Paddle by ``sqrt(v + epsilon)``: with
    ``epsilon = eps**2`` the two agree to a relative ``eps / sqrt(v)``, the size
    of eps's own effect (with ``epsilon = eps`` they differ by 30% for gradients
    around 1e-3, where ``v`` is ~1e-8).
    """
    if isinstance(value, (cst.Integer, cst.Float)):
        return cst.Float(repr(float(value.evaluated_value) ** 2))
    space = cst.SimpleWhitespace(" ")
    base = value if isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)) else value.with_changes(
        lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.BinaryOperation(left=base, operator=cst.Power(whitespace_before=space, whitespace_after=space),
                               right=cst.Integer("2"))
