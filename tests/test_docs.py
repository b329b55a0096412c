"""The docs tell the truth: every setting and command is documented, the README's set-up
commands are the ones CI runs, and the examples in docstrings run."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import feedkit
from feedkit.cli import cli
from feedkit.config import SETTINGS

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
    assert f"## `feedkit {name}`" in README
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
    assert "pytest" in test
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()
    assert "set -euo pipefail" in ci


def _modules() -> list[str]:
    return sorted(f"feedkit.{m.name}" for m in pkgutil.iter_modules(feedkit.__path__)
                  if m.name != "__main__")


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("name", _modules())
def test_every_module_says_what_it_owns(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__doc__ and module.__doc__.strip()
