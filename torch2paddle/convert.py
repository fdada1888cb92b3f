"""Library entry point for one source text: ``convert_source``."""

from __future__ import annotations

from functools import lru_cache

import libcst as cst

from .import_rewriter import ImportRewriter, plan_output_names
from .imports import scan_imports
from .report import ConversionResult
from .tables import Tables, load_tables
from .transformer import TorchToPaddle


class SourceError(Exception):
    """The source cannot be converted (syntax error, bad encoding); carries the line where known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _syntax_error(code: str, filename: str | None, exc: cst.ParserSyntaxError) -> SourceError:
    """Python's own parser names the offending line more precisely than libcst's (which points past it)."""
    try:
        compile(code, filename or "<source>", "exec", dont_inherit=True)
    except SyntaxError as precise:
        return SourceError(f"syntax error: {precise.msg}", precise.lineno)
    except (ValueError, RecursionError, MemoryError):
        pass
    return SourceError(f"syntax error: {exc.message}", exc.raw_line)


@lru_cache(maxsize=1)
def default_tables() -> Tables:
    return load_tables()


def torch_roots_of(tables: Tables) -> frozenset[str]:
    return frozenset(name.split(".", 1)[0] for name in tables.modules)


def convert_source(code: str, filename: str | None = None, tables: Tables | None = None) -> ConversionResult:
    """Convert one PyTorch module's source text to Paddle.

    Returns the new code with every torch API use found (converted or not,
    with line and column).  Raises ``SourceError`` for code libcst cannot parse.
    """
    tables = tables or default_tables()
    roots = torch_roots_of(tables)
    if not any(root in code for root in roots):
        return ConversionResult(code, [], False)  # fast path: no torch in sight
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError as exc:
        raise _syntax_error(code, filename, exc) from None
    except RecursionError:
        raise SourceError("expression nested too deeply to parse") from None
    try:
        scan = scan_imports(module, tables.roots)
        if not any(i.qualified.split(".", 1)[0] in roots for i in scan.imports):
            return ConversionResult(code, [], False)
        output, forms = plan_output_names(scan, tables, roots)
        transformer = TorchToPaddle(tables, scan, output, roots)
        converted = module.visit(transformer)
        transformer.resolve_positions(module)
        converted = converted.visit(
            ImportRewriter(scan, forms, output, transformer.import_nodes, transformer.leftover_roots, roots)
        )
        new_code = converted.code
    except RecursionError:
        raise SourceError("expression nested too deeply to convert") from None
    uses = sorted(transformer.uses, key=lambda u: (u.line, u.column))
    return ConversionResult(new_code, uses, new_code != code)
