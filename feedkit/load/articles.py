"""Read the content folder: take the article files (``discovery.py``), decode them, split
their front matter (``front_matter.py``) and build ``Article``s, or ``Problem``s for what
cannot be.

Loading never raises, whatever the bytes: one bad file is reported and the rest still load.
Bodies are not kept: an ``Article`` reads its body again when something renders it.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from feedkit.cache import (
    Cache,
    Stamp,
    decode_article,
    decode_problem,
    encode_article,
    encode_problem,
)
from feedkit.errors import Problem, error, warning
from feedkit.load.discovery import EXTENSIONS, scan
from feedkit.model import Article, BodyFormat, BodySource, Site, TextBody
from feedkit.render.bodies import body_to_html
from feedkit.text import excerpt, plain_text, strip_controls

if TYPE_CHECKING:
    from feedkit.load.fields import Fields

log = logging.getLogger(__name__)

# -- decoding -------------------------------------------------------------------------------------


_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_C0 = bytes(b for b in range(256) if not ((b < 32 and b not in (9, 10, 13)) or b == 127))


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    notes: tuple[str, ...] = ()


def decode(data: bytes) -> Decoded:
    """Bytes → text with ``\\n`` line ends: UTF-8 (BOM or not), UTF-16 with a BOM, else
    Windows-1252, else Latin-1 (which never fails). NUL and other C0 controls are removed."""
    notes: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        for legacy in ("cp1252", "latin-1"):
            try:
                text = data.decode(legacy)
            except UnicodeDecodeError:
                continue
            encoding = legacy
            notes.append(f"is not UTF-8; read as {legacy}")
            break
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # a bytes test first: 10x faster than searching the text, and almost always negative
    if (encoding.startswith("utf-16") or data.translate(None, _NOT_C0)) and _C0.search(text):
        # YAML, TOML and JSON all refuse these; XML feeds may not carry them either
        text = _C0.sub("", text)
        notes.append("contains NUL or other control characters; they were removed")
    return Decoded(text, encoding, tuple(notes))


@dataclass(frozen=True, slots=True)
class FileBody:
    """A body that stays on disk until rendered: the file is read and decoded again then."""

    path: str | Path  # a str when loaded from a folder: 100,000 Paths cost ~60 MB
    encoding: str
    offset: int
    format: BodyFormat
    stamp: tuple[int, int] = (0, 0)  # (size, mtime_ns) when loaded: an edited file is a new body

    def read(self) -> str:
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            log.warning("%s: cannot read the body again: %s", self.path, exc)
            return ""
        return strip_controls(decode(data).text[self.offset:])


# -- one article ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one file gave: an article (or None) and its problems."""

    article: Article | None
    problems: tuple[Problem, ...]
    url_from_slug: bool = True


def parse_article(
    text: str,
    path: Path,
    *,
    site: Site,
    body_format: BodyFormat = BodyFormat.MARKDOWN,
    body_source: Callable[[int], BodySource] | None = None,
) -> Parsed:
    """Build the article in ``text`` (from the file ``path``, relative to the content folder).

    ``body_source(offset)`` makes the article's body; by default the body is kept in memory.
    """
    from feedkit.load import fields as metadata  # deferred: not needed when the cache answers
    from feedkit.load import front_matter

    problems: list[Problem] = []
    if not text.strip():
        return Parsed(None, (error(path, None, "empty file", "write front matter and a body"),))
    try:
        split = front_matter.split_front_matter(text)
    except front_matter.FrontMatterError as exc:
        return Parsed(None, (error(path, None, exc.message, exc.hint, line=exc.line),))
    if split is None:
        if body_format is BodyFormat.MARKDOWN and path.suffix.lower() != ".txt":
            return Parsed(None, (error(path, None, "no front matter",
                                       "start the file with --- and a title: line"),))
        return Parsed(None, (warning(path, None, "no front matter; not an article",
                                     "add front matter, or move the file out of content/"),))

    def line_of(key: str) -> int | None:
        m = re.search(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*[:=]", split.fm_text,
                      re.MULTILINE | re.IGNORECASE)
        return None if m is None else split.fm_line + split.fm_text.count("\n", 0, m.start())

    fields = metadata.resolve(split.meta, path=path, site_url=site.url, zone=site.timezone,
                     line_of=line_of)
    problems.extend(fields.problems)
    if any(p.is_error for p in problems) or fields.published is None:
        return Parsed(None, tuple(problems))
    body = (body_source(split.body_offset) if body_source
            else TextBody(strip_controls(split.body), body_format))
    if not fields.description:
        try:
            # the start of the body is enough for 280 characters, and bounds the work
            fields.description = excerpt(plain_text(body_to_html(split.body[:4000],
                                                                   body_format)))
        except RecursionError:  # Markdown nested thousands deep; check reports the body
            fields.description = ""
    if not fields.description and not split.body.strip():
        problems.append(warning(path, "body", "empty, and no description: readers would see "
                                "only the title", "write the article, or add draft: true "
                                "until it is ready (digests leave out an article with nothing "
                                "but a title)"))
    return Parsed(_article(path, fields, body), tuple(problems), fields.url_from_slug)


def _article(path: Path, f: Fields, body: BodySource) -> Article:
    assert f.published is not None
    return Article(
        path=path, slug=f.slug, url=f.url, title=f.title, published=f.published, body=body,
        id=f.id, subtitle=f.subtitle, description=f.description, updated=f.updated,
        authors=f.authors, tags=f.tags, hero_image=f.hero_image, cta=f.cta, draft=f.draft,
        archived=f.archived, source=f.source, read_time=f.read_time,
    )


_NOTE_HINTS = {
    "is not UTF-8": "save the file as UTF-8 (check the result: the guess may be wrong)",
    "contains NUL or other control characters": "remove them (an editor shows them as ^@)",
}


def load_article(file: Path | str, *, root: Path, site: Site, max_file_size: int,
                 stat: os.stat_result | None = None) -> Parsed:
    """Read one file under ``root`` and parse it; never raises."""
    rel = Path(os.path.relpath(file, root))
    try:
        stat = stat or os.stat(file)
        size = stat.st_size
        if size > max_file_size:
            return Parsed(None, (error(rel, None, f"is {size:,} bytes, over the limit of "
                                       f"{max_file_size:,}", "raise content.max_file_size or "
                                       "split the article"),))
        with open(file, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return Parsed(None, (error(rel, None, f"cannot be read: {exc.strerror or exc}"),))
    decoded = decode(data)
    notes = tuple(warning(rel, None, note, _NOTE_HINTS.get(note.split(";")[0]))
                  for note in decoded.notes)
    body_format = EXTENSIONS.get(os.path.splitext(file)[1].lower(), BodyFormat.MARKDOWN)
    parsed = parse_article(
        decoded.text, rel, site=site, body_format=body_format,
        body_source=lambda offset: FileBody(os.fspath(file), decoded.encoding, offset,
                                            body_format,
                                            (size, stat.st_mtime_ns)),
    )
    return replace(parsed, problems=notes + parsed.problems)


# -- the folder -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoadResult:
    """All articles that loaded (in file order) and every problem found."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    files: int = 0
    ignored: tuple[Path, ...] = field(default=())


def load_articles(root: Path, *, site: Site, max_file_size: int = 5_000_000,
                  cache: Cache | None = None) -> LoadResult:
    """Load every article under ``root``. Never raises for a bad file; a missing folder is a
    problem too. With a ``cache``, files whose size and mtime are unchanged are not parsed
    again (the cache's fingerprint must cover ``site`` and ``max_file_size``)."""
    problems: list[Problem] = []
    from feedkit.load import front_matter
    from feedkit.pool import parse_files

    if not front_matter.HAS_LIBYAML:
        problems.append(warning(None, None, "libyaml is not available: YAML is read ~9x slower",
                                "pip install --force-reinstall --no-binary=:none: PyYAML"))
    if not root.is_dir():
        problems.append(error(root, None, "content folder not found",
                              "pass --content DIR or set [content] dir in feedkit.toml"))
        return LoadResult((), tuple(problems))
    articles: list[Article] = []
    from_slug: list[bool] = []
    skipped: list[Path] = []
    broken: list[Path] = []
    cache = cache or Cache.disabled()
    found: list[tuple[str, str, Stamp, Parsed | None]] = []
    for entry in scan(root, skipped, broken):
        file = entry.path
        rel = os.path.relpath(file, root).replace(os.sep, "/")
        try:
            stat = entry.stat()
        except OSError as exc:
            problems.append(error(Path(rel), None, f"cannot be read: {exc.strerror or exc}"))
            continue
        stamp = (stat.st_size, stat.st_mtime_ns)
        found.append((file, rel, stamp, _from_cache(cache.parsed(rel, stamp), file, stamp)))
    files = len(found)
    missing = [entry[0] for entry in found if entry[3] is None]
    parsed_now = iter(parse_files(missing, root=root, site=site, max_file_size=max_file_size))
    fresh: list[tuple[str, Stamp, tuple[Any, ...]]] = []
    for _file, rel, stamp, cached in found:
        parsed = cached
        if parsed is None:
            parsed = next(parsed_now)
            body_stamp = getattr(parsed.article.body, "stamp", stamp) if parsed.article \
                else stamp
            if cache.enabled and body_stamp == stamp:  # unchanged while it was read
                fresh.append((rel, stamp, _to_cache(parsed)))
        problems.extend(parsed.problems)
        if parsed.article is not None:
            articles.append(parsed.article)
            from_slug.append(parsed.url_from_slug)
    cache.store_parsed(fresh)
    cache.forget_except(rel for _, rel, _, _ in found)
    articles = _distinct_slugs(articles, from_slug, site, problems)
    problems.extend(warning(link.relative_to(root), None, "is a symlink out of the content "
                            "folder; skipped", "move the file into the folder") for link in skipped)
    problems.extend(warning(link.relative_to(root), None, "is a symlink to nothing; skipped",
                            "point it at a file, or remove it") for link in broken)
    return LoadResult(tuple(articles), tuple(problems), files, tuple(skipped))


def load_article_safely(file: Path | str, *, root: Path, site: Site, max_file_size: int) -> Parsed:
    """``load_article``, with any unexpected failure turned into one problem for the file."""
    try:
        return load_article(file, root=root, site=site, max_file_size=max_file_size)
    except Exception as exc:  # the one broad catch: a bug must not lose the other articles
        log.exception("%s: unexpected failure", file)
        return Parsed(None, (error(Path(os.path.relpath(file, root)), None,
                                   f"could not be loaded ({type(exc).__name__}: {exc})",
                                   "please report this as a feedkit bug"),))


def _to_cache(parsed: Parsed) -> tuple[Any, ...]:
    article = None if parsed.article is None else encode_article(parsed.article)
    return (article, tuple(encode_problem(p) for p in parsed.problems), parsed.url_from_slug)


def pack_parsed(parsed: Parsed) -> tuple[Any, ...]:
    """``parsed`` as plain tuples (for marshal), with the stamp its body was read at."""
    stamp = getattr(parsed.article.body, "stamp", None) if parsed.article else None
    return (_to_cache(parsed), stamp)


def unpack_parsed(packed: tuple[Any, ...], file: Path | str) -> Parsed:
    """The inverse of ``pack_parsed`` for the article read from ``file``."""
    value, stamp = packed
    parsed = _from_cache(value, file, tuple(stamp) if stamp else (0, 0))  # type: ignore[arg-type]
    if parsed is None:
        raise ValueError(f"{file}: a parse result did not survive the trip between processes")
    return parsed


def _from_cache(value: tuple[Any, ...] | None, file: Path | str, stamp: Stamp
                ) -> Parsed | None:
    if value is None:
        return None
    try:
        article = None if value[0] is None else decode_article(value[0], file=file,
                                                                stamp=stamp)
        return Parsed(article, tuple(decode_problem(p) for p in value[1]), bool(value[2]))
    except (TypeError, ValueError, IndexError, KeyError):  # an entry from another version
        return None


def _distinct_slugs(articles: list[Article], from_slug: list[bool], site: Site,
                    problems: list[Problem]) -> list[Article]:
    """Articles sharing a slug: the first published keeps it, each other one gets
    ``slug-<6 hex digits of its file path>``. A suffix from the article's own path, not from
    its rank, so adding or removing another file never renames it (its URL and feed id stay)."""
    groups: dict[str, list[int]] = {}
    for index, article in enumerate(articles):
        groups.setdefault(article.slug, []).append(index)
    taken = set(groups)
    result = list(articles)
    for slug, members in groups.items():
        if len(members) < 2:
            continue
        members.sort(key=lambda i: (articles[i].published, articles[i].path.as_posix()))
        for index in members[1:]:
            article = articles[index]
            digest = hashlib.sha256(article.path.as_posix().encode()).hexdigest()
            width = 6
            while f"{slug}-{digest[:width]}" in taken:
                width += 2
            new_slug = f"{slug}-{digest[:width]}"
            taken.add(new_slug)
            url = site.url + quote(new_slug, safe="") + "/" if from_slug[index] else article.url
            problems.append(warning(article.path, "slug", f"{slug!r} is also used by "
                                    f"{articles[members[0]].path.as_posix()}, published "
                                    f"earlier; this one is {new_slug!r}",
                                    "give each article its own slug"))
            result[index] = replace(article, slug=new_slug, url=url)
    return result
