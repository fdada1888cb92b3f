#!/usr/bin/env bash
# PaddlePaddle's own converter (PyPI: paconvert) in a side venv, for benchmarks/throughput.py.
# It needs astor, black and isort, not paddle; benchmarks/.venv-paconvert is git-ignored.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv-paconvert
.venv-paconvert/bin/pip install --quiet "paconvert==3.3.1"
.venv-paconvert/bin/paconvert --version
