"""Methods whose Paddle name depends on the receiver's class: ``zero_grad`` and ``load_state_dict``.

Why a rewrite: the same torch method name maps to different Paddle methods
on different classes, and the receiver's class is only known from what the
file assigns to its name (``optimizer = torch.optim.SGD(...)``):

* ``zero_grad()`` -> ``clear_grad(set_to_zero=False)`` on an optimizer,
  ``clear_gradients(set_to_zero=False)`` on a layer (torch's default
  ``set_to_none=True`` leaves the gradients None, which Paddle does with
  ``set_to_zero=False``; it matters for parameters a step does not reach).  On
  a receiver of unknown class the call is left as it is: Paddle's Optimizer
  and Layer both keep a torch-compatible ``zero_grad``.
* ``load_state_dict(sd)`` -> ``set_state_dict(sd)`` for layers, optimizers and
  LR schedulers; a ``GradScaler`` keeps ``load_state_dict`` (Paddle's
  GradScaler has no ``set_state_dict``).  torch's ``strict=True`` raises on
  missing/unexpected keys, Paddle warns and returns them (a correct program is
  unaffected); ``assign=True`` has no Paddle equivalent.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from ..arguments import fix_commas
from ._support import as_keywords, bound_arguments, rebuild, find, is_literal, keyword

_SCALERS = ("torch.cuda.amp.GradScaler", "torch.amp.GradScaler", "torch.GradScaler", "torch.cpu.amp.GradScaler")


def receiver_classes(ctx) -> set[str]:
    """Torch API names of the calls the receiver's name is assigned from ("?" for anything else)."""
    found = set()
    for value in ctx.bound_values(ctx.original.func.value):
        entry = ctx.resolve(value.func) if isinstance(value, cst.Call) else None
        found.add(entry.name if entry is not None else "?")
    return found


def _kind(name: str) -> str:
    if name in _SCALERS:
        return "scaler"
    if name.startswith("torch.optim.lr_scheduler."):
        return "scheduler"
    if name.startswith("torch.optim."):
        return "optimizer"
    if name.startswith("torch.nn.") and name[len("torch.nn."):][:1].isupper():
        return "module"
    return "?"


@call_rewrite("zero_grad")
def zero_grad(ctx) -> cst.BaseExpression:
    kinds = {_kind(n) for n in receiver_classes(ctx)}
    if kinds == {"optimizer"}:
        name = "clear_grad"
    elif kinds == {"module"}:
        name = "clear_gradients"
    else:
        return ctx.call  # unknown class: Paddle keeps a torch-compatible zero_grad on both
    args = as_keywords(ctx.entry, ctx.call.args)
    flag = find(args, "set_to_none")
    value = flag.value if flag is not None else cst.Name("True")
    if is_literal(value, True, False):
        zero = cst.Name("False" if is_literal(value, True) else "True")
    else:
        zero = cst.UnaryOperation(operator=cst.Not(), expression=value)
    func = cst.Attribute(value=ctx.receiver, attr=cst.Name(name))
    return ctx.call.with_changes(func=func, args=[keyword("set_to_zero", zero)])


@call_rewrite("load_state_dict")
def load_state_dict(ctx) -> cst.BaseExpression:
    kinds = {_kind(n) for n in receiver_classes(ctx)}
    if kinds == {"scaler"}:
        return ctx.call
    if "scaler" in kinds:
        raise ctx.unsupported("the receiver may be a GradScaler (load_state_dict) or another object (set_state_dict)")
    args = ctx.map_args()
    if ctx.helper is None:
        raise ctx.unsupported("needs the run-time helper module")
    strict = bound_arguments(ctx.entry, ctx.call.args).get("strict")
    if any(a.star for a in ctx.call.args):
        raise ctx.unsupported("*args/**kwargs may hold strict=")
    # torch raises on missing/unexpected keys (strict, the default) and returns them as a named tuple; Paddle's
    # set_state_dict warns and returns a plain tuple: the run-time load_state_dict gives torch's behaviour
    extra = [keyword("strict", strict.value)] if strict is not None else []
    return cst.Call(func=ctx.helper("load_state_dict"), args=fix_commas([], [cst.Arg(ctx.receiver), *args, *extra]))
