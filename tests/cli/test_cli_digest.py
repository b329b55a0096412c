"""`feedkit digest`: the acceptance run on the seed-like site, `--since last` twice, dry runs,
test sends, real sends to an in-process SMTP server, and every exit code with its one line."""

from __future__ import annotations

import email
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from email.policy import default
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from factories import SITE_URL
from feedtools import copy_site, read_outputs
from ledgertools import LOCKED, lock_held_by_another_process
from mailtools import closed_port, raw_server, smtp_server

from feedkit import jobs
from feedkit.cli import cli
from feedkit.deliver.ledger import Ledger

NOW = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)
PASSWORD = "pa55-Wort-Geheim"

SEEDS = (  # (file, title, hero image, description, CTA text or None), newest first
    ("003_dddd", "The Robot Revolution Has a Security Problem",
     "https://cdn.example.com/main/robot-revolution.png",
     "Robots achieve more with fewer resources, but their safety measures may be inadequate.",
     None),
    ("001_bbbb", "The Hidden Dangers of Budget Robots: Why Experts Raise Red Flags",
     "https://images.example.com/hero/red-flags.jpg",
     "Experts worry about data privacy and security protocols in budget robots.",
     "Want to stay updated? Follow us on LinkedIn for expert insights."),
    ("000_aaaa", "Budget Robots: Cheap, Fast and a Little Leaky",
     "https://images.example.com/hero/budget-robots.jpg",
     "A look at budget robots that do a lot for little money, and the security holes that "
     "come with them.",
     "Want to stay ahead of robot security news? Follow us on LinkedIn for analysis."),
)

TOML = f"""[site]
url = "{SITE_URL}"
title = "Harbour News"
timezone = "Europe/Berlin"

[digest]
first_run_since = "2025-04-01"
from = "Harbour News <news@example.org>"
"""

ARTICLE = "---\ntitle: {title}\npublish_date: {date}\ndescription: About {title}.\n---\nBody.\n"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No FEEDKIT_* from the host, and a clock pinned at NOW."""
    for name in list(os.environ):
        if name.startswith("FEEDKIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setattr(jobs, "utc_now", lambda: NOW)


def run(root: Path, *args: str, catch: bool = False) -> Result:
    return CliRunner().invoke(cli, ["digest", "--config", str(root / "feedkit.toml"), *args],
                              catch_exceptions=catch)


def fails(root: Path, *args: str) -> Result:
    """A run expected to fail: exceptions are caught so the exit code can be checked."""
    return run(root, *args, catch=True)


def _site(make_site_dir, articles: dict[str, str], toml: str = TOML) -> Path:
    return make_site_dir({f"{slug}.md": ARTICLE.format(title=slug.title(), date=date)
                          for slug, date in articles.items()}, toml=toml)


def _one_error_line(result: Result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("feedkit: error: ")
    return lines[0].removeprefix("feedkit: error: ")


def _recorded(state: Path) -> list[dict[str, object]]:
    with Ledger.open(state, create=False) as ledger:
        return ledger.digests()


@pytest.fixture
def host_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# -- the acceptance run -----------------------------------------------------------------------


@pytest.fixture
def seedlike(tmp_path: Path) -> Path:
    return copy_site("seedlike", tmp_path)


def test_seed_site_digest_has_seeds_003_001_000(seedlike: Path) -> None:
    result = run(seedlike, "--since", "2025-02-01", "--until", "2025-05-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:4] == [
        "window: 2025-02-01 00:00 to 2025-05-01 00:00 (UTC), until excluded",
        "  2025-04-07 00:00  The Robot Revolution Has a Security Problem",
        "  2025-02-19 00:00  The Hidden Dangers of Budget Robots: Why Experts Raise Red Flags",
        "  2025-02-05 00:00  Budget Robots: Cheap, Fast and a Little Leaky",
    ]
    out = seedlike / "public" / "digest"
    html = (out / "digest.html").read_text(encoding="utf-8")
    text = (out / "digest.txt").read_text(encoding="utf-8")
    assert len(html.encode("utf-8")) < 100_000
    # exactly 003, 001, 000, in that order; 002 (dated 2024) is not in the window
    urls = re.findall(r'class="article-title"[^>]*><a href="([^"]+)"', html)
    assert urls == [f"https://news.example.org/{seed[0]}/" for seed in SEEDS]
    assert "002_cccc" not in html and "002_cccc" not in text
    for _, title, hero, description, cta in SEEDS:
        assert re.search(rf'<img src="{re.escape(hero)}" alt="[^"]+" width="\d+"', html), hero
        assert description in html and description in " ".join(text.split())
        assert title in html and title in text
        if cta:
            assert cta in html and cta in " ".join(text.split())
    assert 'alt="A robot standing in a server room"' in html
    for data in (html, text, (out / "digest.eml").read_bytes().decode("ascii")):
        assert "â€" not in data and "Ã" not in data
    assert "button-cell" not in html  # the seeds' CTAs have no URL: text, never a dead button
    message = email.message_from_bytes((out / "digest.eml").read_bytes(), policy=default)
    assert message["Subject"] == "Example News: 3 new articles (2025-04-30)"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    archive = list((out / "archive").iterdir())
    assert [p.name for p in archive] == [f"2025-04-30-{message['X-Feedkit-Digest']}.html"]
    assert archive[0].read_text(encoding="utf-8") == html
    assert not (seedlike / ".feedkit" / "state.db").exists()  # nothing recorded (only the cache)


def test_mojibake_is_repaired_in_the_digest(make_site_dir) -> None:
    root = make_site_dir({"m.md": "---\ntitle: Cheap robots â€“ a warning\npublish_date: "
                                  "2025-04-10\ndescription: Whether this is a model â€“ or a "
                                  "cautionary tale â€“ is up to us.\n---\nBody.\n"}, toml=TOML)
    result = run(root, "--since", "2025-04-01")
    assert result.exit_code == 0, result.output
    out = root / "public" / "digest"
    for name in ("digest.html", "digest.txt"):
        data = (out / name).read_text(encoding="utf-8")
        assert "â€" not in data
        assert "Cheap robots – a warning" in data
        assert "model – or a" in " ".join(data.split())


def test_same_run_gives_identical_bytes_under_any_host_time_zone(
        seedlike: Path, tmp_path: Path, host_tz: None) -> None:
    args = ("--since", "2025-02-01", "--until", "2025-05-01")
    assert run(seedlike, *args, "--output", str(tmp_path / "one")).exit_code == 0
    time.tzset()  # still in the fixture's zone; a second run must agree byte for byte
    assert run(seedlike, *args, "--output", str(tmp_path / "two")).exit_code == 0
    os.environ["TZ"] = "UTC"
    time.tzset()
    assert run(seedlike, *args, "--output", str(tmp_path / "utc")).exit_code == 0
    one, two, utc = (read_outputs(tmp_path / name) for name in ("one", "two", "utc"))
    names = sorted(one)
    assert names[0].startswith("archive/2025-04-30-")
    assert names[1:] == ["digest.eml", "digest.html", "digest.txt"]
    assert one == two == utc
    again = run(seedlike, *args, "--output", str(tmp_path / "one"))
    assert again.stdout.count("unchanged") == 4


# -- windows on the command line --------------------------------------------------------------


@pytest.mark.parametrize(("spec", "window"), [
    ("2025-04-28", "window: 2025-04-28 00:00 to 2025-05-01 11:30 (Europe/Berlin)"),
    ("2025-04-28T08:00", "window: 2025-04-28 08:00 to 2025-05-01 11:30 (Europe/Berlin)"),
    ("2025-04-28T08:00+00:00", "window: 2025-04-28 10:00 to 2025-05-01 11:30 (Europe/Berlin)"),
    ("36h", "window: 2025-04-29 23:30 to 2025-05-01 11:30 (Europe/Berlin)"),
    ("7d", "window: 2025-04-24 11:30 to 2025-05-01 11:30 (Europe/Berlin)"),
    ("2w", "window: 2025-04-17 11:30 to 2025-05-01 11:30 (Europe/Berlin)"),
])
def test_spec_forms_on_the_command_line(make_site_dir, spec: str, window: str) -> None:
    root = _site(make_site_dir, {"fresh": "2025-04-30T12:00"})
    result = run(root, "--since", spec, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [f"{window}, until excluded",
                                              "  2025-04-30 12:00  Fresh"]


def test_window_edges_are_half_open_on_the_command_line(make_site_dir) -> None:
    root = _site(make_site_dir, {"at-since": "2025-04-10", "at-until": "2025-04-20",
                                 "before-until": "2025-04-19T23:59:59"})
    result = run(root, "--since", "2025-04-10", "--until", "2025-04-20", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "At-Since" in result.stdout and "Before-Until" in result.stdout
    assert "At-Until" not in result.stdout


def test_drafts_archived_and_future_are_never_sent(make_site_dir) -> None:
    root = make_site_dir({
        "live.md": ARTICLE.format(title="Live", date="2025-04-10"),
        "draft.md": "---\ntitle: Draft\npublish_date: 2025-04-11\ndraft: true\n---\nB.\n",
        "archived.md": "---\ntitle: Gone\npublish_date: 2025-04-12\narchived: true\n---\nB.\n",
        "future.md": ARTICLE.format(title="Future", date="2025-05-01T12:00"),  # after NOW
    }, toml=TOML)
    result = run(root, "--since", "2025-04-01", "--until", "2025-06-01")
    assert result.exit_code == 0, result.output
    text = (root / "public" / "digest" / "digest.txt").read_text(encoding="utf-8")
    assert "Live" in text
    for title in ("Draft", "Gone", "Future"):
        assert title not in text and title not in result.stdout


def test_limit_keeps_the_newest(make_site_dir) -> None:
    root = _site(make_site_dir, {"older": "2025-04-10", "newer": "2025-04-12"})
    result = run(root, "--since", "2025-04-01", "--limit", "1", "--dry-run")
    assert "Newer" in result.stdout and "Older" not in result.stdout


# -- --since last -----------------------------------------------------------------------------


def test_since_last_after_a_rename_sends_nothing_and_says_how_to_pin_the_id(
        make_site_dir) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    assert run(root, "--since", "last", "--mark-sent").exit_code == 0
    (root / "content" / "one.md").rename(root / "content" / "first-one.md")
    again = run(root, "--since", "last", "--mark-sent")
    assert again.exit_code == 3
    assert "1 article in the window already sent; nothing written" in again.stdout
    assert again.stderr.splitlines() == [
        "note: first-one.md: sent before as tag:news.example.org,2025-04-02:one, its id is now "
        "tag:news.example.org,2025-04-02:first-one; not sent again. Pin the old id (or feed "
        'readers show it again): add id: "tag:news.example.org,2025-04-02:one" to its front '
        "matter"]


def test_since_last_mark_sent_twice_then_a_backdated_article(make_site_dir) -> None:
    root = _site(make_site_dir, {"before": "2025-03-31T23:59", "one": "2025-04-02",
                                 "two": "2025-04-20"})
    first = run(root, "--since", "last", "--mark-sent")
    assert first.exit_code == 0, first.output
    assert "recorded 2 articles as sent" in first.stdout
    assert "Before" not in first.stdout  # before first_run_since: the archive is never mailed
    out = root / "public" / "digest"
    files = read_outputs(out)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    state = root / ".feedkit" / "state.db"
    state_bytes = state.read_bytes()

    second = run(root, "--since", "last", "--mark-sent")
    assert second.exit_code == 3
    assert second.stdout.splitlines() == [
        "window: 2025-04-01 00:00 to 2025-05-01 11:30 (Europe/Berlin), until excluded "
        "(--since last: from the start of the first recorded digest)",
        "nothing new to send: 0 articles, fewer than --min-items 1; 2 articles in the window "
        "already sent; nothing written",
    ]
    assert read_outputs(out) == files
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == stamps
    assert state.read_bytes() == state_bytes

    (root / "content" / "late.md").write_text(ARTICLE.format(title="Late", date="2025-04-05"),
                                              encoding="utf-8")
    third = run(root, "--since", "last", "--mark-sent")
    assert third.exit_code == 0, third.output
    assert [line for line in third.stdout.splitlines() if line.startswith("  2025")] == \
        ["  2025-04-05 00:00  Late"]
    text = (out / "digest.txt").read_text(encoding="utf-8")
    assert "Late" in text and "One" not in text and "Two" not in text
    assert [d["recipients"] for d in _recorded(state)] == [0, 0]


def test_dry_run_writes_and_records_nothing(make_site_dir) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    result = run(root, "--since", "last", "--mark-sent", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "dry run: nothing written, sent or recorded"
    assert "  2025-04-02 00:00  One" in result.stdout
    assert sorted(p.name for p in root.iterdir()) == ["content", "feedkit.toml"]


def test_state_and_output_are_next_to_feedkit_toml_whatever_the_cwd(
        make_site_dir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert run(root, "--since", "last", "--mark-sent").exit_code == 0
    assert (root / ".feedkit" / "state.db").is_file()
    assert (root / "public" / "digest" / "digest.eml").is_file()
    assert list(elsewhere.iterdir()) == []
    # flags are relative to where they were typed
    (root / "content" / "two.md").write_text(ARTICLE.format(title="Two", date="2025-04-03"),
                                             encoding="utf-8")
    assert run(root, "--since", "last", "--mark-sent", "--state", "s.db", "--output",
               "out").exit_code == 0
    assert (elsewhere / "s.db").is_file() and (elsewhere / "out" / "digest.html").is_file()


# -- sending ----------------------------------------------------------------------------------


def _smtp_env(monkeypatch: pytest.MonkeyPatch, port: int, **extra: str) -> None:
    monkeypatch.setenv("FEEDKIT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FEEDKIT_SMTP_PORT", str(port))
    monkeypatch.setenv("FEEDKIT_SMTP_SECURITY", "none")
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning")
def test_send_delivers_and_records(make_site_dir, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = TOML + '\nto = ["a@example.org", "B <b@example.org>"]\n' \
        'unsubscribe_url = "https://news.example.org/unsubscribe"\n'
    root = _site(make_site_dir, {"one": "2025-04-02"}, toml=toml)
    with smtp_server(credentials=("newsletter", PASSWORD)) as server:
        _smtp_env(monkeypatch, server.port, FEEDKIT_SMTP_USERNAME="newsletter",
                  FEEDKIT_SMTP_PASSWORD=PASSWORD)
        result = run(root, "--since", "last", "--send")
    assert result.exit_code == 0, result.output
    assert "sent to 2 recipients" in result.stdout
    assert "recorded 1 article as sent" in result.stdout
    assert PASSWORD not in result.output
    assert [r.rcpt_tos for r in server.sink.received] == [["a@example.org"], ["b@example.org"]]
    eml = (root / "public" / "digest" / "digest.eml").read_bytes()
    assert PASSWORD.encode() not in eml
    saved = email.message_from_bytes(eml, policy=default)
    got = server.sink.received[0].message
    for name in ("From", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe",
                 "List-Unsubscribe-Post"):
        assert got[name] == saved[name], name
    assert got["Subject"] == "Harbour News: 1 new article (2025-05-01)"
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [digest] = _recorded(root / ".feedkit" / "state.db")
    assert (digest["mode"], digest["recipients"], digest["message_id"]) == \
        ("send", 2, got["Message-ID"])


def test_test_send_prefixes_the_subject_and_records_nothing(
        make_site_dir, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    with smtp_server() as server:
        _smtp_env(monkeypatch, server.port)
        result = run(root, "--since", "last", "--test", "--to", "me@example.org")
    assert result.exit_code == 0, result.output
    assert "sent to 1 recipient (test)" in result.stdout
    assert "recorded" not in result.stdout
    [received] = server.sink.received
    assert received.rcpt_tos == ["me@example.org"]
    assert received.message["Subject"] == "[TEST] Harbour News: 1 new article (2025-05-01)"
    assert not (root / ".feedkit" / "state.db").exists()
    # the real run afterwards still has the article to send
    assert "  2025-04-02 00:00  One" in run(root, "--since", "last", "--dry-run").stdout


def test_test_needs_to_and_records_nothing(make_site_dir) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    result = fails(root, "--since", "last", "--test")
    assert result.exit_code == 2
    assert _one_error_line(result) == "--test needs --to ADDRESS (a test goes only to you)"
    both = fails(root, "--since", "last", "--test", "--to", "me@example.org", "--mark-sent")
    assert both.exit_code == 2
    assert _one_error_line(both) == "--test records nothing; drop --mark-sent"
    assert sorted(p.name for p in root.iterdir()) == ["content", "feedkit.toml"]


@pytest.mark.parametrize("failure", ["refused", "login", "nothing-listening", "dropped"])
def test_smtp_failure_exits_1_with_one_line_and_records_nothing(
        make_site_dir, monkeypatch: pytest.MonkeyPatch, failure: str) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    to = "gone@example.org" if failure == "refused" else "a@example.org"
    if failure == "nothing-listening":
        port = closed_port()
        _smtp_env(monkeypatch, port)
        result = fails(root, "--since", "last", "--send", "--to", to)
        expected = rf"127\.0\.0\.1:{port}: connection failed or dropped: .+"
    elif failure == "dropped":
        with raw_server(greet=True) as port:
            _smtp_env(monkeypatch, port)
            result = fails(root, "--since", "last", "--send", "--to", to)
        expected = rf"127\.0\.0\.1:{port}: connection failed or dropped: Connection " \
            "unexpectedly closed"
    else:
        with smtp_server(refuse={"gone@example.org"},
                         credentials=("newsletter", "other") if failure == "login" else None
                         ) as server:
            port = server.port
            _smtp_env(monkeypatch, port, FEEDKIT_SMTP_PASSWORD=PASSWORD,
                      **({"FEEDKIT_SMTP_USERNAME": "newsletter"} if failure == "login" else {}))
            result = fails(root, "--since", "last", "--send", "--to", to)
        expected = {
            "refused": rf"127\.0\.0\.1:{port}: recipient refused: gone@example\.org "
                       r"\(550 5\.1\.1 mailbox unavailable\)",
            "login": rf"127\.0\.0\.1:{port}: login refused for 'newsletter' \(535 5\.7\.8 "
                     r"Authentication credentials invalid\); check FEEDKIT_SMTP_PASSWORD",
        }[failure]
    assert result.exit_code == 1, result.output
    assert re.fullmatch(expected, _one_error_line(result))
    assert PASSWORD not in result.output
    assert "sent to" not in result.stdout and "recorded" not in result.stdout
    assert _recorded(root / ".feedkit" / "state.db") == []


def test_send_without_a_sender_is_a_config_error(make_site_dir,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"},
                 toml=TOML.replace('from = "Harbour News <news@example.org>"\n', ""))
    _smtp_env(monkeypatch, closed_port())
    result = fails(root, "--since", "last", "--send", "--to", "a@example.org")
    assert result.exit_code == 1
    assert _one_error_line(result).startswith("digest.from: missing")


# -- exit codes and their one line ------------------------------------------------------------


@pytest.mark.parametrize(("args", "line"), [
    (("--since", "yesterday"), "--since: 'yesterday' is not a date, a datetime or a duration "
     "(write 2025-02-01, 2025-02-01T08:00+01:00, 36h, 7d, 2w or last)"),
    (("--since", "7x"), "--since: '7x' is not a date, a datetime or a duration "
     "(write 2025-02-01, 2025-02-01T08:00+01:00, 36h, 7d, 2w or last)"),
    (("--since", "2025-04-01", "--until", "soon"), "--until: 'soon' is not a date, a datetime "
     "or a duration (write 2025-02-01, 2025-02-01T08:00+01:00, 36h, 7d, 2w or last)"),
    (("--since", "2025-04-10", "--until", "2025-04-01"), "--since (2025-04-10T00:00:00+02:00) "
     "is not before --until (2025-04-01T00:00:00+02:00)"),
    (("--since", "2025-04-10", "--until", "2025-04-10"), "--since (2025-04-10T00:00:00+02:00) "
     "is not before --until (2025-04-10T00:00:00+02:00)"),
    (("--since", "2025-06-01"), "--since (2025-06-01T00:00:00+02:00) is not before --until "
     "(2025-05-01T09:30:00+00:00)"),
    (("--since", "7d", "--send"), "no recipients: pass --to ADDRESS or set [digest] to in "
     "feedkit.toml"),
    (("--since", "7d", "--send", "--to", "not an address"), "'not an address' is not an "
     "email address"),
])
def test_usage_errors_exit_2_with_one_line(make_site_dir, args: tuple[str, ...],
                                           line: str) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    result = fails(root, *args)
    assert result.exit_code == 2, result.output
    assert _one_error_line(result) == line
    assert result.stdout == ""
    assert sorted(p.name for p in root.iterdir()) == ["content", "feedkit.toml"]


def test_missing_since_is_a_click_usage_error(make_site_dir) -> None:
    result = fails(_site(make_site_dir, {}), "--until", "2025-04-01")
    assert result.exit_code == 2
    assert "Missing option '--since'" in result.stderr


def test_bad_first_run_since_is_a_config_error_naming_the_file(make_site_dir) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"},
                 toml=TOML.replace('"2025-04-01"', '"a while ago"'))
    result = fails(root, "--since", "last")
    assert result.exit_code == 1
    line = _one_error_line(result)
    assert "feedkit.toml: digest.first_run_since: 'a while ago' is not a date or a duration" \
        in line
    check = CliRunner().invoke(cli, ["check", "--config", str(root / "feedkit.toml")])
    assert check.exit_code == 1  # check sees the bad setting too


@pytest.mark.parametrize(("setting", "needle"), [
    ('from = "not an email"', "digest.from: 'not an email' is not an email address"),
    ('to = ["a@example.org", "nope"]', "digest.to: 'nope' is not an email address"),
    ('unsubscribe_url = "javascript:alert(1)"', "digest.unsubscribe_url: 'javascript:"),
    ('archive_url = "/digest/"', "digest.archive_url: '/digest/' is not an absolute"),
])
def test_bad_digest_settings_fail_at_load_naming_the_file(make_site_dir, setting: str,
                                                          needle: str) -> None:
    toml = TOML.replace('from = "Harbour News <news@example.org>"', setting) \
        if setting.startswith("from") else TOML + "\n" + setting + "\n"
    if not setting.startswith("from"):
        toml = toml.replace("\n" + setting + "\n", "\n").replace(
            "[digest]\n", "[digest]\n" + setting + "\n")
    root = _site(make_site_dir, {"one": "2025-04-02"}, toml=toml)
    result = fails(root, "--since", "last")
    assert result.exit_code == 1
    assert needle in _one_error_line(result)


def test_nothing_in_the_window_exits_3_and_writes_nothing(make_site_dir) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    result = run(root, "--since", "2025-04-10", "--until", "2025-04-20")
    assert result.exit_code == 3
    assert result.stdout.splitlines() == [
        "window: 2025-04-10 00:00 to 2025-04-20 00:00 (Europe/Berlin), until excluded",
        "nothing new to send: 0 articles, fewer than --min-items 1; nothing written",
    ]
    assert result.stderr == ""
    assert not (root / "public").exists()


def test_fewer_than_min_items_exits_3(make_site_dir) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02", "two": "2025-04-03"})
    result = run(root, "--since", "last", "--mark-sent", "--min-items", "3")
    assert result.exit_code == 3
    assert result.stdout.splitlines()[-1] == \
        "nothing new to send: 2 articles, fewer than --min-items 3; nothing written"
    assert not (root / "public").exists()
    assert _recorded(root / ".feedkit" / "state.db") == []


def test_corrupt_state_file_exits_1_and_is_left_alone(make_site_dir) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    state = root / ".feedkit" / "state.db"
    state.parent.mkdir()
    state.write_bytes(b"\x00garbage, not SQLite\xff" * 300)
    before = state.read_bytes()
    result = fails(root, "--since", "last", "--mark-sent")
    assert result.exit_code == 1
    assert _one_error_line(result) == (
        f"{state}: not a usable state file (file is not a database); restore it from a backup "
        "or pass --state with another file")
    assert state.read_bytes() == before
    assert not (root / "public").exists()


def test_foreign_database_exits_1(make_site_dir, tmp_path: Path) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    other = tmp_path / "app.db"
    with closing(sqlite3.connect(other)) as db, db:
        db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    result = fails(root, "--since", "last", "--mark-sent", "--state", str(other))
    assert result.exit_code == 1
    assert _one_error_line(result) == (f"{other}: not a feedkit state file (another program's "
                                       "database?); pass --state with another file")


def test_concurrent_run_exits_1_with_a_clear_message(make_site_dir) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    state = root / ".feedkit" / "state.db"
    with lock_held_by_another_process(state):
        result = fails(root, "--since", "last", "--mark-sent", "--wait", "0.2")
    assert result.exit_code == 1
    assert _one_error_line(result) == f"{state}: {LOCKED}"
    assert not (root / "public").exists()
    assert run(root, "--since", "last", "--mark-sent").exit_code == 0  # once it has finished


def test_oversized_digest_says_what_it_dropped_on_stderr(make_site_dir) -> None:
    words = "The harbour authority publishes its long report on silt and dredging. " * 500
    root = make_site_dir({f"big{n}.md": f"---\ntitle: Big {n}\npublish_date: 2025-04-0{n}\n"
                          f"description: {words}\n---\nBody.\n" for n in range(1, 4)},
                         toml=TOML)
    result = run(root, "--since", "2025-04-01")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["note: descriptions shortened"]
    html = (root / "public" / "digest" / "digest.html").read_bytes()
    assert len(html) <= 100_000


def test_an_empty_state_file_is_an_error_not_a_fresh_start(make_site_dir) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    state = root / ".feedkit" / "state.db"
    state.parent.mkdir(parents=True)
    state.write_bytes(b"")
    result = run(root, "--since", "last", "--mark-sent")
    assert result.exit_code == 1
    assert "the state file is empty (truncated?)" in _one_error_line(result)
    assert state.read_bytes() == b""


def test_articles_cut_by_the_size_budget_are_not_recorded(make_site_dir, monkeypatch) -> None:
    from feedkit.render import email

    real = email.render_digest
    monkeypatch.setattr(email, "render_digest",
                        lambda *args, **kw: real(*args, **kw, size_budget=9_000))
    root = _site(make_site_dir, {f"a{i}": f"2025-04-{i + 1:02d}" for i in range(8)})
    result = run(root, "--since", "last", "--mark-sent")
    assert result.exit_code == 0
    assert len(_recorded(root / ".feedkit" / "state.db")) == 1
    shown = len(re.findall(r'class="article-title"',
                           (root / "public" / "digest" / "digest.html").read_text()))
    assert 1 <= shown < 8
    assert f"recorded {shown} article" in result.stdout
    again = run(root, "--since", "last", "--mark-sent")  # the rest go in the next digest
    assert again.exit_code == 0 and "recorded" in again.stdout


def test_a_test_send_leaves_the_written_digest_alone(make_site_dir, monkeypatch) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    first = run(root, "--since", "last", "--mark-sent")
    assert first.exit_code == 0
    eml = (root / "public" / "digest" / "digest.eml").read_bytes()
    (root / "content" / "two.md").write_text(ARTICLE.format(title="Two", date="2025-04-03"),
                                             encoding="utf-8")
    with smtp_server() as server:
        _smtp_env(monkeypatch, server.port)
        result = run(root, "--since", "last", "--to", "me@example.org", "--test")
    assert result.exit_code == 0, result.output
    assert len(server.sink.received) == 1
    assert (root / "public" / "digest" / "digest.eml").read_bytes() == eml


@pytest.mark.parametrize("address", ["me@example.org.", "x@ex..org"])
def test_addresses_the_email_package_rejects_are_usage_errors(make_site_dir,
                                                              address: str) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    result = fails(root, "--since", "2025-01-01", "--to", address, "--test")
    assert result.exit_code == 2
    assert _one_error_line(result) == f"{address!r} is not an email address"


def test_a_settings_typo_is_shown_by_digest_too(make_site_dir) -> None:
    root = _site(make_site_dir, {"one": "2025-04-02"})
    toml = root / "feedkit.toml"
    toml.write_text(toml.read_text() + 'unsubscribe = "https://example.org/u"\n', "utf-8")
    result = run(root, "--since", "2025-04-01", "--dry-run")
    assert result.exit_code == 0
    assert "digest.unsubscribe: unknown setting (did you mean digest.unsubscribe_url?)" in \
        result.stderr
