"""The digest job: choose the articles, render, write, send and record — in that order, under
the state file's lock. Called by ``jobs.digest``; no flag parsing or printing here."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from feedkit.cache import open_cache
from feedkit.deliver.ledger import Entry, Ledger
from feedkit.deliver.mail import build_message, message_bytes, send, valid_address
from feedkit.deliver.output import OutputFolder, WriteResult
from feedkit.errors import ConfigError, Problem, UsageError
from feedkit.load.articles import load_articles
from feedkit.model import Article
from feedkit.render.email import Digest, DigestOptions, render_digest
from feedkit.render.feeds import article_id
from feedkit.selection import LAST, SpecError, Window, parse_spec, publishable
from feedkit.settings import Settings


@dataclass(frozen=True, slots=True)
class DigestRequest:
    """What the caller asked for (the CLI's flags)."""

    since: str
    until: str | None = None
    limit: int | None = None
    min_items: int | None = None
    send: bool = False
    test: bool = False
    to: tuple[str, ...] = ()
    mark_sent: bool = False
    dry_run: bool = False
    state: Path | None = None
    output: Path | None = None
    lock_timeout: float = 5.0  # seconds to wait for another run's lock on the state file
    use_cache: bool = True  # read and update .feedkit/cache.db


@dataclass(frozen=True, slots=True)
class DigestReport:
    """What happened: the window, the articles, the files, who it went to, what was recorded."""

    window: Window
    articles: tuple[Article, ...]
    candidates: int
    digest: Digest | None
    files: dict[str, WriteResult] = field(default_factory=dict)
    output_dir: Path | None = None
    sent_to: tuple[str, ...] = ()
    recorded: bool = False
    dry_run: bool = False
    problems: tuple[Problem, ...] = ()
    min_items: int = 1
    already_sent: int = 0  # articles in the window left out because a digest had them
    since_from: str = ""  # where the window's start came from, when not from --since itself
    notes: tuple[str, ...] = ()

    @property
    def nothing_new(self) -> bool:
        return self.digest is None

    @property
    def exit_code(self) -> int:
        return 3 if self.nothing_new else 0


def _options(config: Settings) -> DigestOptions:
    return DigestOptions(
        subject=config.digest.subject,
        unsubscribe_url=config.digest.unsubscribe_url,
        archive_url=config.digest.archive_url,
        templates=config.digest.templates,
        include_updated=config.digest.include_updated,
        feed=config.feed,
    )


def _spec(spec: str, *, now: datetime, config: Settings, flag: str) -> datetime:
    try:
        return parse_spec(spec, now=now, zone=config.site.timezone)
    except SpecError as exc:
        raise UsageError(f"{flag}: {exc}") from exc


def _check_request(request: DigestRequest, recipients: Sequence[str]) -> None:
    if request.test and not request.to:
        raise UsageError("--test needs --to ADDRESS (a test goes only to you)")
    if request.test and request.mark_sent:
        raise UsageError("--test records nothing; drop --mark-sent")
    if (request.send or request.test) and not recipients:
        raise UsageError("no recipients: pass --to ADDRESS or set [digest] to in feedkit.toml")
    for address in recipients:
        if not valid_address(address):
            raise UsageError(f"{address!r} is not an email address")


def _sender(config: Settings, *, required: bool) -> tuple[str, str | None]:
    sender = config.digest.sender
    if sender:
        if not valid_address(sender):
            raise ConfigError(f"digest.from: {sender!r} is not an email address "
                              "(write it like 'Site <news@example.org>')")
        return sender, None
    if required:
        raise ConfigError("digest.from: missing; set from = \"Site <news@example.org>\" under "
                          "[digest] to send")
    host = urlsplit(config.site.url).hostname or "localhost"
    made_up = f"{config.site.title} <{config.site.author_email or 'digest@' + host}>"
    return made_up, (f"no [digest] from: digest.eml says From: {made_up}; set from under "
                     "[digest] before handing it to an email service")


def run_digest(config: Settings, request: DigestRequest, *, now: datetime) -> DigestReport:
    """Choose, render, write and (when asked) send and record one digest."""
    recipients = tuple(request.to) or config.digest.to
    _check_request(request, recipients)
    sending = (request.send or request.test) and not request.dry_run
    sender, sender_note = _sender(config, required=sending)
    until = _spec(request.until, now=now, config=config, flag="--until") if request.until \
        else now
    records = ((request.send and not request.test) or request.mark_sent) and not request.dry_run
    limit = request.limit if request.limit is not None else config.digest.limit
    min_items = request.min_items if request.min_items is not None \
        else config.digest.min_items
    last = request.since.strip().lower() == LAST
    given_since = None if last else _spec(request.since, now=now, config=config, flag="--since")
    if given_since is not None and given_since >= until:  # a usage error: before any work
        raise UsageError(f"--since ({given_since.isoformat()}) is not before --until "
                         f"({until.isoformat()})")
    options = _options(config)
    # parses shared with build; a dry run writes nothing, not even the cache
    with open_cache(config, enabled=request.use_cache and not request.dry_run) as cache:
        loaded = load_articles(config.content.dir, site=config.site,
                               max_file_size=config.content.max_file_size, cache=cache)
    problems = tuple(config.warnings) + loaded.problems
    out = publishable(loaded.articles, now)
    state = request.state or config.digest.state

    with Ledger.open(state, create=records, timeout=request.lock_timeout) as ledger, \
            (ledger.locked() if records else nullcontext()):
        sent = ledger.sent_ids()
        since_from = ""
        if given_since is not None:
            since = given_since
        else:
            horizon = ledger.horizon()
            first = config.digest.first_run_since
            since = horizon or _spec(first, now=now, config=config,
                                     flag="digest.first_run_since")
            since_from = ("--since last: from the start of the first recorded digest"
                          if horizon else f"--since last, first digest: [digest] "
                          f"first_run_since = {first!r}")
        if since >= until:
            raise UsageError(f"--since ({since.isoformat()}) is not before --until "
                             f"({until.isoformat()})")
        window = Window(since, until)
        ids = _IdsOf(config)  # only articles in the window (or updated in it) need an id
        in_window = [a for a in out if a.published in window]
        blank = [a for a in in_window if a.is_blank and ids[a] not in sent]
        in_window = [a for a in in_window if not a.is_blank]
        candidates = [a for a in in_window if ids[a] not in sent]
        already_sent = len(in_window) - len(candidates)
        chosen = tuple(candidates[:limit] if limit else candidates)
        # with --since last the window reaches back to the horizon: an update is news only
        # when it came after the last recorded issue, or every issue would repeat it
        last_until = ledger.last_until() if last else None
        news = Window(max(since, last_until), until) if last_until and last_until < until \
            else window
        updated = [a for a in out if options.include_updated and a.updated is not None
                   and a.updated in news and ids[a] in sent]
        if len(chosen) < max(min_items, 1):
            return DigestReport(window, chosen, len(candidates), None, problems=problems,
                                dry_run=request.dry_run, min_items=min_items,
                                already_sent=already_sent, since_from=since_from)
        digest = render_digest(config.site, chosen, window=window, options=options,
                               updated=updated)
        chosen = digest.articles  # capped to the size budget: the rest wait for the next one
        notes = (*digest.notes, *([sender_note] if sender_note else []),
                 *([_blank_note(blank)] if blank else []))
        host = urlsplit(config.site.url).hostname or "localhost"
        message = build_message(
            digest, sender=sender, recipients=recipients, date=until,
            list_id=config.digest.list_id or f"{config.site.title} <digest.{host}>",
            unsubscribe_url=options.unsubscribe_url, test=request.test,
        )
        extra = {"already_sent": already_sent, "since_from": since_from, "notes": notes}
        if request.dry_run:
            return DigestReport(window, chosen, len(candidates), digest, problems=problems,
                                dry_run=True, min_items=min_items, **extra)
        output = request.output or config.digest.output
        # a test send writes nothing: digest.eml stays the one for the subscribers
        files = {} if request.test else OutputFolder(output).write_all({
            "digest.html": digest.html.encode("utf-8"),
            "digest.txt": digest.text.encode("utf-8"),
            "digest.eml": message_bytes(message),  # never the test message: no files then
            f"archive/{digest.archive_name}": digest.html.encode("utf-8"),
        })
        if sending:
            send(message, recipients, config.smtp)
        if records:
            ledger.record(
                digest_id=digest.id, since=window.since, until=window.until, created=now,
                sent=now if request.send else None, mode="send" if request.send else "mark",
                message_id=digest.message_id, recipients=len(recipients) if request.send else 0,
                entries=[Entry(ids[a], a.published) for a in chosen],
            )
    return DigestReport(window, chosen, len(candidates), digest, files, output,
                        recipients if sending else (), records, False, problems, min_items,
                        **extra)


def _blank_note(blank: Sequence[Article]) -> str:
    names = ", ".join(a.path.as_posix() for a in blank[:5]) + (", …" if len(blank) > 5 else "")
    return (f"left out {len(blank)} article(s) with nothing but a title ({names}): give them "
            "a description or a body and the next digest takes them")


class _IdsOf(dict[Article, str]):
    """Feed ids, computed on first use (a site has far more articles than a window)."""

    def __init__(self, config: Settings) -> None:
        super().__init__()
        self._config = config

    def __missing__(self, article: Article) -> str:
        value = article_id(article, self._config.site, self._config.feed)
        self[article] = value
        return value
