"""What every command does the same way: one error line and exit 1 for a site it cannot read,
and a refusal that names each problem before its one error line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from factories import SITE_URL

from feedkit.cli import cli

ARTICLE = "---\ntitle: {title}\npublish_date: 2025-02-0{day}\ntags: [news]\n---\nBody.\n"
COMMANDS = {
    "check": ["check"],
    "build": ["build"],
    "digest": ["digest", "--since", "2020-01-01"],
    "digest --dry-run": ["digest", "--since", "2020-01-01", "--dry-run"],
}


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [args[0], "--config", str(root / "feedkit.toml"), *args[1:]])


@pytest.mark.parametrize("command", list(COMMANDS), ids=list(COMMANDS))
def test_a_missing_content_folder_is_one_error_line_and_exit_1(isolated: Path, make_site_dir,
                                                               command: str) -> None:
    # defect 7: check reported a problem, build raised, digest said "nothing new" (exit 3)
    root = make_site_dir({})
    (root / "content").rmdir()
    result = run(root, *COMMANDS[command])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        f"feedkit: error: {root / 'content'}: content folder not found (pass --content DIR or "
        "set [content] dir in feedkit.toml)"]
    assert not (root / "public").exists() and not (root / ".feedkit").exists()


def test_a_refused_build_names_each_problem_then_says_nothing_was_written(
        isolated: Path, make_site_dir) -> None:
    root = make_site_dir({f"a{day}.md": ARTICLE.format(title=f"A{day}", day=day)
                          for day in (1, 2)})
    assert run(root, "build").exit_code == 0
    for file in (root / "content").iterdir():
        file.unlink()
    result = run(root, "build")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: feed.xml: would go from 2 items to none (no article is published) (pass "
        "--allow-shrink if that is intended; otherwise check the content folder and the "
        "problems above, and build again)",
        "feedkit: error: refusing to publish 1 change(s) feed readers would notice (above); "
        "nothing was written"]
    assert run(root, "build", "--allow-shrink").exit_code == 0


def test_new_ids_are_refused_until_allowed(isolated: Path, make_site_dir) -> None:
    root = make_site_dir({"a1.md": ARTICLE.format(title="A1", day=1)})
    assert run(root, "build").exit_code == 0
    toml = root / "feedkit.toml"
    toml.write_text(toml.read_text().replace(SITE_URL, "https://moved.example.org/"), "utf-8")
    refused = run(root, "build")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[0].startswith(
        f"{root / 'content/a1.md'}: error: id: the feed id would change from "
        "'tag:news.example.org,2025-02-01:a1' to 'tag:moved.example.org,2025-02-01:a1'")
    assert run(root, "build", "--allow-new-ids").exit_code == 0


def test_wait_must_be_a_number_of_seconds(isolated: Path, make_site_dir) -> None:
    root = make_site_dir({"a1.md": ARTICLE.format(title="A1", day=1)})
    assert run(root, "build", "--wait", "soon").exit_code == 2
    assert run(root, "build", "--wait", "0").exit_code == 0
