"""``optimizer.param_groups[0]["lr"]`` -> ``optimizer.get_lr()``; ``... = v`` -> ``optimizer.set_lr(v)``.

``for g in optimizer.param_groups: g["lr"] = v`` -> ``optimizer.set_lr(v)`` when
the loop does nothing else and ``v`` does not read ``g``.

Why an access rewrite: Paddle optimizers have no ``param_groups``; the
learning rate of a single-group optimizer is read with ``get_lr()`` (which
reports the scheduled rate when a scheduler is attached, as torch's
``param_groups[0]["lr"]`` does) and set with ``set_lr()`` (Paddle refuses
``set_lr`` while a scheduler is attached: that raises, it does not silently
differ).  Any other use (another key, a loop doing more, an augmented
assignment) is refused with the replacement to write by hand.
"""

from __future__ import annotations

import libcst as cst

from . import access_rewrite
from ._support import method
from .optimizers import GROUP_RATE_HOWTO, RMSPROP_RATE_HOWTO, group_count_of, group_rates_of, rmsprop_momentum_of

_HOWTO = (
    "Paddle optimizers have no param_groups: read the learning rate with optimizer.get_lr() and set it "
    "with optimizer.set_lr(lr)"
)


def _is_lr_of_first_group(subscripts) -> bool:
    if len(subscripts) != 2 or any(s is None for s in subscripts):
        return False
    index, key = subscripts
    return (
        isinstance(index, cst.Integer) and index.evaluated_value == 0
        and isinstance(key, cst.SimpleString) and key.evaluated_value == "lr"
    )


def _names_in(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class Names(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.add(name.value)

    node.visit(Names())
    return found


def _set_lr_loop(ctx) -> cst.SimpleStatementLine:
    loop = ctx.loop
    howto = _HOWTO + " (a loop over the groups converts when its only statement is group['lr'] = value)"
    if not isinstance(loop.target, cst.Name) or loop.orelse is not None or loop.asynchronous is not None:
        raise ctx.unsupported(howto)
    body = loop.body.body if isinstance(loop.body, (cst.IndentedBlock, cst.SimpleStatementSuite)) else []
    statements = [s for line in body for s in (line.body if isinstance(line, cst.SimpleStatementLine) else [line])] \
        if isinstance(loop.body, cst.IndentedBlock) else list(body)
    if len(statements) != 1 or not isinstance(statements[0], cst.Assign) or len(statements[0].targets) != 1:
        raise ctx.unsupported(howto)
    line = body[0]
    assign = statements[0]
    target = assign.targets[0].target
    if not (isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name)
            and target.value.value == loop.target.value and len(target.slice) == 1
            and isinstance(target.slice[0].slice, cst.Index)
            and isinstance(target.slice[0].slice.value, cst.SimpleString)
            and target.slice[0].slice.value.evaluated_value == "lr"):
        raise ctx.unsupported(howto)
    if loop.target.value in _names_in(assign.value):
        raise ctx.unsupported(howto + "; here the value reads the group")
    # the loop's comments are kept: the header's and the body line's above it, the body line's trailing one
    comments = []
    if isinstance(loop.body, cst.IndentedBlock):
        if loop.body.header.comment is not None:
            comments.append(cst.EmptyLine(comment=loop.body.header.comment))
        comments += [e.with_changes(indent=True) for e in line.leading_lines if e.comment is not None]
        comments += [e.with_changes(indent=True) for e in loop.body.footer if e.comment is not None]
        trailing = line.trailing_whitespace
    else:
        trailing = loop.body.trailing_whitespace
    call = cst.Expr(method(ctx.receiver, "set_lr", [cst.Arg(value=assign.value)]))
    return cst.SimpleStatementLine(body=[call], leading_lines=comments, trailing_whitespace=trailing)


@access_rewrite("param_groups")
def param_groups(ctx):
    if ctx.receiver is not None and group_rates_of(ctx.bound_values, ctx.resolve, ctx.receiver):
        raise ctx.unsupported(GROUP_RATE_HOWTO + "; read or set each group's rate by hand")
    if ctx.receiver is not None and (ctx.loop is not None or ctx.value is not None) \
            and rmsprop_momentum_of(ctx.bound_values, ctx.resolve, ctx.receiver):
        raise ctx.unsupported(RMSPROP_RATE_HOWTO)
    if ctx.receiver is not None and ctx.loop is not None:
        return _set_lr_loop(ctx)
    if ctx.receiver is None or not _is_lr_of_first_group(ctx.subscripts):
        raise ctx.unsupported(_HOWTO)
    if ctx.augmented:
        raise ctx.unsupported(_HOWTO + " (write optimizer.set_lr(optimizer.get_lr() * factor))")
    if ctx.value is not None:
        if group_count_of(ctx.bound_values, ctx.resolve, ctx.receiver) != 1:
            raise ctx.unsupported(_HOWTO + ": torch sets the first group's rate only, Paddle's set_lr() every "
                                  "group's (they share the optimizer's rate); set the rate of every group with "
                                  "`for g in optimizer.param_groups: g['lr'] = value`")
        return cst.Expr(method(ctx.receiver, "set_lr", [cst.Arg(value=ctx.value)]))
    return method(ctx.receiver, "get_lr")
