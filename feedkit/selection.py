"""Which articles go out, and in what order: pure functions of the articles and ``now``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from feedkit.model import Article, Status, newest_first


def ordered(articles: Iterable[Article]) -> list[Article]:
    """Newest published first; ties broken by slug, then path, so every run agrees."""
    return sorted(articles, key=newest_first)


def publishable(articles: Iterable[Article], now: datetime) -> list[Article]:
    """Articles that are out at ``now`` (not drafts, not archived, not future), newest first."""
    return [a for a in ordered(articles) if a.status(now) is Status.PUBLISHED]


def count_statuses(articles: Iterable[Article], now: datetime) -> dict[Status, int]:
    """How many articles have each status at ``now`` (every status present, in enum order)."""
    counts = dict.fromkeys(Status, 0)
    for article in articles:
        counts[article.status(now)] += 1
    return counts
