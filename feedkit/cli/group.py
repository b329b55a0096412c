"""The ``feedkit`` command group: its own options (-v, -q), the options commands share, reading
the settings, and turning any ``FeedkitError`` into one line and its exit code.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from feedkit import settings as settings_module
from feedkit.deliver.lock import DEFAULT_WAIT
from feedkit.errors import FeedkitError
from feedkit.settings import Settings
from feedkit.terminal import stopped_by_signals

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


def wait_option(func: F) -> F:
    """``--wait``, shared by the commands that write where another run may be writing."""
    return click.option(
        "--wait", type=click.FloatRange(min=0), default=DEFAULT_WAIT, show_default=True,
        metavar="SECONDS", help="How long to wait for another feedkit run writing the same "
        "output folder or state file before giving up (exit 1).")(func)


def load_config(config_path: Path | None, content_dir: Path | None, **overrides: str) -> Settings:
    """flags > FEEDKIT_* env > feedkit.toml > defaults (``overrides`` keyed like "build.output")."""
    settings: dict[str, object] = dict(overrides)
    if content_dir is not None:
        settings["content.dir"] = str(content_dir)
    return settings_module.load(config_path, overrides=settings)


class FeedkitFailure(click.ClickException):
    """A ``FeedkitError`` on its way out: one line on stderr, exit 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"feedkit: error: {self.format_message()}", err=True)


class FeedkitUsageFailure(FeedkitFailure):
    """A feedkit ``UsageError`` on its way out: one line on stderr, exit 2."""

    exit_code = 2


def _failure(error: FeedkitError) -> FeedkitFailure:
    kind = FeedkitUsageFailure if error.exit_code == FeedkitUsageFailure.exit_code \
        else FeedkitFailure
    return kind(str(error))


class FeedkitGroup(click.Group):
    """Turns any ``FeedkitError`` raised by a command into its one-line message and exit code;
    SIGTERM and SIGHUP stop a command as Ctrl-C does, so its cleanup runs (worker processes
    stopped, locks released, nothing half-recorded)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with stopped_by_signals():
                return super().invoke(ctx)
        except FeedkitError as exc:
            raise _failure(exc) from exc


@click.group(cls=FeedkitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="feedkit")
@click.option("-v", "--verbose", count=True, help="Say more (repeat for debug output).")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and errors (for cron).")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Feeds (RSS, Atom, JSON Feed) and an email digest from a folder of articles.

    \b
        feedkit init my-site --url https://news.example.org   # start a site
        feedkit new "A title"        # start an article in content/
        feedkit check                # every problem, and what would be published
        feedkit build                # write the feeds into public/
        feedkit serve                # preview the feeds and the digest in a browser
        feedkit digest --since 7d    # an email of the last week's articles

    Exit codes: 0 ok, 1 error, 2 usage error, 3 nothing new to send (digest).

    Settings: flags, then FEEDKIT_<SECTION>_<NAME> environment variables, then
    feedkit.toml, then the defaults.
    """
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else
                                         logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr)
    ctx.obj = {"quiet": quiet}


