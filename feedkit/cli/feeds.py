"""``feedkit check`` and ``feedkit build``: what the articles are, and the feeds made of them."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from feedkit import jobs
from feedkit.cli.group import cli, load_config, site_options, wait_option
from feedkit.deliver.output import WriteResult
from feedkit.errors import RefusedError
from feedkit.model import Status
from feedkit.terminal import (
    display_path,
    plural,
    say,
    show_notes,
    show_problems,
    show_table,
    working,
)


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


