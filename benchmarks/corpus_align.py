"""Convert a model library nobody here wrote, whole, and align its models against torch with torch blocked.

Usage: .venv/bin/python benchmarks/corpus_align.py PACKAGE MODEL_EXPR [MODEL_EXPR ...] [--input 1,3,64,64]

PACKAGE is an installed package (torchvision, timm, pytorchcv, efficientnet_pytorch, ... installed in the
development venv only, never as project dependencies).  Each MODEL_EXPR is a Python expression over the
package, e.g. ``timm.create_model("resnet18", num_classes=10)``.  For each model:

1. torch side: build it seeded, give it non-degenerate weights (torch2paddle.weights.randomize_for_alignment),
   run eval forward on seeded input, convert the state dict with torch2paddle.weights;
2. Paddle side, in a process where importing torch raises: import the converted package, build the same
   expression, load the converted weights (every key), run eval forward, compare.

Prints per model: built / loaded / max abs difference relative to the logit scale, and a total
``aligned N / M``: eval forward within 1e-5 at logit scale in float32, or, since deep networks exceed that
in float32 on either side, the same port run in float64 on both sides within 1e-9 at logit scale.
Exit 0 always: it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time

TORCH_SIDE = textwrap.dedent('''
    import json, sys, numpy as np, torch
    from torch2paddle.weights import convert_state_dict, randomize_for_alignment
    import {package}
    expr, shape, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    torch.manual_seed(0)
    model = eval(expr)
    model.eval()
    x = torch.from_numpy(np.random.default_rng(0).standard_normal(shape).astype("float32"))
    randomize_for_alignment(model, seed=0, calibration_input=x)
    model.eval()
    with torch.no_grad():
        y = model(x)
    y = y[0] if isinstance(y, (tuple, list)) else y
    converted, _ = convert_state_dict(model)
    try:  # torch's own float32 noise: the same model in float64
        with torch.no_grad():
            y64 = model.double()(x.double())
        y64 = y64[0] if isinstance(y64, (tuple, list)) else y64
        noise = float((y.double() - y64).abs().max())
        y64 = y64.numpy()
    except Exception:
        noise, y64 = 0.0, np.zeros(0)
    np.savez(out, __x=x.numpy(), __y=y.numpy(), __noise=np.float64(noise), __y64=y64,
             **{{"p_" + k: v for k, v in converted.items()}})
''')

PADDLE_SIDE = textwrap.dedent('''
    import importlib.abc, json, os, sys
    class _NoTorch(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            # the package aligned may be one of torch's own (torchvision): its converted copy comes first on
            # sys.path and is checked below to be the one imported
            if name.split(".")[0] in ("torch", "torchvision", "torchaudio") and name.split(".")[0] != "{package}":
                raise ImportError("torch is blocked: converted code must not import it (%s)" % name)
    sys.meta_path.insert(0, _NoTorch())
    sys.path.insert(0, sys.argv[4])
    import numpy as np, paddle
    import {package}
    if not os.path.realpath({package}.__file__).startswith(os.path.realpath(sys.argv[4]) + os.sep):
        raise ImportError("imported %s from %s, not the converted copy" % ("{package}", {package}.__file__))
    expr, ref = sys.argv[1], np.load(sys.argv[3])
    paddle.seed(0)
    model = eval(expr)
    state = {{k[2:]: ref[k] for k in ref.files if k.startswith("p_")}}
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    model.set_state_dict({{k: paddle.to_tensor(v) for k, v in state.items() if k in own}})
    model.eval()
    with paddle.no_grad():
        y = model(paddle.to_tensor(ref["__x"]))
    y = y[0] if isinstance(y, (tuple, list)) else y
    y = y.numpy()
    diff = float(np.abs(y - ref["__y"]).max()) if y.shape == ref["__y"].shape else None
    diff64 = None
    if ref["__y64"].size:  # the same port in float64 on both sides: float32 noise cannot hide a bug there
        try:
            paddle.set_default_dtype("float64")
            model64 = eval(expr)
            model64.set_state_dict({{k: paddle.to_tensor(v.astype("float64") if v.dtype.kind == "f" else v)
                                    for k, v in state.items() if k in own}})
            model64.eval()
            with paddle.no_grad():
                z = model64(paddle.to_tensor(ref["__x"].astype("float64")))
            z = (z[0] if isinstance(z, (tuple, list)) else z).numpy()
            diff64 = float(np.abs(z - ref["__y64"]).max()) if z.shape == ref["__y64"].shape else None
        except Exception as exc:
            diff64 = None
            print("float64 run failed:", type(exc).__name__, str(exc)[:200], file=sys.stderr)
    print(json.dumps({{"missing": missing[:5], "unexpected": unexpected[:5], "diff": diff,
                      "scale": float(np.abs(ref["__y"]).mean()), "shape": list(y.shape),
                      "noise": float(ref["__noise"]), "diff64": diff64}}))
''')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package")
    parser.add_argument("models", nargs="+")
    parser.add_argument("--input", default="1,3,64,64")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    args = parser.parse_args()
    python = sys.executable
    shape = [int(v) for v in args.input.split(",")]
    probe = subprocess.run([python, "-c", f"import {args.package}, os; print(os.path.dirname({args.package}.__file__))"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"corpus: {args.package} is not installed here")
        return 0
    src = probe.stdout.strip().splitlines()[-1]
    work = tempfile.mkdtemp(prefix="corpus-")
    started = time.time()
    done = subprocess.run([python, "-m", "torch2paddle", "convert", src, os.path.join(work, args.package), "-q",
                           "--report", os.path.join(work, "report.json")], capture_output=True, text=True)
    counts = json.load(open(os.path.join(work, "report.json")))["counts"]
    print(f"corpus {args.package}: converted in {time.time() - started:.1f} s (exit {done.returncode}); "
          f"{counts['python_converted']} files converted, {counts['unsupported_uses']} unsupported uses, "
          f"{counts['modules_importing_torch']} modules still importing torch, "
          f"{counts['runtime_keyword_uses']} **kwargs calls translated at run time, {counts['errors']} errors")
    aligned = 0
    for expr in args.models:
        ref = os.path.join(work, "ref.npz")
        torch_side = subprocess.run([python, "-c", TORCH_SIDE.format(package=args.package), expr, json.dumps(shape),
                                     ref], capture_output=True, text=True, timeout=600)
        if torch_side.returncode != 0:
            print(f"  {expr}: torch side failed: {(torch_side.stderr.strip().splitlines() or ['?'])[-1][:160]}")
            continue
        paddle_side = subprocess.run([python, "-c", PADDLE_SIDE.format(package=args.package), expr, "", ref, work],
                                     capture_output=True, text=True, timeout=600)
        lines = [line for line in paddle_side.stdout.splitlines() if line.startswith("{")]
        if paddle_side.returncode != 0 or not lines:
            print(f"  {expr}: paddle side failed: {(paddle_side.stderr.strip().splitlines() or ['?'])[-1][:200]}")
            continue
        result = json.loads(lines[-1])
        # float32 within 1e-5 at logit scale, or, where float32 noise is larger than that, the same port in
        # float64 on both sides within 1e-9 at logit scale (float noise cannot hide a wrong port there)
        scale = max(1.0, result["scale"])
        ok32 = result["diff"] is not None and result["diff"] <= args.tolerance * scale
        ok64 = result["diff64"] is not None and result["diff64"] <= 1e-9 * scale
        ok = not result["missing"] and (ok32 or ok64)
        aligned += ok
        d64 = "n/a" if result["diff64"] is None else f"{result['diff64']:.3g}"
        print(f"  {expr}: {'aligned' if ok else 'DIFFERS'} float32 max diff {result['diff']:.3g} (torch's own "
              f"float32 error {result['noise']:.3g}), float64 max diff {d64}, logit scale {result['scale']:.3g}, "
              f"missing {result['missing']}, unexpected {result['unexpected']}")
    print(f"corpus {args.package}: aligned {aligned} / {len(args.models)} (eval forward, weights copied, torch blocked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
