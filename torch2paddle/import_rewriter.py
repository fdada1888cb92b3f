"""Rewrite the torch imports of a converted module from what the output really uses.

``plan_output_names`` decides, before the transform, which local names the
converted file will bind (``import torch.nn as nn`` -> ``import paddle.nn as
nn``; ``from torch.nn import Conv2d`` -> ``from paddle.nn import Conv2D``).
``ImportRewriter`` then replaces each torch import by the used ones, drops
the unused, keeps ``import torch`` only where unsupported uses still need it,
and moves comments of removed lines to the next statement.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from .fastwalk import FastDispatch
from .imports import ImportedName, ScanResult, build_dotted
from .project import ModuleFacts
from .runtime import MODULE as RUNTIME_MODULE, PLACEHOLDER as RUNTIME_PLACEHOLDER
from .tables import Tables
from .transformer import OutputNames


@dataclass(frozen=True)
class _Out:
    local: str
    module: str  # paddle module to import from ("" for a plain `import x.y`)
    name: str  # imported name (dotted for plain imports)
    asname: str | None


def _output_form(imported: ImportedName, tables: Tables, keep_local: bool = False) -> _Out | None:
    """How a torch import is written in Paddle; ``keep_local``: under the same local name (a re-export
    that other modules import by that name)."""
    form = _paddle_form(imported, tables)
    if form is not None and keep_local and form.local != imported.local:
        return _Out(imported.local, form.module, form.name, imported.local)
    return form


def paddle_binding(qualified: str, tables: Tables) -> str | None:
    """The Paddle object a name bound to torch's ``qualified`` is bound to once converted, or None."""
    if qualified in tables.modules:
        return tables.modules[qualified]
    entry = tables.apis.get(qualified)
    if entry is None or entry.unsupported or not entry.target or not entry.target.startswith("paddle."):
        return None
    return entry.target


def _paddle_form(imported: ImportedName, tables: Tables) -> _Out | None:
    q = imported.qualified
    if q in tables.modules:
        paddle_module = tables.modules[q]
        if not imported.is_from and not imported.has_asname:
            # `import torch.nn` binds `torch`; `import paddle.nn` binds `paddle`
            return _Out(paddle_module.split(".", 1)[0], "", paddle_module, None)
        if not imported.is_from:
            return _Out(imported.local, "", paddle_module, imported.local)
        parent, _, last = paddle_module.rpartition(".")
        if not parent:
            return _Out(imported.local, "", paddle_module, imported.local if imported.local != last else None)
        return _Out(imported.local, parent, last, imported.local if imported.local != last else None)
    entry = tables.apis.get(q)
    if entry is None or entry.unsupported or not entry.target or not entry.target.startswith("paddle."):
        return None
    parent, _, last = entry.target.rpartition(".")
    local = imported.local if imported.has_asname else last
    return _Out(local, parent, last, imported.local if imported.has_asname else None)


def fallback_placeholders(scan: ScanResult, forms: dict, reexported: frozenset[str] = frozenset()) -> bool:
    """Whether an ``except ImportError:`` fallback, or a re-export, imports a torch name Paddle lacks (it
    becomes a placeholder)."""
    return any((i.guard == "fallback" or (i.scope == 0 and i.local in reexported)) and forms.get(id(i), 0) is None
               for i in scan.imports)


def plan_output_names(scan: ScanResult, tables: Tables, torch_roots: frozenset[str],
                      project: ModuleFacts | None = None) -> tuple[OutputNames, dict]:
    forms: dict[int, _Out | None] = {}
    scopes: dict[int, dict[str, str]] = {}
    reexported = project.reexported if project else frozenset()
    if project:  # names imported from the project's own modules, already bound to Paddle there
        for local, qualified in project.imported.items():
            target = paddle_binding(qualified, tables) if local not in project.unbound else None
            if target is not None:
                scopes.setdefault(0, {})[local] = target
    for imported in scan.imports:
        if imported.qualified.split(".", 1)[0] not in torch_roots:
            continue
        # a re-export, or an optional import whose fallback binds the same name: the name must stay
        keep_local = bool(imported.guard) or (imported.scope == 0 and imported.local in reexported)
        form = _output_form(imported, tables, keep_local=keep_local)
        forms[id(imported)] = form
        if form is not None:
            if form.module:
                target = f"{form.module}.{form.name}"
            elif form.asname or form.local != form.name.split(".", 1)[0]:
                target = form.name
            else:  # `import paddle.vision` binds `paddle`, the root package
                target = form.local
            scopes.setdefault(imported.scope, {})[form.local] = target
    return OutputNames(scopes), forms


def _import_node(out: _Out) -> cst.BaseSmallStatement:
    asname = cst.AsName(name=cst.Name(out.asname)) if out.asname else None
    if not out.module:
        return cst.Import(names=[cst.ImportAlias(name=build_dotted(out.name), asname=asname)])
    return cst.ImportFrom(module=build_dotted(out.module), names=[cst.ImportAlias(name=cst.Name(out.name), asname=asname)])


def _merge(statements: list[cst.BaseSmallStatement]) -> list[cst.BaseSmallStatement]:
    """Group `from m import a` + `from m import b` into `from m import a, b` (order kept)."""
    merged: list[cst.BaseSmallStatement] = []
    by_module: dict[str, int] = {}
    for stmt in statements:
        if isinstance(stmt, cst.ImportFrom) and stmt.module is not None and not stmt.relative:
            key = cst.Module(body=[]).code_for_node(stmt.module)
            if key in by_module:
                i = by_module[key]
                prev = merged[i]
                names = [*prev.names[:-1], prev.names[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), *stmt.names]
                merged[i] = prev.with_changes(names=names)
                continue
            by_module[key] = len(merged)
        merged.append(stmt)
    return merged


_STATEMENT_HOLDERS = (
    cst.Module, cst.IndentedBlock, cst.BaseCompoundStatement, cst.Else, cst.ExceptHandler, cst.ExceptStarHandler,
    cst.Finally, cst.MatchCase, cst.SimpleStatementSuite,
)


class ImportRewriter(FastDispatch, cst.CSTTransformer):
    def __init__(self, scan: ScanResult, forms: dict, output: OutputNames, import_nodes: set[int],
                 leftover_roots: set[str], torch_roots: frozenset[str],
                 kept_function_imports: frozenset[tuple[int, str]] = frozenset(),
                 reexported: frozenset[str] = frozenset(), extra_prelude: tuple[str, ...] = ()):
        super().__init__()
        self.reexported = reexported  # module-level names other modules import from this one: never dropped
        self.kept_function_imports = kept_function_imports  # `import torch` a function's refusals still need
        self.by_statement: dict[int, list[ImportedName]] = {}
        for imported in scan.imports:
            self.by_statement.setdefault(id(imported.statement), []).append(imported)
        self.forms = forms
        self.module_level_imports = scan.module_level_imports  # `import paddle` already in the file?
        self.output = output
        self.import_nodes = import_nodes
        self.torch_roots = torch_roots
        self.prelude: list[cst.BaseSmallStatement] = []
        if output.needs_paddle_root and (0, "paddle") not in output.used and "paddle" not in self.module_level_imports:
            self.prelude.append(cst.Import(names=[cst.ImportAlias(name=cst.Name("paddle"))]))
        for root in sorted(output.modules):  # typing.Final, functools.partial written out: their module is needed
            if root not in self.module_level_imports and scan.aliases.get(root) != root:
                self.prelude.append(cst.Import(names=[cst.ImportAlias(name=cst.Name(root))]))
        for root in sorted(leftover_roots):
            self.prelude.append(cst.Import(names=[cst.ImportAlias(name=cst.Name(root))]))
        for statement in extra_prelude:  # e.g. the run-time keyword adapter's import
            self.prelude.append(cst.parse_statement(statement).body[0])
        self._prelude_done = False
        self._prelude_owner: int | None = None  # set by visit_Module
        self._emitted: set[tuple] = set()

    # Imports are statements: descend only through what can hold statements (compound statements and
    # their blocks), never into expressions, so the pass costs little beyond the module's statement tree.
    def on_visit(self, node: cst.CSTNode) -> bool:
        if not isinstance(node, _STATEMENT_HOLDERS):
            return False
        return super().on_visit(node)

    def visit_Module(self, node: cst.Module) -> bool:
        # the prelude goes with the first torch import of the module's own body (blocks are left before
        # the module, so "the first import rewritten" would put it inside a `try:` or a function)
        for stmt in node.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    imported = self.by_statement.get(id(small), [])
                    if any(i.qualified.split(".", 1)[0] in self.torch_roots for i in imported):
                        self._prelude_owner = id(small)
                        return True
        return True

    # keep import nodes identical (not rebuilt) so they can be recognised by id
    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def _replacement(self, stmt: cst.BaseSmallStatement, original_id: int) -> list[cst.BaseSmallStatement] | None:
        """New statements for a tracked import, or None to keep it as it is."""
        imported = self.by_statement.get(original_id)
        if not imported or not any(i.qualified.split(".", 1)[0] in self.torch_roots for i in imported):
            return None
        tracked_locals = {i.local: i for i in imported}
        new: list[cst.BaseSmallStatement] = []
        if not self._prelude_done and self._prelude_owner == original_id:
            new.extend(self.prelude)
            self._prelude_done = True
        kept_names = []  # aliases of untracked names in the same statement (`import os, torch`)
        unavailable: list[str] = []  # optional torch imports Paddle has no counterpart for
        fallbacks: list[cst.BaseSmallStatement] = []  # placeholders for fallbacks that are torch too
        for alias in stmt.names:
            local = alias.evaluated_alias or (
                alias.name.value if isinstance(alias.name, cst.Name) else cst.Module(body=[]).code_for_node(alias.name).split(".")[0]
            )
            if local not in tracked_locals:
                kept_names.append(alias)
                continue
            item = tracked_locals[local]
            if item.qualified.split(".", 1)[0] not in self.torch_roots or (
                    item.qualified == local and (item.scope, local) in self.kept_function_imports):
                kept_names.append(alias)
                continue
            form = self.forms.get(id(item))
            exported = item.scope == 0 and item.local in self.reexported
            if form is None and item.guard == "try":  # `try: from torch import x / except ImportError:`
                unavailable.append(item.qualified)
                continue
            if form is None and (item.guard == "fallback" or exported):
                # a fallback for a missing torch API that is torch too, or a name other modules import from
                # here that Paddle lacks: bind a placeholder that raises when used (the module still imports)
                fallbacks.append(cst.Assign(
                    targets=[cst.AssignTarget(cst.Name(item.local))],
                    value=cst.parse_expression(f'{RUNTIME_MODULE}.{RUNTIME_PLACEHOLDER}("{item.qualified}", '
                                               '"no Paddle counterpart")')))
                continue
            if form is None or ((item.scope, form.local) not in self.output.used and not exported
                                and not item.guard):
                continue
            key = (form.module, form.name, form.asname)
            if key in self._emitted:
                continue
            if (not form.module and form.asname is None and item.scope == 0
                    and form.local in self.module_level_imports):
                continue  # `import paddle` is in the file already (a file converted before)
            self._emitted.add(key)
            new.append(_import_node(form))
        if kept_names:
            last = kept_names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            new.insert(0, stmt.with_changes(names=[*kept_names[:-1], last]))
        new.extend(fallbacks)
        if unavailable:  # take the fallback the author wrote for a missing torch, as without torch
            new.append(cst.Raise(exc=cst.parse_expression(
                f'ImportError("torch2paddle: {", ".join(unavailable)} has no Paddle counterpart; '
                'the fallback below is used")')))
        return _merge(new)

    def _replaced(self, smalls) -> list[cst.BaseSmallStatement] | None:
        """The small statements of one line with its tracked imports rewritten; None when none changed."""
        flat: list[cst.BaseSmallStatement] = []
        changed = False
        for small in smalls:
            replacement = self._replacement(small, id(small)) if id(small) in self.import_nodes else None
            if replacement is None:
                flat.append(small)
            else:
                changed = True
                flat.extend(replacement)
        return flat if changed else None

    def _rewrite_body(self, body) -> list:
        # one import per block: `try: import torch / except: ...` needs its import in both branches
        self._emitted = set()
        out = []
        carry: list[cst.EmptyLine] | None = None  # leading lines of a removed import, for the next statement
        for stmt in body:
            if carry is not None:
                lines = [*carry, *stmt.leading_lines]
                if not out:  # the removed import opened the block: no blank lines before the first statement
                    while lines and lines[0].comment is None:
                        lines.pop(0)
                stmt = stmt.with_changes(leading_lines=lines)
                carry = None
            if not isinstance(stmt, cst.SimpleStatementLine) or not any(id(s) in self.import_nodes for s in stmt.body):
                out.append(stmt)
                continue
            flat = self._replaced(stmt.body)
            if flat is None:
                out.append(stmt)
                continue
            if not flat:
                carry = list(stmt.leading_lines)
                continue
            if len(stmt.body) == 1 and len(flat) > 1:
                # one import line became several: one per line, comments stay on the first
                out.append(stmt.with_changes(body=[_clean(flat[0])]))
                for extra in flat[1:]:
                    out.append(cst.SimpleStatementLine(body=[_clean(extra)]))
            else:
                out.append(stmt.with_changes(body=[_clean(s, last=(i == len(flat) - 1)) for i, s in enumerate(flat)]))
        return out

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        body = self._rewrite_body(updated.body)
        if self.prelude and not self._prelude_done:  # no torch import of its own (names came from the project)
            at = 0
            while at < len(body) and _is_header(body[at], first=at == 0):
                at += 1
            body = [*body[:at], *(cst.SimpleStatementLine(body=[s]) for s in self.prelude), *body[at:]]
            self._prelude_done = True
        return updated.with_changes(body=body)

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        body = self._rewrite_body(updated.body)
        if not body:
            body = [cst.SimpleStatementLine(body=[cst.Pass()])]
        return updated.with_changes(body=body)

    def leave_SimpleStatementSuite(self, original: cst.SimpleStatementSuite,
                                   updated: cst.SimpleStatementSuite) -> cst.SimpleStatementSuite:
        # `if cond: from torch import nn`: the imports share one line with their statement
        self._emitted = set()
        flat = self._replaced(updated.body)
        if flat is None:
            return updated
        if not flat:
            flat = [cst.Pass()]
        return updated.with_changes(body=[_clean(s, last=(i == len(flat) - 1)) for i, s in enumerate(flat)])


def _is_header(stmt: cst.BaseStatement, first: bool) -> bool:
    """A module docstring (first statement only) or a ``from __future__`` import: the prelude goes after."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    small = stmt.body[0]
    if first and isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    return isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name) and small.module.value == "__future__"


def _clean(stmt: cst.BaseSmallStatement, last: bool = True) -> cst.BaseSmallStatement:
    if last:
        return stmt.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return stmt.with_changes(semicolon=cst.Semicolon(whitespace_after=cst.SimpleWhitespace(" ")))
