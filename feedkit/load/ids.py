"""Feed ids: what feed readers and the digest ledger know an article by, for life.

An explicit front-matter ``id``/``guid`` wins. Otherwise the id is a tag URI (RFC 4151),
``tag:<authority>,<date>:<slug>``, made from what does not change when the site moves to https
or a new domain, gets a trailing slash, or is read under another time zone: the date is the
publish date *as written* (a ``2025-02-05`` in front matter is that day wherever the site's
clock is), never that instant converted to ``site.timezone``. ``[feed] id_scheme = "url"``
uses the article URL instead, for sites whose earlier feeds did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from urllib.parse import quote, urlsplit

from feedkit.model import Article


@dataclass(frozen=True, slots=True)
class IdRule:
    """``[feed] id_scheme`` and ``id_base``, with the site URL whose host is the default base."""

    site_url: str
    scheme: str = "tag"
    base: str = ""

    @property
    def authority(self) -> str:
        return self.base or urlsplit(self.site_url).hostname or "localhost"


def derived_id(rule: IdRule, *, slug: str, published: datetime, url: str) -> str:
    """The id of an article with no explicit one.

    >>> from datetime import datetime, timedelta, timezone
    >>> rule = IdRule("https://news.example.org/")
    >>> late = datetime(2025, 2, 5, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    >>> derived_id(rule, slug="launch", published=late, url="https://news.example.org/launch/")
    'tag:news.example.org,2025-02-05:launch'
    """
    if rule.scheme == "url":
        return url
    return _tag_id(rule, published.date(), slug)


def _tag_id(rule: IdRule, day: date, slug: str) -> str:
    return f"tag:{rule.authority},{day.isoformat()}:{quote(slug, safe='-._~')}"


def is_derived(article: Article, rule: IdRule) -> bool:
    """Whether ``article``'s id is the one the tag rule derives (not an explicit ``id:``, not
    a URL id)."""
    return rule.scheme != "url" and article.id == derived_id(
        rule, slug=article.slug, published=article.published, url=article.url)


def earlier_ids(article: Article, rule: IdRule, zone: tzinfo) -> tuple[str, ...]:
    """Ids earlier feedkit gave ``article``, when they differ from its id now: until the
    load stage kept the date as written, a derived id held the publish instant's date in
    ``site.timezone``, so an article dated with an offset could get another day (and the id
    changed with the setting). The digest counts an article sent under one of these as
    sent."""
    if not is_derived(article, rule):
        return ()  # an explicit id, which never changed
    local = article.published.astimezone(zone).date()
    if local == article.published.date():
        return ()
    return (_tag_id(rule, local, article.slug),)
