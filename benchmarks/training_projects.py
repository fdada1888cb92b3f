"""Run real training projects before and after conversion, on tiny synthetic data, with torch blocked.

Usage: .venv/bin/python benchmarks/training_projects.py CORPUS [--only NAME ...] [--work DIR] [--keep]

CORPUS holds one folder per project (third-party code, kept outside the repository), named as the keys of
SPECS below (e.g. ``CORPUS/mnist/main.py`` from pytorch/examples).  For each project found:

1. copy it into WORK/NAME/torch and synthesize the tiny data set the project reads, in the project's own
   on-disk format (MNIST raw idx files, an ImageFolder of PNGs, a text corpus, BSDS300-style folders...);
2. run its own command line(s) under torch (the reference: printed losses, checkpoints);
3. convert it with ``python -m torch2paddle convert SRC OUT --report``, copy the same data next to it;
4. run the same command lines on the converted copy with torch and torchvision blocked (a directory first
   on PYTHONPATH whose ``torch`` and ``torchvision`` packages raise ImportError);
5. check: every command exits 0, the printed loss falls (last < first), the checkpoint files are written,
   and the resume command (the project's own flag, or a second process loading the saved state) works.

Prints one table row per project and the first error line of each failure.  Exit 0 always: it measures.
This file holds no third-party code: only the specs (command lines and data shapes) and the checks.
"""

from __future__ import annotations

import argparse
import ast
import glob
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable

# ----------------------------------------------------------------------------------------------- data


def _mnist(root, n_train=256, n_test=64, seed=0):
    """MNIST raw idx files under ROOT/MNIST/raw (uncompressed), so torchvision finds them and skips download.
    Each class is a bright bar at a class-dependent position plus noise: learnable in a few steps."""
    rng = np.random.default_rng(seed)
    raw = os.path.join(root, "MNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        imgs = (rng.random((n, 28, 28)) * 60).astype(np.uint8)
        for i, c in enumerate(labels):
            imgs[i, 2 + 2 * c:5 + 2 * c, 4:24] = 255
        with open(os.path.join(raw, f"{prefix}-images-idx3-ubyte"), "wb") as f:
            f.write(struct.pack(">IIII", 2051, n, 28, 28) + imgs.tobytes())
        with open(os.path.join(raw, f"{prefix}-labels-idx1-ubyte"), "wb") as f:
            f.write(struct.pack(">II", 2049, n) + labels.tobytes())


def _image_folder(root, classes=2, per_class=8, size=64, seed=0, ext="png"):
    from PIL import Image
    rng = np.random.default_rng(seed)
    for c in range(classes):
        d = os.path.join(root, f"class{c}")
        os.makedirs(d, exist_ok=True)
        for i in range(per_class):
            base = 40 + 170 * c / max(classes - 1, 1)
            arr = np.clip(base + rng.normal(0, 25, (size, size, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(arr).save(os.path.join(d, f"img{i}.{ext}"))


def _imagenet(root):
    _image_folder(os.path.join(root, "data", "train"), per_class=8, size=64, seed=0)
    _image_folder(os.path.join(root, "data", "val"), per_class=4, size=64, seed=1)


def _dcgan(root):
    _image_folder(os.path.join(root, "data"), classes=1, per_class=16, size=32, seed=0)


def _wlm(root):
    rng = np.random.default_rng(0)
    words = "the cat sat on a mat and dog ran to big red house".split()
    d = os.path.join(root, "data", "tiny")
    os.makedirs(d, exist_ok=True)
    for name, lines in (("train", 80), ("valid", 12), ("test", 12)):
        with open(os.path.join(d, f"{name}.txt"), "w") as f:
            for _ in range(lines):  # strongly repetitive: a cyclic sentence with a random start
                s = int(rng.integers(0, len(words)))
                f.write(" " + " ".join(words[(s + k) % len(words)] for k in range(10)) + " \n")


def _bsds(root):
    from PIL import Image
    rng = np.random.default_rng(0)
    for split, n in (("train", 4), ("test", 2)):
        d = os.path.join(root, "proj", "dataset", "BSDS300", "images", split)  # data.py reads ./dataset
        os.makedirs(d, exist_ok=True)
        for i in range(n):
            x = np.linspace(0, 6.28 * (i + 1), 256)
            arr = (127 + 100 * np.sin(x)[None, :, None] * np.cos(x)[:, None, None]
                   + rng.normal(0, 5, (256, 256, 3)))
            Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(os.path.join(d, f"{i}.jpg"))


def _vae(root):
    _mnist(os.path.join(root, "data"))
    os.makedirs(os.path.join(root, "proj", "results"), exist_ok=True)


# ----------------------------------------------------------------------------------------------- specs
# cmds: list of argv (after the interpreter), run in order in WORK/NAME/<side>/proj;
# resume: argv run after cmds (project's own resume flag), or reload: (module, constructor expr, file)
#   loaded by a second process (torch: load_state_dict / whole-model load; paddle: set_state_dict / load);
# loss: regex with one group; ckpt: globs that must exist after cmds.

SPECS = {
    "mnist": dict(
        data=lambda r: _mnist(os.path.join(r, "data")),
        cmds=[["main.py", "--epochs", "2", "--batch-size", "32", "--test-batch-size", "64",
               "--log-interval", "2", "--lr", "0.5", "--save-model", "--no-accel"]],
        loss=r"Loss: ([0-9.]+)", ckpt=["mnist_cnn.pt"], reload=("main", "main.Net()", "mnist_cnn.pt")),
    "mnist_rnn": dict(
        data=lambda r: _mnist(os.path.join(r, "data")),
        cmds=[["main.py", "--epochs", "2", "--batch-size", "32", "--test-batch-size", "64",
               "--log-interval", "2", "--lr", "0.5", "--save-model"]],
        loss=r"Loss: ([0-9.]+)", ckpt=["mnist_rnn.pt"], reload=("main", "main.Net()", "mnist_rnn.pt")),
    "vae": dict(
        data=_vae,
        cmds=[["main.py", "--epochs", "2", "--batch-size", "32", "--log-interval", "2", "--no-cuda"]],
        loss=r"Loss: (-?[0-9.]+)", ckpt=["results/sample_2.png"]),
    "dcgan": dict(
        data=_dcgan,
        cmds=[["main.py", "--dataset", "folder", "--dataroot", "../data", "--imageSize", "64",
               "--batchSize", "4", "--niter", "2", "--workers", "0", "--ngf", "8", "--ndf", "8", "--nz", "16",
               "--manualSeed", "1", "--outf", "out"]],
        resume=["main.py", "--dataset", "folder", "--dataroot", "../data", "--imageSize", "64",
                "--batchSize", "4", "--niter", "1", "--workers", "0", "--ngf", "8", "--ndf", "8", "--nz", "16",
                "--manualSeed", "2", "--outf", "out2", "--netG", "out/netG_epoch_1.pth",
                "--netD", "out/netD_epoch_1.pth", "--dry-run"],
        loss=r"Loss_D: ([0-9.]+)", ckpt=["out/netG_epoch_1.pth", "out/netD_epoch_1.pth"]),
    "imagenet": dict(
        data=_imagenet,
        cmds=[["main.py", "../data", "-a", "resnet18", "--epochs", "2", "-b", "8", "-j", "0", "-p", "1",
               "--lr", "0.01", "--seed", "0"]],
        resume=["main.py", "../data", "-a", "resnet18", "--epochs", "3", "-b", "8", "-j", "0", "-p", "1",
                "--lr", "0.01", "--seed", "0", "--resume", "checkpoint.pth.tar"],
        loss=r"Epoch: \[\d+\]\[\s*\d+/\d+\].*?Loss ([0-9.e+-]+)",
        ckpt=["checkpoint.pth.tar", "model_best.pth.tar"]),
    "word_language_model": dict(
        data=_wlm,
        cmds=[["main.py", "--data", "../data/tiny", "--epochs", "3", "--emsize", "32", "--nhid", "32",
               "--nlayers", "1", "--bptt", "8", "--batch_size", "4", "--log-interval", "2", "--lr", "5",
               "--save", "model.pt"],
              ["main.py", "--data", "../data/tiny", "--model", "Transformer", "--epochs", "2", "--emsize", "32",
               "--nhid", "32", "--nlayers", "1", "--nhead", "2", "--bptt", "8", "--batch_size", "4",
               "--log-interval", "2", "--lr", "2", "--save", "model_tf.pt"]],
        loss=r"\| epoch +\d+ \|.*?loss +([0-9.]+)", ckpt=["model.pt", "model_tf.pt"],
        note="the script itself reloads the saved model (torch.load of the whole model) before testing"),
    "super_resolution": dict(
        data=_bsds,
        cmds=[["main.py", "--upscale_factor", "2", "--batchSize", "2", "--testBatchSize", "2", "--nEpochs", "3",
               "--threads", "0", "--lr", "0.001"]],
        loss=r"===> Epoch\[\d+\]\(\d+/\d+\): Loss: ([0-9.]+)", ckpt=["model_epoch_3.pth"],
        reload=("model", None, "model_epoch_3.pth")),
    "time_sequence_prediction": dict(
        data=None,
        cmds=[["generate_sine_wave.py"], ["train.py", "--steps", "1", "--device", "cpu"]],
        loss=r"^loss: ([0-9.e+-]+)", ckpt=["traindata.pt"], timeout=900),
}

# ----------------------------------------------------------------------------------------------- running

BLOCK = '''raise ImportError("{0} is blocked: the converted project must run on Paddle alone")\n'''

RELOAD_TORCH = '''
import sys, torch
sys.path.insert(0, ".")
mod, expr, path = sys.argv[1], sys.argv[2], sys.argv[3]
m = __import__(mod)
if expr == "None":
    obj = torch.load(path, weights_only=False)
    print("reloaded whole model", type(obj).__name__)
else:
    net = eval(expr, {mod: m})
    res = net.load_state_dict(torch.load(path))
    print("reloaded state dict", res)
'''

RELOAD_PADDLE = '''
import sys, paddle
sys.path.insert(0, ".")
mod, expr, path = sys.argv[1], sys.argv[2], sys.argv[3]
m = __import__(mod)
if expr == "None":
    obj = paddle.load(path)
    assert isinstance(obj, paddle.nn.Layer), "paddle.load returned %s, not a Layer" % type(obj).__name__
    print("reloaded whole model", type(obj).__name__)
else:
    net = eval(expr, {mod: m})
    state = paddle.load(path)
    missing, unexpected = net.set_state_dict(state)
    assert not missing and not unexpected, (missing, unexpected)
    print("reloaded state dict", len(state), "tensors")
'''


def _env(side, work):
    env = dict(os.environ)
    env.update(CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="2", MKL_NUM_THREADS="2", PYTHONUNBUFFERED="1",
               MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    extra = [p for p in os.environ.get("TRAIN_EXTRA_SITE", "").split(os.pathsep) if p]
    if side == "torch":
        # legacy torch.load calls (whole models, numpy arrays) need the pre-2.6 default; harness-side compat
        env["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(extra)
    else:
        block = os.path.join(work, "_blocked")
        for name in ("torch", "torchvision"):
            os.makedirs(os.path.join(block, name), exist_ok=True)
            with open(os.path.join(block, name, "__init__.py"), "w") as f:
                f.write(BLOCK.format(name))
        env["PYTHONPATH"] = os.pathsep.join([block] + extra)
    return env


MEM_LIMIT = int(os.environ.get("TRAIN_MEM_LIMIT_GB", "8")) << 30  # address space per run: a runaway run dies


def _limit_memory():
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (MEM_LIMIT, MEM_LIMIT))


def _run(argv, cwd, env, timeout, log):
    t = time.time()
    try:
        p = subprocess.run([PY] + argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                           preexec_fn=_limit_memory)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = 124, (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or ""), \
            "TIMEOUT after %ss" % timeout
    with open(log, "a") as f:
        f.write("$ python %s  (rc=%s, %.1fs)\n--- stdout\n%s\n--- stderr\n%s\n" % (
            " ".join(argv), rc, time.time() - t, out, err))
    return rc, out, err


def _first_error(err):
    lines = [l for l in err.strip().splitlines() if l.strip()]
    for l in reversed(lines):
        if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b", l) or l.startswith("TIMEOUT"):
            return l.strip()[:220]
    return (lines[-1].strip()[:220]) if lines else ""


def _error_site(err, proj):
    """The last traceback frame inside the project: file:line and its source line."""
    site = ""
    frames = re.findall(r'File "([^"]+)", line (\d+), in [^\n]*\n\s*([^\n]*)', err)
    for path, line, src in frames:
        if os.path.abspath(path).startswith(os.path.abspath(proj)):
            site = "%s:%s: %s" % (os.path.relpath(path, proj), line, src.strip())
    return site


def _modules_importing_torch(root):
    """Converted modules whose top-level statements (incl. try/if blocks) import torch or torchvision."""
    hits = []
    for path in glob.glob(os.path.join(root, "**", "*.py"), recursive=True):
        try:
            tree = ast.parse(open(path, encoding="utf-8").read())
        except SyntaxError:
            hits.append(os.path.relpath(path, root) + " (syntax error)")
            continue
        todo = list(tree.body)
        found = False
        while todo and not found:
            node = todo.pop()
            if isinstance(node, ast.Import):
                found = any(a.name.split(".")[0] in ("torch", "torchvision") for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                found = (node.module or "").split(".")[0] in ("torch", "torchvision") and node.level == 0
            elif isinstance(node, (ast.Try, ast.If, ast.With)):
                for field in ("body", "orelse", "finalbody", "handlers"):
                    for sub in getattr(node, field, []) or []:
                        todo.extend(sub.body if isinstance(sub, ast.ExceptHandler) else [sub])
        if found:
            hits.append(os.path.relpath(path, root))
    return sorted(hits)


def _losses(regex, text):
    return [float(x) for x in re.findall(regex, text, flags=re.M)]


def run_side(name, spec, side, src, work):
    """Copy SRC into WORK/NAME/SIDE/proj, make the data, run the commands. Returns a result dict."""
    base = os.path.join(work, name, side)
    shutil.rmtree(base, ignore_errors=True)
    proj = os.path.join(base, "proj")
    shutil.copytree(src, proj, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.json"))
    if spec.get("data"):
        spec["data"](base)
    env = _env(side, work)
    log = os.path.join(base, "log.txt")
    timeout = spec.get("timeout", 600)
    res = dict(ok=True, losses=[], err="", site="", ckpt_ok=None, resume_ok=None, resume_err="")
    out_all = ""
    for argv in spec["cmds"]:
        rc, out, err = _run(argv, proj, env, timeout, log)
        out_all += out
        if rc != 0:
            res.update(ok=False, err=_first_error(err) or "exit %d" % rc, site=_error_site(err, proj))
            break
    res["losses"] = _losses(spec["loss"], out_all)
    res["ckpt_ok"] = all(glob.glob(os.path.join(proj, g)) for g in spec.get("ckpt", []))
    if res["ok"] and (spec.get("resume") or spec.get("reload")):
        if spec.get("resume"):
            rc, out, err = _run(spec["resume"], proj, env, timeout, log)
            res["resume_losses"] = _losses(spec["loss"], out)
        else:
            mod, expr, path = spec["reload"]
            code = RELOAD_TORCH if side == "torch" else RELOAD_PADDLE
            rc, out, err = _run(["-c", code, mod, str(expr), path], proj, env, timeout, log)
        res["resume_ok"] = rc == 0
        if rc != 0:
            res["resume_err"] = _first_error(err) or "exit %d" % rc
            res["resume_site"] = _error_site(err, proj)
    res["log"] = log
    return res


def convert(src, out, log):
    shutil.rmtree(out, ignore_errors=True)
    report = out.rstrip("/") + ".report.json"
    p = subprocess.run([PY, "-m", "torch2paddle", "convert", src, out, "--report", report, "-q"],
                       cwd=REPO, capture_output=True, text=True, timeout=600)
    with open(log, "w") as f:
        f.write("rc=%s\n%s\n%s\n" % (p.returncode, p.stdout, p.stderr))
    rep = json.load(open(report)) if os.path.exists(report) else {}
    return p.returncode, rep


def falls(losses):
    return len(losses) >= 2 and losses[-1] < losses[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--work", default="/tmp/train_runs")
    ap.add_argument("--skip-torch", action="store_true", help="skip the torch reference runs")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rows, details = [], []
    names = [n for n in SPECS if os.path.isdir(os.path.join(args.corpus, n))]
    if args.only:
        names = [n for n in names if n in args.only]
    for name in names:
        spec, src = SPECS[name], os.path.abspath(os.path.join(args.corpus, name))
        t0 = time.time()
        ref = None if args.skip_torch else run_side(name, spec, "torch", src, args.work)
        conv_dir = os.path.join(args.work, name, "converted")
        crc, rep = convert(src, conv_dir, os.path.join(args.work, name, "convert.log"))
        counts = rep.get("counts", {})
        still = _modules_importing_torch(conv_dir)
        pad = run_side(name, spec, "paddle", conv_dir, args.work)
        row = dict(
            project=name,
            unsupported=counts.get("unsupported_uses", "?"),
            torch_modules=len(still),
            torch_ok=None if ref is None else ref["ok"],
            paddle_ok=pad["ok"],
            loss_falls=falls(pad["losses"]),
            resume_ok=pad["resume_ok"],
            error=pad["err"] or pad.get("resume_err", ""),
        )
        rows.append(row)
        details.append(dict(row, torch_losses=None if ref is None else ref["losses"][:3] + ["..."] + ref["losses"][-2:],
                            paddle_losses=pad["losses"][:3] + ["..."] + pad["losses"][-2:],
                            torch_ckpt=None if ref is None else ref["ckpt_ok"], paddle_ckpt=pad["ckpt_ok"],
                            torch_err=None if ref is None else ref["err"] or ref.get("resume_err"),
                            site=pad["site"] or pad.get("resume_site", ""),
                            unsupported_list=rep.get("unsupported", {}), modules_importing_torch=still,
                            convert_rc=crc, seconds=round(time.time() - t0, 1), log=pad["log"]))
        print("[%s] done in %.0fs" % (name, time.time() - t0), file=sys.stderr, flush=True)

    def yn(v):
        return "-" if v is None else ("yes" if v else "NO")

    hdr = "| project | unsupported | modules importing torch | torch run ok | paddle run ok | loss falls | resume ok | first error |"
    print(hdr)
    print("|" + "---|" * 8)
    for r in rows:
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["project"], r["unsupported"], r["torch_modules"], yn(r["torch_ok"]), yn(r["paddle_ok"]),
            yn(r["loss_falls"]), yn(r["resume_ok"]), r["error"].replace("|", "/")))
    trained = sum(1 for r in rows if r["paddle_ok"] and r["loss_falls"] and r["resume_ok"] is not False)
    print("\ntrained (runs, loss falls, resume where checked): %d / %d" % (trained, len(rows)))
    out = os.path.join(args.work, "details.json")
    with open(out, "w") as f:
        json.dump(details, f, indent=1, default=str)
    print("details:", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
