"""The build cache in ``.feedkit/cache.db``: each file's parse result and each rendered body,
keyed on the file's path, size and modification time, and the last build's record.

Everything in it can be rebuilt: a fingerprint of what else shapes the results (feedkit's
version, the settings that affect parsing and rendering) is checked on open and a mismatch
empties it; a file that is not a usable database is deleted and started again. Values are
stored with ``marshal`` (plain tuples), never pickle, so the cache cannot run code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import marshal
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feedkit.errors import Problem, Severity

if TYPE_CHECKING:
    from feedkit.settings import Settings
from feedkit.model import Article, Author, BodyFormat, CallToAction, Image

log = logging.getLogger(__name__)

SCHEMA = 1
Stamp = tuple[int, int]  # (size, mtime_ns)

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER,
                                  parsed BLOB);
CREATE TABLE IF NOT EXISTS bodies (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER,
                                   url TEXT, html TEXT);
"""


def fingerprint(*parts: object) -> str:
    """A short hash of everything (besides the files) that shapes cached results."""
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()[:32]


def parse_key(config: Settings) -> str:
    """What shapes a parse result or a rendered body besides the file itself."""
    from feedkit import __version__

    return fingerprint(__version__, config.site.url, config.site.timezone,
                       config.content.max_file_size, config.content.dir, _library_versions())


def _library_versions() -> str:
    """Where the libraries that shape the output are installed, and when: an upgrade changes
    the files, so the cache is not served across it. (Cheaper than asking importlib.metadata
    for versions, which scans every installed distribution.)"""
    from importlib.util import find_spec

    found = []
    for name in ("markdown", "nh3", "ftfy", "feedgen", "lxml", "yaml"):
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            stamp = os.stat(origin).st_mtime_ns if origin else 0
        except OSError:
            stamp = 0
        found.append(f"{name}={origin}:{stamp}")
    return ",".join(found)


@contextmanager
def open_cache(config: Settings, *, enabled: bool = True) -> Iterator[Cache]:
    """The site's cache (or one that caches nothing when not ``enabled``)."""
    if not enabled:
        yield Cache.disabled()
        return
    with Cache.open(config.build.cache, parse_key(config)) as cache:
        yield cache


class Cache:
    """An open cache. ``Cache.open(path, fingerprint)``; ``Cache.disabled()`` caches nothing."""

    def __init__(self, db: sqlite3.Connection | None) -> None:
        self._db = db
        self._files: dict[str, tuple[Stamp, bytes]] | None = None

    @classmethod
    def disabled(cls) -> Cache:
        return cls(None)

    @property
    def enabled(self) -> bool:
        return self._db is not None

    @classmethod
    @contextmanager
    def open(cls, path: Path, key: str) -> Iterator[Cache]:
        db = _connect(path, key)
        cache = cls(db)
        try:
            yield cache
            if db is not None:
                db.commit()
        finally:
            if db is not None:
                db.close()

    # -- parse results ------------------------------------------------------------------------

    def parsed(self, rel: str, stamp: Stamp) -> tuple[Any, ...] | None:
        """The stored parse result of ``rel`` if the file still has ``stamp``."""
        if self._db is None:
            return None
        if self._files is None:
            self._files = {row[0]: ((row[1], row[2]), row[3]) for row in
                           self._db.execute("SELECT path, size, mtime, parsed FROM files")}
        hit = self._files.get(rel)
        if hit is None or hit[0] != stamp:
            return None
        try:
            value = marshal.loads(hit[1])
        except (ValueError, EOFError, TypeError):
            return None
        return value if isinstance(value, tuple) else None

    def store_parsed(self, rows: Iterable[tuple[str, Stamp, tuple[Any, ...]]]) -> None:
        if self._db is None:
            return
        self._db.executemany(
            "INSERT OR REPLACE INTO files (path, size, mtime, parsed) VALUES (?, ?, ?, ?)",
            [(rel, s[0], s[1], marshal.dumps(value)) for rel, s, value in rows])

    def forget_except(self, keep: Iterable[str]) -> None:
        """Drop entries of files that no longer exist."""
        if self._db is None:
            return
        keep = set(keep)
        for table in ("files", "bodies"):
            gone = [(p,) for (p,) in self._db.execute(f"SELECT path FROM {table}")
                    if p not in keep]
            self._db.executemany(f"DELETE FROM {table} WHERE path = ?", gone)

    # -- rendered bodies ----------------------------------------------------------------------

    def body(self, rel: str, stamp: Stamp, url: str) -> str | None:
        if self._db is None:
            return None
        row = self._db.execute("SELECT size, mtime, url, html FROM bodies WHERE path = ?",
                               (rel,)).fetchone()
        if row is None or (row[0], row[1]) != stamp or row[2] != url:
            return None
        return str(row[3])

    def store_body(self, rel: str, stamp: Stamp, url: str, html: str) -> None:
        if self._db is not None:
            self._db.execute("INSERT OR REPLACE INTO bodies (path, size, mtime, url, html) "
                             "VALUES (?, ?, ?, ?, ?)", (rel, stamp[0], stamp[1], url, html))

    # -- the last build -----------------------------------------------------------------------

    def record(self, name: str) -> dict[str, Any] | None:
        if self._db is None:
            return None
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
        try:
            value = json.loads(row[0]) if row else None
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def store_record(self, name: str, value: dict[str, Any]) -> None:
        if self._db is not None:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                             (name, json.dumps(value, sort_keys=True)))


def _connect(path: Path, key: str) -> sqlite3.Connection | None:
    """Open the cache, emptying it when its fingerprint differs; a broken file is replaced.
    Returns None (no caching) when the folder cannot be written."""
    for attempt in (1, 2):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=2.0)
            db.executescript(_TABLES)
            row = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            wanted = f"{SCHEMA}:{key}"
            if row is None or row[0] != wanted:
                db.executescript("DELETE FROM files; DELETE FROM bodies; DELETE FROM meta;")
                db.execute("INSERT INTO meta (key, value) VALUES ('fingerprint', ?)", (wanted,))
                db.commit()
            return db
        except sqlite3.DatabaseError as exc:
            log.warning("%s: the build cache is unusable (%s); starting a new one", path, exc)
            with suppress(OSError):
                path.unlink()
            if attempt == 2:
                return None
        except OSError as exc:
            log.warning("%s: cannot use the build cache (%s); building without it", path, exc)
            return None
    return None


# -- encoding: model objects <-> plain tuples that marshal can store ------------------------------


def encode_problem(p: Problem) -> tuple[Any, ...]:
    return (None if p.path is None else p.path.as_posix(), p.field, p.message, p.hint,
            p.severity.value, p.line)


def decode_problem(t: tuple[Any, ...]) -> Problem:
    return Problem(None if t[0] is None else Path(t[0]), t[1], t[2], t[3], Severity(t[4]), t[5])


def encode_article(a: Article) -> tuple[Any, ...]:
    body = a.body
    body_fields = (str(getattr(body, "encoding", "utf-8")), int(getattr(body, "offset", 0)),
                   body.format.value)
    return (
        a.path.as_posix(), a.slug, a.url, a.title, a.published.isoformat(), body_fields, a.id,
        a.subtitle, a.description, a.updated.isoformat() if a.updated else None,
        tuple((x.name, x.email, x.url) for x in a.authors), a.tags,
        (a.hero_image.url, a.hero_image.alt) if a.hero_image else None,
        (a.cta.text, a.cta.url) if a.cta else None, a.draft, a.archived, a.source, a.read_time,
    )


def decode_article(t: tuple[Any, ...], *, file: Path | str, stamp: Stamp) -> Article:
    from feedkit.load.articles import FileBody  # content imports this module

    encoding, offset, body_format = t[5]
    return Article(
        path=Path(t[0]), slug=t[1], url=t[2], title=t[3],
        published=datetime.fromisoformat(t[4]),
        body=FileBody(file, encoding, offset, BodyFormat(body_format), stamp),
        id=t[6], subtitle=t[7], description=t[8],
        updated=datetime.fromisoformat(t[9]) if t[9] else None,
        authors=tuple(Author(*x) for x in t[10]), tags=tuple(t[11]),
        hero_image=Image(*t[12]) if t[12] else None,
        cta=CallToAction(*t[13]) if t[13] else None,
        draft=t[14], archived=t[15], source=t[16], read_time=t[17],
    )
