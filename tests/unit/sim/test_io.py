"""sim.io: a full disk is one DiskFullError naming the file; the run-dir lock."""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import pytest

from sim.io import LOCK_NAME, DirLockedError, DiskFullError, atomic_write, locked_dir


@pytest.mark.parametrize("error", [
    OSError(errno.ENOSPC, "No space left on device"),
    OSError(errno.EDQUOT, "Disk quota exceeded"),
    OSError("Error writing bytes to file. Detail: [errno 28] No space left on device"),
])
def test_a_full_disk_names_the_file_and_leaves_no_temp_file(tmp_path, error):
    def write(path):
        path.write_text("partial")
        raise error

    target = tmp_path / "out" / "events.parquet"
    with pytest.raises(DiskFullError) as info:
        atomic_write(target, write)
    assert info.value.strerror == f"no space left on the device writing {target}"
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(target)
    assert list((tmp_path / "out").iterdir()) == []


def test_other_os_errors_pass_unchanged(tmp_path):
    def write(path):
        raise PermissionError(errno.EACCES, "Permission denied")

    with pytest.raises(PermissionError):
        atomic_write(tmp_path / "x.json", write)


def test_the_lock_is_exclusive_between_processes_and_reentrant_within_one(tmp_path):
    probe = ("import sys; from sim.io import locked_dir, DirLockedError\n"
             "try:\n    with locked_dir(sys.argv[1]): print('got it')\n"
             "except DirLockedError as ex: print(ex)")
    with locked_dir(tmp_path / "run") as folder:
        with locked_dir(tmp_path / "run"):   # the same process again: fine
            pass
        assert (folder / LOCK_NAME).read_text() == f"{os.getpid()}\n"
        other = subprocess.run([sys.executable, "-c", probe, str(folder)],
                               capture_output=True, text=True, timeout=60)
        assert other.stdout.strip() == (
            f"{folder} is being written by another fleetsim run (pid {os.getpid()}); wait for "
            "it to finish or choose another hydra.run.dir")
    other = subprocess.run([sys.executable, "-c", probe, str(folder)],
                           capture_output=True, text=True, timeout=60)
    assert other.stdout.strip() == "got it"
    assert issubclass(DirLockedError, RuntimeError)
