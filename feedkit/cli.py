"""The ``feedkit`` command: parse flags, call the library, print the report, exit.

Exit codes: 0 ok, 1 error, 2 usage, 3 nothing new to send. No rule lives here that a library
user would also need.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from feedkit import config as config_module
from feedkit import pipeline
from feedkit.config import Config
from feedkit.errors import FeedkitError, Problem
from feedkit.model import Status

F = TypeVar("F", bound=Callable[..., Any])


def site_options(func: F) -> F:
    """``--config`` and ``--content``, shared by every command that reads a site."""
    func = click.option(
        "--content", "content_dir", type=click.Path(file_okay=False, path_type=Path),
        help="Folder of articles [default: content/ next to feedkit.toml].",
    )(func)
    func = click.option(
        "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
        envvar="FEEDKIT_CONFIG",
        help="Settings file [default: ./feedkit.toml if present].",
    )(func)
    return func


def load_config(config_path: Path | None, content_dir: Path | None) -> Config:
    """flags > FEEDKIT_* env > feedkit.toml > defaults."""
    overrides: dict[str, object] = {}
    if content_dir is not None:
        overrides["content.dir"] = str(content_dir)
    return config_module.load(config_path, overrides=overrides)


def show_problems(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="feedkit")
@click.option("-v", "--verbose", count=True, help="Say more (repeat for debug output).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def cli(verbose: int, quiet: bool) -> None:
    """Feeds (RSS, Atom, JSON Feed) and an email digest from a folder of articles.

    \b
        feedkit check            # what would be published, and every problem
    """
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else
                                         logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr)


@cli.command()
@site_options
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json prints one document for CI.")
def check(config_path: Path | None, content_dir: Path | None, strict: bool,
          output_format: str) -> None:
    """Load every article, render every body, and report problems.

    Prints one line per problem, then the articles newest first and a summary.
    Exits 1 if any article has an error (with --strict: any warning).

    \b
        feedkit check --content content/ --strict
    """
    config = load_config(config_path, content_dir)
    report = pipeline.check(config, strict=strict)
    if output_format == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        sys.exit(report.exit_code)
    show_problems(report.problems)
    rows = [(a.published.astimezone(config.site.timezone).strftime("%Y-%m-%d %H:%M"),
             a.status(report.now).value, a.slug, a.title) for a in report.articles]
    widths = [max((len(r[i]) for r in rows), default=0) for i in range(3)]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True))
                   + "  " + row[3])
    s = report.statuses
    click.echo(
        f"{len(report.articles)} articles from {report.files} files: "
        f"{s[Status.PUBLISHED]} published, {s[Status.DRAFT]} draft, {s[Status.FUTURE]} future, "
        f"{s[Status.ARCHIVED]} archived; {report.errors} errors, {report.warnings} warnings"
        f" (times in {config.site.timezone.key})"
    )
    sys.exit(report.exit_code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a ``FeedkitError`` becomes its one-line message and its exit code."""
    try:
        cli.main(args=argv, prog_name="feedkit", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except FeedkitError as exc:
        click.echo(f"feedkit: error: {exc}", err=True)
        sys.exit(exc.exit_code)
