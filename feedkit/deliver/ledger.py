"""The digest state file: an SQLite record of every digest sent and the articles in it.

Nothing else writes it. A run that will record takes the write lock first (``BEGIN
IMMEDIATE``) and holds it through rendering, sending and recording, so two runs at once can
never both send; the second waits ``busy_timeout`` and then fails with a clear message.

Delivery is *at least once*: articles are recorded in the same transaction, after the SMTP
server has accepted the message. If the process dies in between, the transaction is rolled
back, nothing is recorded, and the next run sends the same articles again — with the same
``Message-ID``, which most mail services use to drop the duplicate.

Schema 2 keeps, besides each article's id and publish instant, its URL, path, content hash and
title: what still names it after a rename, a move or a date fix (see ``identity``). A schema-1
file is migrated in place when a run that may write opens it (under the write lock, once); a
read-only open reads it as it is. A feedkit that knows only schema 1 refuses a schema-2 file
("written by a newer feedkit") rather than record articles without what names them.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from feedkit.errors import LedgerError
from feedkit.identity import Known

APPLICATION_ID = 0x46454544  # "FEED": marks the file as feedkit's
SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS digests (
    id INTEGER PRIMARY KEY,
    digest_id TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT NOT NULL,
    created TEXT NOT NULL,
    sent TEXT,
    mode TEXT NOT NULL CHECK (mode IN ('send', 'mark')),
    message_id TEXT NOT NULL,
    recipients INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS digest_articles (
    digest INTEGER NOT NULL REFERENCES digests(id),
    article_id TEXT NOT NULL,
    published TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (digest, article_id)
);
CREATE INDEX IF NOT EXISTS digest_articles_by_article ON digest_articles(article_id);
"""
# what schema 2 added to schema 1: the article as identity.match knows it ("" in old rows)
_IDENTITY_COLUMNS = ("url", "path", "content_hash", "title")


@dataclass(frozen=True, slots=True)
class Entry:
    """One article as recorded: its stable id and publish instant, and what still names it
    when the id changes (its URL, path under the content folder, content hash and title)."""

    article_id: str
    published: datetime
    url: str = ""
    path: str = ""
    content_hash: str = ""
    title: str = ""

    def row(self) -> tuple[str, str, str, str, str, str]:
        return (self.article_id, self.published.isoformat(), self.url, self.path,
                self.content_hash, self.title)


class Ledger:
    """An open state file. Use ``Ledger.open(path)`` as a context manager."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    @contextmanager
    def open(cls, path: Path, *, create: bool = True, timeout: float = 5.0) -> Iterator[Ledger]:
        """Open the state file: read-write, made when missing, with ``create``; else
        read-only, a missing file reading as an empty ledger. Raises ``LedgerError`` when it is
        corrupt, foreign or newer than this feedkit."""
        exists = path.exists()
        was_empty = exists and path.is_file() and path.stat().st_size == 0
        if was_empty and not create:  # only a run that may write can wait for its maker
            raise _empty(path)
        with ExitStack() as stack:
            if not exists and not create:  # nothing recorded yet: an empty ledger
                db = sqlite3.connect(":memory:", isolation_level=None)
            elif not create and _needs_writing_to_read(path):
                # a crashed run's journal to roll back, or WAL mode: SQLite would write to
                # read, so a copy is opened instead, never the file
                folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="feedkit-"))
                db = sqlite3.connect(_copy(path, Path(folder)), isolation_level=None)
            else:
                db = _connect(path, create=create, timeout=timeout)
            stack.callback(db.close)
            cls._check(db, path, fresh=not exists, was_empty=was_empty, migrate=create)
            yield cls(db, path)

    @staticmethod
    def _check(db: sqlite3.Connection, path: Path, *, fresh: bool,
               was_empty: bool = False, migrate: bool = False) -> None:
        try:
            if was_empty:  # another run creating it, or a truncated file: wait, then look
                db.execute("BEGIN IMMEDIATE")
                made = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                db.execute("ROLLBACK")
                if not made:
                    raise _empty(path)
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if fresh or (app_id == 0 and version == 0 and tables == 0):
                # One transaction (executescript would commit a BEGIN made before it), and
                # IF NOT EXISTS: a second run that found the file empty while the first was
                # creating it waits for the lock, then finds the tables made.
                db.executescript("BEGIN IMMEDIATE;" + _SCHEMA
                                 + f"PRAGMA application_id = {APPLICATION_ID};"
                                 f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
                return
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise LedgerError(f"{path}: the state file is damaged (restore it from a "
                                  "backup; feedkit never resets it, to avoid re-sending)")
        except sqlite3.DatabaseError as exc:
            if _busy(exc):  # another run holds the lock (e.g. while it creates the file)
                raise _locked(path) from exc
            raise LedgerError(f"{path}: not a usable state file ({exc}); restore it from a "
                              "backup or pass --state with another file") from exc
        if app_id != APPLICATION_ID:
            raise LedgerError(f"{path}: not a feedkit state file (another program's "
                              "database?); pass --state with another file")
        if version > SCHEMA_VERSION:
            raise LedgerError(f"{path}: written by a newer feedkit (schema {version}); "
                              "upgrade feedkit")
        if version < SCHEMA_VERSION and migrate:
            _migrate(db, path)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the write lock: commit on success, roll back on any failure."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                raise _locked(self.path) from exc
            raise LedgerError(f"{self.path}: {exc}") from exc
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def sent_ids(self) -> set[str]:
        """Ids of every article recorded in any digest."""
        return {row[0] for row in self._db.execute("SELECT article_id FROM digest_articles")}

    def known(self) -> list[Known]:
        """Every article recorded in any digest, as ``identity.match`` knows it: one record
        per id, from the newest digest that has it (a schema-1 file read as it is gives only
        ids and days)."""
        have = {row[1] for row in self._db.execute("PRAGMA table_info(digest_articles)")}
        columns = ", ".join(c if c in have else "''" for c in _IDENTITY_COLUMNS)
        latest: dict[str, Known] = {}
        for article_id, published, url, path, content_hash, title in self._db.execute(
                f"SELECT article_id, published, {columns} FROM digest_articles "
                "ORDER BY digest, article_id"):
            latest[article_id] = Known(
                id=article_id, url=url, path=path, content_hash=content_hash, title=title,
                day=datetime.fromisoformat(published).date().isoformat())
        return list(latest.values())

    def horizon(self) -> datetime | None:
        """The ``since`` of the first recorded digest: older articles are never mailed by
        ``--since last``."""
        row = self._db.execute("SELECT since FROM digests ORDER BY id LIMIT 1").fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def last_until(self) -> datetime | None:
        """The end of the window of the newest recorded digest: where "since the last issue"
        starts."""
        row = self._db.execute("SELECT until FROM digests ORDER BY id DESC LIMIT 1").fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def record(self, *, digest_id: str, since: datetime, until: datetime, created: datetime,
               sent: datetime | None, mode: str, message_id: str, recipients: int,
               entries: Iterable[Entry]) -> int:
        """Record one digest and its articles; returns its row id."""
        cursor = self._db.execute(
            "INSERT INTO digests (digest_id, since, until, created, sent, mode, message_id,"
            " recipients) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (digest_id, since.isoformat(), until.isoformat(), created.isoformat(),
             sent.isoformat() if sent else None, mode, message_id, recipients),
        )
        row = cursor.lastrowid
        self._db.executemany(
            "INSERT OR IGNORE INTO digest_articles (digest, article_id, published, url, path,"
            " content_hash, title) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(row, *e.row()) for e in entries],
        )
        assert row is not None
        return row

    def update_articles(self, current: Iterable[tuple[str, Entry]]) -> None:
        """For each (id recorded, the article as it is now): record a sent article's new
        id, URL, path, hash, title and date, so that the next run still knows it after one
        more rename or edit. (Where a digest already holds the new id, its row stays.)"""
        self._db.executemany(
            "UPDATE OR IGNORE digest_articles SET article_id = ?, published = ?, url = ?,"
            " path = ?, content_hash = ?, title = ? WHERE article_id = ?",
            [(*entry.row(), old) for old, entry in current],
        )

    def digests(self) -> list[dict[str, object]]:
        """Every recorded digest, oldest first (for reports and tests)."""
        cursor = self._db.execute("SELECT * FROM digests ORDER BY id")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """Schema 1 to 2, in place and under the write lock: add the columns (old rows get "").
    A run that waited for the lock while another migrated finds it done."""
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                have = {row[1] for row in db.execute("PRAGMA table_info(digest_articles)")}
                for column in _IDENTITY_COLUMNS:
                    if column not in have:
                        db.execute(f"ALTER TABLE digest_articles ADD COLUMN {column} TEXT "
                                   "NOT NULL DEFAULT ''")
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        if _busy(exc):
            raise _locked(path) from exc
        raise LedgerError(f"{path}: cannot upgrade the state file to schema {SCHEMA_VERSION} "
                          f"({exc}); restore it from a backup or pass --state with another "
                          "file") from exc


def _busy(exc: sqlite3.Error) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and \
        ("locked" in str(exc) or "busy" in str(exc))


def _connect(path: Path, *, create: bool, timeout: float) -> sqlite3.Connection:
    """The state file itself: read-write (made when missing) or, for a dry run or a preview,
    read-only, so that SQLite itself refuses any write."""
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
            return sqlite3.connect(path, timeout=timeout, isolation_level=None)
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                               timeout=timeout, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise LedgerError(f"{path}: cannot open the state file: {exc}") from exc


def _copy(path: Path, folder: Path) -> Path:
    """``path`` with its journal or WAL file copied into ``folder``; the copy's path."""
    copy = folder / "state.db"
    for suffix in ("", "-journal", "-wal"):
        if Path(f"{path}{suffix}").exists():
            shutil.copyfile(f"{path}{suffix}", f"{copy}{suffix}")
    return copy


def _needs_writing_to_read(path: Path) -> bool:
    """A rollback journal left by a crashed run, or a database in WAL mode (file format 2)."""
    if Path(f"{path}-journal").exists() or Path(f"{path}-wal").exists():
        return True
    try:
        with path.open("rb") as file:
            header = file.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18:20] == b"\x02\x02"


def _empty(path: Path) -> LedgerError:
    return LedgerError(f"{path}: the state file is empty (truncated?); restore it from a "
                       "backup, or delete it to start afresh (then every article since "
                       "[digest] first_run_since is sent again)")


def _locked(path: Path) -> LedgerError:
    return LedgerError(f"{path}: another feedkit digest is running (the state file is locked); "
                       "try again when it has finished")
