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


BLOCK_TORCH = '''
import importlib.abc, sys
class _NoTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "torchvision"):
            raise ImportError("torch is blocked (%s)" % name)
sys.meta_path.insert(0, _NoTorch())
'''


def run_without_torch(root: Path, code: str, timeout: float = 180):
    """Run ``code`` (dedented) in a fresh interpreter where importing torch raises, with ``root`` first on
    sys.path: converted code must run on Paddle alone."""
    import subprocess
    import sys
    import textwrap

    script = BLOCK_TORCH + f"sys.path.insert(0, {str(root)!r})\n" + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout)
