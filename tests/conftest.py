"""Shared pytest configuration: the per-table summary of the mapping examples."""

from __future__ import annotations

import os
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # `import mapping_examples`

_EXAMPLE_TEST = "test_mapping_examples.py::test_example["
_results: Counter = Counter()
_seen: set[str] = set()


def _table_of(nodeid: str) -> str | None:
    start = nodeid.find(_EXAMPLE_TEST)
    if start < 0:
        return None
    return nodeid[start + len(_EXAMPLE_TEST):].split("::", 1)[0]


def pytest_runtest_logreport(report) -> None:
    # runs in the controller too under xdist, so it sees every worker's results
    table = _table_of(report.nodeid)
    if table is None:
        return
    _seen.add(report.nodeid)
    if report.when == "call" and report.passed:
        _results[table] += 1


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _seen or hasattr(config, "workerinput"):
        return
    import mapping_examples as mx

    counts = mx.table_counts()
    tw = terminalreporter
    tw.section("mapping examples per table")
    total = [0, 0, 0, 0]
    for table, (n_entries, n_examples) in counts.items():
        ran = sum(1 for n in _seen if _table_of(n) == table)
        passed = _results[table]
        tw.line(f"{table:<24} entries {n_entries:>4}  examples {n_examples:>4}  ran {ran:>4}  passed {passed:>4}")
        for i, v in enumerate((n_entries, n_examples, ran, passed)):
            total[i] += v
    tw.line(f"{'total':<24} entries {total[0]:>4}  examples {total[1]:>4}  ran {total[2]:>4}  passed {total[3]:>4}")
