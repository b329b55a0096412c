"""Render many article bodies at once, in a process pool on machines with more than one core.

The output is the same as rendering one by one in this process: each worker runs the same
``html.render_body`` on the same text.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from feedkit.html import render_body
from feedkit.model import Article, BodyFormat

PARALLEL_FROM = 64  # fewer bodies than this render faster here than a pool starts
CHUNK = 16


def _render_many(jobs: list[tuple[str, str, str]]) -> list[str | BaseException]:
    results: list[str | BaseException] = []
    for text, fmt, url in jobs:
        try:
            results.append(render_body(text, BodyFormat(fmt), url))
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
    could not be rendered."""
    jobs = [(a.body.read(), a.body.format.value, a.url) for a in articles]
    workers = worker_count() if workers is None else workers
    if workers < 2 or len(jobs) < PARALLEL_FROM:
        return _render_many(jobs)
    chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [html for chunk in pool.map(_render_many, chunks) for html in chunk]
