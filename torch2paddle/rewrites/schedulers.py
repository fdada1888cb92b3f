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
them; a Paddle optimizer holds one scheduler).  Chains written with
ChainedScheduler/SequentialLR convert (their members are built unattached and
the chain, a run-time LRScheduler, attaches itself), and so does SWALR, which
takes the optimizer over at its first step.
"""

from __future__ import annotations

import libcst as cst

from ..arguments import source_of
from . import call_rewrite
from .optimizers import _has_group_key, optimizer_values, group_count_of, GROUP_RATE_HOWTO, RMSPROP_RATE_HOWTO, group_rates_of, rmsprop_momentum_of, scheduler_scales_groups
from ._support import as_keywords, bound_arguments, rebuild, find, is_literal, is_simple, keyword, method, take


def _attach(ctx, args: list[cst.Arg], statement: bool = True) -> cst.BaseExpression:
    """Take the optimizer out of ``args`` and arrange ``optimizer.set_lr_scheduler(<target>)`` after the line
    (``statement=False``: only the checks, for a run-time scheduler that attaches itself)."""
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
    if rmsprop_momentum_of(ctx.bound_values, ctx.resolve, optimizer):
        raise ctx.unsupported(RMSPROP_RATE_HOWTO)
    target = ctx.assigned_to
    if target is None or ctx.add_statement is None or not is_simple(target):
        raise ctx.unsupported(
            "assign the scheduler to a name on its own line (`scheduler = ...(optimizer, ...)`): "
            "Paddle attaches it with optimizer.set_lr_scheduler(scheduler)"
        )
    member = _membership(ctx).get(target.value) if isinstance(target, cst.Name) else None
    if member is not None:  # a ChainedScheduler/SequentialLR member: built unattached, the chain attaches itself
        _check_member(ctx, ctx.entry.name, member, {a.keyword.value: a for a in args})
        return optimizer
    seen = ctx.scope_state.setdefault("lr_scheduler_optimizers", set()) if ctx.scope_state is not None else set()
    swa = ctx.scope_state.setdefault("swalr_optimizers", set()) if ctx.scope_state is not None else set()
    key = source_of(optimizer)
    if ctx.entry.rewrite == "swalr":  # takes over from the scheduler attached before it (runtime_utils.py)
        swa.add(key)
        return optimizer
    if key in swa:
        raise ctx.unsupported(f"a scheduler for `{key}` built after its SWALR: build the main scheduler first "
                              "(SWALR takes the optimizer over from it at its first step)")
    if key in seen and ctx.entry.rewrite != "sequential_lr":
        raise ctx.unsupported(
            f"a second scheduler for `{key}`: torch chains them, a Paddle optimizer holds one LRScheduler; "
            "combine them into one schedule (e.g. paddle.optimizer.lr.LinearWarmup(learning_rate=<main scheduler>, ...))"
        )
    seen.add(key)
    if statement:
        ctx.add_statement(cst.Expr(method(optimizer, "set_lr_scheduler", [cst.Arg(value=target)])))
    return optimizer


_PER_GROUP = ("lr_lambda", "min_lr", "max_lr")
_LINEAR_LR = "torch.optim.lr_scheduler.LinearLR"
_CONSTANT_LR = "torch.optim.lr_scheduler.ConstantLR"


def _schedulers_lists(ctx) -> list[cst.BaseExpression]:
    """The values passed as ``schedulers=`` anywhere in the file (the import scan records keyword values)."""
    return ctx.bound_values(cst.Name("schedulers"))


_CHAINED = "torch.optim.lr_scheduler.ChainedScheduler"
_SEQUENTIAL = "torch.optim.lr_scheduler.SequentialLR"
_P = "torch.optim.lr_scheduler."
# torch's chainable schedulers whose step multiplies the rate it finds by factor(t) / factor(t - 1): chained, they
# give base * prod(factor_i(t)) (what the run-time ChainedScheduler computes from the unattached Paddle members)
_MULTIPLICATIVE = {_P + n for n in ("StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "ConstantLR", "PolynomialLR",
                                    "MultiplicativeLR")}
# members SequentialLR restarts at epoch 0 with their closed form (a fresh Paddle scheduler's state);
# MultiplicativeLR has none (torch keeps the rate the previous phase left), so it may only come first
_SEQUENTIAL_MEMBERS = (_MULTIPLICATIVE - {_P + "MultiplicativeLR"}) | {_P + "CosineAnnealingLR", _P + "LambdaLR",
                                                                 _P + "CosineAnnealingWarmRestarts"}
_CHAIN_HOWTO = {
    _CHAINED: ("ChainedScheduler converts for StepLR, MultiStepLR, ExponentialLR, LinearLR, ConstantLR, PolynomialLR "
               "and MultiplicativeLR members (each rescales the rate it finds, so the chain is the product of their "
               "factors); other members add to or replace the rate: combine the schedule by hand in a "
               "paddle.optimizer.lr.LambdaDecay"),
    _SEQUENTIAL: ("SequentialLR converts for StepLR, MultiStepLR, ExponentialLR, LinearLR, ConstantLR, PolynomialLR, "
                  "CosineAnnealingLR, CosineAnnealingWarmRestarts and LambdaLR members (MultiplicativeLR first only: torch restarts a later one "
                  "from the rate the previous phase left); build other phases by hand in a "
                  "paddle.optimizer.lr.LambdaDecay"),
}


def _file_values(ctx) -> list[cst.BaseExpression]:
    """Every value the file assigns to a plain name (the import scan's), the ``schedulers=`` keywords too."""
    return [*ctx.file_values(), *_schedulers_lists(ctx)]


def _chain_call(ctx, value) -> tuple[str, dict[str, cst.Arg]] | None:
    entry = ctx.resolve(value.func) if isinstance(value, cst.Call) else None
    if entry is None or entry.name not in (_CHAINED, _SEQUENTIAL):
        return None
    return entry.name, bound_arguments(entry, value.args)


def _membership(ctx) -> dict[str, tuple[str, int, cst.BaseExpression | None]]:
    """The names listed in a ChainedScheduler/SequentialLR assigned anywhere in the file: name -> (container
    entry, position in the list, the milestones expression).  A container assigned to an attribute is not
    found: its members then convert as ordinary schedulers, and the container is refused."""
    state = ctx.scope_state if ctx.scope_state is not None else {}
    cached = state.get("lr_chain_members")
    if cached is not None:
        return cached
    out: dict[str, tuple[str, int, cst.BaseExpression | None]] = {}
    for value in _file_values(ctx):
        found = _chain_call(ctx, value)
        if found is None:
            continue
        name, bound = found
        listed = bound.get("schedulers")
        milestones = bound.get("milestones")
        if listed is None or not isinstance(listed.value, (cst.List, cst.Tuple)):
            continue
        for i, element in enumerate(listed.value.elements):
            if isinstance(element.value, cst.Name):
                out.setdefault(element.value.value, (name, i, milestones.value if milestones is not None else None))
    state["lr_chain_members"] = out
    return out


def _check_member(ctx, entry_name: str, member, bound: dict[str, cst.Arg]) -> None:
    """Refuse a member its container would run otherwise on Paddle (``bound``: its arguments by torch name)."""
    container, position, milestones = member
    allowed = _MULTIPLICATIVE if container == _CHAINED else _SEQUENTIAL_MEMBERS
    first = (position == 0 and container == _SEQUENTIAL and entry_name == _P + "MultiplicativeLR"
             and isinstance(milestones, (cst.List, cst.Tuple)) and milestones.elements
             and isinstance(milestones.elements[0].value, cst.Integer)
             and milestones.elements[0].value.evaluated_value > 0)
    if entry_name not in allowed and not first:
        raise ctx.unsupported(_CHAIN_HOWTO[container] + f"; here a {entry_name.rsplit('.', 1)[-1]}")
    if "last_epoch" in bound and not is_literal(bound["last_epoch"].value, -1):
        raise ctx.unsupported("a chained scheduler resumed part-way (last_epoch): restore the scheduler's state_dict")
    total = bound.get("total_iters")
    if (container == _SEQUENTIAL and entry_name == _P + "ConstantLR" and total is not None
            and not (isinstance(total.value, cst.Integer) and total.value.evaluated_value > 0)):
        raise ctx.unsupported("a ConstantLR in a SequentialLR needs total_iters as a positive literal: torch restarts "
                              "it with its closed form, which ends the factor at once when total_iters <= 0 (on its "
                              "own it keeps the factor for good)")


def _linear_warmup_chain(ctx, args: list[cst.Arg]) -> tuple[cst.BaseExpression, cst.BaseExpression, cst.BaseExpression] | None:
    """(warmup, main, n) for ``SequentialLR(opt, schedulers=[warmup, main], milestones=[n])`` with ``warmup =
    LinearLR(opt, ..., total_iters=n)``; None for other chains."""
    schedulers, milestones = find(args, "schedulers"), find(args, "milestones")
    original = {a.keyword.value: a.value for a in as_keywords(ctx.entry, ctx.original.args)}
    listed = original.get("schedulers")
    if schedulers is None or milestones is None or not (
            isinstance(listed, cst.List) and len(listed.elements) == 2
            and all(isinstance(e.value, cst.Name) for e in listed.elements)):
        return None
    if not (isinstance(milestones.value, (cst.List, cst.Tuple)) and len(milestones.value.elements) == 1):
        return None
    warmup_calls = ctx.bound_values(listed.elements[0].value)
    totals = set()
    for call in warmup_calls:
        entry = ctx.resolve(call.func) if isinstance(call, cst.Call) else None
        if entry is None or entry.name != _LINEAR_LR:
            return None
        bound = {a.keyword.value: a.value for a in as_keywords(entry, call.args)}
        totals.add(source_of(bound["total_iters"]) if "total_iters" in bound else "5")
    milestone = milestones.value.elements[0].value
    if not warmup_calls or totals != {source_of(milestone)}:
        return None
    warmup, main = (e.value for e in schedulers.value.elements)
    return warmup, main, milestone


@call_rewrite("sequential_lr")
def sequential_lr(ctx) -> cst.BaseExpression:
    """``SequentialLR(opt, schedulers=[...], milestones=[...])``.

    The warm-up chain ``schedulers=[warmup, main], milestones=[n]`` with ``warmup = LinearLR(opt, ...,
    total_iters=n)`` -> ``LinearWarmup(learning_rate=main, warmup_steps=n, start_lr=warmup.base_lr *
    warmup.start_factor, end_lr=warmup.base_lr * warmup.end_factor)``: LinearWarmup runs a linear ramp for
    ``warmup_steps`` steps, then steps the main scheduler from 0, which is what SequentialLR does there.
    Other chains -> the run-time module's SequentialLR (runtime_utils.py): torch restarts each member at its
    milestone with its closed form at epoch 0, the state of a Paddle scheduler not stepped yet, so it steps the
    member of the current phase and reads its rate.  Either way the members are built unattached (``_attach``)
    and the result is attached.
    """
    args = as_keywords(ctx.entry, ctx.call.args)
    ctx.map_args([a for a in args if a.keyword.value != "optimizer"])  # refuses unsupported values first
    ramp = _linear_warmup_chain(ctx, args)
    if ramp is None:
        return _chain(ctx, args, _SEQUENTIAL)
    _check_members(ctx, args, _SEQUENTIAL)
    warmup, main, milestone = ramp
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


def _check_members(ctx, args: list[cst.Arg], container: str) -> cst.BaseExpression | None:
    """Each listed scheduler is a name assigned once, to an allowed scheduler on the same optimizer, found as a
    member (so built unattached).  Returns the members' optimizer."""
    original = {a.keyword.value: a.value for a in as_keywords(ctx.entry, ctx.original.args)}
    listed = original.get("schedulers")
    howto = _CHAIN_HOWTO[container]
    if not (isinstance(listed, (cst.List, cst.Tuple)) and listed.elements
            and all(isinstance(e.value, cst.Name) for e in listed.elements)):
        raise ctx.unsupported("list the schedulers by name (`schedulers=[warmup, main]`, each assigned on its own line): "
                              + howto)
    names = [e.value.value for e in listed.elements]
    if len(set(names)) != len(names):
        raise ctx.unsupported("a scheduler listed twice: Paddle cannot restart it; give each phase its own scheduler")
    members = _membership(ctx)
    optimizers = set()
    optimizer = None
    for element in listed.elements:
        member = members.get(element.value.value)
        if member is None:
            raise ctx.unsupported(f"assign the {container.rsplit('.', 1)[-1]} to a plain name on its own line "
                                  "(`scheduler = ...`): its schedulers are then built unattached")
        values = ctx.bound_values(element.value)
        entry = ctx.resolve(values[0].func) if len(values) == 1 and isinstance(values[0], cst.Call) else None
        if entry is None or not entry.name.startswith(_P):
            raise ctx.unsupported(f"`{element.value.value}` must be assigned one torch scheduler, once: " + howto)
        bound = bound_arguments(entry, values[0].args)
        _check_member(ctx, entry.name, member, bound)
        if "optimizer" not in bound or not is_simple(bound["optimizer"].value):
            raise ctx.unsupported("pass the optimizer to each scheduler as a name or attribute")
        optimizer = bound["optimizer"].value
        optimizers.add(source_of(optimizer))
    if len(optimizers) != 1:
        raise ctx.unsupported("the schedulers belong to different optimizers (torch raises)")
    return optimizer


def _chain(ctx, args: list[cst.Arg], container: str) -> cst.BaseExpression:
    """ChainedScheduler, or a SequentialLR other than a LinearLR warm-up -> the run-time module's class of the
    same name (runtime_utils.py), given the optimizer; it attaches itself (the members are unattached)."""
    optimizer = _check_members(ctx, args, container)
    given = find(args, "optimizer")
    if given is not None and source_of(given.value) != source_of(optimizer):
        raise ctx.unsupported("the schedulers belong to another optimizer (torch raises)")
    take(args, "verbose")
    take(args, "last_epoch")  # -1 only (map_args refused the others)
    if given is None:
        args.append(keyword("optimizer", optimizer))
    _attach(ctx, [*args], statement=False)  # the checks only (group rates, RMSprop, one scheduler per optimizer)
    name = container.rsplit(".", 1)[-1]
    ordered = [find(args, "optimizer")] if container == _SEQUENTIAL else []
    ordered += [a for a in args if a.keyword.value != "optimizer" or container != _SEQUENTIAL]
    return rebuild(ctx, ctx.render(f"_torch2paddle_runtime.{name}"), ordered)


@call_rewrite("chained_scheduler")
def chained_scheduler(ctx) -> cst.BaseExpression:
    """``ChainedScheduler([a, b], optimizer=None)`` -> the run-time module's ChainedScheduler(schedulers,
    optimizer=...): the members (unattached Paddle schedulers built on the optimizer's rate) are stepped together
    and the rate is the base rate times the product of their factors, which is torch's chain for schedulers that
    rescale the rate they find (see ``_MULTIPLICATIVE``)."""
    args = as_keywords(ctx.entry, ctx.call.args)
    return _chain(ctx, args, _CHAINED)


@call_rewrite("lr_scheduler")
def lr_scheduler(ctx) -> cst.BaseExpression:
    args = as_keywords(ctx.entry, ctx.call.args)
    for i, arg in enumerate(args):
        if arg.keyword.value in _PER_GROUP and isinstance(arg.value, (cst.List, cst.Tuple)):
            optimizer = find(args, "optimizer")
            single = (arg.keyword.value == "lr_lambda" and len(arg.value.elements) == 1
                      and not isinstance(arg.value.elements[0], cst.StarredElement) and optimizer is not None
                      and group_count_of(ctx.bound_values, ctx.resolve, optimizer.value) == 1)
            if not single:
                raise ctx.unsupported(f"{arg.keyword.value} per parameter group: a Paddle optimizer has one rate "
                                      "(a list of one function converts for an optimizer with one group)")
            args[i] = arg.with_changes(value=arg.value.elements[0].value)  # one group: its one function
    optimizer = _attach(ctx, args)  # its statement is added only if the whole rewrite succeeds
    mapped = ctx.map_args([a for a in args if a.keyword.value != "optimizer"])
    base = keyword("learning_rate", method(optimizer, "get_lr"))
    return rebuild(ctx, ctx.render(ctx.entry.target), [base, *mapped])


_CYCLED = {"torch.optim.Adam", "torch.optim.AdamW"}  # beta1 cycled (bias correction kept torch's: runtime_utils.py)
_NOT_CYCLED = {  # torch cycles these optimizers' momentum/beta1; Paddle's counterparts cannot follow exactly
    "torch.optim.RMSprop": "Paddle's RMSProp folds the learning rate into its momentum buffer",
    "torch.optim.Adamax": "Paddle's Adamax is not cycled by the run-time scheduler",
    "torch.optim.NAdam": "Paddle's NAdam keeps its own momentum schedule product",
    "torch.optim.RAdam": "Paddle's RAdam is not cycled by the run-time scheduler",
}


def _cycles_momentum(args: list[cst.Arg]) -> bool:
    cycle = find(args, "cycle_momentum")
    return cycle is None or not is_literal(cycle.value, False)


def _momentum_cycler(ctx, args: list[cst.Arg], name: str) -> cst.BaseExpression:
    """``OneCycleLR``/``CyclicLR`` with ``cycle_momentum=True`` -> the run-time module's scheduler of that name:
    torch's constructor and schedule, on a Paddle LRScheduler that attaches itself to the optimizer and sets its
    momentum (Momentum) or beta1 (Adam, AdamW; torch's bias correction kept) on every step."""
    for key in ("max_lr", "base_lr", "base_momentum", "max_momentum"):
        arg = find(args, key)
        if arg is not None and isinstance(arg.value, (cst.List, cst.Tuple)):
            raise ctx.unsupported(f"{key} per parameter group: a Paddle optimizer has one rate and momentum")
    last = find(args, "last_epoch")
    if last is not None and not is_literal(last.value, -1):
        raise ctx.unsupported("resuming a schedule part-way is not mapped; restore the scheduler's state_dict")
    take(args, "verbose")
    optimizer = find(args, "optimizer")
    if optimizer is not None:
        for value in optimizer_values(ctx, optimizer.value):
            entry = ctx.resolve(value.func) if isinstance(value, cst.Call) else None
            if entry is None:
                continue
            if entry.name in _NOT_CYCLED:
                raise ctx.unsupported(f"torch cycles this optimizer's momentum/beta1 (cycle_momentum=True, the "
                                      f"default): {_NOT_CYCLED[entry.name]}; pass cycle_momentum=False to convert")
            if entry.name == "torch.optim.SGD":
                bound = bound_arguments(entry, value.args)
                momentum, params = bound.get("momentum"), bound.get("params")
                grouped = params is not None and _has_group_key(params.value, "momentum")
                if (momentum is None or is_literal(momentum.value, 0, 0.0)) and not grouped:
                    raise ctx.unsupported(
                        f"`{source_of(optimizer.value)}` is an SGD without momentum, and torch cycles SGD's momentum "
                        "even then (cycle_momentum=True, the default), which paddle.optimizer.SGD "
                        "cannot: build the SGD with a momentum (any value: the scheduler replaces it), give each "
                        "optimizer its own name, or pass cycle_momentum=False")
    _attach(ctx, [a for a in args], statement=False)  # checks only: the run-time scheduler attaches itself
    return rebuild(ctx, ctx.render(f"_torch2paddle_runtime.{name}"), args)


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
    if _cycles_momentum(args):
        return _momentum_cycler(ctx, args, "OneCycleLR")
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
    if isinstance(ctx.receiver, cst.Name) and ctx.receiver.value in _membership(ctx):
        raise ctx.unsupported("get_last_lr() of a ChainedScheduler/SequentialLR member: torch gives the optimizer's "
                              "rate when that member last stepped; read the chain's get_last_lr() instead")
    rate = cst.List(elements=[cst.Element(cst.Attribute(value=ctx.receiver, attr=cst.Name("last_lr")))])
    groups = _group_count(ctx, ctx.receiver)
    if groups is None:
        return rate
    space = cst.SimpleWhitespace(" ")
    return cst.BinaryOperation(left=rate, operator=cst.Multiply(whitespace_before=space, whitespace_after=space),
                               right=cst.Integer(str(groups)), lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _group_count(ctx, scheduler: cst.BaseExpression) -> int | None:
    """The number of parameter groups (over one) of the optimizer the scheduler ``scheduler`` is built on, when
    the file writes them as a list of dicts: torch's get_last_lr() has one rate per group (each the scheduled
    rate when no group has its own 'lr'; refused when one has).  None: one group, or not known."""
    for value in ctx.bound_values(scheduler) if is_simple(scheduler) else []:
        entry = ctx.resolve(value.func) if isinstance(value, cst.Call) else None
        if entry is None or not entry.name.startswith("torch.optim.lr_scheduler.") or not entry.args:
            continue
        optimizer = bound_arguments(entry, value.args).get("optimizer")
        if optimizer is None:
            continue
        count = group_count_of(ctx.bound_values, ctx.resolve, optimizer.value)
        if count == -1:
            raise ctx.unsupported("torch's get_last_lr() has one rate per parameter group, and the number of "
                                  "groups is not written out here: use get_last_lr()[0]")
        if count > 1:
            if group_rates_of(ctx.bound_values, ctx.resolve, optimizer.value):
                raise ctx.unsupported(GROUP_RATE_HOWTO + ": get_last_lr() lists each group's own rate")
            return count
    return None


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
    if _cycles_momentum(args):
        return _momentum_cycler(ctx, args, "CyclicLR")
    for name in ("base_lr", "max_lr"):
        arg = find(args, name)
        if arg is not None and isinstance(arg.value, (cst.List, cst.Tuple)):
            raise ctx.unsupported(f"{name} per parameter group: a Paddle optimizer has one rate")
    mapped = ctx.map_args([a for a in args if a.keyword.value != "optimizer"])
    _attach(ctx, args)
    return rebuild(ctx, ctx.render(ctx.entry.target), mapped)


@call_rewrite("swalr")
def swalr(ctx) -> cst.BaseExpression:
    """``SWALR(optimizer, swa_lr, anneal_epochs, anneal_strategy)`` -> the run-time module's SWALR
    (runtime_utils.py): torch's annealing from the optimizer's current rate to swa_lr, on a Paddle LRScheduler that
    attaches itself (at its first step when another scheduler drives the optimizer: the SWA recipe steps the main
    scheduler until SWA starts, then SWALR)."""
    args = as_keywords(ctx.entry, ctx.call.args)
    swa = find(args, "swa_lr")
    if swa is not None and isinstance(swa.value, (cst.List, cst.Tuple)):
        raise ctx.unsupported("swa_lr per parameter group: a Paddle optimizer has one rate")
    ctx.map_args([a for a in args if a.keyword.value != "optimizer"])  # refuses unsupported values first
    optimizer = find(args, "optimizer")
    _attach(ctx, [*args], statement=False)
    rest = [a for a in args if a.keyword.value != "optimizer"]
    return rebuild(ctx, ctx.render(ctx.entry.target), [keyword("optimizer", optimizer.value), *rest])
