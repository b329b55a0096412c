"""metadata.py: raw front matter → article fields, through the one alias table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from factories import SITE_URL

from feedkit.errors import Severity
from feedkit.load.aliases import ALIASES
from feedkit.load.fields import TITLE_MAX, Fields, resolve
from feedkit.model import Author, CallToAction, Image
from feedkit.text import slugify

ZONE = ZoneInfo("Europe/Berlin")


def fields(meta: dict[Any, Any], path: str = "post.md", zone: ZoneInfo = ZONE) -> Fields:
    return resolve(meta, path=Path(path), site_url=SITE_URL, zone=zone)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=ZONE)


def messages(f: Fields, severity: Severity | None = None) -> list[str]:
    return [f"{p.field}: {p.message}" for p in f.problems
            if severity is None or p.severity is severity]


# -- every alias ----------------------------------------------------------------------------------

BASE = {"title": "T", "date": "2020-01-01"}

# canonical field -> (front matter built around the alias, check on the resolved fields)
ALIAS_CASES: dict[str, tuple[Callable[[str], dict[str, Any]], Callable[[Fields], bool]]] = {
    "id": (lambda k: {k: "urn:x:1"}, lambda f: f.id == "urn:x:1"),
    "title": (lambda k: {k: "Hello", "date": "2020-01-01"}, lambda f: f.title == "Hello"),
    "subtitle": (lambda k: {k: "Sub"}, lambda f: f.subtitle == "Sub"),
    "description": (lambda k: {k: "Desc"}, lambda f: f.description == "Desc"),
    "published": (lambda k: {"title": "T", k: "2025-02-05"},
                  lambda f: f.published == at(2025, 2, 5)),
    "updated": (lambda k: {k: "2025-02-05"}, lambda f: f.updated == at(2025, 2, 5)),
    "hero_image": (lambda k: {k: "/img/a.jpg"},
                   lambda f: f.hero_image == Image(SITE_URL + "img/a.jpg", "T")),
    "hero_alt": (lambda k: {"heroImage": "/img/a.jpg", k: "Alt text"},
                 lambda f: f.hero_image is not None and f.hero_image.alt == "Alt text"),
    "cta": (lambda k: {k: "Sign up"}, lambda f: f.cta == CallToAction("Sign up")),
    "cta_url": (lambda k: {"cta": "Sign up", k: "https://e.example/s"},
                lambda f: f.cta == CallToAction("Sign up", "https://e.example/s")),
    "author": (lambda k: {k: "Ann"}, lambda f: f.authors == (Author("Ann"),)),
    "tags": (lambda k: {k: ["boats"]}, lambda f: f.tags == ("boats",)),
    "slug": (lambda k: {k: "Custom Slug"}, lambda f: f.slug == "custom-slug"),
    "url": (lambda k: {k: "https://other.example/a/"}, lambda f: f.url ==
            "https://other.example/a/" and not f.url_from_slug),
    "path": (lambda k: {"title": "T", k: "/2023/01/29/p/"},
             lambda f: f.url == SITE_URL + "2023/01/29/p/" and f.published == at(2023, 1, 29)),
    "draft": (lambda k: {k: True}, lambda f: f.draft and not f.archived),
    "status": (lambda k: {k: "draft"}, lambda f: f.draft),
    "archived": (lambda k: {k: True}, lambda f: f.archived and not f.draft),
    "source": (lambda k: {k: "bloomberg.com"}, lambda f: f.source == "bloomberg.com"),
    "read_time": (lambda k: {k: "8 mins"}, lambda f: f.read_time == "8 mins"),
}

ALL_ALIASES = [(canonical, alias) for canonical, aliases in ALIASES.items() for alias in aliases]


def alias_meta(canonical: str, alias: str) -> dict[str, object]:
    """Front matter with ``alias`` set, on a valid base unless the field is one the base has."""
    build = ALIAS_CASES[canonical][0]
    return build(alias) if canonical in ("title", "published", "path") \
        else {**BASE, **build(alias)}


def test_every_field_in_the_alias_table_has_a_test_case() -> None:
    assert set(ALIAS_CASES) == set(ALIASES)


@pytest.mark.parametrize(("canonical", "alias"), ALL_ALIASES,
                         ids=[f"{c}-{a}" for c, a in ALL_ALIASES])
def test_every_alias_resolves_to_its_field(canonical: str, alias: str) -> None:
    check = ALIAS_CASES[canonical][1]
    meta = alias_meta(canonical, alias)
    f = fields(meta)
    assert check(f), (alias, f)
    assert not [p for p in f.problems if p.is_error]


@pytest.mark.parametrize(("canonical", "alias"), ALL_ALIASES,
                         ids=[f"{c}-{a}" for c, a in ALL_ALIASES])
def test_aliases_match_whatever_their_case(canonical: str, alias: str) -> None:
    check = ALIAS_CASES[canonical][1]
    meta = alias_meta(canonical, alias)
    shouted = {(k.upper() if k == alias else k): v for k, v in meta.items()}
    assert check(fields(shouted))


def test_both_seed_schemas_are_in_the_alias_table() -> None:
    schema_a = {"publish_date": "published", "heroImage": "hero_image", "cta": "cta"}
    schema_b = {"publishedOn": "published", "updatedOn": "updated", "mainImage": "hero_image",
                "altTextMainImage": "hero_alt", "draft": "draft", "archived": "archived",
                "source": "source"}
    for alias, canonical in {**schema_a, **schema_b}.items():
        assert alias in ALIASES[canonical]


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"publish_date": "2025-01-01", "date": "2024-01-01"}, at(2025, 1, 1)),
        ({"publishedOn": "2025-01-01", "date": "2024-01-01"}, at(2025, 1, 1)),
        ({"date": "2024-01-01", "published": False}, at(2024, 1, 1)),
        ({"published": "2024-03-03", "date": "2024-01-01"}, at(2024, 3, 3)),
    ],
)
def test_first_published_alias_in_table_order_wins(meta: dict[str, Any],
                                                   expected: datetime) -> None:
    assert fields({"title": "T", **meta}).published == expected


def test_first_hero_image_alias_wins_and_empty_values_are_skipped() -> None:
    f = fields({**BASE, "thumbnail": "t.jpg", "image": "", "mainImage": "m.jpg",
                "heroImage": None})
    assert f.hero_image == Image(SITE_URL + "post/m.jpg", "T")


def test_unknown_keys_are_ignored_without_problems() -> None:
    f = fields({**BASE, "created_date": "2025-02-05", "newsDate": "2025-02-06",
                "altTextThumbnail": "", "layout": "post", 42: "x"})
    assert f.problems == []


# -- title and text fields ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Plain", "Plain"),
        ("  spaced \n out  ", "spaced out"),
        ("<b>Bold</b> &amp; <i>brave</i>", "Bold & brave"),
        ("Tides â€“ and moons", "Tides – and moons"),
        ("Itâ€™s here", "It’s here"),
        ("Bell\x07 and\x1b escape", "Bell and escape"),
        ("<script>alert(1)</script>Safe", "Safe"),
        (2024, "2024"),
    ],
)
def test_title_is_plain_text(raw: object, expected: str) -> None:
    assert fields({"title": raw, "date": "2024-01-01"}).title == expected


@pytest.mark.parametrize("meta", [{}, {"title": ""}, {"title": "   "}, {"title": None},
                                  {"title": "<b></b>"}])
def test_missing_title_is_an_error(meta: dict[str, Any]) -> None:
    f = fields({"date": "2024-01-01", **meta})
    assert "title: missing" in messages(f, Severity.ERROR)


def test_title_that_is_a_list_is_reported_and_missing() -> None:
    f = fields({"title": ["a", "b"], "date": "2024-01-01"})
    assert messages(f) == ["title: must be text, not a list", "title: missing"]


def test_long_title_is_kept_with_a_warning() -> None:
    f = fields({"title": "x" * 300, "date": "2024-01-01"})
    assert f.title == "x" * 300
    assert [p.severity for p in f.problems] == [Severity.WARNING]


def test_very_long_title_is_cut_with_an_ellipsis_and_a_warning() -> None:
    f = fields({"title": "word " * 400, "date": "2024-01-01"})
    assert len(f.title) == TITLE_MAX
    assert f.title.endswith("…")
    assert "cut to 500" in messages(f, Severity.WARNING)[0]


def test_right_to_left_title_is_kept_as_written() -> None:
    assert fields({"title": "مرحبا بالعالم", "date": "2024-01-01"}).title == "مرحبا بالعالم"


# -- slug and URL ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Hello World", "hello-world"),
        ("  Hello, Wörld! ", "hello-wörld"),
        ("../../etc/passwd", "etc-passwd"),
        ("a/b\\c", "a-b-c"),
        ("مرحبا بالعالم", "مرحبا-بالعالم"),
        ("ﬁne", "fine"),
        ("---", ""),
        ("x" * 200, "x" * 80),
    ],
)
def test_slugify_keeps_letters_digits_and_dashes(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(
    ("path", "slug"),
    [
        ("my-post.md", "my-post"),
        ("2024-05-01-my-post.md", "my-post"),
        ("2024-05-01_my_post.md", "my_post"),
        ("some-post/index.md", "some-post"),
        ("2024/05/01/some-post/index.md", "some-post"),
        ("2024-05-01-bundle/index.md", "bundle"),
        ("index.md", "index"),
        ("Mixed Case File.md", "mixed-case-file"),
        ("!!!.md", "article"),
    ],
)
def test_slug_comes_from_the_file_name(path: str, slug: str) -> None:
    assert fields(BASE, path=path).slug == slug


def test_explicit_slug_wins_and_is_made_safe() -> None:
    assert fields({**BASE, "slug": "../../Etc Passwd"}).slug == "etc-passwd"


def test_slug_without_letters_is_ignored_with_a_warning() -> None:
    f = fields({**BASE, "slug": "!!!"}, path="real-name.md")
    assert f.slug == "real-name"
    assert messages(f) == ["slug: '!!!' has no letters or digits"]


@pytest.mark.parametrize(
    ("meta", "url"),
    [
        ({}, SITE_URL + "post/"),
        ({"url": "https://elsewhere.example/canonical/"}, "https://elsewhere.example/canonical/"),
        ({"canonical_url": "/moved/here"}, SITE_URL + "moved/here/"),
        ({"canonical": "/feed.xml"}, SITE_URL + "feed.xml"),
        ({"path": "blog/my-post"}, SITE_URL + "blog/my-post/"),
        ({"permalink": "/blog/my post/"}, SITE_URL + "blog/my%20post/"),
        ({"url": "https://a.example/x/", "path": "/b/"}, "https://a.example/x/"),
    ],
)
def test_url_comes_from_canonical_url_path_or_slug(meta: dict[str, Any], url: str) -> None:
    assert fields({**BASE, **meta}).url == url


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "mailto:a@b.example", "ftp://x.example/"])
def test_non_http_canonical_url_is_ignored_with_a_warning(bad: str) -> None:
    f = fields({**BASE, "url": bad})
    assert f.url == SITE_URL + "post/"
    assert f.url_from_slug
    assert messages(f, Severity.WARNING) == [f"url: {bad!r} is not an http(s) URL; ignored"]


def test_permalink_pattern_is_not_expanded() -> None:
    f = fields({**BASE, "permalink": "/:year/:title/"})
    assert f.url == SITE_URL + "post/"
    assert "is a pattern" in messages(f)[0]


def test_site_url_with_a_path_prefixes_every_article_url() -> None:
    f = resolve({**BASE, "permalink": "/2023/01/29/p/"}, path=Path("p.md"),
                site_url="https://example.org/blog/", zone=ZONE)
    assert f.url == "https://example.org/blog/2023/01/29/p/"
    assert resolve(BASE, path=Path("q.md"), site_url="https://example.org/blog/",
                   zone=ZONE).url == "https://example.org/blog/q/"


# -- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "meta", "published"),
    [
        ("2024-05-01-my-post.md", {}, at(2024, 5, 1)),
        ("2024/05/01/my-post.md", {}, at(2024, 5, 1)),
        ("blog/2024/5/1/my-post.md", {}, at(2024, 5, 1)),
        ("2024/05/01/my-post/index.md", {}, at(2024, 5, 1)),
        ("p.md", {"path": "/2023/01/29/zola/"}, at(2023, 1, 29)),
        ("p.md", {"permalink": "blog/2023/01/29/x.html"}, at(2023, 1, 29)),
        ("2024-05-01-my-post.md", {"date": "2024-06-01"}, at(2024, 6, 1)),
        ("2024-05-01-my-post.md", {"permalink": "/2023/01/29/x/"}, at(2024, 5, 1)),
    ],
)
def test_publish_date_falls_back_to_file_name_folders_then_path_key(
    path: str, meta: dict[str, Any], published: datetime
) -> None:
    f = fields({"title": "T", **meta}, path=path)
    assert f.published == published
    assert f.problems == []


def test_date_from_the_path_is_read_in_site_timezone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    f = fields({"title": "T"}, path="2024-05-01-x.md", zone=tokyo)
    assert f.published is not None
    assert f.published.isoformat() == "2024-05-01T00:00:00+09:00"


def test_impossible_date_in_the_path_is_warned_and_the_article_cannot_be_ordered() -> None:
    f = fields({"title": "T"}, path="2024/13/45/x.md")
    assert f.published is None
    assert messages(f) == ["date: the folder holds 2024/13/45, which is not a date",
                           "publish_date: missing: the article cannot be ordered"]


def test_unreadable_publish_date_is_an_error_naming_the_key() -> None:
    f = fields({"title": "T", "publishedOn": "someday"})
    assert f.published is None
    (problem,) = f.problems
    assert (problem.severity, problem.field) == (Severity.ERROR, "publishedOn")
    assert "'someday' is not a date" in problem.message


def test_missing_publish_date_is_an_error() -> None:
    f = fields({"title": "T"})
    assert f.published is None
    assert messages(f, Severity.ERROR) == ["publish_date: missing: the article cannot be ordered"]


def test_updated_before_published_is_ignored_with_a_warning() -> None:
    f = fields({"title": "T", "publishedOn": "2025-04-07", "updatedOn": "2025-02-17"})
    assert f.published == at(2025, 4, 7)
    assert f.updated is None
    assert messages(f) == ["updatedOn: 2025-02-17 is before the publish date 2025-04-07; ignored"]


def test_updated_equal_to_published_is_kept() -> None:
    f = fields({"title": "T", "date": "2025-04-07", "updated": "2025-04-07"})
    assert f.updated == f.published


def test_unreadable_updated_date_is_a_warning_only() -> None:
    f = fields({"title": "T", "date": "2025-04-07", "lastmod": "soon"})
    assert f.updated is None
    assert [p.severity for p in f.problems] == [Severity.WARNING]


def test_problems_carry_the_line_of_their_key() -> None:
    lines = {"title": 2, "publishedOn": 3, "updatedOn": 4}
    f = resolve({"title": "T", "publishedOn": "2025-04-07", "updatedOn": "2025-02-17"},
                path=Path("p.md"), site_url=SITE_URL, zone=ZONE, line_of=lines.get)
    assert [(p.field, p.line) for p in f.problems] == [("updatedOn", 4)]


# -- status ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meta", "draft", "archived"),
    [
        ({}, False, False),
        ({"draft": True}, True, False),
        ({"draft": False}, False, False),
        ({"draft": "yes"}, True, False),
        ({"draft": "false"}, False, False),
        ({"status": "draft"}, True, False),
        ({"status": "Draft"}, True, False),
        ({"status": "hidden"}, True, False),
        ({"status": "published"}, False, False),
        ({"status": "archived"}, False, True),
        ({"published": False}, True, False),
        ({"published": "false"}, True, False),
        ({"published": True}, False, False),
        ({"archived": True}, False, True),
        ({"archived": "no"}, False, False),
        ({"draft": False, "archived": False}, False, False),
        ({"draft": True, "archived": True}, True, True),
    ],
)
def test_status_rules(meta: dict[str, Any], draft: bool, archived: bool) -> None:
    f = fields({**BASE, **meta})
    assert (f.draft, f.archived) == (draft, archived)
    assert f.published == at(2020, 1, 1)
    assert not [p for p in f.problems if p.is_error]


def test_unclear_draft_flag_is_treated_as_draft_with_a_warning() -> None:
    f = fields({**BASE, "draft": "maybe"})
    assert f.draft
    assert messages(f) == ["draft: 'maybe' is not true or false; treated as true"]


def test_pelican_header_published_false_is_a_status_not_a_date() -> None:
    f = fields({"title": "T", "date": "2024-01-01", "published": "false"})
    assert f.draft
    assert f.problems == []


# -- images, calls to action, people, tags --------------------------------------------------------


@pytest.mark.parametrize(
    ("meta", "image"),
    [
        ({"heroImage": "https://cdn.example/a.jpg"}, Image("https://cdn.example/a.jpg", "T")),
        ({"image": "cover.jpg"}, Image(SITE_URL + "post/cover.jpg", "T")),
        ({"image": "/img/cover.jpg"}, Image(SITE_URL + "img/cover.jpg", "T")),
        ({"images": ["a.jpg", "b.jpg"]}, Image(SITE_URL + "post/a.jpg", "T")),
        ({"cover": {"image": "c.jpg", "alt": "Inner alt"}}, Image(SITE_URL + "post/c.jpg",
                                                                    "Inner alt")),
        ({"image": {"src": "s.jpg"}, "image_alt": "Outer"}, Image(SITE_URL + "post/s.jpg",
                                                                   "Outer")),
        ({"mainImage": "m.jpg", "altTextMainImage": "Seed alt"},
         Image(SITE_URL + "post/m.jpg", "Seed alt")),
        ({"thumbnail": ""}, None),
        ({"thumbnail": "", "altTextThumbnail": ""}, None),
        ({"image": []}, None),
        ({"image": {"alt": "no src"}}, None),
        ({"image": 42}, None),
    ],
)
def test_hero_image_forms(meta: dict[str, Any], image: Image | None) -> None:
    f = fields({**BASE, **meta})
    assert f.hero_image == image
    assert f.problems == []


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "data:image/png;base64,AAAA",
                                 "file:///etc/passwd"])
def test_hero_image_with_an_unsafe_url_is_dropped_with_a_warning(bad: str) -> None:
    f = fields({**BASE, "heroImage": bad})
    assert f.hero_image is None
    assert "is not an http(s) image URL" in messages(f, Severity.WARNING)[0]


@pytest.mark.parametrize(
    ("meta", "cta"),
    [
        ({"cta": "Follow us on LinkedIn"}, CallToAction("Follow us on LinkedIn", None)),
        ({"cta": {"text": "Go", "url": "/go/"}}, CallToAction("Go", SITE_URL + "go/")),
        ({"cta": {"label": "Go", "href": "https://x.example/"}},
         CallToAction("Go", "https://x.example/")),
        ({"cta": "Write", "cta_url": "mailto:desk@news.example.org"},
         CallToAction("Write", "mailto:desk@news.example.org")),
        ({"ctaUrl": "https://x.example/"}, CallToAction("Read more", "https://x.example/")),
        ({"cta": {"text": "Go", "url": "/a/"}, "cta_url": "/b/"},
         CallToAction("Go", SITE_URL + "a/")),
        ({"cta": "<b>Bold</b> ask"}, CallToAction("Bold ask", None)),
        ({"cta": ""}, None),
        ({}, None),
    ],
)
def test_call_to_action_forms(meta: dict[str, Any], cta: CallToAction | None) -> None:
    f = fields({**BASE, **meta})
    assert f.cta == cta
    assert f.problems == []


def test_call_to_action_with_an_unsafe_url_stays_text() -> None:
    f = fields({**BASE, "cta": "Click", "cta_url": "javascript:alert(1)"})
    assert f.cta == CallToAction("Click", None)
    assert "stays text" in messages(f, Severity.WARNING)[0]


@pytest.mark.parametrize(
    ("value", "authors"),
    [
        ("David Jenkins", (Author("David Jenkins"),)),
        ("Ann Lee <ann@example.org>", (Author("Ann Lee", "ann@example.org"),)),
        ("<ann@example.org>", (Author("ann@example.org", "ann@example.org"),)),
        ({"name": "Ann", "email": "ann@example.org", "url": "https://ann.example/"},
         (Author("Ann", "ann@example.org", "https://ann.example/"),)),
        (["Ann", {"name": "Bo"}], (Author("Ann"), Author("Bo"))),
        ("<b>Bold</b> Name", (Author("Bold Name"),)),
    ],
)
def test_author_forms(value: object, authors: tuple[Author, ...]) -> None:
    f = fields({**BASE, "author": value})
    assert f.authors == authors
    assert f.problems == []


def test_author_without_a_name_is_warned() -> None:
    f = fields({**BASE, "authors": [{"email": "x@example.org"}]})
    assert f.authors == ()
    assert messages(f) == ["authors: has no usable name"]


@pytest.mark.parametrize(
    ("meta", "tags"),
    [
        ({"tags": ["a", "b"]}, ("a", "b")),
        ({"tags": "a, b ,, c"}, ("a", "b", "c")),
        ({"tags": ["Boats"], "categories": ["boats", "Tides"]}, ("Boats", "Tides")),
        ({"category": "News", "keywords": "ai, News"}, ("News", "ai")),
        ({"tags": [2024, "<b>x</b>"]}, ("2024", "x")),
        ({"tags": []}, ()),
    ],
)
def test_tags_and_categories_are_merged_without_duplicates(meta: dict[str, Any],
                                                           tags: tuple[str, ...]) -> None:
    f = fields({**BASE, **meta})
    assert f.tags == tags
    assert f.problems == []


@pytest.mark.parametrize("tag", ["../x", "a/b", "..\\windows", "../../etc/passwd"])
def test_tag_that_looks_like_a_path_is_kept_as_a_name_with_a_warning(tag: str) -> None:
    f = fields({**BASE, "tags": [tag, "ok"]})
    assert f.tags == (tag, "ok")
    (warning,) = f.problems
    assert warning.severity is Severity.WARNING
    assert "looks like a path" in warning.message


def test_nested_values_in_tags_are_ignored_with_a_warning() -> None:
    f = fields({**BASE, "tags": [["x"], {"a": 1}, "ok"]})
    assert f.tags == ("ok",)
    assert len(f.problems) == 2


@pytest.mark.parametrize("key", ["subtitle", "description", "source", "read_time", "id"])
def test_text_field_given_a_table_is_ignored_with_a_warning(key: str) -> None:
    f = fields({**BASE, key: {"nested": "x"}})
    assert getattr(f, key) in ("", None)
    assert messages(f) == [f"{key}: must be text, not a table"]


def test_resolve_does_not_change_its_input() -> None:
    meta = {"title": "T", "date": "2024-01-01", "tags": ["a"], "cta": {"text": "Go"}}
    snapshot = repr(meta)
    fields(meta)
    assert repr(meta) == snapshot


def test_an_empty_tag_entry_is_no_tag_at_all() -> None:
    # YAML "tags: [boats, null]" or a "- " line: not a tag feed named "None"
    assert fields({"title": "T", "date": "2025-01-01", "tags": ["boats", None, ""]}).tags \
        == ("boats",)
