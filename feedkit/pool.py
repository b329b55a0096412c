"""Run one function over chunks of many jobs, in this process or in worker processes; the
results are the same either way, in the order of the jobs.

A ``Pool`` is made by the caller (a job) and handed to the stages that can use it; nothing
here knows what the jobs are. Worker processes are forked only from a process with a single
thread: forking a process that runs other threads (``feedkit serve``, a terminal spinner, a host
program) can copy a lock another thread held, so such processes start workers from a fork
server instead.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import multiprocessing.context

J = TypeVar("J")
R = TypeVar("R")


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Pool:
    """``workers`` processes at most (None: one per core; 1: everything here). ``preload``
    names the modules a fork server imports once for all its workers.

    >>> Pool(workers=1).map_chunks(lambda chunk: [x * 2 for x in chunk], [1, 2, 3],
    ...                            threshold=1, size=2)
    [[2, 4], [6]]
    """

    def __init__(self, workers: int | None = None, *, preload: Sequence[str] = ()) -> None:
        self.workers = max(1, cpu_count() if workers is None else workers)
        self.preload = tuple(preload)

    def size_for(self, jobs: int, threshold: int) -> int:
        """How many processes ``jobs`` jobs are worth: one (this one) below ``threshold``."""
        return self.workers if self.workers >= 2 and jobs >= threshold else 1

    def map_chunks(self, work: Callable[[list[J]], R], jobs: Sequence[J], *, threshold: int,
                   size: int) -> list[R]:
        """``work`` over consecutive chunks of ``size`` jobs: here when there are fewer than
        ``threshold`` jobs (a pool costs more than it saves), else across the workers."""
        return list(self.iter_chunks(work, jobs, threshold=threshold, size=size))

    def iter_chunks(self, work: Callable[[list[J]], R], jobs: Sequence[J], *, threshold: int,
                    size: int) -> Iterator[R]:
        """``map_chunks`` yielding each chunk's result as it arrives (in order), so a caller
        can unpack one chunk at a time."""
        chunks = [list(jobs[i:i + size]) for i in range(0, len(jobs), max(1, size))]
        count = self.size_for(len(jobs), threshold)
        if count == 1:
            yield from (work(chunk) for chunk in chunks)
            return
        from concurrent.futures import ProcessPoolExecutor  # deferred: most runs need no pool

        pool = ProcessPoolExecutor(max_workers=count, mp_context=_context(self.preload),
                                   initializer=_die_with_parent)
        try:
            yield from pool.map(work, chunks)
        except BaseException:  # a failure, Ctrl-C, or a caller that stops reading: stop now
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)


def _die_with_parent() -> None:
    """Each worker asks to be sent SIGTERM when its parent dies, however it dies (SIGKILL
    included): it would otherwise block for ever writing a result no one reads, and keep the
    terminal's output open (Linux; a no-op elsewhere)."""
    if sys.platform != "linux":
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return


def _context(preload: Sequence[str]) -> multiprocessing.context.BaseContext:
    import multiprocessing

    # Windows has no fork, and macOS's system libraries are not safe to fork (Python spawns there)
    if sys.platform in ("win32", "darwin") or \
            "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")  # the fastest start, safe with one thread
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))  # imported once, in the server
    return context
