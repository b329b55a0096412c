"""The ``feedkit`` command: parse flags, call the library, print the report, exit.

Exit codes: 0 ok, 1 error, 2 usage, 3 nothing new to send. No rule lives here that a library
user would also need. One module per group of commands: ``feeds`` (check, build), ``digest``,
``site`` (init, new, serve); ``group`` holds what they share.
"""

from __future__ import annotations

from feedkit.cli import digest, feeds, site  # noqa: F401 - each registers its commands
from feedkit.cli.group import cli
from feedkit.cli.site import SCHEMAS

__all__ = ["SCHEMAS", "cli", "main"]


def main(argv: list[str] | None = None) -> None:
    """The console script: run the CLI (click prints errors and sets the exit code)."""
    cli.main(args=argv, prog_name="feedkit")
