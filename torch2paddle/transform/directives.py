"""Compiler directives (jit.yaml): decorators, statements and calls that are no-ops in eager code."""

from __future__ import annotations

import libcst as cst

from ..arguments import DirectiveContext, UnsupportedUse
from ..rewrites import DIRECTIVE_REWRITES
from ..rewrites._removal import without_decorators
from ..tables import ApiEntry
from .support import _keep_parentheses


class Directives:
    """Compiler directives (jit.yaml): decorators, statements and calls that are no-ops in eager code."""

    # -- compiler directives (DIRECTIVE_REWRITES): decorators, statements, calls ----------------------
    def _directive_entry(self, func: cst.BaseExpression) -> tuple[ApiEntry, str] | None:
        qualified = self.qualify(func)
        entry = self.tables.apis.get(qualified) if qualified else None
        if entry is None or entry.unsupported or entry.rewrite not in DIRECTIVE_REWRITES:
            return None
        return entry, qualified

    def _claim(self, node: cst.BaseExpression, site: str) -> None:
        found = self._directive_entry(node.func if isinstance(node, cst.Call) else node)
        if found is not None:
            self._directive_sites[id(node)] = (site, *found)

    def _claim_decorators(self, node) -> None:
        for decorator in node.decorators:
            self._claim(decorator.decorator, "decorator")

    def _directive(self, entry: ApiEntry, qualified: str, original, updated, site: str, definition=None):
        """Run the entry's directive rewrite: REMOVE, the new expression, or the torch form when refused."""
        context = DirectiveContext(entry, site, updated, self.output.render,
                                   not self.output.active and not self._classes, definition)
        try:
            with self._attempt():
                new = DIRECTIVE_REWRITES[entry.rewrite](context)
                if new is None and site == "call":
                    raise UnsupportedUse("a call cannot be removed")
        except UnsupportedUse as exc:
            self._unsupported(original, qualified, str(exc))
            if isinstance(updated, cst.Call):
                return updated.with_changes(func=self._torch_form(qualified))
            return self._torch_form(qualified)
        self._record(original, qualified, None)  # nothing of Paddle's is written
        if site == "call":
            self._unwrapped.add(id(original))
        if new is None or isinstance(new, cst.BaseSmallStatement):  # removed, or a statement of its own
            return cst.RemovalSentinel.REMOVE if new is None else new
        return _keep_parentheses(updated, new)

    def _directive_decorators(self, original, updated, definition: str):
        """The definition without the directive decorators their rewrites remove (their comments kept)."""
        claims = [(i, self._directive_sites.get(id(d.decorator))) for i, d in enumerate(original.decorators)]
        if not any(claim for _, claim in claims):
            return updated
        decorators, drop = list(updated.decorators), set()
        for i, claim in claims:
            if claim is not None:
                site, entry, qualified = claim
                new = self._directive(entry, qualified, original.decorators[i].decorator, decorators[i].decorator,
                                      site, definition)
                if new is cst.RemovalSentinel.REMOVE:
                    drop.add(i)
                else:
                    decorators[i] = decorators[i].with_changes(decorator=new)
        return without_decorators(updated.with_changes(decorators=decorators), drop)

    def leave_Expr(self, original: cst.Expr, updated: cst.Expr):
        claim = self._directive_sites.get(id(original.value))
        if claim is None or claim[0] != "statement":
            return updated
        new = self._directive(claim[1], claim[2], original.value, updated.value, "statement")
        if new is cst.RemovalSentinel.REMOVE or isinstance(new, cst.BaseSmallStatement):
            return new
        return updated.with_changes(value=new)
