"""Result records of a conversion: every torch API use, converted or not."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field

MARKER = "torch2paddle: unsupported"
RUNTIME_REASON = "keywords in **kwargs translated when the call runs (_torch2paddle_runtime)"  # see runtime.py
MARKER_REASON_CHARS = 100  # a longer reason is cut in the code's marker comment (the report keeps it whole)
_MARKER_CLAUSE_CHARS = 80  # ... to its clauses that fit in this many characters


def marker_text(api: str, reason: str | None, documented: bool = False) -> str:
    """The comment text that marks a refused use in the converted code: ``torch2paddle: unsupported API (why)``.

    A reason up to ``MARKER_REASON_CHARS`` characters is kept whole.  A longer one is cut after its last
    clause (a top-level ``:``, ``;`` or ``,``, or before `` (``) that fits in 80 characters, else at a word,
    and points to where it is whole: ``torch2paddle mappings show API`` when the tables have an entry for
    ``api`` (``documented``), the conversion report otherwise.  The text always starts ``MARKER API (``,
    which refusal_scope looks for.
    """
    reason = " ".join((reason or "no mapping").split())
    if len(reason) <= MARKER_REASON_CHARS:
        return f"{MARKER} {api} ({reason})"
    pointer = f"see: torch2paddle mappings show {api}" if documented else "see the conversion report"
    return f"{MARKER} {api} ({_clauses(reason, _MARKER_CLAUSE_CHARS)}; {pointer})"


def _clauses(text: str, limit: int) -> str:
    """The longest head of ``text`` that ends at a top-level clause break (outside brackets and backquotes)
    within ``limit`` characters; without one, cut at the last space before ``limit`` with ``...``."""
    depth, quoted, cut = 0, False, 0
    for i, ch in enumerate(text[:limit + 1]):
        if ch == "`":
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "([{":
            if depth == 0 and ch == "(" and text[i - 1:i] == " ":
                cut = i - 1
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in ":;," and text[i + 1:i + 2] == " ":
            cut = i
    if cut >= 20:
        return text[:cut]
    space = text.rfind(" ", 0, limit - 3)
    head = text[:space if space > 0 else limit - 3]
    if head.count("(") > head.count(")") or head.count("[") > head.count("]") or head.count("`") % 2:
        head = head[:min(i for i in (head.find("("), head.find("["), head.find("`")) if i >= 0)].rstrip()
    return head.rstrip(",;: ") + "..."


def printable(text: str) -> str:
    """``text`` with control and format characters escaped (``\\x1b``, ``\\n``, ``\\u202e``).

    File names come from repositories nobody here wrote: printed raw, an escape
    sequence could erase summary lines and a newline could split one ``error``
    line in two.  Printed this way, every path stays on its own greppable line.
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") or ord(ch) < 0x20:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class ApiUse:
    """One use of a torch API in a source file."""

    api: str
    line: int
    column: int
    converted: bool
    target: str | None = None
    reason: str | None = None
    cell: int | None = None  # in a notebook: the cell (from 1, over all cells); line is then the cell's line

    def location(self, path: str | None) -> str:
        cell = f":cell_{self.cell}" if self.cell is not None else ""
        return f"{path or '<source>'}{cell}:{self.line}:{self.column + 1}"

    def to_dict(self) -> dict:
        data = asdict(self)
        if self.cell is None:
            del data["cell"]
        return data


@dataclass
class FileResult:
    """What happened to one file: status is converted, unchanged, copied, skipped or error."""

    path: str
    status: str
    uses: list[ApiUse] = field(default_factory=list)
    error: str | None = None
    torch_at_import: tuple[str, ...] = ()  # roots (torch, torchvision) a refusal still imports at module level
    runtime_apis: tuple[str, ...] = ()  # entries whose **kwargs are translated at run time (see runtime.py)
    value_layers: tuple[str, ...] = ()  # torch layer classes the file uses as values (for layer factories)

    @property
    def converted(self) -> list[ApiUse]:
        return [u for u in self.uses if u.converted]

    @property
    def unsupported(self) -> list[ApiUse]:
        return [u for u in self.uses if not u.converted]

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "status": self.status,
            "error": self.error,
            "uses": [u.to_dict() for u in self.uses],
            "torch_at_import": list(self.torch_at_import),
        }


@dataclass
class ConversionResult:
    """Result of ``convert_source``: the new code plus every API use with its position."""

    code: str
    uses: list[ApiUse]
    changed: bool
    # torch roots the converted module still imports at module level (refusals that run at import time:
    # module or class level); refusals inside functions import torch in that function only
    torch_at_import: tuple[str, ...] = ()
    # entries whose **kwargs the generated _torch2paddle_runtime module translates when the call runs
    runtime_apis: tuple[str, ...] = ()
    # torch layer classes the file uses as values (`norm_layer=nn.BatchNorm2d`): a layer factory's call in any
    # module of the package may get one, so the package's run-time module translates keywords for them all
    value_layers: tuple[str, ...] = ()

    @property
    def converted(self) -> list[ApiUse]:
        return [u for u in self.uses if u.converted]

    @property
    def unsupported(self) -> list[ApiUse]:
        return [u for u in self.uses if not u.converted]


@dataclass
class TreeReport:
    """Result of ``convert_tree`` over a whole folder."""

    source: str
    output: str
    files: list[FileResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (path, why): left out (.git, .venv, .gitignore)
    stale: list[str] = field(default_factory=list)  # files an earlier run wrote into OUT whose source is gone
    pruned: list[str] = field(default_factory=list)  # stale files removed (convert --prune)

    @property
    def errors(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "error"]

    def counts(self) -> dict[str, int]:
        from .requirements import is_requirements_file

        status = Counter(f.status for f in self.files if not is_requirements_file(f.path))
        requirements = Counter(f.status for f in self.files if is_requirements_file(f.path))
        uses = [u for f in self.files for u in f.uses]
        return {
            "files": len(self.files),
            "python_converted": status["converted"],  # .py files and notebooks (requirements files are not)
            "python_unchanged": status["unchanged"],
            "requirements_rewritten": requirements["converted"],  # requirements*.txt with torch -> paddle
            "requirements_unchanged": requirements["unchanged"],
            "copied": status["copied"],
            "errors": status["error"],
            "api_uses": len(uses),
            "converted_uses": sum(u.converted for u in uses),
            "unsupported_uses": sum(not u.converted for u in uses),
            "modules_importing_torch": sum(bool(f.torch_at_import) for f in self.files),
            "runtime_keyword_uses": sum(u.converted and u.reason == RUNTIME_REASON for u in uses),
        }

    def unsupported_by_api(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for f in self.files:
            for u in f.unsupported:
                cell = f":cell_{u.cell}" if u.cell is not None else ""
                grouped.setdefault(u.api, []).append(f"{f.path}{cell}:{u.line}" + (f" ({u.reason})" if u.reason else ""))
        return dict(sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0])))

    def unsupported_by_reason(self) -> dict[str, dict[str, list[str]]]:
        """``{api: {reason: ["path:line", ...]}}``: each reason once with the places that share it; the APIs
        most used first, then by name (a summary prints a reason once, not on every line of its uses)."""
        grouped: dict[str, dict[str, list[str]]] = {}
        for f in self.files:
            for u in f.unsupported:
                cell = f":cell_{u.cell}" if u.cell is not None else ""
                grouped.setdefault(u.api, {}).setdefault(u.reason or "", []).append(f"{f.path}{cell}:{u.line}")
        return dict(sorted(grouped.items(), key=lambda kv: (-sum(map(len, kv[1].values())), kv[0])))

    def exit_code(self) -> int:
        """0 all converted, 1 some files failed, 2 unsupported uses remain (errors win)."""
        if self.errors:
            return 1
        if any(f.unsupported for f in self.files):
            return 2
        return 0

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "output": self.output,
            "counts": self.counts(),
            "unsupported": self.unsupported_by_api(),
            "notes": self.notes,
            "ignored": [{"path": path, "reason": why} for path, why in self.ignored],
            "stale": self.stale,
            "pruned": self.pruned,
            "files": [f.to_dict() for f in self.files],
        }
