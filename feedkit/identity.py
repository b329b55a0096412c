"""Which article now is the one something published or sent earlier, when its id has changed.

A derived feed id changes when an article's file is renamed or moved, its publish date is
corrected, or another article takes its slug. ``match`` pairs the earlier records (``Known``)
with today's articles by what still ties them, strongest evidence first:

(a) the same id; (b) the same path; then, among the records and articles left, (c) the same
URL, (d) the same ``content_hash`` (title and body as written), (e) the same title on the same
publish day. A title alone is no evidence: a new article may reuse a deleted one's title, and
taking it for the old one would keep it out of every digest and every reader's "new" list.

Each step pairs one record with one article, and only when the value is unique on both sides
among those left: an ambiguous value (two identical bodies, two records of one title) pairs
nothing. A record whose path is still some article's path was that article: it is left out of
steps (c) to (e), so a new file that took a published one's slug or URL never inherits its
identity. Pure: no I/O, dictionaries only (linear in the number of records and articles).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

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


def match(known: Sequence[Known], articles: Sequence[Article], *,
          present: Collection[str] | None = None) -> dict[str, Known]:
    """article.key -> the earlier record that is the same article. ``present`` are the keys
    of every file that is still there, when ``articles`` are only some of them (the
    published ones): a record of a file still there (a draft now) is that file's, never
    another article's.

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
    keys = [a.key for a in articles]  # a property: computed once
    pairs: dict[int, int] = {}  # article index -> record index
    records = list(range(len(known)))  # indices of the records left
    left = list(range(len(articles)))  # and of the articles

    def step(record_values: Callable[[list[int]], list[object]],
             article_values: Callable[[list[int]], list[object]]) -> None:
        nonlocal records, left
        if not (records and left):
            return
        by_value = _unique(records, record_values(records))
        if not by_value:
            return
        values = article_values(left)
        common = by_value.keys() & values  # (sets, at C speed: often nothing in common)
        if not common:
            return
        chosen = _unique([i for v, i in zip(values, left, strict=True) if v in common],
                         [v for v in values if v in common])
        if chosen:
            pairs.update((i, by_value[v]) for v, i in chosen.items())
            taken = {by_value[v] for v in chosen}
            records = [i for i in records if i not in taken]
            left = [i for i in left if i not in pairs]

    step(lambda rs: [known[i].id for i in rs], lambda xs: [articles[i].id for i in xs])  # (a)
    step(lambda rs: [known[i].path for i in rs], lambda xs: [keys[i] for i in xs])  # (b)
    paths = set(keys) if present is None else set(keys) | set(present)
    records = [i for i in records if known[i].path not in paths]  # still a file's: that one
    step(lambda rs: [known[i].url for i in rs], lambda xs: [articles[i].url for i in xs])  # (c)
    step(lambda rs: [known[i].content_hash for i in rs],  # (d)
         lambda xs: [articles[i].content_hash for i in xs])
    titled = {known[i].title for i in records if known[i].day}  # (e): dates only for these
    step(lambda rs: [f"{k.day} {k.title}" if k.title and k.day else ""
                     for k in (known[i] for i in rs)],
         lambda xs: [f"{a.published.date().isoformat()} {a.title}" if a.title in titled else ""
                     for a in (articles[i] for i in xs)])
    return {keys[a]: known[r] for a, r in sorted(pairs.items())}


def _unique(indices: list[int], values: list[object]) -> dict[object, int]:
    """value -> the only index with it ("" and values several indices share left out)."""
    first = dict(zip(values, indices, strict=True))
    if len(first) < len(values):
        for value, count in Counter(values).items():
            if count > 1:
                del first[value]
    first.pop("", None)
    return first
