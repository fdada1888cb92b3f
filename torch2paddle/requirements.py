"""Rewrite requirements files: torch packages -> Paddle, by exact package name.

Lines are parsed as requirements (name, extras, specifier, marker, comment);
only the names below are touched, so ``torchvision`` never becomes
``paddlepaddlevision`` and ``torchmetrics`` stays as it is.
"""

from __future__ import annotations

import re

PADDLE_REQUIREMENT = "paddlepaddle==3.3.1"
# torch itself -> paddlepaddle; these ship inside paddlepaddle (paddle.vision, paddle.audio is separate)
_REPLACE = {"torch": PADDLE_REQUIREMENT}
_DROP = {"torchvision": "provided by paddlepaddle (paddle.vision)"}
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def is_requirements_file(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name.endswith(".txt") and name.startswith("requirements")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def rewrite(text: str) -> str:
    out = []
    emitted_paddle = False
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        match = _NAME.match(body)
        if not match or body.lstrip().startswith(("#", "-")):
            out.append(line)
            continue
        name = _canonical(match.group(1))
        if name in _REPLACE:
            if not emitted_paddle:
                out.append(_REPLACE[name] + ending)
                emitted_paddle = True
            continue
        if name in _DROP:
            if "torch" not in _names(text) and not emitted_paddle:
                out.append(PADDLE_REQUIREMENT + ending)  # torchvision alone still needs Paddle
                emitted_paddle = True
                continue
            out.append(f"# {body.strip()}  # torch2paddle: {_DROP[name]}{ending}")
            continue
        out.append(line)
    return "".join(out)


def _names(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        match = _NAME.match(line)
        if match and not line.lstrip().startswith(("#", "-")):
            names.add(_canonical(match.group(1)))
    return names
