"""Folding what a rewrite made constant (torch.jit.is_scripting() -> False) inside not/and/or and conditional
expressions."""

from __future__ import annotations

import libcst as cst

from .support import _keep_parentheses


class ConstantFolding:
    """Folding what a rewrite made constant (torch.jit.is_scripting() -> False) inside not/and/or and conditional
    expressions."""

    # -- literals a constant rewrite produced (torch.jit.is_scripting() -> False) -------------------
    def _is_constant(self, node: cst.CSTNode) -> bool:
        return self._constants.get(id(node)) is node

    def leave_UnaryOperation(self, original, updated) -> cst.BaseExpression:
        if isinstance(updated.operator, cst.Not) and self._is_constant(updated.expression):
            folded = cst.Name("True" if updated.expression.value == "False" else "False")
            self._constants[id(folded)] = folded
            return _keep_parentheses(updated, folded)
        return updated

    def leave_IfExp(self, original, updated) -> cst.BaseExpression:
        if self._is_constant(updated.test):  # `a if torch.jit.is_scripting() else b` -> b
            return _keep_parentheses(updated, updated.body if updated.test.value == "True" else updated.orelse)
        return updated

    def leave_BooleanOperation(self, original, updated) -> cst.BaseExpression:
        """``False and x`` -> ``False``, ``True and x`` -> ``x``, ``True or x`` -> ``True``, ``False or x``
        -> ``x`` for a left operand the converter made constant (the right one is never evaluated or is
        the value); a constant on the right is left alone: ``x and True`` is not ``x``."""
        left = updated.left
        if not self._is_constant(left):
            return updated
        truth = left.value == "True"
        keep_left = (not truth) if isinstance(updated.operator, cst.And) else truth
        result = left if keep_left else updated.right
        if keep_left:
            self._constants[id(result)] = result
        return _keep_parentheses(updated, result)
