"""Every fixture of ``tests/fixtures/permalinks/``, written from a generator's documented rules
and source, gives the exact URL that generator publishes: the site is written to a temporary
folder, ``feedkit init --from`` reads its config, a build writes the feeds, and each item's link
is compared. ``_index`` pages are sections, not articles; a URL of null is a file with no page
of its own (left out of every feed)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from click.testing import CliRunner

from feedkit import jobs
from feedkit import settings as cfg
from feedkit.cli import cli
from feedkit.load.permalinks import Place, UrlRules, expand
from feedkit.pool import Pool
from feedkit.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "permalinks"
NOW = datetime(2026, 1, 1, tzinfo=UTC)

# generator settings feedkit has no equivalent of (yet): said here, and in the README's notes
UNSUPPORTED = {
    "slugify.paths_keep_dates = true keeps the date":
        "Zola's paths_keep_dates has no feedkit setting",
    "SLUGIFY_SOURCE = 'basename'": "Pelican's SLUGIFY_SOURCE has no feedkit setting",
}


def cases() -> list[Any]:
    found = []
    for path in sorted(FIXTURES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for number, case in enumerate(data["cases"]):
            marks = [pytest.mark.xfail(reason=why, strict=True)
                     for start, why in UNSUPPORTED.items() if case["name"].startswith(start)]
            found.append(pytest.param(data["generator"], case, marks=marks,
                                      id=f"{data['generator']}-{number}"))
    return found


def settings_for(tmp_path: Path, generator: str, *, permalink: str = "") -> Settings:
    """A site at https://example.org whose articles are in ``tmp_path/content``."""
    overrides: dict[str, object] = {"site.url": "https://example.org",
                                    "content.dir": str(tmp_path / "content"),
                                    "content.generator": generator}
    if permalink:
        overrides["site.permalink"] = permalink
    return cfg.load(None, env={}, cwd=tmp_path, overrides=overrides)


def write_site(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("generator", "case"), cases())
def test_the_fixture_site_builds_feeds_with_the_urls_its_generator_publishes(
        tmp_path: Path, generator: str, case: dict[str, Any]) -> None:
    site = tmp_path / "site"
    write_site(site, case["files"])
    result = CliRunner().invoke(cli, ["init", "--from", str(site), str(site)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    settings = cfg.load(site / "feedkit.toml", env={}, cwd=site)
    assert settings.content.generator == generator
    jobs.build(settings, now=NOW, pool=Pool(workers=1), limit=0, allow_shrink=True)
    feed = feedparser.parse((settings.build.output / "atom.xml").read_bytes())
    assert not feed.bozo
    links = {entry.title: entry.link for entry in feed.entries}
    loaded = jobs.check(settings, now=NOW, pool=Pool(workers=1))
    by_key = {a.key: a for a in loaded.articles}
    checked = 0
    for rel, url in case["urls"].items():
        if Path(rel).stem == "_index":
            continue  # a section's own page: not an article
        key = Path(os.path.relpath(site / rel, settings.content.dir)).as_posix()
        if key.startswith("../"):
            # outside the folder init chose for the feed (a home page, Jekyll's news/_posts:
            # init notes them); the rule itself is tested below
            continue
        checked += 1
        if url is None:
            assert key not in by_key, f"{rel} has no page, so no feed item"
            continue
        assert key in by_key, f"{rel} did not load: {[str(p) for p in loaded.problems]}"
        assert by_key[key].url == url, rel
        assert links[by_key[key].title] == url, rel
    assert checked, "no URL of the case was checked"


def test_jekyll_slugified_categories_and_hugo_slugorcontentbasename() -> None:
    when = datetime(2024, 3, 5, 10, tzinfo=UTC)
    post = Place("_posts/2024-03-05-hello.md", "Hello", when, categories=("Work 2 Progress",))
    assert expand("/:slugified_categories/:title/", UrlRules("jekyll"), post) == \
        "work-2-progress/hello/"
    bundle = Place("posts/My Trip/index.md", "T", when)
    assert expand("/:section/:slugorcontentbasename/", UrlRules("hugo"), bundle) == \
        "posts/my-trip/"


def test_jekyll_categories_come_from_folders_above_posts_then_front_matter() -> None:
    when = datetime(2024, 3, 5, 10, tzinfo=UTC)
    nested = Place("news/_posts/2024-03-05-hello.md", "Hello", when, categories=("Releases",))
    below = Place("_posts/archive/2024-03-06-old-post.md", "Old", when)
    assert expand("date", UrlRules("jekyll"), nested) == "news/releases/2024/03/05/hello.html"
    assert expand("date", UrlRules("jekyll"), below) == "2024/03/05/old-post.html"


def test_a_token_feedkit_cannot_fill_is_an_error_naming_it() -> None:
    place = Place("a.md", "A", datetime(2024, 3, 5, tzinfo=UTC))
    with pytest.raises(ValueError, match=r":flavour"):
        expand("/:year/:flavour/:slug/", UrlRules("hugo"), place)
    with pytest.raises(ValueError, match=r"%Q"):
        expand("{date:%Q}/{slug}.html", UrlRules("pelican"), place)


def test_no_pattern_can_lead_out_of_the_site() -> None:
    place = Place("../../etc/passwd.md", "A", datetime(2024, 3, 5, tzinfo=UTC),
                  slug="../../x")
    for generator in ("jekyll", "hugo", "zola", "eleventy", "astro", "pelican", "feedkit"):
        for pattern in ("/:slug/", "/:path/", "/:sections/:filename/", "{slug}.html"):
            try:
                path = expand(pattern, UrlRules(generator), place)
            except ValueError:
                continue
            assert not path.startswith("/")
            from urllib.parse import urljoin
            assert urljoin("https://example.org/blog/", path).startswith(
                "https://example.org/"), (generator, pattern, path)


def test_two_articles_at_one_url_are_reported(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write_site(content, {
        "2024-03-05-hello.md": "---\ntitle: Hello\ndate: 2024-03-05\n---\nOne.\n",
        "2024-04-01-hello.md": "---\ntitle: Hello again\ndate: 2024-04-01\n---\nTwo.\n"})
    settings = settings_for(tmp_path, "jekyll", permalink="none")
    from feedkit.load import LoadRules, load_articles

    loaded = load_articles(content, rules=LoadRules.of(settings))
    assert {a.url for a in loaded.articles} == {"https://example.org/hello.html"}
    (shared,) = [p for p in loaded.problems if p.field == "url"]
    assert shared.path == Path("2024-04-01-hello.md")
    assert shared.message == ("https://example.org/hello.html is also the URL of "
                              "2024-03-05-hello.md: the site has one page there")


@pytest.mark.parametrize("generator", ["hugo", "zola", "eleventy"])
def test_a_dateless_page_beside_the_posts_is_left_out_with_a_warning(
        tmp_path: Path, generator: str) -> None:
    content = tmp_path / "content"
    write_site(content, {"about.md": "---\ntitle: About\n---\nAbout us.\n",
                         "posts/a.md": "---\ntitle: A\ndate: 2024-03-05\n---\nA.\n"})
    settings = settings_for(tmp_path, generator)
    checked = jobs.check(settings, now=NOW, pool=Pool(workers=1))
    assert [a.key for a in checked.articles] == ["posts/a.md"]
    (page,) = checked.problems
    assert page.path == Path("about.md") and not page.is_error and checked.exit_code == 0
    assert page.message.startswith("none: the site's generator publishes a file without a "
                                   "date as a page")


def test_a_dateless_file_is_still_an_error_where_every_file_is_a_post(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write_site(content, {"about.md": "---\ntitle: About\n---\nAbout us.\n"})
    for generator in ("feedkit", "jekyll", "pelican", "astro"):
        settings = settings_for(tmp_path, generator)
        (problem,) = jobs.check(settings, now=NOW, pool=Pool(workers=1)).problems
        assert problem.is_error and problem.field == "publish_date", generator


@pytest.mark.parametrize(("generator", "permalink", "front_matter", "expected"), [
    # no value can climb out of site.url's path, or read as a scheme
    ("astro", "/blog/:slug/", "slug: ../../evil\n", "https://example.org/site/evil/"),
    ("pelican", "", "slug: a/../../../b\n", "https://example.org/site/b.html"),
    ("hugo", "", "url: ../../x/\n", "https://example.org/site/x/"),
    ("feedkit", "", "path: ../../x/\n", "https://example.org/site/x/"),
    ("jekyll", "/../../:categories/:title/", "categories: ['../..']\n",
     "https://example.org/site/a/"),
    ("astro", "/:slug/", "slug: 'c:notes'\n", "https://example.org/site/c:notes/"),
    ("feedkit", "http:/:slug/", "", "https://example.org/site/http:/a/"),
    # a token's value is never read as a token
    ("pelican", "", "slug: 'my:day'\n", "https://example.org/site/my:day.html"),
    # a name that slugs to nothing is "article"; a blank pattern is the default
    ("zola", "", "slug: '!!!'\n", "https://example.org/site/article/"),
    ("feedkit", "   ", "", "https://example.org/site/a/"),
])
def test_a_url_from_any_pattern_or_value_stays_under_the_site(
        generator: str, permalink: str, front_matter: str, expected: str) -> None:
    from feedkit.load import LoadRules
    from feedkit.load.articles import parse_article
    from feedkit.model import Site

    rules = LoadRules(Site("https://example.org/site/", "T", permalink=permalink),
                      generator=generator)
    parsed = parse_article(f"---\ntitle: T\ndate: 2024-01-02\n{front_matter}---\nx\n",
                           Path("a.md"), rules=rules)
    assert parsed.article is not None and parsed.article.url == expected
    assert not any(p.is_error or p.field in ("url", "path", "permalink")
                   for p in parsed.problems)


def test_same_slug_posts_a_dated_permalink_tells_apart_keep_their_slugs_and_ids(
        tmp_path: Path) -> None:
    from feedkit.load import LoadRules, load_articles

    content = tmp_path / "content"
    write_site(content, {
        "_posts/2024-05-01-hello.md": "---\ntitle: Hello\n---\nNew.\n",
        "_posts/2019-01-01-hello.md": "---\ntitle: Hello, years ago\n---\nOld.\n"})
    settings = settings_for(tmp_path, "jekyll")
    loaded = load_articles(content, rules=LoadRules.of(settings))
    assert sorted((a.url, a.id) for a in loaded.articles) == [
        ("https://example.org/2019/01/01/hello.html", "tag:example.org,2019-01-01:hello"),
        ("https://example.org/2024/05/01/hello.html", "tag:example.org,2024-05-01:hello")]
    assert loaded.problems == ()


def test_a_site_pattern_feedkit_cannot_fill_is_said_once_not_per_article(
        tmp_path: Path) -> None:
    from feedkit.load import LoadRules, load_articles

    write_site(tmp_path / "content", {
        f"2024-03-0{n}-post-{n}.md": f"---\ntitle: Post {n}\n---\nText {n}.\n" for n in (1, 2, 3)})
    settings = settings_for(tmp_path, "jekyll", permalink="/:year/:flavour/:title/")
    loaded = load_articles(settings.content.dir, rules=LoadRules.of(settings))
    (problem,) = loaded.problems
    assert problem.path is None and problem.field == "site.permalink" and not problem.is_error
    assert problem.message == "'/:year/:flavour/:title/' holds :flavour, which feedkit " \
        "cannot fill"
    assert sorted(a.url for a in loaded.articles) == [
        f"https://example.org/post-{n}/" for n in (1, 2, 3)]
