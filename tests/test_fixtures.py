"""Rewrite fixtures (libcst-codemod / pyupgrade style): ``tests/fixtures/rewrites/*.py``.

Each fixture file is one of:

* a pair::

      # <one-line description>
      # --- before
      <PyTorch source>
      # --- after
      <the exact expected Paddle source>

* a no-op (the source must come back byte-identical)::

      # No-op: ...
      # --- unchanged
      <source>

Header lines (above the first ``# --- `` marker) may hold ``# options: torch_init``
(keyword flags of ``convert_source`` for this fixture) and ``# xfail: <reason>``,
continued on following ``#   `` lines: the conversion test is then expected to
fail (``strict=True``) until the converter or table bug it describes is fixed.

For each fixture: ``before`` converts to exactly ``after``; converting
``after`` again changes nothing (idempotence); both sides parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
import pytest

from torch2paddle import convert_source
from torch2paddle.rewrites import (ACCESS_REWRITES, CALL_REWRITES, CLASS_REWRITES, DIRECTIVE_REWRITES, INIT_REWRITES,
                                   REWRITES, VALUE_REWRITES)

FIXTURE_DIR = Path(__file__).parent / "fixtures" / "rewrites"
_MARKER = re.compile(r"^# --- (before|after|unchanged)\n", re.MULTILINE)


@dataclass(frozen=True)
class Fixture:
    name: str
    before: str
    after: str
    noop: bool
    xfail: str | None
    options: tuple[str, ...] = ()  # convert_source flags, e.g. torch_init

    @property
    def kwargs(self) -> dict:
        return dict.fromkeys(self.options, True)


def parse_fixture(path: Path) -> Fixture:
    text = path.read_text(encoding="utf-8")
    parts = _MARKER.split(text)
    header, rest = parts[0], parts[1:]
    sections = dict(zip(rest[0::2], rest[1::2]))
    if len(sections) * 2 != len(rest):
        raise ValueError(f"{path.name}: a section marker appears twice")
    if "unchanged" in sections:
        if set(sections) != {"unchanged"}:
            raise ValueError(f"{path.name}: '# --- unchanged' cannot be combined with before/after")
        before = after = sections["unchanged"]
        noop = True
    elif set(sections) == {"before", "after"}:
        before, after, noop = sections["before"], sections["after"], False
    else:
        raise ValueError(f"{path.name}: needs '# --- before' + '# --- after', or '# --- unchanged'")
    xfail = None
    options: tuple[str, ...] = ()
    lines = header.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("# options:"):
            options = tuple(line[len("# options:"):].split())
        if line.startswith("# xfail:"):
            reason = [line[len("# xfail:"):].strip()]
            reason += [cont[1:].strip() for cont in lines[i + 1:] if cont.startswith("#   ")]
            xfail = " ".join(reason)
    return Fixture(path.stem, before, after, noop, xfail, options)


FIXTURES = [parse_fixture(p) for p in sorted(FIXTURE_DIR.glob("*.py"))]
IDS = [f.name for f in FIXTURES]


def _diff(expected: str, got: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(expected.splitlines(True), got.splitlines(True), "expected", "converted"))


def _with_xfail(fixtures):
    return [
        pytest.param(f, id=f.name, marks=pytest.mark.xfail(reason=f.xfail, strict=True)) if f.xfail else
        pytest.param(f, id=f.name)
        for f in fixtures
    ]


@pytest.mark.parametrize("fixture", _with_xfail(FIXTURES))
def test_rewrite(fixture: Fixture) -> None:
    result = convert_source(fixture.before, filename=f"{fixture.name}.py", **fixture.kwargs)
    assert result.code == fixture.after, f"{fixture.name}: conversion differs\n{_diff(fixture.after, result.code)}"
    if fixture.noop:
        assert not result.changed
        assert not result.uses, f"{fixture.name}: a no-op fixture reported API uses: {result.uses}"
    else:
        assert result.changed


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
def test_idempotent(fixture: Fixture) -> None:
    again = convert_source(fixture.after, filename=f"{fixture.name}.py", **fixture.kwargs).code
    assert again == fixture.after, f"{fixture.name}: converting 'after' again changes it\n{_diff(fixture.after, again)}"


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
def test_both_sides_parse(fixture: Fixture) -> None:
    for label, text in (("before", fixture.before), ("after", fixture.after)):
        cst.parse_module(text)
        compile(text, f"{fixture.name}:{label}", "exec")


def test_fixture_files_well_formed() -> None:
    assert FIXTURES, f"no fixtures found in {FIXTURE_DIR}"
    assert any(f.noop for f in FIXTURES), "no no-op fixtures"
    for f in FIXTURES:
        assert f.before.endswith("\n") and f.after.endswith("\n"), f"{f.name}: sections must end with a newline"
        if not f.noop:
            assert f.before != f.after, f"{f.name}: identical before/after: make it a '# --- unchanged' fixture"


def test_fixtures_cover_every_rewrite(monkeypatch) -> None:
    """Every registered rewrite actually runs on some passing (non-xfail) fixture."""
    ran: set[str] = set()

    def counting(name, fn):
        def wrapper(*args, **kwargs):
            ran.add(name)
            return fn(*args, **kwargs)

        return wrapper

    for registry in (CALL_REWRITES, VALUE_REWRITES, ACCESS_REWRITES, CLASS_REWRITES, INIT_REWRITES, DIRECTIVE_REWRITES):
        for name, fn in list(registry.items()):
            monkeypatch.setitem(registry, name, counting(name, fn))
    for f in FIXTURES:
        if not f.noop and not f.xfail:
            convert_source(f.before, **f.kwargs)
    missing = sorted(set(REWRITES) - ran)
    assert not missing, f"rewrites no passing fixture exercises: {missing}"
