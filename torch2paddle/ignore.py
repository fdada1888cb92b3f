"""What ``convert`` leaves out of a source tree unless told ``--no-ignore``.

* folders that are never source: version control (``.git``, ``.hg``, ``.svn``), virtual environments
  (any folder holding ``pyvenv.cfg`` or ``conda-meta``), ``site-packages``, ``node_modules``, tool
  environments and caches (``.tox``, ``.nox``, ``.mypy_cache`` ...), and build output (``build``,
  ``dist``; a ``build`` or ``dist`` folder with an ``__init__.py`` is a package and is kept);
* what the tree's own ignore files say: every ``.gitignore`` inside SRC and SRC's
  ``.git/info/exclude``, with git's rules (see ``parse_gitignore``).  Ignore files above SRC are not
  read: convert reads nothing outside SRC.

The matcher follows gitignore(5): blank lines and ``#`` comments skipped, trailing spaces dropped
unless escaped, ``!`` negates (the last matching pattern wins, a deeper ``.gitignore`` after a higher
one), a pattern with a ``/`` at its start or middle is anchored to its ``.gitignore``'s folder and one
without matches at any depth, a trailing ``/`` matches folders only, ``*`` ``?`` ``[...]`` never match
``/``, ``**/`` (any folders, or none), ``/**`` (everything inside) and ``/**/`` (zero or more folders),
``\\`` escapes.  As in git, a file cannot be re-included when a folder above it is ignored (the folder
is never entered).  Ignore files that are symbolic links are not read (git does not read them either).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass

# folder names that are never a project's source, with the reason shown in `convert -v`
DEFAULT_DIRS: dict[str, str] = {
    ".git": "version control",
    ".hg": "version control",
    ".svn": "version control",
    "site-packages": "installed packages",
    "node_modules": "node packages",
    ".tox": "tox environments",
    ".nox": "nox environments",
    ".eggs": "setuptools eggs",
    ".mypy_cache": "cache",
    ".pytest_cache": "cache",
    ".ruff_cache": "cache",
    ".ipynb_checkpoints": "notebook checkpoints",
    "build": "build output",
    "dist": "build output",
}
_PACKAGE_NAMES = {"build", "dist"}  # kept when they hold an __init__.py: a package of that name
_VENV_MARKERS = ("pyvenv.cfg", "conda-meta")
MAX_IGNORE_FILE_BYTES = 1_000_000  # a larger ignore file is read up to this size
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class Rule:
    """One pattern of an ignore file; ``base`` is its folder relative to SRC ("" for SRC)."""

    pattern: str  # as written, for messages
    regex: re.Pattern
    negate: bool
    dir_only: bool
    base: str
    source: str  # "pkg/.gitignore:3"

    def matches(self, rel: str, is_dir: bool) -> bool:
        if self.dir_only and not is_dir:
            return False
        if self.base:
            if not rel.startswith(self.base + "/"):
                return False
            rel = rel[len(self.base) + 1:]
        return self.regex.fullmatch(rel) is not None


_CLASSES = {
    "alnum": "a-zA-Z0-9", "alpha": "a-zA-Z", "blank": " \\t", "digit": "0-9", "lower": "a-z", "upper": "A-Z",
    "space": " \\t\\n\\r\\f\\v", "xdigit": "0-9a-fA-F", "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
}


def _bracket(seg: str, start: int) -> tuple[str, int] | None:
    """The regex for the bracket expression at seg[start] == "[" and the index after it, or None if unterminated
    or malformed (then the "[" is an ordinary character)."""
    i = start + 1
    negate = i < len(seg) and seg[i] in "!^"
    if negate:
        i += 1
    parts: list[str] = []
    first = True
    while i < len(seg):
        c = seg[i]
        if c == "]" and not first:
            body = "".join(parts)
            return ("[^/" + body + "]" if negate else "[" + body + "]"), i + 1
        first = False
        if c == "[" and seg.startswith("[:", i):
            end = seg.find(":]", i + 2)
            if end < 0 or seg[i + 2:end] not in _CLASSES:
                return None
            parts.append(_CLASSES[seg[i + 2:end]])
            i = end + 2
            continue
        if c == "\\":
            i += 1
            if i >= len(seg):
                return None
            c = seg[i]
        if i + 2 < len(seg) and seg[i + 1] == "-" and seg[i + 2] != "]":
            hi = seg[i + 2]
            end = i + 3
            if hi == "\\":
                if i + 3 >= len(seg):
                    return None
                hi, end = seg[i + 3], i + 4
            if hi < c:  # a reversed range matches nothing
                return "(?!)", _close(seg, end)
            parts.append(re.escape(c) + "-" + re.escape(hi))
            i = end
            continue
        parts.append(re.escape(c))
        i += 1
    return None


def _close(seg: str, i: int) -> int:
    end = seg.find("]", i)
    return len(seg) if end < 0 else end + 1


def _segment(seg: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(seg):
        c = seg[i]
        if c == "\\":
            i += 1
            if i < len(seg):
                out.append(re.escape(seg[i]))
            i += 1
        elif c == "*":
            while i + 1 < len(seg) and seg[i + 1] == "*":
                i += 1  # other consecutive asterisks are regular asterisks
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            found = _bracket(seg, i)
            if found is None:
                out.append(re.escape(c))
                i += 1
            else:
                out.append(found[0])
                i = found[1]
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _body(pattern: str) -> str:
    segments = pattern.split("/")
    out = ""
    for index, seg in enumerate(segments):
        last = index == len(segments) - 1
        if seg == "**":
            out += ".*" if last else "(?:.*/)?"  # trailing /**: everything inside; **/: zero or more folders
            continue
        out += _segment(seg) + ("" if last else "/")
    return out


def _strip_trailing_spaces(line: str) -> str:
    end = len(line)
    while end > 0 and line[end - 1] == " ":
        backslashes = 0
        j = end - 2
        while j >= 0 and line[j] == "\\":
            backslashes += 1
            j -= 1
        if backslashes % 2:  # "\ ": an escaped space stays
            break
        end -= 1
    return line[:end]


def compile_pattern(line: str, base: str = "", source: str = "") -> Rule | None:
    """One line of an ignore file as a Rule, or None for a blank line, a comment or a pattern that
    matches nothing."""
    line = line.rstrip("\r\n")
    if line.endswith("\r"):
        line = line[:-1]
    if not line or line.startswith("#"):
        return None
    line = _strip_trailing_spaces(line)
    negate = line.startswith("!")
    if negate:
        line = line[1:]
    dir_only = line.endswith("/")
    if dir_only:
        line = line[:-1]
    if not line:
        return None
    anchored = "/" in line
    if line.startswith("/"):
        line = line[1:]
        if not line:
            return None
    try:
        regex = re.compile(_body(line) if anchored else "(?:.*/)?" + _body(line), re.DOTALL)
    except re.error:
        return None
    return Rule(("!" if negate else "") + line + ("/" if dir_only else ""), regex, negate, dir_only, base, source)


def parse_gitignore(text: str, base: str = "", name: str = ".gitignore") -> list[Rule]:
    """The rules of one ignore file whose folder is ``base`` (relative to SRC, "" for SRC itself)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    rules = []
    for number, line in enumerate(text.split("\n"), 1):
        rule = compile_pattern(line, base, f"{name}:{number}")
        if rule is not None:
            rules.append(rule)
    return rules


def ignored_by(rules: list[Rule], rel: str, is_dir: bool) -> Rule | None:
    """The rule that ignores ``rel`` (relative to SRC), or None: the last matching rule decides."""
    for rule in reversed(rules):
        if rule.matches(rel, is_dir):
            return None if rule.negate else rule
    return None


def read_ignore_file(path: str) -> str | None:
    """An ignore file's text, or None when it is missing, a link, not a regular file or unreadable."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, MAX_IGNORE_FILE_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data.decode("utf-8", errors="surrogateescape")


def rules_for_folder(folder: str, rel: str, top: bool) -> list[Rule]:
    """The ignore rules a folder of the tree adds: SRC's .git/info/exclude (``top``), then its .gitignore."""
    rules: list[Rule] = []
    prefix = f"{rel}/" if rel else ""
    if top:
        git, info = os.path.join(folder, ".git"), os.path.join(folder, ".git", "info")
        if not os.path.islink(git) and not os.path.islink(info) and os.path.isdir(info):  # never through a link
            text = read_ignore_file(os.path.join(info, "exclude"))
            if text is not None:
                rules += parse_gitignore(text, rel, f"{prefix}.git/info/exclude")
    text = read_ignore_file(os.path.join(folder, ".gitignore"))
    if text is not None:
        rules += parse_gitignore(text, rel, f"{prefix}.gitignore")
    return rules


def default_reason(folder: str, name: str) -> str | None:
    """Why the folder ``name`` at ``folder`` (not a link) is ignored by default, or None."""
    reason = DEFAULT_DIRS.get(name)
    if reason is not None:
        if name in _PACKAGE_NAMES and os.path.lexists(os.path.join(folder, "__init__.py")):
            return None
        return reason
    if any(os.path.lexists(os.path.join(folder, marker)) for marker in _VENV_MARKERS):
        return "virtual environment"
    return None
