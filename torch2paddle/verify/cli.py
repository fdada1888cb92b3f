"""`torch2paddle verify` command line (kept free of torch/paddle imports)."""

from __future__ import annotations

STEPS = ("weights", "forward", "data", "metric", "loss", "init", "backward", "train", "perf")
DEFAULT_TIMEOUT = 300  # the same as runner.DEFAULT_TIMEOUT (not imported: the runner imports numpy)


def add_verify_parser(sub) -> None:
    verify = sub.add_parser("verify", help="run the alignment chain between the original and the converted code")
    verify.add_argument("out", help="output folder of `torch2paddle convert`")
    # no default list: a step the user did not name may be skipped (no entry point for it) without exit 4
    verify.add_argument("--steps", help=f"comma-separated subset of: {', '.join(STEPS)} (default: all that can run)")
    verify.add_argument("--device", choices=["cpu", "gpu", "auto"], default="auto",
                        help="where both frameworks run (auto: GPU when both can use one)")
    verify.add_argument("--iterations", type=int, default=5, help="backward-step iterations (default 5)")
    verify.add_argument("--threshold", action="append", default=[], metavar="STEP=VALUE",
                        help="override a step's tolerance, e.g. forward=1e-4 (repeatable)")
    verify.add_argument("--checkpoint", help="torch checkpoint to align instead of seeded random weights")
    verify.add_argument("--model", metavar="PKG.MODULE:FACTORY", help="model factory when there is no config")
    verify.add_argument("--input-shape", help="fake input shape when there is no config, e.g. 2,3,224,224")
    verify.add_argument("--config", help="alignment config (default: torch2paddle.yaml from the source project)")
    verify.add_argument("--report", metavar="FILE.json", help="write the structured result as JSON")
    verify.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"limit on each step, and on each side's framework import (default {DEFAULT_TIMEOUT}; "
                             "0: none); a step that outlasts it is killed, reported as an error, and the chain "
                             "goes on")
    verify.add_argument("--memory-mb", type=float, metavar="MB",
                        help="cap each side process's memory (Linux): a step that exceeds it fails with "
                             "MemoryError and the chain goes on (default: no cap)")
    verify.add_argument("--threads", type=int, metavar="N",
                        help="intra-op threads on both sides (default: `threads:` in the config, else half the "
                             "CPUs verify may use, 1 to 8)")
    verify.add_argument("--locate", action="store_true",
                        help="localise even when every step passes: rerun both models with a hook on every module "
                             "and name the first module whose output differs (done anyway when forward or "
                             "backward fails)")
    verify.add_argument("--reuse-harness", action="store_true",
                        help="rerun the generated step scripts as they are (e.g. after editing them) without regenerating")


def cmd_verify(args) -> int:
    from .runner import run_from_cli

    return run_from_cli(args)
