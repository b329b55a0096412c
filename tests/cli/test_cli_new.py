"""``feedkit new``: one article file in the site's schema, a safe name for any title, and never
a file overwritten."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from feedkit import jobs
from feedkit.cli import cli

SiteFactory = Callable[..., Path]
NOW = datetime(2025, 3, 1, 9, 30, 15, tzinfo=UTC)
A = "---\ntitle: A\npublish_date: '2025-01-01'\n---\nBody.\n"
B = "---\ntitle: B\npublishedOn: 2025-01-01\n---\nBody.\n"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No FEEDKIT_* variable of the machine running the tests, a pinned clock, an empty cwd."""
    for name in list(os.environ):
        if name.startswith("FEEDKIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setattr(jobs, "utc_now", lambda: NOW)
    empty = tmp_path / "cwd"
    empty.mkdir()
    monkeypatch.chdir(empty)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def meta_of(path: Path) -> dict[str, object]:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


@pytest.fixture
def site(make_site_dir: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_site_dir({})
    monkeypatch.chdir(root)
    return root


def test_new_prints_the_path_of_an_article_that_checks(site: Path) -> None:
    result = run("new", "Winter mooring fees")
    assert result.exit_code == 0, result.output
    assert result.stdout == "content/winter-mooring-fees.md\n"
    assert result.stderr == ("note: fill in description, heroImage and cta, write the body, "
                             "then run feedkit check\n")
    meta = meta_of(site / "content/winter-mooring-fees.md")
    assert meta == {"title": "Winter mooring fees", "description": "",
                    "publish_date": "2025-03-01T09:30:15+00:00", "heroImage": "",
                    "heroImageAlt": "", "cta": "", "tags": []}
    check = run("check", "--format", "json")
    assert check.exit_code == 0, check.output
    report = json.loads(check.stdout)
    assert report["summary"]["published"] == 1


def test_new_never_overwrites_a_file(site: Path) -> None:
    mine = site / "content/hello.md"
    mine.write_text(A, encoding="utf-8")
    first = run("new", "Hello")
    second = run("new", "Hello!")
    assert (first.stdout, second.stdout) == ("content/hello-2.md\n", "content/hello-3.md\n")
    assert mine.read_text(encoding="utf-8") == A
    assert run("check").exit_code == 0


def test_new_skips_a_slug_another_file_takes(site: Path) -> None:
    (site / "content/2024").mkdir()
    (site / "content/2024/2024-01-01-hello.md").write_text(A, encoding="utf-8")
    assert run("new", "Hello").stdout == "content/hello-2.md\n"


@pytest.mark.parametrize(("title", "name"), [
    ("🎉🚀 Launch day 🎉", "launch-day.md"),
    ("🎉🎉🎉", "untitled.md"),
    ("\u200fمرحبا بالعالم\u200f", "مرحبا-بالعالم.md"),
    ("../../etc/passwd", "etc-passwd.md"),
    ("..\\..\\boot.ini", "boot-ini.md"),
    ("?!…—–.,;:'\"()", "untitled.md"),
    ("word " * 60, ("word-" * 16)[:79] + ".md"),
    ("NUL", "nul-article.md"),
])
def test_odd_titles_make_safe_file_names_in_the_content_folder(site: Path, title: str,
                                                               name: str) -> None:
    result = run("new", title)
    assert result.exit_code == 0, result.output
    path = site / result.stdout.strip()
    assert path == site / "content" / name
    assert path.is_file()
    assert meta_of(path)["title"] == " ".join(title.split())
    assert sorted(p.name for p in site.iterdir()) == ["content", "feedkit.toml"]


def test_schema_follows_most_existing_articles(make_site_dir: SiteFactory) -> None:
    root = make_site_dir({"a.md": A, "b.md": B, "c.md": B})
    config = str(root / "feedkit.toml")
    made = root / run("new", "X", "--config", config).stdout.strip()
    assert set(meta_of(made)) == {"title", "description", "publishedOn", "mainImage",
                                  "altTextMainImage", "cta", "tags", "draft", "archived"}
    forced = root / run("new", "Y", "--config", config, "--schema", "publish_date").stdout.strip()
    assert "publish_date" in meta_of(forced)


def test_draft_and_date(site: Path) -> None:
    result = run("new", "Later", "--draft", "--date", "February 5, 2025")
    assert result.exit_code == 0, result.output
    meta = meta_of(site / "content/later.md")
    assert (meta["publish_date"], meta["draft"]) == ("2025-02-05", True)
    assert "draft" in run("check").stdout


def test_date_is_in_the_site_timezone(make_site_dir: SiteFactory) -> None:
    root = make_site_dir({"b.md": B}, toml='[site]\nurl = "https://news.example.org"\n'
                                          'timezone = "Europe/Lisbon"\n')
    config = str(root / "feedkit.toml")
    made = root / run("new", "Summer", "--config", config, "--date", "2025-07-01T10:00").stdout \
        .strip()
    assert "publishedOn: 2025-07-01 10:00:00+01:00\n" in made.read_text(encoding="utf-8")
    now = root / run("new", "Now", "--config", config).stdout.strip()
    assert "publishedOn: 2025-03-01 09:30:15+00:00\n" in now.read_text(encoding="utf-8")


def test_content_flag_and_a_missing_folder(site: Path) -> None:
    result = run("new", "Elsewhere", "--content", "drafts/2025")
    assert result.exit_code == 0, result.output
    assert result.stdout == "drafts/2025/elsewhere.md\n"
    assert (site / "drafts/2025/elsewhere.md").is_file()


def test_bad_date_is_a_usage_error(site: Path) -> None:
    result = run("new", "X", "--date", "2025-13-01")
    assert result.exit_code == 2
    assert result.stderr.startswith("feedkit: error: --date: '2025-13-01' is not a date")
    assert list((site / "content").iterdir()) == []


def test_empty_title_is_a_usage_error(site: Path) -> None:
    result = run("new", " \n ")
    assert result.exit_code == 2
    assert result.stderr == ('feedkit: error: the title is empty (write it like feedkit new '
                             '"Your title")\n')


def test_new_outside_a_site_says_what_is_missing() -> None:
    result = run("new", "X")
    assert result.exit_code == 1
    assert result.stderr.startswith("feedkit: error: no feedkit.toml in ")
    assert "run feedkit in your site's folder" in result.stderr and "feedkit init" in result.stderr
    assert result.stderr.count("\n") == 1
