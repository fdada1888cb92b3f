"""Convert a whole source tree: ``convert_tree(src, out)``.

Every file of SRC lands at the same relative path in OUT: Python files
converted, ``requirements*.txt`` rewritten, everything else copied byte for
byte (mode bits too).  Writes are atomic (temp file + rename).  A file that
cannot be converted is reported with its line, copied unchanged, and the rest
of the tree is still done.  Files are converted in parallel; the report is
ordered by path whatever the number of jobs.
"""

from __future__ import annotations

import fnmatch
import io
import json
import os
import shutil
import stat
import tempfile
import tokenize
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterable, Sequence

from . import requirements
from .convert import SourceError, convert_source
from .report import FileResult, TreeReport
from .tables import Tables, load_tables

MANIFEST_DIR = ".torch2paddle"
CONFIG_NAME = "torch2paddle.yaml"


class TreeError(Exception):
    """SRC/OUT cannot be used as given (missing, nested, not empty without --force)."""


def _check_paths(src: Path, out: Path, force: bool) -> None:
    if not src.exists():
        raise TreeError(f"source {src} does not exist")
    src_real, out_real = src.resolve(), out.resolve()
    if src_real == out_real:
        raise TreeError(f"output {out} is the source itself: converting in place would destroy the original")
    if src.is_dir() and out_real.is_relative_to(src_real):
        raise TreeError(f"output {out} is inside the source {src}: choose a folder outside it")
    if src.is_dir() and src_real.is_relative_to(out_real):
        raise TreeError(f"output {out} contains the source {src}: choose another folder")
    if out.exists() and not out.is_dir():
        raise TreeError(f"output {out} exists and is not a folder")
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


def iter_files(src: Path, exclude: Sequence[str] = ()) -> Iterable[tuple[str, Path]]:
    """(relative posix path, path) for every file under src, sorted, never following links into loops."""
    if src.is_file():
        yield src.name, src
        return
    for root, dirs, files in os.walk(src, followlinks=False):
        root_path = Path(root)
        rel_root = root_path.relative_to(src).as_posix()
        dirs[:] = sorted(
            d for d in dirs if d not in ("__pycache__", MANIFEST_DIR) and not _excluded(_join(rel_root, d), exclude)
        )
        for name in sorted(files):
            rel = _join(rel_root, name)
            if not _excluded(rel, exclude):
                yield rel, root_path / name


def _join(root: str, name: str) -> str:
    return name if root in ("", ".") else f"{root}/{name}"


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if mode is not None:
            os.chmod(tmp, stat.S_IMODE(mode))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding to write it back with (a BOM is kept via utf-8-sig)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding), encoding


# -- per-file work (runs in worker processes) ---------------------------------
_WORKER_TABLES: Tables | None = None


def _init_worker(mapping_files: Sequence[str]) -> None:
    global _WORKER_TABLES
    _WORKER_TABLES = load_tables(mapping_files)


def convert_file(rel: str, src: str, dst: str, tables: Tables | None = None) -> FileResult:
    tables = tables or _WORKER_TABLES
    src_path, dst_path = Path(src), Path(dst)
    try:
        if src_path.is_symlink() and not src_path.exists():
            return FileResult(rel, "skipped", error="broken symbolic link")
        st = src_path.stat()
        data = src_path.read_bytes()
    except OSError as exc:
        return FileResult(rel, "error", error=f"cannot read: {exc.strerror}")
    try:
        if rel.endswith(".py"):
            return _convert_python(rel, data, dst_path, st.st_mode, tables)
        if requirements.is_requirements_file(rel):
            text, encoding = _decode(data)
            new = requirements.rewrite(text)
            atomic_write(dst_path, new.encode(encoding), st.st_mode)
            return FileResult(rel, "converted" if new != text else "unchanged")
        atomic_write(dst_path, data, st.st_mode)
        return FileResult(rel, "copied")
    except OSError as exc:
        return FileResult(rel, "error", error=f"cannot write {dst}: {exc.strerror}")


def _convert_python(rel: str, data: bytes, dst: Path, mode: int, tables: Tables | None) -> FileResult:
    try:
        text, encoding = _decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        atomic_write(dst, data, mode)
        return FileResult(rel, "error", error=f"cannot decode: {exc}")
    try:
        result = convert_source(text, rel, tables)
    except SourceError as exc:
        atomic_write(dst, data, mode)
        where = f"line {exc.line}: " if exc.line else ""
        return FileResult(rel, "error", error=f"{where}{exc}")
    except Exception as exc:  # a converter bug must not take the tree down with it
        atomic_write(dst, data, mode)
        return FileResult(rel, "error", error=f"internal error ({type(exc).__name__}: {exc}); file copied unchanged")
    if not result.changed:
        atomic_write(dst, data, mode)
        return FileResult(rel, "unchanged", result.uses)
    atomic_write(dst, result.code.encode(encoding), mode)
    return FileResult(rel, "converted", result.uses)


def _write_manifest(src: Path, out: Path, report: TreeReport, mapping_files: Sequence[str]) -> None:
    manifest = {
        "source": str(src.resolve()),
        "output": str(out.resolve()),
        "mappings": [str(Path(m).resolve()) for m in mapping_files],
        "config": None,
        "counts": report.counts(),
    }
    config = (src if src.is_dir() else src.parent) / CONFIG_NAME
    if config.is_file():
        manifest["config"] = str(config.resolve())
    atomic_write(out / MANIFEST_DIR / "convert.json", json.dumps(manifest, indent=2).encode())
    atomic_write(out / MANIFEST_DIR / "report.json", json.dumps(report.to_dict(), indent=2).encode())


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
) -> TreeReport:
    """Convert SRC (a file or folder) into OUT; see the module docstring.

    ``on_start(total)`` and ``on_file(result)`` let a caller show progress.
    Raises ``TreeError`` when SRC/OUT cannot be used; per-file problems are in
    the report instead.
    """
    src_path, out_path = Path(src), Path(out)
    _check_paths(src_path, out_path, force)
    mapping_files = [str(m) for m in mappings]
    tables = load_tables(mapping_files)  # fail early on a bad user table, before any write
    files = list(iter_files(src_path, exclude))
    report = TreeReport(str(src_path), str(out_path))
    if on_start:
        on_start(len(files))
    out_path.mkdir(parents=True, exist_ok=True)
    tasks = [(rel, str(path), str(out_path / rel)) for rel, path in files]
    jobs = max(1, jobs or os.cpu_count() or 1)
    results: list[FileResult] = []
    if jobs == 1 or len(tasks) < 8:
        for rel, s, d in tasks:
            res = convert_file(rel, s, d, tables)
            results.append(res)
            if on_file:
                on_file(res)
    else:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(mapping_files,)) as pool:
            chunk = max(1, min(32, len(tasks) // (jobs * 8) or 1))
            for res in pool.map(convert_file, *zip(*tasks), chunksize=chunk):
                results.append(res)
                if on_file:
                    on_file(res)
    report.files = sorted(results, key=lambda r: r.path)
    _write_manifest(src_path, out_path, report, mapping_files)
    return report
