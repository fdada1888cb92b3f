#!/usr/bin/env bash
# The test suite (what CI runs): installs what it needs, then runs pytest on both cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh
exec .venv/bin/python -m pytest -n 2 "$@"
