"""Helpers for tests of the docs: the README's sections and fenced blocks, a shell that runs
them with the installed ``feedkit`` first on PATH, and a check that an argument list is one the
CLI accepts."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from feedkit.cli import cli

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent  # the environment the tests run in, where feedkit is installed
FEEDKIT = BIN / "feedkit"


def section(title: str, text: str = README) -> str:
    """The text under the heading ``title`` (any level), up to the next heading of that level
    or a higher one; ``#`` lines inside fenced blocks are not headings."""
    lines = text.splitlines(keepends=True)
    fenced = False
    start = level = None
    for number, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
            continue
        heading = None if fenced else re.match(r"(#+) (.*)\n?$", line)
        if heading is None:
            continue
        if start is None and heading.group(2) == title:
            start, level = number + 1, len(heading.group(1))
        elif start is not None and level is not None and len(heading.group(1)) <= level:
            return "".join(lines[start:number])
    assert start is not None, f"README has no section {title!r}"
    return "".join(lines[start:])


def blocks(language: str, text: str = README) -> list[str]:
    """The fenced blocks of ``language``, in order."""
    return re.findall(rf"^```{re.escape(language)}\n(.*?)^```$", text, flags=re.S | re.M)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment a newcomer's shell has: the installed feedkit first on PATH, no
    FEEDKIT_* settings or git configuration leaking in from the machine running the tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FEEDKIT_", "GIT_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    # git as on a fresh runner: no user or system settings (identity, hooks, signing)
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    env.update(extra)
    return env


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str
    cwd: Path  # the shell's folder when the block ended (a block may cd)


def run_block(block: str, cwd: Path, env: dict[str, str], *, timeout: float = 120) -> Ran:
    """Run ``block`` as a newcomer would paste it into bash (each command's failure counts)."""
    marker = "__feedkit_cwd__="
    script = f"set -e\n{block}\necho {marker}\"$PWD\""
    done = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    out, _, where = done.stdout.rpartition(marker)
    return Ran(done.returncode, out if where else done.stdout, done.stderr,
               Path(where.strip()) if where else cwd)


def first_line(proc: subprocess.Popen[str], timeout: float = 60) -> str:
    """The first line ``proc`` prints, or a failure (never a hung test) after ``timeout``."""
    import selectors

    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            proc.kill()
            raise AssertionError(f"no output in {timeout} s")
    return proc.stdout.readline()


def parse_invocation(argv: list[str]) -> tuple[str, dict[str, object]]:
    """(command name, its parsed parameters) for ``feedkit ARGV``; click's usage error (an
    unknown flag, a bad value, a missing required option) when the CLI would refuse it."""
    at = next(i for i, word in enumerate(argv) if word in cli.commands)
    name, command = argv[at], cli.commands[argv[at]]
    # resilient: an empty list of group options is fine here (feedkit alone shows its help)
    with cli.make_context("feedkit", list(argv[:at]), resilient_parsing=True) as root, \
            command.make_context(name, list(argv[at + 1:]), parent=root,
                                 resilient_parsing=False) as ctx:
        return name, dict(ctx.params)


def feedkit_words(command_line: str) -> list[str]:
    """The arguments after ``feedkit`` (or ``…/bin/feedkit``) in a shell command line, up to
    the first ``;``, ``|``, ``&&`` or redirection."""
    lexer = shlex.shlex(command_line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = list(lexer)
    start = next(i for i, word in enumerate(words) if Path(word).name == "feedkit") + 1
    args: list[str] = []
    for word in words[start:]:
        if set(word) <= set(";&|<>()"):
            break
        args.append(word)
    return args


__all__ = ["BIN", "FEEDKIT", "README", "REPO", "Ran", "blocks", "clean_env", "feedkit_words",
           "first_line", "parse_invocation", "run_block", "section"]
