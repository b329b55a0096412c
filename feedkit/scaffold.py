"""Scaffolding: what ``feedkit init`` (a new site) and ``feedkit new`` (a new article) write.

The ``render_*`` and ``*_files`` functions are pure and return text or ``{relative path: text}``;
``init_site`` and ``create_article`` are the only writers, and never replace a file unless told to.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from feedkit.dates import DateError, parse_date
from feedkit.deliver.output import WriteResult, create_exclusive, write_atomic
from feedkit.errors import ConfigError, OutputError, UsageError
from feedkit.settings import CONFIG_NAME, SETTINGS, SETTINGS_BY_KEY, Setting, check_site_url
from feedkit.text import slugify

# the two house front-matter schemas, named by their publish-date key
SCHEMAS = ("publish_date", "publishedOn")
DEFAULT_SCHEMA = "publish_date"
PLACEHOLDER_URL = "https://example.org"
WELCOME_PATH = "content/welcome.md"
GITIGNORE_LINES = ("public/", ".feedkit/")
DEFAULT_ZONE = ZoneInfo(str(SETTINGS_BY_KEY["site.timezone"].default))

# the keys each schema's new article starts with, in this order (values are filled per article)
_KEYS: dict[str, tuple[str, ...]] = {
    "publish_date": ("title", "description", "publish_date", "heroImage", "heroImageAlt", "cta",
                     "tags"),
    "publishedOn": ("title", "description", "publishedOn", "mainImage", "altTextMainImage",
                    "cta", "tags", "draft", "archived"),
}
_HERO = {"publish_date": ("heroImage", "heroImageAlt"),
         "publishedOn": ("mainImage", "altTextMainImage")}
# names Windows refuses as files, whatever the extension
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}
_SLUG_BYTES = 200  # file names are limited to 255 bytes; leave room for "-NN.md"
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}[-_](.+)$")


# -- checking what the user typed ----------------------------------------------------------------


def check_url(text: str) -> str:
    """``text`` stripped, if it is an absolute http(s) URL without query or fragment; else
    ``ConfigError`` (the rule ``config.load`` applies to ``site.url``).

    >>> check_url(" https://news.example.org ")
    'https://news.example.org'
    """
    text = text.strip()
    try:
        check_site_url(text)
    except ValueError:
        raise ConfigError(f"{text!r} is not an absolute http(s) URL "
                          "(write it like https://news.example.org)") from None
    return text


def check_schema(schema: str) -> str:
    if schema not in SCHEMAS:
        raise UsageError(f"schema {schema!r} is not one of {', '.join(SCHEMAS)}")
    return schema


def one_line(text: str) -> str:
    """A title as one line: runs of whitespace (newlines too) become one space."""
    return " ".join(text.split())


def article_date(spec: str | None, *, now: datetime, zone: tzinfo) -> tuple[datetime, bool]:
    """(when, date only?) for a new article: ``spec`` in any form ``dates.parse_date`` reads,
    naive values in ``zone``; None means ``now``. ``UsageError`` if it is not a date.

    >>> from datetime import UTC
    >>> article_date("2025-02-05", now=datetime(2025, 1, 1, tzinfo=UTC), zone=UTC)
    (datetime.datetime(2025, 2, 5, 0, 0, tzinfo=datetime.timezone.utc), True)
    """
    if spec is None:
        return now.astimezone(zone).replace(microsecond=0), False
    try:
        moment = parse_date(spec, zone)
    except DateError as exc:
        raise UsageError(f"--date: {exc.message} ({exc.hint})") from exc
    date_only = ":" not in spec and (moment.hour, moment.minute, moment.second) == (0, 0, 0)
    return moment.replace(microsecond=0), date_only


def article_slug(title: str) -> str:
    """A safe file name stem for ``title``: a slug, never empty, never a name Windows reserves,
    at most 200 bytes of UTF-8.

    >>> article_slug("../../etc/passwd"), article_slug("🎉!!"), article_slug("CON")
    ('etc-passwd', 'untitled', 'con-article')
    """
    slug = slugify(title)
    while len(slug.encode("utf-8")) > _SLUG_BYTES:
        slug = slug[:-1].rstrip("-_")
    if not slug:
        return "untitled"
    return f"{slug}-article" if slug in _RESERVED else slug


# -- feedkit.toml ----------------------------------------------------------------------------------


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_value(value: object) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_string(str(item)) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(str(k))} = {_toml_string(str(v))}"
                               for k, v in value.items()) + "}"
    return _toml_string(str(value))


def _toml_key(name: str) -> str:
    """A TOML key: bare when it can be, else quoted."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _toml_string(name)


def render_config(*, url: str, title: str, values: Mapping[str, object] | None = None,
                  settings: Iterable[Setting] = SETTINGS) -> str:
    """A commented ``feedkit.toml``: ``[site] url`` and ``title`` set, and each setting in
    ``values`` (``{"site.language": "de"}``, tables as inline tables); every other setting
    listed with its one line of help and its default, commented out. Generated from
    ``config.SETTINGS``, so it lists exactly what ``config.load`` reads.

    >>> print(render_config(url="https://x.org", title="X", values={"site.permalinks": {
    ...     "posts": "/:year/:slug/"}}).split("[site]")[1].split("[content]")[0].strip())
    # Absolute http(s) base URL of the site, e.g. https://news.example.org (required).
    url = "https://x.org"
    ...
    permalinks = {posts = "/:year/:slug/"}
    """
    settings = tuple(settings)
    chosen: dict[str, object] = {**(values or {}), "site.url": url, "site.title": title}
    unknown = sorted(set(chosen) - {s.key for s in settings})
    if unknown:
        raise ValueError(f"not settings: {', '.join(unknown)}")
    lines = [
        "# feedkit settings, written by `feedkit init`.",
        "# Every setting is listed with its one line of help and its default. To change one,",
        '# remove the "# " in front of it. Flags beat FEEDKIT_<SECTION>_<NAME> environment',
        "# variables, which beat this file, which beats the defaults.",
        "# Secrets never go in this file: the SMTP password is read only from the",
        "# FEEDKIT_SMTP_PASSWORD environment variable.",
    ]
    if values:
        lines.insert(1, "# `init --from` read the settings not commented out from the site's "
                        "own config: check them.")
    section = None
    for setting in settings:
        if setting.section != section:
            section = setting.section
            lines += ["", f"[{section}]"]
        lines.append(f"# {setting.help}")
        if setting.key in chosen:
            lines.append(f"{_toml_key(setting.name)} = {_toml_value(chosen[setting.key])}")
        else:
            lines.append(f"# {setting.name} = {_toml_value(setting.default)}")
    return "\n".join(lines) + "\n"


def render_gitignore(existing: str | None = None) -> str | None:
    """The ``.gitignore`` with ``public/`` and ``.feedkit/``: ``existing`` with the missing lines
    added, or None when it has them all (a user's own lines are never dropped)."""
    have = {line.strip() for line in (existing or "").splitlines()}
    missing = [line for line in GITIGNORE_LINES if line not in have]
    if existing is not None and not missing:
        return None
    head = "# feedkit: built feeds and the digest, and the state and cache files\n"
    if existing is None:
        return head + "".join(f"{line}\n" for line in missing)
    sep = "" if not existing or existing.endswith("\n") else "\n"
    return existing + sep + head + "".join(f"{line}\n" for line in missing)


# -- articles --------------------------------------------------------------------------------------


def render_article(
    title: str, *, schema: str, published: datetime, date_only: bool = False,
    draft: bool = False, values: Mapping[str, object] | None = None, body: str = "",
) -> str:
    """An article in ``schema`` with empty description, hero image and call to action (or those
    in ``values``, keyed like the schema), every value quoted by ``yaml.safe_dump``."""
    when: object
    if schema == "publish_date":  # schema A quotes its dates; schema B writes YAML dates
        when = published.date().isoformat() if date_only \
            else published.isoformat(timespec="seconds")
    else:
        when = published.date() if date_only else published
    empty: dict[str, object] = {"tags": [], "draft": False, "archived": False}
    meta = {key: empty.get(key, "") for key in _KEYS[check_schema(schema)]}
    meta.update(values or {})
    meta.update({"title": one_line(title), schema: when})
    if draft:
        meta["draft"] = True
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=2**31)
    return f"---\n{front}---\n\n{body}"


def welcome_article(*, title: str, schema: str, now: datetime, zone: tzinfo) -> str:
    """The first article of a new site, dated ``now`` in ``zone`` (so a digest of the last
    days finds it), explaining the front matter it uses."""
    hero, alt = _HERO[check_schema(schema)]
    status = "`draft: true` keeps an article out of the feeds and the digest" + (
        "; `archived: true` keeps an old one out too" if schema == "publishedOn" else "")
    body = f"""\
`feedkit init` wrote this article. Every Markdown file in `content/` is an article: front matter
between the `---` lines, then the body.

## The front matter

- `title` (required), and `description`: the summary that feeds and the digest show.
- `{schema}`: when it is published; a date without an offset is read in `[site] timezone`.
  Articles dated in the future stay out of the feeds until their day comes.
- `{hero}` and `{alt}`: an image shown above the article (an https URL, or a path relative
  to the article) and its alternative text.
- `cta`: a call to action after the article (text, or `{{text, url}}`).
- `tags`: a list of names; each tag gets its own feeds.
- {status}.

## What to do next

Write your own with `feedkit new "Your title"`, then run `feedkit check` to see what feedkit
makes of every article, `feedkit build` to write the feeds into `public/`, and
`feedkit digest --since 7d` for an email of the last week's articles.
"""
    return render_article(
        f"Welcome to {one_line(title)}", schema=schema,
        published=now.astimezone(zone).replace(microsecond=0),
        values={"description": "Your first article: read it, then edit or delete it.",
                "cta": "Reply and tell us what you would like to read next."},
        body=body)


def site_files(*, url: str, title: str, schema: str = DEFAULT_SCHEMA, now: datetime,
               zone: tzinfo = DEFAULT_ZONE, values: Mapping[str, object] | None = None,
               welcome: bool = True) -> dict[str, str]:
    """Everything ``feedkit init`` writes, as ``{relative path: text}``: ``values`` are more
    settings to set (``init --from``), ``welcome`` whether to write a first article."""
    gitignore = render_gitignore()
    assert gitignore is not None
    files = {CONFIG_NAME: render_config(url=check_url(url), title=one_line(title),
                                        values=values)}
    if welcome:
        files[WELCOME_PATH] = welcome_article(title=title, schema=schema, now=now, zone=zone)
    files[".gitignore"] = gitignore
    return files


# -- reading a site's articles ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Survey:
    """What ``new`` needs to know of the existing articles: their schemas and slugs."""

    schemas: Counter[str]
    slugs: frozenset[str]

    @property
    def schema(self) -> str:
        """The schema most articles use (``publish_date`` on a tie or with none)."""
        a, b = (self.schemas.get(s, 0) for s in SCHEMAS)
        return SCHEMAS[1] if b > a else SCHEMAS[0]


def survey(content_dir: Path) -> Survey:
    """Read the articles under ``content_dir`` (unreadable ones are skipped: ``check`` reports
    them) for the publish-date key each uses and the slugs already taken."""
    from feedkit.load.decoding import decode
    from feedkit.load.discovery import discover
    from feedkit.load.front_matter import FrontMatterError, split_front_matter

    schemas: Counter[str] = Counter()
    slugs: set[str] = set()
    keys = {s.lower(): s for s in SCHEMAS}
    if not content_dir.is_dir():
        return Survey(schemas, frozenset())
    for file in discover(content_dir):
        stem = file.parent.name if file.stem.lower() == "index" else file.stem
        m = _DATE_PREFIX.match(stem)
        slugs.add(slugify(m.group(1) if m else stem))
        try:
            split = split_front_matter(decode(file.read_bytes()).text)
        except (OSError, FrontMatterError):
            continue
        if split is None:
            continue
        names = {str(key).lower(): value for key, value in split.meta.items()}
        schemas.update(keys[k] for k in keys if k in names)
        if isinstance(names.get("slug"), str):
            slugs.add(slugify(names["slug"]))
    return Survey(schemas, frozenset(slugs))


# -- writing ---------------------------------------------------------------------------------------


class Change(enum.StrEnum):
    CREATED = "created"
    REPLACED = "replaced"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def init_site(root: Path, *, url: str, title: str, schema: str = DEFAULT_SCHEMA,
              now: datetime, force: bool = False, values: Mapping[str, object] | None = None,
              welcome: bool = True) -> dict[str, Change]:
    """Write a new site into ``root``: ``feedkit.toml`` (with ``values`` set too),
    ``content/welcome.md`` unless not ``welcome``, and ``.gitignore`` (an existing one gets the
    missing lines added). Refuses, writing nothing, if any other file exists, unless
    ``force``."""
    files = site_files(url=url, title=title, schema=schema, now=now, values=values,
                       welcome=welcome)
    targets = {rel: root.joinpath(*rel.split("/")) for rel in files}
    ignore = targets[".gitignore"]
    if ignore.is_file():
        try:
            merged = render_gitignore(ignore.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            raise OutputError(f"{ignore}: cannot read: {exc}") from exc
        files[".gitignore"] = merged if merged is not None else ""
    existing = [rel for rel, target in targets.items()
                if rel != ".gitignore" and (target.exists() or target.is_symlink())]
    if existing and not force:
        one = len(existing) == 1
        raise OutputError(f"{root}: {', '.join(existing)} already exist{'s' if one else ''}, so "
                          "this is a site already; nothing written (--force replaces "
                          f"{'it' if one else 'them'}, losing your settings and edits)")
    changes: dict[str, Change] = {}
    for rel, text in files.items():
        target = targets[rel]
        if rel == ".gitignore" and target.is_file():
            if not text:
                changes[rel] = Change.UNCHANGED
                continue
            write_atomic(target, text.encode("utf-8"))
            changes[rel] = Change.UPDATED
        elif rel in existing:
            result = write_atomic(target, text.encode("utf-8"))
            changes[rel] = Change.UNCHANGED if result is WriteResult.UNCHANGED \
                else Change.REPLACED
        else:
            try:
                create_exclusive(target, text.encode("utf-8"))
            except FileExistsError:
                raise OutputError(f"{target}: appeared while feedkit init ran; not replaced "
                                  "(pass --force to replace it)") from None
            except OSError as exc:
                raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from exc
            changes[rel] = Change.CREATED
    return changes


def create_article(content_dir: Path, text: str, *, slug: str,
                   taken: Iterable[str] = ()) -> Path:
    """Write ``text`` to ``content_dir/<slug>.md``, or ``<slug>-2.md``, ``-3``… when that
    slug is ``taken`` or the file exists. Never replaces a file."""
    taken = set(taken)
    data = text.encode("utf-8")
    for n in itertools.count(1):
        candidate = slug if n == 1 else f"{slug}-{n}"
        if candidate in taken:
            continue
        target = content_dir / f"{candidate}.md"
        try:
            create_exclusive(target, data)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from exc
        return target
    raise AssertionError("unreachable")  # pragma: no cover
