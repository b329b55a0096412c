"""The ``feedkit`` command: parse flags, call the library, print the report, exit.

Exit codes: 0 ok, 1 error, 2 usage, 3 nothing new to send. No rule lives here that a library
user would also need.
"""

from __future__ import annotations

import json
import logging
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click

from feedkit import jobs
from feedkit import settings as settings_module
from feedkit.deliver.lock import DEFAULT_WAIT
from feedkit.deliver.output import WriteResult
from feedkit.errors import FeedkitError, RefusedError
from feedkit.model import Status
from feedkit.settings import Settings
from feedkit.terminal import (
    display_path,
    is_quiet,
    plural,
    say,
    show_notes,
    show_problems,
    show_table,
    signals_ignored,
    stdin_is_terminal,
    stopped_by_signals,
    working,
)

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
    """Turns any ``FeedkitError`` raised by a command into its one-line message and exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
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


@cli.command(short_help="Report every problem in the articles, list them newest first.")
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
    settings = load_config(config_path, content_dir)
    with working("Checking every article…"):
        report = jobs.check(settings, now=jobs.utc_now(), strict=strict)
    if output_format == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        sys.exit(report.exit_code)
    show_problems(report.problems, settings)
    show_table(("published", "status", "slug", "title"),
               [(a.published.astimezone(settings.site.timezone).strftime("%Y-%m-%d %H:%M"),
                 a.status(report.now).value, a.slug, a.title) for a in report.articles])
    s = report.statuses
    say(
        f"{plural(len(report.articles), 'article')} from {plural(report.files, 'file')}: "
        f"{s[Status.PUBLISHED]} published, {s[Status.DRAFT]} draft, {s[Status.FUTURE]} future, "
        f"{s[Status.ARCHIVED]} archived; {plural(report.errors, 'error')}, "
        f"{plural(report.warnings, 'warning')}"
        f" (times in {settings.site.timezone.key})"
    )
    sys.exit(report.exit_code)


@cli.command(short_help="Write RSS, Atom and JSON feeds, site-wide and per tag.")
@site_options
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the feeds to [default: public/ next to feedkit.toml].")
@click.option("--limit", type=click.IntRange(min=0), metavar="N",
              help="Newest N articles per feed; 0 means all [default: [feed] limit, 50].")
@click.option("--strict", is_flag=True, help="Write nothing and exit 1 if any article has a "
              "problem.")
@click.option("--no-cache", is_flag=True, help="Ignore the build cache ([build] cache): load "
              "and render everything.")
@click.option("--allow-shrink", is_flag=True, help="Publish even if the site feed would be "
              "empty, or most articles in the feeds would be dropped.")
@click.option("--allow-new-ids", is_flag=True, help="Publish even if articles already in the "
              "feeds would get new ids (readers show them again).")
@wait_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json prints one document for CI.")
def build(config_path: Path | None, content_dir: Path | None, output_dir: Path | None,
          limit: int | None, strict: bool, no_cache: bool, allow_shrink: bool,
          allow_new_ids: bool, wait: float, output_format: str) -> None:
    """Write RSS 2.0, Atom 1.0 and JSON Feed 1.1 files, site-wide and per tag.

    Writes feed.xml, atom.xml, feed.json, tags/<tag>/feed.xml and atom.xml, and feed.xsl
    (so a feed opened in a browser reads as a page). Unchanged files are left alone; feeds
    an earlier build wrote that this one no longer produces (a tag no article has now) are
    deleted. Refuses, writing nothing, to empty the site feed, drop most published articles
    or change a published id, unless told so.

    \b
        feedkit build --output public/
    """
    overrides = {"build.output": str(output_dir)} if output_dir is not None else {}
    settings = load_config(config_path, content_dir, **overrides)
    started = time.perf_counter()
    try:
        with working("Building feeds…"):
            report = jobs.build(settings, now=jobs.utc_now(), strict=strict, limit=limit,
                                use_cache=not no_cache,
                                allow_shrink=allow_shrink, allow_new_ids=allow_new_ids,
                                wait=wait)
    except RefusedError as exc:
        show_problems(exc.problems, settings)
        raise
    if output_format == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        sys.exit(report.exit_code)
    show_problems(report.problems, settings)
    show_notes(report.notes)
    s = report.statuses
    skipped = [f"{s[Status.DRAFT]} draft", f"{s[Status.FUTURE]} future",
               f"{s[Status.ARCHIVED]} archived", f"{report.skipped_files} with errors"]
    say(f"{plural(report.published, 'article')} published; skipped: {', '.join(skipped)}")
    for path, result in report.files.items():
        if result is WriteResult.WRITTEN or len(report.files) <= 40:
            say(f"  {result.value:9}  {display_path(report.output_dir / path)}")
    for path in report.removed:
        say(f"  {'removed':9}  {display_path(report.output_dir / path)} (no longer produced)")
    feeds = ", ".join(settings.site.url + name for name in ("feed.xml", "atom.xml", "feed.json"))
    say(f"serve {display_path(report.output_dir)} as static files; readers subscribe to "
        f"{feeds}")
    note = " (nothing changed since the last build)" if report.unchanged_inputs else ""
    removed = f", {len(report.removed)} removed" if report.removed else ""
    say(f"{len(report.written)} files written, {len(report.files) - len(report.written)} "
        f"unchanged{removed}, in {display_path(report.output_dir)}, "
        f"{time.perf_counter() - started:.2f} s{note}")
    sys.exit(report.exit_code)


@cli.command(short_help="Write (and send) an email digest of a window's articles.")
@site_options
@click.option("--since", required=True, metavar="SPEC",
              help="Start of the window: 2025-02-01, 2025-02-01T08:00+01:00, 36h, 7d, 2w, or "
              "'last' (everything not yet sent).")
@click.option("--until", metavar="SPEC", help="End of the window (excluded) [default: now].")
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for digest.html/.txt/.eml [default: public/digest/].")
@click.option("--limit", type=click.IntRange(min=0), metavar="N",
              help="Most articles in the digest; 0 means all [default: [digest] limit].")
@click.option("--min-items", type=click.IntRange(min=0), metavar="N",
              help="Fewer articles than this: write nothing, exit 3 [default: 1].")
@click.option("--send", is_flag=True, help="Deliver over SMTP, then record the articles as sent.")
@click.option("--to", "to", multiple=True, metavar="ADDR",
              help="Recipient (repeatable) [default: [digest] to].")
@click.option("--test", is_flag=True,
              help="With --to: send to yourself with [TEST] in the subject; record nothing.")
@click.option("--mark-sent", is_flag=True,
              help="Record the articles as sent without sending (you deliver digest.eml).")
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path),
              help="State file [default: .feedkit/state.db next to feedkit.toml].")
@click.option("--dry-run", is_flag=True, help="Show what would go out; write, send and record "
              "nothing.")
@wait_option
def digest(config_path: Path | None, content_dir: Path | None, since: str, until: str | None,
           output_dir: Path | None, limit: int | None, min_items: int | None, send: bool,
           to: tuple[str, ...], test: bool, mark_sent: bool, state: Path | None,
           dry_run: bool, wait: float) -> None:
    """Write (and send) an email digest of the articles published in a window.

    Exit codes: 0 written (and sent), 1 error, 2 usage, 3 nothing new to send.

    \b
        feedkit digest --since last --send          # daily cron job
        feedkit digest --since 7d --to me@example.org --test
    """
    from feedkit.jobs.digest_job import DigestRequest

    settings = load_config(config_path, content_dir)
    request = DigestRequest(since=since, until=until, limit=limit, min_items=min_items,
                            send=send, test=test, to=to, mark_sent=mark_sent, dry_run=dry_run,
                            state=state, output=output_dir, wait=wait)
    with working("Preparing the digest…"):
        report = jobs.digest(settings, request, now=jobs.utc_now())
    show_problems([p for p in report.problems if p.is_error], settings)
    zone = settings.site.timezone
    window = report.window
    say(f"window: {window.since.astimezone(zone):%Y-%m-%d %H:%M} to "
        f"{window.until.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key}), until excluded"
        + (f" ({report.since_from})" if report.since_from else ""))
    for article in report.articles:
        say(f"  {article.published.astimezone(zone):%Y-%m-%d %H:%M}  {article.title}")
    skipped = f"; {plural(report.already_sent, 'article')} in the window already sent" \
        if report.already_sent else ""
    if report.digest is None:
        say(f"nothing new to send: {plural(len(report.articles), 'article')}, fewer than "
            f"--min-items {max(report.min_items, 1)}{skipped}; nothing written")
        sys.exit(3)
    show_notes(report.notes)
    say(f"subject: {report.digest.subject} ({report.digest.size:,} bytes of HTML){skipped}")
    if report.dry_run:
        say("dry run: nothing written, sent or recorded")
        sys.exit(0)
    for path, result in report.files.items():
        assert report.output_dir is not None
        say(f"  {result.value:9}  {display_path(report.output_dir / path)}")
    if test:
        say("test: digest.eml and the state file left as they were")
    if report.sent_to:
        say(f"sent to {plural(len(report.sent_to), 'recipient')}" + (" (test)" if test else ""))
    if report.recorded:
        say(f"recorded {plural(len(report.articles), 'article')} as sent")
    sys.exit(0)


# scaffold.SCHEMAS, spelled out so that `feedkit --help` need not import the scaffolding
SCHEMAS = ("publish_date", "publishedOn")


def _check_url(ctx: click.Context | None, param: click.Parameter | None,
               value: str | None) -> str | None:
    from feedkit import scaffold
    from feedkit.errors import ConfigError

    if value is None:
        return None
    try:
        return scaffold.check_url(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from exc


@cli.command(short_help="Start a site: a commented feedkit.toml, a first article, .gitignore.")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--url", callback=_check_url, metavar="URL",
              help="Where the site is served, e.g. https://news.example.org [default: asked "
              "on a terminal, else https://example.org].")
@click.option("--title", help="Name of the publication [default: the URL's host].")
@click.option("--schema", type=click.Choice(SCHEMAS), default=SCHEMAS[0], show_default=True,
              help="Front-matter keys of the first article: publish_date, heroImage, cta; or "
              "publishedOn, mainImage, altTextMainImage, draft, archived.")
@click.option("--force", is_flag=True, help="Replace feedkit.toml and content/welcome.md if "
              "they exist.")
def init(directory: Path, url: str | None, title: str | None, schema: str, force: bool) -> None:
    """Start a site in DIRECTORY (default: the current folder).

    Writes feedkit.toml (every setting, with its default and one line of help), content/ with
    a welcome article, and a .gitignore for public/ and .feedkit/. Existing files are never
    replaced (exit 1, naming them) unless --force is given.

    \b
        feedkit init harbour-news --url https://news.example.org --title "Harbour News"
    """
    from feedkit import scaffold

    placeholder = False
    if url is None and stdin_is_terminal():
        url = click.prompt("Site URL (where the feeds will be served, e.g. "
                           "https://news.example.org)", value_proc=lambda v: _check_url(None,
                                                                                      None, v))
    elif url is None:
        url, placeholder = scaffold.PLACEHOLDER_URL, True
    assert url is not None
    title = scaffold.one_line(title or "") or urlsplit(url).hostname or url
    changes = scaffold.init_site(directory, url=url, title=title, schema=schema,
                                 now=jobs.utc_now(), force=force)
    for rel, change in changes.items():
        say(f"  {change.value:9}  {display_path(directory / rel)}")
    if placeholder:
        click.echo(f"note: no --url given and no terminal to ask, so [site] url is "
                   f"{url}; set your own in {display_path(directory / 'feedkit.toml')} "
                   "before you publish", err=True)
    steps = [] if directory.resolve() == Path.cwd().resolve() else \
        [f"cd {shlex.quote(display_path(directory))}"]
    steps += ["feedkit check               # what feedkit makes of every article in content/",
              "feedkit build               # write the feeds into public/",
              "feedkit digest --since 7d   # an email of the last week's articles"]
    say("next:\n" + "".join(f"  {step}\n" for step in steps)
        + 'then write your own articles with: feedkit new "Your title"')


@cli.command(short_help="Start an article in content/, with empty fields ready to fill.")
@site_options
@click.argument("title")
@click.option("--draft", is_flag=True, help="Write draft: true (kept out of the feeds and "
              "digests until you remove it).")
@click.option("--date", "date_spec", metavar="DATE",
              help="Publish date: 2025-02-01, 2025-02-01T08:00+01:00, 'February 1, 2025', … "
              "[default: now, in site.timezone].")
@click.option("--schema", type=click.Choice(SCHEMAS),
              help="Front-matter keys [default: those most existing articles use, else "
              "publish_date].")
def new(config_path: Path | None, content_dir: Path | None, title: str, draft: bool,
        date_spec: str | None, schema: str | None) -> None:
    """Write content/<slug>.md for an article called TITLE and print its path.

    The slug comes from the title; a file or slug that exists gets -2, -3, … and is never
    replaced. The date is now (or --date) in site.timezone.

    \b
        feedkit new "Winter mooring fees" --draft
    """
    from feedkit import scaffold
    from feedkit.errors import UsageError

    settings = load_config(config_path, content_dir)
    if not scaffold.one_line(title):
        raise UsageError('the title is empty (write it like feedkit new "Your title")')
    published, date_only = scaffold.article_date(date_spec, now=jobs.utc_now(),
                                                 zone=settings.site.timezone)
    found = scaffold.survey(settings.content.dir)
    schema = schema or found.schema
    text = scaffold.render_article(title, schema=schema, published=published,
                                   date_only=date_only, draft=draft)
    path = scaffold.create_article(settings.content.dir, text, slug=scaffold.article_slug(title),
                                   taken=found.slugs)
    click.echo(display_path(path))  # the result itself: printed even with -q, for scripts
    hero = "heroImage" if schema == "publish_date" else "mainImage"
    if not is_quiet():
        click.echo(f"note: fill in description, {hero} and cta, write the body, then run "
                   "feedkit check", err=True)


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@cli.command(short_help="Preview the feeds and the digest in a browser, rebuilt on every edit.")
@site_options
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              metavar="PORT",
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="Address to listen on; anything but localhost lets others on your network "
              "read the preview.")
def serve(config_path: Path | None, content_dir: Path | None, port: int, host: str) -> None:
    """Build into a temporary folder and serve it, with the digest preview and check's problems.

    Rebuilds and reloads the page when an article, feedkit.toml or a template changes.
    Writes nothing into public/ or the state file. Ctrl-C stops it.

    \b
        feedkit serve --port 8000
    """
    from feedkit.serve import Preview

    if host not in LOCAL_HOSTS:
        click.echo(f"warning: serving on {host}: anyone on your network can read it", err=True)
    preview = Preview(lambda: load_config(config_path, content_dir), host=host, port=port)
    with stopped_by_signals():
        try:
            try:
                with working("Building the preview…"):
                    preview.start()
                say(f"serving {preview.url} (feeds, digest preview at "
                    f"{preview.url}digest?since=7d); Ctrl-C to stop")
                while not preview.wait(0.5):
                    pass
            finally:
                with signals_ignored():  # a second Ctrl-C must not leave the folder behind
                    preview.stop()
        except KeyboardInterrupt:
            say("stopped")


def main(argv: list[str] | None = None) -> None:
    """The console script: run the CLI (click prints errors and sets the exit code)."""
    cli.main(args=argv, prog_name="feedkit")
