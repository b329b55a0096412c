"""Which articles go out, and in what order: pure functions of the articles and ``now``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from feedkit.dates import MIN_YEAR, DateError, parse_date
from feedkit.model import Article, Status, newest_first


def ordered(articles: Iterable[Article], generator: str = "feedkit") -> list[Article]:
    """Newest published first. Articles published at the same instant are in the order the
    archive's generator lists them (read from their source), so a feed limit keeps the same
    ones the site's own feed does: Jekyll the higher path first (``Document#<=>`` compares
    date, then path, and ``site.posts`` is reversed); Zola the lower URL first
    (``sort_pages``); Hugo the lower title, then file name (``DefaultPageSort``); feedkit
    the lower slug, then path. Every run agrees."""
    items = list(articles)
    if generator == "jekyll":
        items.sort(key=lambda a: a.key, reverse=True)
    elif generator == "zola":
        items.sort(key=lambda a: a.url)
    elif generator == "hugo":
        items.sort(key=lambda a: (a.title, a.path.name, a.key))
    else:
        return sorted(items, key=newest_first)
    items.sort(key=lambda a: -a.published.timestamp())  # stable: ties keep the order above
    return items


def publishable(articles: Iterable[Article], now: datetime,
                generator: str = "feedkit") -> list[Article]:
    """Articles that are out at ``now`` (not drafts, not archived, not future), newest first."""
    return [a for a in ordered(articles, generator) if a.status(now) is Status.PUBLISHED]


def count_statuses(articles: Iterable[Article], now: datetime) -> dict[Status, int]:
    """How many articles have each status at ``now`` (every status present, in enum order)."""
    counts = dict.fromkeys(Status, 0)
    for article in articles:
        counts[article.status(now)] += 1
    return counts


# -- digest windows -------------------------------------------------------------------------------

LAST = "last"
_DURATION = re.compile(r"^(\d{1,5})\s*([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class SpecError(ValueError):
    """A --since/--until value that is not a date, a datetime, a duration or ``last``."""


@dataclass(frozen=True, slots=True)
class Window:
    """The half-open interval ``[since, until)`` of a digest."""

    since: datetime
    until: datetime

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.since <= moment < self.until


def parse_spec(spec: str, *, now: datetime, zone: tzinfo) -> datetime:
    """An instant from a SPEC: ``2025-02-01`` (midnight, site time zone), an ISO datetime with or
    without an offset (without: site time zone), or a duration back from ``now`` (``36h``,
    ``7d``, ``2w``).

    >>> from datetime import UTC
    >>> now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    >>> parse_spec("36h", now=now, zone=UTC).isoformat()
    '2025-02-28T00:00:00+00:00'
    """
    text = spec.strip()
    m = _DURATION.match(text.lower())
    if m:
        try:
            moment = now - timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
        except OverflowError:
            moment = None
        if moment is None or moment.year < MIN_YEAR:
            raise SpecError(f"{spec!r} reaches back before {MIN_YEAR}; use a smaller duration")
        return moment
    try:
        return parse_date(text, zone)
    except DateError as exc:
        raise SpecError(f"{spec!r} is not a date, a datetime or a duration "
                        "(write 2025-02-01, 2025-02-01T08:00+01:00, 36h, 7d, 2w or last)") from exc


def in_window(articles: Iterable[Article], window: Window, now: datetime) -> list[Article]:
    """Published articles (at ``now``) dated in ``window``, newest first."""
    return [a for a in publishable(articles, now) if a.published in window]
