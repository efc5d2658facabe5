"""Atomic file writes: a temp file in the target folder, then ``os.replace``; and a lock
on the folder a run writes.

An interrupted run never leaves a half-written file under a final name; a full disk
is one :class:`DiskFullError` naming the file; a second run into a locked folder fails
at once with :class:`DirLockedError`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd


def _default_mode() -> int:
    """Mode of a newly created file under the process umask (mkstemp would give 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` then move the temp file onto ``path`` atomically.

    A file that exists keeps its mode; a new one gets the mode a plain ``open()``
    would give it (umask applied). On any error the temp file is removed and
    ``path`` is left untouched.

    Raises:
        DiskFullError: the device is full (or over quota); the message names ``path``.
    """
    path = Path(path)
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else _default_mode()
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        write(Path(tmp))
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as ex:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        full = _disk_full(ex, path) if isinstance(ex, OSError) else None
        if full is not None:
            raise full from None
        raise
    return path


class DiskFullError(OSError):
    """No space (or quota) left on the device for a result file; ``filename`` names it."""


_FULL = (errno.ENOSPC, errno.EDQUOT)


def _disk_full(ex: OSError, path: Path) -> DiskFullError | None:
    """The :class:`DiskFullError` for ``ex`` if it says the disk is full, else None.

    pyarrow's write errors carry the errno in their text only ("[errno 28] ...").
    """
    if isinstance(ex, DiskFullError):
        return ex
    text = str(ex)
    if ex.errno in _FULL or any(f"errno {e}]" in text or os.strerror(e) in text
                                for e in _FULL):
        return DiskFullError(errno.ENOSPC, f"no space left on the device writing {path}",
                             str(path))
    return None


class DirLockedError(RuntimeError):
    """Another process is writing the folder (it holds :data:`LOCK_NAME`'s lock)."""


LOCK_NAME = ".fleetsim.lock"
_HELD: dict[Path, int] = {}   # folders this process has locked -> how many holders


@contextlib.contextmanager
def locked_dir(path: str | Path) -> Iterator[Path]:
    """Hold an exclusive lock on folder ``path`` (created if missing) while writing it.

    The lock is ``flock`` on ``<path>/.fleetsim.lock``, which records the holder's pid; the
    kernel releases it when the process ends, however it ends, so a killed run never
    leaves a stale lock. Re-entrant within one process.

    Raises:
        DirLockedError: another process holds the lock (the message names its pid).
    """
    folder = Path(path).resolve()
    if folder in _HELD:
        _HELD[folder] += 1
        try:
            yield folder
        finally:
            _HELD[folder] -= 1
        return
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise DirLockedError(f"{folder} is being written by another fleetsim run (pid "
                             f"{holder}); wait for it to finish or choose another "
                             "hydra.run.dir") from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    _HELD[folder] = 1
    try:
        yield folder
    finally:
        del _HELD[folder]
        os.close(fd)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` atomically."""
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8", newline="\n"))


def write_json(path: str | Path, data: Any) -> Path:
    """Write ``data`` as indented JSON (non-finite floats become ``null``), atomically."""
    return write_text(path, json.dumps(_jsonable(data), indent=2, sort_keys=False) + "\n")


def write_parquet(path: str | Path, df: pd.DataFrame) -> Path:
    """Write ``df`` as Parquet (pyarrow), atomically."""
    return atomic_write(path, lambda p: df.to_parquet(p, engine="pyarrow", index=False))


def read_kpis(path: str | Path) -> dict[str, float]:
    """Read a ``kpis.json`` back, ``null`` as NaN."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return {k: (math.nan if v is None else v) for k, v in raw.items()}
