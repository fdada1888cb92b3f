"""Project facts: which torch object each module-level name of SRC's modules binds, across files.

A file converted alone cannot know that ``from .layers import Conv2d`` is
torch's ``Conv2d``, nor that another module imports ``F`` from it.  This pass
reads every Python file of the tree once (Python's own parser, no libcst),
before any conversion, and records per module:

* ``imported``: names bound by imports of the project's own modules that
  resolve to torch objects (followed through re-exports, module-level
  aliases such as ``nn = torch.nn``, star imports and ``__all__``), so uses
  through them convert exactly as direct uses do;
* ``reexported``: torch imports of the module that something else reaches
  (another module imports the name, a star import, ``__all__``, or a
  package's ``__init__``), so the conversion keeps them, under the same
  local name, bound to their Paddle counterpart, even where the module does
  not use them itself.

The facts are plain data (sent to the worker processes); reading them never
imports torch or paddle.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping


@dataclass(frozen=True)
class ModuleFacts:
    """What conversion of one module needs to know about the rest of the project."""

    imported: Mapping[str, str] = field(default_factory=dict)  # local name -> torch qualified name
    reexported: frozenset[str] = frozenset()  # module-level torch-import names others reach
    runtime_import: str = "import _torch2paddle_runtime"  # how this module imports the run-time adapter
    # names of the project's classes that derive from a torch layer without an __init__ of their own
    # (timm's `class Linear(nn.Linear)`): their calls take the layer's arguments -> the layer's torch name
    layer_calls: Mapping[str, str] = field(default_factory=dict)
    # imported names bound to torch modules through a star import: uses convert, written with full
    # Paddle names (`paddle.nn.functional`), since the exporting module does not re-export its imports
    unbound: frozenset[str] = frozenset()
    # names of this module that other modules of the project import, anywhere (None: unknown, or the module
    # is imported whole / star-imported): a function none of them imports is called from this file only
    outside_names: frozenset[str] | None = None

    def __bool__(self) -> bool:
        return bool(self.imported or self.reexported or self.layer_calls)


@dataclass
class _Module:
    name: str  # dotted module name relative to SRC
    is_package: bool
    torch: dict[str, str] = field(default_factory=dict)  # module-level name -> torch qualified name
    imports: list[tuple[str, str, str]] = field(default_factory=list)  # (local, project module, name or "*")
    all_names: list[str] | None = None  # a literal __all__
    defined: set[str] = field(default_factory=set)  # other module-level bindings (they shadow imports)
    # classes deriving from a torch layer (or from such a class) without an __init__ of their own: they
    # take the layer's arguments -> (base as written: a torch name or a local/imported class, resolved later)
    layer_classes: dict[str, str] = field(default_factory=dict)


def module_name(rel: str) -> tuple[str, bool]:
    """``pkg/layers.py`` -> (``pkg.layers``, False); ``pkg/__init__.py`` -> (``pkg``, True)."""
    parts = rel[:-3].split("/")
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _module_statements(body: list[ast.stmt]) -> Iterable[ast.stmt]:
    """Statements that run at import time at module level (through if/try/with, not into defs)."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.With, ast.Try)) or type(node).__name__ == "TryStar":
            for name in ("body", "orelse", "finalbody"):
                yield from _module_statements(getattr(node, name, None) or [])
            for handler in getattr(node, "handlers", ()):
                yield from _module_statements(handler.body)


def _all_statements(body: list[ast.stmt]) -> Iterable[ast.stmt]:
    """Every statement, in function and class bodies too (imports are statements: expressions are skipped)."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(node, name, None)
            if inner:
                stack.extend(inner)


class _Reader:
    def __init__(self, roots: frozenset[str], names: set[str], prefixes: tuple[str, ...]):
        self.roots = roots
        self.names = names  # every module name of the project
        self.prefixes = prefixes  # names SRC itself is imported under (a package SRC: its folder name)

    def project_module(self, current: _Module, level: int, module: str | None) -> str | None:
        if level:
            base = current.name.split(".") if current.name else []
            if not current.is_package:
                base = base[:-1]
            if level - 1 > len(base):
                return None
            base = base[:len(base) - (level - 1)]
            target = ".".join([*base, *([module] if module else [])])
            return target if target in self.names or target == "" else None
        if not module:
            return None
        if module in self.names:
            return module
        for prefix in self.prefixes:
            if module == prefix:
                return ""
            if module.startswith(prefix + "."):
                inner = module[len(prefix) + 1:]
                if inner in self.names:
                    return inner
        return None

    def read_uses(self, current: _Module, tree: ast.Module, uses: dict[str, set[str] | None]) -> None:
        """Every import of a project module anywhere in ``tree`` (function bodies too): the names taken from
        it, or None for the module as a whole (``import pkg.m``, ``from . import m``); a star import is
        noted as the name "*" (resolved with the module's ``__all__`` once every module is read)."""
        for node in _all_statements(tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = self.project_module(current, 0, alias.name)
                    if target is not None:
                        uses[target] = None
            elif isinstance(node, ast.ImportFrom):
                target = self.project_module(current, node.level, node.module)
                if target is None:
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}" if target else alias.name
                    if sub in self.names:
                        uses[sub] = None
                    elif uses.get(target, set()) is not None:
                        uses.setdefault(target, set()).add(alias.name)

    def read(self, current: _Module, tree: ast.Module) -> None:
        for node in _module_statements(tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    root = alias.name.split(".", 1)[0]
                    if root in self.roots:
                        local = alias.asname or root
                        current.torch[local] = alias.name if alias.asname else root
                    else:
                        current.defined.add(alias.asname or root)
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if not node.level and module.split(".", 1)[0] in self.roots:
                    for alias in node.names:
                        if alias.name != "*":
                            current.torch[alias.asname or alias.name] = f"{module}.{alias.name}"
                    continue
                target = self.project_module(current, node.level, node.module)
                for alias in node.names:
                    if target is None:
                        current.defined.add(alias.asname or alias.name)
                    elif alias.name == "*":
                        current.imports.append(("*", target, "*"))
                    else:
                        sub = f"{target}.{alias.name}" if target else alias.name
                        if sub in self.names:  # `from . import layers`: a module, not a name in it
                            current.defined.add(alias.asname or alias.name)
                        else:
                            current.imports.append((alias.asname or alias.name, target, alias.name))
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                if name == "__all__" and isinstance(node.value, (ast.List, ast.Tuple)):
                    values = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
                    if all(isinstance(v, str) for v in values):
                        current.all_names = list(values)
                    continue
                dotted = _dotted(node.value)
                head = dotted.split(".", 1)[0] if dotted else None
                if head is not None and head in current.torch and name not in current.torch:
                    rest = dotted[len(head):]
                    current.torch[name] = current.torch[head] + rest  # `nn = torch.nn`
                else:
                    current.defined.add(name)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                current.defined.add(node.name)
                if isinstance(node, ast.ClassDef) and node.bases and not any(
                        isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in ("__init__", "__new__")
                        for item in node.body):
                    base = _dotted(node.bases[0])
                    if base is not None:
                        current.layer_classes[node.name] = base
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for sub in ast.walk(target):
                        if isinstance(sub, ast.Name):
                            current.defined.add(sub.id)
        for name in current.defined & set(current.torch):
            del current.torch[name]  # rebound at module level: not (only) torch's any more


def scan_project(files: Iterable[tuple[str, Path]], roots: frozenset[str], package: str | None = None,
                 max_bytes: int = 1_000_000, modules: frozenset[str] = frozenset()) -> dict[str, ModuleFacts]:
    """Facts for each Python file of SRC, keyed by its relative path (files that need none are left out).

    ``package`` is the name SRC itself is imported under when it is a package
    (absolute imports ``from package.x import y`` then resolve inside SRC).
    ``modules`` are the torch modules the tables map: a star import does not
    re-export a module (``torch``, ``nn``) unless ``__all__`` names it.
    Files that cannot be read or parsed are left out: conversion reports them.
    """
    torch_modules = modules
    read: dict[str, _Module] = {}
    paths: dict[str, Path] = {}
    for rel, path in files:
        if rel.endswith(".py"):
            read[rel] = _Module(*module_name(rel))
            paths[rel] = path
    by_name = {m.name: m for m in read.values()}
    uses: dict[str, set[str] | None] = {}  # project module -> names other modules import from it (None: all)
    reader = _Reader(roots, set(by_name), (package,) if package else ())
    for rel, path in paths.items():  # one tree at a time: kept alive, whole trees would cost GC passes
        try:
            if path.stat().st_size > max_bytes:
                raise ValueError("too large")
            tree = ast.parse(path.read_bytes(), rel)
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
            del by_name[read.pop(rel).name]
            continue
        reader.read(read[rel], tree)
        reader.read_uses(read[rel], tree, uses)
        del tree
    links = _ProjectLinks(by_name, roots, torch_modules)
    imported, reexported, unbound = links.imports()
    calls = links.layer_calls()
    for name, used in uses.items():  # a star import takes what __all__ lists, or every public name
        if used is not None and "*" in used:
            public = by_name[name].all_names if name in by_name else None
            uses[name] = None if public is None else (used - {"*"}) | set(public)
    facts = {}
    for rel, m in read.items():
        used = uses.get(m.name, set())
        found = ModuleFacts(imported.get(m.name, {}), frozenset(reexported.get(m.name, set()) & set(m.torch)),
                            unbound=frozenset(unbound.get(m.name, ())), layer_calls=calls.get(m.name, {}),
                            outside_names=None if used is None else frozenset(used))
        if found or found.outside_names is not None:
            facts[rel] = found
    return facts


class _ProjectLinks:
    """How the modules of one project refer to each other's torch names: what each exports (followed across
    imports, star imports and ``__all__``), what it imports and re-exports, and the torch layer each project
    class takes its arguments from."""

    def __init__(self, by_name: dict[str, _Module], roots: frozenset[str], torch_modules: frozenset[str]):
        self.by_name, self.roots, self.torch_modules = by_name, roots, torch_modules
        self._exports: dict[str, dict[str, str]] = {}
        self._owners: dict[tuple[str, str], tuple[str, str]] = {}  # (module, name) -> where its torch import is
        self._layer_bases: dict[tuple[str, str], str | None] = {}

    def exported(self, module: str, stack: frozenset[str] = frozenset()) -> dict[str, str]:
        """Every module-level name of ``module`` that binds a torch object (followed across modules)."""
        if module in self._exports:
            return self._exports[module]
        if module in stack or module not in self.by_name:
            return {}
        m, owners = self.by_name[module], self._owners
        found = dict(m.torch)
        for name in m.torch:
            owners[(module, name)] = (module, name)
        for local, target, name in m.imports:
            names = self.exported(target, stack | {module})
            if name == "*":
                public = self.by_name[target].all_names if target in self.by_name else None
                for star_name, qualified in names.items():
                    if (star_name in public) if public is not None else not star_name.startswith("_"):
                        if star_name not in m.defined:
                            found.setdefault(star_name, qualified)
                            owners.setdefault((module, star_name), owners.get((target, star_name), (target, star_name)))
            elif name in names and local not in m.defined:
                found[local] = names[name]
                owners[(module, local)] = owners.get((target, name), (target, name))
        self._exports[module] = found
        return found

    def imports(self):
        """(what each module imports from the project's torch names, what each re-exports, star-imported
        torch modules each module uses without binding them)."""
        reexported: dict[str, set[str]] = {}
        imported: dict[str, dict[str, str]] = {}
        unbound: dict[str, set[str]] = {}
        for m in self.by_name.values():
            for local, target, name in m.imports:
                names = self.exported(target)
                pairs = list(names.items()) if name == "*" else [(local, names[name])] if name in names else []
                for as_local, qualified in pairs:
                    if name == "*":
                        public = self.by_name[target].all_names if target in self.by_name else None
                        if public is not None:
                            if as_local not in public:
                                continue
                        elif as_local.startswith("_"):
                            continue
                        elif qualified in self.torch_modules or qualified in self.roots:
                            # `from .x import *` brings `torch` and `nn` along: uses through them convert, but
                            # the output names Paddle's modules in full rather than re-exporting them from x
                            if as_local not in m.defined:
                                imported.setdefault(m.name, {})[as_local] = qualified
                                unbound.setdefault(m.name, set()).add(as_local)
                            continue
                    if as_local in m.defined:
                        continue
                    imported.setdefault(m.name, {})[as_local] = qualified
                    owner = self._owners.get((target, as_local if name == "*" else name))
                    if owner is not None:
                        reexported.setdefault(owner[0], set()).add(owner[1])
            published = set(m.all_names or ())
            for name, qualified in m.torch.items():
                # a package's `from torch.x import y` is its public API; `__all__` names what is
                if name in published or (m.is_package and not name.startswith("_") and "." in qualified
                                         and name != qualified.split(".", 1)[0]):
                    reexported.setdefault(m.name, set()).add(name)
        return imported, reexported, unbound

    def layer_base(self, module: str, name: str, depth: int = 0) -> str | None:
        """The torch layer whose arguments the project class ``name`` (as ``module`` binds it: defined there
        or imported) takes: it derives from that layer, through classes without an ``__init__`` of their own."""
        key = (module, name)
        if key in self._layer_bases or depth > 20 or module not in self.by_name:
            return self._layer_bases.get(key)
        self._layer_bases[key] = None  # cycles end here
        m = self.by_name[module]
        found = None
        base = m.layer_classes.get(name)
        if base is not None:
            head, _, rest = base.partition(".")
            if head in m.torch:
                found = m.torch[head] + ("." + rest if rest else "")
            elif not rest:
                found = self.layer_base(module, base, depth + 1)
        elif name not in m.defined:  # imported: follow it to where it is defined
            for local, target, imported_name in m.imports:
                if imported_name == "*":
                    found = found or self.layer_base(target, name, depth + 1)
                elif local == name:
                    found = self.layer_base(target, imported_name, depth + 1)
                    break
        self._layer_bases[key] = found
        return found

    def layer_calls(self) -> dict[str, dict[str, str]]:
        """Per module: project classes (defined or imported there) whose calls take a torch layer's arguments."""
        calls: dict[str, dict[str, str]] = {}
        for m in self.by_name.values():
            for name in m.layer_classes:
                base = self.layer_base(m.name, name)
                if base is not None:
                    calls.setdefault(m.name, {})[name] = base
            for local, target, name in m.imports:
                if name != "*" and local not in m.defined:
                    base = self.layer_base(target, name)
                    if base is not None:
                        calls.setdefault(m.name, {})[local] = base
        return calls


def own_top_level_names(files: Iterable[tuple[str, Path]], package: str | None) -> set[str]:
    """Top-level import names SRC defines itself: its own name when it is a package, and its top-level
    modules and packages.  They always mean the project's code, even when a table maps a library of
    that name (a vendored or forked ``torchvision`` imports itself, not Paddle's vision)."""
    names = {package} if package else set()
    for rel, _ in files:
        parts = rel.split("/")
        if len(parts) == 1 and rel.endswith(".py") and rel != "__init__.py":
            names.add(rel[:-3])
        elif len(parts) == 2 and parts[1] == "__init__.py":
            names.add(parts[0])
    return names


def runtime_home(rel: str, packages: set[str]) -> tuple[str, str]:
    """Where the run-time keyword adapter serving ``rel`` lives (a path relative to OUT) and the import
    statement ``rel`` reaches it with.

    ``packages`` are the folders holding an ``__init__.py`` ("" for SRC itself).  Inside a package the
    adapter sits at the top of the outermost enclosing package and is imported relatively (the package
    keeps working wherever it is installed); a script's folder gets its own, imported by name.
    """
    folder = rel.rpartition("/")[0]
    if folder not in packages:
        return (f"{folder}/" if folder else "") + "_torch2paddle_runtime.py", "import _torch2paddle_runtime"
    top = folder
    while top and top.rpartition("/")[0] in packages:
        top = top.rpartition("/")[0]
    depth = (folder.count("/") + 1 if folder else 0) - (top.count("/") + 1 if top else 0)
    return (f"{top}/" if top else "") + "_torch2paddle_runtime.py", f"from {'.' * (depth + 1)} import _torch2paddle_runtime"
