#!/usr/bin/env bash
# The main job: convert the bundled PyTorch MobileNetV3 project and verify the port.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh
rm -rf out/mobilenetv3_ref
.venv/bin/torch2paddle convert examples/mobilenetv3_ref out/mobilenetv3_ref --report out/convert-report.json
.venv/bin/torch2paddle verify out/mobilenetv3_ref --report out/verify-report.json "$@"
