"""load/ids.py: an article's feed id is made from what never changes, and no setting unrelated to
identity (the time zone above all) changes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from factories import make_article, make_site

from feedkit.load import LoadRules, parse_article
from feedkit.load.ids import IdRule, derived_id, earlier_ids


def _id(text: str, **site: object) -> str:
    parsed = parse_article(text, Path("launch.md"), rules=LoadRules(make_site(**site)))
    assert parsed.article is not None, parsed.problems
    return parsed.article.id


@pytest.mark.parametrize("date", [
    "2025-02-06",  # a day: midnight wherever the site is
    "2025-02-06T02:00:00Z",  # late evening of the 5th in New York
    "2025-02-06T23:30:00-05:00",  # the 7th in UTC, Berlin and Tokyo
    "2025-02-06 09:00",  # a wall-clock time, read in the site's zone
    "February 6, 2025",
])
def test_the_id_does_not_change_with_the_sites_time_zone(date: str) -> None:
    # defect 10: under New York the same article was tag:…,2025-02-05:…
    text = f"---\ntitle: Launch\npublish_date: '{date}'\n---\nBody.\n"
    ids = {_id(text, timezone=ZoneInfo(zone)) for zone in
           ("UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "Pacific/Kiritimati")}
    assert ids == {"tag:news.example.org,2025-02-06:launch"}


def test_tag_ids_survive_https_move_trailing_slash_and_new_domain() -> None:
    published = datetime(2025, 2, 5, tzinfo=UTC)
    here = derived_id(IdRule("https://news.example.org/", base="news.example.org"),
                      slug="launch", published=published, url="https://news.example.org/launch/")
    moved = derived_id(IdRule("http://www.other.example/blog/", base="news.example.org"),
                       slug="launch", published=published,
                       url="http://www.other.example/blog/launch")
    assert here == moved == "tag:news.example.org,2025-02-05:launch"


def test_explicit_id_wins_and_url_scheme_uses_the_link() -> None:
    text = "---\ntitle: T\ndate: 2025-02-05\nguid: urn:uuid:1234\n---\nBody.\n"
    assert _id(text) == "urn:uuid:1234"
    url_rule = LoadRules(make_site(), id_scheme="url")
    parsed = parse_article(text.replace("guid: urn:uuid:1234\n", ""), Path("t.md"),
                           rules=url_rule)
    assert parsed.article is not None and parsed.article.id == parsed.article.url


def test_slugs_are_percent_encoded_in_tag_ids() -> None:
    rule = IdRule("https://news.example.org/")
    assert derived_id(rule, slug="café au lait", published=datetime(2025, 1, 1, tzinfo=UTC),
                      url="https://news.example.org/x/") == \
        "tag:news.example.org,2025-01-01:caf%C3%A9%20au%20lait"


def test_earlier_ids_name_the_id_an_offset_date_had_in_the_sites_zone() -> None:
    rule = IdRule("https://news.example.org/")
    new_york_winter = timezone(timedelta(hours=-5))
    late = make_article(slug="late",
                        published=datetime(2025, 2, 6, 23, 30, tzinfo=new_york_winter))
    assert late.id == "tag:news.example.org,2025-02-06:late"
    assert earlier_ids(late, rule, ZoneInfo("Europe/Berlin")) == \
        ("tag:news.example.org,2025-02-07:late",)
    assert earlier_ids(late, rule, ZoneInfo("America/New_York")) == ()  # the same day there
    assert earlier_ids(make_article(id="urn:x", published=late.published), rule,
                       ZoneInfo("Europe/Berlin")) == ()  # explicit ids never changed
