"""Command line: ``torch2paddle convert | weights | verify | mappings``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXIT_OK = 0
EXIT_FILE_ERRORS = 1  # some files could not be converted (the rest were)
EXIT_USAGE = 2  # bad arguments, SRC/OUT unusable, malformed mapping table
EXIT_UNSUPPORTED = 3  # --strict and unsupported uses remain
SUMMARY_APIS = 30  # rows of the unsupported-API table in the summary (the report has them all)
EXIT_INTERRUPTED = 130  # Ctrl-C: files written so far are complete (atomic writes), the rest is not there
EXIT_TERMINATED = 143  # SIGTERM (CI cancellation, docker stop): handled exactly like Ctrl-C
_STOPPED = {  # what an interrupted command leaves behind, by command
    "convert": "files written so far are complete and temp files are removed; rerun with --force to finish",
    "verify": "the step processes were stopped; nothing is left running",
    "weights": "nothing was written",
    "mappings": "nothing was written",
}


def _console(stderr: bool = False):
    from rich.console import Console

    # messages are never folded: a path or a table entry must stay greppable in logs
    return Console(stderr=stderr, highlight=False, soft_wrap=stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="torch2paddle",
        description="Convert PyTorch projects to idiomatic PaddlePaddle and verify the port numerically.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    convert = sub.add_parser("convert", help="convert a PyTorch file or source tree into OUT")
    convert.add_argument("src", help="a .py file or a folder")
    convert.add_argument("out", help="output folder (mirrors SRC's relative paths)")
    convert.add_argument("--mappings", action="append", default=[], metavar="FILE.yaml",
                         help="extra mapping table; later tables override earlier entries (repeatable)")
    convert.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                         help="skip files/folders matching GLOB (repeatable)")
    convert.add_argument("--force", action="store_true", help="write into a non-empty OUT")
    convert.add_argument("--jobs", "-j", type=int, default=None, help="parallel processes (default: CPU count)")
    convert.add_argument("--max-file-mb", type=float, default=None, metavar="MB",
                         help="larger .py files are copied unchanged and reported (default 1)")
    convert.add_argument("--torch-init", action="store_true",
                         help="write torch's default initialisation on Conv/Linear/Embedding layers "
                              "(Paddle's defaults differ; matters when training from scratch)")
    convert.add_argument("--report", metavar="FILE.json", help="write the full report as JSON")
    convert.add_argument("--strict", action="store_true", help=f"exit {EXIT_UNSUPPORTED} if unsupported uses remain")
    convert.add_argument("--quiet", "-q", action="store_true", help="no progress bar, summary only")

    weights = sub.add_parser("weights", help="convert a torch checkpoint (.pth) to Paddle (.pdparams)")
    weights.add_argument("checkpoint", help="torch state dict or checkpoint dict (.pth)")
    weights.add_argument("output", help="Paddle parameters file to write (.pdparams)")
    weights.add_argument("--model", required=True, metavar="PKG.MODULE:FACTORY",
                         help="torch model factory whose structure decides the rules")
    weights.add_argument("--kwargs", default="{}", metavar="JSON", help="keyword arguments for the factory")
    weights.add_argument("--path", action="append", default=[], metavar="DIR",
                         help="folder to put on sys.path to import the model (repeatable)")

    from .verify.cli import add_verify_parser

    add_verify_parser(sub)

    mappings = sub.add_parser("mappings", help="list, search and inspect the mapping tables")
    mappings.add_argument("action", choices=["list", "show", "search", "coverage"])
    mappings.add_argument("term", nargs="?", help="API name (show) or substring (search)")
    mappings.add_argument("--mappings", action="append", default=[], metavar="FILE.yaml")
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    from .signals import Terminated, handle_sigterm

    args = build_parser().parse_args(argv)
    handle_sigterm()
    try:
        if args.command == "convert":
            return cmd_convert(args)
        if args.command == "weights":
            return cmd_weights(args)
        if args.command == "verify":
            from .verify.cli import cmd_verify

            return cmd_verify(args)
        if args.command == "mappings":
            return cmd_mappings(args)
    except Terminated:
        _console(stderr=True).print(f"[red]terminated[/red] (SIGTERM): {_STOPPED[args.command]}")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        _console(stderr=True).print(f"[red]interrupted[/red]: {_STOPPED[args.command]}")
        return EXIT_INTERRUPTED
    return EXIT_USAGE


def cmd_convert(args) -> int:
    # Imports stay lazy: the progress bar only when it is shown, rich's tables only for the summary.
    from .tables import TableError
    from .tree import TreeError, convert_tree

    if args.jobs is not None and args.jobs < 1:
        _console(stderr=True).print("[red]error:[/red] --jobs must be at least 1")
        return EXIT_USAGE
    if args.max_file_mb is not None and args.max_file_mb <= 0:
        _console(stderr=True).print("[red]error:[/red] --max-file-mb must be positive")
        return EXIT_USAGE
    options = dict(exclude=args.exclude, force=args.force, jobs=args.jobs, mappings=args.mappings,
                   torch_init=args.torch_init)
    if args.max_file_mb is not None:
        options["max_file_bytes"] = int(args.max_file_mb * 1_000_000)
    try:
        if not args.quiet and sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            progress = Progress(TextColumn("converting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                console=_console(stderr=True), transient=True)
            task = progress.add_task("convert", total=None)
            with progress:
                report = convert_tree(args.src, args.out, **options,
                                      on_start=lambda total: progress.update(task, total=total),
                                      on_file=lambda result: progress.advance(task))
        else:
            report = convert_tree(args.src, args.out, **options)
    except (TreeError, TableError) as exc:
        _console(stderr=True).print(f"[red]error:[/red] {_safe(str(exc))}", soft_wrap=True)
        return EXIT_USAGE
    print_summary(report, _console())
    if args.report:
        from .tree import atomic_write

        try:
            atomic_write(Path(args.report), json.dumps(report.to_dict(), indent=2).encode())
        except OSError as exc:
            _console(stderr=True).print(f"[red]error:[/red] cannot write the report {_safe(args.report)}: "
                                        f"{exc.strerror}", soft_wrap=True)
            return EXIT_FILE_ERRORS
    if report.errors:
        return EXIT_FILE_ERRORS
    if args.strict and any(f.unsupported for f in report.files):
        return EXIT_UNSUPPORTED
    return EXIT_OK


def _safe(text: str) -> str:
    """Text from file names or messages, ready for rich: control characters escaped, no markup."""
    from rich.markup import escape

    from .report import printable

    return escape(printable(text))


def print_summary(report, console) -> None:
    from rich.table import Table

    counts = report.counts()
    table = Table(title=f"torch2paddle convert {_safe(report.source)} -> {_safe(report.output)}", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("files", str(counts["files"]))
    table.add_row("python files converted", str(counts["python_converted"]))
    table.add_row("python files unchanged", str(counts["python_unchanged"]))
    table.add_row("other files copied", str(counts["copied"]))
    table.add_row("torch API uses", str(counts["api_uses"]))
    table.add_row("converted", f"[green]{counts['converted_uses']}[/green]")
    table.add_row("unsupported", f"[{'red' if counts['unsupported_uses'] else 'green'}]{counts['unsupported_uses']}[/]")
    table.add_row("modules still importing torch", f"[{'red' if counts['modules_importing_torch'] else 'green'}]"
                  f"{counts['modules_importing_torch']}[/]")
    table.add_row("files with errors", f"[{'red' if counts['errors'] else 'green'}]{counts['errors']}[/]")
    console.print(table)
    # one line per file, never wrapped: `grep error` on the output finds the whole message
    skipped = [f for f in report.files if f.status == "skipped"]
    if skipped:
        console.print(f"skipped: {len(skipped)} (not converted, not copied)")
    for f in skipped:
        console.print(f"[yellow]skipped[/yellow] {_safe(f.path)}: {_safe(f.error or '')}", soft_wrap=True)
    for f in report.errors:
        console.print(f"[red]error[/red] {_safe(f.path)}: {_safe(f.error or '')}", soft_wrap=True)
    for note in report.notes:
        console.print(f"note: {_safe(note)}", soft_wrap=True)
    for f in report.files:  # a refusal at module or class level: the module cannot be imported without torch
        if f.torch_at_import:
            console.print(f"[yellow]needs torch[/yellow] {_safe(f.path)}: a refused use runs at import time "
                          f"(module or class level), so it imports {', '.join(f.torch_at_import)}", soft_wrap=True)
    unsupported = report.unsupported_by_api()
    if unsupported:
        detail = Table(title="unsupported torch APIs (left in torch form, marked in the code)")
        detail.add_column("API")
        detail.add_column("uses", justify="right")
        detail.add_column("where")
        for api, places in list(unsupported.items())[:SUMMARY_APIS]:  # the most used first
            shown = ", ".join(places[:3]) + (f" (+{len(places) - 3} more)" if len(places) > 3 else "")
            detail.add_row(_safe(api), str(len(places)), _safe(shown))
        console.print(detail)
        if len(unsupported) > SUMMARY_APIS:
            console.print(f"... and {len(unsupported) - SUMMARY_APIS} more unsupported APIs: every use is in "
                          f"{_safe(str(Path(report.output) / '.torch2paddle' / 'report.json'))}", soft_wrap=True)


def cmd_weights(args) -> int:
    from rich.markup import escape

    from .weights import _same_file, convert_checkpoint

    if _same_file(args.checkpoint, args.output):
        _console(stderr=True).print(
            f"[red]error:[/red] output {escape(args.output)} is the input checkpoint {escape(args.checkpoint)}; "
            "writing it would overwrite the checkpoint, choose another output path"
        )
        return EXIT_USAGE
    for folder in args.path:
        sys.path.insert(0, os.path.abspath(folder))
    try:
        kwargs = json.loads(args.kwargs)
    except json.JSONDecodeError as exc:
        _console(stderr=True).print(f"[red]error:[/red] --kwargs is not JSON: {exc}")
        return EXIT_USAGE
    try:
        report = convert_checkpoint(args.checkpoint, args.output, args.model, kwargs)
    except Exception as exc:  # the message names the key or file; a traceback would bury it
        _console(stderr=True).print(f"[red]error:[/red] {type(exc).__name__}: {escape(str(exc))}")
        return EXIT_FILE_ERRORS
    _console().print(report.summary(), markup=False)
    return EXIT_OK


def cmd_mappings(args) -> int:
    from .mapping_docs import coverage_table, entry_text, list_entries
    from .tables import TableError, load_tables

    console = _console()
    try:
        tables = load_tables(args.mappings)
    except TableError as exc:
        _console(stderr=True).print(f"[red]error:[/red] {exc}")
        return EXIT_USAGE
    if args.action == "coverage":
        console.print(coverage_table(tables))
        return EXIT_OK
    if args.action == "show":
        if not args.term:
            console.print("[red]error:[/red] `mappings show` needs an API name, e.g. torch.nn.Conv2d")
            return EXIT_USAGE
        text = entry_text(tables, args.term)
        if text is None:
            console.print(f"no mapping for {args.term}")
            return EXIT_FILE_ERRORS
        console.print(text, markup=False)
        return EXIT_OK
    term = args.term if args.action == "search" else None
    console.print(list_entries(tables, term))
    return EXIT_OK
