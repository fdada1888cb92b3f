#!/usr/bin/env bash
# GPU check of verify: convert the bundled example and run the whole chain with both frameworks on the GPU
# (--device gpu, with localisation so that the hooks run there too). Exits non-zero on any failure: a step
# that fails or errors, a side that did not run on the GPU, or localisation that found a divergence.
#
#   bash scripts/gpu-check.sh            # needs CUDA builds of torch and Paddle (paddlepaddle-gpu)
#   PYTHON=/path/to/python bash scripts/gpu-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
OUT=${GPU_CHECK_OUT:-out/gpu-check}
rm -rf "$OUT"
mkdir -p "$OUT"
"$PY" - <<'PY'
import paddle, torch
print(f"torch {torch.__version__}: cuda {torch.cuda.is_available()}"
      + (f" ({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else ""))
print(f"paddle {paddle.__version__}: cuda {paddle.device.is_compiled_with_cuda()}, "
      f"{paddle.device.cuda.device_count() if paddle.device.is_compiled_with_cuda() else 0} GPU(s)")
PY
"$PY" -m torch2paddle convert examples/mobilenetv3_ref "$OUT/mobilenetv3_ref" -q
status=0
"$PY" -m torch2paddle verify "$OUT/mobilenetv3_ref" --device gpu --locate --report "$OUT/verify-report.json" \
  || status=$?
"$PY" - "$OUT/verify-report.json" "$status" <<'PY'
import json, sys
report, status = json.load(open(sys.argv[1])), int(sys.argv[2])
problems = [f"verify exited {status}"] if status else []
devices = report.get("devices") or {}
problems += [f"the {side} side ran on {devices.get(side)!r}, not a GPU"
             for side in ("torch", "paddle") if devices.get(side) in (None, "cpu")]
for step in report["steps"]:
    if step["status"] in ("failed", "error", "skipped"):
        problems.append(f"{step['step']} {step['status']}: {step['detail']}")
    if step.get("first_divergence"):
        problems.append(f"{step['step']}: localisation found a divergence: {step['first_divergence']}")
    if step["step"] in ("forward", "backward") and not (step.get("locate") or {}).get("compared"):
        problems.append(f"{step['step']}: localisation did not run on the GPU: {step.get('locate')}")
    for side, cost in ((step.get("locate") or {}).get("hooks_cost") or {}).items():
        print(f"{step['step']}: hooks cost on the {side} side {cost:.2f}x a plain forward")
    for side, changed in ((step.get("locate") or {}).get("hooks_changed_output") or {}).items():
        if changed:
            problems.append(f"{step['step']}: the hooks changed the {side} side's output by {changed}")
print(f"devices: {devices}; whole chain {report['wall_seconds']:.1f} s, localisation {report.get('locate_seconds')} s")
for step in report["steps"]:
    print(f"  {step['step']:<9}{step['status']:<8}{step['threshold']}")
if problems:
    print("GPU CHECK FAILED:\n  " + "\n  ".join(problems))
    sys.exit(1)
print("GPU CHECK PASSED")
PY
