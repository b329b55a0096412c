"""Raw front matter → typed article fields, through one alias table.

The publisher's spellings (``publish_date``, ``publishedOn``, ``heroImage``, ``mainImage``, …) and
those of Jekyll, Hugo, Zola, Astro, Eleventy and Pelican appear only here. Every rule that turns
a value into a field lives in this module or, for URLs (the article's, its hero image's and its
call to action's), in ``urls``; problems are collected, never raised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from email.utils import parseaddr
from pathlib import Path
from typing import TypeVar

from feedkit.dates import DateError, parse_date
from feedkit.errors import Problem, error, warning
from feedkit.load import urls
from feedkit.model import Author, CallToAction, Image
from feedkit.text import plain_text, slugify

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
# Eleventy's file-time "dates": they change with every checkout, and ids depend on the date
_FILE_TIME_DATES = {"last modified", "git last modified", "created", "git created"}
_DRAFT_STATUSES = {"draft", "hidden", "private", "unpublished", "unlisted"}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0", ""}
TITLE_WARN, TITLE_MAX = 200, 500

_DATE_IN_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[-_](.+)$")
_DATE_IN_PATH = re.compile(r"(?:^|/)(\d{4})/(\d{1,2})/(\d{1,2})(?=/|$)")


@dataclass(slots=True)
class Fields:
    """Everything resolved from one article's front matter (before the model checks it)."""

    id: str | None = None
    title: str = ""
    subtitle: str = ""
    description: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    authors: tuple[Author, ...] = ()
    tags: tuple[str, ...] = ()
    hero_image: Image | None = None
    cta: CallToAction | None = None
    slug: str = ""
    url: str = ""
    url_from_slug: bool = True
    draft: bool = False
    archived: bool = False
    source: str = ""
    read_time: str = ""
    problems: list[Problem] = field(default_factory=list)


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
            if _is_empty(hit[1]):
                continue
            for canonical, rank in _FIELDS_OF.get(lower, ()):
                ranked.setdefault(canonical, []).append((rank, hit))
        top_level = set(ranked)
        for table in NESTED_TABLES:  # only for fields the top level leaves empty
            name, nested = self.lower.get(table, ("", None))
            if not isinstance(nested, Mapping):
                continue
            for key, value in nested.items():
                if _is_empty(value):
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


def _is_flag(value: object) -> bool:
    """A boolean, or the text of one (Pelican headers and quoted YAML hold only strings)."""
    return isinstance(value, bool) or (
        isinstance(value, str) and value.strip().lower() in {"true", "false", "yes", "no"})


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] \
        or value == {}


def resolve(
    meta: Mapping[object, object],
    *,
    path: Path,
    site_url: str,
    zone: tzinfo,
    line_of: Callable[[str], int | None] = lambda key: None,
) -> Fields:
    """Resolve the front matter of the article at ``path`` (relative to the content folder)."""
    r = Reader(meta, path, line_of)
    f = Fields()

    title = r.text("title")
    if title is None or not title[1]:
        r.fail("title", "missing", "add title: \"…\" to the front matter")
    else:
        key, f.title = title
        if len(f.title) > TITLE_MAX:
            r.warn(key, f"is {len(f.title)} characters long; cut to {TITLE_MAX}",
                   "write a shorter title")
            f.title = f.title[: TITLE_MAX - 1].rstrip() + "…"
        elif len(f.title) > TITLE_WARN:
            r.warn(key, f"is {len(f.title)} characters long; feed readers cut long titles",
                   f"keep titles under {TITLE_WARN} characters")
    for name in ("subtitle", "description", "source", "read_time"):
        hit = r.text(name)
        if hit is not None:
            setattr(f, name, hit[1])
    hit_id = r.text("id")
    f.id = hit_id[1] if hit_id and hit_id[1] else None

    f.slug, name_date = _slug_and_date_from_path(r, path)
    f.published = _published(r, path, zone, name_date)
    f.updated = _updated(r, zone, f.published)
    _status(r, f)
    f.url, f.url_from_slug = urls.article_url(r, f.slug, site_url)
    f.authors = _authors(r)
    f.tags = _tags(r)
    f.hero_image = urls.hero_image(r, f.url, f.title)
    f.cta = urls.call_to_action(r, f.url)
    f.problems = r.problems
    return f


# -- slug, URL and dates from the path ------------------------------------------------------------


def _slug_and_date_from_path(r: Reader, path: Path) -> tuple[str, tuple[str, str, str] | None]:
    stem = path.stem
    if stem.lower() == "index" and len(path.parts) > 1:
        stem = path.parent.name  # a page bundle: some-post/index.md is "some-post"
    date_parts = None
    m = _DATE_IN_NAME.match(stem)
    if m:
        date_parts, stem = (m.group(1), m.group(2), m.group(3)), m.group(4)
    explicit = r.text("slug")
    slug = slugify(explicit[1]) if explicit else ""
    if explicit and not slug:
        r.warn(explicit[0], f"{explicit[1]!r} has no letters or digits", "it is ignored")
    return slug or slugify(stem) or "article", date_parts


def _published(r: Reader, path: Path, zone: tzinfo,
               name_date: tuple[str, str, str] | None) -> datetime | None:
    for key, value in r.find_all("published"):
        if _is_flag(value):  # Jekyll's "published: false" is a status, not a date
            continue
        if isinstance(value, str) and value.strip().lower() in _FILE_TIME_DATES:
            r.warn(key, f"{value!r} is Eleventy's file-time date, which changes with every "
                   "checkout; feedkit needs a fixed date (the feed ids depend on it)",
                   f"write the date, e.g. {key}: 2025-02-01; until then the date in the file "
                   "name or folder is used, if there is one")
            continue
        try:
            return parse_date(value, zone)
        except DateError as exc:
            r.fail(key, exc.message, exc.hint)
            return None
    candidates: list[tuple[str, tuple[str, str, str]]] = []
    if name_date:
        candidates.append(("file name", name_date))
    folder = _DATE_IN_PATH.search(path.parent.as_posix())
    if folder:
        candidates.append(("folder", folder.groups()))  # type: ignore[arg-type]
    hit = r.find("path")
    if hit and isinstance(hit[1], str):
        m = _DATE_IN_PATH.search(hit[1].strip("/"))
        if m:
            candidates.append((hit[0], m.groups()))  # type: ignore[arg-type]
    for where, (y, mo, d) in candidates:
        try:
            return parse_date(f"{y}-{int(mo):02d}-{int(d):02d}", zone)
        except DateError:
            r.warn("date", f"the {where} holds {y}/{mo}/{d}, which is not a date")
    r.fail("publish_date", "missing: the article cannot be ordered",
           "add publish_date: YYYY-MM-DD (or date:) to the front matter")
    return None


def _updated(r: Reader, zone: tzinfo, published: datetime | None) -> datetime | None:
    hit = r.find("updated")
    if hit is None:
        return None
    key, value = hit
    try:
        updated = parse_date(value, zone)
    except DateError as exc:
        r.warn(key, f"{exc.message}; ignored", exc.hint)
        return None
    if published is not None and updated < published:
        r.warn(key, f"{updated.date().isoformat()} is before the publish date "
               f"{published.date().isoformat()}; ignored", "fix or remove the updated date")
        return None
    return updated


def _flag(r: Reader, canonical: str, *, unsure: bool) -> bool | None:
    hit = r.find(canonical)
    if hit is None:
        return None
    key, value = hit
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    r.warn(key, f"{value!r} is not true or false; treated as {str(unsure).lower()}",
           "write true or false")
    return unsure


def _status(r: Reader, f: Fields) -> None:
    f.draft = bool(_flag(r, "draft", unsure=True))
    status = r.text("status")
    if status and status[1].lower() in _DRAFT_STATUSES:
        f.draft = True
    published = r.lower.get("published")
    if published is not None and _is_flag(published[1]) and \
            str(published[1]).strip().lower() in _FALSE:
        f.draft = True
    archived = status is not None and status[1].lower() == "archived"
    f.archived = bool(_flag(r, "archived", unsure=True)) or archived


# -- people and tags ------------------------------------------------------------------------------


def _author(value: object) -> Author | None:
    if isinstance(value, dict):
        name = plain_text(str(value.get("name") or value.get("title") or ""))
        email = value.get("email")
        url = value.get("url") or value.get("link")
        return Author(name, str(email) if email else None, str(url) if url else None) \
            if name else None
    if isinstance(value, str | int | float):
        raw = str(value)
        if re.search(r"<[^<>@\s]+@[^<>\s]+>", raw):  # "Name <email>": before plain_text eats it
            name, email = parseaddr(raw)
            if email:
                return Author(plain_text(name) or email, email)
        text = plain_text(raw)
        return Author(text) if text else None
    return None


# one instance per distinct author and tag, however many articles name it: a 100,000-article
# archive by a handful of authors holds a handful of Author objects
_SHARED: dict[object, object] = {}
T = TypeVar("T")


def _shared(value: T) -> T:
    if len(_SHARED) > 50_000:
        _SHARED.clear()
    return _SHARED.setdefault(value, value)  # type: ignore[return-value]


def _authors(r: Reader) -> tuple[Author, ...]:
    hit = r.find("author")
    if hit is None:
        return ()
    key, value = hit
    if isinstance(value, list):
        items: list[object] = value
    elif isinstance(value, str) and key.lower() == "authors":
        # Pelican's rule: "Authors: A; B" when a name has a comma ("Doe, Jane"), else "A, B"
        items = [name for name in value.split(";" if ";" in value else ",") if name.strip()]
    else:
        items = [value]
    authors = [_shared(a) for a in (_author(item) for item in items) if a is not None]
    if not authors:
        r.warn(key, "has no usable name", "write a name, or {name, email}")
    return tuple(authors)


def _tags(r: Reader) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for key, value in r.find_all("tags"):
        items = value if isinstance(value, list) else str(value).split(",")
        for item in items:
            if isinstance(item, dict | list):
                r.warn(key, "holds a list or table where a tag name belongs; ignored")
                continue
            tag = plain_text(str(item))
            if not tag:
                continue
            if "/" in tag or "\\" in tag or ".." in tag:
                r.warn(key, f"{tag!r} looks like a path; its feed is named "
                       f"{slugify(tag) or 'tag'!r}", "tags are names, not paths")
            seen.setdefault(tag.casefold(), tag)
    return _shared(tuple(_shared(tag) for tag in seen.values()))
