"""A light import pass: which local names mean which torch objects.

libcst's generic QualifiedNameProvider is too slow for whole repositories;
this scan records only what conversion needs, in one traversal:

* aliases bound by imports of tracked roots (``import torch.nn as nn``,
  ``from torch.nn import functional as F``, ``from functools import partial``);
* names that functions bind locally (a parameter called ``nn`` shadows the
  import inside that function);
* expressions bound to plain names (parameter defaults, assignments, keyword
  arguments), so calls through ``activation_layer(inplace=...)`` can be
  mapped when the name only ever holds torch layer classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import libcst as cst

from .fastwalk import walk


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    kind = type(node)  # exact type checks: isinstance on libcst's ABC-based classes is slow, and hot here
    if kind is _NAME:
        return node.value
    parts = []
    while kind is _ATTRIBUTE:
        parts.append(node.attr.value)
        node = node.value
        kind = type(node)
    if kind is not _NAME:
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


_NAME, _ATTRIBUTE = cst.Name, cst.Attribute


def build_dotted(name: str) -> cst.Attribute | cst.Name:
    parts = name.split(".")
    node: cst.Attribute | cst.Name = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


@dataclass(frozen=True)
class ImportedName:
    """One name an import statement binds to a tracked module or object."""

    local: str
    qualified: str
    statement: cst.CSTNode  # the Import / ImportFrom node
    is_from: bool
    has_asname: bool
    scope: int = 0  # 0: module level; else id() of the FunctionDef the import is in
    # "try": in the body of a try whose handler catches ImportError (the handler holds a fallback);
    # "fallback": in such a handler; "": anywhere else
    guard: str = ""


@dataclass
class ScanResult:
    aliases: dict[str, str] = field(default_factory=dict)  # module-level imports
    function_aliases: dict[int, dict[str, str]] = field(default_factory=dict)  # imports inside a function
    imports: list[ImportedName] = field(default_factory=list)
    star_imports: list[tuple[cst.CSTNode, str]] = field(default_factory=list)
    function_locals: dict[int, frozenset[str]] = field(default_factory=dict)
    bound_values: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    param_names: set[str] = field(default_factory=set)  # names some function takes as a parameter
    foreign_modules: set[str] = field(default_factory=set)  # `import paddle` / `import numpy as np`: no tensors
    paddle_names: set[str] = field(default_factory=set)  # names imported from paddle: their results are Paddle's
    module_level_imports: set[str] = field(default_factory=set)  # `import x` outside functions: `paddle` bound already?
    opened_files: set[str] = field(default_factory=set)  # `with open(...) as f` / `f = open(...)`: file objects


class ImportScanner(cst.CSTVisitor):
    """Collects imports of ``roots`` and the local bindings that can shadow them."""

    def __init__(self, roots: frozenset[str]):
        self.roots = roots
        self.result = ScanResult()
        self._function_stack: list[tuple[int, set[str], set[str]]] = []  # (id, locals, globals)
        self._module_rebound: set[str] = set()
        self._guard_blocks: dict[int, str] = {}  # id(block) -> "try" | "fallback" (see ImportedName.guard)
        self._guards: list[str] = []

    # -- optional imports: `try: from torch import x` / `except ImportError: <fallback>` -------------
    def visit_Try(self, node: cst.Try) -> None:
        if any(_catches_import_error(h) for h in node.handlers):
            self._guard_blocks[id(node.body)] = "try"
            for handler in node.handlers:
                if _catches_import_error(handler):
                    self._guard_blocks[id(handler.body)] = "fallback"

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._guards.append(self._guard_blocks.get(id(node), self._guards[-1] if self._guards else ""))

    def leave_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._guards.pop()

    # -- imports -------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            full = dotted_name(alias.name)
            if full is None:
                continue
            root = full.split(".", 1)[0]
            if root not in self.roots:
                bound = alias.evaluated_alias or root
                self._bind(bound)
                self.result.foreign_modules.add(bound)
                if not self._function_stack:
                    self.result.module_level_imports.add(bound)
                if root == "paddle":
                    self.result.paddle_names.add(bound)
                continue
            if alias.asname is not None:
                local, qualified = alias.evaluated_alias, full
            else:
                local, qualified = root, root
            self._record(ImportedName(local, qualified, node, False, alias.asname is not None))
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        module = dotted_name(node.module) if node.module is not None else None
        tracked = not node.relative and module is not None and module.split(".", 1)[0] in self.roots
        if isinstance(node.names, cst.ImportStar):
            if tracked:
                self.result.star_imports.append((node, module))
            return False
        for alias in node.names:
            name = alias.name.value if isinstance(alias.name, cst.Name) else dotted_name(alias.name)
            local = alias.evaluated_alias or name
            if tracked and name:
                self._record(ImportedName(local, f"{module}.{name}", node, True, alias.asname is not None))
            elif local:
                self._bind(local)
                if not node.relative and module is not None and module.split(".", 1)[0] == "paddle":
                    self.result.paddle_names.add(local)
        return False

    def _record(self, imported: ImportedName) -> None:
        guard = self._guards[-1] if self._guards else ""
        if not self._function_stack:
            self.result.imports.append(replace(imported, guard=guard))
            self.result.aliases[imported.local] = imported.qualified
        else:  # an import inside a function binds the name in that function only
            scope = self._function_stack[-1][0]
            self.result.imports.append(ImportedName(imported.local, imported.qualified, imported.statement,
                                                   imported.is_from, imported.has_asname, scope, guard))
            self.result.function_aliases.setdefault(scope, {})[imported.local] = imported.qualified

    # -- scopes --------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name.value)
        names = set()
        params = node.params
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
            names.add(param.name.value)
            self.result.param_names.add(param.name.value)
            if param.default is not None:
                self.result.bound_values.setdefault(param.name.value, []).append(param.default)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                names.add(star.name.value)
        self._function_stack.append((id(node), names, set()))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        key, names, globals_ = self._function_stack.pop()
        self.result.function_locals[key] = frozenset(names - globals_)

    def visit_Global(self, node: cst.Global) -> None:
        if self._function_stack:
            self._function_stack[-1][2].update(n.name.value for n in node.names)

    def _bind(self, name: str) -> None:
        if self._function_stack:
            self._function_stack[-1][1].add(name)
        else:
            self._module_rebound.add(name)

    def _bind_target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target)
            if isinstance(target.target, cst.Name):
                self.result.bound_values.setdefault(target.target.value, []).append(node.value)
                if opens_file(node.value):
                    self.result.opened_files.add(target.target.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target)
            if isinstance(node.target, cst.Name):
                self.result.bound_values.setdefault(node.target.value, []).append(node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._bind_target(node.name)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.asname.name, cst.Name) and opens_file(node.item):
            self.result.opened_files.add(node.asname.name.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.result.bound_values.setdefault(node.keyword.value, []).append(node.value)

    def leave_Module(self, node: cst.Module) -> None:
        self.result.foreign_modules -= self.result.bound_values.keys()  # also assigned: could be anything
        self.result.paddle_names -= self.result.bound_values.keys()
        tracked_locals = {i.local for i in self.result.imports}
        for name in self._module_rebound & tracked_locals:
            # e.g. `nn = make_thing()` after `import torch.nn as nn`: the name is not torch's any more
            self.result.aliases.pop(name, None)


_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _catches_import_error(handler: cst.ExceptHandler) -> bool:
    kind = handler.type
    if kind is None:
        return True
    kinds = [e.value for e in kind.elements] if isinstance(kind, cst.Tuple) else [kind]
    return any((dotted_name(k) or "").rpartition(".")[2] in _IMPORT_ERRORS for k in kinds)


def scan_imports(module: cst.Module, roots: frozenset[str]) -> ScanResult:
    scanner = ImportScanner(roots)
    walk(module, scanner)  # same hooks, same order as module.visit(scanner), without rebuilding the tree
    return scanner.result


def opens_file(node: cst.BaseExpression) -> bool:
    """``open(...)``, ``io.open(...)``, ``gzip.open(...)``: an expression giving a file object."""
    if not isinstance(node, cst.Call):
        return False
    func = node.func
    return (isinstance(func, cst.Name) and func.value == "open") or (
        isinstance(func, cst.Attribute) and func.attr.value == "open" and isinstance(func.value, cst.Name)
        and func.value.value in ("io", "gzip", "bz2", "lzma", "builtins"))
