"""Throughput of `torch2paddle convert` on the .py sources of the installed torchvision.

Prints, in one run:

* lines/s of `torch2paddle convert CORPUS OUT` with one process (`--jobs 1`) and with `--jobs 2`,
  each the whole command (interpreter start-up, imports, table loading, conversion, writes);
* peak memory of each run: the sum of the resident sets of the process tree, sampled from /proc
  (Linux; elsewhere the largest single process from getrusage);
* the machine's floor: libcst parse + code generation (+ the same reads and writes) of the same
  files in one process, no transformation, also a whole command;
* start-up: the wall time of `torch2paddle convert one_small_file.py OUT/`, median of 5;
* the machine's parallel scaling: two CPU-bound processes at once versus one (a shared or
  hyper-threaded machine gives `--jobs 2` less than 2x);
* paconvert (PaddlePaddle's own converter) on the same corpus, from benchmarks/.venv-paconvert
  when that side venv exists (`bash benchmarks/setup_paconvert.sh`), and the ratio;
* whether every output file parses (zero crashes = no file with an "internal error").

Run: .venv/bin/python benchmarks/throughput.py [--repeat N] [--skip-paconvert]
The conversion path never imports torch: torchvision is found with importlib.util.find_spec.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PACONVERT = ROOT / "benchmarks" / ".venv-paconvert" / "bin" / "paconvert"
TARGETS = {"paconvert_ratio": 5.0, "floor_ratio": 2.0, "startup_s": 0.5, "peak_mb": 300.0}

FLOOR = textwrap.dedent("""\
    import os, sys
    import libcst as cst
    src, out = sys.argv[1], sys.argv[2]
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            dst = os.path.join(out, os.path.relpath(path, src))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(path, "rb") as fh:
                data = fh.read()
            code = cst.parse_module(data.decode("utf-8")).code
            with open(dst, "wb") as fh:
                fh.write(code.encode("utf-8"))
""")

BUSY = "x = 0\nfor i in range(20_000_000):\n    x += i\n"


def torchvision_dir() -> Path:
    spec = importlib.util.find_spec("torchvision")  # finds, does not import
    if spec is None or not spec.submodule_search_locations:
        sys.exit("torchvision is not installed in this interpreter's environment")
    return Path(list(spec.submodule_search_locations)[0])


def make_corpus(dest: Path) -> tuple[Path, int, int]:
    """Copy torchvision's .py files (paths kept) into dest; returns (root, files, lines)."""
    src = torchvision_dir()
    root = dest / "torchvision"
    files = lines = 0
    for path in sorted(src.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        target = root / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        files += 1
        lines += path.read_bytes().count(b"\n")
    return root, files, lines


def _tree_rss_kb(pid: int) -> int:
    """Sum of VmRSS over pid and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
            rss_pages = int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = rss_pages * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def run(cmd: list[str], *, sample: bool = True) -> dict:
    """Run cmd; wall seconds, exit code, peak tree RSS (MB), and the child's own peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_kb = 0
    if sample and sys.platform.startswith("linux"):
        while proc.poll() is None:
            peak_kb = max(peak_kb, _tree_rss_kb(proc.pid))
            time.sleep(0.02)
    _, stderr = proc.communicate()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "wall": wall,
        "rc": proc.returncode,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_mb": max(peak_kb, after.ru_maxrss) / 1024,
        "stderr": stderr.decode(errors="replace")[-2000:],
    }


def best_of(repeat: int, make_cmd) -> dict:
    runs = []
    for _ in range(repeat):
        cmd, cleanup = make_cmd()
        runs.append(run(cmd))
        cleanup()
    best = min(runs, key=lambda r: r["wall"])
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest is kept")
    parser.add_argument("--skip-paconvert", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="t2p-bench-"))
    try:
        corpus, n_files, n_lines = make_corpus(work / "corpus")
        t2p = str(VENV_BIN / "torch2paddle")
        print(f"corpus: {n_files} .py files, {n_lines} lines (torchvision {torchvision_dir()})")
        print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
              f"load average {os.getloadavg()[0]:.1f} at start")

        def out_dir() -> tuple[str, callable]:
            d = Path(tempfile.mkdtemp(dir=work, prefix="out-"))
            shutil.rmtree(d)
            return str(d), lambda: shutil.rmtree(d, ignore_errors=True)

        results = {}
        for jobs in (1, 2):
            def cmd(jobs=jobs):
                out, cleanup = out_dir()
                return [t2p, "convert", str(corpus), out, "-q", "--jobs", str(jobs)], cleanup
            r = best_of(args.repeat, cmd)
            results[f"jobs{jobs}"] = r
            print(f"torch2paddle convert --jobs {jobs}: {r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU, "
                  f"{n_lines / r['wall']:,.0f} lines/s, peak {r['peak_mb']:.0f} MB (exit {r['rc']})")

        def floor_cmd():
            out, cleanup = out_dir()
            return [sys.executable, "-c", FLOOR, str(corpus), out], cleanup
        floor = best_of(args.repeat, floor_cmd)
        print(f"floor (libcst parse + codegen, 1 process): {floor['wall']:.2f} s wall, "
              f"{n_lines / floor['wall']:,.0f} lines/s, peak {floor['peak_mb']:.0f} MB")
        ratio = results["jobs1"]["wall"] / floor["wall"]
        print(f"convert --jobs 1 / floor: {ratio:.2f}x (target <= {TARGETS['floor_ratio']:.0f}x)")

        one = work / "one"
        one.mkdir()
        (one / "model.py").write_text("import torch.nn as nn\n\n\nclass M(nn.Module):\n"
                                      "    def __init__(self):\n        super().__init__()\n"
                                      "        self.fc = nn.Linear(4, 2)\n")
        starts = []
        for _ in range(5):
            out, cleanup = out_dir()
            starts.append(run([t2p, "convert", str(one / "model.py"), out, "-q"], sample=False)["wall"])
            cleanup()
        startup = statistics.median(starts)
        print(f"start-up (convert one small file, whole command): median {startup:.3f} s of 5 "
              f"(target < {TARGETS['startup_s']} s)")

        single = run([sys.executable, "-c", BUSY], sample=False)["wall"]
        t0 = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(2)]
        for p in procs:
            p.wait()
        pair = time.perf_counter() - t0
        print(f"machine parallel scaling: two CPU-bound processes {2 * single / pair:.2f}x the work of one "
              f"per unit of time (ideal 2.00x); --jobs 2 speed-up here: "
              f"{results['jobs1']['wall'] / results['jobs2']['wall']:.2f}x")

        peak = max(results["jobs1"]["peak_mb"], results["jobs2"]["peak_mb"])
        print(f"peak memory: {peak:.0f} MB (target < {TARGETS['peak_mb']:.0f} MB)")

        # every output parses; no internal errors
        out, cleanup = out_dir()
        report_path = work / "report.json"
        check = run([t2p, "convert", str(corpus), out, "-q", "--report", str(report_path)], sample=False)
        report = json.loads(report_path.read_text())
        crashes = [f for f in report["files"] if f["error"] and "internal error" in f["error"]]
        unparsable = []
        for path in Path(out).rglob("*.py"):
            try:
                ast.parse(path.read_bytes())
            except SyntaxError as exc:
                unparsable.append(f"{path}: {exc}")
        errors = [f"{f['path']}: {f['error']}" for f in report["files"] if f["status"] == "error"]
        print(f"torchvision: exit {check['rc']}, {len(errors)} files with errors, {len(crashes)} crashes "
              f"(internal errors), {len(unparsable)} outputs that do not parse")
        for line in errors[:10]:
            print(f"  error {line}")
        cleanup()

        if args.skip_paconvert or not PACONVERT.exists():
            print("paconvert: not measured (bash benchmarks/setup_paconvert.sh installs it into "
                  "benchmarks/.venv-paconvert)")
        else:
            def pac_cmd():
                out, cleanup = out_dir()
                return [str(PACONVERT), "-i", str(corpus), "-o", out, "--log_level", "WARNING"], cleanup
            pac = best_of(1, pac_cmd)
            best = min(results["jobs1"]["wall"], results["jobs2"]["wall"])
            print(f"paconvert (defaults, formats with black): {pac['wall']:.2f} s wall, "
                  f"{n_lines / pac['wall']:,.0f} lines/s (exit {pac['rc']})")
            print(f"torch2paddle vs paconvert: {pac['wall'] / results['jobs1']['wall']:.2f}x faster with 1 process, "
                  f"{pac['wall'] / best:.2f}x with the best of --jobs 1/2 "
                  f"(target >= {TARGETS['paconvert_ratio']:.0f}x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
