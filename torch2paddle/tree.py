"""Convert a whole source tree: ``convert_tree(src, out)``.

Every file of SRC lands at the same relative path in OUT: Python files
converted, ``requirements*.txt`` rewritten, everything else (and every Python
file the converter leaves as it is) copied byte for byte, mode bits too.
Writes are atomic (temp file + rename), so an interrupted run leaves only
complete files behind.  A file that cannot be converted (syntax error, bad
encoding, too deeply nested, too large, unreadable, a converter bug or even a
converter crash) is reported with its line where there is one, copied
unchanged where it can be read, and the rest of the tree is still done.
Links to folders are not followed (reported as skipped), so link loops
cannot hang the walk.  Files are converted by ``jobs`` processes; the report
is ordered by path and is the same whatever the number of jobs.
"""

from __future__ import annotations

import ast
import errno
import fnmatch
import io
import json
import multiprocessing
import os
import shutil
import signal
import stat
import sys
import tempfile
import tokenize
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

from . import ignore as ignores
from . import requirements
from .convert import SourceError, convert_source, default_tables, torch_roots_of
from .project import ModuleFacts, own_top_level_names, runtime_home, scan_project
from .runtime import LAYER_FACTORIES
from .runtime import module_source as runtime_module_source
from .report import FileResult, TreeReport
from .signals import die_with_parent
from .tables import Tables, load_tables

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: runs cannot prove another run dead, so never sweep
    fcntl = None  # type: ignore[assignment]

MANIFEST_DIR = ".torch2paddle"
RUNTIME_MODULE_FILE = "_torch2paddle_runtime.py"
CONFIG_NAME = "torch2paddle.yaml"
# libcst needs several hundred bytes of memory per byte of source: a 1 MB file of dense code costs
# about 800 MB and minutes.  Larger Python files that use torch are reported and copied unchanged.
MAX_SOURCE_BYTES = 1_000_000
_CHUNK_BYTES = 64 * 1024  # small files travel to the workers in chunks of about this many bytes


@dataclass(frozen=True)
class FileOptions:
    """How each file is converted (sent along to the worker processes)."""

    max_bytes: int = MAX_SOURCE_BYTES  # a larger file that uses torch is copied unchanged and reported
    torch_init: bool = False  # write torch's default initialisation on layers (convert --torch-init)
    temp_dir: str | None = None  # this run's folder for temp files (see _RunFolder)
    own_roots: frozenset[str] = frozenset()  # top-level names SRC defines itself: never torch's (a vendored torchvision)
    preview: bool = False  # only files the conversion changes are written (convert --diff/--check, into a temp OUT)


class TreeError(Exception):
    """SRC/OUT cannot be used as given (missing, nested, not empty without --force)."""


def _check_paths(src: Path, out: Path, force: bool) -> None:
    if not src.exists():
        kind = "is a broken symbolic link" if src.is_symlink() else "does not exist"
        raise TreeError(f"source {src} {kind}")
    if not os.access(src, os.R_OK) or (src.is_dir() and not os.access(src, os.X_OK)):
        raise TreeError(f"source {src} cannot be read (permission denied)")
    src_real, out_real = src.resolve(), out.resolve()
    if src_real == out_real:
        raise TreeError(f"output {out} is the source itself: converting in place would destroy the original")
    if src.is_dir() and out_real.is_relative_to(src_real):
        raise TreeError(f"output {out} is inside the source {src}: choose a folder outside it")
    if src.is_dir() and src_real.is_relative_to(out_real):
        raise TreeError(f"output {out} contains the source {src}: choose another folder")
    if src.is_file() and (out_real / src.name).resolve() == src_real:
        raise TreeError(f"output {out / src.name} is the source file itself: choose another folder")
    if out.exists() and not out.is_dir():
        raise TreeError(f"output {out} exists and is not a folder")
    if out.is_symlink() and not out.exists():
        raise TreeError(f"output {out} is a broken symbolic link")
    if src.is_dir() and out.is_dir() and any(out.iterdir()) and not force:
        raise TreeError(f"output {out} is not empty: pass --force to write into it")
    if src.is_file() and (out / src.name).exists() and not force:
        raise TreeError(f"{out / src.name} exists: pass --force to overwrite it")


def _excluded(rel: str, patterns: Sequence[str]) -> bool:
    parts = rel.split("/")
    for pattern in patterns:
        if fnmatch.fnmatch(rel, pattern) or any(fnmatch.fnmatch(p, pattern) for p in parts):
            return True
    return False


def _join(root: str, name: str) -> str:
    return name if root in ("", ".") else f"{root}/{name}"


@dataclass
class _Walk:
    files: list[tuple[str, Path]]  # (relative posix path, path to read), sorted
    problems: list[FileResult]  # unreadable folders, links not followed (folders, outside SRC, broken)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (relative path, "/" for folders; why)


def _file_link(rel: str, path: Path, src_real: str) -> Path | FileResult:
    """A link to a file is read only where its target stays inside SRC: the path to read, or why not."""
    target = os.readlink(path)
    try:
        os.stat(path)
    except OSError as exc:
        reason = "symbolic link loop" if exc.errno == errno.ELOOP else "broken symbolic link"
        return FileResult(rel, "skipped", error=f"{reason} ({target})")
    real = os.path.realpath(path)
    if os.path.commonpath([real, src_real]) != src_real:
        # a repository can ship `notes.txt -> ~/.ssh/id_rsa`: never opened, so it cannot leak into OUT
        return FileResult(rel, "skipped", error=f"symbolic link to {target}, outside the source: not read")
    return Path(real)


def _walk(src: Path, exclude: Sequence[str], ignore: bool = False) -> _Walk:
    """Every file of SRC to convert.  With ``ignore``, what ignore.py describes is left out (VCS folders,
    virtual environments, build output, .gitignore patterns) and listed in ``ignored``."""
    walk = _Walk([], [])
    if not src.is_dir():
        walk.files.append((src.name, src))  # named by the user: read wherever it points
        return walk
    src_real = os.path.realpath(src)
    rules: dict[str, list[ignores.Rule]] = {}  # per folder (relative to SRC): the ignore rules that apply there

    def unreadable(exc: OSError) -> None:
        try:
            rel = Path(exc.filename).relative_to(src).as_posix()
        except (TypeError, ValueError):
            rel = str(exc.filename or ".")
        walk.problems.append(FileResult(rel + "/", "error", error=f"cannot read folder: {_oserror(exc)}"))

    for root, dirs, files in os.walk(src, onerror=unreadable, followlinks=False):
        root_path = Path(root)
        rel_root = root_path.relative_to(src).as_posix()
        if rel_root == ".":
            rel_root = ""
        here: list[ignores.Rule] = []
        if ignore:  # a folder's rules: its parent's, then its own .gitignore (the later pattern wins)
            parent = rel_root.rpartition("/")[0] if rel_root else None
            here = rules.get(parent, []) if parent is not None else []
            here = here + ignores.rules_for_folder(root, rel_root, top=not rel_root)
            rules[rel_root] = here
        kept = []
        for d in sorted(dirs):
            rel = _join(rel_root, d)
            if d in ("__pycache__", MANIFEST_DIR) or _excluded(rel, exclude):
                continue
            is_link = (root_path / d).is_symlink()
            if ignore:
                why = ignores.DEFAULT_DIRS.get(d) if is_link else ignores.default_reason(str(root_path / d), d)
                rule = None if why else ignores.ignored_by(here, rel, not is_link)
                if why or rule:
                    walk.ignored.append((rel + "/", why or f"{rule.source}: {rule.pattern}"))
                    continue
            if is_link:  # never followed: no loops, nothing converted twice
                target = os.readlink(root_path / d)
                walk.problems.append(
                    FileResult(rel + "/", "skipped", error=f"symbolic link to a folder ({target}), not followed")
                )
                continue
            kept.append(d)
        dirs[:] = kept
        for name in sorted(files):
            rel = _join(rel_root, name)
            if _excluded(rel, exclude):
                continue
            rule = ignores.ignored_by(here, rel, False) if here else None
            if rule is not None:
                walk.ignored.append((rel, f"{rule.source}: {rule.pattern}"))
                continue
            path = root_path / name
            if path.is_symlink():
                found = _file_link(rel, path, src_real)
                if isinstance(found, FileResult):
                    walk.problems.append(found)
                    continue
                path = found
            walk.files.append((rel, path))
    return walk


def iter_files(src: Path, exclude: Sequence[str] = (), ignore: bool = False) -> Iterable[tuple[str, Path]]:
    """(relative posix path, path) for every file under src, sorted; links to folders are not followed.
    With ``ignore``, what convert ignores by default is left out (see ignore.py)."""
    yield from _walk(Path(src), exclude, ignore).files


# -- writing ------------------------------------------------------------------
_TEMP_PREFIX = ".t2p-"  # temp names have a fixed length: a legal 255-byte file name still fits


def _default_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _atomic(path: Path, fill, mode: int | None, temp_dir: str | None = None) -> None:
    """Write path through a temp file renamed into place: never a half-written file.

    The temp file lives in ``temp_dir`` (a run's own folder under OUT, so that
    a run can remove exactly its own leftovers) or else beside ``path``.
    Without ``mode`` the file gets what the umask allows, like any new file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=temp_dir or path.parent, prefix=_TEMP_PREFIX, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fill(fh)
        os.chmod(tmp, stat.S_IMODE(mode) if mode is not None else _default_mode())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write(path: Path, data: bytes, mode: int | None = None, temp_dir: str | None = None) -> None:
    _atomic(path, lambda fh: fh.write(data), mode, temp_dir)


class SourceReadError(OSError):
    """Reading the source failed while copying it (as opposed to writing OUT)."""


def atomic_copy(src: Path | io.BufferedIOBase, path: Path, mode: int, temp_dir: str | None = None) -> None:
    """Copy src (a path or an open binary file) to path, streamed, atomically, with the given mode bits."""
    def fill(fh) -> None:
        inp = open(src, "rb") if isinstance(src, (str, os.PathLike)) else src
        try:
            while True:
                try:
                    chunk = inp.read(1 << 20)
                except OSError as exc:
                    raise SourceReadError(exc.errno, exc.strerror) from exc
                if not chunk:
                    break
                fh.write(chunk)
        finally:
            if inp is not src:
                inp.close()

    _atomic(path, fill, mode, temp_dir)


class _RunFolder:
    """``OUT/.torch2paddle/tmp/run-*``: this run's temp files, locked while the run (or a worker) lives.

    Every temp file of a run is written here, so an interrupted run removes
    exactly its own, and a later run removes the folders of runs that are
    provably dead (their lock is free) but never a concurrent run's.
    """

    def __init__(self, out: Path):
        self.base = out / MANIFEST_DIR / "tmp"
        self.base.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(dir=self.base, prefix="run-"))
        self._lock = os.open(self.path / "lock", os.O_CREAT | os.O_RDWR | getattr(os, "O_CLOEXEC", 0), 0o600)
        if fcntl is not None:
            fcntl.flock(self._lock, fcntl.LOCK_EX)  # held by forked workers too: the fd is inherited

    def sweep_dead_runs(self) -> None:
        for folder in self.base.glob("run-*"):
            if folder == self.path or not folder.is_dir() or folder.is_symlink():
                continue
            if _run_is_dead(folder):
                shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        os.close(self._lock)
        for folder in (self.base, self.base.parent):
            try:
                folder.rmdir()  # only when empty: another run's folder or the manifest stay
            except OSError:
                break


def _run_is_dead(folder: Path) -> bool:
    if fcntl is None:
        return False  # cannot prove it: leave it
    try:
        fd = os.open(folder / "lock", os.O_RDWR)
    except FileNotFoundError:  # killed between creating the folder and its lock
        try:
            return time.time() - folder.stat().st_mtime > 60
        except OSError:
            return False
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False  # a live run holds it
    finally:
        os.close(fd)


def _links_in_out(out: Path, rels: Iterable[str]) -> str | None:
    """The first folder on the way to an output file that is a symbolic link (writing through it would
    write outside OUT), or None."""
    folders = {MANIFEST_DIR, f"{MANIFEST_DIR}/tmp"}
    for rel in rels:
        parts = rel.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            folders.add("/".join(parts[:i]))
    for folder in sorted(folders):
        if (out / folder).is_symlink():
            return folder
    return None


def _decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding to write it back with (a BOM is kept via utf-8-sig)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding), encoding


def _decode_error(data: bytes, exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        line = data.count(b"\n", 0, exc.start) + 1
        return (f"line {line}: cannot decode as {exc.encoding} (byte {data[exc.start:exc.start + 1]!r}); "
                "declare the file's encoding with a `# -*- coding: ... -*-` line")
    if isinstance(exc, SyntaxError):  # from detect_encoding: unknown encoding or BOM/cookie conflict
        return f"line {exc.lineno or 1}: {exc.msg}" if exc.lineno else str(exc)
    return f"cannot decode: {exc}"


def _oserror(exc: OSError) -> str:
    return exc.strerror or errno.errorcode.get(exc.errno or 0, "") or str(exc)


# -- per-file work (runs in worker processes) ---------------------------------
_WORKER_TABLES: Tables | None = None
_WORKER_MAPPINGS: tuple[str, ...] | None = None
_WORKER_FACTS: dict[str, ModuleFacts] = {}  # the project facts of the run (see project.scan_project)


def _init_worker(mapping_files: Sequence[str], parent_pid: int, facts: dict[str, ModuleFacts] | None = None) -> None:
    global _WORKER_TABLES, _WORKER_MAPPINGS, _WORKER_FACTS
    if facts is not None:  # spawned worker; a forked one inherited the parent's
        _WORKER_FACTS = facts
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    die_with_parent(parent_pid)  # a killed convert must not leave workers writing into OUT
    if _WORKER_TABLES is None or _WORKER_MAPPINGS != tuple(mapping_files):
        _WORKER_TABLES = load_tables(mapping_files)  # spawned worker; a forked one inherited the parent's
        _WORKER_MAPPINGS = tuple(mapping_files)


def convert_file(rel: str, src: str, dst: str, tables: Tables | None = None,
                 options: FileOptions = FileOptions()) -> FileResult:
    """Convert or copy one file of the tree; never raises for a problem of this file."""
    try:
        return _convert_file(rel, Path(src), Path(dst), tables or _WORKER_TABLES, options)
    except (KeyboardInterrupt, SystemExit):
        raise
    except OSError as exc:
        return FileResult(rel, "error", error=f"cannot write {dst}: {_oserror(exc)}")
    except BaseException as exc:  # a bug (or MemoryError) must not take the rest of the tree down
        return FileResult(rel, "error", error=f"internal error ({type(exc).__name__}: {exc})")


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _convert_file(rel: str, src: Path, dst: Path, tables: Tables | None, options: FileOptions) -> FileResult:
    # Opened without following a link (the walk already resolved the links it allows) and without
    # blocking (a FIFO is reported, not waited on); the checks below look at what was opened.
    try:
        fd = os.open(src, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP and os.path.islink(src):
            return FileResult(rel, "skipped", error=f"symbolic link ({os.readlink(src)}) replaced the file "
                                                    "during the run: not read")
        return FileResult(rel, "error", error=f"cannot read: {_oserror(exc)}")
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            return FileResult(rel, "skipped", error="not a regular file")
        is_python = rel.endswith(".py")
        is_notebook = rel.endswith(".ipynb")
        if not is_python and not is_notebook and not requirements.is_requirements_file(rel):
            if options.preview:  # a copy changes nothing
                return FileResult(rel, "copied")
            try:
                atomic_copy(fh, dst, st.st_mode, options.temp_dir)
            except SourceReadError as exc:
                return FileResult(rel, "error", error=f"cannot read: {_oserror(exc)}")
            return FileResult(rel, "copied")
        try:
            data = fh.read()
        except OSError as exc:
            return FileResult(rel, "error", error=f"cannot read: {_oserror(exc)}")
    if is_python:
        return _convert_python(rel, data, dst, st.st_mode, tables, options)
    if is_notebook:
        return _convert_notebook(rel, data, dst, st.st_mode, tables, options)
    try:
        text, encoding = _decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        if not options.preview:
            atomic_write(dst, data, st.st_mode, options.temp_dir)
        return FileResult(rel, "error", error=_decode_error(data, exc) + "; copied unchanged")
    new = requirements.rewrite(text)
    if new == text:
        if not options.preview:
            atomic_write(dst, data, st.st_mode, options.temp_dir)
        return FileResult(rel, "unchanged")
    atomic_write(dst, new.encode(encoding), st.st_mode, options.temp_dir)
    return FileResult(rel, "converted")


def _convert_python(rel: str, data: bytes, dst: Path, mode: int, tables: Tables | None,
                    options: FileOptions) -> FileResult:
    def keep(error: str) -> FileResult:
        if not options.preview:
            atomic_write(dst, data, mode, options.temp_dir)
        return FileResult(rel, "error", error=f"{error}; copied unchanged")

    try:
        text, encoding = _decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return keep(_decode_error(data, exc))
    max_bytes = options.max_bytes
    if len(data) > max_bytes and any(root in text for root in torch_roots_of(tables or default_tables())):
        return keep(f"too large to convert ({len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:g} MB, "
                    "raise it with --max-file-mb)")
    try:
        result = convert_source(text, rel, tables, torch_init=options.torch_init, project=_WORKER_FACTS.get(rel),
                                own_roots=options.own_roots)
    except SourceError as exc:
        return keep(f"line {exc.line}: {exc}" if exc.line else str(exc))
    except MemoryError:
        return keep("out of memory while converting")
    except Exception as exc:  # a converter bug must not take the tree down with it
        return keep(f"internal error ({type(exc).__name__}: {exc})")
    if not result.changed:
        if not options.preview:
            atomic_write(dst, data, mode, options.temp_dir)
        return FileResult(rel, "unchanged", result.uses, torch_at_import=result.torch_at_import)
    problem = _does_not_parse(result.code, rel)
    if problem:  # a converter bug: never write code that does not parse
        return keep(f"internal error: the converted code does not parse ({problem})")
    try:
        encoded = result.code.encode(encoding)
    except UnicodeEncodeError as exc:
        return keep(f"the converted code cannot be written as {encoding}: {exc.reason}")
    atomic_write(dst, encoded, mode, options.temp_dir)
    return FileResult(rel, "converted", result.uses, torch_at_import=result.torch_at_import,
                      runtime_apis=result.runtime_apis, value_layers=result.value_layers)


def _convert_notebook(rel: str, data: bytes, dst: Path, mode: int, tables: Tables | None,
                      options: FileOptions) -> FileResult:
    """A Jupyter notebook, cell by cell (notebook.py); one that cannot be converted is copied unchanged."""
    from .notebook import NotebookError, convert_notebook

    def keep(status: str, error: str | None = None, uses=()) -> FileResult:
        if not options.preview:
            atomic_write(dst, data, mode, options.temp_dir)
        return FileResult(rel, status, list(uses), error=f"{error}; copied unchanged" if error else None)

    try:
        result = convert_notebook(data, rel, tables or default_tables(), torch_init=options.torch_init,
                                  own_roots=options.own_roots, max_code_bytes=options.max_bytes)
    except NotebookError as exc:
        return keep("error", str(exc))
    except MemoryError:
        return keep("error", "out of memory while converting")
    except Exception as exc:  # a converter bug must not take the tree down with it
        return keep("error", f"internal error ({type(exc).__name__}: {exc})")
    if not result.changed:
        unchanged = keep("unchanged", uses=result.uses)
        unchanged.torch_at_import = result.torch_at_import
        return unchanged
    atomic_write(dst, result.data, mode, options.temp_dir)
    converted = FileResult(rel, "converted", result.uses, torch_at_import=result.torch_at_import,
                           runtime_apis=result.runtime_apis)
    if result.value_layers and hasattr(converted, "value_layers"):
        converted.value_layers = result.value_layers
    return converted


def _does_not_parse(code: str, filename: str) -> str | None:
    try:
        compile(code, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _convert_chunk(tasks: Sequence[tuple[str, str, str]], options: FileOptions) -> list[FileResult]:
    return [convert_file(rel, src, dst, options=options) for rel, src, dst in tasks]


def _isolated_child(conn, task: tuple[str, str, str], mapping_files: Sequence[str], options: FileOptions,
                    parent_pid: int) -> None:
    _init_worker(mapping_files, parent_pid, None)
    conn.send(convert_file(*task, options=options))
    conn.close()


# -- scheduling ---------------------------------------------------------------
def _chunks(tasks: list[tuple[str, str, str]], sizes: list[int], jobs: int) -> list[list[tuple[str, str, str]]]:
    """Largest files first (so no worker is left with a big one at the end); small files grouped."""
    order = sorted(range(len(tasks)), key=lambda i: (-sizes[i], tasks[i][0]))
    total = sum(sizes)
    limit = max(1, min(_CHUNK_BYTES, total // (jobs * 8) if jobs else total))
    chunks: list[list[tuple[str, str, str]]] = []
    current: list[tuple[str, str, str]] = []
    weight = 0
    for i in order:
        current.append(tasks[i])
        weight += sizes[i]
        if weight >= limit or len(current) >= 64:
            chunks.append(current)
            current, weight = [], 0
    if current:
        chunks.append(current)
    return chunks


def _forks() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def _mp_context():
    methods = multiprocessing.get_all_start_methods()
    # fork: workers inherit the loaded tables and imported modules, and start in milliseconds
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else None)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel what has not started, terminate the workers (a worker left running would go on
    writing after the caller removed its temp folder: a preview's folder came back after an interrupt)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+ (it shuts the pool down too)
    if terminate is not None:
        terminate()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.terminate()
        except (OSError, AttributeError):
            pass
    for process in processes:
        process.join(timeout=5)


def _run_parallel(chunks, jobs, mapping_files, options, emit) -> list[tuple[str, str, str]]:
    """Run the chunks in a process pool; returns the tasks of chunks lost to a crashed worker."""
    lost: list[tuple[str, str, str]] = []
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(chunks)), mp_context=_mp_context(),
                               initializer=_init_worker,
                               initargs=(list(mapping_files), os.getpid(), None if _forks() else _WORKER_FACTS))
    try:
        with warnings.catch_warnings():
            # 3.12+ warns about fork in a process with threads (the pool's own); the workers only convert
            warnings.simplefilter("ignore", DeprecationWarning)
            futures: dict[Future, list] = {pool.submit(_convert_chunk, chunk, options): chunk for chunk in chunks}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    results = future.result()
                except BrokenProcessPool:
                    lost.extend(futures[future])
                    continue
                for result in results:
                    emit(result)
    except BaseException:
        _stop(pool)  # the run's temp folder (and what a stopped worker left in it) is removed by the caller
        raise
    pool.shutdown(wait=True)
    return lost


def _run_isolated(tasks, mapping_files, options, emit) -> None:
    """After a worker crashed: each remaining file in a process of its own, so a crash names its file."""
    ctx = _mp_context()
    for task in tasks:
        receive, send = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_isolated_child, args=(send, task, list(mapping_files), options, os.getpid()))
        try:
            process.start()
            send.close()
            try:
                result = receive.recv()
            except EOFError:
                result = None
            process.join()
        except BaseException:
            process.terminate()
            process.join(timeout=5)
            raise
        if result is None:
            code = process.exitcode
            how = f"killed by signal {-code}" if code and code < 0 else f"exit status {code}"
            if code == -signal.SIGKILL:
                how += ", perhaps out of memory"
            result = FileResult(task[0], "error", error=f"the converter crashed on this file ({how}); not written")
            try:
                if not options.preview:
                    atomic_copy(Path(task[1]), Path(task[2]), os.stat(task[1]).st_mode, options.temp_dir)
                result.error = result.error.replace("not written", "copied unchanged")
            except OSError:
                pass
        emit(result)


# -- the run-time keyword adapter -----------------------------------------------
def _write_runtime_modules(out: Path, tables: Tables, results: list[FileResult], options: FileOptions,
                           packages: set[str] | None) -> None:
    """Write ``_torch2paddle_runtime.py`` where converted files import it from, holding the entries they use."""
    wanted: dict[str, set[str]] = {}
    values: dict[str, set[str]] = {}  # per home: torch layer classes its files use as values
    for result in results:
        home = runtime_home(result.path, packages)[0] if packages is not None else RUNTIME_MODULE_FILE
        if result.path.endswith(".ipynb"):  # a notebook imports it from its own folder (Jupyter's working dir)
            home = _join(result.path.rpartition("/")[0], RUNTIME_MODULE_FILE)
        if result.runtime_apis:
            wanted.setdefault(home, set()).update(result.runtime_apis)
        values.setdefault(home, set()).update(getattr(result, "value_layers", ()))
    for home, names in wanted.items():
        if LAYER_FACTORIES in names:  # a layer factory may get any of them, from whichever module
            names |= values.get(home, set())
    by_name = {e.name: e for e in tables.entries()}
    for home, names in sorted(wanted.items()):
        text = runtime_module_source([by_name[n] for n in names if n in by_name])
        try:
            atomic_write(out / home, text.encode(), temp_dir=options.temp_dir)
            results.append(FileResult(home, "converted"))
        except OSError as exc:
            results.append(FileResult(home, "error", error=f"cannot write the run-time keyword adapter: "
                                                          f"{_oserror(exc)}"))


# -- the manifest ---------------------------------------------------------------
_WRITTEN = ("converted", "unchanged", "copied")


def _wrote(result: FileResult) -> bool:
    """Whether this run put the file into OUT (a file it could not convert is copied unchanged)."""
    return result.status in _WRITTEN or (result.status == "error" and (result.error or "").endswith("copied unchanged"))


def _write_manifest(src: Path, out: Path, report: TreeReport, mapping_files: Sequence[str],
                    options: FileOptions, written: Iterable[str] = ()) -> None:
    manifest = {
        "source": str(src.resolve()),
        "output": str(out.resolve()),
        "mappings": [str(Path(m).resolve()) for m in mapping_files],
        "torch_init": options.torch_init,
        "config": None,
        "counts": report.counts(),
        # the files in OUT that convert wrote (this run, or an earlier one whose source has gone since):
        # what `--force` lists as having no source any more and what `--prune` may remove
        "written": sorted(written),
    }
    config = (src if src.is_dir() else src.parent) / CONFIG_NAME
    if config.is_file():
        manifest["config"] = str(config.resolve())
    atomic_write(out / MANIFEST_DIR / "convert.json", json.dumps(manifest, indent=2).encode(),
                 temp_dir=options.temp_dir)
    # compact: json's C encoder (indent= falls back to the pure-Python one, several times slower)
    atomic_write(out / MANIFEST_DIR / "report.json", json.dumps(report.to_dict(), separators=(",", ":")).encode(),
                 temp_dir=options.temp_dir)


_MAX_MANIFEST_BYTES = 256 * 1024 * 1024


def _read_json(path: Path):
    """A JSON file of OUT's manifest folder, read without following a link; None when it cannot be."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        try:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return None
            return json.loads(fh.read(_MAX_MANIFEST_BYTES))
        except (OSError, ValueError, RecursionError):
            return None


def _plain_rel(rel: object) -> bool:
    """A relative path inside OUT (the manifest is read back, so it is checked like any input)."""
    if not isinstance(rel, str) or not rel or rel.startswith("/") or "\\" in rel or "\0" in rel:
        return False
    parts = rel.split("/")
    return all(p not in ("", ".", "..") for p in parts) and parts[0] != MANIFEST_DIR


def _previous_outputs(out: Path) -> set[str]:
    """The files an earlier run says it wrote into OUT: convert.json's list, else (a run of an earlier version)
    the files report.json names as written."""
    folder = out / MANIFEST_DIR
    if folder.is_symlink() or not folder.is_dir():
        return set()
    manifest = _read_json(folder / "convert.json")
    if isinstance(manifest, dict) and isinstance(manifest.get("written"), list):
        names = manifest["written"]
    else:
        report = _read_json(folder / "report.json")
        files = report.get("files") if isinstance(report, dict) else None
        names = [f.get("path") for f in files if isinstance(f, dict) and f.get("status") in _WRITTEN] \
            if isinstance(files, list) else []
    return {n for n in names if _plain_rel(n)}


def _prune(out: Path, stale: Sequence[str], notes: list[str]) -> list[str]:
    """Remove the stale files (each one an earlier run wrote); never a folder, never through a link."""
    removed = []
    for rel in stale:
        path = out / rel
        link = _links_in_out(out, [rel])
        try:
            if link is not None:
                notes.append(f"not pruned {rel}: {link} is a symbolic link")
                continue
            if stat.S_ISDIR(os.lstat(path).st_mode):
                notes.append(f"not pruned {rel}: now a folder")
                continue
            os.unlink(path)  # a link is removed itself, never its target
        except OSError as exc:
            notes.append(f"not pruned {rel}: {_oserror(exc)}")
            continue
        removed.append(rel)
        parent = path.parent
        while parent != out:  # folders the removal left empty go too
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
    return removed


def convert_tree(
    src: str | os.PathLike,
    out: str | os.PathLike,
    *,
    exclude: Sequence[str] = (),
    force: bool = False,
    jobs: int | None = None,
    mappings: Sequence[str] = (),
    on_file: Callable[[FileResult], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    max_file_bytes: int = MAX_SOURCE_BYTES,
    torch_init: bool = False,
    ignore: bool = True,
    prune: bool = False,
    preview: bool = False,
) -> TreeReport:
    """Convert SRC (a file or folder) into OUT; see the module docstring.

    ``on_start(total)`` and ``on_file(result)`` let a caller show progress.
    Raises ``TreeError`` when SRC/OUT cannot be used; per-file problems are in
    the report instead.  On KeyboardInterrupt the workers are stopped, no
    partial file is left in OUT, and the interrupt is re-raised.

    ``ignore``: leave out VCS folders, virtual environments, build output and
    what SRC's .gitignore files name (ignore.py); they are listed in
    ``report.ignored``.  Files an earlier run wrote into OUT whose source is gone
    are listed in ``report.stale``; ``prune`` removes them (only those).
    ``preview``: only the files the conversion changes are written (see
    ``preview_tree``).
    """
    src_path, out_path = Path(src), Path(out)
    _check_paths(src_path, out_path, force)
    mapping_files = [str(m) for m in mappings]
    tables = load_tables(mapping_files)  # fail early on a bad user table, before any write
    walk = _walk(src_path, exclude, ignore)
    link = _links_in_out(out_path, (rel for rel, _ in walk.files)) if out_path.is_dir() else None
    if link is not None:
        raise TreeError(f"{out_path / link} is a symbolic link to {os.readlink(out_path / link)}: torch2paddle "
                        "never writes through a link in OUT (it could send output outside OUT); remove it")
    previous = _previous_outputs(out_path) if out_path.is_dir() and not preview else set()
    try:
        out_path.mkdir(parents=True, exist_ok=True)
        run = _RunFolder(out_path)
    except OSError as exc:
        raise TreeError(f"cannot create the output folder {out}: {_oserror(exc)}") from None
    try:
        run.sweep_dead_runs()  # temp files of earlier runs that were killed hard
        return _convert_into(src_path, out_path, walk, tables, mapping_files, jobs, on_file, on_start,
                             FileOptions(max_file_bytes, torch_init, str(run.path), preview=preview),
                             previous, prune)
    finally:
        run.close()


def _convert_into(src_path: Path, out_path: Path, walk: _Walk, tables: Tables, mapping_files: list[str],
                  jobs: int | None, on_file, on_start, options: FileOptions, previous: set[str] = frozenset(),
                  prune: bool = False) -> TreeReport:
    global _WORKER_TABLES, _WORKER_MAPPINGS, _WORKER_FACTS
    report = TreeReport(str(src_path), str(out_path))
    report.ignored = list(walk.ignored)
    packages: set[str] | None = None  # folders with an __init__.py ("" for SRC); None: SRC is one file
    if src_path.is_dir():  # names crossing modules: read the whole project once, before any file
        package = src_path.resolve().name if (src_path / "__init__.py").is_file() else None
        own = own_top_level_names(walk.files, package) & torch_roots_of(tables)
        options = replace(options, own_roots=frozenset(own))
        _WORKER_FACTS = scan_project(walk.files, torch_roots_of(tables) - own, package, options.max_bytes,
                                     frozenset(tables.modules))
        packages = {rel.rpartition("/")[0] for rel, _ in walk.files if rel.rpartition("/")[2] == "__init__.py"}
        for rel, _ in walk.files:
            if rel.endswith(".py") and rel.rpartition("/")[0] in packages:
                _WORKER_FACTS[rel] = replace(_WORKER_FACTS.get(rel, ModuleFacts()),
                                             runtime_import=runtime_home(rel, packages)[1])
    else:
        _WORKER_FACTS = {}
    if on_start:
        on_start(len(walk.files))
    try:  # a manifest from an earlier run would describe a tree this run may not finish
        (out_path / MANIFEST_DIR / "convert.json").unlink()
    except OSError:
        pass
    tasks = [(rel, str(path), str(out_path / rel)) for rel, path in walk.files]
    jobs = max(1, jobs or os.cpu_count() or 1)
    results: list[FileResult] = list(walk.problems)

    def emit(result: FileResult) -> None:
        results.append(result)
        if on_file:
            on_file(result)

    if jobs == 1 or len(tasks) < 4:  # a pool costs more than it saves on a handful of files
        for rel, s, d in tasks:
            emit(convert_file(rel, s, d, tables, options))
    else:
        sizes = []
        for _, s, _ in tasks:
            try:
                sizes.append(os.stat(s).st_size)
            except OSError:
                sizes.append(0)
        _WORKER_TABLES, _WORKER_MAPPINGS = tables, tuple(mapping_files)  # inherited by forked workers
        lost = _run_parallel(_chunks(tasks, sizes, jobs), jobs, mapping_files, options, emit)
        if lost:
            report.notes.append(f"a worker process crashed; {len(lost)} files were redone one process each")
            _run_isolated(sorted(lost), mapping_files, options, emit)
    _write_runtime_modules(out_path, tables, results, options, packages)
    report.files = sorted(results, key=lambda r: r.path)
    written = {r.path for r in report.files if _wrote(r)}
    if src_path.is_dir():  # what an earlier run wrote and this one did not produce has no source any more
        produced = {r.path for r in report.files}
        stale = sorted(p for p in previous - produced if os.path.lexists(out_path / p))
        pruned = _prune(out_path, stale, report.notes) if prune else []
        report.pruned = pruned
        report.stale = [p for p in stale if p not in set(pruned)]
        written |= set(report.stale)
    else:  # one file converted into a folder: the others there stay recorded
        written |= {p for p in previous if os.path.lexists(out_path / p)}
    try:
        _write_manifest(src_path, out_path, report, mapping_files, options, written)
    except OSError as exc:
        report.files.append(FileResult(f"{MANIFEST_DIR}/convert.json", "error",
                                       error=f"cannot write the manifest: {_oserror(exc)}"))
    return report


# -- one file to one file ---------------------------------------------------------
def convert_file_to(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    *,
    force: bool = False,
    mappings: Sequence[str] = (),
    max_file_bytes: int = MAX_SOURCE_BYTES,
    torch_init: bool = False,
) -> TreeReport:
    """Convert the file SRC into the file DST (``convert model.py model_paddle.py``).

    Written atomically like a tree's files; an existing DST needs ``force``.  When
    the converted code needs the run-time keyword adapter, ``_torch2paddle_runtime.py``
    is written beside DST (an existing one with other content needs ``force``).  No
    manifest is written: ``verify`` works on folders.
    """
    global _WORKER_FACTS
    src_path, dst_path = Path(src), Path(dst)
    if not src_path.exists():
        kind = "is a broken symbolic link" if src_path.is_symlink() else "does not exist"
        raise TreeError(f"source {src_path} {kind}")
    if src_path.is_dir():
        raise TreeError(f"source {src_path} is a folder: the output must be a folder too")
    if not os.access(src_path, os.R_OK):
        raise TreeError(f"source {src_path} cannot be read (permission denied)")
    if dst_path.is_dir():
        raise TreeError(f"output {dst_path} is a folder")
    if os.path.lexists(dst_path):
        if dst_path.exists() and dst_path.resolve() == src_path.resolve():
            raise TreeError(f"output {dst_path} is the source file itself: converting in place would destroy "
                            "the original")
        if not force:
            raise TreeError(f"{dst_path} exists: pass --force to overwrite it")
    if dst_path.parent.exists() and not dst_path.parent.is_dir():
        raise TreeError(f"{dst_path.parent} exists and is not a folder")
    tables = load_tables([str(m) for m in mappings])
    try:
        dst_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TreeError(f"cannot create the folder {dst_path.parent}: {_oserror(exc)}") from None
    _WORKER_FACTS = {}
    options = FileOptions(max_file_bytes, torch_init)
    result = convert_file(src_path.name, str(src_path), str(dst_path), tables, options)
    result.path = src_path.name
    report = TreeReport(str(src_path), str(dst_path), files=[result])
    if result.runtime_apis:
        by_name = {e.name: e for e in tables.entries()}
        text = runtime_module_source([by_name[n] for n in sorted(result.runtime_apis) if n in by_name]).encode()
        home = dst_path.parent / RUNTIME_MODULE_FILE
        rel = str(home)
        try:
            if os.path.lexists(home) and not force and (home.is_symlink() or home.read_bytes() != text):
                report.files.append(FileResult(rel, "error", error="exists with other entries: pass --force to "
                                               "overwrite it (the converted file imports it)"))
            else:
                atomic_write(home, text)
                report.files.append(FileResult(rel, "converted"))
        except OSError as exc:
            report.files.append(FileResult(rel, "error", error=f"cannot write the run-time keyword adapter: "
                                                             f"{_oserror(exc)}"))
    return report


# -- preview: what a conversion would change, nothing written --------------------------
@dataclass
class Change:
    """A file the conversion changes: its path relative to SRC, the bytes before (None: a new file) and after."""

    path: str
    before: bytes | None
    after: bytes


def preview_tree(src: str | os.PathLike, **options) -> tuple[TreeReport, list[Change]]:
    """What ``convert_tree(src, OUT)`` would change, with nothing written to SRC or any OUT.

    The changed files are converted into a temporary folder (only those: copies
    and unchanged files are not written) that is removed before returning.
    ``options`` are convert_tree's (exclude, jobs, mappings, ignore ...).
    """
    src_path = Path(src)
    base = Path(tempfile.gettempdir())
    if src_path.exists() and base.resolve().is_relative_to(src_path.resolve()):
        raise TreeError(f"the temporary folder {base} is inside the source {src_path}: set TMPDIR to a folder "
                        "outside it")
    with tempfile.TemporaryDirectory(prefix="torch2paddle-preview-") as tmp:
        out = Path(tmp) / "out"
        report = convert_tree(src_path, out, preview=True, **options)
        src_real = os.path.realpath(src_path if src_path.is_dir() else src_path.parent)
        changes = []
        for result in report.files:
            if result.status != "converted":
                continue
            try:
                after = (out / result.path).read_bytes()
            except OSError:
                continue
            if src_path.is_dir():
                before = _read_inside(src_path / result.path, src_real)
            elif result.path == src_path.name:  # the file the user named: read wherever it points
                before = src_path.read_bytes()
            else:  # the run-time keyword adapter beside it
                before = _read_inside(src_path.parent / result.path, src_real)
            if before != after:
                changes.append(Change(result.path, before, after))
    for result in report.files:  # nothing was copied: say what a real run would do
        if result.error and result.error.endswith("copied unchanged"):
            result.error = result.error[:-len("copied unchanged")] + "would be copied unchanged"
    report.output = ""
    return report, changes


def _read_inside(path: Path, root_real: str) -> bytes | None:
    """The bytes of a regular file whose real path is inside root_real, else None."""
    real = os.path.realpath(path)
    if os.path.commonpath([real, root_real]) != root_real:
        return None
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return None
        return fh.read()
