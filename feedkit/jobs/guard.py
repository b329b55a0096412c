"""What a build may not change without being told: a pure review of the feeds it is about to
publish against the ones it published last time (kept in the output folder's manifest).

Feed readers keep what they have seen, by id. Each article is paired with what the feeds
published before (``identity.match``: the same id, the same file, else for a renamed or
moved file the same URL, body, or title and day), and an article whose *derived* id changed
— its file renamed or moved, its date corrected, another article taking its slug,
``site.timezone`` changed — keeps the id readers know, with a note saying how to pin it.
Otherwise a build refuses, and says why, when it would

- change the id of an article already in a feed by its front matter's ``id:`` or by
  ``id_scheme = "url"`` (every reader would show it again as new); ``--allow-new-ids`` says
  that is intended;
- empty the site feed, or drop more than half of the articles the feeds held because they are
  no longer published (an empty or unreadable content folder, a bad merge);
  ``--allow-shrink`` says that is intended.

Articles pushed out of a feed by newer ones, or by a lower ``[feed] limit``, are still
published: they are not counted as dropped.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from feedkit.errors import Problem, error
from feedkit.identity import Known, match
from feedkit.load.ids import IdRule, is_derived
from feedkit.model import Article

if TYPE_CHECKING:
    from feedkit.render.feeds import Feed

SITE_FEED = "feed.xml"
FEEDS_KEY = "feeds"  # where the build keeps its items in the manifest's data
KEPT_KEY = "kept_ids"  # and the earlier ids it kept

# A feed's items as published: [id, url, source path, content hash, title, publish day] each
# (an earlier feedkit kept the first three).
Items = Mapping[str, Sequence[Sequence[str]]]
_FIELDS = 6


def feed_items(plan: Sequence[Feed]) -> dict[str, list[list[str]]]:
    """What each feed of ``plan`` publishes, to keep in the manifest."""
    return {feed.path: [[a.id, a.url, a.key, a.content_hash, a.title,
                         a.published.date().isoformat()] for a in feed.articles]
            for feed in plan}


def items_from_manifest(data: Mapping[str, Any]) -> dict[str, list[list[str]]]:
    """The items the manifest's data holds (nothing, for a shape this feedkit does not know)."""
    feeds = data.get(FEEDS_KEY)
    if not isinstance(feeds, dict):
        return {}
    return {path: [(list(map(str, item)) + [""] * _FIELDS)[:_FIELDS] for item in items
                   if isinstance(item, list) and 3 <= len(item) <= _FIELDS]
            for path, items in feeds.items() if isinstance(path, str) and isinstance(items, list)}


def known_items(before: Items) -> list[Known]:
    """Each article the feeds published, once."""
    seen: dict[str, Known] = {}
    for items in before.values():
        for item in items:
            ident, url, path, content, title, day = (list(item) + [""] * _FIELDS)[:_FIELDS]
            seen.setdefault(ident, Known(ident, url, path, content, title, day))
    return list(seen.values())


Pairs = Mapping[str, Known]  # article key -> what the feeds published as that article


@dataclass(frozen=True, slots=True)
class Settled:
    """The published articles as the feeds will know them: each paired with what the feeds
    published before (``pairs``), the ids kept (article key -> the id readers know), the
    articles with those ids, and the line on links that moved (None when none did)."""

    pairs: Pairs
    kept: dict[str, str]
    published: list[Article]
    moved: str | None


def settle(before: Items, published: Sequence[Article], rule: IdRule, *,
           present: Collection[str] = ()) -> Settled:
    """Pair ``published`` with ``before`` (``present``: the keys of every file still there,
    drafts included), keep each derived id that changed, and note the links that moved."""
    pairs = match(known_items(before), published, present=present)
    kept = kept_ids(pairs, published, rule)
    moved = moved_note(moved_urls(pairs, published))
    return Settled(pairs, kept, [replace(a, id=kept.get(a.key, a.id)) for a in published],
                   moved)


def kept_ids(pairs: Pairs, published: Sequence[Article], rule: IdRule) -> dict[str, str]:
    """The articles whose derived id changed since the feeds published them, and the id
    readers know each by: {article key: that id}. Keeping it makes the change invisible to
    readers. Not for an id the front matter or ``id_scheme = "url"`` gives (those are the
    publisher's to change, and ``review`` asks), nor for one another article now has, nor
    across a new authority (a new site host: one ``id_base`` setting keeps them all, and
    ``review`` says so)."""
    current = {a.id for a in published}
    return {article.key: old_id for article, old_id in _changed_ids(pairs, published)
            if is_derived(article, rule) and old_id not in current
            and _authority(old_id) == _authority(article.id)}


def moved_urls(pairs: Pairs, published: Sequence[Article]) -> list[tuple[Article, str]]:
    """Each article the feeds published at another URL than it has now: (the article, the
    URL the feeds had), in the order of ``published``."""
    return [(a, pairs[a.key].url) for a in published
            if a.key in pairs and pairs[a.key].url and pairs[a.key].url != a.url]


def moved_note(moved: Sequence[tuple[Article, str]]) -> str | None:
    """One line for the links a build changes (None when none): they are the site's URLs
    only if the site moved its pages too."""
    if not moved:
        return None
    shown = ", ".join(f"{a.key}: {old} → {a.url}" for a, old in moved[:3]) + \
        (", …" if len(moved) > 3 else "")
    return (f"{len(moved)} article link(s) differ from what the feeds published ({shown}); "
            "if the site did not move those pages, set [site] permalink (or "
            "[content] generator) to match it")


def _changed_ids(pairs: Pairs, published: Sequence[Article]) -> Iterator[tuple[Article, str]]:
    """Each article published before and still published, under another id: (the article,
    the id it was published under)."""
    for article in published:
        record = pairs.get(article.key)
        if record is not None and article.id != record.id:
            yield article, record.id


def kept_from_manifest(data: Mapping[str, Any]) -> dict[str, str]:
    """The ids the last build kept (``earlier_ids_in``), as the manifest's data holds them."""
    kept = data.get(KEPT_KEY)
    if not isinstance(kept, dict):
        return {}
    return {k: v for k, v in kept.items() if isinstance(k, str) and isinstance(v, str)}


def review(before: Items, after: Items, published: Sequence[Article], pairs: Pairs, *,
           allow_shrink: bool = False, allow_new_ids: bool = False) -> list[Problem]:
    """A problem for each change that needs a flag it was not given (nothing when allowed)."""
    problems: list[Problem] = []
    renamed: dict[str, tuple[Article, str]] = {}
    for article, old_id in _changed_ids(pairs, published):
        renamed.setdefault(article.key, (article, old_id))
    if renamed and not allow_new_ids:
        problems.extend(_new_id(article, old) for article, old in renamed.values())
    if not allow_shrink:
        problems.extend(_shrinking(before, after, published,
                                   {old for _, old in renamed.values()}))
    return problems


def _new_id(article: Article, old: str) -> Problem:
    hint = f'keep it with id: "{old}" in its front matter'
    old_base, new_base = _authority(old), _authority(article.id)
    if old_base and new_base and old_base != new_base:
        hint = f'keep them all with [feed] id_base = "{old_base}" in feedkit.toml'
    return error(article.path, "id", f"the feed id would change from {old!r} to "
                 f"{article.id!r}: feed readers would show the article again as new",
                 f"{hint}; or pass --allow-new-ids if new ids are intended")


def _authority(ident: str) -> str | None:
    if not ident.startswith("tag:") or "," not in ident:
        return None
    return ident[4:].split(",", 1)[0]


def _shrinking(before: Items, after: Items, published: Sequence[Article],
               renamed: set[str]) -> list[Problem]:
    hint = ("pass --allow-shrink if that is intended; otherwise check the content folder and "
            "the problems above, and build again")
    had = len(before.get(SITE_FEED, ()))
    if had and not after.get(SITE_FEED):
        return [error(None, SITE_FEED, f"would go from {had} items to none (no article is "
                      "published)", hint)]
    ids = {item[0]: item[2] or item[1] for items in before.values() for item in items}
    live = {a.id for a in published} | renamed
    gone = sorted(ids.keys() - live)
    if len(gone) * 2 <= len(ids):
        return []
    # named by the file they came from (or their link, for a feed from before the manifest)
    examples = ", ".join(ids[i] for i in gone[:3]) + (", …" if len(gone) > 3 else "")
    return [error(None, "feeds", f"{len(gone)} of the {len(ids)} articles the feeds held "
                  f"would be dropped, no longer published ({examples})", hint)]
