"""Write results to disk atomically: a file is complete or absent, a run's folder holds one whole run or none.

A file is written under a temporary name beside it and renamed into place (:func:`write_atomic`). A run's
folder is written as a temporary sibling folder and renamed into place (:func:`published`), under a lock
(:func:`locked`: ``fcntl.flock`` on a hidden ``.NAME.lock`` file beside it) that refuses a second process
writing the same folder. A folder that already holds files is refused unless ``force`` replaces it whole.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

RESULTS = Path("results")  # where a run's folder goes when no --out is given


class OutputError(Exception):
    """An output that cannot be written: another process writes it, it holds another run, or the disk is full."""


def slug(name: str, fallback: str = "run") -> str:
    """A safe folder name for a title: ASCII letters, digits, ``.``, ``_`` and ``-``, at most 80 characters."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-._")[:80].rstrip("-._") or fallback


def default_out(name: str) -> Path:
    """``results/<slug of name>``: never outside the results folder, whatever the name."""
    return RESULTS / slug(name)


_held: set[Path] = set()  # locks this process holds (a second flock on a new descriptor would refuse itself)


@contextmanager
def locked(out: str | Path) -> Iterator[None]:
    """Hold the lock of output ``out`` while this lasts; :class:`OutputError` if another process holds it.

    Re-entrant within a process. The lock file stays: removing it could let two processes lock two files.
    """
    out = Path(out).absolute()
    lock = out.parent / f".{out.name}.lock"
    if lock in _held:
        yield
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"{out}: another orgsim process is writing there (it holds {lock}); wait for it to "
                              "finish or choose another --out") from None
        _held.add(lock)
        try:
            yield
        finally:
            _held.discard(lock)
    finally:
        os.close(fd)


def refuse_taken(out: str | Path, force: bool = False) -> None:
    """:class:`OutputError` if ``out`` exists and is not an empty folder, unless ``force``."""
    out = Path(out)
    if force or not (out.exists() or out.is_symlink()):
        return
    if out.is_dir() and not out.is_symlink() and not any(out.iterdir()):
        return
    raise OutputError(f"{out}: already holds files (another run's); choose another --out, or add --force to "
                      "replace it whole")


@contextmanager
def published(out: str | Path, force: bool = False) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``out``; on success it becomes ``out`` in one rename.

    ``out`` is locked meanwhile, and refused if it holds files unless ``force`` (then it is replaced
    whole). On any error the temporary folder is removed and ``out`` is as it was; a full disk is an
    :class:`OutputError` naming the file and the space the run needed at least.
    """
    out = Path(out)
    with locked(out):
        refuse_taken(out, force)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
        try:
            try:
                yield tmp
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    written, name = _size(tmp), Path(exc.filename or tmp / "?")
                    shutil.rmtree(tmp, ignore_errors=True)
                    shown = out / name.relative_to(tmp) if name.is_relative_to(tmp) else name
                    raise OutputError(disk_full(shown, written)) from None
                raise
            os.chmod(tmp, 0o755)  # mkdtemp's folder is private
            _replace(tmp, out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _replace(tmp: Path, out: Path) -> None:
    """Rename ``tmp`` to ``out``, moving a folder or file already there aside first and then removing it."""
    if not (out.exists() or out.is_symlink()):
        os.rename(tmp, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    try:
        os.rename(out, old if out.is_dir() and not out.is_symlink() else old / out.name)
        os.rename(tmp, out)
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _size(folder: Path) -> int:
    """Bytes of the files under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _megabytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def disk_full(path: Path, written: int) -> str:
    """One line for a full disk: the file, the free space, and the least the run needs."""
    free = shutil.disk_usage(next(p for p in path.parents if p.exists())).free
    return (f"{path}: no space left on device; the run needs more than {_megabytes(written)} free there (what it "
            f"had written when the disk filled, now removed; {_megabytes(free)} are free)")


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename.

    An error that does not name its file (a full disk while writing) is raised naming ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".part{path.suffix}", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        if exc.filename is None and exc.errno is not None:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_atomic(path: str | Path, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result into place atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    """Write text atomically."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(path: str | Path, data: dict) -> Path:
    """Write JSON atomically (NaN written as null)."""
    clean = json.loads(json.dumps(data, default=float).replace("NaN", "null"))
    return write_text(path, json.dumps(clean, indent=2) + "\n")


def write_table(path: str | Path, frame: pd.DataFrame) -> Path:
    """Write a DataFrame as CSV or Parquet (by suffix), atomically."""
    path = Path(path)
    if path.suffix == ".parquet":
        return write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False))
