"""Removing decorators and statement lines without losing the comments on them.

A removed line's comments (the comment lines above it and its trailing comment, which
becomes a line of its own) move to the next decorator, to the ``def``/``class`` line, or
to the next statement of the block (the block's footer after its last statement).  A
removed line without comments goes with its blank lines.
"""

from __future__ import annotations

from typing import Sequence

import libcst as cst


def kept_lines(leading: Sequence[cst.EmptyLine], trailing: cst.TrailingWhitespace | None) -> list[cst.EmptyLine]:
    """The lines to keep when a line goes: [] when it has no comment."""
    lines = list(leading)
    if trailing is not None and trailing.comment is not None:
        lines.append(cst.EmptyLine(indent=True, whitespace=cst.SimpleWhitespace(""), comment=trailing.comment))
    return lines if any(line.comment is not None for line in lines) else []


def without_decorators(node, drop: set[int]):
    """``node`` (a FunctionDef or ClassDef) without its decorators at the indices ``drop``."""
    kept: list[cst.Decorator] = []
    carry: list[cst.EmptyLine] = []
    for i, decorator in enumerate(node.decorators):
        if i in drop:
            carry += kept_lines(decorator.leading_lines, decorator.trailing_whitespace)
            continue
        if carry:
            decorator = decorator.with_changes(leading_lines=[*carry, *decorator.leading_lines])
            carry = []
        kept.append(decorator)
    if carry:
        return node.with_changes(decorators=kept, lines_after_decorators=[*carry, *node.lines_after_decorators])
    return node.with_changes(decorators=kept)


def without_lines(block, removed: dict[int, list[cst.EmptyLine]]):
    """``block`` (a Module or IndentedBlock) without its statements whose ids are keys of ``removed``
    (each mapped to the comment lines it leaves)."""
    body: list[cst.BaseStatement] = []
    carry: list[cst.EmptyLine] = []
    for statement in block.body:
        if id(statement) in removed:
            carry += removed[id(statement)]
            continue
        if carry:
            statement = statement.with_changes(leading_lines=[*carry, *statement.leading_lines])
            carry = []
        body.append(statement)
    if not body and isinstance(block, cst.IndentedBlock):
        body, carry = [cst.SimpleStatementLine(body=[cst.Pass()], leading_lines=carry)], []
    if carry:
        return block.with_changes(body=body, footer=[*carry, *block.footer])
    return block.with_changes(body=body)


def without_self_assignments(original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine,
                             unwrapped: set[int]) -> cst.SimpleStatementLine:
    """The line without its ``x = x`` statements that were ``x = directive(x)`` (ids of the original calls a
    rewrite replaced by their argument in ``unwrapped``): ``model = torch.compile(model)`` goes."""
    if len(original.body) != len(updated.body):
        return updated
    kept = [new for old, new in zip(original.body, updated.body)
            if not (isinstance(old, cst.Assign) and id(old.value) in unwrapped and len(new.targets) == 1
                    and isinstance(new.targets[0].target, cst.Name) and isinstance(new.value, cst.Name)
                    and new.value.value == new.targets[0].target.value)]
    if len(kept) == len(updated.body):
        return updated
    if kept:
        kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return updated.with_changes(body=kept)
