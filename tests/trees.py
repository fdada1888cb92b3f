"""Helpers for the tree tests: write a source tree from a dict of files."""

from __future__ import annotations

from pathlib import Path


def make_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: text or bytes}`` under root (folders made as needed); returns root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root
