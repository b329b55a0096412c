"""pool.py: work in worker processes gives exactly what the same work here gives, in order; a
process running other threads never forks its workers directly."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
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


SLOW_PARENT = """
import os, sys, time
sys.path.insert(0, sys.argv[1])
from test_pool import slow_pids
from feedkit.pool import Pool
for chunk in Pool(workers=2).iter_chunks(slow_pids, list(range(200)), threshold=1, size=1):
    print(chunk[0], flush=True)
"""


def slow_pids(chunk: list[int]) -> list[int]:
    import os
    import time

    time.sleep(0.05)
    return [os.getpid()] * len(chunk)


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_do_not_outlive_a_parent_killed_outright() -> None:
    # a build killed with SIGKILL (or SIGTERM, before) left its workers blocked for ever on a
    # result pipe no one reads, holding the terminal's output open
    import os
    import signal
    import subprocess
    import time

    parent = subprocess.Popen([sys.executable, "-c", SLOW_PARENT, str(Path(__file__).parent)],
                              stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    workers = set()
    while len(workers) < 2:
        workers.add(int(parent.stdout.readline()))
    parent.send_signal(signal.SIGKILL)
    parent.wait(10)
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while workers and time.monotonic() < deadline:
        for pid in list(workers):
            try:
                os.kill(pid, 0)  # still there (a zombie is reaped by init at once)
            except ProcessLookupError:
                workers.discard(pid)
        time.sleep(0.05)
    assert workers == set()
