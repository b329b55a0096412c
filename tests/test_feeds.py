"""Feeds rendered from the model: read back by feedparser, valid, stable and safe."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from factories import NOW, SITE_URL, make_article, make_site, rendered
from feedtools import build_site, copy_site, read_outputs
from lxml import etree

from feedkit.model import Article, Author, CallToAction, Image, Site
from feedkit.render.feeds import (
    EPOCH,
    Feed,
    bodies_needed,
    item_html,
    plan_feeds,
    render_atom,
    render_feeds,
    render_json,
    render_rss,
    tag_slug,
)
from feedkit.settings import FeedSettings

ATOM = "{http://www.w3.org/2005/Atom}"
SEED_ORDER = ["003_dddd", "001_bbbb", "000_aaaa", "002_cccc"]


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    root = copy_site("seedlike", tmp_path_factory.mktemp("seeds"))
    report = build_site(root)
    return root, read_outputs(report.output_dir)


def feeds_of(site: Site, articles: Sequence[Article], options: FeedSettings) -> dict[str, bytes]:
    """Every feed file for ``articles``, rendered as a build renders them."""
    plan = plan_feeds(site, articles, options)
    return render_feeds(site, plan, options, bodies=rendered(bodies_needed(plan, options)))


def parse(data: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


# -- the seed quirks, through a real client -------------------------------------------------------


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_seed_feeds_round_trip_through_feedparser(seed_build, name: str) -> None:
    _, files = seed_build
    d = parse(files[name])
    assert [e.link.rstrip("/").rsplit("/", 1)[-1] for e in d.entries] == SEED_ORDER
    first = d.entries[0]
    assert first.title == "The Robot Revolution Has a Security Problem"
    assert first.id == "tag:news.example.org,2025-04-07:003_dddd"
    assert first.published_parsed[:3] == (2025, 4, 7)
    if name == "atom.xml":  # seed 003's updatedOn is before publishedOn: ignored
        assert first.updated_parsed == first.published_parsed
    html = first.content[0].value
    assert "<h2>The Robot Revolution and Its Security Challenge</h2>" in html
    assert "```" not in html and "<code>" not in html  # fenced html is HTML, not a code block
    assert re.match(r'<p><img [^>]*src="https://cdn.example.com/main/robot-revolution.png"', html)
    assert first.media_content[0]["url"] == "https://cdn.example.com/main/robot-revolution.png"
    assert first.summary.startswith("Robots achieve more")
    mojibake = d.entries[2].content[0].value
    assert "follow – or a cautionary tale –" in mojibake and "â€" not in mojibake
    cta = d.entries[2].content[0].value.rsplit("<p>", 1)[-1]
    assert "Follow us on LinkedIn" in cta and "<a " not in cta  # a CTA with no link stays text


def test_rss_items_carry_rfc822_dates_guid_and_creator(seed_build) -> None:
    _, files = seed_build
    root = etree.fromstring(files["feed.xml"])
    item = root.find("channel/item")
    assert item.findtext("pubDate") == "Mon, 07 Apr 2025 00:00:00 +0000"
    guid = item.find("guid")
    assert guid.text == "tag:news.example.org,2025-04-07:003_dddd"
    assert guid.get("isPermaLink") == "false"
    creators = root.findall(".//{http://purl.org/dc/elements/1.1/}creator")
    assert {c.text for c in creators} == {"Dana Fields"}
    assert root.findtext("channel/lastBuildDate") == "Mon, 07 Apr 2025 00:00:00 +0000"


def test_atom_content_is_type_html_and_feed_updated_is_newest_item(seed_build) -> None:
    _, files = seed_build
    root = etree.fromstring(files["atom.xml"])
    types = {c.get("type") for c in root.iter(f"{ATOM}content")}
    assert types == {"html"}
    assert root.findtext(f"{ATOM}updated") == "2025-04-07T00:00:00+00:00"
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "https://news.example.org/atom.xml"


def test_json_feed_round_trip(seed_build) -> None:
    _, files = seed_build
    doc = json.loads(files["feed.json"])
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["feed_url"] == "https://news.example.org/feed.json"
    items = doc["items"]
    assert [i["url"].rstrip("/").rsplit("/", 1)[-1] for i in items] == SEED_ORDER
    assert items[0]["image"] == "https://cdn.example.com/main/robot-revolution.png"
    assert items[0]["date_published"] == "2025-04-07T00:00:00+00:00"
    assert items[0]["date_modified"] == "2025-04-07T00:00:00+00:00"
    assert items[2]["authors"] == [{"name": "Dana Fields"}]
    assert "–" in items[2]["content_html"] and "â€" not in items[2]["content_html"]


def test_every_feed_lists_the_same_ids_in_the_same_order(seed_build) -> None:
    _, files = seed_build
    ids = [[e.id for e in parse(files[n]).entries] for n in ("feed.xml", "atom.xml")]
    ids.append([item["id"] for item in json.loads(files["feed.json"])["items"]])
    assert ids[0] == ids[1] == ids[2]


def test_xml_declares_every_namespace_it_uses(seed_build) -> None:
    _, files = seed_build
    for name, data in files.items():
        if not name.endswith(".xml"):
            continue
        root = etree.fromstring(data)
        declared = set(root.nsmap.values())
        used = {etree.QName(el).namespace for el in root.iter() if isinstance(el.tag, str)}
        used |= {etree.QName(a).namespace for el in root.iter() for a in el.attrib
                 if isinstance(el.tag, str)}
        assert used - {None, "http://www.w3.org/XML/1998/namespace"} <= declared, name
        assert b'<?xml-stylesheet href="' in data.split(b"\n", 2)[1]


def test_every_link_in_content_is_absolute(seed_build) -> None:
    _, files = seed_build
    contents = [e.content[0].value for n in ("feed.xml", "atom.xml")
                for e in parse(files[n]).entries]
    contents += [i["content_html"] for i in json.loads(files["feed.json"])["items"]]
    for html in contents:
        for url in re.findall(r'(?:href|src|srcset)="([^"]*)"', html):
            assert url.startswith(("https://", "http://", "mailto:")), url


# -- stability ------------------------------------------------------------------------------------


def test_two_builds_are_byte_identical_and_the_second_writes_nothing(tmp_path: Path) -> None:
    root = copy_site("seedlike", tmp_path)
    first = build_site(root)
    before = read_outputs(first.output_dir)
    second = build_site(root)
    assert second.written == []
    assert read_outputs(second.output_dir) == before
    other = build_site(copy_site("seedlike", tmp_path / "again"))
    assert read_outputs(other.output_dir) == before


def test_build_time_never_appears_in_output(tmp_path: Path) -> None:
    root = copy_site("seedlike", tmp_path)
    cfg_now = datetime(2031, 7, 9, 13, 37, tzinfo=UTC)
    from feedkit import jobs, settings

    report = jobs.build(settings.load(root / "feedkit.toml", env={}), now=cfg_now)
    for data in read_outputs(report.output_dir).values():
        assert b"2031" not in data


def test_host_timezone_does_not_shift_dates(tmp_path: Path, monkeypatch) -> None:
    import time

    root = copy_site("seedlike", tmp_path)
    expected = read_outputs(build_site(root).output_dir)
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    try:
        again = build_site(copy_site("seedlike", tmp_path / "tz"))
        assert read_outputs(again.output_dir) == expected
    finally:
        monkeypatch.undo()
        time.tzset()


def test_url_ids_are_permalinks_in_rss() -> None:
    site = make_site()
    article = make_article(id=make_article().url)
    feed = Feed("feed.xml", "T", (article,))
    root = etree.fromstring(render_rss(site, feed, FeedSettings(), bodies=rendered([article])))
    assert root.find("channel/item/guid").get("isPermaLink") == "true"


# -- content of items -----------------------------------------------------------------------------


def test_item_html_starts_with_hero_and_ends_with_linked_cta() -> None:
    article = make_article(hero_image=Image("https://img.example.org/h.jpg", 'A "hero"'),
                           cta=CallToAction("Join <us>", "https://example.org/join"))
    html = item_html(article, FeedSettings(), rendered([article]))
    assert html.startswith('<p><img src="https://img.example.org/h.jpg" alt="A &quot;hero&quot;">')
    assert html.endswith('<p><a href="https://example.org/join">Join &lt;us&gt;</a></p>')


def test_summary_mode_leaves_the_body_out() -> None:
    article = make_article(body="SECRET BODY", description="Short.")
    html = item_html(article, FeedSettings(content="summary"), rendered([article]))
    assert "SECRET BODY" not in html and "Short." in html
    feed = Feed("feed.xml", "T", (article,))
    rss = render_rss(make_site(), feed, FeedSettings(content="summary"),
                     bodies=rendered(feed.articles))
    assert b"SECRET BODY" not in rss


def test_control_characters_and_cdata_end_in_titles_keep_xml_valid() -> None:
    article = make_article(title="A ]]> B & C <= D")
    feed = Feed("feed.xml", "Site \x01 title", (article,))
    for render in (render_rss, render_atom):
        data = render(make_site(), feed, FeedSettings(), bodies=rendered(feed.articles))
        entry = parse(data).entries[0]
        assert entry.title == "A ]]> B & C <= D"
        assert b"&amp;amp;" not in data


def test_authors_fall_back_to_the_site_author() -> None:
    site = make_site(author="Site Author", author_email="desk@example.org")
    feed = Feed("atom.xml", "T", (make_article(), make_article(
        slug="b", authors=(Author("Ann", "ann@example.org"),))))
    d = parse(render_atom(site, feed, FeedSettings(), bodies=rendered(feed.articles)))
    assert [e.author_detail.name for e in d.entries] == ["Site Author", "Ann"]
    assert d.entries[1].author_detail.email == "ann@example.org"


def test_icon_and_logo_are_absolute() -> None:
    site = make_site()
    feed = Feed("atom.xml", "T", ())
    root = etree.fromstring(render_atom(site, feed, FeedSettings(icon="/favicon.png",
                                                                logo="logo.png"), bodies={}))
    assert root.findtext(f"{ATOM}icon") == f"{SITE_URL}favicon.png"
    assert root.findtext(f"{ATOM}logo") == f"{SITE_URL}logo.png"
    doc = json.loads(render_json(site, Feed("feed.json", "T", ()), FeedSettings(logo="l.png"),
                                 bodies={}))
    assert doc["icon"] == f"{SITE_URL}l.png"


# -- empty sites, limits, tags --------------------------------------------------------------------


def test_empty_site_writes_valid_empty_feeds() -> None:
    files = feeds_of(make_site(), [], FeedSettings())
    assert sorted(files) == ["atom.xml", "feed.json", "feed.xml"]
    for name in ("feed.xml", "atom.xml"):
        assert parse(files[name]).entries == []
    assert etree.fromstring(files["atom.xml"]).findtext(f"{ATOM}updated") == EPOCH.isoformat()
    assert json.loads(files["feed.json"])["items"] == []


def test_limit_keeps_the_newest_and_zero_means_all() -> None:
    articles = [make_article(slug=f"a{i}", published=NOW - timedelta(days=i)) for i in range(5)]
    assert [a.slug for a in plan_feeds(make_site(), articles, FeedSettings(limit=2))[0].articles] \
        == ["a0", "a1"]
    assert len(plan_feeds(make_site(), articles, FeedSettings(limit=0))[0].articles) == 5


@pytest.mark.parametrize("tag", ["../../etc/passwd", "..", "a/b\\c", "<script>", "",
                                 "\u202eevil", "con", "ᴬ" * 300])
def test_tag_slugs_are_safe_file_names(tag: str) -> None:
    slug = tag_slug(tag)
    assert slug and "/" not in slug and "\\" not in slug and slug not in (".", "..")
    assert re.fullmatch(r"[\w-]+", slug) and len(slug) <= 60


def test_each_tag_gets_rss_and_atom_feeds() -> None:
    a = make_article(slug="a", tags=("Python", "Web Dev"))
    b = make_article(slug="b", tags=("python",), published=NOW - timedelta(days=1))
    files = feeds_of(make_site(), [a, b], FeedSettings())
    assert {"tags/python/feed.xml", "tags/python/atom.xml", "tags/web-dev/feed.xml"} <= set(files)
    assert len(parse(files["tags/python/feed.xml"]).entries) == 2
    tag_feed = etree.fromstring(files["tags/python/atom.xml"])
    assert tag_feed.find(f"{ATOM}link[@rel='self']").get("href") == \
        f"{SITE_URL}tags/python/atom.xml"
    assert b'href="../../feed.xsl"' in files["tags/python/feed.xml"]


# -- validity beyond feedparser -------------------------------------------------------------------

SCHEMA = Path(__file__).resolve().parent / "schemas" / "jsonfeed-1.1.schema.json"


def _json_feed_errors(data: bytes) -> list[str]:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(json.loads(SCHEMA.read_text()),
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(json.loads(data))]


def test_format_checks_are_active() -> None:
    from jsonschema import Draft202012Validator

    checkers = Draft202012Validator.FORMAT_CHECKER.checkers
    assert {"date-time", "uri"} <= set(checkers)
    assert _json_feed_errors(json.dumps({"version": "https://jsonfeed.org/version/1.1",
                                         "title": "t", "items": [{"id": "1", "content_html": "",
                                         "date_published": "yesterday"}]}).encode())


def test_json_feeds_match_the_json_feed_schema(seed_build) -> None:
    _, files = seed_build
    assert _json_feed_errors(files["feed.json"]) == []


def test_json_feed_of_every_shape_matches_the_schema() -> None:
    site = make_site(author="Ann", description="About")
    articles = [
        make_article(slug="ünï", tags=("Café Society",), authors=(Author("B", None, None),),
                     hero_image=Image("https://img.example.org/a.jpg", "a"),
                     updated=datetime(2025, 3, 1, tzinfo=UTC)),
        make_article(slug="plain", body=""),
    ]
    files = feeds_of(site, articles, FeedSettings(icon="i.png", logo="l.png"))
    assert _json_feed_errors(files["feed.json"]) == []
    assert _json_feed_errors(feeds_of(site, [], FeedSettings())["feed.json"]) == []


def test_non_ascii_tag_feed_urls_are_percent_encoded() -> None:
    files = feeds_of(make_site(), [make_article(tags=("Café",))], FeedSettings())
    root = etree.fromstring(files["tags/café/atom.xml"])
    assert root.findtext(f"{ATOM}id") == f"{SITE_URL}tags/caf%C3%A9/atom.xml"


def test_atom_entries_always_have_an_author() -> None:
    feed = Feed("atom.xml", "T", (make_article(),))
    root = etree.fromstring(render_atom(make_site(title="The Site"), feed, FeedSettings(),
                                        bodies=rendered(feed.articles)))
    assert root.findtext(f"{ATOM}entry/{ATOM}author/{ATOM}name") == "The Site"


def test_empty_content_is_left_out_rather_than_blank() -> None:
    feed = Feed("atom.xml", "T", (make_article(body="", description=""),))
    data = render_atom(make_site(), feed, FeedSettings(content="summary"),
                       bodies=rendered(feed.articles))
    assert b"<content" not in data


def test_two_tags_with_one_slug_list_the_article_once() -> None:
    feeds = plan_feeds(make_site(), [make_article(tags=("C++", "C"))], FeedSettings())
    assert [(f.path, len(f.articles)) for f in feeds] == [("feed.xml", 1),
                                                          ("tags/c/feed.xml", 1)]


def test_tag_feeds_keep_their_own_limit() -> None:
    articles = [make_article(slug=f"a{i}", tags=("t",), published=NOW - timedelta(days=i))
                for i in range(15)]
    feeds = plan_feeds(make_site(), articles, FeedSettings(limit=0, tag_limit=3))
    assert [len(f.articles) for f in feeds] == [15, 3]
    assert [a.slug for a in feeds[1].articles] == ["a0", "a1", "a2"]
    assert len(plan_feeds(make_site(), articles, FeedSettings(tag_limit=0))[1].articles) == 15


def test_distinct_tags_sharing_a_feed_are_named() -> None:
    from feedkit.render.feeds import shared_tag_feeds

    articles = [make_article(slug="a", tags=("a/b",)), make_article(slug="b", tags=("a-b",)),
                make_article(slug="c", tags=("solo",))]
    assert shared_tag_feeds(articles) == {"a-b": ["a/b", "a-b"]}
