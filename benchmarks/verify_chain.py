"""Wall time of each verify step and of the whole chain for the bundled example (mobilenet_v3_small).

    .venv/bin/python benchmarks/verify_chain.py [--device cpu|gpu|auto]

Prints per-step seconds on each side, the framework import times (a fixed
part of every run) and the whole chain.  Target: whole chain under 60 s on a
2-core CPU.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from torch2paddle import convert_tree, verify

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mobilenetv3_ref"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "mobilenetv3_ref"
        start = time.perf_counter()
        convert_tree(EXAMPLE, out)
        converted = time.perf_counter() - start
        result = verify(out, device=args.device)
    print(f"devices: {result.devices}")
    print(f"{'step':<10}{'status':<9}{'torch s':>9}{'paddle s':>10}")
    for step in result.steps:
        print(f"{step.step:<10}{step.status:<9}{step.seconds.get('torch', 0):>9.2f}{step.seconds.get('paddle', 0):>10.2f}")
    imports = sum(result.import_seconds.values())
    print(f"convert: {converted:.2f} s")
    print(f"framework imports: " + ", ".join(f"{k} {v:.2f} s" for k, v in result.import_seconds.items()))
    print(f"side processes (steps, without the import probe): "
          + ", ".join(f"{k} {v:.2f} s" for k, v in result.side_seconds.items()))
    print(f"whole chain: {result.wall_seconds:.1f} s (of which framework imports {imports:.1f} s); "
          f"target < 60 s: {'met' if result.wall_seconds < 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
