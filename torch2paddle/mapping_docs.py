"""Render the tables' own metadata for people: list, search, show one entry, coverage."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .tables import ApiEntry, Tables


def _all_entries(tables: Tables) -> list[ApiEntry]:
    return sorted(tables.entries(), key=lambda e: e.name)


def list_entries(tables: Tables, term: str | None = None):
    from rich.table import Table

    table = Table(title="mappings" + (f" matching {term!r}" if term else ""))
    for column in ("torch", "paddle", "table", "examples"):
        table.add_column(column)
    for entry in _all_entries(tables):
        haystack = f"{entry.name} {entry.target or ''} {' '.join(entry.aliases)}".lower()
        if term and term.lower() not in haystack:
            continue
        target = entry.target or f"unsupported: {entry.unsupported}"
        table.add_row(entry.name, target, Path(entry.table).name, str(len(entry.examples)))
    return table


def entry_text(tables: Tables, name: str) -> str | None:
    entry = tables.entry(name)
    if entry is None:
        return None
    shown = entry.target or ('UNSUPPORTED' if entry.unsupported else f'removed ({entry.rewrite})')
    lines = [f"{entry.name}  ->  {shown}", f"table: {entry.table}"]
    if entry.unsupported:
        lines.append(f"unsupported: {entry.unsupported}")
    if entry.aliases:
        lines.append(f"aliases: {', '.join(entry.aliases)}")
    if entry.section == "methods":
        lines.append(f"method; converted on receivers: {entry.receiver}")
    if entry.args:
        lines.append(f"torch parameters: ({', '.join(entry.args)})")
    if entry.target_args is not None:
        lines.append(f"paddle positional parameters: ({', '.join(entry.target_args)})")
    differences = []
    differences += [f"{a} -> {b}" for a, b in entry.rename.items()]
    differences += [f"{a}: dropped" for a in entry.drop]
    differences += [f"{a}: value rewritten by {r!r}" for a, r in entry.values.items()]
    differences += [f"{a}: torch default {v} written out" for a, v in entry.defaults.items()]
    differences += [f"{a}={v} added" for a, v in entry.add.items()]
    for arg, spec in entry.unsupported_args.items():
        limits = f" (allowed: {', '.join(spec['allow'])})" if spec["allow"] else ""
        limits += f" (refused: {', '.join(spec['deny'])})" if spec["deny"] else ""
        differences.append(f"{arg}: unsupported{limits}: {spec['reason']}")
    if entry.rewrite:
        differences.append(f"whole call rewritten by {entry.rewrite!r}")
    if differences:
        lines.append("differences:")
        lines += [f"  - {d}" for d in differences]
    if entry.note:
        lines.append(f"note: {entry.note}")
    used = [entry.rewrite, *entry.values.values(), entry.torch_init]
    for name in dict.fromkeys(r for r in used if r):
        lines.append(f"rewrite {name!r}: {rewrite_doc(name)}")
    for i, example in enumerate(entry.examples):
        lines.append(f"example {i} (compares {', '.join(example.compare)}):")
        for part in (example.setup, example.code):
            lines += ["    " + line for line in part.rstrip().splitlines()]
    return "\n".join(lines)


def coverage_counts(tables: Tables) -> dict[str, dict[str, int]]:
    per_table: dict[str, dict[str, int]] = defaultdict(lambda: {"entries": 0, "mapped": 0, "unsupported": 0,
                                                                 "with_examples": 0, "examples": 0})
    for entry in tables.entries():
        counts = per_table[Path(entry.table).name]
        counts["entries"] += 1
        counts["mapped"] += not entry.unsupported  # converted (with an example, or the loader refuses it)
        counts["unsupported"] += bool(entry.unsupported)
        counts["with_examples"] += bool(entry.examples)
        counts["examples"] += len(entry.examples)
    return dict(sorted(per_table.items()))


_COLUMNS = {"entries": "entries", "mapped": "mapped", "unsupported": "marked unsupported",
            "with_examples": "with examples", "examples": "examples"}


def coverage_table(tables: Tables):
    from rich.table import Table

    table = Table(title="mapping coverage", caption="every example is a differential test of "
                  "tests/test_mapping_examples.py, run in CI (torch vs converted Paddle)")
    table.add_column("table")
    for column in _COLUMNS.values():
        table.add_column(column, justify="right")
    totals = dict.fromkeys(_COLUMNS, 0)
    for name, counts in coverage_counts(tables).items():
        table.add_row(name, *(str(counts[key]) for key in _COLUMNS))
        for key in totals:
            totals[key] += counts[key]
    table.add_row("total", *(str(totals[key]) for key in _COLUMNS), style="bold")
    return table


def rewrite_doc(name: str) -> str:
    """The first paragraph of a rewrite's docstring (its function's, else its module's): why it exists."""
    import sys

    from .rewrites import REWRITE_KINDS, REWRITES

    fn = REWRITES.get(name)
    if fn is None:
        return "(unknown rewrite)"
    doc = fn.__doc__ or getattr(sys.modules.get(fn.__module__), "__doc__", None) or ""
    first = doc.strip().split("\n\n", 1)[0]
    return f"[{REWRITE_KINDS.get(name, '?')}] " + " ".join(first.split())
