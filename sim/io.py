"""Atomic file writes: a temp file in the target folder, then ``os.replace``.

An interrupted run never leaves a half-written file under a final name.
"""

from __future__ import annotations

import json
import math
import os
import stat
import tempfile
from collections.abc import Callable
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
    """
    path = Path(path)
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else _default_mode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


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
