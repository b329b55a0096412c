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
    """The publication: its base URL (always ending in ``/``), who publishes it, and the
    patterns its article URLs follow (``permalink``; ``permalinks``: (section, pattern) pairs,
    sorted; see ``load.permalinks``)."""

    url: str
    title: str
    description: str = ""
    language: str = "en"
    author: str = ""
    author_email: str | None = None
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    permalink: str = ""
    permalinks: tuple[tuple[str, str], ...] = ()

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


@dataclass(frozen=True, slots=True)
class Body:
    """Where an article's body is, as plain data: the load stage reads it again
    (``load.read_body``) when something renders it, so no body is held in memory meanwhile.

    Either ``text`` (a body held in memory: library users, tests) or ``file``, whose decoded
    text holds the body from character ``offset`` on; ``stamp`` is the file's (size,
    mtime_ns) when it was loaded, so an edit made since is noticed, not misread.
    """

    format: BodyFormat = BodyFormat.MARKDOWN
    text: str | None = None
    file: str | None = None  # a str, not a Path: 100,000 Paths cost ~60 MB
    offset: int = 0
    stamp: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        if (self.text is None) == (self.file is None):
            raise ValueError("a body has either text or a file, not both or neither")


class Status(enum.StrEnum):
    PUBLISHED = "published"
    DRAFT = "draft"
    FUTURE = "future"
    ARCHIVED = "archived"


@dataclass(frozen=True, slots=True)
class Article:
    """One article: validated metadata and where its body is. Plain data: no method reads a
    file or renders anything.

    ``path`` is where it came from (relative to the content folder when loaded from disk);
    ``key`` (its POSIX form) names the article in rendered-body mappings. ``id`` is what feed
    readers and the digest ledger know it by: an explicit front-matter id/guid, else derived
    at load time from what never changes (see ``load.ids``). ``updated`` is None unless the
    article has a valid updated date at or after ``published``. ``description`` is the one the
    front matter gives ("" when none: renderers fall back to a summary of the body);
    ``has_body`` says whether the body holds any text. ``content_hash`` is a short hash of
    the title and body as written: what still names the article after its file is renamed
    or moved (see ``identity``).
    """

    path: Path
    slug: str
    url: str
    title: str
    published: datetime
    body: Body = field(repr=False)
    id: str
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
    has_body: bool = True
    content_hash: str = ""

    def __post_init__(self) -> None:
        if not self.slug:
            raise ValueError("article slug must not be empty")
        if not self.title:
            raise ValueError("article title must not be empty")
        if not self.id:
            raise ValueError("article id must not be empty")
        if not is_absolute_http_url(self.url):
            raise ValueError(f"article url must be absolute http(s): {self.url!r}")
        _require_aware("published", self.published)
        _require_aware("updated", self.updated)
        if self.updated is not None and self.updated < self.published:
            raise ValueError("updated must not be earlier than published")

    @property
    def key(self) -> str:
        """The article's name in a mapping of rendered bodies: its path, POSIX style."""
        return self.path.as_posix()

    @property
    def modified(self) -> datetime:
        """The instant the article last changed: ``updated`` when set, else ``published``."""
        return self.updated or self.published

    @property
    def is_blank(self) -> bool:
        """Nothing but a title for a digest to show: no description, no body text (which a
        summary would come from), no hero image, no call to action. A fresh ``feedkit new``
        stub is blank."""
        return not (self.description or self.has_body or self.hero_image or self.cta)

    def status(self, now: datetime) -> Status:
        """Whether the article goes out at ``now`` (drafts and archived never do)."""
        if self.draft:
            return Status.DRAFT
        if self.archived:
            return Status.ARCHIVED
        if self.published > now:
            return Status.FUTURE
        return Status.PUBLISHED


SortKey = Callable[[Article], tuple[float, str, str]]


def newest_first(article: Article) -> tuple[float, str, str]:
    """Total order: newest published first, then slug, then path (so every run agrees)."""
    return (-article.published.timestamp(), article.slug, article.path.as_posix())
