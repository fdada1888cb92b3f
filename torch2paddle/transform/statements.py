"""Statement lines and blocks: the markers a refused use leaves, statements rewrites add after a line, lines
removed, compound statements' headers."""

from __future__ import annotations

import libcst as cst

from ..rewrites._removal import kept_lines, without_lines, without_self_assignments
from .support import _with_markers


class Statements:
    """Statement lines and blocks: the markers a refused use leaves, statements rewrites add after a line, lines
    removed, compound statements' headers."""

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._markers.append([])
        self._after.append([])
        for small in node.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.value, cst.Call):
                self._assigned[id(small.value)] = small.targets[0].target
            elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                self._claim(small.value, "statement")  # torch.fx.wrap("f")

    def leave_SimpleStatementLine(self, original, updated: cst.SimpleStatementLine):
        markers = self._kept_markers(updated, self._markers.pop())
        after = self._after.pop()
        if self._replaced_source:  # placeholders stand where torch code was: keep that code, as comments
            updated = updated.with_changes(leading_lines=[*updated.leading_lines, *self._source_comments()])
        if self._unwrapped:
            updated = without_self_assignments(original, updated, self._unwrapped)
        if not updated.body and not after:  # every statement of the line was removed (torch.fx.wrap("f"))
            lines = kept_lines(updated.leading_lines, updated.trailing_whitespace)
            if not lines:
                return cst.RemovalSentinel.REMOVE
            placeholder = updated.with_changes(body=[cst.Pass()])  # dropped by its block, comments kept
            self._removed_lines[id(placeholder)] = lines
            return placeholder
        if markers:
            updated = updated.with_changes(trailing_whitespace=_with_markers(updated.trailing_whitespace, markers))
        if after:  # statements a rewrite added (e.g. optimizer.set_lr_scheduler(scheduler))
            return cst.FlattenSentinel([updated, *(cst.SimpleStatementLine(body=[s]) for s in after)])
        return updated

    def _visit_compound(self, node) -> None:
        self._markers.append([])
        self._guard_compound(node)

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        updated = self._leave_block(original, updated)
        if self._removed_lines:
            return without_lines(updated, self._removed_lines)
        return updated

    def _attach_block(self, updated):
        markers = [text for text, _, _ in self._markers.pop()]
        if not markers:
            return updated
        body = updated.body
        if isinstance(body, cst.IndentedBlock):
            return updated.with_changes(body=body.with_changes(header=_with_markers(body.header, markers)))
        if isinstance(body, cst.SimpleStatementSuite):
            return updated.with_changes(
                body=body.with_changes(trailing_whitespace=_with_markers(body.trailing_whitespace, markers))
            )
        return updated

    visit_If = visit_While = visit_With = visit_Try = _visit_compound

    def leave_If(self, original, updated):
        return self._attach_block(updated)

    leave_While = leave_With = leave_Try = leave_If
