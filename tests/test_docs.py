"""The docs tell the truth: every setting and command is documented, the README's set-up
commands are the ones CI runs, and the examples in docstrings run."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import feedkit
from feedkit.cli import cli
from feedkit.settings import SETTINGS

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_every_setting_has_help_and_a_readme_row(setting) -> None:
    assert setting.help.strip()
    assert f"| `{setting.key}` |" in README


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_a_readme_section(name: str) -> None:
    command = cli.commands[name]
    assert command.help and command.help.strip()
    assert re.search(rf"^### `feedkit {name}`$", README, flags=re.M)
    assert f"\n## `feedkit {name}`\n" in (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, [name, "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    for param in command.params:
        if isinstance(param, click.Argument):  # click < 8.3 has no help for arguments
            assert param.human_readable_name in command.help, f"{name} {param.name}"
        else:
            assert param.help, f"{name} {param.name} has no help"  # type: ignore[attr-defined]


def _shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one() -> None:
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", setup, flags=re.S)
    assert len(commands) == 2
    run, test = commands
    assert run.endswith("feedkit build")
    assert "pytest" in test and "ruff check" in test and "mypy" in test
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()
    assert "set -euo pipefail" in ci


def _modules() -> list[str]:
    # every module of every sub-package (load, render, deliver, jobs, ...)
    return sorted(m.name for m in pkgutil.walk_packages(feedkit.__path__, "feedkit.")
                  if m.name != "feedkit.__main__")


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("name", _modules())
def test_every_module_says_what_it_owns(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__doc__ and module.__doc__.strip()


def test_generated_reference_and_settings_table_are_current() -> None:
    """docs/cli.md is --help as it is now, and the README's settings table is config.SETTINGS;
    run ``python scripts/reference.py`` after changing a command, a flag or a setting."""
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "reference.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "(docs/cli.md)" in README


def test_reference_check_fails_when_the_reference_is_stale(tmp_path: Path) -> None:
    script = tmp_path / "scripts" / "reference.py"
    script.parent.mkdir()
    shutil.copy(REPO / "scripts" / "reference.py", script)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "cli.md").write_text("# stale\n", encoding="utf-8")
    shutil.copy(REPO / "README.md", tmp_path / "README.md")
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True,
                          text=True)
    assert done.returncode == 1 and "cli.md is stale" in done.stderr
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert done.returncode == 0
    assert (tmp_path / "docs" / "cli.md").read_text(encoding="utf-8") == \
        (REPO / "docs" / "cli.md").read_text(encoding="utf-8")


# the README's front-matter table, row by row, and the fields of aliases.ALIASES in each
FRONT_MATTER_ROWS = {
    "title": ["title"], "subtitle": ["subtitle"], "description": ["description"],
    "published": ["published"], "updated": ["updated"], "hero image": ["hero_image"],
    "hero image alt": ["hero_alt"], "call to action": ["cta", "cta_url"],
    "author": ["author"], "tags": ["tags"], "slug": ["slug"], "URL": ["url", "path"],
    "id": ["id"], "status": ["draft", "status", "archived"], "other": ["source", "read_time"],
}


def _front_matter_table() -> dict[str, str]:
    table = README.split("| field | keys", 1)[1].split("\n\n", 1)[0]
    rows = [line.split("|")[1:3] for line in table.splitlines()[2:]]
    return {label.strip(): keys for label, keys in rows}


def test_front_matter_table_lists_every_key_feedkit_reads() -> None:
    from feedkit.load.aliases import ALIASES, NESTED_TABLES

    table = _front_matter_table()
    assert set(table) == set(FRONT_MATTER_ROWS)
    assert sorted(f for fields in FRONT_MATTER_ROWS.values() for f in fields) == sorted(ALIASES)
    for label, fields in FRONT_MATTER_ROWS.items():
        for field in fields:
            for key in ALIASES[field]:
                assert f"`{key}`" in table[label] or f"`{key}:" in table[label], \
                    f"{key} ({field}) is missing from the README row {label!r}"
    for nested in NESTED_TABLES:
        assert f"`{nested}`" in README


@pytest.mark.parametrize("origin", ["Jekyll", "Hugo", "Zola", "Astro", "Eleventy", "Pelican",
                                    "the house schema A", "the house schema B"])
def test_readme_says_what_each_origin_brings(origin: str) -> None:
    assert f"\n| {origin} | " in README


def test_exit_codes_table_covers_every_code_feedkit_exits_with() -> None:
    from feedkit import errors

    codes = {cls.exit_code for cls in vars(errors).values()
             if isinstance(cls, type) and issubclass(cls, errors.FeedkitError)}
    codes |= {0, 3}  # success, and the digest's "nothing new"
    table = README.split("## Exit codes", 1)[1].split("\n\n", 2)[1]
    assert {int(code) for code in re.findall(r"^\| `(\d)` \|", table, flags=re.M)} == codes


def test_the_readmes_python_examples_run_on_the_bundled_site(tmp_path: Path, monkeypatch,
                                                             capsys) -> None:
    import shutil

    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copy(REPO / "feedkit.toml", tmp_path / "feedkit.toml")
    monkeypatch.chdir(tmp_path)
    examples = re.findall(r"```python\n(.*?)\n```", README, flags=re.S)
    assert len(examples) == 2
    namespace: dict[str, object] = {"__name__": "__main__"}  # as a script run
    for example in examples:  # in order, in one namespace, as a reader would paste them
        exec(compile(example, "README.md", "exec"), namespace)
    out = capsys.readouterr().out
    assert "Lighthouse keeper" in out or "lighthouse" in out.lower()
    assert "['atom.xml', 'feed.json', 'feed.xml'," in out
