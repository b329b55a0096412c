"""`feedkit serve`: a real server on a free port, fetched with urllib; edits are rebuilt and
served; nothing is written into public/ or the state file; no thread outlives stop()."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import SITE_URL

from feedkit import config as config_module
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
    server = Preview(lambda: config_module.load(site_root / "feedkit.toml"), port=0,
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
