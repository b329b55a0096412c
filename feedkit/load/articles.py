"""One article file → an ``Article`` (or ``Problem``s): decode it, split its front matter
(``front_matter``), resolve its fields (``fields``) and give it an id (``ids``).

Parsing never raises, whatever the bytes: a bad file is a problem for that file. The body is
not kept: the ``Article`` says where it is, and the render stage has it read again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from feedkit.errors import Problem, error, warning
from feedkit.load.decoding import decode
from feedkit.load.discovery import EXTENSIONS
from feedkit.load.ids import derived_id
from feedkit.load.rules import LoadRules
from feedkit.model import Article, Body, BodyFormat

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one file gave: an article (or None) and its problems; whether its URL and its id
    were made from its slug (and must follow it when the slug has to change); and whether
    it follows from the file's bytes alone (a file that could not be read, or a bug, may
    load next time with the same bytes: such a result is never cached)."""

    article: Article | None
    problems: tuple[Problem, ...]
    url_from_slug: bool = True
    id_from_slug: bool = True
    from_bytes: bool = True


def parse_article(
    text: str,
    path: Path,
    *,
    rules: LoadRules,
    body_format: BodyFormat = BodyFormat.MARKDOWN,
    file: str | None = None,
    stamp: tuple[int, int] = (0, 0),
    intern: dict[Any, Any] | None = None,
) -> Parsed:
    """Build the article in ``text`` (from ``path``, relative to the content folder).

    With ``file`` (and its ``stamp``), the article's body is read from that file again when
    rendered; without, the body is held in memory. ``intern`` shares equal authors and tags.
    """
    from feedkit.load import fields as resolving  # deferred: not needed when the cache answers
    from feedkit.load import front_matter

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

    f = resolving.resolve(split.meta, path=path, site_url=rules.site.url,
                          zone=rules.site.timezone, line_of=line_of, intern=intern,
                          url_rules=rules.url_rules)
    problems = list(f.problems)
    if any(p.is_error for p in problems) or f.published is None or f.no_page:
        return Parsed(None, tuple(problems))
    has_body = bool(split.body) and not split.body.isspace()  # no copy of the body
    if not f.description and not has_body:
        problems.append(warning(path, "body", "empty, and no description: readers would see "
                                "only the title", "write the article, or add draft: true "
                                "until it is ready (digests leave out an article with nothing "
                                "but a title)"))
    body = Body(body_format, file=file, offset=split.body_offset, stamp=stamp) if file \
        else Body(body_format, text=split.body)
    ident = f.id or derived_id(rules.id_rule, slug=f.slug, published=f.published, url=f.url)
    article = Article(
        path=path, slug=f.slug, url=f.url, title=f.title, published=f.published, body=body,
        id=ident, subtitle=f.subtitle, description=f.description, updated=f.updated,
        authors=f.authors, tags=f.tags, hero_image=f.hero_image, cta=f.cta, draft=f.draft,
        archived=f.archived, source=f.source, read_time=f.read_time, has_body=has_body,
        content_hash=content_hash(f.title, split.body, description=f.description),
    )
    return Parsed(article, tuple(problems), f.url_from_slug, f.id is None)


def content_hash(title: str, body: str, *, description: str = "") -> str:
    """A short hash of an article's title, description and body as written (line ends and
    the space around the body aside): the same text under another file name hashes the same.
    "" when there is neither a body nor a description: a title alone names no article (a new
    post may reuse a deleted one's title).

    >>> content_hash("Launch", "Hello\\r\\n") == content_hash("Launch", "\\nHello\\n")
    True
    >>> content_hash("Links", "  ")
    ''
    """
    text = body.strip()
    if not text and not description:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    digest = hashlib.blake2b(title.encode("utf-8", "replace") + b"\0", digest_size=8)
    digest.update(description.encode("utf-8", "replace") + b"\0")
    digest.update(text.encode("utf-8", "replace"))
    return digest.hexdigest()


_NOTE_HINTS = {
    "is not UTF-8": "save the file as UTF-8 (check the result: the guess may be wrong)",
    "contains NUL or other control characters": "remove them (an editor shows them as ^@)",
}


def load_article(file: Path | str, *, root: Path, rules: LoadRules,
                 intern: dict[Any, Any] | None = None) -> Parsed:
    """Read one file under ``root`` and parse it. Never raises: an unexpected failure (a bug)
    becomes one problem for the file, and the other articles still load."""
    rel = Path(os.path.relpath(file, root))
    try:
        return _load(file, rel, rules, intern)
    except Exception as exc:  # the one broad catch: a bug must not lose the other articles
        log.exception("%s: unexpected failure", file)
        return Parsed(None, (error(rel, None, f"could not be loaded ({type(exc).__name__}: "
                                   f"{exc})", "please report this as a feedkit bug"),),
                      from_bytes=False)


def _load(file: Path | str, rel: Path, rules: LoadRules,
          intern: dict[Any, Any] | None) -> Parsed:
    limit = rules.max_file_size
    try:
        with open(file, "rb") as handle:
            stat = os.fstat(handle.fileno())
            # read what the file holds (a read of the limit would allocate the limit), and no
            # more than the limit even from a file that grows meanwhile
            data = b"" if stat.st_size > limit else handle.read(stat.st_size + 1)
            if len(data) > stat.st_size:
                data += handle.read(limit + 1 - len(data))
    except OSError as exc:
        return Parsed(None, (error(rel, None, f"cannot be read: {exc.strerror or exc}"),),
                      from_bytes=False)
    if stat.st_size > limit or len(data) > limit:
        size = max(stat.st_size, len(data))
        return Parsed(None, (error(rel, None, f"is {size:,} bytes, over the limit of "
                                   f"{limit:,}", "raise content.max_file_size or split the "
                                   "article"),))
    decoded = decode(data)
    notes = tuple(warning(rel, None, note, _NOTE_HINTS.get(note.split(";")[0]))
                  for note in decoded.notes)
    body_format = EXTENSIONS.get(os.path.splitext(file)[1].lower(), BodyFormat.MARKDOWN)
    parsed = parse_article(decoded.text, rel, rules=rules, body_format=body_format,
                           file=os.fspath(file), stamp=(stat.st_size, stat.st_mtime_ns),
                           intern=intern)
    return replace(parsed, problems=notes + parsed.problems) if notes else parsed
