"""The typed settings: one frozen section per table of feedkit.toml, and ``Settings``, which holds
them all. Every default comes from ``table.SETTINGS``.

A library user builds them by hand; only ``site`` is required::

    >>> from feedkit.model import Site
    >>> settings = Settings(site=Site(url="https://news.example.org/", title="News"))
    >>> settings.feed.limit, settings.content.dir
    (50, PosixPath('content'))

Relative paths are relative to the current folder; ``loading.load`` makes them absolute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from feedkit.errors import Problem
from feedkit.model import Site
from feedkit.settings.table import default


def _str(key: str) -> str:
    return str(default(key))


def _int(key: str) -> int:
    value = default(key)
    assert isinstance(value, int)
    return value


def _path(key: str) -> Path:
    return Path(str(default(key)))


@dataclass(frozen=True, slots=True)
class ContentSettings:
    """``[content]``: where the articles are, how big one may be, and the generator whose
    URL, slug and ordering rules they follow."""

    dir: Path = field(default=_path("content.dir"))
    max_file_size: int = field(default=_int("content.max_file_size"))
    generator: str = field(default=_str("content.generator"))
    slugify: str = field(default=_str("content.slugify"))


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """``[feed]``: what the feeds hold and how their items are identified. ``content`` is
    "full" (the whole body) or "summary" (the description); a limit of 0 means all;
    ``id_scheme`` is "tag" (tag:{id_base},{date}:{slug}) or "url"; an empty ``id_base`` means
    the host of site.url."""

    content: str = field(default=_str("feed.content"))
    limit: int = field(default=_int("feed.limit"))
    tag_limit: int = field(default=_int("feed.tag_limit"))
    id_scheme: str = field(default=_str("feed.id_scheme"))
    id_base: str = field(default=_str("feed.id_base"))
    icon: str | None = None
    logo: str | None = None


@dataclass(frozen=True, slots=True)
class BuildSettings:
    """``[build]``: where the feeds are written and where the build cache lives."""

    output: Path = field(default=_path("build.output"))
    cache: Path = field(default=_path("build.cache"))


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """``[digest]``: what the email looks like, who it is from and to, and its state file."""

    output: Path = field(default=_path("digest.output"))
    state: Path = field(default=_path("digest.state"))
    templates: Path | None = None  # the publisher's own templates, tried first
    subject: str = field(default=_str("digest.subject"))
    sender: str = ""  # [digest] from
    to: tuple[str, ...] = ()
    first_run_since: str = field(default=_str("digest.first_run_since"))
    min_items: int = field(default=_int("digest.min_items"))
    limit: int = field(default=_int("digest.limit"))
    unsubscribe_url: str | None = None
    archive_url: str | None = None
    include_updated: bool = False
    list_id: str = ""  # "" = "<site title> <digest.<host of site.url>>"


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """``[smtp]``, and the password, which only ``FEEDKIT_SMTP_PASSWORD`` can set."""

    host: str = ""
    port: int = 0  # 0: the usual port for the security mode
    security: str = field(default=_str("smtp.security"))  # starttls | ssl | none
    username: str = ""
    timeout: float = field(default=float(_int("smtp.timeout")))
    password: str | None = field(default=None, repr=False)

    @property
    def effective_port(self) -> int:
        return self.port or {"ssl": 465, "starttls": 587}.get(self.security, 25)


# a setting's key -> its attribute, where the two differ ("from" is a Python keyword)
_ATTRIBUTE = {"digest.from": "sender"}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run needs to know, resolved and validated. Pass it down; never mutate it.

    ``source`` is the feedkit.toml it was read from (None when built by hand or from the
    environment alone); ``warnings`` are what reading it found (unknown keys, variables).
    """

    site: Site
    content: ContentSettings = field(default_factory=ContentSettings)
    feed: FeedSettings = field(default_factory=FeedSettings)
    build: BuildSettings = field(default_factory=BuildSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    source: Path | None = None
    warnings: tuple[Problem, ...] = ()

    def value(self, key: str) -> object:
        """A setting's typed value by its ``section.name`` key, e.g. ``value("feed.limit")``."""
        section, _, name = key.partition(".")
        return getattr(getattr(self, section), _ATTRIBUTE.get(key, name))
