"""Every date rule: turn what front matter holds into an aware ``datetime``, and format instants.

A value without an offset is read in the site's time zone, never the machine's. Nothing here
calls ``datetime.now()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import format_datetime, parsedate_to_datetime

from feedkit.errors import clip

__all__ = ["DateError", "format_rfc822", "format_rfc3339", "localize", "parse_date"]

MIN_YEAR, MAX_YEAR = 1900, 9999


class DateError(ValueError):
    """A value that is not a date; ``args`` are (message, hint)."""

    def __init__(
        self, message: str, hint: str = "write YYYY-MM-DD or an ISO 8601 datetime"
    ) -> None:
        super().__init__(message, hint)
        self.message = message
        self.hint = hint


def localize(value: datetime, zone: tzinfo) -> datetime:
    """Attach ``zone`` to a naive datetime; an aware one is returned unchanged."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value
    return value.replace(tzinfo=zone)


def _from_date(value: date, zone: tzinfo) -> datetime:
    return datetime.combine(value, time(0, 0), tzinfo=zone)


# Each parser takes a stripped string and returns a (possibly naive) datetime, or None if the
# string is not in its form; they are tried in order (the feedparser approach).

_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _parse_iso(text: str) -> datetime | None:
    if not _ISO_LIKE.match(text):
        return None
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


_RFC2822_ZONE = re.compile(r"\s([A-Za-z]+|-0000)$")


def _parse_rfc2822(text: str) -> datetime | None:
    if not re.search(r"\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}", text):
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    zone = _RFC2822_ZONE.search(text)
    if moment.tzinfo is None and zone:
        if zone.group(1) == "-0000":  # RFC 2822 §3.3: UTC, the writer's own zone unknown
            return moment.replace(tzinfo=UTC)
        return None  # a word the email module does not know ("pm", "CET"): dateutil decides
    return moment


_NUMERIC = re.compile(r"^(\d{1,4})[/.](\d{1,2})[/.](\d{1,4})(?:[ T](.+))?$")


def _parse_numeric(text: str) -> datetime | None:
    """``2025/02/05``, ``2025.02.05`` and day-first/month-first forms when unambiguous."""
    m = _NUMERIC.match(text)
    if not m:
        return None
    a, b, c, rest = m.groups()
    if len(a) == 4:
        y, mo, d = int(a), int(b), int(c)
    elif len(c) == 4:
        first, second = int(a), int(b)
        if first <= 12 and second <= 12 and first != second:
            raise DateError(
                f"{text!r} is ambiguous (day/month or month/day?)", "write it as YYYY-MM-DD"
            )
        mo, d = (first, second) if first <= 12 else (second, first)
        y = int(c)
    else:
        return None
    try:
        day = date(y, mo, d)
    except ValueError:
        raise DateError(f"{text!r} is not a date") from None
    if rest is None:
        return datetime.combine(day, time(0, 0))
    moment = _parse_words(f"{day.isoformat()} {rest}")
    if moment is None:
        raise DateError(f"{text!r} has a time that cannot be read")
    return moment


_DEFAULT_A = datetime(2001, 1, 1, 0, 0)
_DEFAULT_B = datetime(2002, 2, 2, 0, 0)


def _parse_words(text: str) -> datetime | None:
    """Written forms such as "February 5, 2025" or "5 Feb 2025 10:00 +0100" (dateutil).

    dateutil fills missing parts from a default date; parsing twice with two different defaults
    reveals a missing year, month or day, which we refuse rather than invent.
    """
    if not re.search(r"\d", text) or len(text) > 64:
        return None
    from dateutil import parser as _dateutil  # deferred: most dates are ISO and never get here

    try:
        a = _dateutil.parse(text, default=_DEFAULT_A, tzinfos=_zone_from_name)
        b = _dateutil.parse(text, default=_DEFAULT_B, tzinfos=_zone_from_name)
    except DateError:
        raise
    except (ValueError, OverflowError, TypeError):
        return None
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        raise DateError(f"{text!r} is missing a year, month or day")
    return a


def _zone_from_name(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil's ``tzinfos`` hook. Without it dateutil reads a zone name that matches the
    host's ``time.tzname`` as the host's zone, so "10:30 EST" would depend on the machine."""
    if offset is not None:
        return timezone(timedelta(seconds=offset))  # out of range raises ValueError: not a date
    if name is None:
        return None
    raise DateError(f"time zone {name!r} cannot be read (abbreviations are ambiguous)",
                    "write a numeric offset such as +01:00")


_PARSERS: tuple[Callable[[str], datetime | None], ...] = (
    _parse_iso,
    _parse_rfc2822,
    _parse_numeric,
    _parse_words,
)


def parse_date(value: object, zone: tzinfo) -> datetime:
    """An aware ``datetime`` from a front-matter value, reading naive values in ``zone``.

    Accepts ``date`` and ``datetime`` (as YAML and TOML give them), ISO 8601 strings with or
    without an offset, RFC 2822, and written forms such as "February 5, 2025" or "2025/02/05".

    >>> from zoneinfo import ZoneInfo
    >>> parse_date("2025-02-05", ZoneInfo("Europe/Berlin")).isoformat()
    '2025-02-05T00:00:00+01:00'
    >>> parse_date("February 5, 2025 10:30 -0500", ZoneInfo("UTC")).isoformat()
    '2025-02-05T10:30:00-05:00'
    """
    if isinstance(value, datetime):
        result = localize(value, zone)
    elif isinstance(value, date):
        result = _from_date(value, zone)
    elif isinstance(value, str):
        text = " ".join(value.split())
        if not text:
            raise DateError("is empty")
        parsed = None
        for parse in _PARSERS:
            parsed = parse(text)
            if parsed is not None:
                break
        if parsed is None:
            raise DateError(f"{clip(value)!r} is not a date")
        try:
            result = localize(parsed, zone)
        except (OverflowError, ValueError) as exc:  # e.g. an offset of 24 hours or more
            raise DateError(f"{clip(value)!r} has an offset out of range") from exc
    elif isinstance(value, bool) or value is None:
        raise DateError(f"{value!r} is not a date")
    elif isinstance(value, int | float):
        raise DateError(
            f"{value!r} is a number, not a date", "write YYYY-MM-DD or an ISO 8601 datetime"
        )
    else:
        raise DateError(f"a {type(value).__name__} is not a date")
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise DateError(f"year {result.year} is out of range ({MIN_YEAR}-{MAX_YEAR})")
    try:
        result.utcoffset()
        result + timedelta(days=2)  # reject instants at the edge of datetime's range
        result - timedelta(days=2)
    except (OverflowError, ValueError) as exc:
        raise DateError(f"{clip(str(value))!r} is out of range") from exc
    return result


def format_rfc822(moment: datetime) -> str:
    """RFC 822/2822 date for RSS, independent of the host locale."""
    return format_datetime(moment)


def format_rfc3339(moment: datetime) -> str:
    """RFC 3339 date for Atom and JSON Feed (whole seconds, explicit offset)."""
    return moment.replace(microsecond=0).isoformat()
