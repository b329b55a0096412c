"""One writer at a time in a folder: an advisory lock, waited for (up to a bound) by a second
run, which then fails with one clear line instead of interleaving its writes with the first's.
The operating system drops the lock when its holder exits, however it exits, so a crashed run
never leaves the folder locked.

On POSIX systems the lock is on the folder itself (``flock`` on its descriptor), so nothing is
added to a folder that is served as it is; Windows locks a small file in it instead.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from feedkit.errors import OutputError

LOCK_NAME = ".feedkit.lock"  # Windows only
DEFAULT_WAIT = 60.0  # seconds: long enough for another run's build or send to finish
_POLL = 0.05


@contextmanager
def folder_lock(folder: Path, *, wait: float = DEFAULT_WAIT, what: str = "run") -> Iterator[None]:
    """Hold ``folder``'s lock (creating the folder if needed), waiting up to ``wait`` seconds
    for another holder; ``OutputError`` when it does not let go in time."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if sys.platform == "win32":
            fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        else:
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create: {exc.strerror or exc}") from exc
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise OutputError(
                    f"{folder}: another feedkit {what} is writing here and did not finish in "
                    f"{wait:g} s; try again when it has (or wait longer with --wait SECONDS)")
            time.sleep(_POLL)
        yield
    finally:
        os.close(fd)  # releases the lock


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
