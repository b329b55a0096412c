"""One writer at a time in a folder: an advisory lock, waited for (up to a bound) by a second
run, which then fails with one clear line instead of interleaving its writes with the first's.
The operating system drops the lock when its holder exits, however it exits, so a crashed run
never leaves the folder locked.

On POSIX systems the lock is on the folder itself (``flock`` on its descriptor), so nothing is
added to a folder that is served as it is. Where the file system refuses that (some network
and FUSE mounts), and on Windows, a small file in the folder (``.feedkit.lock``) is locked
instead; a POSIX record lock there excludes other processes, not other threads of this one.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from feedkit.errors import OutputError

LOCK_NAME = ".feedkit.lock"  # where the folder itself cannot be locked
DEFAULT_WAIT = 60.0  # seconds: long enough for another run's build or send to finish
_POLL = 0.05


@contextmanager
def folder_lock(folder: Path, *, wait: float = DEFAULT_WAIT, what: str = "run") -> Iterator[None]:
    """Hold ``folder``'s lock (creating the folder if needed), waiting up to ``wait`` seconds
    for another holder; ``OutputError`` when it does not let go in time, or when the folder
    cannot be locked at all."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, on_file = (_open_lock_file(folder), True) if sys.platform == "win32" else \
            (os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)), False)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create: {exc.strerror or exc}") from exc
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            try:
                if _try_lock(fd, on_file):
                    break
            except OSError as exc:  # no locks on this folder: try a lock file, once
                if on_file:
                    raise OutputError(
                        f"{folder}: cannot be locked ({exc.strerror or exc}), so two runs "
                        "could write it at once; write the output to a local folder and copy "
                        "it from there") from exc
                lock_file = _open_lock_file(folder)  # (if this fails, finally closes fd)
                os.close(fd)
                fd, on_file = lock_file, True
                continue
            if time.monotonic() >= deadline:
                raise OutputError(
                    f"{folder}: another feedkit {what} is writing here and did not finish in "
                    f"{wait:g} s; try again when it has (or wait longer with --wait SECONDS)")
            time.sleep(_POLL)
        yield
    finally:
        os.close(fd)  # releases the lock


def _open_lock_file(folder: Path) -> int:
    try:
        return os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"{folder / LOCK_NAME}: cannot create: {exc.strerror or exc}") from exc


def _try_lock(fd: int, on_file: bool) -> bool:
    """Take the lock if it is free: True, or False when another holds it. ``OSError`` when
    this kind of lock is not to be had here."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        if on_file:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True
