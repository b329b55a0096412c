"""``feedkit check``: the table, the problems, the JSON document and every exit code."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from feedkit.cli import cli, main

SiteFactory = Callable[..., Path]

# the CLI reads the real clock: dates far in the past and future keep statuses stable
GOOD = "---\ntitle: {title}\ndate: {date}\n---\n\nBody of {title}.\n"
BAD_DATE = '---\ntitle: Broken\npublish_date: "2024-13-01"\n---\n\nBody.\n'
WARNED = '---\ntitle: Warned\ndate: 2020-06-01\ntags: ["../x"]\n---\n\nBody.\n'

SEED_LIKE = {
    # schema A: quoted publish_date, heroImage, text-only CTA, mojibake in the title and body
    "000_aaaa.txt": "---\ntitle: 'Budget AI â€“ the double-edged sword'\nauthor: 'Dana'\n"
                    "publish_date: '2025-02-05'\ncreated_date: '2025-02-05'\n"
                    "heroImage: 'https://img.example.net/a.jpg'\n"
                    "cta: 'Follow us on LinkedIn for more.'\n---\n\nA blueprint â€“ or not.\n",
    "001_bbbb.txt": '---\ntitle: "Hidden dangers"\npublish_date: "2025-02-19"\n'
                    'created_date: "2025-02-20"\ncta: "Follow us."\n---\n\nBody.\n',
    "002_cccc.txt": '---\ntitle: "Worries"\npublish_date: "2024-01-25"\n'
                    'created_date: "2025-02-13"\n---\n\nBody.\n',
    # schema B: unquoted dates, updatedOn before publishedOn, a fenced html body
    "003_dddd.txt": '---\ntitle: "A security problem"\npublishedOn: 2025-04-07\n'
                    'updatedOn: 2025-02-17\nmainImage: "https://cdn.example.net/m.png"\n'
                    'thumbnail: ""\naltTextMainImage: "Alt"\nsource: "news.example.com"\n'
                    "draft: false\narchived: false\n---\n\n```html\n<h2>Heading</h2>\n"
                    "<p>Text.</p>\n```\n",
}


@pytest.fixture(autouse=True)
def _isolated(isolated: Path) -> Path:
    return isolated


def run(*args: str, catch: bool = False) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=catch)


def test_check_lists_articles_newest_first_and_exits_0(make_site_dir: SiteFactory) -> None:
    root = make_site_dir({
        "old.md": GOOD.format(title="Old", date="2020-01-01"),
        "new.md": GOOD.format(title="New", date="2021-03-04 10:30"),
        "tie-b.md": GOOD.format(title="Tie B", date="2020-06-01"),
        "tie-a.md": GOOD.format(title="Tie A", date="2020-06-01"),
    })
    result = run("check", "--config", str(root / "feedkit.toml"))
    assert result.exit_code == 0, result.output
    header, *lines = result.stdout.splitlines()
    assert header.split() == ["published", "status", "slug", "title"]
    assert [line.split()[3] for line in lines[:4]] == ["new", "tie-a", "tie-b", "old"]
    assert re.match(r"^2021-03-04 10:30\s+published\s+new\s+New$", lines[0])
    assert lines[4] == ("4 articles from 4 files: 4 published, 0 draft, 0 future, 0 archived; "
                        "0 errors, 0 warnings (times in UTC)")
    assert result.stderr == ""


def test_check_shows_every_status(make_site_dir: SiteFactory) -> None:
    root = make_site_dir({
        "a.md": GOOD.format(title="Out", date="2020-01-01"),
        "b.md": "---\ntitle: D\ndate: 2020-01-02\ndraft: true\n---\n",
        "c.md": "---\ntitle: A\ndate: 2020-01-03\narchived: true\n---\n",
        "d.md": GOOD.format(title="Later", date="2999-01-01"),
    })
    result = run("check", "--config", str(root / "feedkit.toml"))
    assert result.exit_code == 0
    statuses = [line.split()[2] for line in result.stdout.splitlines()[1:5]]
    assert statuses == ["future", "archived", "draft", "published"]
    assert "1 published, 1 draft, 1 future, 1 archived" in result.stdout


def test_times_are_shown_in_the_site_timezone(make_site_dir: SiteFactory) -> None:
    toml = '[site]\nurl = "https://news.example.org"\ntimezone = "Asia/Tokyo"\n'
    root = make_site_dir({"a.md": GOOD.format(title="A", date="2020-01-01T00:00:00Z")},
                         toml=toml)
    result = run("check", "--config", str(root / "feedkit.toml"))
    assert result.stdout.splitlines()[1].startswith("2020-01-01 09:00")
    assert "(times in Asia/Tokyo)" in result.stdout


def test_article_error_is_one_line_on_stderr_and_exits_1(make_site_dir: SiteFactory) -> None:
    root = make_site_dir({"good.md": GOOD.format(title="Good", date="2020-01-01"),
                          "bad.md": BAD_DATE})
    result = run("check", "--config", str(root / "feedkit.toml"))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert re.fullmatch(r"\S*bad\.md:3: error: publish_date: '2024-13-01' is not a date "
                        r"\(write YYYY-MM-DD or an ISO 8601 datetime\)", line)
    assert "1 article from 2 files" in result.stdout
    assert "1 error, 0 warnings" in result.stdout


def test_warnings_alone_exit_0_and_with_strict_exit_1(make_site_dir: SiteFactory) -> None:
    root = make_site_dir({"warned.md": WARNED})
    config = str(root / "feedkit.toml")
    relaxed = run("check", "--config", config)
    assert relaxed.exit_code == 0
    assert re.fullmatch(r"\S*warned\.md:4: warning: tags: '\.\./x' looks like a path.*",
                        relaxed.stderr.strip())
    strict = run("check", "--config", config, "--strict")
    assert strict.exit_code == 1
    assert strict.stderr == relaxed.stderr


def test_json_format_is_one_document(make_site_dir: SiteFactory) -> None:
    root = make_site_dir({"good.md": GOOD.format(title="Good", date="2020-01-01"),
                          "bad.md": BAD_DATE, "warned.md": WARNED})
    result = run("check", "--config", str(root / "feedkit.toml"), "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["summary"] == {"files": 3, "articles": 2, "published": 2, "draft": 0,
                                   "future": 0, "archived": 0, "errors": 1, "warnings": 1}
    assert [a["slug"] for a in document["articles"]] == ["warned", "good"]
    assert document["articles"][0]["published"] == "2020-06-01T00:00:00+00:00"
    assert {(p["path"], p["severity"], p["field"], p["line"]) for p in document["problems"]} == {
        ("bad.md", "error", "publish_date", 3), ("warned.md", "warning", "tags", 4)}


def test_json_format_with_strict_fails_on_warnings(make_site_dir: SiteFactory) -> None:
    root = make_site_dir({"warned.md": WARNED})
    result = run("check", "--config", str(root / "feedkit.toml"), "--format", "json", "--strict")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["ok"] is False


def test_content_flag_overrides_the_config(make_site_dir: SiteFactory, tmp_path: Path) -> None:
    root = make_site_dir({"ignored.md": GOOD.format(title="Ignored", date="2020-01-01")})
    other = tmp_path / "other"
    other.mkdir()
    (other / "picked.md").write_text(GOOD.format(title="Picked", date="2020-01-01"),
                                     encoding="utf-8")
    result = run("check", "--config", str(root / "feedkit.toml"), "--content", str(other))
    assert result.exit_code == 0
    assert "Picked" in result.stdout
    assert "Ignored" not in result.stdout


def test_feedkit_toml_in_the_current_folder_is_used(make_site_dir: SiteFactory,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site_dir({"a.md": GOOD.format(title="Here", date="2020-01-01")})
    monkeypatch.chdir(root)
    result = run("check")
    assert result.exit_code == 0
    assert "Here" in result.stdout


def test_environment_overrides_the_file(make_site_dir: SiteFactory,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site_dir({"a.md": GOOD.format(title="A", date="2020-01-01T00:00:00Z")})
    monkeypatch.setenv("FEEDKIT_SITE_TIMEZONE", "America/New_York")
    result = run("check", "--config", str(root / "feedkit.toml"))
    assert result.stdout.splitlines()[1].startswith("2019-12-31 19:00")


def test_seed_like_site_lists_all_four_with_right_dates(make_site_dir: SiteFactory) -> None:
    root = make_site_dir(SEED_LIKE)
    result = run("check", "--config", str(root / "feedkit.toml"))
    assert result.exit_code == 0, result.stderr
    rows = [line.split(None, 4) for line in result.stdout.splitlines()[1:5]]
    assert [(r[0], r[3]) for r in rows] == [("2025-04-07", "003_dddd"), ("2025-02-19", "001_bbbb"),
                                            ("2025-02-05", "000_aaaa"), ("2024-01-25", "002_cccc")]
    assert rows[2][4] == "Budget AI – the double-edged sword"
    assert "â€" not in result.stdout
    # the one expected diagnostic: seed 003's updatedOn before publishedOn
    (warning,) = result.stderr.splitlines()
    assert re.fullmatch(r"\S*003_dddd\.txt:4: warning: updatedOn: .*before the publish date.*",
                        warning)


# -- usage errors (exit 2) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("check", "--format", "xml"), ("check", "--no-such-flag"), ("no-such-command",),
     ("check", "--config")],
)
def test_usage_error_exits_2(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr or "Error:" in result.stderr


def test_usage_error_through_main_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["check", "--format", "xml"])
    assert caught.value.code == 2
    assert "Invalid value for '--format'" in capsys.readouterr().err


# -- configuration errors (exit 1, one line) ------------------------------------------------------


def test_bad_config_through_the_group_is_one_line_and_exits_1(
    make_site_dir: SiteFactory,
) -> None:
    root = make_site_dir({}, toml='[site]\nurl = "not a url"\n')
    result = run("check", "--config", str(root / "feedkit.toml"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"feedkit: error: {root / 'feedkit.toml'}: site.url: 'not a url' is "
                             'not an absolute http(s) URL (write it like '
                             '"https://news.example.org")\n')


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ('[site]\nurl = "not a url"\n', "site.url: 'not a url' is not an absolute http(s) URL"),
        ('[site]\nurl = "https://a.example"\ntimezone = "Mars/Olympus"\n',
         "site.timezone: 'Mars/Olympus' is not an IANA time zone"),
        ('[site\n', "not valid TOML"),
        ('[site]\nurl = "https://a.example"\n[content]\nmax_file_size = "x"\n',
         "content.max_file_size: must be a whole number"),
    ],
)
def test_bad_config_is_one_line_and_exits_1(make_site_dir: SiteFactory, toml: str, says: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site_dir({}, toml=toml)
    with pytest.raises(SystemExit) as caught:
        main(["check", "--config", str(root / "feedkit.toml")])
    assert caught.value.code == 1
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith(f"feedkit: error: {root / 'feedkit.toml'}: ")
    assert says in line


def test_missing_config_file_is_one_line_and_exits_1(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["check", "--config", str(tmp_path / "absent.toml")])
    assert caught.value.code == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line == f"feedkit: error: {tmp_path / 'absent.toml'}: no such file (check --config)"


def test_python_m_feedkit_reports_bad_config_in_one_line(make_site_dir: SiteFactory) -> None:
    root = make_site_dir({}, toml='[site]\nurl = "ftp://nope.example"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDKIT_")}
    done = subprocess.run(
        [sys.executable, "-m", "feedkit", "check", "--config", str(root / "feedkit.toml")],
        capture_output=True, text=True, env=env, cwd=root, check=False, timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("feedkit: error: ")
    assert "site.url" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_config_key_is_a_warning_and_strict_fails_on_it(make_site_dir: SiteFactory) -> None:
    toml = '[site]\nurl = "https://news.example.org"\ntitel = "Typo"\n'
    root = make_site_dir({"a.md": GOOD.format(title="A", date="2020-01-01")}, toml=toml)
    relaxed = run("check", "--config", str(root / "feedkit.toml"))
    assert relaxed.exit_code == 0
    assert "site.titel: unknown setting (did you mean site.title?)" in relaxed.stderr
    assert run("check", "--config", str(root / "feedkit.toml"), "--strict").exit_code == 1
