#!/usr/bin/env bash
# Create .venv (git-ignored) and install torch2paddle with what verification and tests need.
# Idempotent: a second run only checks that everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.torch2paddle-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  # torch/torchvision are pinned (they come from local disk here); paddle, reprod_log from PyPI
  .venv/bin/python -m pip install -q -e ".[verify,test]"
  touch "$stamp"
fi
