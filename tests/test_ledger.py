"""ledger.py and the digest job around it: the state file (fresh, corrupt, foreign, locked),
``--since last`` over a simulated year, and at-least-once delivery."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from factories import SITE_URL, make_article
from hypothesis import given, settings
from hypothesis import strategies as st
from ledgertools import LOCKED, lock_held_by_another_process
from mailtools import Server, smtp_server

import feedkit.deliver.ledger
import feedkit.jobs.digest_job
import feedkit.render.email
from feedkit import jobs
from feedkit.deliver.ledger import APPLICATION_ID, SCHEMA_VERSION, Entry, Ledger
from feedkit.errors import LedgerError, MailError
from feedkit.identity import Known
from feedkit.jobs.digest_job import DigestRequest
from feedkit.load import LoadResult
from feedkit.model import Article, Body, Status
from feedkit.render.email import Digest, digest_id
from feedkit.settings import Settings
from feedkit.settings import load as load_settings

T0 = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


class Killed(BaseException):
    """The process dying, e.g. between the SMTP server's "250 OK" and the state being written."""


def _record(ledger: Ledger, ids: list[str], *, since: datetime = T0, n: int = 0) -> int:
    return ledger.record(
        digest_id=f"d{n}", since=since, until=since + timedelta(days=1), created=since,
        sent=None, mode="mark", message_id=f"<m{n}@x>", recipients=0,
        entries=[Entry(i, since) for i in ids],
    )


def _digests_per_article(state: Path) -> Counter[str]:
    with closing(sqlite3.connect(state)) as db:
        return Counter(dict(db.execute(
            "SELECT article_id, count(*) FROM digest_articles GROUP BY article_id")))


# -- the file ---------------------------------------------------------------------------------


def test_fresh_state_file_is_marked_as_feedkits(tmp_path: Path) -> None:
    state = tmp_path / "deep" / "state.db"
    with Ledger.open(state) as ledger:
        assert ledger.sent_ids() == set() and ledger.horizon() is None
        assert ledger.digests() == []
    with closing(sqlite3.connect(state)) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"digests", "digest_articles"}


def test_read_only_open_of_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    state = tmp_path / ".feedkit" / "state.db"
    with Ledger.open(state, create=False) as ledger:
        assert ledger.sent_ids() == set() and ledger.horizon() is None
    assert not state.exists() and not state.parent.exists()


def test_read_only_open_refuses_writes_and_reads_a_read_only_file(tmp_path: Path) -> None:
    state = tmp_path / "state #1?.db"  # URI characters in the name are quoted
    with Ledger.open(state) as ledger, ledger.locked():
        _record(ledger, ["a"], since=datetime(2025, 2, 1, tzinfo=BERLIN), n=1)
    before = state.read_bytes()
    state.chmod(0o444)
    with Ledger.open(state, create=False) as ledger:
        assert ledger.sent_ids() == {"a"}
        with pytest.raises(sqlite3.OperationalError, match="readonly"), ledger.locked():
            _record(ledger, ["b"], since=datetime(2025, 2, 8, tzinfo=BERLIN), n=2)
    assert state.read_bytes() == before


def test_read_only_open_of_an_empty_file_is_the_same_error(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    state.write_bytes(b"")
    for create in (False, True):
        with pytest.raises(LedgerError, match="empty"), Ledger.open(state, create=create):
            pass
    assert state.read_bytes() == b""


def test_records_survive_reopening_and_the_horizon_is_the_first_since(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    first, second = datetime(2025, 2, 1, tzinfo=BERLIN), datetime(2025, 2, 8, tzinfo=BERLIN)
    with Ledger.open(state) as ledger, ledger.locked():
        _record(ledger, ["a", "b"], since=first, n=1)
    with Ledger.open(state) as ledger, ledger.locked():
        _record(ledger, ["c"], since=second, n=2)
    with Ledger.open(state, create=False) as ledger:
        assert ledger.sent_ids() == {"a", "b", "c"}
        assert ledger.horizon() == first
        assert ledger.horizon().utcoffset() == timedelta(hours=1)  # type: ignore[union-attr]
        assert ledger.last_until() == second + timedelta(days=1)
        rows = ledger.digests()
    assert [(r["digest_id"], r["since"], r["mode"], r["sent"]) for r in rows] == [
        ("d1", "2025-02-01T00:00:00+01:00", "mark", None),
        ("d2", "2025-02-08T00:00:00+01:00", "mark", None)]


def test_locked_rolls_back_on_any_failure(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with Ledger.open(state) as ledger:
        with pytest.raises(Killed), ledger.locked():
            _record(ledger, ["a"])
            raise Killed
        assert ledger.sent_ids() == set() and ledger.digests() == []
        with ledger.locked():
            _record(ledger, ["b"])
    with Ledger.open(state) as ledger:
        assert ledger.sent_ids() == {"b"}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=6), max_size=6))
def test_recording_is_idempotent_per_article(digests: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        state = Path(folder) / "state.db"
        for n, ids in enumerate(digests):
            with Ledger.open(state) as ledger, ledger.locked():
                _record(ledger, ids + ids, n=n)  # the same article twice in one digest
        with Ledger.open(state, create=False) as ledger:
            assert ledger.sent_ids() == {i for ids in digests for i in ids}
            assert len(ledger.digests()) == len(digests)
        if digests:
            with closing(sqlite3.connect(state)) as db:
                rows = db.execute("SELECT count(*) FROM digest_articles").fetchone()[0]
            assert rows == sum(len(set(ids)) for ids in digests)


def _corrupt(path: Path) -> bytes:
    data = random.Random(6).randbytes(8192)
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("create", [True, False])
def test_corrupt_state_file_is_an_error_and_left_alone(tmp_path: Path, create: bool) -> None:
    state = tmp_path / "state.db"
    data = _corrupt(state)
    with pytest.raises(LedgerError) as caught, Ledger.open(state, create=create):
        pass
    message = str(caught.value)
    assert message.startswith(f"{state}: not a usable state file (")
    assert "restore it from a backup or pass --state with another file" in message
    assert "\n" not in message
    assert state.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.db"]  # no journal, no reset


def test_damaged_pages_in_a_real_state_file_are_an_error(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with Ledger.open(state) as ledger, ledger.locked():
        for n in range(150):
            _record(ledger, [f"article-{n}-{i}" for i in range(3)], n=n)
    data = bytearray(state.read_bytes())
    data[8192:11192] = random.Random(2).randbytes(3000)
    state.write_bytes(bytes(data))
    with pytest.raises(LedgerError, match=r"not a usable state file|damaged"), \
            Ledger.open(state):
        pass
    assert state.read_bytes() == bytes(data)


def test_another_programs_database_is_an_error_and_left_alone(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with closing(sqlite3.connect(state)) as db, db:
        db.execute("CREATE TABLE contacts (name TEXT, email TEXT)")
        db.execute("INSERT INTO contacts VALUES ('Ann', 'ann@example.org')")
    data = state.read_bytes()
    for create in (True, False):
        with pytest.raises(LedgerError) as caught, Ledger.open(state, create=create):
            pass
        assert str(caught.value) == (f"{state}: not a feedkit state file (another program's "
                                     "database?); pass --state with another file")
    assert state.read_bytes() == data


def test_state_file_from_a_newer_feedkit_is_an_error(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with Ledger.open(state):
        pass
    with closing(sqlite3.connect(state)) as db, db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    newer = rf"written by a newer feedkit \(schema {SCHEMA_VERSION + 1}\); upgrade"
    with pytest.raises(LedgerError, match=newer), \
            Ledger.open(state):
        pass


# -- two runs at once -------------------------------------------------------------------------


def test_second_writer_fails_fast_while_a_thread_holds_the_lock(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with Ledger.open(state):
        pass
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with Ledger.open(state) as ledger, ledger.locked():
            _record(ledger, ["held"])
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        with Ledger.open(state, timeout=0.2) as second:
            with pytest.raises(LedgerError) as caught, second.locked():
                pytest.fail("got the lock another connection holds")
            assert time.monotonic() - started < 3  # the 0.2 s timeout, not the default 5 s
            assert str(caught.value) == f"{state}: {LOCKED}"
            assert second.sent_ids() == set()  # readers still read (the holder's work is not in)
    finally:
        release.set()
        thread.join(10)
    with Ledger.open(state, timeout=0.2) as ledger, ledger.locked():
        assert ledger.sent_ids() == {"held"}


def test_schema_creation_is_one_transaction(tmp_path: Path) -> None:
    # Another run is creating the file (its transaction not yet committed) while this one
    # opens it: this one waits for the lock and must then accept the finished file instead
    # of creating the tables a second time.
    state = tmp_path / "state.db"
    creator = sqlite3.connect(state, isolation_level=None)
    creator.execute("BEGIN IMMEDIATE")
    for statement in feedkit.deliver.ledger._SCHEMA.split(";"):
        if statement.strip():
            creator.execute(statement)
    creator.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    creator.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    errors: list[BaseException] = []

    def second_run() -> None:
        try:
            with Ledger.open(state, timeout=5) as ledger:
                ledger.sent_ids()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    thread = threading.Thread(target=second_run)
    thread.start()
    time.sleep(0.3)  # let the second run find an empty-looking file and wait for the lock
    creator.execute("COMMIT")
    creator.close()
    thread.join(10)
    assert errors == []


def test_a_file_being_created_by_another_run_is_locked_not_damaged(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    creator = sqlite3.connect(state, isolation_level=None)
    creator.execute("BEGIN IMMEDIATE")
    creator.execute("CREATE TABLE digests (id INTEGER PRIMARY KEY)")
    try:
        with pytest.raises(LedgerError) as caught, Ledger.open(state, timeout=0.2):
            pass
    finally:
        creator.execute("ROLLBACK")
        creator.close()
    assert str(caught.value) == f"{state}: {LOCKED}"  # not "restore it from a backup"


SITE_TOML = f"""[site]
url = "{SITE_URL}"
title = "News"
timezone = "Europe/Berlin"

[digest]
first_run_since = "2025-02-01"
from = "News <news@example.org>"
"""

ARTICLE = "---\ntitle: {title}\npublish_date: {date}\ndescription: About {title}.\n---\nBody.\n"


def _site(make_site_dir, articles: dict[str, str], toml: str = SITE_TOML) -> Settings:
    files = {f"{slug}.md": ARTICLE.format(title=slug.title(), date=date)
             for slug, date in articles.items()}
    root = make_site_dir(files, toml=toml)
    return load_settings(root / "feedkit.toml", env={}, cwd=root)


def test_a_second_run_waits_then_fails_while_another_process_holds_the_lock(
        make_site_dir) -> None:
    cfg = _site(make_site_dir, {"one": "2025-02-10"})
    state = cfg.digest.state
    with lock_held_by_another_process(state):
        with pytest.raises(LedgerError) as caught:
            jobs.digest(cfg, DigestRequest(since="last", mark_sent=True, wait=0.2), now=T0)
        assert str(caught.value) == f"{state}: {LOCKED}"
        assert not (cfg.source.parent / "public").exists()  # nothing rendered, written or sent
        # a dry run only reads: it still works while the other run holds the lock
        report = jobs.digest(cfg, DigestRequest(since="last", dry_run=True), now=T0)
        assert [a.slug for a in report.articles] == ["one"]
    assert _last(cfg, T0).recorded  # and once the other run has finished


# -- what --since last chooses ----------------------------------------------------------------


def _last(cfg: Settings, now: datetime, **kw: object):
    request = DigestRequest(since="last", mark_sent=True, **kw)  # type: ignore[arg-type]
    return jobs.digest(cfg, request, now=now)


def test_first_run_uses_first_run_since_and_sets_the_horizon(make_site_dir) -> None:
    cfg = _site(make_site_dir, {"archive": "2025-01-31T23:59:59", "first": "2025-02-01",
                                "second": "2025-02-20"})
    report = _last(cfg, T0)
    assert report.window.since == datetime(2025, 2, 1, tzinfo=BERLIN)
    assert report.window.until == T0
    assert [a.slug for a in report.articles] == ["second", "first"]
    assert report.recorded
    with Ledger.open(cfg.digest.state, create=False) as ledger:
        assert ledger.horizon() == datetime(2025, 2, 1, tzinfo=BERLIN)


def test_second_run_with_nothing_new_writes_nothing(make_site_dir) -> None:
    cfg = _site(make_site_dir, {"first": "2025-02-10"})
    assert _last(cfg, T0).exit_code == 0
    out = cfg.digest.output
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    stamps = {p: p.stat().st_mtime_ns for p in before}
    state_bytes = cfg.digest.state.read_bytes()
    again = _last(cfg, T0 + timedelta(days=1))
    assert again.exit_code == 3 and again.digest is None and not again.recorded
    assert again.files == {}
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert {p: p.stat().st_mtime_ns for p in before} == stamps
    assert cfg.digest.state.read_bytes() == state_bytes


def test_backdated_article_is_sent_next_time_alone(make_site_dir) -> None:
    cfg = _site(make_site_dir, {"first": "2025-02-10", "second": "2025-02-20"})
    _last(cfg, T0)
    content = cfg.content.dir
    (content / "backdated.md").write_text(ARTICLE.format(title="Backdated", date="2025-02-05"),
                                          encoding="utf-8")
    (content / "before-horizon.md").write_text(ARTICLE.format(title="Old", date="2025-01-20"),
                                               encoding="utf-8")
    report = _last(cfg, T0 + timedelta(days=1))
    assert [a.slug for a in report.articles] == ["backdated"]
    assert report.window.since == datetime(2025, 2, 1, tzinfo=BERLIN)  # the horizon
    text = (cfg.digest.output / "digest.txt").read_text(encoding="utf-8")
    assert "Backdated" in text and "First" not in text and "Second" not in text
    assert _last(cfg, T0 + timedelta(days=2)).exit_code == 3
    assert _digests_per_article(cfg.digest.state) == Counter(
        {a.id: 1 for a in report.articles} | {
            f"tag:news.example.org,2025-02-{day}:{slug}": 1
            for day, slug in (("10", "first"), ("20", "second"))})


def test_limit_leaves_the_rest_for_the_next_run(make_site_dir) -> None:
    cfg = _site(make_site_dir, {f"p{n}": f"2025-02-{10 + n}" for n in range(5)})
    first = _last(cfg, T0, limit=2)
    assert [a.slug for a in first.articles] == ["p4", "p3"] and first.candidates == 5
    second = _last(cfg, T0 + timedelta(days=1), limit=2)
    assert [a.slug for a in second.articles] == ["p2", "p1"]
    assert [a.slug for a in _last(cfg, T0 + timedelta(days=2), limit=2).articles] == ["p0"]


def test_min_items_holds_articles_back_until_enough(make_site_dir) -> None:
    cfg = _site(make_site_dir, {"one": "2025-02-10"})
    held = _last(cfg, T0, min_items=2)
    assert held.exit_code == 3 and [a.slug for a in held.articles] == ["one"]
    assert not cfg.digest.state.exists() or \
        _digests_per_article(cfg.digest.state) == Counter()
    (cfg.content.dir / "two.md").write_text(ARTICLE.format(title="Two", date="2025-02-11"),
                                            encoding="utf-8")
    sent = _last(cfg, T0 + timedelta(days=1), min_items=2)
    assert [a.slug for a in sent.articles] == ["two", "one"]


def test_dry_run_never_records_or_writes(make_site_dir) -> None:
    cfg = _site(make_site_dir, {"one": "2025-02-10"})
    report = jobs.digest(cfg, DigestRequest(since="last", dry_run=True, mark_sent=True),
                             now=T0)
    assert report.exit_code == 0 and report.dry_run and report.digest is not None
    assert not report.recorded and report.files == {}
    assert not cfg.digest.state.exists()
    assert not cfg.digest.output.exists()
    # with a state file: it is read, not changed
    _last(cfg, T0)
    (cfg.content.dir / "two.md").write_text(ARTICLE.format(title="Two", date="2025-02-11"),
                                            encoding="utf-8")
    state = cfg.digest.state.read_bytes()
    dry = jobs.digest(cfg, DigestRequest(since="last", dry_run=True, mark_sent=True),
                          now=T0 + timedelta(days=1))
    assert [a.slug for a in dry.articles] == ["two"]
    assert cfg.digest.state.read_bytes() == state


def test_explicit_window_skips_articles_already_sent(make_site_dir) -> None:
    cfg = _site(make_site_dir, {"one": "2025-02-10", "two": "2025-02-12"})
    _last(cfg, T0)
    (cfg.content.dir / "three.md").write_text(ARTICLE.format(title="Three", date="2025-02-11"),
                                              encoding="utf-8")
    report = jobs.digest(cfg, DigestRequest(since="2025-02-01", until="2025-03-01"),
                             now=T0 + timedelta(days=1))
    assert [a.slug for a in report.articles] == ["three"]


def test_updated_section_lists_an_update_once_with_since_last(make_site_dir) -> None:
    cfg = _site(make_site_dir, {"one": "2025-02-05"},
                toml=SITE_TOML + "include_updated = true\n")
    content = cfg.content.dir

    def write(slug: str, date: str, updated: str | None = None) -> None:
        extra = f"updated: {updated}\n" if updated else ""
        (content / f"{slug}.md").write_text(f"---\ntitle: {slug.title()}\npublish_date: {date}"
                                            f"\n{extra}---\nBody.\n", encoding="utf-8")

    first = _last(cfg, T0)
    assert first.digest is not None and first.digest.updated == ()
    write("one", "2025-02-05", updated="2025-03-03")  # corrected after it was mailed
    write("two", "2025-03-04")
    second = _last(cfg, T0 + timedelta(days=5))
    assert [a.slug for a in second.articles] == ["two"]
    assert [a.slug for a in second.digest.updated] == ["one"]  # type: ignore[union-attr]
    assert "Updated since the last issue" in second.digest.text  # type: ignore[union-attr]
    write("three", "2025-03-08")
    third = _last(cfg, T0 + timedelta(days=10))
    assert [a.slug for a in third.articles] == ["three"]
    # the update came before the second issue, which already told the readers
    assert third.digest.updated == ()  # type: ignore[union-attr]
    assert "Updated since the last issue" not in third.digest.text  # type: ignore[union-attr]


# -- at least once ----------------------------------------------------------------------------


def test_death_after_sending_records_nothing_and_the_next_run_resends(
        make_site_dir, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = SITE_TOML + '\n[smtp]\nhost = "127.0.0.1"\nsecurity = "none"\n'
    with smtp_server() as server:
        toml_here = toml.replace('security = "none"', f'security = "none"\nport = {server.port}')
        cfg = _site(make_site_dir, {"one": "2025-02-10", "two": "2025-02-12"}, toml=toml_here)
        request = DigestRequest(since="last", send=True, to=("reader@example.org",))

        def die(self: Ledger, **kw: object) -> int:
            raise Killed

        with monkeypatch.context() as patch:
            patch.setattr(Ledger, "record", die)
            with pytest.raises(Killed):
                jobs.digest(cfg, request, now=T0)
        assert len(server.sink.received) == 1  # the server accepted it...
        with Ledger.open(cfg.digest.state, create=False) as ledger:
            assert ledger.digests() == [] and ledger.sent_ids() == set()  # ...but not recorded
        again = jobs.digest(cfg, request, now=T0 + timedelta(hours=1))
        assert again.recorded and [a.slug for a in again.articles] == ["two", "one"]
        assert len(server.sink.received) == 2
    first, second = (r.message["Message-ID"] for r in server.sink.received)
    assert first == second == again.digest.message_id  # type: ignore[union-attr]
    with Ledger.open(cfg.digest.state, create=False) as ledger:
        assert [d["message_id"] for d in ledger.digests()] == [first]
        assert ledger.digests()[0]["recipients"] == 1 and ledger.digests()[0]["mode"] == "send"


KILLER = textwrap.dedent("""
    import os, signal, sys
    from datetime import datetime
    from pathlib import Path
    from feedkit import jobs
    from feedkit.settings import load as load_settings
    from feedkit.deliver.ledger import Ledger
    from feedkit.jobs.digest_job import DigestRequest

    real = Ledger.record
    def record_then_die(self, **kw):
        real(self, **kw)  # written into the open transaction, never committed
        os.kill(os.getpid(), signal.SIGKILL)
    Ledger.record = record_then_die
    root = Path(sys.argv[1])
    cfg = load_settings(root / "feedkit.toml", env={}, cwd=root)
    jobs.digest(cfg, DigestRequest(since="last", mark_sent=True),
                    now=datetime.fromisoformat(sys.argv[2]))
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_run_leaves_a_usable_state_file_with_nothing_recorded(make_site_dir) -> None:
    cfg = _site(make_site_dir, {"one": "2025-02-10"})
    with Ledger.open(cfg.digest.state):
        pass
    root = cfg.source.parent
    proc = subprocess.run([sys.executable, "-c", KILLER, str(root), T0.isoformat()],
                          capture_output=True, text=True, timeout=60, check=False, cwd=root)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert (cfg.digest.output / "digest.eml").is_file()  # it got as far as writing
    with Ledger.open(cfg.digest.state, create=False) as ledger:  # hot journal undone
        assert ledger.digests() == []
    report = _last(cfg, T0)
    assert report.recorded and [a.slug for a in report.articles] == ["one"]


def test_failed_send_records_nothing(make_site_dir) -> None:
    with smtp_server(refuse={"gone@example.org"}) as server:
        toml = SITE_TOML + f'\n[smtp]\nhost = "127.0.0.1"\nport = {server.port}\n' \
            'security = "none"\n'
        cfg = _site(make_site_dir, {"one": "2025-02-10"}, toml=toml)
        with pytest.raises(MailError, match="recipient refused"):
            jobs.digest(cfg, DigestRequest(since="last", send=True,
                                               to=("gone@example.org",)), now=T0)
    with Ledger.open(cfg.digest.state, create=False) as ledger:
        assert ledger.digests() == []


# -- a year of daily runs ---------------------------------------------------------------------
#
# 365 runs of `--since last --mark-sent` through jobs.digest, with a clock pinned per day.
# To keep it to a few seconds, two things are replaced in this test only: the content loader
# (the articles live in a dict that the test edits, instead of files: loading from disk costs
# ~0.6 ms a file on every run) and render_digest (premailer costs ~35 ms a digest): the stand-in
# returns a real feedkit.render.email.Digest whose ids are the articles' own (as loading gives
# them) and whose digest id is feedkit's digest_id. Everything between (windows, the horizon,
# the ledger and its lock, building the message, writing the files) is the real code. The
# shorter stories above, and those in tests/cli/test_cli_digest.py, run on real files with the
# real renderer.


def _quick_render(site, articles, *, window, settings, summaries=None, updated=()) -> Digest:
    ids = tuple(a.id for a in articles)
    did = digest_id(ids)
    text = "".join(f"{a.title}\n{a.url}\n" for a in articles)
    return Digest(id=did, subject=f"{len(articles)} new", html=f"<pre>{text}</pre>", text=text,
                  message_id=f"<digest-{did}@news.example.org>", window=window,
                  articles=tuple(articles), article_ids=ids, updated=tuple(updated),
                  archive_name=f"{window.until.date().isoformat()}-{did}.html")


def test_a_year_of_daily_runs_sends_every_article_exactly_once(
        make_site_dir, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(20250101)
    cfg = _site(make_site_dir, {}, toml=SITE_TOML.replace("2025-02-01", "2025-01-01"))
    horizon = datetime(2025, 1, 1, tzinfo=BERLIN)
    store: dict[str, Article] = {}  # slug -> article: the content folder
    pending: list[tuple[datetime, Article]] = []  # (when it lands in the folder, article)

    def post(slug: str, published: datetime, arrives: datetime, **kw: object) -> None:
        article = make_article(slug=slug, title=f"Post {slug}", published=published,
                               description=f"About {slug}.", **kw)
        pending.append((arrives, article))

    # the archive from before the first digest: never mailed, even when edited later
    for n in range(15):
        day = horizon - timedelta(days=rng.randint(1, 400), hours=rng.randint(0, 23))
        post(f"archive-{n}", day, horizon - timedelta(days=1))
    runs = [datetime(2025, 1, 1, 6, 0, tzinfo=UTC) + timedelta(days=d) for d in range(365)]
    for n, run in enumerate(runs):
        for k in range(rng.choice((0, 0, 1, 1, 2))):
            published = run + timedelta(hours=rng.randint(-23, 17), minutes=rng.randint(0, 59))
            kind = rng.random()
            slug = f"d{n:03d}-{k}"
            if kind < 0.55:  # on time (some land after the run: the next run takes them)
                post(slug, published, published)
            elif kind < 0.70:  # arrives days late with its original date
                post(slug, published, published + timedelta(days=rng.randint(1, 9)))
            elif kind < 0.80:  # backdated into an old window (sometimes before the horizon)
                post(slug, published - timedelta(days=rng.randint(2, 60)), published)
            elif kind < 0.88:  # scheduled: in the folder long before its date
                post(slug, published, published - timedelta(days=rng.randint(1, 20)))
            elif kind < 0.94:  # a draft now, published later
                post(slug, published, published, draft=True)
            else:  # archived from the start: never sent
                post(slug, published, published, archived=True)
    post("on-the-dot", runs[40], runs[40] - timedelta(days=1))  # at a run's `until`: next run

    monkeypatch.setattr(feedkit.jobs.digest_job, "load_site",
                        lambda settings, cache, pool: LoadResult(tuple(store.values()), ()))
    monkeypatch.setattr(feedkit.render.email, "render_digest", _quick_render)

    ids: dict[tuple[str, datetime], str] = {}

    def aid(article: Article) -> str:  # the id feedkit gives it (slug and first publish day)
        key = (article.slug, article.published)
        if key not in ids:
            ids[key] = article.id
        return ids[key]

    due: set[str] = set()  # what must have been sent by the end
    sent_by_run: dict[str, int] = {}
    edits = deletions = undrafts = backdated_alone = 0
    for n, now in enumerate(runs):
        for _, article in [p for p in pending if p[0] <= now]:
            store[article.slug] = article
        pending[:] = [p for p in pending if p[0] > now]
        for slug in sorted(store):  # the publisher edits, deletes and undrafts
            article, roll = store[slug], rng.random()
            if slug == "on-the-dot":
                continue
            if roll < 0.01:
                del store[slug]
                deletions += 1
            elif roll < 0.04:
                store[slug] = replace(article, title=article.title + " (edited)",
                                      body=Body(text=f"Edited on day {n}."))
                edits += 1
            elif article.draft and roll < 0.15:
                store[slug] = replace(article, draft=False)
                undrafts += 1
        expected = {aid(a) for a in store.values()
                    if a.status(now) is Status.PUBLISHED and horizon <= a.published < now
                    and aid(a) not in sent_by_run}
        due |= expected

        report = _last(cfg, now, limit=0)

        chosen = {aid(a) for a in report.articles}
        assert chosen == expected, f"day {n}"
        assert report.exit_code == (0 if expected else 3)
        assert report.recorded is bool(expected)
        assert report.window.since == horizon and report.window.until == now
        if n and len(chosen) == 1 and report.articles[0].published < runs[n - 1]:
            backdated_alone += 1
        for i in chosen:
            sent_by_run[i] = n

    # the story really had every twist in it
    assert edits > 10 and deletions > 10 and undrafts > 3 and backdated_alone > 3
    assert sent_by_run[make_article(slug="on-the-dot", published=runs[40]).id] == 41
    counts = _digests_per_article(cfg.digest.state)
    assert set(counts.values()) == {1}  # nothing sent twice
    assert set(counts) == due  # nothing missed, nothing extra
    final = {aid(a) for a in store.values()
             if a.status(runs[-1]) is Status.PUBLISHED and horizon <= a.published < runs[-1]}
    assert final <= set(counts)  # every published article since the horizon: exactly once
    assert not any(i.startswith("tag:news.example.org,2024") for i in counts)
    assert not any(":archive-" in i for i in counts)
    assert len(counts) > 250
    with Ledger.open(cfg.digest.state, create=False) as ledger:
        assert ledger.horizon() == horizon
        assert len(ledger.digests()) == len(set(sent_by_run.values()))


def test_a_blank_article_waits_until_it_has_something_to_show(make_site_dir) -> None:
    cfg = _site(make_site_dir, {"ready": "2025-02-27"})
    stub = cfg.content.dir / "stub.md"
    stub.write_text("---\ntitle: Half written\npublish_date: 2025-02-28\ndescription: ''\n"
                    "heroImage: ''\ncta: ''\n---\n\n", encoding="utf-8")
    first = _last(cfg, T0)
    assert [a.slug for a in first.articles] == ["ready"]
    assert any("left out 1 article(s) with nothing but a title (stub.md)" in n
               for n in first.notes)
    stub.write_text("---\ntitle: Half written\npublish_date: 2025-02-28\n---\nNow written.\n",
                    encoding="utf-8")
    second = _last(cfg, T0 + timedelta(days=1))
    assert [a.slug for a in second.articles] == ["stub"]


def test_a_dry_run_reads_past_a_crashed_runs_journal_without_touching_the_file(
        tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with Ledger.open(state) as ledger, ledger.locked():
        _record(ledger, ["a"], since=datetime(2025, 2, 1, tzinfo=BERLIN), n=1)
    # a run that died mid-transaction leaves a hot journal beside the file
    script = textwrap.dedent(f"""
        import os, sqlite3
        db = sqlite3.connect({str(state)!r}, isolation_level=None)
        db.execute("PRAGMA cache_size = 1")
        db.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM digest_articles")
        db.execute("CREATE TABLE filler(x)")
        db.executemany("INSERT INTO filler VALUES (?)", [("x" * 1000,)] * 500)
        os._exit(0)
    """)
    subprocess.run([sys.executable, "-c", script], check=True)
    journal = Path(f"{state}-journal")
    assert journal.exists() and journal.stat().st_size > 0
    before = state.read_bytes(), journal.read_bytes()
    with Ledger.open(state, create=False) as ledger:
        assert ledger.sent_ids() == {"a"}  # as the recovered file will read
    assert (state.read_bytes(), journal.read_bytes()) == before
    with Ledger.open(state) as ledger:  # a real run recovers it
        assert ledger.sent_ids() == {"a"}
    assert not journal.exists() or journal.stat().st_size == 0


def test_a_dry_run_of_a_wal_mode_state_file_creates_nothing_beside_it(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with Ledger.open(state) as ledger, ledger.locked():
        _record(ledger, ["a"], since=datetime(2025, 2, 1, tzinfo=BERLIN), n=1)
    with closing(sqlite3.connect(state)) as db:
        db.execute("PRAGMA journal_mode=WAL")
    listing = sorted(p.name for p in tmp_path.iterdir())
    with Ledger.open(state, create=False) as ledger:
        assert ledger.sent_ids() == {"a"}
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


# -- renamed, moved, redated: still sent once ------------------------------------------------


def _write(content: Path, rel: str, title: str, date: str, body: str = "Body.") -> None:
    file = content / rel
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(f"---\ntitle: {title}\npublish_date: {date}\ndescription: About {title}."
                    f"\n---\n{body}\n", encoding="utf-8")


def _mailed(server: Server) -> Counter[str]:
    """How many emails listed each title (a line of its own in the plain-text part)."""
    counts: Counter[str] = Counter()
    for received in server.sink.received:
        text = received.message.get_body(preferencelist=("plain",))
        assert text is not None
        counts.update({line.strip() for line in text.get_content().splitlines()})
    return counts


def _send(cfg: Settings, now: datetime):
    return jobs.digest(cfg, DigestRequest(since="last", send=True, to=("reader@example.org",)),
                       now=now)


def _smtp_site(make_site_dir, server: Server, toml: str = SITE_TOML) -> Settings:
    root = make_site_dir({}, toml=toml + f'\n[smtp]\nhost = "127.0.0.1"\nport = {server.port}\n'
                         'security = "none"\n')
    return load_settings(root / "feedkit.toml", env={}, cwd=root)


CRANES_ID = "tag:news.example.org,2025-02-10:cranes"


def _rename(content: Path, old: str, new: str) -> None:
    (content / new).parent.mkdir(parents=True, exist_ok=True)
    (content / old).rename(content / new)


# change -> (the file the sent article is in now, or None when its id stays, and what the
# change adds that was never sent)
CHANGES = {
    "renamed": ("harbour-cranes.md", ()),
    "moved into a folder": (None, ()),
    "date fixed": ("cranes.md", ()),
    "renamed and redated": ("harbour-cranes.md", ()),
    "site.timezone changed": (None, ()),
    "an older article took its slug": ("cranes.md", ("Old pier",)),
}


def _change(cfg: Settings, change: str) -> Settings:
    content = cfg.content.dir
    if change == "renamed":
        _rename(content, "cranes.md", "harbour-cranes.md")
    elif change == "moved into a folder":
        _rename(content, "cranes.md", "2025/02/cranes.md")
    elif change == "date fixed":
        _write(content, "cranes.md", "Harbour cranes", "2025-02-09")
    elif change == "renamed and redated":
        (content / "cranes.md").unlink()
        _write(content, "harbour-cranes.md", "Harbour cranes", "2025-02-11")
    elif change == "site.timezone changed":
        toml = cfg.source.read_text(encoding="utf-8")
        cfg.source.write_text(toml.replace("Europe/Berlin", "America/New_York"),
                              encoding="utf-8")
        return load_settings(cfg.source, env={}, cwd=cfg.source.parent)
    else:  # older, so it keeps the slug; the sent one becomes cranes-<hash>
        _write(content, "archive/cranes.md", "Old pier", "2025-02-05")
    return cfg


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_sent_article_is_not_mailed_again_after_its_file_or_id_changes(
        make_site_dir, change: str) -> None:
    moved_to, added = CHANGES[change]
    with smtp_server() as server:
        cfg = _smtp_site(make_site_dir, server)
        _write(cfg.content.dir, "cranes.md", "Harbour cranes", "2025-02-10")
        _write(cfg.content.dir, "ferry.md", "River ferry", "2025-02-12")
        first = _send(cfg, T0)
        assert [a.title for a in first.articles] == ["River ferry", "Harbour cranes"]
        cfg = _change(cfg, change)
        _write(cfg.content.dir, "fresh.md", "Fresh catch", "2025-03-01T12:00:00+01:00")
        second = _send(cfg, T0 + timedelta(days=1))
        assert sorted(a.title for a in second.articles) == sorted(("Fresh catch", *added))
        assert _send(cfg, T0 + timedelta(days=2)).exit_code == 3
        mailed = _mailed(server)
    assert len(server.sink.received) == 2
    titles = ("Harbour cranes", "River ferry", "Fresh catch", *added)
    assert {t: mailed[t] for t in titles} == dict.fromkeys(titles, 1)  # none twice, none missed
    renamed = [n for n in second.notes if "sent before as" in n]
    with Ledger.open(cfg.digest.state, create=False) as ledger:
        sent = ledger.sent_ids()
    if moved_to is None:  # the id did not change: nothing to say
        assert renamed == [] and CRANES_ID in sent
        return
    cranes = next(a for a in _loaded(cfg) if a.title == "Harbour cranes")
    assert renamed == [f'{moved_to}: sent before as {CRANES_ID}, its id is now {cranes.id}; '
                       'not sent again. Pin the old id (or feed readers show it again): add '
                       f'id: "{CRANES_ID}" to its front matter']
    # recorded under its id now, so the next run knows it by id (and says nothing)
    assert cranes.id in sent and CRANES_ID not in sent


def _loaded(cfg: Settings) -> tuple[Article, ...]:
    from feedkit.load import load_articles
    from feedkit.load.rules import LoadRules

    return load_articles(cfg.content.dir, rules=LoadRules.of(cfg)).articles


def test_an_edited_sent_article_is_still_known_after_a_later_rename(make_site_dir) -> None:
    # two sent articles share a title, so only the text ties the renamed one to its record:
    # the text as it was when the ledger last saw it, after the edit
    with smtp_server() as server:
        cfg = _smtp_site(make_site_dir, server)
        content = cfg.content.dir
        _write(content, "notes-a.md", "Harbour notes", "2025-02-10", "First week.")
        _write(content, "notes-b.md", "Harbour notes", "2025-02-12", "Second week.")
        assert len(_send(cfg, T0).articles) == 2
        _write(content, "notes-a.md", "Harbour notes", "2025-02-10", "First week, corrected.")
        _write(content, "fresh.md", "Fresh catch", "2025-03-01T12:00:00+01:00")
        assert [a.title for a in _send(cfg, T0 + timedelta(days=1)).articles] == ["Fresh catch"]
        (content / "notes-a.md").unlink()  # renamed, and its date fixed
        _write(content, "week-one.md", "Harbour notes", "2025-02-09", "First week, corrected.")
        _write(content, "more.md", "More catch", "2025-03-02T12:00:00+01:00")
        third = _send(cfg, T0 + timedelta(days=2))
        assert [a.title for a in third.articles] == ["More catch"]
        _rename(content, "week-one.md", "2025/first-week.md")  # and once more
        _write(content, "last.md", "Last catch", "2025-03-03T12:00:00+01:00")
        fourth = _send(cfg, T0 + timedelta(days=3))
        assert [a.title for a in fourth.articles] == ["Last catch"]
        mailed = _mailed(server)
    assert mailed["Harbour notes"] == 1  # the first email listed both; no other one did
    assert [mailed[t] for t in ("Fresh catch", "More catch", "Last catch")] == [1, 1, 1]
    assert any(n.startswith("week-one.md: sent before as tag:news.example.org,2025-02-10:"
                            "notes-a,") for n in third.notes)
    assert any(n.startswith("2025/first-week.md: sent before as tag:news.example.org,"
                            "2025-02-09:week-one,") for n in fourth.notes)


def test_a_dry_run_recognises_a_renamed_article_and_records_nothing(make_site_dir) -> None:
    cfg = _site(make_site_dir, {"one": "2025-02-10"})
    _last(cfg, T0)
    _rename(cfg.content.dir, "one.md", "one-renamed.md")
    state = cfg.digest.state.read_bytes()
    dry = jobs.digest(cfg, DigestRequest(since="last", dry_run=True), now=T0 + timedelta(1))
    assert dry.exit_code == 3 and dry.already_sent == 1
    assert [n.split(":")[0] for n in dry.notes] == ["one-renamed.md"]
    assert cfg.digest.state.read_bytes() == state


# -- schema 1 files ---------------------------------------------------------------------------

# the schema feedkit wrote before it kept what names an article (user_version 1)
SCHEMA_1 = """
CREATE TABLE digests (
    id INTEGER PRIMARY KEY, digest_id TEXT NOT NULL, since TEXT NOT NULL, until TEXT NOT NULL,
    created TEXT NOT NULL, sent TEXT, mode TEXT NOT NULL CHECK (mode IN ('send', 'mark')),
    message_id TEXT NOT NULL, recipients INTEGER NOT NULL
);
CREATE TABLE digest_articles (
    digest INTEGER NOT NULL REFERENCES digests(id), article_id TEXT NOT NULL,
    published TEXT NOT NULL, PRIMARY KEY (digest, article_id)
);
CREATE INDEX digest_articles_by_article ON digest_articles(article_id);
"""


def _schema_1_file(state: Path, articles: dict[str, str]) -> None:
    """A state file as feedkit with schema 1 left it: one digest of ``articles`` (id ->
    published), sent from 2025-02-01 (Berlin) to T0."""
    state.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(state)) as db, db:
        db.executescript(SCHEMA_1 + f"PRAGMA application_id = {APPLICATION_ID};"
                         "PRAGMA user_version = 1;")
        db.execute("INSERT INTO digests VALUES (1, 'd1', '2025-02-01T00:00:00+01:00', ?, ?, ?,"
                   " 'send', '<digest-d1@news.example.org>', 1)",
                   (T0.isoformat(), T0.isoformat(), T0.isoformat()))
        db.executemany("INSERT INTO digest_articles VALUES (1, ?, ?)", articles.items())


def _version_and_columns(state: Path) -> tuple[int, list[str]]:
    with closing(sqlite3.connect(state)) as db:
        return (db.execute("PRAGMA user_version").fetchone()[0],
                [row[1] for row in db.execute("PRAGMA table_info(digest_articles)")])


def test_a_schema_1_file_is_read_as_it_is_and_migrated_by_a_run_that_writes(
        tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    _schema_1_file(state, {"tag:x,2025-02-10:one": "2025-02-10T00:00:00+01:00"})
    before = state.read_bytes()
    with Ledger.open(state, create=False) as ledger:  # a dry run: reads, never migrates
        assert ledger.sent_ids() == {"tag:x,2025-02-10:one"}
        assert ledger.known() == [Known("tag:x,2025-02-10:one", day="2025-02-10")]
    assert state.read_bytes() == before
    with Ledger.open(state) as ledger:
        assert ledger.known() == [Known("tag:x,2025-02-10:one", day="2025-02-10")]
        with ledger.locked():
            ledger.record(digest_id="d2", since=T0, until=T0 + timedelta(days=1), created=T0,
                          sent=None, mode="mark", message_id="<m2@x>", recipients=0,
                          entries=[Entry("tag:x,2025-02-20:two", T0, url=f"{SITE_URL}two/",
                                         path="two.md", content_hash="abc", title="Two")])
    assert _version_and_columns(state) == (SCHEMA_VERSION, [
        "digest", "article_id", "published", "url", "path", "content_hash", "title"])
    with Ledger.open(state, create=False) as ledger:
        assert ledger.known() == [
            Known("tag:x,2025-02-10:one", day="2025-02-10"),
            Known("tag:x,2025-02-20:two", url=f"{SITE_URL}two/", path="two.md",
                  content_hash="abc", title="Two", day=T0.date().isoformat())]
        assert ledger.horizon() == datetime(2025, 2, 1, tzinfo=BERLIN)


def test_migrating_waits_for_the_lock_and_fails_like_any_locked_run(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    _schema_1_file(state, {"tag:x,2025-02-10:one": "2025-02-10T00:00:00+01:00"})
    holder = sqlite3.connect(state, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(LedgerError) as caught, Ledger.open(state, timeout=0.2):
            pass
        assert str(caught.value) == f"{state}: {LOCKED}"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _version_and_columns(state)[0] == 1  # left for the next run
    with Ledger.open(state) as ledger:
        assert ledger.sent_ids() == {"tag:x,2025-02-10:one"}
    assert _version_and_columns(state)[0] == SCHEMA_VERSION


def test_a_feedkit_that_knows_only_schema_1_refuses_a_schema_2_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state.db"
    with Ledger.open(state):
        pass
    monkeypatch.setattr(feedkit.deliver.ledger, "SCHEMA_VERSION", 1)  # the older feedkit
    for create in (True, False):
        with pytest.raises(LedgerError, match=r"written by a newer feedkit \(schema 2\); "
                           "upgrade feedkit"), Ledger.open(state, create=create):
            pass


def test_after_upgrading_a_schema_1_ledger_renamed_articles_are_recognised(
        make_site_dir) -> None:
    cfg = _site(make_site_dir, {"one": "2025-02-10", "two": "2025-02-12"})
    _schema_1_file(cfg.digest.state, {
        "tag:news.example.org,2025-02-10:one": "2025-02-10T00:00:00+01:00",
        "tag:news.example.org,2025-02-12:two": "2025-02-12T00:00:00+01:00"})
    _write(cfg.content.dir, "three.md", "Three", "2025-03-01T12:00:00+01:00")
    # the first run knows the old rows by id only; recording fills in what names them
    assert [a.slug for a in _last(cfg, T0 + timedelta(days=1)).articles] == ["three"]
    with Ledger.open(cfg.digest.state, create=False) as ledger:
        assert {k.path for k in ledger.known()} == {"one.md", "two.md", "three.md"}
    _rename(cfg.content.dir, "one.md", "first.md")
    _write(cfg.content.dir, "four.md", "Four", "2025-03-02T12:00:00+01:00")
    assert [a.slug for a in _last(cfg, T0 + timedelta(days=2)).articles] == ["four"]


@pytest.mark.parametrize("include_updated", [False, True])
def test_a_renamed_sent_article_with_an_update_is_listed_as_updated_only_when_asked(
        make_site_dir, include_updated: bool) -> None:
    toml = SITE_TOML + ("include_updated = true\n" if include_updated else "")
    cfg = _site(make_site_dir, {"one": "2025-02-05"}, toml=toml)
    _last(cfg, T0)
    (cfg.content.dir / "one.md").unlink()
    (cfg.content.dir / "one-renamed.md").write_text(
        "---\ntitle: One\npublish_date: 2025-02-05\nupdated: 2025-03-01T12:00:00+01:00\n"
        "description: About One.\n---\nBody.\n", encoding="utf-8")
    _write(cfg.content.dir, "two.md", "Two", "2025-03-01T12:00:00+01:00")
    second = _last(cfg, T0 + timedelta(days=1))
    assert [a.slug for a in second.articles] == ["two"]
    assert second.digest is not None
    assert [a.slug for a in second.digest.updated] == (["one-renamed"] if include_updated
                                                       else [])
