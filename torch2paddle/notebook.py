"""Jupyter notebooks (``.ipynb``): converted cell by cell, as one module.

The code cells are joined into one module (so ``import torch.nn as nn`` in the first cell is known in the
fifth), with a marker statement between cells, converted, and split back.  Markdown and raw cells,
outputs, execution counts and every metadata field are kept as they were; only the ``source`` of code
cells changes.  IPython syntax is kept as it is: a line magic (``%matplotlib inline``), a shell line
(``!pip install x``, ``files = !ls``), a help line (``torch.zeros?``) is set aside while the cell is
converted and put back; a cell magic that makes the cell Python (``%%time``, ``%%timeit``, ``%%capture``)
is set aside the same way, any other (``%%bash``, ``%%writefile``) leaves its cell unchanged.  Imports the
conversion adds go to the top of the first converted cell.  Torch API uses carry their cell (numbered
from 1 over all cells, as nbqa does) and their line in that cell.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, replace

from .convert import SourceError, convert_source
from .report import ApiUse
from .tables import Tables

_MARK = "__torch2paddle_cell__"
_MARK_LINE = re.compile(rf"^{_MARK}\((\d+)\)\n", re.MULTILINE)
_MAGIC = "__torch2paddle_magic__"
_MAGIC_LINE = re.compile(rf"^([ \t]*)pass  # {_MAGIC}(\d+)$", re.MULTILINE)
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug"}
_SHELL_ASSIGNMENT = re.compile(r"^[ \t]*[A-Za-z_][\w., \t\[\]]*=[ \t]*[!%]")


class NotebookError(Exception):
    """The notebook cannot be converted: not JSON, not nbformat 4, or a cell that does not parse."""


@dataclass
class NotebookResult:
    data: bytes  # the converted notebook (the original bytes when nothing changed)
    uses: list[ApiUse]
    changed: bool
    torch_at_import: tuple[str, ...] = ()
    runtime_apis: tuple[str, ...] = ()
    value_layers: tuple[str, ...] = ()  # torch layer classes used as values (see ConversionResult)


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _is_magic(line: str) -> bool:
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return False
    return stripped[0] in "%!?" or stripped.endswith("?") or bool(_SHELL_ASSIGNMENT.match(line))


def _mask(text: str, magics: list[str]) -> str | None:
    """The cell with IPython lines replaced by a placeholder statement, or None when the cell is not Python."""
    lines = _lines(text)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    out = []
    for i, line in enumerate(lines):
        if i == first and line.lstrip().startswith("%%"):
            name = line.lstrip()[2:].split(None, 1)[0] if line.strip() != "%%" else ""
            if name not in _PYTHON_CELL_MAGICS:
                return None
        elif not _is_magic(line):
            out.append(line)
            continue
        body = line.rstrip("\r\n")
        indent = body[:len(body) - len(body.lstrip())]
        magics.append(body)
        out.append(f"{indent}pass  # {_MAGIC}{len(magics) - 1}" + line[len(body):])
    return "".join(out)


def _unmask(text: str, magics: list[str]) -> str:
    return _MAGIC_LINE.sub(lambda m: magics[int(m.group(2))], text)


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        if not all(isinstance(s, str) for s in source):
            raise NotebookError("a cell's source is not text")
        return "".join(source)
    if not isinstance(source, str):
        raise NotebookError("a cell's source is not text")
    return source


def _joined_cells(cells: list, magics: list[str]) -> tuple[str, list[tuple[int, int]], list[int]]:
    """The code cells as one module, each after a marker line naming its index (magics masked into
    ``magics``); where each cell starts in it ((module line, cell index)); the indexes of the cells joined."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    joined: list[int] = []
    line = 1
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        masked = _mask(_source(cell), magics)
        if masked is None:
            continue
        if masked and not masked.endswith("\n"):
            masked += "\n"
        parts.append(f"{_MARK}({index})\n{masked}")
        starts.append((line + 1, index))
        line += 1 + masked.count("\n")
        joined.append(index)
    return "".join(parts), starts, joined


def convert_notebook(data: bytes, filename: str, tables: Tables | None, *, torch_init: bool = False,
                     own_roots: frozenset[str] = frozenset(), max_code_bytes: int | None = None) -> NotebookResult:
    """Convert a notebook's code cells; raises NotebookError (with cell and line where known)."""
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise NotebookError(f"not a notebook (JSON: {exc})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        version = nb.get("nbformat") if isinstance(nb, dict) else None
        raise NotebookError(f"not an nbformat 4 notebook (nbformat {version}); upgrade it with "
                            "`jupyter nbconvert --to notebook`" if version else "not a notebook (no cells)")
    metadata = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    language = (metadata.get("kernelspec") or {}).get("language") or (metadata.get("language_info") or {}).get("name")
    if isinstance(language, str) and language.lower() != "python":
        return NotebookResult(data, [], False)
    magics: list[str] = []
    module, starts, converted_cells = _joined_cells(nb["cells"], magics)
    if not module:
        return NotebookResult(data, [], False)
    if max_code_bytes is not None and len(module.encode("utf-8", "surrogatepass")) > max_code_bytes \
            and "torch" in module:
        raise NotebookError(f"code cells too large to convert ({len(module) / 1e6:.1f} MB; the limit is "
                            f"{max_code_bytes / 1e6:g} MB, raise it with --max-file-mb)")

    def where(module_line: int) -> tuple[int, int]:
        cell_start, index = max((s for s in starts if s[0] <= module_line), default=starts[0])
        return index, module_line - cell_start + 1

    try:
        result = convert_source(module, filename, tables, torch_init=torch_init, own_roots=own_roots)
    except SourceError as exc:
        if exc.line:
            index, at = where(exc.line)
            raise NotebookError(f"cell {index + 1}, line {at}: {exc}") from None
        raise NotebookError(str(exc)) from None
    uses = []
    for use in result.uses:
        index, at = where(use.line)
        uses.append(replace(use, line=at, cell=index + 1))
    if not result.changed:
        return NotebookResult(data, uses, False, result.torch_at_import, result.runtime_apis)
    try:
        compile(result.code, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:  # a converter bug: never write it
        raise NotebookError(f"internal error: the converted code does not parse ({exc})") from None
    pieces = _MARK_LINE.split(result.code)  # [head, index, text, index, text ...]
    head, found = pieces[0], [int(i) for i in pieces[1::2]]
    if found != converted_cells:
        raise NotebookError("internal error: the cell boundaries did not survive the conversion")
    changed = False
    for n, (index, text) in enumerate(zip(found, pieces[2::2])):
        if n == 0:
            text = head + text
        cell = nb["cells"][index]
        original = _source(cell)
        text = _unmask(text, magics)
        if not original.endswith("\n") and text.endswith("\n"):
            text = text[:-1]
        if text != original:
            changed = True
            cell["source"] = _lines(text) if isinstance(cell.get("source"), list) else text
    if not changed:
        return NotebookResult(data, uses, False, result.torch_at_import, result.runtime_apis)
    out = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"  # how Jupyter writes notebooks
    return NotebookResult(out.encode("utf-8"), uses, True, result.torch_at_import, result.runtime_apis,
                          tuple(getattr(result, "value_layers", ())))
