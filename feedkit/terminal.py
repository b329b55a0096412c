"""What the CLI shows on a terminal and how it behaves there: report lines (hushed by -q),
problems on stderr, a spinner only on a terminal, paths as the user would type them, and
signals that stop a long-running command as Ctrl-C does. No feedkit rules here."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from feedkit.errors import Problem
from feedkit.settings import Settings


@contextmanager
def working(what: str) -> Iterator[None]:
    """A spinner with the time taken on stderr, only when stderr is a terminal (never in cron
    or CI, never with -q)."""
    if is_quiet() or not sys.stderr.isatty():
        yield
        return
    from rich.console import Console  # deferred: only terminals need it

    with Console(stderr=True).status(what):
        yield


def say(message: str) -> None:
    """A report line on stdout, unless -q was given (problems and errors still print)."""
    if not is_quiet():
        click.echo(message)


def is_quiet() -> bool:
    """Whether ``feedkit -q`` was given (false outside a command)."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and bool((ctx.find_root().obj or {}).get("quiet"))


def plural(count: int, noun: str) -> str:
    """ "1 article", "2 articles". """
    return f"{count} {noun}" + ("" if count == 1 else "s")


def display_path(path: Path) -> str:
    """``path`` relative to the current folder when it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def show_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Rows in aligned columns under ``header`` (the last column as it is); nothing without
    rows."""
    if not rows:
        return
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        say("  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True))
            + "  " + row[-1])


def show_problems(problems: tuple[Problem, ...] | list[Problem], settings: Settings) -> None:
    """One line per problem on stderr; article paths shown as the user would open them."""
    for problem in problems:
        if problem.path is not None and not problem.path.is_absolute():
            problem = replace(problem, path=Path(display_path(settings.content.dir / problem.path)))
        elif problem.path is not None:
            problem = replace(problem, path=Path(display_path(problem.path)))
        click.echo(str(problem), err=True)


def show_notes(notes: tuple[str, ...] | list[str]) -> None:
    """One ``note:`` line per note on stderr: what the user should know that is not a problem
    with an article (the cache was off, a file was left in place, …)."""
    for note in notes:
        click.echo(f"note: {note}", err=True)


def stdin_is_terminal() -> bool:
    """Whether a person can answer a question (never in cron, CI or a pipe)."""
    return sys.stdin.isatty()


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    """SIGTERM (``kill``, systemd, Docker) and SIGHUP (a closed terminal) stop like Ctrl-C
    does, so cleanup runs; a signal already ignored (``nohup``) stays ignored, and the previous
    handlers come back afterwards."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    with _handlers(interrupt):
        yield


@contextmanager
def signals_ignored() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP wait while cleanup that must finish (joining threads,
    removing a temporary folder) runs."""
    with _handlers(signal.SIG_IGN, names=("SIGINT", "SIGTERM", "SIGHUP")):
        yield


@contextmanager
def _handlers(handler: Any, names: tuple[str, ...] = ("SIGTERM", "SIGHUP")) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():  # only main may set them
        yield
        return
    previous: dict[int, Any] = {}
    for name in names:
        number = getattr(signal, name, None)
        if number is None or signal.getsignal(number) in (signal.SIG_IGN, None):
            continue  # not on this system, ignored on purpose, or set outside Python
        previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
