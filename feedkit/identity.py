"""Which article now is the one something published or sent earlier, when its id has changed.

A derived feed id changes when an article's file is renamed or moved, its publish date is
corrected, or another article takes its slug. ``match`` pairs the earlier records (``Known``)
with today's articles by what still ties them, strongest evidence first:

(a) the same id; (b) the same path; then, among the records and articles left, (c) the same
URL, (d) the same ``content_hash`` (title and body as written), (e) the same title on the same
publish day, (f) the same title, when exactly one record and one article carry it at all.

Each step pairs one record with one article, and only when the value is unique on both sides
among those left: an ambiguous value (two identical bodies, two records of one title) pairs
nothing. A record whose path is still some article's path was that article: it is left out of
steps (c) to (f), so a new file that took a published one's slug or URL never inherits its
identity. Pure: no I/O, dictionaries only (linear in the number of records and articles).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from feedkit.model import Article


@dataclass(frozen=True, slots=True)
class Known:
    """An article as something published or sent it earlier; "" for what is not known."""

    id: str
    url: str = ""
    path: str = ""  # article.key: the POSIX path under the content folder
    content_hash: str = ""
    title: str = ""
    day: str = ""  # publish date as written, ISO YYYY-MM-DD


def known_of(article: Article) -> Known:
    """``article`` as a later run would know it."""
    return Known(id=article.id, url=article.url, path=article.key,
                 content_hash=article.content_hash, title=article.title,
                 day=article.published.date().isoformat())


_T = TypeVar("_T")
_RecordKey = Callable[[Known], object]
_ArticleKey = Callable[[Article], object]


def _title_day(known: Known) -> object:
    return (known.title, known.day) if known.title and known.day else ""


def _article_title_day(article: Article) -> object:
    return (article.title, article.published.date().isoformat())


# (record key, article key) for steps (c) to (e); "" means "no value: never pairs"
_LATER_STEPS: tuple[tuple[_RecordKey, _ArticleKey], ...] = (
    (lambda k: k.url, lambda a: a.url),
    (lambda k: k.content_hash, lambda a: a.content_hash),
    (_title_day, _article_title_day),
)


def match(known: Sequence[Known], articles: Sequence[Article]) -> dict[str, Known]:
    """article.key -> the earlier record that is the same article.

    >>> from feedkit.model import Body
    >>> from datetime import datetime, timezone
    >>> from pathlib import Path
    >>> moved = Article(path=Path("2025/launch-day.md"), slug="launch-day", title="Launch",
    ...                 url="https://example.org/launch-day/", body=Body(text="Hi"),
    ...                 published=datetime(2025, 2, 5, tzinfo=timezone.utc),
    ...                 id="tag:example.org,2025-02-05:launch-day", content_hash="c0ffee")
    >>> sent = Known("tag:example.org,2025-02-05:launch", path="launch.md",
    ...              content_hash="c0ffee")
    >>> match([sent], [moved]) == {"2025/launch-day.md": sent}
    True
    """
    pairs: dict[str, Known] = {}
    records = list(known)  # left to pair, in order
    left = list(articles)
    records, left = _pair(records, left, lambda k: k.id, lambda a: a.id, pairs)
    records, left = _pair(records, left, lambda k: k.path, lambda a: a.key, pairs)
    paths = {a.key for a in articles}
    records = [k for k in records if k.path not in paths]  # still a file's: it was that one
    for record_key, article_key in _LATER_STEPS:
        if not records or not left:
            return pairs
        records, left = _pair(records, left, record_key, article_key, pairs)
    if records and left:
        # (f): a title carried by exactly one record and one article of all, both unpaired
        once = _unique(known, lambda k: k.title).keys() & \
            _unique(articles, lambda a: a.title).keys()
        _pair([k for k in records if k.title in once], [a for a in left if a.title in once],
              lambda k: k.title, lambda a: a.title, pairs)
    return pairs


def _unique(items: Sequence[_T], key: Callable[[_T], object]) -> dict[object, _T]:
    """value -> the only item with it ("" and values shared by several left out)."""
    seen: dict[object, _T | None] = {}
    for item in items:
        value = key(item)
        if value != "":
            seen[value] = item if value not in seen else None
    return {value: item for value, item in seen.items() if item is not None}


def _pair(records: list[Known], articles: list[Article], record_key: _RecordKey,
          article_key: _ArticleKey, pairs: dict[str, Known]
          ) -> tuple[list[Known], list[Article]]:
    """Pair the records and articles whose value is unique on both sides; the unpaired."""
    by_value = _unique(records, record_key)
    chosen = _unique(articles, article_key)
    taken: set[int] = set()  # ids of the records paired (records are values: equal ones repeat)
    for value, article in chosen.items():
        record = by_value.get(value)
        if record is not None:
            pairs[article.key] = record
            taken.add(id(record))
    if not taken:
        return records, articles
    return ([k for k in records if id(k) not in taken],
            [a for a in articles if a.key not in pairs])
