"""The alias table: which front-matter keys stand for which field, and ``Reader``, which looks
them up in one article's front matter.

The publisher's spellings (``publish_date``, ``publishedOn``, ``heroImage``, ``mainImage``, …) and
those of Jekyll, Hugo, Zola, Astro, Eleventy and Pelican appear only here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from feedkit.errors import Problem, error, warning
from feedkit.text import plain_text

# canonical field -> the keys real blogs use for it, first match wins (compared case-insensitively)
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "guid", "uuid"),
    "title": ("title",),
    "subtitle": ("subtitle", "sub_title", "subheading"),
    "description": ("description", "summary", "excerpt", "abstract"),
    "published": ("publish_date", "publishedOn", "publishDate", "pubDate", "published_at",
                  "publishedAt", "date_published", "published", "date"),
    "updated": ("updatedOn", "updated", "updatedDate", "lastmod", "lastMod", "modified",
                "updated_at", "updatedAt", "last_modified_at", "date_modified", "modified_date"),
    "hero_image": ("heroImage", "hero_image", "mainImage", "main_image", "image", "cover",
                   "cover_image", "coverImage", "feature_image", "featured_image", "featureImage",
                   "featuredImage", "banner", "og_image", "images", "thumbnail"),
    "hero_alt": ("altTextMainImage", "heroImageAlt", "hero_image_alt", "heroAlt", "image_alt",
                 "imageAlt", "cover_alt", "coverAlt", "feature_image_alt", "alt"),
    "cta": ("cta", "call_to_action", "callToAction"),
    "cta_url": ("cta_url", "ctaUrl", "cta_link", "ctaLink", "cta_href"),
    "author": ("author", "authors"),
    "tags": ("tags", "categories", "category", "keywords"),
    "slug": ("slug",),
    "url": ("canonical_url", "canonicalUrl", "canonicalURL", "canonical", "url"),
    "path": ("path", "permalink"),
    "draft": ("draft",),
    "status": ("status",),
    "archived": ("archived",),
    "source": ("source",),
    "read_time": ("read_time", "readTime", "reading_time", "readingTime"),
}

# lower-cased key -> the fields it may stand for, with its rank among each field's aliases
_FIELDS_OF: dict[str, list[tuple[str, int]]] = {}
for _field, _keys in ALIASES.items():
    for _rank, _key in enumerate(_keys):
        _FIELDS_OF.setdefault(_key.lower(), []).append((_field, _rank))

# tables whose keys stand in for top-level ones when those are missing: Zola's taxonomies
# (tags, categories) and extra (image, …), Hugo's params
NESTED_TABLES = ("taxonomies", "extra", "params")
# what those tables may fill in: how an article looks, never what identifies it (id, URL, slug),
# when it is dated or whether it is published; themes use "url" or "id" for other things
NESTED_FIELDS = frozenset({"subtitle", "description", "hero_image", "hero_alt", "cta",
                           "cta_url", "author", "tags", "source", "read_time"})


def is_empty(value: object) -> bool:
    """No value at all: None, blank text, an empty list or table."""
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] \
        or value == {}


class Reader:
    """Looks up aliases in one front-matter mapping and records problems with their line."""

    def __init__(self, meta: Mapping[object, object], path: Path,
                 line_of: Callable[[str], int | None]) -> None:
        self.path = path
        self.line_of = line_of
        self.lower: dict[str, tuple[str, object]] = {}
        for key, value in meta.items():
            name = str(key)
            self.lower.setdefault(name.lower(), (name, value))
        # canonical field -> its non-empty hits in alias order, built in one pass over the keys
        ranked: dict[str, list[tuple[int, tuple[str, object]]]] = {}
        for lower, hit in self.lower.items():
            if is_empty(hit[1]):
                continue
            for canonical, rank in _FIELDS_OF.get(lower, ()):
                ranked.setdefault(canonical, []).append((rank, hit))
        top_level = set(ranked)
        for table in NESTED_TABLES:  # only for fields the top level leaves empty
            name, nested = self.lower.get(table, ("", None))
            if not isinstance(nested, Mapping):
                continue
            for key, value in nested.items():
                if is_empty(value):
                    continue
                for canonical, rank in _FIELDS_OF.get(str(key).lower(), ()):
                    if canonical in NESTED_FIELDS and canonical not in top_level:
                        ranked.setdefault(canonical, []).append(
                            (len(ALIASES[canonical]) + rank, (f"{name}.{key}", value)))
        self.hits = {field: [hit for _, hit in sorted(found, key=lambda x: x[0])]
                     for field, found in ranked.items()}
        self.problems: list[Problem] = []

    def find(self, canonical: str) -> tuple[str, object] | None:
        hits = self.hits.get(canonical)
        return hits[0] if hits else None

    def find_all(self, canonical: str) -> Iterator[tuple[str, object]]:
        yield from self.hits.get(canonical, ())

    def warn(self, key: str, message: str, hint: str | None = None) -> None:
        self.problems.append(warning(self.path, key, message, hint, line=self.line_of(key)))

    def fail(self, key: str, message: str, hint: str | None = None) -> None:
        self.problems.append(error(self.path, key, message, hint, line=self.line_of(key)))

    def text(self, canonical: str) -> tuple[str, str] | None:
        """(key, plain text) of a scalar field; lists and tables are reported and ignored."""
        hit = self.find(canonical)
        if hit is None:
            return None
        key, value = hit
        if isinstance(value, dict | list):
            self.warn(key, f"must be text, not a {'list' if isinstance(value, list) else 'table'}",
                      "write a single quoted string")
            return None
        return key, plain_text(str(value))
