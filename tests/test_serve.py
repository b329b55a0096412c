"""`feedkit serve`: a real server on a free port, fetched with urllib; edits are rebuilt and
served; nothing is written into public/ or the state file; no thread outlives stop()."""

from __future__ import annotations

import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from doctools import clean_env, first_line
from factories import SITE_URL

from feedkit import settings as settings_module
from feedkit.cli import cli
from feedkit.serve import Preview

NOW = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)
ARTICLE = ("---\ntitle: {title}\npublish_date: {date}\ndescription: About it.\n"
           "tags: [Robots]\n---\nBody.\n")


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], \
                response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers["Content-Type"], exc.read().decode("utf-8")


@pytest.fixture
def site_root(make_site_dir: Callable[..., Path]) -> Path:
    return make_site_dir(toml=f'[site]\nurl = "{SITE_URL}"\ntitle = "News & <Views>"\n',
                         articles={
        "launch.md": ARTICLE.format(title="Harbour opens", date="2025-04-28"),
        "old.md": ARTICLE.format(title="Old news", date="2024-01-01"),
        "broken.md": "---\ntitle: x\n---\nno date\n",
    })


@pytest.fixture
def preview(site_root: Path) -> Iterator[Preview]:
    before = set(threading.enumerate())
    server = Preview(lambda: settings_module.load(site_root / "feedkit.toml"), port=0,
                     clock=lambda: NOW)
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert set(threading.enumerate()) <= before
    assert not (site_root / "public").exists()
    assert not (site_root / ".feedkit").exists()


def test_index_lists_the_feeds_the_tag_feeds_and_the_problems(preview: Preview) -> None:
    status, kind, page = fetch(preview.url)
    assert status == 200 and kind.startswith("text/html")
    assert "<h1>News &amp; &lt;Views&gt;</h1>" in page
    for feed in ("feed.xml", "atom.xml", "feed.json", "tags/robots/feed.xml"):
        assert f'href="/{feed}"' in page
    assert "broken.md" in page and "error" in page
    assert 'href="/digest?since=7d"' in page
    assert "EventSource" in page


def test_feeds_are_served_with_types_that_let_the_xsl_show(preview: Preview) -> None:
    status, kind, rss = fetch(preview.url + "feed.xml")
    assert status == 200 and kind.startswith("application/xml")
    assert "Harbour opens" in rss and "<script" not in rss
    assert fetch(preview.url + "feed.json")[1].startswith("application/feed+json")
    assert fetch(preview.url + "feed.xsl")[1].startswith("text/xsl")
    assert fetch(preview.url + "tags/robots/atom.xml")[0] == 200


@pytest.mark.parametrize("path", ["nope.xml", "../feedkit.toml", "%2e%2e/feedkit.toml",
                                  "tags/"])
def test_a_path_outside_the_build_is_not_found(preview: Preview, path: str) -> None:
    status, _, page = fetch(preview.url + path)
    assert status == 404
    assert "[site]" not in page


def test_digest_preview_shows_both_widths_and_the_frame_is_the_digest(preview: Preview) -> None:
    status, _, page = fetch(preview.url + "digest?since=7d")
    assert status == 200
    assert 'style="width:600px"' in page and 'style="width:375px"' in page
    assert 'src="/digest/frame?since=7d"' in page
    status, kind, frame = fetch(preview.url + "digest/frame?since=7d")
    assert status == 200 and kind.startswith("text/html")
    assert "Harbour opens" in frame and "Old news" not in frame
    assert "EventSource" not in frame


def test_two_digest_frames_loaded_at_once_each_show_their_own_articles(
        make_site_dir: Callable[..., Path]) -> None:
    # defect 2: a browser loads the 600 px and 375 px frames at once; with one Markdown parser
    # shared between request threads, summaries of articles without a description got swapped
    from concurrent.futures import ThreadPoolExecutor

    bodies = {f"p{i}.md": (f"---\ntitle: Post {i}\npublish_date: 2025-04-{10 + i}\n---\n"
                           f"# Heading {i}\n\n" + f"* story {i} item\n" * 30
                           + f"\nThe end of story {i}.[^n]\n\n[^n]: note {i}\n")
              for i in range(10)}
    root = make_site_dir(toml=f'[site]\nurl = "{SITE_URL}"\n', articles=bodies)
    server = Preview(lambda: settings_module.load(root / "feedkit.toml"), port=0,
                     clock=lambda: NOW)
    server.start()
    try:
        windows = {"2025-04-10": range(10), "2025-04-15": range(5, 10)}
        requests = [since for since in windows for _ in range(4)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            pages = list(pool.map(lambda since: (since, fetch(
                f"{server.url}digest/frame?since={since}&until=2025-05-01")[2]), requests))
    finally:
        server.stop()
    for since, page in pages:
        shown = {i for i in range(10) if f"Heading {i} story {i} item" in page}
        assert shown == set(windows[since]), since


def test_digest_with_nothing_new_says_so(preview: Preview) -> None:
    status, _, page = fetch(preview.url + "digest?since=2025-04-30")
    assert status == 200
    assert "nothing new" in page and "<iframe" not in page


def test_digest_with_a_bad_spec_is_a_400_with_the_message(preview: Preview) -> None:
    status, _, page = fetch(preview.url + "digest?since=%3Cfortnight%3E")
    assert status == 400
    assert "--since" in page and "&lt;fortnight&gt;" in page and "<fortnight>" not in page


def test_an_edited_article_is_rebuilt_and_served(preview: Preview, site_root: Path) -> None:
    generation = preview.generation
    (site_root / "content" / "launch.md").write_text(
        ARTICLE.format(title="Harbour closes", date="2025-04-28"), encoding="utf-8")
    assert preview.wait_for_generation(generation + 1, timeout=10)
    deadline = time.monotonic() + 10
    while "Harbour closes" not in fetch(preview.url + "feed.xml")[2]:
        assert time.monotonic() < deadline, "the edit was never served"
        time.sleep(0.05)


def test_a_broken_config_is_shown_and_the_last_build_still_served(
        preview: Preview, site_root: Path) -> None:
    toml = site_root / "feedkit.toml"
    good = toml.read_text(encoding="utf-8")
    generation = preview.generation
    toml.write_text("[site\n", encoding="utf-8")
    assert preview.wait_for_generation(generation + 1, timeout=10)
    page = fetch(preview.url)[2]
    assert "rebuild failed" in page and "feedkit.toml" in page
    assert "Harbour opens" in fetch(preview.url + "feed.xml")[2]
    toml.write_text(good.replace("News &", "Views &"), encoding="utf-8")
    deadline = time.monotonic() + 10
    while "<h1>Views &amp;" not in (page := fetch(preview.url)[2]):
        assert time.monotonic() < deadline, "the fixed settings were never served"
        time.sleep(0.05)
    assert "rebuild failed" not in page


def test_events_announce_the_current_build(preview: Preview) -> None:
    with urllib.request.urlopen(preview.url + "events", timeout=10) as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        assert response.readline() == b"event: build\n"
        assert response.readline() == f"data: {preview.generation}\n".encode()
        preview.rebuild()
        assert response.readline() == b"\n"
        assert response.readline() == b"event: build\n"
        assert response.readline() == f"data: {preview.generation}\n".encode()


def test_cli_serve_warns_for_another_host_and_stops_on_ctrl_c(
        site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(self: Preview, timeout: float | None = None) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(Preview, "wait", interrupted)
    before = set(threading.enumerate())
    result = CliRunner().invoke(cli, ["serve", "--config", str(site_root / "feedkit.toml"),
                                      "--port", "0", "--host", "0.0.0.0"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "warning: serving on 0.0.0.0: anyone on your network can read it" in result.stderr
    assert "serving http://0.0.0.0:" in result.stdout and "stopped" in result.stdout
    assert set(threading.enumerate()) <= before
    assert not (site_root / "public").exists()


def test_cli_serve_on_localhost_does_not_warn(site_root: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Preview, "wait", lambda self, timeout=None: True)
    result = CliRunner().invoke(cli, ["serve", "--config", str(site_root / "feedkit.toml"),
                                      "--port", "0"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "serving http://127.0.0.1:" in result.stdout
    assert "warning" not in result.stderr


def _served(preview: Preview, path: str, text: str) -> None:
    deadline = time.monotonic() + 10
    while text not in fetch(preview.url + path)[2]:
        assert time.monotonic() < deadline, f"{text!r} never served at /{path}"
        time.sleep(0.05)


def test_an_edit_saved_during_the_first_build_is_rebuilt(
        site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import feedkit.serve

    original = feedkit.serve.jobs.build
    calls: list[int] = []

    def build_and_edit(*args: object, **kwargs: object) -> object:
        if not calls:  # the edit lands while the first build runs
            (site_root / "content" / "launch.md").write_text(
                ARTICLE.format(title="Edited meanwhile", date="2025-04-28"), encoding="utf-8")
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(feedkit.serve.jobs, "build", build_and_edit)
    preview = Preview(lambda: settings_module.load(site_root / "feedkit.toml"), port=0,
                      clock=lambda: NOW)
    preview.start()
    try:
        assert preview.wait_for_generation(2, timeout=10)
        _served(preview, "feed.xml", "Edited meanwhile")
    finally:
        preview.stop()


def test_an_unexpected_error_in_a_rebuild_is_shown_and_watching_goes_on(
        site_root: Path) -> None:
    loads = [0]

    def load() -> settings_module.Settings:
        loads[0] += 1
        if loads[0] == 2:
            raise RuntimeError("a bug")
        return settings_module.load(site_root / "feedkit.toml")

    preview = Preview(load, port=0, clock=lambda: NOW)
    preview.start()
    try:
        article = site_root / "content" / "launch.md"
        article.write_text(ARTICLE.format(title="First edit", date="2025-04-28"),
                           encoding="utf-8")
        assert preview.wait_for_generation(2, timeout=10)
        assert "internal error" in fetch(preview.url)[2]
        assert "RuntimeError" in (preview.snapshot.error or "")
        article.write_text(ARTICLE.format(title="Second edit", date="2025-04-28"),
                           encoding="utf-8")
        _served(preview, "feed.xml", "Second edit")
        assert "internal error" not in fetch(preview.url)[2]
    finally:
        preview.stop()


def test_moving_the_content_folder_in_the_settings_watches_the_new_one(
        preview: Preview, site_root: Path) -> None:
    moved = site_root / "articles"
    moved.mkdir()
    (moved / "moved.md").write_text(ARTICLE.format(title="Moved in", date="2025-04-29"),
                                    encoding="utf-8")
    toml = site_root / "feedkit.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[content]\ndir = "articles"\n',
                    encoding="utf-8")
    _served(preview, "feed.xml", "Moved in")
    time.sleep(0.6)  # let the watcher settle on the new folder
    (moved / "moved.md").write_text(ARTICLE.format(title="Edited there", date="2025-04-29"),
                                    encoding="utf-8")
    _served(preview, "feed.xml", "Edited there")


def test_digest_preview_leaves_out_what_was_sent_and_never_touches_the_state(
        site_root: Path) -> None:
    from feedkit import jobs
    from feedkit.jobs.digest_job import DigestRequest

    cfg = settings_module.load(site_root / "feedkit.toml")
    sent = jobs.digest(cfg, DigestRequest(since="7d", mark_sent=True), now=NOW)
    assert [a.title for a in sent.articles] == ["Harbour opens"]
    state = cfg.digest.state
    before = state.read_bytes(), state.stat().st_mtime_ns
    preview = Preview(lambda: settings_module.load(site_root / "feedkit.toml"), port=0,
                      clock=lambda: NOW)
    preview.start()
    try:
        page = fetch(preview.url + "digest?since=7d")[2]
        assert "nothing new" in page and "1 in the window already sent" in page
        assert "Old news" in fetch(preview.url + "digest/frame?since=2023-01-01")[2]
    finally:
        preview.stop()
    assert (state.read_bytes(), state.stat().st_mtime_ns) == before


def _can_bind_ipv6_loopback() -> bool:
    import socket

    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _can_bind_ipv6_loopback(), reason="no IPv6 loopback here")
def test_serves_on_the_ipv6_loopback(site_root: Path) -> None:
    preview = Preview(lambda: settings_module.load(site_root / "feedkit.toml"), host="::1",
                      port=0, clock=lambda: NOW)
    preview.start()
    try:
        assert preview.url.startswith("http://[::1]:")
        assert fetch(preview.url)[0] == 200
    finally:
        preview.stop()


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_signal_stops_the_server_and_removes_its_temporary_folder(
        site_root: Path, tmp_path: Path, signame: str) -> None:
    import signal
    import subprocess
    import sys

    temp = tmp_path / "tmp"
    temp.mkdir()
    env = clean_env(TMPDIR=str(temp))
    proc = subprocess.Popen([sys.executable, "-m", "feedkit", "serve", "--port", "0"],
                            cwd=site_root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = first_line(proc)
        assert line.startswith("serving http://127.0.0.1:"), line + proc.stderr.read()
        url = line.split()[1]
        assert fetch(url)[0] == 200
        assert any(temp.iterdir())  # the build lives there while serving
        proc.send_signal(getattr(signal, signame))
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in out
    assert not any(temp.iterdir())
    assert not (site_root / "public").exists()


def test_a_replaced_content_folder_outside_the_site_is_watched_again(tmp_path: Path) -> None:
    import shutil

    site, content = tmp_path / "site", tmp_path / "articles"
    site.mkdir()
    content.mkdir()
    (site / "feedkit.toml").write_text(f'[site]\nurl = "{SITE_URL}"\n[content]\n'
                                       f'dir = "../articles"\n', encoding="utf-8")
    (content / "a.md").write_text(ARTICLE.format(title="Before", date="2025-04-28"),
                                  encoding="utf-8")
    preview = Preview(lambda: settings_module.load(site / "feedkit.toml"), port=0,
                      clock=lambda: NOW)
    preview.start()
    try:
        shutil.rmtree(content)  # as git checkout or a sync tool may do
        content.mkdir()
        (content / "a.md").write_text(ARTICLE.format(title="Restored", date="2025-04-28"),
                                      encoding="utf-8")
        _served(preview, "feed.xml", "Restored")
        time.sleep(0.6)
        (content / "a.md").write_text(ARTICLE.format(title="Edited after", date="2025-04-28"),
                                      encoding="utf-8")
        _served(preview, "feed.xml", "Edited after")
    finally:
        preview.stop()


def test_signals_that_were_ignored_stay_ignored() -> None:
    import signal

    from feedkit.terminal import signals_ignored, stopped_by_signals

    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup leaves it
    interrupt = signal.getsignal(signal.SIGINT)
    try:
        with stopped_by_signals():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_IGN, signal.SIG_DFL)
            with signals_ignored():
                assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGINT) is interrupt
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGHUP, before)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_the_signal_tests_pass_when_the_test_run_starts_with_sigint_ignored() -> None:
    # `pytest &` in a script: SIGINT is ignored from the start (each of these hung 20 s)
    import signal
    import subprocess

    def ignore_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "-k", "signal and not sigint_ignored", __file__],
        preexec_fn=ignore_sigint, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout[-2000:]
    assert " passed" in run.stdout and "deselected" in run.stdout
