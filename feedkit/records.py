"""Model values ↔ named records: dicts of plain values (str, int, bool, None, lists, dicts) that
``marshal`` and ``json`` can store and that carry their field names, so a record from another
version fails to decode (``ValueError``) instead of filling the wrong field.

Used where a value leaves the process: the build cache and results crossing back from worker
processes. Nothing here touches disk.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from feedkit.errors import Problem, Severity
from feedkit.model import Article, Author, Body, BodyFormat, CallToAction, Image

Record = dict[str, Any]


def problem_from(record: Record) -> Problem:
    """The problem ``Problem.to_dict`` made ``record`` of."""
    try:
        path = record["path"]
        return Problem(None if path is None else Path(path), record["field"], record["message"],
                       record["hint"], Severity(record["severity"]), record["line"])
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a problem record: {exc}") from exc


def article_record(a: Article) -> Record:
    body = a.body
    return {
        "path": a.path.as_posix(), "slug": a.slug, "url": a.url, "title": a.title,
        "published": a.published.isoformat(),
        "body": {"format": body.format.value, "text": body.text, "file": body.file,
                 "offset": body.offset, "stamp": list(body.stamp)},
        "id": a.id, "subtitle": a.subtitle, "description": a.description,
        "updated": a.updated.isoformat() if a.updated else None,
        "authors": [{"name": x.name, "email": x.email, "url": x.url} for x in a.authors],
        "tags": list(a.tags),
        "hero_image": {"url": a.hero_image.url, "alt": a.hero_image.alt}
        if a.hero_image else None,
        "cta": {"text": a.cta.text, "url": a.cta.url} if a.cta else None,
        "draft": a.draft, "archived": a.archived, "source": a.source,
        "read_time": a.read_time, "has_body": a.has_body, "content_hash": a.content_hash,
    }


def _moment(text: str, shared: dict[Any, Any]) -> datetime:
    """An ISO 8601 instant whose time zone object is shared: ``fromisoformat`` makes one per
    call, and two per article add up to ~20 MB over 100,000 articles."""
    moment = datetime.fromisoformat(text)
    zone = shared.setdefault(moment.tzinfo, moment.tzinfo)
    return moment if zone is moment.tzinfo else moment.replace(tzinfo=zone)


def article_from(record: Record, *, intern: dict[Any, Any] | None = None) -> Article:
    """The article ``record`` holds; ``ValueError`` when it is not one (or fails the model's
    checks). ``intern`` shares equal authors, tag tuples and time zones between articles."""
    shared = intern if intern is not None else {}
    try:
        body = record["body"]
        authors = tuple(shared.setdefault(x, x) for x in
                        (Author(a["name"], a["email"], a["url"]) for a in record["authors"]))
        tags = tuple(record["tags"])
        image, cta = record["hero_image"], record["cta"]
        return Article(
            path=Path(record["path"]), slug=record["slug"], url=record["url"],
            title=record["title"], published=_moment(record["published"], shared),
            body=Body(BodyFormat(body["format"]), body["text"], body["file"], body["offset"],
                      (body["stamp"][0], body["stamp"][1])),
            id=record["id"], subtitle=record["subtitle"], description=record["description"],
            updated=_moment(record["updated"], shared) if record["updated"] else None,
            authors=shared.setdefault(authors, authors), tags=shared.setdefault(tags, tags),
            hero_image=Image(image["url"], image["alt"]) if image else None,
            cta=CallToAction(cta["text"], cta["url"]) if cta else None,
            draft=record["draft"], archived=record["archived"], source=record["source"],
            read_time=record["read_time"], has_body=record["has_body"],
            content_hash=record["content_hash"],
        )
    except (KeyError, TypeError, IndexError) as exc:
        raise ValueError(f"not an article record: {exc!r}") from exc
