"""Parse many files, or render many bodies, at once: in a process pool on machines with more
than one core.

The results are the same as doing the work one by one in this process: each worker runs the
same ``content.load_article`` or ``html.render_body`` on the same input.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from feedkit.model import Article, BodySource, Site
from feedkit.render.bodies import has_unsafe_markup, render_body

if TYPE_CHECKING:
    from feedkit.load.articles import Parsed

J = TypeVar("J")
R = TypeVar("R")
C = TypeVar("C")

PARALLEL_FROM = 64  # fewer bodies than this render faster here than a pool starts
PARSE_PARALLEL_FROM = 1000  # parsing is ~0.3 ms a file: a pool pays off only for many
CHUNK = 16


def _render_many(jobs: list[tuple[BodySource, str]]) -> list[str | BaseException]:
    results: list[str | BaseException] = []
    for body, url in jobs:
        try:
            results.append(render_body(body.read(), body.format, url))
        except Exception as exc:  # one bad body must not lose the others' results
            results.append(RuntimeError(f"{type(exc).__name__}: {exc}"))
    return results


def worker_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def render_bodies(articles: Sequence[Article], *, workers: int | None = None
                  ) -> list[str | BaseException]:
    """The rendered body of each article, in order; an exception in place of a body that
    could not be rendered. Workers read the files themselves."""
    return _in_chunks(_render_many, [(a.body, a.url) for a in articles], workers)


def _pool_size(workers: int | None, jobs: int, threshold: int) -> int:
    """How many processes to use: one (this one) for few jobs or one core."""
    workers = worker_count() if workers is None else workers
    return workers if workers >= 2 and jobs >= threshold else 1


def _pool_map(work: Callable[[list[J]], C], jobs: list[J], *, workers: int,
              size: int) -> Iterator[C]:
    """``work`` over chunks of ``size`` jobs in a pool, results in order, as they come."""
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(work, chunks)


def _in_chunks(work: Callable[[list[J]], list[R]], jobs: list[J], workers: int | None
               ) -> list[R]:
    """``work`` over ``jobs``: here when they are few, else in chunks across a pool."""
    count = _pool_size(workers, len(jobs), PARALLEL_FROM)
    if count == 1:
        return work(jobs)
    return [result for chunk in _pool_map(work, jobs, workers=count, size=CHUNK)
            for result in chunk]


def _check_many(jobs: list[tuple[BodySource, str]]) -> list[tuple[str | None, bool]]:
    results: list[tuple[str | None, bool]] = []
    for body, url in jobs:
        text = body.read()
        failure = None
        try:
            render_body(text, body.format, url)
        except Exception as exc:  # reported as a problem of this article, the rest go on
            failure = f"{type(exc).__name__}: {exc}"
        results.append((failure, has_unsafe_markup(text)))
    return results


def check_bodies(articles: Sequence[Article], *, workers: int | None = None
                 ) -> list[tuple[str | None, bool]]:
    """For each article: (why its body cannot be rendered, or None; whether it holds markup
    the sanitizer removes). Workers read the files themselves, so no body crosses between
    processes and nothing large is held here."""
    return _in_chunks(_check_many, [(a.body, a.url) for a in articles], workers)


def _parse_many(jobs: list[tuple[Path | str, Path, Site, int]]) -> list[Parsed]:
    from feedkit.load.articles import load_article_safely

    return [load_article_safely(file, root=root, site=site, max_file_size=max_size)
            for file, root, site, max_size in jobs]


def _parse_many_packed(jobs: list[tuple[Path | str, Path, Site, int]]) -> bytes:
    # results cross back as marshal bytes of plain tuples: unpickling 10,000 Articles costs
    # the parent ~0.8 s, rebuilding them from tuples ~0.3 s
    from feedkit.load.articles import pack_parsed

    return marshal.dumps([pack_parsed(parsed) for parsed in _parse_many(jobs)])


def parse_files(files: Sequence[Path | str], *, root: Path, site: Site, max_file_size: int,
                workers: int | None = None) -> list[Parsed]:
    """``content.load_article`` for each file, in order."""
    from feedkit.load.articles import unpack_parsed

    jobs = [(file, root, site, max_file_size) for file in files]
    count = _pool_size(workers, len(jobs), PARSE_PARALLEL_FROM)
    if count == 1:
        return _parse_many(jobs)
    results: list[Parsed] = []
    # each chunk is unpacked as it arrives, so only one chunk's tuples exist at a time
    for chunk in _pool_map(_parse_many_packed, jobs, workers=count,
                           size=max(64, len(jobs) // (count * 4))):
        start = len(results)
        results.extend(unpack_parsed(item, files[start + i])
                       for i, item in enumerate(marshal.loads(chunk)))
    return results
