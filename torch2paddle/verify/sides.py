"""Import the original and the converted copy of one package side by side in one process.

Both copies have the same module names (OUT mirrors SRC), so each is imported
with its own folder first on ``sys.path`` and its modules are then moved out
of ``sys.modules`` under a private key; objects already imported keep working.
"""

from __future__ import annotations

import importlib
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType


@dataclass
class Side:
    """One side (``torch`` or ``paddle``): the folder its package is imported from and its modules."""

    name: str
    root: str
    modules: dict[str, ModuleType] = field(default_factory=dict)

    @contextmanager
    def active(self, package: str):
        """Make this side's copy of ``package`` the importable one for the duration."""
        stashed = {k: sys.modules.pop(k) for k in list(sys.modules) if _belongs(k, package)}
        sys.modules.update(self.modules)
        sys.path.insert(0, self.root)
        importlib.invalidate_caches()
        try:
            yield
        finally:
            sys.path.remove(self.root)
            for key in [k for k in sys.modules if _belongs(k, package)]:
                self.modules[key] = sys.modules.pop(key)
            sys.modules.update(stashed)

    def load(self, package: str, spec: str):
        """``pkg.module:attr`` (or ``pkg.module``) from this side."""
        module_name, _, attr = spec.partition(":")
        with self.active(package):
            module = importlib.import_module(module_name)
            return getattr(module, attr) if attr else module


def _belongs(module_name: str, package: str) -> bool:
    return module_name == package or module_name.startswith(package + ".")
