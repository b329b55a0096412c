"""`feedkit pin-ids`: one stdout line per file pinned, one stderr line per file left as it is,
and its exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from feedkit import pins
from feedkit.cli import cli

TOML = '[site]\nurl = "https://news.example.org/"\ntitle = "News"\n'
LAUNCH = "---\ntitle: Launch\ndate: 2025-01-05\n---\nHello\n"
ID = "tag:news.example.org,2025-01-05:launch"


def run(*args: str, catch: bool = False) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=catch)


@pytest.fixture
def site(isolated: Path, make_site_dir, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site whose last build kept the id of launch.md, renamed since to launch-day.md."""
    root = make_site_dir({"launch.md": LAUNCH, "notes.md": "Title: Notes\nDate: 2025-01-06\n\n"
                          "Notes.\n", "j.md": '{"title": "J", "date": "2025-01-07"}\nJ\n'},
                         toml=TOML)
    monkeypatch.chdir(root)
    assert run("build").exit_code == 0
    (root / "content/launch.md").rename(root / "content/launch-day.md")
    assert run("build").exit_code == 0
    return root


def test_pin_ids_pins_the_ids_the_last_build_kept(site: Path) -> None:
    result = run("pin-ids")
    assert result.exit_code == 0
    assert result.stdout == f'pinned content/launch-day.md: id: "{ID}"\n'
    assert result.stderr == ""
    assert (site / "content/launch-day.md").read_text(encoding="utf-8") == \
        LAUNCH.replace("---\n", f'---\nid: "{ID}"\n', 1)
    again = run("pin-ids")  # the manifest still names it until the next build
    assert (again.exit_code, again.stdout) == (0, "")
    assert again.stderr == ("content/launch-day.md: not pinned: is pinned already (id in its "
                            "front matter)\n")


def test_pin_ids_all_pins_every_article_and_says_why_it_left_one(site: Path) -> None:
    result = run("pin-ids", "--all")
    assert result.exit_code == 0
    assert result.stdout == (f'pinned content/launch-day.md: id: "{ID}"\n'
                             "pinned content/notes.md: Id: tag:news.example.org,2025-01-06:notes\n")
    assert result.stderr == ('content/j.md: not pinned: has JSON front matter, which feedkit '
                             'does not edit; add "id": "tag:news.example.org,2025-01-07:j", to '
                             "it by hand\n")
    assert (site / "content/notes.md").read_text(encoding="utf-8").startswith(
        "Id: tag:news.example.org,2025-01-06:notes\nTitle: Notes\n")


def test_pin_ids_dry_run_prints_the_same_lines_and_writes_nothing(site: Path) -> None:
    files = {p: p.read_bytes() for p in (site / "content").iterdir()}
    result = run("pin-ids", "--all", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f'would pin content/launch-day.md: id: "{ID}"',
        "would pin content/notes.md: Id: tag:news.example.org,2025-01-06:notes"]
    assert {p: p.read_bytes() for p in (site / "content").iterdir()} == files


def test_pin_ids_with_nothing_to_pin_says_so(isolated: Path, make_site_dir,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(make_site_dir({"launch.md": LAUNCH}, toml=TOML))
    result = run("pin-ids")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == ("nothing to pin: the last build in public kept no id (--all pins "
                             "every article's id)\n")
    assert run("pin-ids", "--all").exit_code == 0
    done = run("pin-ids", "--all")
    assert done.stdout == ""
    assert done.stderr == ("content/launch.md: not pinned: is pinned already (id in its front "
                           "matter)\n")


def test_pin_ids_exits_1_when_a_file_cannot_be_written(site: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(pins.os, "replace", refuse)
    result = run("pin-ids")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("content/launch-day.md: not pinned: cannot write: Permission "
                             "denied\n")
    assert (site / "content/launch-day.md").read_text(encoding="utf-8") == LAUNCH


def test_pin_ids_exits_1_without_a_content_folder(isolated: Path, make_site_dir,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site_dir({}, toml=TOML)
    (root / "content").rmdir()
    monkeypatch.chdir(root)
    result = run("pin-ids", catch=True)
    assert result.exit_code == 1
    assert result.stderr == (f"feedkit: error: {root / 'content'}: content folder not found "
                             "(pass --content DIR or set [content] dir in feedkit.toml)\n")


def test_pin_ids_exits_2_on_a_usage_error(isolated: Path) -> None:
    result = run("pin-ids", "--every", catch=True)
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: No such option '--every'.\n")
