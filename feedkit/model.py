"""The data every output is rendered from: ``Site``, ``Article`` and their parts.

Frozen, slotted dataclasses whose invariants are checked on construction (aware datetimes,
absolute URLs, non-empty slug and title). Nothing here parses YAML, touches disk or formats output.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})  # the only schemes a link may use
_HTTP_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(?::\d+)?(?:[/?#]|\Z)")


def is_absolute_http_url(url: str) -> bool:
    """True for ``http``/``https`` URLs with a host."""
    if _HTTP_URL.match(url):  # the usual shape, without urlsplit's cost
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _require_aware(name: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


@dataclass(frozen=True, slots=True)
class Site:
    """The publication: its base URL (always ending in ``/``) and who publishes it."""

    url: str
    title: str
    description: str = ""
    language: str = "en"
    author: str = ""
    author_email: str | None = None
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    def __post_init__(self) -> None:
        if not is_absolute_http_url(self.url) or not self.url.endswith("/"):
            raise ValueError(f"site url must be absolute http(s) and end in '/': {self.url!r}")
        if not self.title:
            raise ValueError("site title must not be empty")


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Image:
    """An image with an absolute http(s) URL and its alt text."""

    url: str
    alt: str

    def __post_init__(self) -> None:
        if not is_absolute_http_url(self.url):
            raise ValueError(f"image url must be absolute http(s): {self.url!r}")


@dataclass(frozen=True, slots=True)
class CallToAction:
    """What the article asks the reader to do; ``url`` is None when the CTA is text only."""

    text: str
    url: str | None = None

    def __post_init__(self) -> None:
        if not self.text:
            raise ValueError("call to action text must not be empty")
        if self.url is not None and not (
            is_absolute_http_url(self.url) or self.url.startswith("mailto:")
        ):
            raise ValueError(f"call to action url must be http(s) or mailto: {self.url!r}")


class BodyFormat(enum.StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"


class BodySource(Protocol):
    """Where an article's body text comes from; read only when something renders it."""

    @property
    def format(self) -> BodyFormat: ...

    def read(self) -> str: ...


@dataclass(frozen=True, slots=True)
class TextBody:
    """A body held in memory (tests, library users, small sites)."""

    text: str
    format: BodyFormat = BodyFormat.MARKDOWN

    def read(self) -> str:
        return self.text


class Status(enum.StrEnum):
    PUBLISHED = "published"
    DRAFT = "draft"
    FUTURE = "future"
    ARCHIVED = "archived"


@dataclass(frozen=True, slots=True)
class Article:
    """One article: validated metadata, plus a body that is rendered on demand.

    ``path`` is where it came from (relative to the content folder when loaded from disk).
    ``id`` is an explicit front-matter id/guid, or None (the feeds derive a stable one).
    ``updated`` is None unless the article has a valid updated date at or after ``published``.
    """

    path: Path
    slug: str
    url: str
    title: str
    published: datetime
    body: BodySource = field(compare=False, hash=False, repr=False)
    id: str | None = None
    subtitle: str = ""
    description: str = ""
    updated: datetime | None = None
    authors: tuple[Author, ...] = ()
    tags: tuple[str, ...] = ()
    hero_image: Image | None = None
    cta: CallToAction | None = None
    draft: bool = False
    archived: bool = False
    source: str = ""
    read_time: str = ""

    def __post_init__(self) -> None:
        if not self.slug:
            raise ValueError("article slug must not be empty")
        if not self.title:
            raise ValueError("article title must not be empty")
        if not is_absolute_http_url(self.url):
            raise ValueError(f"article url must be absolute http(s): {self.url!r}")
        _require_aware("published", self.published)
        _require_aware("updated", self.updated)
        if self.updated is not None and self.updated < self.published:
            raise ValueError("updated must not be earlier than published")

    @property
    def modified(self) -> datetime:
        """The instant the article last changed: ``updated`` when set, else ``published``."""
        return self.updated or self.published

    @property
    def is_blank(self) -> bool:
        """Nothing but a title for a digest to show: no description (so no body text either,
        which the description falls back to), no hero image, no call to action. A fresh
        ``feedkit new`` stub is blank."""
        return not self.description and self.hero_image is None and self.cta is None

    def status(self, now: datetime) -> Status:
        """Whether the article goes out at ``now`` (drafts and archived never do)."""
        if self.draft:
            return Status.DRAFT
        if self.archived:
            return Status.ARCHIVED
        if self.published > now:
            return Status.FUTURE
        return Status.PUBLISHED

    def content_html(self) -> str:
        """The body as sanitized HTML with absolute URLs (rendered once, then cached)."""
        return _render_html(self)


def _render_html(article: Article) -> str:
    from feedkit.render.bodies import render_article_body  # deferred: rendering is costly to import

    return render_article_body(article)


SortKey = Callable[[Article], tuple[float, str, str]]


def newest_first(article: Article) -> tuple[float, str, str]:
    """Total order: newest published first, then slug, then path (so every run agrees)."""
    return (-article.published.timestamp(), article.slug, article.path.as_posix())
