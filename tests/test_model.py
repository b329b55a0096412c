"""model.py: the invariants every Article, Site, Image and CallToAction keeps; plain data."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from factories import NOW, SITE_URL, make_article, make_site

from feedkit.model import Article, Body, BodyFormat, CallToAction, Image, Status, newest_first


def test_site_url_must_be_absolute_http_and_end_in_a_slash() -> None:
    assert make_site(url="http://example.org/blog/").url == "http://example.org/blog/"
    for bad in ("https://example.org", "example.org/", "ftp://example.org/", "/relative/", ""):
        with pytest.raises(ValueError, match="site url"):
            make_site(url=bad)


def test_site_title_must_not_be_empty() -> None:
    with pytest.raises(ValueError, match="title"):
        make_site(title="")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slug": ""}, "slug"),
        ({"title": ""}, "title"),
        ({"url": "/relative/"}, "absolute"),
        ({"url": "javascript:alert(1)"}, "absolute"),
        ({"published": datetime(2025, 1, 1)}, "timezone-aware"),
        ({"updated": datetime(2025, 3, 1)}, "timezone-aware"),
        ({"updated": datetime(2025, 2, 4, tzinfo=UTC)}, "earlier than published"),
    ],
)
def test_article_refuses_broken_invariants(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_article(**change)


def test_article_is_frozen() -> None:
    article = make_article()
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.title = "changed"  # type: ignore[misc]


def test_image_and_call_to_action_invariants() -> None:
    assert Image("https://cdn.example/a.jpg", "").alt == ""
    with pytest.raises(ValueError):
        Image("/a.jpg", "alt")
    assert CallToAction("Write", "mailto:desk@example.org").url == "mailto:desk@example.org"
    assert CallToAction("Text only").url is None
    with pytest.raises(ValueError):
        CallToAction("")
    with pytest.raises(ValueError):
        CallToAction("Go", "javascript:alert(1)")


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({}, Status.PUBLISHED),
        ({"published": NOW}, Status.PUBLISHED),
        ({"published": NOW + timedelta(seconds=1)}, Status.FUTURE),
        ({"draft": True}, Status.DRAFT),
        ({"archived": True}, Status.ARCHIVED),
        ({"draft": True, "archived": True}, Status.DRAFT),
        ({"archived": True, "published": NOW + timedelta(days=1)}, Status.ARCHIVED),
        ({"draft": True, "published": NOW + timedelta(days=1)}, Status.DRAFT),
    ],
)
def test_status_at_a_pinned_now(change: dict[str, object], status: Status) -> None:
    assert make_article(**change).status(NOW) is status


def test_future_is_judged_by_instant_not_wall_clock() -> None:
    # 13:00 in +02:00 is 11:00 UTC, before NOW (12:00 UTC), though its wall clock is later
    published = datetime(2026, 1, 1, 13, 0, tzinfo=ZoneInfo("Africa/Cairo"))
    assert make_article(published=published).status(NOW) is Status.PUBLISHED
    published_later = datetime(2026, 1, 1, 13, 30, tzinfo=UTC)
    assert make_article(published=published_later).status(NOW) is Status.FUTURE


def test_modified_is_updated_when_set_else_published() -> None:
    article = make_article()
    assert article.modified == article.published
    later = article.published + timedelta(days=3)
    assert make_article(updated=later).modified == later


def test_newest_first_key_orders_by_instant_then_slug_then_path() -> None:
    a = make_article(slug="b", published=datetime(2025, 1, 1, tzinfo=UTC))
    b = make_article(slug="a", published=datetime(2025, 1, 1, tzinfo=UTC))
    c = make_article(slug="c", published=datetime(2025, 1, 2, tzinfo=UTC))
    assert sorted([a, b, c], key=newest_first) == [c, b, a]


def test_an_article_is_plain_data_that_survives_a_pickle() -> None:
    import pickle

    article = make_article(body=Body(BodyFormat.HTML, file="/site/content/a.html", offset=40,
                                     stamp=(1234, 99)))
    assert pickle.loads(pickle.dumps(article)) == article
    # no method of the model reads a file or renders anything
    assert not [name for name in dir(article) if name in ("content_html", "read", "render")]


def test_the_body_is_part_of_equality() -> None:
    assert make_article(body="one") != make_article(body="two")
    assert make_article(body="one") == make_article(body="one")


def test_a_body_has_text_or_a_file() -> None:
    assert Body(text="x").file is None
    assert Body(file="/a.md").text is None
    for bad in ({}, {"text": "x", "file": "/a.md"}):
        with pytest.raises(ValueError, match="either text or a file"):
            Body(**bad)  # type: ignore[arg-type]


def test_an_article_needs_an_id() -> None:
    with pytest.raises(ValueError, match="id"):
        Article(path=Path("a.md"), slug="a", url=SITE_URL + "a/", title="A",
                published=datetime(2024, 6, 1, tzinfo=UTC), body=Body(text="x"), id="")


def test_blank_means_no_description_body_image_or_call_to_action() -> None:
    assert make_article(body="", has_body=False).is_blank
    assert not make_article(body="Some text").is_blank
    assert not make_article(body="", has_body=False, description="About it").is_blank
    assert not make_article(body="", has_body=False, cta=CallToAction("Write to us")).is_blank
