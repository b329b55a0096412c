"""Raw front matter → typed article fields, read through the alias table (``aliases``).

Every rule that turns a value into a field lives in this module or, for URLs (the article's,
its hero image's and its call to action's), in ``urls``; problems are collected, never raised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from feedkit.dates import DateError, parse_date
from feedkit.errors import Problem
from feedkit.load import urls
from feedkit.load.aliases import Reader, is_empty
from feedkit.load.permalinks import Place, UrlRules
from feedkit.model import Author, CallToAction, Image
from feedkit.text import plain_text, slugify

# Eleventy's file-time "dates": they change with every checkout, and ids depend on the date
_FILE_TIME_DATES = {"last modified", "git last modified", "created", "git created"}
_DRAFT_STATUSES = {"draft", "hidden", "private", "unpublished", "unlisted"}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0", ""}
TITLE_WARN, TITLE_MAX = 200, 500

# generators whose content folder holds pages beside posts, told apart by having no date
_DATELESS_PAGES = frozenset({"hugo", "zola", "eleventy"})
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
    no_page: bool = False  # Eleventy's "permalink: false": nothing to link a feed item to
    draft: bool = False
    archived: bool = False
    source: str = ""
    read_time: str = ""
    problems: list[Problem] = field(default_factory=list)


def _is_flag(value: object) -> bool:
    """A boolean, or the text of one (Pelican headers and quoted YAML hold only strings)."""
    return isinstance(value, bool) or (
        isinstance(value, str) and value.strip().lower() in {"true", "false", "yes", "no"})


def resolve(
    meta: Mapping[object, object],
    *,
    path: Path,
    site_url: str,
    zone: tzinfo,
    line_of: Callable[[str], int | None] = lambda key: None,
    intern: dict[Any, Any] | None = None,
    url_rules: UrlRules | None = None,
) -> Fields:
    """Resolve the front matter of the article at ``path`` (relative to the content folder).

    ``intern`` (one per load) makes equal authors and tag tuples one object each: a
    100,000-article archive by a handful of authors holds a handful of ``Author`` objects.
    """
    r = Reader(meta, path, line_of)
    shared = intern if intern is not None else {}
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
    pages = url_rules is not None and url_rules.generator in _DATELESS_PAGES
    f.published = _published(r, path, zone, name_date, pages=pages)
    f.updated = _updated(r, zone, f.published)
    _status(r, f)
    place = None
    if url_rules is not None and f.published is not None:
        explicit_slug = r.text("slug")
        place = Place(path.as_posix(), f.title, f.published,
                      explicit_slug[1] if explicit_slug and explicit_slug[1] else None,
                      _categories(r))
    url, f.url_from_slug = urls.article_url(r, f.slug, site_url, rules=url_rules, place=place)
    f.no_page = url is None
    f.url = url or site_url
    f.authors = _authors(r, shared)
    f.tags = _tags(r, shared)
    f.hero_image = urls.hero_image(r, f.url, f.title, site_url=site_url, rules=url_rules,
                                   place=place)
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


def _published(r: Reader, path: Path, zone: tzinfo, name_date: tuple[str, str, str] | None,
               *, pages: bool = False) -> datetime | None:
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
    if pages:
        r.warn("date", "none: the site's generator publishes a file without a date as a page "
               "(an about page, a list), not a post; left out of the feeds",
               "add date: YYYY-MM-DD to publish it as an article")
        return None
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


def _categories(r: Reader) -> tuple[str, ...]:
    """The categories a URL pattern's ``:categories``/``{category}`` is made of: Jekyll's
    ``categories``/``category`` (text split on spaces, as Jekyll does) and Pelican's
    ``Category``."""
    for key in ("categories", "category"):
        hit = r.lower.get(key)
        if hit is None or is_empty(hit[1]):
            continue
        value = hit[1]
        items = value if isinstance(value, list) else str(value).split() if key == "categories" \
            else [str(value)]
        return tuple(plain_text(str(item)) for item in items
                     if item is not None and not isinstance(item, dict | list))
    return ()


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


def _authors(r: Reader, shared: dict[Any, Any]) -> tuple[Author, ...]:
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
    authors = [shared.setdefault(a, a) for a in (_author(item) for item in items)
               if a is not None]
    if not authors:
        r.warn(key, "has no usable name", "write a name, or {name, email}")
    return tuple(authors)


def _tags(r: Reader, shared: dict[Any, Any]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for key, value in r.find_all("tags"):
        items = value if isinstance(value, list) else str(value).split(",")
        for item in items:
            if item is None:  # an empty list entry ("- " or "null"), not a tag named "None"
                continue
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
    tags = tuple(shared.setdefault(tag, tag) for tag in seen.values())
    return shared.setdefault(tags, tags)  # type: ignore[no-any-return]
