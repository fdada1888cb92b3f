"""The constant-folding pass, run on the transform's output: what a rewrite made constant
(``torch.jit.is_scripting()`` -> ``False``) is folded inside ``not``/``and``/``or`` and conditional expressions.

Only the literals the transform produced are folded (it hands over their nodes); the user's own ``True`` and
``False`` are left as written."""

from __future__ import annotations

import libcst as cst

from .support import _keep_parentheses


class ConstantFolding(cst.CSTTransformer):
    """Folds the literals in ``constants`` (id -> node, the nodes the transform produced) into the boolean
    expressions around them.

    A subtree it does not change comes back as the very node it was given (libcst rebuilds every node it
    visits): the import pass reads the transform's import statements by identity."""

    def __init__(self, constants: dict[int, cst.CSTNode]):
        super().__init__()
        self._constants = dict(constants)  # grows with the folded results, which fold further up
        self._changed: list[bool] = [False]  # per open node: whether a child came back changed

    def on_visit(self, node: cst.CSTNode) -> bool:
        self._changed.append(False)
        return super().on_visit(node)

    def on_leave(self, original, updated):
        children_changed = self._changed.pop()
        result = super().on_leave(original, updated)
        if result is updated and not children_changed:
            result = original
        if result is not original:
            self._changed[-1] = True
        return result

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


def fold_constants(module: cst.Module, constants: dict[int, cst.CSTNode]) -> cst.Module:
    """``module`` with the transform's constants folded (the module itself when it made none)."""
    return module.visit(ConstantFolding(constants)) if constants else module
