"""selection.py's digest windows: ``Window`` (half-open), ``parse_spec`` and ``in_window``,
including site time zones against article offsets and a run under another host ``TZ``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from factories import make_article

from feedkit.selection import SpecError, Window, in_window, parse_spec

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
FEBRUARY = Window(datetime(2025, 2, 1, tzinfo=BERLIN), datetime(2025, 3, 1, tzinfo=BERLIN))


@pytest.fixture
def host_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run the test with the host clock in a far-away zone (restored afterwards)."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: every local date differs
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# -- Window -----------------------------------------------------------------------------------


def test_window_is_half_open() -> None:
    since, until = FEBRUARY.since, FEBRUARY.until
    assert since in FEBRUARY
    assert until - timedelta(microseconds=1) in FEBRUARY
    assert until not in FEBRUARY
    assert since - timedelta(microseconds=1) not in FEBRUARY


def test_window_compares_instants_not_wall_clocks() -> None:
    # 23:30 UTC on 31 January is 00:30 on 1 February in Berlin: inside
    assert datetime(2025, 1, 31, 23, 30, tzinfo=UTC) in FEBRUARY
    # 23:00 UTC on 28 February is midnight in Berlin: the (excluded) end
    assert datetime(2025, 2, 28, 23, 0, tzinfo=UTC) not in FEBRUARY
    assert datetime(2025, 2, 28, 22, 59, tzinfo=UTC) in FEBRUARY


def test_window_contains_only_datetimes() -> None:
    assert "2025-02-10" not in FEBRUARY
    assert None not in FEBRUARY


# -- parse_spec -------------------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "expected"), [
    # a date: midnight in the site's zone (standard and summer time)
    ("2025-02-01", datetime(2025, 2, 1, tzinfo=BERLIN)),
    ("2025-07-01", datetime(2025, 7, 1, tzinfo=BERLIN)),
    # a datetime without an offset: site time
    ("2025-02-01T08:00", datetime(2025, 2, 1, 8, 0, tzinfo=BERLIN)),
    ("2025-02-01T08:00:00", datetime(2025, 2, 1, 8, 0, tzinfo=BERLIN)),
    # with an offset: that instant, whatever the site's zone
    ("2025-02-01T08:00+05:30", datetime(2025, 2, 1, 2, 30, tzinfo=UTC)),
    ("2025-02-01T08:00Z", datetime(2025, 2, 1, 8, 0, tzinfo=UTC)),
    ("2025-02-01T08:00:00-08:00", datetime(2025, 2, 1, 16, 0, tzinfo=UTC)),
    # durations back from now
    ("36h", NOW - timedelta(hours=36)),
    ("7d", NOW - timedelta(days=7)),
    ("2w", NOW - timedelta(weeks=2)),
    ("7D", NOW - timedelta(days=7)),
    (" 2w ", NOW - timedelta(weeks=2)),
    ("0h", NOW),
])
def test_spec_forms(spec: str, expected: datetime) -> None:
    parsed = parse_spec(spec, now=NOW, zone=BERLIN)
    assert parsed == expected
    assert parsed.utcoffset() is not None


def test_date_spec_is_midnight_in_the_site_zone_not_utc() -> None:
    parsed = parse_spec("2025-02-01", now=NOW, zone=BERLIN)
    assert parsed.isoformat() == "2025-02-01T00:00:00+01:00"
    assert parsed.astimezone(UTC).isoformat() == "2025-01-31T23:00:00+00:00"
    tokyo = parse_spec("2025-02-01", now=NOW, zone=ZoneInfo("Asia/Tokyo"))
    assert tokyo.astimezone(UTC).isoformat() == "2025-01-31T15:00:00+00:00"


def test_duration_is_exact_hours_across_a_dst_change() -> None:
    # Berlin moves its clocks on 30 March 2025; "7d" is still 168 hours back
    now = datetime(2025, 4, 2, 12, 0, tzinfo=BERLIN)
    assert now - parse_spec("7d", now=now, zone=BERLIN) == timedelta(hours=168)


@pytest.mark.parametrize("spec", ["yesterday", "7x", "1.5d", "-7d", "d7", "2025-13-01",
                                  "2025-02-30", "", "   ", "next week"])
def test_bad_spec_says_what_to_write(spec: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec(spec, now=NOW, zone=BERLIN)
    message = str(caught.value)
    assert message.startswith(f"{spec!r} is not a date, a datetime or a duration")
    assert "2025-02-01" in message and "7d" in message and "last" in message
    assert "\n" not in message


def test_spec_does_not_depend_on_the_host_time_zone(host_tz: None) -> None:
    # the fixture really moved the host clock
    assert time.localtime(NOW.timestamp()).tm_gmtoff == 14 * 3600
    assert parse_spec("2025-02-01", now=NOW, zone=BERLIN).isoformat() == \
        "2025-02-01T00:00:00+01:00"
    assert parse_spec("2025-02-01T08:00", now=NOW, zone=BERLIN).isoformat() == \
        "2025-02-01T08:00:00+01:00"
    assert parse_spec("36h", now=NOW, zone=BERLIN) == datetime(2025, 2, 28, 0, 0, tzinfo=UTC)


# -- in_window --------------------------------------------------------------------------------


def _at(slug: str, moment: datetime, **kw: object):
    return make_article(slug=slug, title=slug, published=moment, **kw)


def test_in_window_keeps_the_start_and_drops_the_end() -> None:
    articles = [
        _at("at-since", FEBRUARY.since),
        _at("just-before", FEBRUARY.since - timedelta(seconds=1)),
        _at("at-until", FEBRUARY.until),
        _at("just-before-until", FEBRUARY.until - timedelta(seconds=1)),
    ]
    chosen = in_window(articles, FEBRUARY, NOW)
    assert [a.slug for a in chosen] == ["just-before-until", "at-since"]


def test_article_offsets_are_compared_with_the_site_zone() -> None:
    # all four are "1 February" on their own wall clock; only the instants count
    articles = [
        _at("kolkata-early", datetime(2025, 2, 1, 4, 29, tzinfo=timezone(timedelta(hours=5,
                                                                                    minutes=30)))),
        _at("kolkata-later", datetime(2025, 2, 1, 4, 31, tzinfo=timezone(timedelta(hours=5,
                                                                                    minutes=30)))),
        _at("utc-2259", datetime(2025, 1, 31, 22, 59, tzinfo=UTC)),
        _at("new-york-evening", datetime(2025, 2, 28, 17, 59, tzinfo=ZoneInfo("America/New_York"))),
        _at("new-york-six", datetime(2025, 2, 28, 18, 0, tzinfo=ZoneInfo("America/New_York"))),
    ]
    chosen = {a.slug for a in in_window(articles, FEBRUARY, NOW)}
    # 04:29+05:30 is 22:59 UTC on 31 January, a minute before Berlin's midnight
    assert chosen == {"kolkata-later", "new-york-evening"}


def test_drafts_archived_and_future_are_never_in_a_window() -> None:
    window = Window(datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    now = datetime(2025, 6, 1, tzinfo=UTC)
    articles = [
        _at("published", datetime(2025, 3, 1, tzinfo=UTC)),
        _at("draft", datetime(2025, 3, 2, tzinfo=UTC), draft=True),
        _at("archived", datetime(2025, 3, 3, tzinfo=UTC), archived=True),
        _at("future", datetime(2025, 6, 1, 0, 0, 1, tzinfo=UTC)),  # inside the window, after now
        _at("at-now", now),
    ]
    assert [a.slug for a in in_window(articles, window, now)] == ["at-now", "published"]


def test_in_window_is_newest_first_with_a_total_order() -> None:
    same = datetime(2025, 2, 10, tzinfo=UTC)
    articles = [_at("b", same), _at("c", datetime(2025, 2, 11, tzinfo=UTC)), _at("a", same)]
    assert [a.slug for a in in_window(articles, FEBRUARY, NOW)] == ["c", "a", "b"]
    assert in_window(list(reversed(articles)), FEBRUARY, NOW) == \
        in_window(articles, FEBRUARY, NOW)


def test_a_duration_reaching_before_1900_is_refused() -> None:
    with pytest.raises(SpecError, match="before 1900"):
        parse_spec("99999w", now=datetime(2025, 1, 1, tzinfo=UTC), zone=UTC)
