"""``feedkit digest``: the email of a window's articles, written, sent and recorded."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from feedkit import jobs
from feedkit.cli.group import cli, load_config, site_options, wait_option
from feedkit.terminal import (
    display_path,
    plural,
    say,
    show_notes,
    show_problems,
    working,
)


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
    # errors, and the settings' own warnings (a typo in [digest] must not go out unnoticed);
    # the articles' warnings are check's and build's to show
    show_problems([p for p in report.problems if p.is_error or p in settings.warnings], settings)
    zone = settings.site.timezone
    window = report.window
    say(f"window: {window.since.astimezone(zone):%Y-%m-%d %H:%M} to "
        f"{window.until.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key}), until excluded"
        + (f" ({report.since_from})" if report.since_from else ""))
    for article in report.articles:
        say(f"  {article.published.astimezone(zone):%Y-%m-%d %H:%M}  {article.title}")
    skipped = f"; {plural(report.already_sent, 'article')} in the window already sent" \
        if report.already_sent else ""
    show_notes(report.notes)  # an article recognised as sent under another id, too, on exit 3
    if report.digest is None:
        say(f"nothing new to send: {plural(len(report.articles), 'article')}, fewer than "
            f"--min-items {max(report.min_items, 1)}{skipped}; nothing written")
        sys.exit(3)
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
