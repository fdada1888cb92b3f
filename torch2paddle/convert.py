"""Library entry point for one source text: ``convert_source``."""

from __future__ import annotations

import ast
import re
import sys
import threading
from functools import lru_cache
from itertools import accumulate

import libcst as cst

from .import_rewriter import ImportRewriter, fallback_placeholders, plan_output_names
from .runtime import MODULE as RUNTIME_MODULE, PLACEHOLDERS, is_runtime_target
from .imports import scan_imports
from .project import ModuleFacts
from .report import ConversionResult
from .tables import Tables, load_tables
from .transform.constants import fold_constants
from .transformer import TorchToPaddle


class SourceError(Exception):
    """The source cannot be converted (syntax error, bad encoding); carries the line where known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


# Python's tokenizer refuses more than 200 nested brackets; libcst's native parser has no such limit and
# overflows the C stack (a segmentation fault) somewhere past 1000.  Its parse time also grows
# quadratically with the depth of operator chains (a 5000-term `+` takes minutes), and its visitors hit
# RecursionError past ~300 levels.  So a file with deep brackets or a long statement (a cheap scan,
# needs_python_parse) is vetted by Python's own parser (C, milliseconds) before libcst sees it, with the
# AST depth capped at about MAX_AST_DEPTH (its recursion guard scales with the recursion limit).
MAX_AST_DEPTH = 600
TOO_DEEP = "expression nested too deeply to convert"
MAX_RAW_DEPTH = 100  # brackets, strings and comments included: deeper is vetted by Python's parser first
MAX_LOGICAL_LINE = 2000  # characters; a longer statement is vetted first (an n-term chain is 2n+ characters)
_NOT_STRUCTURE = re.compile(r"[^()\[\]{}\n]+")
_NEWLINE = re.compile("\n")
_DEPTH = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1, "\n": 0}


@lru_cache(maxsize=8)
def _import_pattern(roots: frozenset[str]) -> re.Pattern:
    """An import statement that may bind one of ``roots`` (over-matches: comments, strings, relative imports).

    Once backslash-joined lines are joined, ``import a, torch`` sits on one line, and a
    ``from torch... import`` has its module on the ``from`` line even when its names are in parentheses.
    """
    names = "|".join(sorted(map(re.escape, roots)))
    return re.compile(rf"\b(?:import|from)\b[^\n]*?\b(?:{names})\b")


def _join_backslash_lines(code: str) -> str:
    return code.replace("\\\r\n", "\\\x00").replace("\\\n", "\\\x00")


def needs_python_parse(code: str) -> bool:
    """Whether ``code`` may be too deep for libcst: deep brackets or a very long logical line.

    A cheap over-approximation (brackets in strings and comments count too; unbalanced
    brackets make it answer yes), so that Python's parser vets only the files that need it.
    """
    code = _join_backslash_lines(code)  # a backslash-continued line is one line
    structure = _NOT_STRUCTURE.sub("", code)
    if not structure:
        return len(code) > MAX_LOGICAL_LINE
    depths = list(accumulate(map(_DEPTH.__getitem__, structure)))
    if max(depths) > MAX_RAW_DEPTH or min(depths) < 0 or depths[-1] != 0:
        return True
    ends = list(accumulate(len(line) + 1 for line in code.split("\n")))  # offset after each physical line
    start = 0
    for line, match in enumerate(_NEWLINE.finditer(structure)):
        if depths[match.start()] == 0:  # a newline outside brackets ends a logical line
            if ends[line] - start > MAX_LOGICAL_LINE:
                return True
            start = ends[line]
    return len(code) - start > MAX_LOGICAL_LINE


def _python_parse(code: str, filename: str | None) -> ast.Module:
    """Python's own AST of ``code``; SourceError for a syntax error (with its line) or too deep a nesting."""
    limit = sys.getrecursionlimit()
    tighten = threading.active_count() == 1  # the recursion limit is process-wide: never lower it under threads
    if tighten:
        depth, frame = 0, sys._getframe()
        while frame is not None:
            depth, frame = depth + 1, frame.f_back
        sys.setrecursionlimit(max(depth + MAX_AST_DEPTH // 3, 50))
    try:
        return compile(code, filename or "<source>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        if exc.msg.startswith(("too many nested parentheses", "too many levels of indentation")):
            raise SourceError(f"{TOO_DEEP} ({exc.msg})", exc.lineno) from None
        raise SourceError(f"syntax error: {exc.msg}", exc.lineno) from None
    except (RecursionError, MemoryError):
        raise SourceError(TOO_DEEP) from None
    except ValueError as exc:  # e.g. a NUL byte
        raise SourceError(f"syntax error: {exc}") from None
    finally:
        if tighten:
            sys.setrecursionlimit(limit)


def _imports_any(tree: ast.Module, roots: frozenset[str]) -> bool:
    """Whether any import statement (at any depth) binds a name from one of ``roots``.

    Mirrors the scan: ``import torch.nn``, ``from torch import nn`` count; relative and star imports do not.
    """
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            if any(alias.name.split(".", 1)[0] in roots for alias in node.names):
                return True
        elif isinstance(node, ast.ImportFrom):
            if (
                not node.level and node.module and node.module.split(".", 1)[0] in roots
                and not any(alias.name == "*" for alias in node.names)
            ):
                return True
        else:
            for name in ("body", "orelse", "finalbody"):
                block = getattr(node, name, None)
                if isinstance(block, list):
                    stack.extend(block)
            for handler in getattr(node, "handlers", ()):
                stack.extend(handler.body)
            for case in getattr(node, "cases", ()):
                stack.extend(case.body)
    return False


@lru_cache(maxsize=1)
def default_tables() -> Tables:
    return load_tables()


def torch_roots_of(tables: Tables) -> frozenset[str]:
    return frozenset(name.split(".", 1)[0] for name in tables.modules)


_ROOTS: dict[int, tuple[Tables, int, int, frozenset[str], frozenset[str]]] = {}


def _roots(tables: Tables) -> tuple[frozenset[str], frozenset[str]]:
    """(torch roots, all tracked roots) of ``tables``, computed once per tables object (and size)."""
    cached = _ROOTS.get(id(tables))
    if cached is None or cached[0] is not tables or cached[1:3] != (len(tables.modules), len(tables.apis)):
        if len(_ROOTS) > 16:
            _ROOTS.clear()
        cached = _ROOTS[id(tables)] = (tables, len(tables.modules), len(tables.apis), torch_roots_of(tables),
                                       tables.roots)
    return cached[3], cached[4]


def convert_source(code: str, filename: str | None = None, tables: Tables | None = None, *,
                   torch_init: bool = False, project: ModuleFacts | None = None,
                   own_roots: frozenset[str] = frozenset()) -> ConversionResult:
    """Convert one PyTorch module's source text to Paddle.

    Returns the new code with every torch API use found (converted or not,
    with line and column).  Raises ``SourceError`` for code that Python or libcst cannot
    parse (with the line Python's parser names) and for expressions nested too deeply.
    ``torch_init=True`` writes torch's default initialisation on layers whose Paddle
    defaults differ (Conv, Linear, Embedding).  ``project`` carries what the
    rest of the tree says about this module (``torch2paddle.project``): names
    imported from the project's own modules that are torch's, and torch imports
    other modules reach through this one.  ``own_roots``: top-level names the
    project defines itself (a vendored ``torchvision``), never converted as torch's.
    """
    tables = tables or default_tables()
    roots, tracked = _roots(tables)
    if own_roots:
        roots, tracked = roots - own_roots, tracked - own_roots
    from_project = bool(project and (project.imported or project.layer_calls))  # torch without the word torch
    if not from_project and not any(root in code for root in roots):
        return ConversionResult(code, [], False)  # fast path: no torch in sight
    if from_project:
        if needs_python_parse(code):
            _python_parse(code, filename)
    elif needs_python_parse(code):  # Python's parser first: it refuses in milliseconds what would crash libcst
        tree = _python_parse(code, filename)
        if not _imports_any(tree, roots):
            return ConversionResult(code, [], False)  # torch named, never imported: nothing to convert
        del tree
    elif not _import_pattern(roots).search(_join_backslash_lines(code)):
        return ConversionResult(code, [], False)  # no import statement names torch
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError as exc:
        _python_parse(code, filename)  # a syntax error: Python's parser names the line more precisely
        raise SourceError(f"libcst cannot parse this file: {exc.message}", exc.raw_line) from None
    except RecursionError:
        raise SourceError(TOO_DEEP) from None
    try:
        scan = scan_imports(module, tracked)
        if project:
            for local, qualified in project.imported.items():
                scan.aliases.setdefault(local, qualified)
        if not from_project and not any(i.qualified.split(".", 1)[0] in roots for i in scan.imports):
            return ConversionResult(code, [], False)
        output, forms = plan_output_names(scan, tables, roots, project)
        transformer = TorchToPaddle(tables, scan, output, roots, torch_init,
                                    dict(project.layer_calls) if project else None,
                                    project.outside_names if project is not None else None)
        converted = fold_constants(module.visit(transformer), transformer.constants)
        transformer.resolve_positions(module)
        rewriter = import_rewriter_for(scan, forms, output, transformer, roots, project)
        converted = converted.visit(rewriter)
        new_code = converted.code
    except RecursionError:
        raise SourceError(TOO_DEEP) from None
    uses = sorted(transformer.uses, key=lambda u: (u.line, u.column))
    return ConversionResult(new_code, uses, new_code != code,
                            tuple(sorted(transformer.leftover_roots)),
                            tuple(sorted(transformer.runtime_apis)), tuple(sorted(transformer.value_layers)))


def import_rewriter_for(scan, forms: dict, output, transformer: TorchToPaddle, roots: frozenset[str],
                        project: ModuleFacts | None) -> ImportRewriter:
    """The import pass for a transformed module: what it must import follows from what the transform wrote."""
    if fallback_placeholders(scan, forms, project.reexported if project else frozenset()):
        transformer.runtime_apis.add(PLACEHOLDERS)
    if RUNTIME_MODULE in output.modules:
        # a target of the generated module itself (_torch2paddle_runtime.MultiheadAttention) was written: the
        # file imports that module as it imports the run-time adapter (`from .. import _torch2paddle_runtime`
        # in a package), not by a plain `import`, and the module written into OUT holds those classes
        output.modules.discard(RUNTIME_MODULE)
        transformer.runtime_apis.update(runtime_target_entries(transformer.tables))
    return ImportRewriter(scan, forms, output, transformer.import_nodes, transformer.leftover_roots, roots,
                          frozenset(transformer.kept_function_imports),
                          project.reexported if project else frozenset(),
                          _runtime_prelude(transformer.runtime_apis, project))


def runtime_target_entries(tables: Tables) -> set[str]:
    """Names of the entries whose target is a class or function of the generated run-time module."""
    return {e.name for e in tables.entries() if is_runtime_target(e.target)}


def _runtime_prelude(runtime_apis: set[str], project: ModuleFacts | None) -> tuple[str, ...]:
    if not runtime_apis:
        return ()
    return ((project if project is not None else ModuleFacts()).runtime_import,)
