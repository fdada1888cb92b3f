"""LR schedulers: ``s = StepLR(optimizer, ...)`` -> ``s = StepDecay(learning_rate=optimizer.get_lr(), ...)``
followed by ``optimizer.set_lr_scheduler(s)``.

Why a statement-level rewrite: a torch scheduler is built *from* the
optimizer and changes its learning rate in place; a Paddle scheduler is built
from the base learning rate and the optimizer reads its rate *from* the
scheduler.  torch code builds the optimizer first, so the conversion keeps
that order: the scheduler starts from the optimizer's current rate (torch's
``initial_lr``, which is the optimizer's rate when its first scheduler is
built) and is attached with the public ``Optimizer.set_lr_scheduler``.
``scheduler.step()`` stays where the user calls it, and ``optimizer.get_lr()``
then reports the scheduled rate, as ``param_groups[0]["lr"]`` does in torch.

Refused, with what to change: a scheduler that is not assigned to a name or
attribute on its own line (the attach statement needs the name), an
optimizer given as an expression other than a name or attribute, and a
second scheduler for the same optimizer in one function (torch would chain
them; a Paddle optimizer holds one scheduler).
"""

from __future__ import annotations

import libcst as cst

from ..arguments import source_of
from . import call_rewrite
from .optimizers import GROUP_RATE_HOWTO, group_rates_of, scheduler_scales_groups
from ._support import as_keywords, rebuild, find, is_literal, is_simple, keyword, method, take


def _attach(ctx, args: list[cst.Arg]) -> cst.BaseExpression:
    """Take the optimizer out of ``args`` and arrange ``optimizer.set_lr_scheduler(<target>)`` after the line."""
    opt = take(args, "optimizer")
    if opt is None:
        raise ctx.unsupported("the optimizer is not given")
    optimizer = opt.value
    if not is_simple(optimizer):
        raise ctx.unsupported("pass the optimizer as a name or attribute (it is used twice: base LR and set_lr_scheduler)")
    if group_rates_of(ctx.bound_values, ctx.resolve, optimizer) and not scheduler_scales_groups(ctx.entry.name, args):
        raise ctx.unsupported(
            GROUP_RATE_HOWTO + ": a Paddle scheduler's rate times each group's ratio is torch's schedule only for "
            "schedulers that scale every group by one factor (StepLR, MultiStepLR, ExponentialLR, LambdaLR, "
            "MultiplicativeLR, LinearLR, ConstantLR, PolynomialLR, CosineAnnealing* with eta_min=0)")
    if any(isinstance(v, cst.Call) and getattr(ctx.resolve(v.func), "name", None) == "torch.optim.ASGD"
           for v in ctx.bound_values(optimizer)):
        raise ctx.unsupported("torch's ASGD takes a changed rate one step late (its eta is refreshed after each step), "
                              "Paddle's SGD at once: schedule the rate by hand")
    target = ctx.assigned_to
    if target is None or ctx.add_statement is None or not is_simple(target):
        raise ctx.unsupported(
            "assign the scheduler to a name on its own line (`scheduler = ...(optimizer, ...)`): "
            "Paddle attaches it with optimizer.set_lr_scheduler(scheduler)"
        )
    if ctx.entry.name == _LINEAR_LR and _is_sequential_warmup(ctx, target):
        return optimizer  # the warm-up of a SequentialLR: folded into LinearWarmup there, never attached
    seen = ctx.scope_state.setdefault("lr_scheduler_optimizers", set()) if ctx.scope_state is not None else set()
    key = source_of(optimizer)
    if key in seen and ctx.entry.rewrite != "sequential_lr":
        raise ctx.unsupported(
            f"a second scheduler for `{key}`: torch chains them, a Paddle optimizer holds one LRScheduler; "
            "combine them into one schedule (e.g. paddle.optimizer.lr.LinearWarmup(learning_rate=<main scheduler>, ...))"
        )
    seen.add(key)
    ctx.add_statement(cst.Expr(method(optimizer, "set_lr_scheduler", [cst.Arg(value=target)])))
    return optimizer


_PER_GROUP = ("lr_lambda", "min_lr", "max_lr")
_LINEAR_LR = "torch.optim.lr_scheduler.LinearLR"
_CONSTANT_LR = "torch.optim.lr_scheduler.ConstantLR"


def _schedulers_lists(ctx) -> list[cst.BaseExpression]:
    """The values passed as ``schedulers=`` anywhere in the file (the import scan records keyword values)."""
    return ctx.bound_values(cst.Name("schedulers"))


def _is_sequential_warmup(ctx, target: cst.BaseExpression) -> bool:
    if not isinstance(target, cst.Name):
        return False
    for value in _schedulers_lists(ctx):
        if (isinstance(value, (cst.List, cst.Tuple)) and len(value.elements) == 2
                and isinstance(value.elements[0].value, cst.Name) and value.elements[0].value.value == target.value):
            return True
    return False


_SEQUENTIAL_HOWTO = (
    "SequentialLR converts for a LinearLR warm-up then a main scheduler, "
    "`SequentialLR(optimizer, schedulers=[warmup, main], milestones=[n])` with n the warm-up's total_iters "
    "(it becomes paddle.optimizer.lr.LinearWarmup(learning_rate=main, ...)); build other chains by hand"
)


@call_rewrite("sequential_lr")
def sequential_lr(ctx) -> cst.BaseExpression:
    """``SequentialLR(opt, schedulers=[warmup, main], milestones=[n])`` with ``warmup = LinearLR(opt, ...)``
    -> ``LinearWarmup(learning_rate=main, warmup_steps=n, start_lr=warmup.base_lr * warmup.start_factor,
    end_lr=warmup.base_lr * warmup.end_factor)``, attached to the optimizer in place of ``main``.

    Paddle has no SequentialLR; LinearWarmup runs a linear ramp for ``warmup_steps`` steps, then steps the
    main scheduler from 0, which is what SequentialLR does with a LinearLR warm-up whose total_iters is the
    milestone.  The warm-up's LinearLR line converts to an unattached scheduler holding those factors.
    A ConstantLR warm-up is refused: its flat ramp would need end_lr == start_lr, which LinearWarmup rejects.
    """
    args = as_keywords(ctx.entry, ctx.call.args)
    ctx.map_args([a for a in args if a.keyword.value != "optimizer"])  # refuses unsupported values first
    schedulers, milestones = find(args, "schedulers"), find(args, "milestones")
    original = {a.keyword.value: a.value for a in as_keywords(ctx.entry, ctx.original.args)}
    if schedulers is None or milestones is None:
        raise ctx.unsupported(_SEQUENTIAL_HOWTO)
    listed = original.get("schedulers")
    if not (isinstance(listed, cst.List) and len(listed.elements) == 2
            and all(isinstance(e.value, cst.Name) for e in listed.elements)):
        raise ctx.unsupported(_SEQUENTIAL_HOWTO)
    if not (isinstance(milestones.value, (cst.List, cst.Tuple)) and len(milestones.value.elements) == 1):
        raise ctx.unsupported(_SEQUENTIAL_HOWTO)
    warmup, main = (e.value for e in schedulers.value.elements)
    warmup_calls = ctx.bound_values(listed.elements[0].value)
    totals = set()
    for call in warmup_calls:
        entry = ctx.resolve(call.func) if isinstance(call, cst.Call) else None
        if entry is not None and entry.name == _CONSTANT_LR:
            raise ctx.unsupported("a ConstantLR warm-up: its flat ramp would be a LinearWarmup with end_lr == start_lr, "
                                  "which Paddle 3.3.1 rejects (it asserts end_lr > start_lr)")
        if entry is None or entry.name != _LINEAR_LR:
            raise ctx.unsupported(_SEQUENTIAL_HOWTO + "; here the warm-up is not a LinearLR")
        bound = {a.keyword.value: a.value for a in as_keywords(entry, call.args)}
        totals.add(source_of(bound["total_iters"]) if "total_iters" in bound else "5")
    milestone = milestones.value.elements[0].value
    if not warmup_calls or totals != {source_of(milestone)}:
        raise ctx.unsupported(_SEQUENTIAL_HOWTO + "; here the milestone is not the warm-up's total_iters")
    _attach(ctx, args)
    ramp = [
        keyword("learning_rate", main),
        keyword("warmup_steps", milestone),
        keyword("start_lr", _product(cst.Attribute(value=warmup, attr=cst.Name("base_lr")),
                                     cst.Attribute(value=warmup, attr=cst.Name("start_factor")))),
        keyword("end_lr", _product(cst.Attribute(value=warmup, attr=cst.Name("base_lr")),
                                   cst.Attribute(value=warmup, attr=cst.Name("end_factor")))),
    ]
    return rebuild(ctx, ctx.render(ctx.entry.target), ramp)


@call_rewrite("lr_scheduler")
def lr_scheduler(ctx) -> cst.BaseExpression:
    args = as_keywords(ctx.entry, ctx.call.args)
    for arg in args:
        if arg.keyword.value in _PER_GROUP and isinstance(arg.value, (cst.List, cst.Tuple)):
            raise ctx.unsupported(f"{arg.keyword.value} per parameter group: a Paddle optimizer has one rate")
    optimizer = _attach(ctx, args)  # its statement is added only if the whole rewrite succeeds
    mapped = ctx.map_args([a for a in args if a.keyword.value != "optimizer"])
    base = keyword("learning_rate", method(optimizer, "get_lr"))
    return rebuild(ctx, ctx.render(ctx.entry.target), [base, *mapped])


def _rate_only(ctx, args: list[cst.Arg], reason: str) -> None:
    """Refuse unless the call passes cycle_momentum=False: Paddle's cyclic schedulers move the rate only."""
    cycle = find(args, "cycle_momentum")
    if cycle is None or not is_literal(cycle.value, False):
        raise ctx.unsupported(reason)


def _given(args: list[cst.Arg], name: str) -> cst.Arg | None:
    """Take the keyword ``name`` out of ``args``; None when absent or the literal None."""
    arg = take(args, name)
    return None if arg is None or is_literal(arg.value, None) else arg


@call_rewrite("one_cycle_lr")
def one_cycle_lr(ctx) -> cst.BaseExpression:
    """OneCycleLR: Paddle takes the final rate itself and the total step count; it has no momentum cycling.

    torch's final rate is ``max_lr / div_factor / final_div_factor``; ``total_steps`` is
    given or ``epochs * steps_per_epoch``.  torch's default ``cycle_momentum=True`` also
    cycles the optimizer's momentum/beta1, which Paddle cannot: only ``cycle_momentum=False``
    converts.
    """
    args = as_keywords(ctx.entry, ctx.call.args)
    _rate_only(ctx, args, "torch cycles the optimizer's momentum/beta1 too (cycle_momentum=True, the default); "
                          "Paddle's OneCycleLR schedules the learning rate only: pass cycle_momentum=False to convert")
    max_lr = find(args, "max_lr")
    if max_lr is None or isinstance(max_lr.value, (cst.List, cst.Tuple)):
        raise ctx.unsupported("max_lr must be one rate (per-group rates have no Paddle equivalent)")
    div = take(args, "div_factor")
    final = take(args, "final_div_factor")
    total = find(args, "total_steps")
    if total is not None and is_literal(total.value, None):  # torch's default written out: not given
        total = take(args, "total_steps") and None
    epochs, per_epoch = _given(args, "epochs"), _given(args, "steps_per_epoch")
    if total is None:
        if epochs is None or per_epoch is None:
            raise ctx.unsupported("give total_steps, or epochs and steps_per_epoch")
        args.append(keyword("total_steps", _product(epochs.value, per_epoch.value)))
    elif epochs is not None or per_epoch is not None:
        raise ctx.unsupported("give total_steps or epochs/steps_per_epoch, not both")
    div_value = div.value if div is not None else cst.Float("25.0")
    final_value = final.value if final is not None else cst.Float("10000.0")
    args.append(keyword("divide_factor", div_value))
    end = _quotient(max_lr.value, div_value, final_value)
    mapped = ctx.map_args([a for a in args if a.keyword.value != "optimizer"])
    _attach(ctx, args)
    return rebuild(ctx, ctx.render(ctx.entry.target), [*mapped, keyword("end_learning_rate", end)])


def _number(node: cst.BaseExpression) -> float | None:
    if isinstance(node, (cst.Integer, cst.Float)):
        return float(node.evaluated_value)
    return None


def _paren(node: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float)):
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _binary(left, op, right) -> cst.BaseExpression:
    space = cst.SimpleWhitespace(" ")
    return cst.BinaryOperation(left=_paren(left), operator=op(whitespace_before=space, whitespace_after=space),
                               right=_paren(right))


def _product(a: cst.BaseExpression, b: cst.BaseExpression) -> cst.BaseExpression:
    return _binary(a, cst.Multiply, b)


def _quotient(value, div, final) -> cst.BaseExpression:
    numbers = [_number(n) for n in (value, div, final)]
    if all(n is not None for n in numbers):
        return cst.Float(repr(numbers[0] / numbers[1] / numbers[2]))
    return _binary(_binary(value, cst.Divide, div), cst.Divide, final)


@call_rewrite("get_last_lr")
def get_last_lr(ctx) -> cst.BaseExpression:
    """``scheduler.get_last_lr()`` -> ``[scheduler.last_lr]`` (one optimizer group: a one-element list).

    Paddle's ``LRScheduler.get_lr()`` recomputes the rate (recursively for some
    schedules), ``last_lr`` is the rate the last ``step()`` set.
    """
    if ctx.receiver is None or ctx.call.args:
        raise ctx.unsupported("get_last_lr() takes no arguments")
    return cst.List(elements=[cst.Element(cst.Attribute(value=ctx.receiver, attr=cst.Name("last_lr")))])


@call_rewrite("constant_lr")
def constant_lr(ctx) -> cst.BaseExpression:
    """``ConstantLR(opt, factor, total_iters)`` -> ``PiecewiseDecay(boundaries=[total_iters],
    values=[lr * factor, lr])`` with ``lr = opt.get_lr()``, attached to the optimizer.

    Paddle has no ConstantLR; a two-piece PiecewiseDecay is the same schedule: the base rate times
    ``factor`` for the first ``total_iters`` steps, then the base rate (torch's defaults: factor 1/3,
    total_iters 5).  torch keeps the factor for good when ``total_iters`` is 0 or negative (its
    chainable step never meets the milestone), so the second value is then ``lr * factor`` too; a
    ``total_iters`` that is not a literal is tested where it runs (``lr if n > 0 else lr * factor``).
    """
    args = as_keywords(ctx.entry, ctx.call.args)
    ctx.map_args([a for a in args if a.keyword.value != "optimizer"])  # refuses unsupported values first
    factor = find(args, "factor")
    total = find(args, "total_iters")
    factor_value = factor.value if factor is not None else _binary(cst.Float("1.0"), cst.Divide, cst.Integer("3"))
    total_value = total.value if total is not None else cst.Integer("5")
    total_number = _number(total_value)
    if total_number is None and isinstance(total_value, cst.UnaryOperation) and _number(total_value.expression) is not None:
        total_number = -_number(total_value.expression) if isinstance(total_value.operator, cst.Minus) else None
    if total_number is None and not is_simple(total_value):
        raise ctx.unsupported("total_iters is read twice (milestone and whether it is positive): pass a literal or a name")
    optimizer = _attach(ctx, args)
    rate = method(optimizer, "get_lr")
    scaled = _product(rate, factor_value)
    if total_number is not None:
        after = method(optimizer, "get_lr") if total_number > 0 else _product(method(optimizer, "get_lr"), factor_value)
    else:
        positive = cst.Comparison(left=total_value, comparisons=[cst.ComparisonTarget(
            cst.GreaterThan(whitespace_before=cst.SimpleWhitespace(" "), whitespace_after=cst.SimpleWhitespace(" ")),
            cst.Integer("0"))])
        after = cst.IfExp(test=positive, body=method(optimizer, "get_lr"),
                          orelse=_product(method(optimizer, "get_lr"), factor_value))
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    boundaries = cst.List([cst.Element(total_value)])
    values = cst.List([cst.Element(scaled, comma=comma), cst.Element(after)])
    return rebuild(ctx, ctx.render(ctx.entry.target), [keyword("boundaries", boundaries), keyword("values", values)])


@call_rewrite("cyclic_lr")
def cyclic_lr(ctx) -> cst.BaseExpression:
    """``CyclicLR(opt, base_lr, max_lr, ..., cycle_momentum=False)`` -> ``paddle.optimizer.lr.CyclicLR(
    base_learning_rate=, max_learning_rate=, ...)``, attached to the optimizer.

    Paddle's CyclicLR cycles the rate only: torch's default ``cycle_momentum=True`` also cycles the optimizer's
    momentum (or Adam's beta1) between base_momentum and max_momentum, and raises for an optimizer with neither,
    so only ``cycle_momentum=False`` converts.  The rates are absolute (not read from the optimizer).
    """
    args = as_keywords(ctx.entry, ctx.call.args)
    _rate_only(ctx, args, "torch cycles the optimizer's momentum/beta1 too (cycle_momentum=True, the default, and "
                          "raises for an optimizer without momentum); Paddle's CyclicLR schedules the learning rate "
                          "only: pass cycle_momentum=False to convert")
    for name in ("base_lr", "max_lr"):
        arg = find(args, name)
        if arg is not None and isinstance(arg.value, (cst.List, cst.Tuple)):
            raise ctx.unsupported(f"{name} per parameter group: a Paddle optimizer has one rate")
    mapped = ctx.map_args([a for a in args if a.keyword.value != "optimizer"])
    _attach(ctx, args)
    return rebuild(ctx, ctx.render(ctx.entry.target), mapped)
