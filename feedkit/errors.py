"""Errors and diagnostics: the ``FeedkitError`` tree and the per-article ``Problem`` record.

Imports nothing from feedkit, so every module may use it.

::

    FeedkitError (exit 1)
     ├── ConfigError   (also a ValueError)   bad feedkit.toml, env or flag value
     ├── ContentError                         the content folder cannot be read at all
     ├── RenderError                          a feed or the digest cannot be rendered
     ├── OutputError                          an output file cannot be written
     ├── LedgerError                          the digest state file is unusable
     ├── MailError                            the digest could not be sent
     ├── RefusedError                         a run refused to publish (``problems`` say why)
     └── UsageError    (exit 2)               flags that contradict each other or the site

A problem with one article is not an exception: it is a ``Problem``, collected and reported,
and the rest of the site goes on.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path


class FeedkitError(Exception):
    """Base of every error feedkit raises on purpose; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class ConfigError(FeedkitError, ValueError):
    """The configuration (file, environment or flags) is unusable."""


class ContentError(FeedkitError):
    """The content folder as a whole cannot be read."""


class RenderError(FeedkitError):
    """An output could not be rendered."""


class OutputError(FeedkitError):
    """An output could not be written (or would land outside the output folder)."""


class LedgerError(FeedkitError):
    """The digest state file is missing, locked, corrupt or not feedkit's."""


class MailError(FeedkitError):
    """The digest could not be delivered."""


class RefusedError(FeedkitError):
    """The run refused to publish, and wrote nothing: ``--strict`` and the content has
    problems, or the build would drop most published items or change published ids.
    ``problems`` say why, one per line, for the caller to show."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class UsageError(FeedkitError):
    """The request itself is wrong (a bad --since, --test without --to, …)."""

    exit_code = 2


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One diagnostic about one input: where, which field, what is wrong, how to fix it.

    >>> print(Problem(Path("content/a.md"), "publish_date", '"2024-13-01" is not a date',
    ...               hint="write YYYY-MM-DD", line=4))
    content/a.md:4: error: publish_date: "2024-13-01" is not a date (write YYYY-MM-DD)
    """

    path: Path | None
    field: str | None
    message: str
    hint: str | None = None
    severity: Severity = Severity.ERROR
    line: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = "" if self.path is None else self.path.as_posix()
        if self.line is not None and where:
            where = f"{where}:{self.line}"
        parts = [f"{where}: " if where else "", f"{self.severity.value}: "]
        if self.field:
            parts.append(f"{self.field}: ")
        parts.append(self.message)
        if self.hint:
            parts.append(f" ({self.hint})")
        return "".join(parts)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": None if self.path is None else self.path.as_posix(),
            "line": self.line,
            "severity": self.severity.value,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


def warning(
    path: Path | None, field: str | None, message: str, hint: str | None = None,
    *, line: int | None = None,
) -> Problem:
    """A ``Problem`` of severity warning (the article is still used)."""
    return Problem(path, field, message, hint, Severity.WARNING, line)


def error(
    path: Path | None, field: str | None, message: str, hint: str | None = None,
    *, line: int | None = None,
) -> Problem:
    """A ``Problem`` of severity error (the article is skipped)."""
    return Problem(path, field, message, hint, Severity.ERROR, line)


def clip(text: str, limit: int = 60) -> str:
    """A value quoted in a problem, cut to ``limit`` characters.

    >>> clip("x" * 100, 5)
    'xxxx…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"
