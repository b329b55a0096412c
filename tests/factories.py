"""Plain factories and constants for the tests (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from feedkit.load import read_body
from feedkit.load.ids import IdRule, derived_id
from feedkit.model import Article, Body, BodyFormat, Site
from feedkit.render.bodies import RenderedBody, render_bodies

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SITE_URL = "https://news.example.org/"


def make_site(**kw: object) -> Site:
    values: dict[str, object] = {"url": SITE_URL, "title": "News", "timezone": ZoneInfo("UTC")}
    values.update(kw)
    return Site(**values)  # type: ignore[arg-type]


def make_article(**kw: object) -> Article:
    """An article with its body in memory; its id is derived as loading derives it (for a
    site at SITE_URL) unless ``id`` is given."""
    slug = str(kw.pop("slug", "a-post"))
    body = kw.pop("body", "Hello *world*.")
    body_format = kw.pop("body_format", BodyFormat.MARKDOWN)
    values: dict[str, object] = {
        "path": Path(f"{slug}.md"),
        "slug": slug,
        "url": f"{SITE_URL}{quote(slug)}/",
        "title": "A post",
        "published": datetime(2025, 2, 5, tzinfo=UTC),
        "body": body if isinstance(body, Body) else Body(body_format, text=str(body)),  # type: ignore[arg-type]
    }
    values.update(kw)
    if not values.get("id"):
        values["id"] = derived_id(IdRule(SITE_URL), slug=slug,
                                  published=values["published"],  # type: ignore[arg-type]
                                  url=str(values["url"]))
    return Article(**values)  # type: ignore[arg-type]


def rendered(articles: Iterable[Article]) -> Mapping[str, RenderedBody]:
    """The rendered bodies of ``articles`` (what the feed and digest renderers are given)."""
    result = render_bodies(list(articles), read=read_body)
    assert not result.problems, result.problems
    return result.bodies
