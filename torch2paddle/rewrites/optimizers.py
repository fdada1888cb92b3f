"""``torch.optim.X(params, lr, betas=(b1, b2), ...)`` -> ``paddle.optimizer.X(learning_rate=..., beta1=, beta2=, parameters=...)``.

Why a rewrite: torch takes the parameters first and the Adam-family betas as
one tuple; Paddle takes ``learning_rate`` first, ``parameters`` by keyword and
``beta1`` / ``beta2`` separately.  ``torch.optim.SGD`` also chooses the Paddle
class: torch's SGD carries momentum, Paddle's does not, so SGD with a
momentum that is not a literal 0 becomes ``paddle.optimizer.Momentum`` (with
momentum 0 Momentum performs exactly SGD's update, so a runtime 0 is safe); so does an SGD
without momentum whose parameter groups carry their own 'momentum' (Momentum with momentum=0.0, which the
other groups keep).

Parameter groups (a list of dicts written in the call) convert when every key
is one Paddle reads per group, measured equal after several steps: 'params',
'weight_decay' (a literal int becomes a float, anything else is wrapped in
``float()``: Paddle reads a float as L2Decay and tries to call anything else),
'lr' -> 'learning_rate' written as ``lr / <optimizer lr>`` (Paddle multiplies
the optimizer's rate by the group's value), 'momentum' (SGD with momentum),
'betas' -> 'beta1'/'beta2' and 'eps' -> 'epsilon' (the Adam family); see
``_GROUP_KEYS``.  A group 'lr' converts only for an optimizer assigned to a
plain name: ``param_groups`` accesses on that name and schedulers attached to
it that do not scale every group by one factor are then refused (Paddle's
``get_lr()`` is the base rate, not group 0's).  Groups held in a variable must
be 'params' and float-literal 'weight_decay'.  A rate or beta that may be a
tensor (a call, or a name bound to one) is passed as ``float(...)``: Paddle
refuses a tensor rate and steps differently with a float32 tensor beta.
"""

from __future__ import annotations

import dataclasses

import libcst as cst

from . import call_rewrite, value_rewrite
from ._support import as_keywords, bound_arguments, find, rebuild, is_literal, is_simple, keyword, take

_GROUPS = (
    "parameter groups convert when each group is a dict literal with the keys {keys} (for {name}); "
    "other keys have no per-group Paddle setting: build such Paddle groups by hand"
)
_GROUPS_IN_VARIABLE = (
    "parameter groups held in a variable convert when each is a dict literal of 'params' and a float-literal "
    "'weight_decay' (other keys are rewritten only where the groups are written in the call)"
)

# torch's default learning rates: a group's own "lr" becomes Paddle's per-group ratio lr / <optimizer rate>
_TORCH_LR = {
    "torch.optim.SGD": "0.001", "torch.optim.Adam": "0.001", "torch.optim.AdamW": "0.001",
    "torch.optim.Adagrad": "0.01", "torch.optim.Adadelta": "1.0", "torch.optim.Adamax": "0.002",
    "torch.optim.NAdam": "0.002", "torch.optim.RAdam": "0.001",
}
# group keys Paddle reads per group, measured equal after several steps (tests/fixtures, mappings/optim.yaml):
# 'lr' -> 'learning_rate' (a ratio of the optimizer's rate), 'betas' -> 'beta1'/'beta2', 'eps' -> 'epsilon'
_ADAM_KEYS = {"params", "weight_decay", "lr", "betas", "eps"}
_GROUP_KEYS = {
    "torch.optim.SGD": {"params", "weight_decay", "lr", "momentum"},
    "torch.optim.Adam": _ADAM_KEYS, "torch.optim.AdamW": _ADAM_KEYS, "torch.optim.Adamax": _ADAM_KEYS,
    "torch.optim.NAdam": _ADAM_KEYS, "torch.optim.RAdam": _ADAM_KEYS,
    "torch.optim.Adagrad": {"params", "weight_decay", "lr"}, "torch.optim.Adadelta": {"params", "weight_decay", "lr"},
}
GROUP_RATE_HOWTO = (
    "this optimizer's parameter groups carry their own 'lr', which Paddle holds as a ratio of the optimizer's "
    "rate (optimizer.get_lr() is the base rate, not group 0's)"
)
# schedulers that scale every group's rate by the same factor, so Paddle's rate x group ratio is torch's group rate
_MULTIPLICATIVE = {
    "torch.optim.lr_scheduler.StepLR", "torch.optim.lr_scheduler.MultiStepLR", "torch.optim.lr_scheduler.ExponentialLR",
    "torch.optim.lr_scheduler.LambdaLR", "torch.optim.lr_scheduler.MultiplicativeLR", "torch.optim.lr_scheduler.LinearLR",
    "torch.optim.lr_scheduler.ConstantLR", "torch.optim.lr_scheduler.PolynomialLR",
}
_MULTIPLICATIVE_AT_ZERO = {  # multiplicative while eta_min is 0
    "torch.optim.lr_scheduler.CosineAnnealingLR", "torch.optim.lr_scheduler.CosineAnnealingWarmRestarts",
}


def _holds_dicts(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.List, cst.Tuple)):
        return any(isinstance(e.value, cst.Dict) or (isinstance(e.value, cst.Call) and _is_dict_call(e.value))
                   for e in node.elements)
    if isinstance(node, (cst.ListComp, cst.GeneratorExp)):
        return isinstance(node.elt, cst.Dict) or (isinstance(node.elt, cst.Call) and _is_dict_call(node.elt))
    return False


def _is_dict_call(node: cst.Call) -> bool:
    return isinstance(node.func, cst.Name) and node.func.value == "dict"


def _group_dicts(node: cst.BaseExpression, keys: set[str]) -> list[cst.Dict] | None:
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
                    and element.key.evaluated_value in keys):
                return None
    return elements


def _group_keys(dicts: list[cst.Dict]) -> set[str]:
    return {e.key.evaluated_value for d in dicts for e in d.elements}


def _has_group_key(node: cst.BaseExpression, key: str) -> bool:
    if isinstance(node, (cst.ListComp, cst.GeneratorExp)):
        elements = [node.elt]
    elif isinstance(node, (cst.List, cst.Tuple)):
        elements = [e.value for e in node.elements]
    else:
        return False
    return any(isinstance(d, cst.Dict) and any(
        isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString) and e.key.evaluated_value == key
        for e in d.elements) for d in elements)


def _float_decay(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, cst.Float):
        return value
    if isinstance(value, cst.Integer):
        return cst.Float(f"{value.evaluated_value}.0")
    return cst.Call(func=cst.Name("float"), args=[cst.Arg(value=value)])


def _key(name: str) -> cst.SimpleString:
    return cst.SimpleString(f'"{name}"')


def _ratio(value: cst.BaseExpression, rate: cst.BaseExpression) -> cst.BaseExpression:
    space = cst.SimpleWhitespace(" ")
    paren = lambda n: n if isinstance(n, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float)) \
        else n.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])  # noqa: E731
    return cst.BinaryOperation(left=paren(value), operator=cst.Divide(whitespace_before=space, whitespace_after=space),
                               right=paren(rate))


def _group_element(ctx, element: cst.DictElement, rate: cst.BaseExpression | None) -> list[cst.DictElement]:
    key = element.key.evaluated_value
    if key == "weight_decay":
        return [element.with_changes(value=_float_decay(element.value))]
    if key == "lr":
        return [element.with_changes(key=_key("learning_rate"), value=_ratio(element.value, rate))]
    if key == "eps":
        return [element.with_changes(key=_key("epsilon"))]
    if key == "betas":
        value = element.value
        if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == 2 and not any(
                isinstance(e, cst.StarredElement) for e in value.elements):
            first, second = (e.value for e in value.elements)
        elif is_simple(value):
            first, second = (_index(value, i) for i in (0, 1))
        else:
            raise ctx.unsupported("a group's betas must be a (beta1, beta2) pair or a name holding one")
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        return [cst.DictElement(_key("beta1"), first, comma=comma), element.with_changes(key=_key("beta2"), value=second)]
    return [element]


def _index(value: cst.BaseExpression, i: int) -> cst.BaseExpression:
    return cst.Subscript(value=value, slice=[cst.SubscriptElement(cst.Index(cst.Integer(str(i))))])


def _converted_groups(ctx, node: cst.BaseExpression, dicts: list[cst.Dict], rate) -> cst.BaseExpression:
    def fix(d: cst.Dict) -> cst.Dict:
        elements = [new for e in d.elements for new in _group_element(ctx, e, rate)]
        if elements and d.elements and d.elements[-1].comma == cst.MaybeSentinel.DEFAULT:
            elements[-1] = elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return d.with_changes(elements=elements)

    if isinstance(node, (cst.ListComp, cst.GeneratorExp)):
        return node.with_changes(elt=fix(node.elt))
    return node.with_changes(elements=[e.with_changes(value=fix(e.value)) for e in node.elements])


def _rate(ctx, args: list[cst.Arg]) -> cst.BaseExpression:
    """The optimizer's rate, read again for each group's ratio: a number or a name (torch's default if absent)."""
    lr = next((a for a in args if a.keyword is not None and a.keyword.value == "lr"), None)
    if lr is None:
        return cst.parse_expression(_TORCH_LR[ctx.entry.name])
    if isinstance(lr.value, (cst.Integer, cst.Float)) or is_simple(lr.value):
        return lr.value
    raise ctx.unsupported("a group's own 'lr' becomes the ratio lr / <optimizer lr>, which reads the optimizer's lr "
                          "again: pass it as a number or a name")


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
    keys = _GROUP_KEYS.get(ctx.entry.name, {"params"})
    howto = _GROUPS.format(keys=", ".join(f"'{k}'" for k in sorted(keys)), name=ctx.entry.name)
    if _holds_dicts(params.value):
        dicts = _group_dicts(params.value, keys)
        if dicts is None:
            raise ctx.unsupported(howto)
        present = _group_keys(dicts)
        rate = None
        if "lr" in present:
            rate = _rate(ctx, args)
            if not isinstance(ctx.assigned_to, cst.Name):
                raise ctx.unsupported(
                    "a group's own 'lr' converts (as Paddle's per-group ratio of the optimizer's rate) when the "
                    "optimizer is assigned to a plain name, so that its param_groups reads and schedulers are checked")
        groups = _converted_groups(ctx, params.value, dicts, rate)
        return [*args[:index], params.with_changes(value=groups), *args[index + 1:]]
    for value in bound:  # groups built elsewhere: checked, not rewritten
        held = _group_dicts(value, {"params", "weight_decay"}) if _holds_dicts(value) else []
        if held is None or any(
            e.key.evaluated_value == "weight_decay" and not isinstance(e.value, cst.Float)
            for d in held for e in d.elements
        ):
            raise ctx.unsupported(_GROUPS_IN_VARIABLE)
    return args


def group_rates_of(bound_values, resolve, optimizer: cst.BaseExpression) -> bool:
    """Whether the name ``optimizer`` is bound (anywhere in the file) to an optimizer whose groups carry an 'lr'
    (or, converted already, a Paddle optimizer whose groups carry a 'learning_rate' ratio)."""
    for value in bound_values(optimizer):
        if not isinstance(value, cst.Call):
            continue
        entry = resolve(value.func)
        if entry is not None and entry.name in _GROUP_KEYS:
            params = next((a.value for a in value.args if a.keyword is None or a.keyword.value == "params"), None)
            if params is not None and any(_has_group_key(v, "lr") for v in [params, *bound_values(params)]):
                return True
        parameters = next((a.value for a in value.args if a.keyword is not None and a.keyword.value == "parameters"),
                          None)
        if parameters is not None and _has_group_key(parameters, "learning_rate"):
            return True
    return False


def group_count_of(bound_values, resolve, optimizer: cst.BaseExpression) -> int:
    """How many parameter groups the optimizer bound to the name ``optimizer`` is built with, as far as the file
    writes them: N for a list/tuple of N group dicts, -1 for groups built by a comprehension or unpacking (a
    count not written out), 1 otherwise (a plain parameter list, or not known)."""
    for value in bound_values(optimizer) if is_simple(optimizer) else []:
        entry = resolve(value.func) if isinstance(value, cst.Call) else None
        params = bound_arguments(entry, value.args).get("params") if entry is not None and entry.args else None
        if params is None:
            continue
        for groups in [params.value, *(bound_values(params.value) if is_simple(params.value) else [])]:
            if not _holds_dicts(groups):
                continue
            if isinstance(groups, (cst.ListComp, cst.GeneratorExp)) or any(
                    isinstance(e, cst.StarredElement) for e in groups.elements):
                return -1
            return len(groups.elements)
    return 1


RMSPROP_RATE_HOWTO = (
    "Paddle's RMSProp folds the learning rate into its momentum buffer (torch applies the rate after it): with "
    "momentum the two differ as soon as the rate changes; change the rate of an RMSprop without momentum only, "
    "or keep it fixed"
)


def rmsprop_momentum_of(bound_values, resolve, optimizer: cst.BaseExpression) -> bool:
    """Whether the name ``optimizer`` is bound to a torch RMSprop whose momentum is not a literal 0."""
    for value in bound_values(optimizer):
        entry = resolve(value.func) if isinstance(value, cst.Call) else None
        if entry is not None and entry.name == "torch.optim.RMSprop":
            momentum = bound_arguments(entry, value.args).get("momentum")
            if momentum is not None and not is_literal(momentum.value, 0, 0.0):
                return True
    return False


def scheduler_scales_groups(entry_name: str, args: list[cst.Arg]) -> bool:
    """Whether the scheduler multiplies every group's rate by one factor (Paddle: its rate x the group's ratio)."""
    if entry_name in _MULTIPLICATIVE:
        return True
    if entry_name in _MULTIPLICATIVE_AT_ZERO:
        eta = next((a.value for a in args if a.keyword is not None and a.keyword.value == "eta_min"), None)
        return eta is None or is_literal(eta, 0, 0.0)
    return False


def _maybe_tensor(ctx, node: cst.BaseExpression) -> bool:
    """Whether ``node`` may hold a tensor: a call other than float()/int(), or a name the file binds to one."""
    def call(n) -> bool:
        return isinstance(n, cst.Call) and not (isinstance(n.func, cst.Name) and n.func.value in ("float", "int"))

    if call(node):
        return True
    return isinstance(node, cst.Name) and any(call(v) for v in ctx.bound_values(node))


def _float(node: cst.BaseExpression) -> cst.BaseExpression:
    return cst.Call(func=cst.Name("float"), args=[cst.Arg(value=node)])


def _scalar_rate(ctx, args: list[cst.Arg]) -> list[cst.Arg]:
    """``lr=torch.tensor(0.01)`` -> ``learning_rate=float(...)``: Paddle takes a float or an LRScheduler."""
    return [a.with_changes(value=_float(a.value)) if a.keyword.value == "lr" and _maybe_tensor(ctx, a.value) else a
            for a in args]


def _split_betas(ctx, args: list[cst.Arg]) -> list[cst.Arg]:
    betas = take(args, "betas")
    if betas is None:
        return []
    value = betas.value
    if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == 2 and not any(
        isinstance(e, cst.StarredElement) for e in value.elements
    ):
        first, second = (e.value for e in value.elements)
        tensors = [_maybe_tensor(ctx, first), _maybe_tensor(ctx, second)]
    elif is_simple(value):
        first, second = _index(value, 0), _index(value, 1)
        held = ctx.bound_values(value)
        tensors = [any(
            isinstance(v, (cst.Tuple, cst.List)) and len(v.elements) == 2 and _maybe_tensor(ctx, v.elements[i].value)
            or not isinstance(v, (cst.Tuple, cst.List)) for v in held) for i in (0, 1)]
    else:
        raise ctx.unsupported("betas must be a (beta1, beta2) pair or a name holding one")
    # a beta given as a tensor: Paddle takes a tensor beta in its own dtype (float32), torch uses its value
    first, second = (_float(b) if t else b for b, t in zip((first, second), tensors))
    return [keyword("beta1", first), keyword("beta2", second)]


_ASGD = "torch.optim.ASGD"
_ASGD_HOWTO = (
    "torch's ASGD with lambd != 0 (default 1e-4) decays its step size eta = lr / (1 + lambd * lr * t) ** alpha and "
    "the weights by lambd * eta every step; Paddle's ASGD/SGD have no such schedule: only lambd=0 converts "
    "(to paddle.optimizer.SGD, the same update)"
)


def _record_optimizer(ctx) -> None:
    """Note ``name = torch.optim.X(...)`` in this function's scratch space (``optimizer_values``)."""
    if isinstance(ctx.assigned_to, cst.Name) and ctx.scope_state is not None:
        ctx.scope_state.setdefault("optimizer_calls", {}).setdefault(ctx.assigned_to.value, []).append(ctx.original)


def optimizer_values(ctx, node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The torch optimizer calls a name holds: those assigned to it earlier in the same function when there are
    any, otherwise every value the file assigns it (a name such as ``opt`` is often reused across functions)."""
    if isinstance(node, cst.Name) and ctx.scope_state is not None:
        local = ctx.scope_state.get("optimizer_calls", {}).get(node.value)
        if local:
            return list(local)
    return ctx.bound_values(node)


@call_rewrite("optimizer")
def optimizer(ctx) -> cst.BaseExpression:
    _record_optimizer(ctx)
    args = check_param_groups(ctx, _scalar_rate(ctx, as_keywords(ctx.entry, ctx.call.args)))
    if ctx.entry.name == _ASGD:
        lambd = find(args, "lambd")
        if lambd is None or not is_literal(lambd.value, 0, 0.0):
            raise ctx.unsupported(_ASGD_HOWTO)
    betas = _split_betas(ctx, args)
    mapped = ctx.map_args(args)
    # beta1/beta2 go where learning_rate's neighbours are expected: right after it
    at = next((i + 1 for i, a in enumerate(mapped) if a.keyword is not None and a.keyword.value == "learning_rate"), 0)
    return rebuild(ctx, ctx.render(ctx.entry.target), [*mapped[:at], *betas, *mapped[at:]])


@call_rewrite("sgd")
def sgd(ctx) -> cst.BaseExpression:
    _record_optimizer(ctx)
    args = check_param_groups(ctx, _scalar_rate(ctx, as_keywords(ctx.entry, ctx.call.args)))
    momentum = next((a for a in args if a.keyword.value == "momentum"), None)
    entry = ctx.entry  # paddle.optimizer.Momentum
    params = find(args, "params")
    group_momentum = params is not None and _has_group_key(params.value, "momentum")
    if (momentum is None or is_literal(momentum.value, 0)) and group_momentum:
        # a group's own momentum: Momentum (momentum 0 elsewhere performs SGD's update exactly, and each group
        # dict without 'momentum' takes the optimizer's 0.0)
        nesterov = find(args, "nesterov")
        if nesterov is not None and not is_literal(nesterov.value, False):
            raise ctx.unsupported("nesterov=True needs the optimizer's own momentum (torch raises without one)")
        take(args, "momentum")
        args.append(keyword("momentum", cst.Float("0.0")))
    elif momentum is None or is_literal(momentum.value, 0):
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
