"""The digest job: choose the articles, render, write, send and record — in that order, under
the state file's lock (and the output folder's, while writing). No flag parsing or printing."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from feedkit.cache import Cache
from feedkit.deliver.ledger import Entry, Ledger
from feedkit.deliver.lock import DEFAULT_WAIT, folder_lock
from feedkit.deliver.output import OutputFolder, WriteResult
from feedkit.errors import ConfigError, Problem, UsageError
from feedkit.identity import Known, known_of, match
from feedkit.jobs.stages import load_site, opened_cache, render_bodies, utc_now, worker_pool
from feedkit.load.discovery import require_folder
from feedkit.load.ids import earlier_ids
from feedkit.load.rules import LoadRules
from feedkit.model import Article
from feedkit.pool import Pool
from feedkit.selection import LAST, SpecError, Window, parse_spec, publishable
from feedkit.settings import Settings, is_address

if TYPE_CHECKING:
    from feedkit.render.email import Digest


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
    wait: float = DEFAULT_WAIT  # seconds to wait for another run's state file or output folder
    use_cache: bool = True  # read and update the build cache


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


def _spec(spec: str, *, now: datetime, settings: Settings, flag: str) -> datetime:
    try:
        return parse_spec(spec, now=now, zone=settings.site.timezone)
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
        if not is_address(address):
            raise UsageError(f"{address!r} is not an email address")


def _sender(settings: Settings, *, required: bool) -> tuple[str, str | None]:
    sender = settings.digest.sender
    if sender:
        if not is_address(sender):
            raise ConfigError(f"digest.from: {sender!r} is not an email address "
                              "(write it like 'Site <news@example.org>')")
        return sender, None
    if required:
        raise ConfigError("digest.from: missing; set from = \"Site <news@example.org>\" under "
                          "[digest] to send")
    host = urlsplit(settings.site.url).hostname or "localhost"
    made_up = f"{settings.site.title} <{settings.site.author_email or 'digest@' + host}>"
    return made_up, (f"no [digest] from: digest.eml says From: {made_up}; set from under "
                     "[digest] before handing it to an email service")


def digest(settings: Settings, request: DigestRequest, *, now: datetime | None = None,
           pool: Pool | None = None) -> DigestReport:
    """Choose the articles for a digest, write ``digest.html``/``.txt``/``.eml`` and the
    archive page, and send and record it when asked. ``report.exit_code`` is 3 when there was
    nothing new (nothing written then). Raises ``ContentError`` with no content folder."""
    from feedkit.deliver.mail import send
    from feedkit.render.message import build_message, message_bytes  # jinja2: slow to import

    now = now or utc_now()
    recipients = tuple(request.to) or settings.digest.to
    _check_request(request, recipients)
    sending = (request.send or request.test) and not request.dry_run
    sender, sender_note = _sender(settings, required=sending)
    until = _spec(request.until, now=now, settings=settings, flag="--until") if request.until \
        else now
    records = ((request.send and not request.test) or request.mark_sent) and not request.dry_run
    last = request.since.strip().lower() == LAST
    given_since = None if last else _spec(request.since, now=now, settings=settings,
                                          flag="--since")
    if given_since is not None and given_since >= until:  # a usage error: before any work
        raise UsageError(f"--since ({given_since.isoformat()}) is not before --until "
                         f"({until.isoformat()})")
    require_folder(settings.content.dir)  # before the cache is opened (or made)
    pool = pool or worker_pool()
    # parses shared with build; a dry run writes nothing, not even the cache
    with opened_cache(settings, enabled=request.use_cache and not request.dry_run) as cache:
        loaded = load_site(settings, cache, pool)
        state = request.state or settings.digest.state
        with Ledger.open(state, create=records, timeout=request.wait) as ledger, \
                (ledger.locked() if records else nullcontext()):
            chooser = _Chooser(settings, request, ledger, now=now, until=until,
                               given_since=given_since, last=last)
            choice = chooser.choose(loaded.articles, cache, pool)
            problems = (*settings.warnings, *loaded.problems, *chooser.problems)
            report = DigestReport(choice.window, choice.articles, choice.candidates, None,
                                  problems=problems, dry_run=request.dry_run,
                                  min_items=choice.min_items, already_sent=choice.already_sent,
                                  since_from=choice.since_from, notes=tuple(chooser.notes))
            if choice.digest is None:
                return report
            host = urlsplit(settings.site.url).hostname or "localhost"
            message = build_message(
                choice.digest, sender=sender, recipients=recipients, date=until,
                list_id=settings.digest.list_id or f"{settings.site.title} <digest.{host}>",
                unsubscribe_url=settings.digest.unsubscribe_url, test=request.test,
            )
            report = replace(report, digest=choice.digest, notes=(
                *choice.digest.notes, *([sender_note] if sender_note else []),
                *chooser.notes, *cache.notes))
            if request.dry_run:
                return report
            output = request.output or settings.digest.output
            files: dict[str, WriteResult] = {}
            if not request.test:  # a test send writes nothing: digest.eml stays the real one
                html = choice.digest.html.encode("utf-8")
                with folder_lock(output, wait=request.wait, what="digest"):
                    files = OutputFolder(output).write_all({
                        "digest.html": html,
                        "digest.txt": choice.digest.text.encode("utf-8"),
                        "digest.eml": message_bytes(message),
                        f"archive/{choice.digest.archive_name}": html,
                    })
            if sending:
                send(message, recipients, settings.smtp)
            if records:
                ledger.record(
                    digest_id=choice.digest.id, since=choice.window.since,
                    until=choice.window.until, created=now,
                    sent=now if request.send else None, mode="send" if request.send else "mark",
                    message_id=choice.digest.message_id,
                    recipients=len(recipients) if request.send else 0,
                    entries=[_entry(a) for a in choice.articles],
                )
                # the sent articles found under another id, path or text: known as they are
                # now, so the next run still finds them after one more rename or edit
                ledger.update_articles(chooser.moved)
    return replace(report, files=files, output_dir=output,
                   sent_to=recipients if sending else (), recorded=records)


@dataclass(frozen=True, slots=True)
class _Choice:
    """The window, the articles chosen in it and the digest of them (None: nothing new)."""

    window: Window
    since_from: str
    articles: tuple[Article, ...]
    candidates: int
    already_sent: int
    min_items: int
    digest: Digest | None = None


class _Chooser:
    """Picks the window and its articles, renders what the email needs, and renders it."""

    def __init__(self, settings: Settings, request: DigestRequest, ledger: Ledger, *,
                 now: datetime, until: datetime, given_since: datetime | None,
                 last: bool) -> None:
        self.settings, self.request, self.ledger = settings, request, ledger
        self.now, self.until, self.given_since, self.last = now, until, given_since, last
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.moved: list[tuple[str, Entry]] = []  # (id recorded, the article as it is now)

    def _window(self) -> tuple[Window, str]:
        if self.given_since is not None:
            since, since_from = self.given_since, ""
        else:
            horizon = self.ledger.horizon()
            first = self.settings.digest.first_run_since
            since = horizon or _spec(first, now=self.now, settings=self.settings,
                                     flag="digest.first_run_since")
            since_from = ("--since last: from the start of the first recorded digest"
                          if horizon else f"--since last, first digest: [digest] "
                          f"first_run_since = {first!r}")
        if since >= self.until:
            raise UsageError(f"--since ({since.isoformat()}) is not before --until "
                             f"({self.until.isoformat()})")
        return Window(since, self.until), since_from

    def choose(self, loaded: Sequence[Article], cache: Cache, pool: Pool) -> _Choice:
        from feedkit.render.email import render_digest

        settings, request = self.settings, self.request
        window, since_from = self._window()
        out = publishable(loaded, self.now, settings.content.generator)
        sent = self.ledger.sent_ids()
        rule = LoadRules.of(settings).id_rule
        # every article loaded (drafts too: a file that still holds a sent article keeps it)
        same = match(self.ledger.known(), loaded)
        self._moved(same, loaded, out, sent)

        def was_sent(article: Article) -> bool:
            return article.key in same or article.id in sent or any(
                old in sent for old in earlier_ids(article, rule, settings.site.timezone))

        limit = request.limit if request.limit is not None else settings.digest.limit
        min_items = request.min_items if request.min_items is not None \
            else settings.digest.min_items
        in_window = [a for a in out if a.published in window]
        blank = [a for a in in_window if a.is_blank and not was_sent(a)]
        in_window = [a for a in in_window if not a.is_blank]
        candidates = [a for a in in_window if not was_sent(a)]
        already_sent = len(in_window) - len(candidates)
        # with --since last the window reaches back to the horizon: an update is news only
        # when it came after the last recorded issue, or every issue would repeat it
        last_until = self.ledger.last_until() if self.last else None
        news = Window(max(window.since, last_until), window.until) \
            if last_until and last_until < window.until else window
        updated = [a for a in out if settings.digest.include_updated and a.updated is not None
                   and a.updated in news and was_sent(a)]
        summaries, candidates, updated = self._summaries(candidates, updated, limit, cache,
                                                         pool)
        chosen = tuple(candidates[:limit] if limit else candidates)
        choice = _Choice(window, since_from, chosen, len(candidates), already_sent, min_items)
        if blank:
            self.notes.append(_blank_note(blank))
        if len(chosen) < max(min_items, 1):
            return choice
        rendered = render_digest(settings.site, chosen, window=window, settings=settings.digest,
                                 summaries=summaries, updated=updated)
        # capped to the size budget: the rest wait for the next digest
        return replace(choice, articles=rendered.articles, digest=rendered)

    def _moved(self, same: dict[str, Known], loaded: Sequence[Article],
               out: Sequence[Article], sent: set[str]) -> None:
        """Note each published article recognised as sent under another id, and keep (in
        ``moved``) the ledger updates that make each matched record what its article is now."""
        published = {a.key for a in out}
        articles = {a.key: a for a in loaded if a.key in same}
        renamed: list[str] = []
        new_ids: dict[str, int] = {}
        for article in articles.values():
            new_ids[article.id] = new_ids.get(article.id, 0) + 1
        for key, record in sorted(same.items()):
            article = articles[key]
            if record.id != article.id and article.id not in sent and key in published:
                renamed.append(f"{key}: sent before as {record.id}, its id is now {article.id}; "
                               f"not sent again. Pin the old id (or feed readers show it "
                               f"again): add id: \"{record.id}\" to its front matter")
            now = known_of(article)
            # an id another record holds, or two articles share, is left as recorded
            if now != record and (now.id == record.id or (
                    now.id not in sent and new_ids[now.id] == 1)):
                self.moved.append((record.id, _entry(article)))
        self.notes.extend(renamed[:_MOST_RENAMED])
        if len(renamed) > _MOST_RENAMED:
            self.notes.append(f"and {len(renamed) - _MOST_RENAMED} more article(s) sent "
                              "under another id, not sent again")

    def _summaries(self, candidates: list[Article], updated: list[Article], limit: int,
                   cache: Cache, pool: Pool
                   ) -> tuple[dict[str, str], list[Article], list[Article]]:
        """Summaries of the bodies of the articles the email shows with no description. One
        whose body cannot be rendered is left out (the next candidate moves up), and reported."""
        summaries: dict[str, str] = {}
        failed: set[str] = set()
        while True:
            candidates = [a for a in candidates if a.key not in failed]
            updated = [a for a in updated if a.key not in failed]
            shown = (candidates[:limit] if limit else candidates) + updated
            needed = [a for a in shown if not a.description and a.has_body
                      and a.key not in summaries]
            if not needed:
                return summaries, candidates, updated
            rendered = render_bodies(cache, needed, pool,
                                     generator=self.settings.content.generator)
            summaries.update((key, body.summary) for key, body in rendered.bodies.items())
            self.problems.extend(p for p in rendered.problems if p.is_error)
            failed |= rendered.failed


_MOST_RENAMED = 10  # notes naming an article recognised under another id; then a count


def _entry(article: Article) -> Entry:
    """``article`` as the ledger records it."""
    return Entry(article.id, article.published, url=article.url, path=article.key,
                 content_hash=article.content_hash, title=article.title)


def _blank_note(blank: Sequence[Article]) -> str:
    names = ", ".join(a.path.as_posix() for a in blank[:5]) + (", …" if len(blank) > 5 else "")
    return (f"left out {len(blank)} article(s) with nothing but a title ({names}): give them "
            "a description or a body and the next digest takes them")
