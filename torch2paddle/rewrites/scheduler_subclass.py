"""A user's LR scheduler class: ``class Poly(torch.optim.lr_scheduler._LRScheduler)`` -> a Paddle LRScheduler.

Why a class rewrite: the two base classes agree on the life cycle (``__init__``
sets the base rate and calls ``step()``, which raises ``last_epoch`` by one and
stores ``get_lr()``), but a torch scheduler is built from the optimizer and
computes one rate per parameter group, while a Paddle one is built from the
base rate, computes one float and is attached to the optimizer.  So:

* ``super().__init__(optimizer, ...)`` -> ``super().__init__(optimizer.get_lr(), ...)``
  followed by ``optimizer.set_lr_scheduler(self)``; a class without ``__init__``
  gets one taking torch's ``(optimizer, last_epoch=-1)``;
* ``self.base_lrs`` -> ``[self.base_lr]`` (the one group);
* each ``return rates`` of ``get_lr`` -> ``return rates[0]``.

Refused: ``self.optimizer`` (a Paddle scheduler does not know its optimizer), an
``__init__`` that does not call ``super().__init__(optimizer, ...)`` on its own
line with the optimizer as a plain name, and a class without ``get_lr``.
"""

from __future__ import annotations

import libcst as cst

from . import class_rewrite
from ._support import keyword, method

_HOWTO = "rewrite the class on paddle.optimizer.lr.LRScheduler by hand: __init__(learning_rate, last_epoch), get_lr() returning one float"


def _is_super_init(call: cst.BaseExpression) -> bool:
    return (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "__init__"
            and isinstance(call.func.value, cst.Call) and isinstance(call.func.value.func, cst.Name)
            and call.func.value.func.value == "super")


class _BodyRewrite(cst.CSTTransformer):
    """``self.base_lrs`` -> ``[self.base_lr]``; notes any ``self.optimizer``."""

    def __init__(self) -> None:
        super().__init__()
        self.uses_optimizer = False

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if isinstance(updated.value, cst.Name) and updated.value.value == "self":
            if updated.attr.value == "base_lrs":
                return cst.List([cst.Element(updated.with_changes(attr=cst.Name("base_lr")))])
            if updated.attr.value == "optimizer":
                self.uses_optimizer = True
        return updated


class _FirstRate(cst.CSTTransformer):
    """Every ``return rates`` of get_lr (not of functions nested in it) -> ``return rates[0]``."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        return self.depth == 1

    def leave_FunctionDef(self, original, updated):
        self.depth -= 1
        return updated

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def leave_Return(self, original: cst.Return, updated: cst.Return) -> cst.Return:
        if updated.value is None:
            return updated
        value = updated.value
        if not isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.List, cst.ListComp)):
            value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        first = cst.SubscriptElement(slice=cst.Index(value=cst.Integer("0")))
        return updated.with_changes(value=cst.Subscript(value=value, slice=[first]))


def _attach_in_init(ctx, init: cst.FunctionDef) -> cst.FunctionDef:
    body = list(init.body.body)
    for i, line in enumerate(body):
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            continue
        small = line.body[0]
        if not (isinstance(small, cst.Expr) and _is_super_init(small.value)):
            continue
        call = small.value
        args = list(call.args)
        index = next((j for j, a in enumerate(args) if a.keyword is not None and a.keyword.value == "optimizer"),
                     0 if args and args[0].keyword is None and not args[0].star else None)
        if index is None or not isinstance(args[index].value, cst.Name):
            raise ctx.unsupported("super().__init__ must get the optimizer as a plain name; " + _HOWTO)
        optimizer = args[index].value
        rate = method(optimizer, "get_lr")
        args[index] = keyword("learning_rate", rate) if args[index].keyword is not None \
            else args[index].with_changes(value=rate)
        new_line = line.with_changes(body=[small.with_changes(value=call.with_changes(args=args))])
        attach = cst.SimpleStatementLine(body=[cst.Expr(method(optimizer, "set_lr_scheduler", [cst.Arg(cst.Name("self"))]))])
        body[i:i + 1] = [new_line, attach]
        return init.with_changes(body=init.body.with_changes(body=body))
    raise ctx.unsupported("__init__ must call super().__init__(optimizer, ...) on a line of its own; " + _HOWTO)


_DEFAULT_INIT = cst.parse_statement(
    "def __init__(self, optimizer, last_epoch=-1):\n"
    "    super().__init__(optimizer.get_lr(), last_epoch)\n"
    "    optimizer.set_lr_scheduler(self)\n"
)


@class_rewrite("lr_scheduler_subclass")
def lr_scheduler_subclass(ctx) -> cst.ClassDef:
    cls = ctx.node
    if not isinstance(cls.body, cst.IndentedBlock):
        raise ctx.unsupported(_HOWTO)
    rewriter = _BodyRewrite()
    cls = cls.visit(rewriter)
    if rewriter.uses_optimizer:
        raise ctx.unsupported("the class reads self.optimizer, which a Paddle scheduler does not have; " + _HOWTO)
    members = list(cls.body.body)
    names = [m.name.value if isinstance(m, cst.FunctionDef) else None for m in members]
    if "get_lr" not in names:
        raise ctx.unsupported("a scheduler class without get_lr(); " + _HOWTO)
    at = names.index("get_lr")
    members[at] = members[at].visit(_FirstRate())
    if "__init__" in names:
        at = names.index("__init__")
        members[at] = _attach_in_init(ctx, members[at])
    else:  # after the docstring, if any
        docstring = bool(members) and isinstance(members[0], cst.SimpleStatementLine) and \
            isinstance(members[0].body[0], cst.Expr) and isinstance(members[0].body[0].value, cst.BaseString)
        at = 1 if docstring else 0
        if at < len(members) and not members[at].leading_lines:  # a blank line between the methods
            members[at] = members[at].with_changes(leading_lines=[cst.EmptyLine(indent=False)])
        members.insert(at, _DEFAULT_INIT)
    return cls.with_changes(body=cls.body.with_changes(body=members))

