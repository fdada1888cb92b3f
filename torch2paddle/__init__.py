"""torch2paddle: convert PyTorch projects to idiomatic PaddlePaddle and prove the port.

Library API (the conversion path never imports torch or paddle):

* ``convert_source(code, filename=None)`` -> ``ConversionResult``
* ``convert_tree(src, out, ...)`` -> ``TreeReport``
* ``verify(out_dir, steps=..., ...)`` -> ``VerifyResult`` (imports numpy, and both frameworks in the processes
  it starts; see ``torch2paddle.verify``)
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Callable

from .convert import SourceError, convert_source
from .report import ApiUse, ConversionResult, TreeReport
from .tree import convert_tree

if TYPE_CHECKING:
    from .verify.runner import Plan, VerifyResult

__version__ = "0.1.0"
__all__ = ["convert_source", "convert_tree", "SourceError", "ApiUse", "ConversionResult", "TreeReport", "verify"]


def verify(out_dir, steps=None, *, device: str = "auto", iterations: int = 5, thresholds: dict | None = None,
           checkpoint: str | None = None, input_shape: list[int] | None = None, config: str | None = None,
           model: str | None = None, python: str | None = None, reuse_harness: bool = False,
           on_event: Callable[[str, str, str], None] | None = None,
           on_plan: Callable[[Plan], None] | None = None, timeout: float | None = 300.0,
           memory_mb: float | None = None, locate: bool = False, threads: int | None = None) -> VerifyResult:
    """Run the alignment chain on the output of ``convert`` (OUT); returns a ``VerifyResult``.

    ``steps``: the steps to run (a list, or a comma-separated string such as ``"forward,backward"``; all
    when ``None``).  ``device``: ``"auto"``, ``"cpu"`` or ``"gpu"``.  ``thresholds``: per-step tolerances
    that override the defaults.  ``checkpoint``: a torch checkpoint both models load.  ``config``: the
    ``torch2paddle.yaml`` to use (else one beside SRC or in OUT).  ``model``: the model factory
    (``pkg.module:factory``) when the config names none.  ``timeout``: seconds each step (and each side's
    framework import) may take, ``None`` or 0 for no limit.  ``memory_mb``: a cap on each side process's
    memory (Linux).  ``locate``: also name the first module whose output differs.  ``on_event(side, step,
    status)`` is called as each step ends; ``on_plan(plan)`` once the harness is written.

    The result's ``exit_code`` is the CLI's (0 passed); ``passed`` says the same.  Raises
    ``torch2paddle.verify.harness.HarnessError`` when verification cannot be set up or a framework is
    missing.  The whole story is in ``torch2paddle.verify.runner.verify``, which this calls (imported here
    on first use: it needs numpy, which the conversion path does not).
    """
    from .verify.runner import verify as run

    return run(out_dir, steps, device=device, iterations=iterations, thresholds=thresholds, checkpoint=checkpoint,
               input_shape=input_shape, config=config, model=model, python=python, reuse_harness=reuse_harness,
               on_event=on_event, on_plan=on_plan, timeout=timeout, memory_mb=memory_mb, locate=locate,
               threads=threads)


class _Package(types.ModuleType):
    """Importing the ``torch2paddle.verify`` package (the CLI does) would rebind ``torch2paddle.verify`` from
    the function above to that package.  The name stays the function; the package's names (its submodules:
    ``torch2paddle.verify.runner``) stay reachable through it, so dotted lookups and ``import ... as`` work."""

    def __setattr__(self, name: str, value) -> None:
        if name == "verify" and isinstance(value, types.ModuleType) and value.__name__ == f"{__name__}.verify":
            verify.__dict__ = value.__dict__  # a live view: submodules imported later show up too
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
