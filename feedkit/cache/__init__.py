"""The build cache (``[build] cache``, ``.feedkit/cache.db``): an optional layer around the load
and render stages. It remembers each file's parse result and each rendered body, keyed on the
file's path, size and modification time (and the body's URL), and the last build's record.

Nothing in it is trusted past a change of what shaped it: the database carries a fingerprint
of feedkit's own code and templates, the libraries that shape the output, the load rules (site
URL, time zone, id rule, size limit) and the time zone's own rules, and a mismatch empties it;
every transaction checks it again (another run, with other settings, may have emptied it since),
and a result that may change without its file changing (a file that could not be read) is never
stored. A file at the cache's path that is not a feedkit cache is never touched. Values are named
records stored with ``marshal``, never pickle, so the cache cannot run code. It is never
needed for correctness: any error (a locked, damaged or unwritable file) turns it off for the
run with a note, and the run goes on without it. A damaged file is replaced; a busy one is
left alone.
"""

from __future__ import annotations

import json
import logging
import marshal
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from feedkit.cache.database import Replaced, connect, fingerprint_of, made_for, off_note
from feedkit.cache.keys import code_fingerprint, fingerprint, zone_fingerprint
from feedkit.model import Body

if TYPE_CHECKING:  # the stages themselves are imported only when the cache is asked for them
    from feedkit.errors import Problem
    from feedkit.load.articles import Parsed
    from feedkit.load.folder import LoadResult, SourceFile
    from feedkit.load.rules import LoadRules
    from feedkit.model import Article
    from feedkit.pool import Pool
    from feedkit.render.bodies import Rendered, RenderedBody

log = logging.getLogger(__name__)

_BATCH = 1000
T = TypeVar("T")

__all__ = ["Cache", "code_fingerprint", "fingerprint", "load_articles", "render_needed",
           "zone_fingerprint"]


class Cache:
    """An open cache; ``Cache.disabled()`` caches nothing. Every method is safe to call on
    either, and never raises for a database problem: the cache turns itself off instead and
    says why in ``notes``."""

    def __init__(self, db: sqlite3.Connection | None, path: Path | None = None,
                 key: str = "") -> None:
        self._db = db
        self.path = path
        self._made_for = made_for(key)  # the fingerprint every transaction checks
        self.notes: list[str] = []

    @classmethod
    def disabled(cls) -> Cache:
        return cls(None)

    @property
    def enabled(self) -> bool:
        return self._db is not None

    @classmethod
    @contextmanager
    def open(cls, path: Path, key: str) -> Iterator[Cache]:
        """The cache at ``path`` for results shaped by ``key``; emptied when it was made for
        another key."""
        notes: list[str] = []
        cache = cls(connect(path, key, notes), path, key)
        cache.notes.extend(notes)
        try:
            yield cache
        finally:
            if cache._db is not None:
                cache._db.close()

    def _call(self, work: Callable[[sqlite3.Connection], T], default: T, *,
              write: bool = False) -> T:
        """``work`` in one transaction (a write one takes the write lock first), committed at
        once: a run never holds the cache while it does anything else (a digest sending mail,
        say). The transaction first checks the cache is still made for this run: another run,
        with other settings or another feedkit, may have emptied and refilled it since."""
        if self._db is None:
            return default
        try:
            self._db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            if fingerprint_of(self._db) != self._made_for:
                self._off(Replaced())
                return default
            result = work(self._db)
            self._db.commit()
            return result
        except (sqlite3.Error, OSError, ValueError) as exc:  # ValueError: text SQLite refuses
            self._off(exc)
            return default

    def _write(self, work: Callable[[sqlite3.Connection], object]) -> None:
        self._call(work, None, write=True)

    def _off(self, exc: BaseException) -> None:
        self.notes.append(off_note(self.path, exc, (
            "another feedkit run, with other settings or another version, has taken over the "
            "build cache" if isinstance(exc, Replaced) else f"the build cache failed ({exc})")))
        log.debug("%s", self.notes[-1])  # the caller shows the notes
        if self._db is not None:
            with suppress(sqlite3.Error):
                self._db.rollback()
                self._db.close()
        self._db = None

    # -- parse results ------------------------------------------------------------------------

    def parsed(self, files: Sequence[SourceFile], *,
               intern: dict[Any, Any] | None = None) -> dict[str, Parsed]:
        """The stored parse result of each of ``files`` whose stamp is unchanged."""
        from feedkit.load.folder import parsed_from

        wanted = {f.rel: f.stamp for f in files}

        def read(db: sqlite3.Connection) -> dict[str, Parsed]:
            hits: dict[str, Parsed] = {}
            for path, size, mtime, blob in db.execute(
                    "SELECT path, size, mtime, parsed FROM parse_results"):
                if wanted.get(path) == (size, mtime):
                    with suppress(ValueError, EOFError, TypeError):  # another version's entry
                        hits[path] = parsed_from(marshal.loads(blob), intern=intern)
            return hits

        return self._call(read, {})

    def store_parsed(self, rows: Iterable[tuple[SourceFile, Parsed]]) -> None:
        from feedkit.load.folder import parsed_record

        def write(db: sqlite3.Connection) -> None:
            batch: list[tuple[str, int, int, bytes]] = []
            for source, parsed in rows:
                batch.append((source.rel, *source.stamp, marshal.dumps(parsed_record(parsed))))
                if len(batch) >= _BATCH:
                    _insert_parsed(db, batch)
            _insert_parsed(db, batch)

        self._write(write)

    def forget_except(self, keep: Iterable[str]) -> None:
        """Drop the entries of files that are gone."""
        keep = set(keep)

        def prune(db: sqlite3.Connection) -> None:
            for table in ("parse_results", "rendered_bodies"):
                gone = [(p,) for (p,) in db.execute(f"SELECT path FROM {table}") if p not in keep]
                db.executemany(f"DELETE FROM {table} WHERE path = ?", gone)

        self._write(prune)

    # -- rendered bodies ----------------------------------------------------------------------

    def bodies(self, articles: Sequence[Article]) -> dict[str, RenderedBody]:
        """The stored rendered body of each article whose file and URL are unchanged."""
        from feedkit.render.bodies import RenderedBody

        def read(db: sqlite3.Connection) -> dict[str, RenderedBody]:
            hits: dict[str, RenderedBody] = {}
            for article in articles:
                row = db.execute("SELECT size, mtime, url, rendered FROM rendered_bodies "
                                 "WHERE path = ?", (article.key,)).fetchone()
                if row is not None and _cacheable(article.body) and \
                        (row[0], row[1]) == article.body.stamp and row[2] == article.url:
                    with suppress(ValueError, EOFError, TypeError, KeyError):
                        hits[article.key] = RenderedBody(**marshal.loads(row[3]))
            return hits

        return self._call(read, {})

    def store_bodies(self, rows: Iterable[tuple[Article, RenderedBody]]) -> None:
        data = [(a.key, *a.body.stamp, a.url, marshal.dumps(asdict(body)))
                for a, body in rows if _cacheable(a.body)]
        self._write(lambda db: db.executemany(
            "INSERT OR REPLACE INTO rendered_bodies (path, size, mtime, url, rendered) "
            "VALUES (?, ?, ?, ?, ?)", data))

    # -- the last build -----------------------------------------------------------------------

    def record(self, name: str) -> dict[str, Any] | None:
        def read(db: sqlite3.Connection) -> dict[str, Any] | None:
            row = db.execute("SELECT value FROM meta WHERE key = ?",
                             (f"record:{name}",)).fetchone()
            try:
                value = json.loads(row[0]) if row else None
            except ValueError:
                return None
            return value if isinstance(value, dict) else None

        return self._call(read, None)

    def store_record(self, name: str, value: dict[str, Any]) -> None:
        self._write(lambda db: db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (f"record:{name}", json.dumps(value, sort_keys=True))))


def _insert_parsed(db: sqlite3.Connection, batch: list[tuple[str, int, int, bytes]]) -> None:
    db.executemany("INSERT OR REPLACE INTO parse_results (path, size, mtime, parsed) "
                   "VALUES (?, ?, ?, ?)", batch)
    batch.clear()


def _cacheable(body: Body) -> bool:
    return body.file is not None and body.stamp != (0, 0)


# -- the layer around the stages ----------------------------------------------------------------


def load_articles(cache: Cache, root: Path, *, rules: LoadRules, pool: Pool | None = None,
                  published: Mapping[str, str] | None = None) -> LoadResult:
    """``load.load_articles``, parsing only the files the cache has no result for."""
    from feedkit.load.folder import assemble, find_files, parse_files

    found = find_files(root)
    intern: dict[Any, Any] = {}
    hits = cache.parsed(found.files, intern=intern)
    missing = [f for f in found.files if f.rel not in hits]
    fresh = parse_files([found.path_of(f) for f in missing], root=root, rules=rules, pool=pool,
                        intern=intern)
    # a file edited while it was read gets a new stamp: only results read at the stamp the
    # walk saw are stored, or the next run would trust a result for bytes it never read; and
    # only results of the bytes (not "cannot be read", which a chmod mends with no new stamp)
    fresh_by = list(zip(missing, fresh, strict=True))
    cache.store_parsed((source, parsed) for source, parsed in fresh_by
                       if parsed.from_bytes and (parsed.article is None
                                                 or parsed.article.body.stamp == source.stamp))
    cache.forget_except(f.rel for f in found.files)
    by_rel = dict(hits)
    by_rel.update((source.rel, parsed) for source, parsed in fresh_by)
    ordered = [by_rel.pop(f.rel) for f in found.files]
    return assemble(replace(found, files=()), ordered, rules=rules, published=published)


def render_needed(cache: Cache, articles: Sequence[Article], *, read: Callable[[Body], str],
                  pool: Pool | None = None, relative_images: bool = True) -> Rendered:
    """``render.render_bodies``, rendering only the bodies the cache has no result for (the
    cache is made for one generator, so for one ``relative_images``)."""
    from feedkit.render.bodies import Rendered, body_problems, render_bodies

    hits = cache.bodies(articles)
    missing = [a for a in articles if a.key not in hits]
    fresh = render_bodies(missing, read=read, pool=pool, relative_images=relative_images)
    cache.store_bodies((a, fresh.bodies[a.key]) for a in missing if a.key in fresh.bodies)
    problems: list[Problem] = []
    for article in articles:  # a cached body reports what it reported when it was rendered
        if article.key in hits:
            problems.extend(body_problems(article.path, hits[article.key]))
    return Rendered({**hits, **fresh.bodies}, (*problems, *fresh.problems))
