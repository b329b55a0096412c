"""The cache's SQLite file: opened (and emptied when made for another fingerprint), told apart
from a file that is not a feedkit cache (never touched), and replaced when damaged."""

from __future__ import annotations

import re
import sqlite3
from contextlib import suppress
from pathlib import Path

SCHEMA = 2
# Table names of their own: a feedkit from before these records (tables "files" and "bodies")
# sharing the file recreates its own tables instead of failing on these.
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS parse_results (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER,
                                          parsed BLOB);
CREATE TABLE IF NOT EXISTS rendered_bodies (path TEXT PRIMARY KEY, size INTEGER,
                                            mtime INTEGER, url TEXT, rendered BLOB);
"""
_DROP = ("DROP TABLE IF EXISTS parse_results; DROP TABLE IF EXISTS rendered_bodies; "
         "DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS bodies; DELETE FROM meta;")
_OUR_TABLES = {"meta", "parse_results", "rendered_bodies", "files", "bodies"}
APPLICATION_ID = int.from_bytes(b"FdKc", "big")  # marks the file as a feedkit cache
_EARLIER_FINGERPRINT = re.compile(r"\d+:[0-9a-f]{32}")


class Replaced(Exception):
    """The cache now holds results made for another fingerprint."""


def made_for(key: str) -> str:
    return f"{SCHEMA}:{key}"


def is_busy(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc)
                                                           or "busy" in str(exc))


def off_note(path: Path | None, exc: BaseException, otherwise: str) -> str:
    """The note a run leaves when it goes on without the cache at ``path``: another run holds
    it, or ``otherwise``."""
    return (f"{path}: " + ("another feedkit run is using the build cache" if is_busy(exc)
                           else otherwise) + "; going on without it")


def fingerprint_of(db: sqlite3.Connection) -> str | None:
    """What the cache was made for; None for an empty file (or one with no such table)."""
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            raise
        return None
    return str(row[0]) if row else None


def _owner(path: Path) -> str:
    """Whose file ``path`` is, from its first bytes: "none" (no file, or an empty one), "ours"
    (an SQLite database marked with our application id), "unmarked" (an SQLite database with
    no application id: an earlier feedkit's cache, or another program's) or "other"."""
    try:
        with path.open("rb") as file:
            head = file.read(100)
    except FileNotFoundError:
        return "none"
    if not head:
        return "none"
    if len(head) < 100 or not head.startswith(b"SQLite format 3\0"):
        return "other"
    marked = int.from_bytes(head[68:72], "big")
    return "ours" if marked == APPLICATION_ID else "unmarked" if marked == 0 else "other"


def connect(path: Path, key: str, notes: list[str]) -> sqlite3.Connection | None:
    """Open the cache, emptying it when its fingerprint differs. A damaged cache is replaced;
    a file that is not a feedkit cache is never touched; one another run holds, or a folder
    that cannot be written, means no caching this time (with a note)."""
    def not_ours() -> None:
        notes.append(f"{path}: is not a feedkit build cache; left alone, and going on without "
                     "a cache (set [build] cache to another path, or delete the file)")

    for attempt in (1, 2):
        db = None
        try:
            owner = _owner(path)
            if owner == "other":
                not_ours()
                return None
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=2.0)
            if owner == "unmarked" and not _earlier_cache(db):
                db.close()
                not_ours()
                return None
            wanted = made_for(key)
            if fingerprint_of(db) != wanted:  # another feedkit, schema or set of rules
                db.executescript(
                    f"BEGIN IMMEDIATE; {_TABLES} {_DROP} {_TABLES} INSERT INTO meta (key, value) "
                    f"VALUES ('fingerprint', '{wanted}'); PRAGMA application_id = "
                    f"{APPLICATION_ID}; COMMIT;")
            return db
        except sqlite3.OperationalError as exc:  # busy or locked, read-only, disk I/O: leave it
            notes.append(off_note(path, exc, f"cannot use the build cache ({exc})"))
        except sqlite3.DatabaseError as exc:  # malformed
            if attempt == 1 and owner == "ours":
                notes.append(f"{path}: the build cache was damaged ({exc}); starting a new one")
                if db is not None:
                    db.close()
                    db = None
                with suppress(OSError):
                    path.unlink()
                continue
            notes.append(f"{path}: the build cache is unusable ({exc}); going on without it"
                         + ("" if owner == "ours" else " (delete the file to start a new one)"))
        except OSError as exc:
            notes.append(f"{path}: cannot use the build cache ({exc.strerror or exc}); going "
                         "on without it")
        if db is not None:
            db.close()
        return None
    return None


def _earlier_cache(db: sqlite3.Connection) -> bool:
    """Whether an unmarked database is empty, or an earlier feedkit's cache: only tables
    feedkit makes, and the fingerprint row it writes ("<schema>:<32 hex digits>")."""
    tables = {name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return True
    if "meta" not in tables or not tables <= _OUR_TABLES:
        return False
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
    except sqlite3.Error:
        return False
    return row is not None and isinstance(row[0], str) \
        and _EARLIER_FINGERPRINT.fullmatch(row[0]) is not None
