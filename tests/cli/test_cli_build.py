"""`feedkit build`: files written, summary printed, exit codes, nothing written on failure."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from feedkit.cli import cli

ARTICLE = """---
title: Hello
publish_date: 2025-02-05
tags: [news]
---
Body with a [relative link](other/).
"""


def run(root: Path, *args: str, catch: bool = True):
    runner = CliRunner()
    return runner.invoke(cli, ["build", "--config", str(root / "feedkit.toml"), *args],
                         catch_exceptions=catch)


def test_build_writes_every_feed_and_says_so(make_site_dir) -> None:
    root = make_site_dir({"hello.md": ARTICLE})
    result = run(root, catch=False)
    assert result.exit_code == 0, result.output
    out = root / "public"
    for name in ("feed.xml", "atom.xml", "feed.json", "feed.xsl", "tags/news/feed.xml",
                 "tags/news/atom.xml"):
        assert (out / name).is_file(), name
    assert "1 article published" in result.stdout
    assert "6 files written, 0 unchanged" in result.stdout
    again = run(root, catch=False)
    assert "0 files written, 6 unchanged" in again.stdout
    entry = feedparser.parse((out / "atom.xml").read_bytes()).entries[0]
    assert 'href="https://news.example.org/hello/other/"' in entry.content[0].value


def test_output_and_limit_flags(make_site_dir, tmp_path: Path) -> None:
    second = ARTICLE.replace("Hello", "Second").replace("2025-02-05", "2025-02-06")
    root = make_site_dir({"hello.md": ARTICLE, "second.md": second})
    result = run(root, "--output", str(tmp_path / "out"), "--limit", "1", catch=False)
    assert result.exit_code == 0, result.output
    items = json.loads((tmp_path / "out" / "feed.json").read_text())["items"]
    assert [i["title"] for i in items] == ["Second"]
    assert not (root / "public").exists()


def test_json_report(make_site_dir) -> None:
    root = make_site_dir({"hello.md": ARTICLE, "broken.md": "---\ntitle: [\n---\n"})
    result = run(root, "--format", "json", catch=False)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["published"] == 1 and report["skipped_files"] == 1
    assert report["files"]["feed.xml"] == "written"
    assert report["problems"][0]["path"] == "broken.md"


def test_a_bad_article_is_reported_and_skipped(make_site_dir) -> None:
    root = make_site_dir({"hello.md": ARTICLE, "broken.md": "---\ntitle: x\n---\nno date\n"})
    result = run(root, catch=False)
    assert result.exit_code == 0
    assert "broken.md: error: publish_date: missing" in result.stderr
    assert "1 with errors" in result.stdout


def test_strict_makes_problems_fatal_and_writes_nothing(make_site_dir) -> None:
    root = make_site_dir({"hello.md": ARTICLE, "broken.md": "---\ntitle: x\n---\nno date\n"})
    result = run(root, "--strict")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("feedkit: error: 1 problem(s)")
    assert "broken.md: error: publish_date: missing" in lines[0]  # the problem itself shows
    assert not (root / "public").exists()


def test_missing_site_url_exits_1_with_one_line_and_writes_nothing(make_site_dir) -> None:
    root = make_site_dir({"hello.md": ARTICLE}, toml='[site]\ntitle = "No URL"\n')
    result = run(root)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("feedkit: error: ") and "site.url: missing" in lines[0]
    assert not (root / "public").exists()


@pytest.mark.parametrize("toml, needle", [
    ('[site]\nurl = "ftp://x.org"\n', "site.url: 'ftp://x.org' is not an absolute http(s) URL"),
    ('[site]\nurl = "https://x.org"\ntimezone = "Mars/Base"\n', "'Mars/Base' is not an IANA"),
    ('[site\nurl = 1\n', "not valid TOML"),
    ('[site]\nurl = "https://x.org"\n[feed]\nlimit = "many"\n', "feed.limit: must be a whole"),
])
def test_bad_config_is_one_clear_line(make_site_dir, toml: str, needle: str) -> None:
    root = make_site_dir({"hello.md": ARTICLE}, toml=toml)
    result = run(root)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert needle in result.stderr
    assert not (root / "public").exists()


@pytest.mark.parametrize("args", [["--limit", "-1"], ["--format", "xml"], ["--nope"]])
def test_usage_errors_exit_2(make_site_dir, args: list[str]) -> None:
    root = make_site_dir({"hello.md": ARTICLE})
    assert run(root, *args).exit_code == 2


def test_missing_content_folder_is_an_error(make_site_dir, tmp_path: Path) -> None:
    root = make_site_dir({})
    result = run(root, "--content", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "content folder not found" in result.stderr
