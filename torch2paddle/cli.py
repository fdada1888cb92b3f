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
SUMMARY_PATHS = 50  # stale / pruned files listed in the summary (the report has them all)
SUMMARY_APIS = 30  # APIs in the summary's unsupported list (the report has them all)
SUMMARY_PLACES = 20  # file:line places shown for one API and reason (the report has them all)
EXIT_INTERRUPTED = 130  # Ctrl-C: files written so far are complete (atomic writes), the rest is not there
EXIT_BROKEN_PIPE = 141  # stdout closed early (`| head`): what a command killed by SIGPIPE exits with
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
    _add_convert_parser(sub)
    _add_weights_parser(sub)

    from .verify.cli import add_verify_parser

    add_verify_parser(sub)

    mappings = sub.add_parser("mappings", help="list, search and inspect the mapping tables")
    mappings.add_argument("action", choices=["list", "show", "search", "coverage"])
    mappings.add_argument("term", nargs="?", help="API name (show) or substring (search)")
    mappings.add_argument("--mappings", action="append", default=[], metavar="FILE.yaml")
    return parser


def _add_convert_parser(sub) -> None:
    convert = sub.add_parser(
        "convert", help="convert a PyTorch file or source tree into OUT",
        description="Convert SRC into OUT.  --diff and --check write nothing (OUT not needed); SRC - reads "
                    "the source from stdin and writes the converted code to stdout.",
        epilog=f"exit codes: {EXIT_OK} done (--check: nothing would change); {EXIT_FILE_ERRORS} some files could not "
               f"be converted, or --check and some file would change; {EXIT_USAGE} bad arguments or unusable "
               f"SRC/OUT; {EXIT_UNSUPPORTED} --strict and unsupported uses remain")
    convert.add_argument("src", help="a .py file, a folder, or - to read the source from stdin")
    convert.add_argument("out", nargs="?",
                         help="output folder (mirrors SRC's relative paths); when SRC is a file, OUT is a file "
                              "if it has a suffix (model_paddle.py) or is an existing file, a folder if it is an "
                              "existing folder or ends with /; - writes to stdout.  Not given with --diff, --check "
                              "or SRC -")
    convert.add_argument("--diff", action="store_true",
                         help="print a unified diff of every file the conversion would change; write nothing")
    convert.add_argument("--check", action="store_true",
                         help=f"write nothing; exit {EXIT_FILE_ERRORS} if the conversion would change any file "
                              f"(torch still used), {EXIT_OK} on an already converted tree")
    convert.add_argument("--mappings", action="append", default=[], metavar="FILE.yaml",
                         help="extra mapping table; later tables override earlier entries (repeatable)")
    convert.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                         help="skip files/folders matching GLOB (repeatable)")
    convert.add_argument("--no-ignore", dest="ignore", action="store_false",
                         help="also convert what is ignored by default: VCS folders, virtual environments, "
                              "site-packages, build/, dist/, .tox/, node_modules/ and .gitignore patterns")
    convert.add_argument("--force", action="store_true", help="write into a non-empty OUT (overwrite an OUT file)")
    convert.add_argument("--prune", action="store_true",
                         help="remove the files an earlier run wrote into OUT whose source is gone "
                              "(without it they are only listed)")
    convert.add_argument("--jobs", "-j", type=int, default=None, help="parallel processes (default: CPU count)")
    convert.add_argument("--max-file-mb", type=float, default=None, metavar="MB",
                         help="larger .py files are copied unchanged and reported (default 1)")
    convert.add_argument("--torch-init", action="store_true",
                         help="write torch's default initialisation on Conv/Linear/Embedding layers "
                              "(Paddle's defaults differ; matters when training from scratch)")
    convert.add_argument("--report", metavar="FILE.json", help="write the full report as JSON")
    convert.add_argument("--strict", action="store_true", help=f"exit {EXIT_UNSUPPORTED} if unsupported uses remain")
    verbosity = convert.add_mutually_exclusive_group()
    verbosity.add_argument("--quiet", "-q", action="store_true", help="errors only (no summary, no progress bar)")
    verbosity.add_argument("--verbose", "-v", action="store_true", help="a line for every file, then the summary")


def _add_weights_parser(sub) -> None:
    weights = sub.add_parser(
        "weights", help="convert a torch checkpoint (.pth) to Paddle (.pdparams)",
        description="Convert CHECKPOINT into OUTPUT following the torch model's structure, and print a table: "
                    "torch key, Paddle key, shape, what was done (copied, renamed, transposed, dropped).",
        epilog=f"exit codes: {EXIT_OK} written; {EXIT_FILE_ERRORS} the checkpoint cannot be read or converted "
               f"(nothing written); {EXIT_USAGE} bad arguments")
    weights.add_argument("checkpoint", help="torch state dict or checkpoint dict (.pth)")
    weights.add_argument("output", help="Paddle parameters file to write (.pdparams)")
    weights.add_argument("--model", required=True, metavar="PKG.MODULE:FACTORY",
                         help="torch model factory whose structure decides the rules")
    weights.add_argument("--kwargs", default="{}", metavar="JSON", help="keyword arguments for the factory")
    weights.add_argument("--path", action="append", default=[], metavar="DIR",
                         help="folder to put on sys.path to import the model (repeatable)")
    weights.add_argument("--key", metavar="KEY",
                         help="the checkpoint's key that holds the weights ({'net': state_dict, 'epoch': 3}: "
                              "--key net); without it state_dict, model_state_dict, model, net and network are "
                              "tried, then a single nested state dict")
    weights.add_argument("--allow-pickle", action="store_true",
                         help="load a checkpoint that holds pickled Python objects (a whole nn.Module, custom "
                              "classes) with torch.load(weights_only=False): this runs code from the file, so "
                              "only for a file you trust (default: weights_only=True)")
    weights.add_argument("--quiet", "-q", action="store_true", help="errors only (no table, no summary)")


def _stopped(args) -> str:
    """What an interrupted command leaves behind, in words."""
    if args.command == "convert" and (args.diff or args.check or args.src == "-" or args.out == "-"):
        return "nothing was written (the preview's temp files are removed)"
    return _STOPPED[args.command]


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
        _console(stderr=True).print(f"[red]terminated[/red] (SIGTERM): {_stopped(args)}")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        _console(stderr=True).print(f"[red]interrupted[/red]: {_stopped(args)}")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `... | head` closed stdout: stop quietly, as a command killed by SIGPIPE does
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # Python's final flush of stdout must not fail again
        except (OSError, ValueError):
            pass
        return EXIT_BROKEN_PIPE
    return EXIT_USAGE


def cmd_convert(args) -> int:
    # Imports stay lazy: the progress bar only when it is shown, rich's tables only for the summary.
    from .tables import TableError
    from .tree import TreeError

    err = _console(stderr=True)
    problem = _convert_usage_problem(args)
    if problem:
        err.print(f"[red]error:[/red] {_safe(problem)}", soft_wrap=True)
        return EXIT_USAGE
    try:
        report, changes, original = _run_conversion(args)
    except (TreeError, TableError) as exc:
        err.print(f"[red]error:[/red] {_safe(str(exc))}", soft_wrap=True)
        return EXIT_USAGE
    except OSError as exc:  # reading stdin or writing its temp copy, or reading back SRC for OUT -
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(f"[red]error:[/red] {_safe(where + (exc.strerror or str(exc)))}", soft_wrap=True)
        return EXIT_USAGE
    if args.src == "-":
        _rename_stdin(report, changes)
    return _show_conversion(args, report, changes, original, err)


def _run_conversion(args):
    """Convert as the arguments say: (report, previewed changes, the source as given when it goes back out)."""
    stdin = args.src == "-"
    preview = args.diff or args.check or stdin or args.out == "-"
    options = dict(exclude=args.exclude, jobs=args.jobs, mappings=args.mappings, torch_init=args.torch_init)
    if args.max_file_mb is not None:
        options["max_file_bytes"] = int(args.max_file_mb * 1_000_000)
    changes: list = []
    stdin_dir = None
    original = b""  # SRC - or OUT -: the source as given, written back where it cannot be converted
    try:
        src = args.src
        if stdin:  # the source goes through the same path as a file: converted on its own
            import tempfile

            stdin_dir = tempfile.TemporaryDirectory(prefix="torch2paddle-stdin-")
            src = str(Path(stdin_dir.name) / _STDIN_FILE)
            original = sys.stdin.buffer.read()
            Path(src).write_bytes(original)
        if preview:
            from .tree import preview_tree

            report, changes = _with_progress(args, lambda **progress: preview_tree(
                src, ignore=args.ignore, **options, **progress))
            if args.out == "-" and not changes:
                original = Path(src).read_bytes()
        elif _file_output(args.src, args.out):
            from .tree import convert_file_to

            options.pop("exclude")
            options.pop("jobs")
            report = convert_file_to(src, args.out, force=args.force, **options)
        else:
            from .tree import convert_tree

            report = _with_progress(args, lambda **progress: convert_tree(
                src, args.out, force=args.force, ignore=args.ignore, prune=args.prune, **options, **progress))
    finally:
        if stdin_dir is not None:
            stdin_dir.cleanup()
    return report, changes, original


def _show_conversion(args, report, changes, original, err) -> int:
    """Write what the conversion produced for stdout (diff, code), the summary and the JSON report; the exit
    code."""
    stdin = args.src == "-"
    to_stdout = stdin or args.out == "-"
    data_on_stdout = to_stdout or args.diff  # then every message goes to stderr
    console = err if data_on_stdout else _console()
    if args.diff:
        _write_diff(changes)
    elif to_stdout:
        _write_converted(report, changes, original, err)
    if args.check and not args.quiet and not args.verbose:  # -v says it on each file's line
        for change in changes:
            console.print(f"would convert {_safe(change.path)}", soft_wrap=True)
    changed = {c.path for c in changes} if args.diff or args.check else None  # None: what was done, not would be
    if args.verbose:
        print_files(report, console, changed)
    if args.quiet:
        print_problems(report, console)
    else:
        print_summary(report, console, mode=_mode(args), changed=changed,
                      folder=not stdin and Path(args.src).is_dir())
    if args.report:
        from .tree import atomic_write

        try:
            atomic_write(Path(args.report), json.dumps(report.to_dict(), indent=2).encode())
        except OSError as exc:
            err.print(f"[red]error:[/red] cannot write the report {_safe(args.report)}: {exc.strerror}",
                      soft_wrap=True)
            return EXIT_FILE_ERRORS
    if report.errors or (args.check and changes):
        return EXIT_FILE_ERRORS
    if args.strict and any(f.unsupported for f in report.files):
        return EXIT_UNSUPPORTED
    return EXIT_OK


_STDIN_FILE = "stdin.py"
_STDIN_NAME = "<stdin>"


def _convert_usage_problem(args) -> str | None:
    """What is wrong with convert's arguments, as one line, or None."""
    if args.jobs is not None and args.jobs < 1:
        return "--jobs must be at least 1"
    if args.max_file_mb is not None and args.max_file_mb <= 0:
        return "--max-file-mb must be positive"
    if args.src == "-":
        if args.out not in (None, "-"):
            return "with SRC -, the converted code goes to stdout: leave out OUT (or redirect it: > model_paddle.py)"
    elif args.diff or args.check:
        if args.out is not None:
            return f"--{'diff' if args.diff else 'check'} writes nothing: leave out OUT"
    elif args.out is None:
        return "OUT is missing: torch2paddle convert SRC OUT (or SRC --diff / --check to write nothing)"
    elif args.out == "-" and Path(args.src).is_dir():
        return "OUT - (stdout) takes a single file; to see what a folder's conversion changes, use --diff"
    if args.prune and (args.diff or args.check or args.src == "-" or args.out == "-"):
        return "--prune removes files from an OUT folder; it does nothing with --diff, --check or stdout"
    return None


def _file_output(src: str, out: str) -> bool:
    """SRC a file and OUT a file: OUT has a suffix (model_paddle.py) or is an existing file; an existing folder
    or a name ending with / is a folder (and so is a name without suffix, as before)."""
    if Path(src).is_dir() or out.endswith(("/", os.sep)) or Path(out).is_dir():
        return False
    return Path(out).is_file() or Path(out).is_symlink() or bool(Path(out).suffix)


def _mode(args) -> str:
    if args.src == "-" or args.out == "-":
        return "stdout"
    if args.diff or args.check:
        return "--diff" if args.diff else "--check"
    return ""


def _with_progress(args, run):
    """``run(on_start=..., on_file=...)`` with a progress bar on stderr when it is a terminal."""
    if args.quiet or not sys.stderr.isatty():
        return run()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("converting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=_console(stderr=True), transient=True)
    task = progress.add_task("convert", total=None)
    with progress:
        return run(on_start=lambda total: progress.update(task, total=total),
                   on_file=lambda result: progress.advance(task))


def _rename_stdin(report, changes) -> None:
    report.source = "-"
    for f in report.files:
        if f.path == _STDIN_FILE:
            f.path = _STDIN_NAME
    for change in changes:
        if change.path == _STDIN_FILE:
            change.path = _STDIN_NAME


def _decode_text(data: bytes) -> tuple[str, str]:
    from .tree import _decode

    try:
        text, encoding = _decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return data.decode("utf-8", errors="surrogateescape"), "utf-8"
    return text, ("utf-8" if encoding == "utf-8-sig" else encoding)


def _lines(text: str) -> list[str]:
    """Lines split at \\n only (str.splitlines also splits at form feeds and other separators a diff keeps)."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def unified_diff(change) -> bytes:
    """``diff -u`` of one change, in the file's own encoding; paths a/REL and b/REL (``patch -p1`` in SRC)."""
    import difflib

    from .report import printable

    before, encoding = _decode_text(change.before) if change.before is not None else ("", "utf-8")
    after, after_encoding = _decode_text(change.after)
    if change.before is None:
        encoding = after_encoding
    name = printable(change.path)  # a name is never a raw control sequence on a terminal
    old = "/dev/null" if change.before is None else (name if name == _STDIN_NAME else f"a/{name}")
    new = name if name == _STDIN_NAME else f"b/{name}"
    lines = list(difflib.unified_diff(_lines(before), _lines(after), old, new))
    head = "".join(lines[:2]).encode("utf-8", errors="surrogateescape")
    body = []
    for line in lines[2:]:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        body.append(line)
    try:
        return head + "".join(body).encode(encoding, errors="surrogateescape")
    except UnicodeEncodeError:
        return head + "".join(body).encode("utf-8", errors="surrogateescape")


def _write_diff(changes) -> None:
    stream = sys.stdout.buffer
    for change in changes:
        stream.write(unified_diff(change))
    stream.flush()


def _write_converted(report, changes, original: bytes, err) -> None:
    """SRC - or OUT -: the converted code (or the source as it was, where it could not be converted) on stdout."""
    main = next((f for f in report.files if f.path == _STDIN_NAME or f.path == Path(report.source).name), None)
    change = next((c for c in changes if main is not None and c.path == main.path), None)
    sys.stdout.buffer.write(change.after if change is not None else original)
    sys.stdout.buffer.flush()
    if any(f.runtime_apis for f in report.files):
        err.print(f"note: the converted code imports _torch2paddle_runtime (keywords translated when the call "
                  f"runs); convert into a folder (torch2paddle convert FILE OUT/) to get that module too",
                  soft_wrap=True)


def _safe(text: str) -> str:
    """Text from file names or messages, ready for rich: control characters escaped, no markup."""
    from rich.markup import escape

    from .report import printable

    return escape(printable(text))


def _status(f, changed: set[str] | None) -> str:
    """A file's status as a verb; in a preview (nothing written) what would happen."""
    if changed is None:
        return f.status
    if f.status == "converted":
        return "would convert" if f.path in changed else "unchanged"
    return {"copied": "would copy", "unchanged": "unchanged"}.get(f.status, f.status)


def print_files(report, console, changed: set[str] | None = None) -> None:
    """``-v``: one line per file (and per ignored path), in path order."""
    for f in report.files:
        status = _status(f, changed)
        colour = {"error": "red", "skipped": "yellow"}.get(f.status)
        detail = ""
        if f.uses:
            unsupported = len(f.unsupported)
            detail = f" ({len(f.uses)} torch API uses" + (f", {unsupported} unsupported)" if unsupported else ")")
        if f.error:
            detail += f": {_safe(f.error)}"
        word = f"[{colour}]{status}[/{colour}]" if colour else status
        console.print(f"{word} {_safe(f.path)}{detail}", soft_wrap=True)
    for path, why in report.ignored:
        console.print(f"[dim]ignored[/dim] {_safe(path)} ({_safe(why)})", soft_wrap=True)


def print_problems(report, console) -> None:
    """One line per file that was skipped or could not be converted: never wrapped, so `grep error` finds it."""
    skipped = [f for f in report.files if f.status == "skipped"]
    for f in skipped:
        console.print(f"[yellow]skipped[/yellow] {_safe(f.path)}: {_safe(f.error or '')}", soft_wrap=True)
    for f in report.errors:
        console.print(f"[red]error[/red] {_safe(f.path)}: {_safe(f.error or '')}", soft_wrap=True)


def print_summary(report, console, mode: str = "", changed: set[str] | None = None, folder: bool = True) -> None:
    from rich.table import Table

    counts = report.counts()
    if mode == "stdout":
        title = f"torch2paddle convert {_safe(report.source)} -> stdout"
    elif mode:
        title = f"torch2paddle convert {_safe(report.source)} {mode} (nothing written)"
    else:
        title = f"torch2paddle convert {_safe(report.source)} -> {_safe(report.output)}"
    console.print(f"[bold]{title}[/bold]", soft_wrap=True)  # a line of its own: a path is never folded
    table = Table(show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("files", str(counts["files"]))
    if changed is None:
        table.add_row("python files converted", str(counts["python_converted"]))
        table.add_row("python files unchanged", str(counts["python_unchanged"]))
        if counts["requirements_rewritten"]:  # requirements*.txt: torch -> paddlepaddle, not python code
            table.add_row("requirements files rewritten", str(counts["requirements_rewritten"]))
    else:
        table.add_row("files the conversion would change", f"[{'yellow' if changed else 'green'}]{len(changed)}[/]")
    table.add_row("other files copied" if changed is None else "other files (copied as they are)",
                  str(counts["copied"]))
    if folder:
        table.add_row("ignored paths (--no-ignore converts them)", str(len(report.ignored)))
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
    print_problems(report, console)
    for note in report.notes:
        console.print(f"note: {_safe(note)}", soft_wrap=True)
    for f in report.files:  # a refusal at module or class level: the module cannot be imported without torch
        if f.torch_at_import:
            console.print(f"[yellow]needs torch[/yellow] {_safe(f.path)}: a refused use runs at import time "
                          f"(module or class level), so it imports {', '.join(f.torch_at_import)}", soft_wrap=True)
    if report.stale:
        console.print(f"stale: {len(report.stale)} files in OUT have no source any more (an earlier run wrote "
                      "them; --prune removes them)", soft_wrap=True)
        for path in report.stale[:SUMMARY_PATHS]:
            console.print(f"[yellow]stale[/yellow] {_safe(path)}", soft_wrap=True)
    for path in report.pruned[:SUMMARY_PATHS]:
        console.print(f"pruned {_safe(path)} (no source any more)", soft_wrap=True)
    for paths in (report.stale, report.pruned):
        if len(paths) > SUMMARY_PATHS:
            console.print(f"... and {len(paths) - SUMMARY_PATHS} more: every one is in the report (\"stale\", "
                          f"\"pruned\")", soft_wrap=True)
    print_unsupported(report, console, mode)


def print_unsupported(report, console, mode: str = "") -> None:
    """The unsupported torch APIs, the most used first: a line with the API and its count, then each reason
    once with the places that share it.  Lines are never folded (soft wrap): a path stays greppable."""
    unsupported = report.unsupported_by_reason()
    if not unsupported:
        return
    total = sum(len(places) for reasons in unsupported.values() for places in reasons.values())
    console.print(f"[bold]unsupported torch APIs[/bold]: {len(unsupported)} ({total} uses), left in torch form and "
                  f"marked in the code", soft_wrap=True)
    for api, reasons in list(unsupported.items())[:SUMMARY_APIS]:
        count = sum(map(len, reasons.values()))
        console.print(f"[red]{_safe(api)}[/red]: {count} use{'s' if count != 1 else ''}", soft_wrap=True)
        for reason, places in reasons.items():
            console.print(f"  why: {_safe(reason or 'no reason recorded')}", soft_wrap=True)
            shown = ", ".join(places[:SUMMARY_PLACES])
            more = f" (+{len(places) - SUMMARY_PLACES} more)" if len(places) > SUMMARY_PLACES else ""
            console.print(f"  where: {_safe(shown)}{more}", soft_wrap=True)
    hidden = len(unsupported) - SUMMARY_APIS
    hidden_places = any(len(p) > SUMMARY_PLACES for reasons in unsupported.values() for p in reasons.values())
    if hidden > 0 or hidden_places:
        where = (f"{_safe(str(Path(report.output) / '.torch2paddle' / 'report.json'))}" if report.output
                 and not mode else "the --report FILE.json")
        what = f"... and {hidden} more unsupported APIs" if hidden > 0 else "places cut short above (+N more)"
        console.print(f"{what}: every use is in {where}", soft_wrap=True)


def cmd_weights(args) -> int:
    import warnings

    from rich.markup import escape

    from .weights import (CheckpointFileError, PickleRefusedError, WeightConversionError, _same_file,
                          convert_checkpoint)

    err = _console(stderr=True)
    if _same_file(args.checkpoint, args.output):
        err.print(
            f"[red]error:[/red] output {escape(args.output)} is the input checkpoint {escape(args.checkpoint)}; "
            "writing it would overwrite the checkpoint, choose another output path"
        )
        return EXIT_USAGE
    for folder in args.path:
        sys.path.insert(0, os.path.abspath(folder))
    try:
        kwargs = json.loads(args.kwargs)
    except json.JSONDecodeError as exc:
        err.print(f"[red]error:[/red] --kwargs is not JSON: {escape(str(exc))}")
        return EXIT_USAGE
    warnings.filterwarnings("ignore", message="No ccache found")  # paddle's import says it to every user
    try:
        report = convert_checkpoint(args.checkpoint, args.output, args.model, kwargs, allow_pickle=args.allow_pickle,
                                    key=args.key)
    except PickleRefusedError as exc:  # one line, naming the CLI's option (torch's own text has terminal escapes)
        err.print(f"[red]error:[/red] {_safe(exc.path)}: {_safe(exc.explain('--allow-pickle'))}", soft_wrap=True)
        return EXIT_FILE_ERRORS
    except WeightConversionError as exc:
        if exc.problems and all(key == os.fspath(args.checkpoint) for key, _ in exc.problems) \
                and not isinstance(exc, CheckpointFileError):  # the file as a whole: a line of its own
            for key, desc in exc.problems:
                err.print(f"[red]error:[/red] {_safe(key)}: {_safe(desc)}", soft_wrap=True)
        else:
            err.print(f"[red]error:[/red] {type(exc).__name__}: {escape(str(exc))}")
        return EXIT_FILE_ERRORS
    except Exception as exc:  # the message names the key or file; a traceback would bury it
        err.print(f"[red]error:[/red] {type(exc).__name__}: {escape(str(exc))}")
        return EXIT_FILE_ERRORS
    if not args.quiet:
        print_weights(report, _console(), args)
    return EXIT_OK


def _shape(shape) -> str:
    return "-" if shape is None else "[" + ", ".join(str(d) for d in shape) + "]"


def print_weights(report, console, args) -> None:
    """The weights table (torch key, Paddle key, shape, what was done), the notes, then one line of counts."""
    from rich.table import Table
    from rich.text import Text

    from .report import printable
    from .weights import wrapper_of

    console.print(f"torch2paddle weights {_safe(args.checkpoint)} -> {_safe(args.output)}", soft_wrap=True,
                  markup=False)
    if report.source_key is not None:
        how = "--key" if args.key is not None else "found by itself; --key KEY takes another"
        console.print(f"note: weights taken from the checkpoint's key {report.source_key!r} ({how})",
                      soft_wrap=True, markup=False)
    if report.stripped_prefix:
        console.print(f"note: prefix {report.stripped_prefix!r} stripped from every key "
                      f"({wrapper_of(report.stripped_prefix)})", soft_wrap=True, markup=False)
    if report.skipped_entries:
        console.print(f"note: {len(report.skipped_entries)} non-tensor entries of the state dict skipped: "
                      f"{', '.join(report.skipped_entries)}", soft_wrap=True, markup=False)
    table = Table()
    for column in ("torch key", "Paddle key", "shape", "done"):
        table.add_column(column, overflow="fold")
    for row in report.keys:
        shape = _shape(row.shape)
        if row.paddle_shape is not None and tuple(row.paddle_shape) != tuple(row.shape or ()):
            shape += f" -> {_shape(row.paddle_shape)}"
        done = row.action
        if row.reshaped:
            done += ", reshaped (Paddle's layout)"
        if row.reason:
            done += f": {row.reason}"
        paddle_key = row.paddle_key if row.action not in ("dropped",) else "-"
        table.add_row(*(Text(printable(cell)) for cell in (row.torch_key, paddle_key or "-", shape, done)))
    if report.keys:
        if not console.is_terminal:  # a log or a pipe: rows are never folded, a key stays greppable
            from rich.measure import Measurement

            natural = Measurement.get(console, console.options.update_width(1_000_000), table).maximum
            console.width = max(console.width, natural)
        console.print(table)
        if report.transposed:
            console.print("transposed: a Linear weight; torch stores it [out, in], Paddle [in, out]", soft_wrap=True,
                          markup=False)
    counts = (f"{report.written} tensors written ({len(report.copied)} copied, {len(report.transposed)} transposed, "
              f"{len(report.renamed)} renamed), {len(report.dropped)} dropped")
    if report.missing:
        counts += f", {len(report.missing)} missing (left at Paddle's initialisation)"
    console.print(counts, soft_wrap=True, markup=False)
    for note in report.notes:
        console.print(f"note: {note}", soft_wrap=True, markup=False)


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
            console.print(f"no mapping for {args.term}", markup=False)
            close = _close_names(tables, args.term)
            if close:
                console.print(f"did you mean: {', '.join(close)}", markup=False, soft_wrap=True)
            return EXIT_FILE_ERRORS
        console.print(text, markup=False)
        return EXIT_OK
    term = args.term if args.action == "search" else None
    if not sys.stdout.isatty():  # piped: one whole entry per line (a table would fold names), tab-separated
        for entry in sorted(tables.entries(), key=lambda e: e.name):
            haystack = f"{entry.name} {entry.target or ''} {' '.join(entry.aliases)}".lower()
            if term and term.lower() not in haystack:
                continue
            target = entry.target or f"unsupported: {entry.unsupported}"
            row = (entry.name, target, Path(entry.table).name, str(len(entry.examples)))
            sys.stdout.write("\t".join(" ".join(str(part).split()) for part in row) + "\n")
        return EXIT_OK
    console.print(list_entries(tables, term))
    return EXIT_OK


def _close_names(tables, term: str, limit: int = 5) -> list[str]:
    """Entries a name given without its module (nn.Conv2d, Conv2d) or misspelt probably means."""
    import difflib

    names = sorted({e.name for e in tables.entries()} | {a for e in tables.entries() for a in e.aliases})
    suffix = "." + term.lstrip(".")
    found = [n for n in names if n.endswith(suffix)]
    found.sort(key=lambda n: (n.count("."), n))
    lowered = {n.lower(): n for n in names}
    found += [lowered[n] for n in difflib.get_close_matches(term.lower(), list(lowered), n=limit, cutoff=0.8)]
    if not found:  # a module-less name: compare the last parts
        last = {n.rsplit(".", 1)[-1].lower(): n for n in names}
        found = [last[n] for n in difflib.get_close_matches(term.rsplit(".", 1)[-1].lower(), list(last),
                                                              n=limit, cutoff=0.85)]
    return list(dict.fromkeys(found))[:limit]
