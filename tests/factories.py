"""Plain factories and constants for the tests (fixtures live in conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from feedkit.model import Article, Site, TextBody

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SITE_URL = "https://news.example.org/"


def make_site(**kw: object) -> Site:
    values: dict[str, object] = {"url": SITE_URL, "title": "News", "timezone": ZoneInfo("UTC")}
    values.update(kw)
    return Site(**values)  # type: ignore[arg-type]


def make_article(**kw: object) -> Article:
    slug = str(kw.pop("slug", "a-post"))
    values: dict[str, object] = {
        "path": Path(f"{slug}.md"),
        "slug": slug,
        "url": f"{SITE_URL}{quote(slug)}/",
        "title": "A post",
        "published": datetime(2025, 2, 5, tzinfo=UTC),
        "body": TextBody(str(kw.pop("body", "Hello *world*."))),
    }
    values.update(kw)
    return Article(**values)  # type: ignore[arg-type]
