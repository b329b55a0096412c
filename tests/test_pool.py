"""pool.py: work in worker processes gives exactly what the same work here gives, in order; a
process running other threads never forks its workers directly."""

from __future__ import annotations

import threading
from pathlib import Path

from factories import make_site

from feedkit import pool
from feedkit.load import LoadRules, load_articles, read_body
from feedkit.load import folder as loading
from feedkit.pool import Pool
from feedkit.render.bodies import render_bodies


def double(chunk: list[int]) -> list[int]:
    return [x * 2 for x in chunk]


def test_chunks_come_back_in_order_here_and_in_workers() -> None:
    jobs = list(range(100))
    here = Pool(workers=1).map_chunks(double, jobs, threshold=1, size=7)
    there = Pool(workers=2).map_chunks(double, jobs, threshold=1, size=7)
    assert here == there == [double(jobs[i:i + 7]) for i in range(0, 100, 7)]


def test_few_jobs_or_one_worker_run_here() -> None:
    assert Pool(workers=4).size_for(10, threshold=64) == 1
    assert Pool(workers=1).size_for(1000, threshold=64) == 1
    assert Pool(workers=4).size_for(64, threshold=64) == 4


def test_a_process_with_other_threads_starts_workers_from_a_fork_server() -> None:
    import sys

    if sys.platform in ("win32", "darwin"):
        assert pool._context(()).get_start_method() == "spawn"
        return
    assert pool._context(()).get_start_method() == "fork"  # one thread: forking is safe
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert pool._context(()).get_start_method() == "forkserver"
        # and workers started that way give the same results
        assert Pool(workers=2).map_chunks(double, [1, 2, 3], threshold=1, size=1) == \
            [[2], [4], [6]]
    finally:
        stop.set()
        other.join()


def test_parsing_in_a_pool_equals_parsing_here(tmp_path: Path, monkeypatch) -> None:
    for i in range(12):
        (tmp_path / f"p{i}.md").write_text(
            f"---\ntitle: Post {i}\ndate: 2024-01-{i + 1:02d}\ntags: [t{i % 3}]\n"
            f"author: {{name: Ann, email: ann@example.org}}\n---\nBody *{i}*.\n",
            encoding="utf-8")
    (tmp_path / "bad.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    rules = LoadRules(make_site())
    here = load_articles(tmp_path, rules=rules, pool=Pool(workers=1))
    monkeypatch.setattr(loading, "PARALLEL_FROM", 2)
    pooled = load_articles(tmp_path, rules=rules, pool=Pool(workers=2))
    assert pooled == here
    assert render_bodies(pooled.articles, read=read_body) == \
        render_bodies(here.articles, read=read_body)
    # equal authors are one object, however the articles were made
    assert len({id(a.authors[0]) for a in pooled.articles}) == 1
