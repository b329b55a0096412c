"""dates.py: every form a front-matter date takes becomes one aware instant, whatever the host."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedkit.dates import DateError, format_rfc822, format_rfc3339, localize, parse_date

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # what YAML and TOML hand over
        (date(2025, 2, 5), "2025-02-05T00:00:00+01:00"),
        (datetime(2025, 2, 5, 10, 30), "2025-02-05T10:30:00+01:00"),
        (datetime(2025, 2, 5, 10, 30, tzinfo=UTC), "2025-02-05T10:30:00+00:00"),
        # ISO 8601 / RFC 3339 strings (our YAML loader keeps unquoted timestamps as text)
        ("2025-02-05", "2025-02-05T00:00:00+01:00"),
        ("2025-02-05 10:30", "2025-02-05T10:30:00+01:00"),
        ("2025-02-05T10:30:00", "2025-02-05T10:30:00+01:00"),
        ("2025-02-05T10:30:00.250", "2025-02-05T10:30:00.250000+01:00"),
        ("2025-02-05T10:30:00Z", "2025-02-05T10:30:00+00:00"),
        ("2025-02-05t10:30:00z", "2025-02-05T10:30:00+00:00"),
        ("2025-02-05T10:30:00+05:30", "2025-02-05T10:30:00+05:30"),
        ("2025-02-05T10:30:00-0800", "2025-02-05T10:30:00-08:00"),
        ("2025-02-05 10:30:00 +0100", "2025-02-05T10:30:00+01:00"),  # Jekyll's own format
        ("  2025-02-05  ", "2025-02-05T00:00:00+01:00"),
        # RFC 2822 (feeds, email)
        ("Wed, 05 Feb 2025 10:30:00 +0000", "2025-02-05T10:30:00+00:00"),
        ("5 Feb 2025 10:30:00 -0500", "2025-02-05T10:30:00-05:00"),
        ("Wed, 05 Feb 2025 10:30:00 GMT", "2025-02-05T10:30:00+00:00"),
        ("Wed, 05 Feb 2025 10:30:00 EST", "2025-02-05T10:30:00-05:00"),  # RFC 822's own names
        ("Wed, 05 Feb 2025 10:30:00 -0000", "2025-02-05T10:30:00+00:00"),  # RFC 2822 3.3
        ("5 Feb 2025 10:30 pm", "2025-02-05T22:30:00+01:00"),
        ("5 Feb 2025 10:30 am", "2025-02-05T10:30:00+01:00"),
        # written forms
        ("February 5, 2025", "2025-02-05T00:00:00+01:00"),
        ("Feb 5 2025", "2025-02-05T00:00:00+01:00"),
        ("5 February 2025", "2025-02-05T00:00:00+01:00"),
        ("February 5, 2025 10:30 -0500", "2025-02-05T10:30:00-05:00"),
        ("February 5, 2025 10:30 UTC", "2025-02-05T10:30:00+00:00"),
        ("2025/02/05", "2025-02-05T00:00:00+01:00"),
        ("2025.02.05", "2025-02-05T00:00:00+01:00"),
        ("2025/02/05 10:30", "2025-02-05T10:30:00+01:00"),
        ("25/02/2025", "2025-02-25T00:00:00+01:00"),  # day first: 25 cannot be a month
        ("02/25/2025", "2025-02-25T00:00:00+01:00"),  # month first, as plainly
        ("05/05/2025", "2025-05-05T00:00:00+02:00"),  # same either way
    ],
)
def test_date_form_becomes_an_aware_instant(value: object, expected: str) -> None:
    result = parse_date(value, BERLIN)
    assert result.utcoffset() is not None
    assert result.isoformat() == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("yesterday", "is not a date"),
        ("2025-13-01", "is not a date"),
        ("2025-02-30", "is not a date"),
        ("2025/02/30", "is not a date"),
        ("05/02/2025", "ambiguous"),
        ("March 2025", "missing a year, month or day"),
        ("2025", "missing a year, month or day"),
        ("10:30", "missing a year, month or day"),
        ("February 5", "missing a year, month or day"),
        ("2025-02-05 garbage", "is not a date"),
        ("2025-02-05T10:30:00+25:00", "not a date"),
        ("1 1 0 00-3000", "not a date"),
        ("2025-02-05 10:30 EST", "'EST' cannot be read"),
        ("February 5, 2025 10:30 CET", "'CET' cannot be read"),
        ("Wed, 05 Feb 2025 10:30:00 CET", "'CET' cannot be read"),
        ("1850-01-01", "out of range"),
        ("0001-01-01T00:00:00+14:00", "out of range"),
        ("9999-12-31T23:59:59-12:00", "out of range"),
        (True, "is not a date"),
        (None, "is not a date"),
        (20250205, "is a number"),
        (1.5, "is a number"),
        (["2025-02-05"], "a list is not a date"),
        ({"date": "2025-02-05"}, "a dict is not a date"),
        (clock(10, 30), "a time is not a date"),
    ],
)
def test_unreadable_date_raises_date_error_with_a_hint(value: object, message: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(value, BERLIN)
    assert message in caught.value.message
    assert caught.value.hint
    assert caught.value.args == (caught.value.message, caught.value.hint)


def test_date_error_is_a_value_error() -> None:
    assert issubclass(DateError, ValueError)


def test_naive_date_takes_the_zone_offset_of_its_own_day() -> None:
    winter = parse_date("2025-01-15 12:00", BERLIN)
    summer = parse_date("2025-07-15 12:00", BERLIN)
    assert winter.utcoffset() == timedelta(hours=1)
    assert summer.utcoffset() == timedelta(hours=2)


def test_naive_time_in_a_dst_gap_still_gives_an_instant() -> None:
    result = parse_date("2025-03-30 02:30", BERLIN)  # clocks jump from 02:00 to 03:00
    assert result.utcoffset() is not None
    assert result.astimezone(UTC).isoformat() == "2025-03-30T01:30:00+00:00"


def test_unquoted_date_is_read_in_site_timezone() -> None:
    tokyo, new_york = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")
    assert parse_date("2025-02-05", tokyo).astimezone(UTC).isoformat() == \
        "2025-02-04T15:00:00+00:00"
    assert parse_date("2025-02-05", new_york).astimezone(UTC).isoformat() == \
        "2025-02-05T05:00:00+00:00"


def test_explicit_offset_wins_over_site_timezone() -> None:
    assert parse_date("2025-02-05T10:30:00+05:30", ZoneInfo("Asia/Tokyo")) == \
        parse_date("2025-02-05T10:30:00+05:30", ZoneInfo("America/Denver"))


# -- the host's time zone never matters -----------------------------------------------------------


@pytest.fixture
def host_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Switch this process's local time zone (TZ + tzset) and restore it afterwards."""

    def switch(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield switch
    monkeypatch.undo()
    time.tzset()


HOST_ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati", "Europe/London"]
SAMPLES = ["2025-02-05", "2025-02-05 10:30", "February 5, 2025", "2025/02/05",
           "Wed, 05 Feb 2025 10:30:00 +0100", "2025-02-05T10:30:00Z"]


def test_dates_read_the_same_under_any_host_tz(host_tz: object) -> None:
    zone = ZoneInfo("Europe/Lisbon")
    results = []
    for name in HOST_ZONES:
        host_tz(name)  # type: ignore[operator]
        results.append([parse_date(s, zone).isoformat() for s in SAMPLES])
    assert all(r == results[0] for r in results)
    assert results[0][0] == "2025-02-05T00:00:00+00:00"


@pytest.mark.parametrize("host", ["America/New_York", "UTC", "Europe/London"])
def test_zone_abbreviation_is_refused_whatever_the_host_zone(host_tz: object, host: str) -> None:
    # dateutil reads a name in time.tzname as the host's zone: "EST" on a New York machine,
    # "UTC"/"GMT" elsewhere. EST must not depend on the machine; UTC and GMT are unambiguous.
    host_tz(host)  # type: ignore[operator]
    with pytest.raises(DateError):
        parse_date("February 5, 2025 10:30 EST", BERLIN)
    for name in ("UTC", "GMT"):
        assert parse_date(f"February 5, 2025 10:30 {name}", BERLIN).isoformat() == \
            "2025-02-05T10:30:00+00:00"


# -- helpers and formatting -----------------------------------------------------------------------


def test_localize_attaches_the_zone_only_to_naive_values() -> None:
    naive = datetime(2025, 2, 5, 10, 30)
    aware = datetime(2025, 2, 5, 10, 30, tzinfo=timezone(timedelta(hours=-3)))
    assert localize(naive, BERLIN).tzinfo is BERLIN
    assert localize(aware, BERLIN) is aware


def test_rfc822_format_is_english_and_keeps_the_offset() -> None:
    moment = datetime(2025, 2, 5, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    assert format_rfc822(moment) == "Wed, 05 Feb 2025 10:30:00 +0100"


def test_rfc3339_format_drops_microseconds_and_keeps_the_offset() -> None:
    moment = datetime(2025, 2, 5, 10, 30, 15, 999_999, tzinfo=BERLIN)
    assert format_rfc3339(moment) == "2025-02-05T10:30:15+01:00"


def test_rfc822_format_ignores_the_host_locale() -> None:
    import locale

    saved = locale.setlocale(locale.LC_TIME)
    tried = 0
    try:
        for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "C.UTF-8"):
            try:
                locale.setlocale(locale.LC_TIME, name)
            except locale.Error:
                continue
            tried += 1
            assert format_rfc822(datetime(2025, 5, 1, tzinfo=UTC)) == \
                "Thu, 01 May 2025 00:00:00 +0000"
    finally:
        locale.setlocale(locale.LC_TIME, saved)
    assert tried  # at least C.UTF-8 exists everywhere we run


# -- properties -----------------------------------------------------------------------------------

_DATEISH = (
    st.text(max_size=40)
    | st.from_regex(r"\A\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?(Z|[+-]\d{2}:?\d{2}| \w{3})?\Z")
    | st.from_regex(r"\A(\w{3}, )?\d{1,2} \w{3} \d{4} \d{2}:\d{2}(:\d{2})? ([+-]\d{4}|\w{1,4})\Z")
    | st.from_regex(r"\A\d{1,4}[/.]\d{1,2}[/.]\d{1,4}( .{0,10})?\Z")
)
_ZONES = st.sampled_from(["UTC", "Europe/Berlin", "America/St_Johns", "Pacific/Chatham",
                          "Asia/Kathmandu"]).map(ZoneInfo)


@settings(max_examples=300, deadline=None, database=None)
@given(_DATEISH | st.dates() | st.datetimes() | st.datetimes(timezones=st.timezones())
       | st.integers() | st.none() | st.booleans(), _ZONES)
def test_parse_date_returns_an_aware_datetime_or_raises_date_error(value: object,
                                                                   zone: ZoneInfo) -> None:
    try:
        result = parse_date(value, zone)
    except DateError:
        return
    assert isinstance(result, datetime)
    assert result.utcoffset() is not None


@settings(max_examples=150, deadline=None, database=None)
@given(st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(9998, 12, 31),
                    timezones=st.timezones()))
def test_rfc3339_output_reads_back_as_the_same_instant(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    # timestamps: PEP 495 makes a time in a fold unequal to every time in another zone
    assert parse_date(format_rfc3339(moment), BERLIN).timestamp() == moment.timestamp()
