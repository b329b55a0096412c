"""The build job: load (through the cache), choose, render the bodies the feeds include, review
the change against what was published last time, then write the feeds and prune what is no
longer produced.

A build whose inputs have not changed since the last one (the same files with the same sizes
and modification times, the same settings, templates and feedkit, no scheduled article come
due, the outputs as they were left) is answered from the build record without loading any
article. The settings' own warnings are read afresh every time, never replayed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feedkit.cache import Cache, code_fingerprint, fingerprint
from feedkit.deliver.lock import DEFAULT_WAIT, folder_lock
from feedkit.deliver.manifest import MANIFEST_NAME, Published, publish, read_manifest
from feedkit.deliver.output import WriteResult
from feedkit.errors import Problem, RefusedError, warning
from feedkit.jobs import guard, legacy
from feedkit.jobs.stages import load_site, opened_cache, render_bodies, utc_now, worker_pool
from feedkit.load.discovery import require_folder, scan
from feedkit.load.rules import LoadRules
from feedkit.model import Article, Site, Status
from feedkit.pool import Pool
from feedkit.records import problem_from
from feedkit.render.templates import read_template
from feedkit.settings import FeedSettings, Settings

if TYPE_CHECKING:
    from feedkit.render.bodies import RenderedBody
    from feedkit.render.feeds import Feed

log = logging.getLogger(__name__)

XSL_NAME = "feed.xsl"
RECORD = "build"


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What ``build`` did: the files (written or unchanged), what it removed, the counts and
    the problems. ``kept`` are files an earlier build wrote and this one no longer produces,
    left in place because they were changed since; ``notes`` say what else the user should
    know (the cache was off, …)."""

    output_dir: Path
    files: dict[str, WriteResult]
    published: int
    problems: tuple[Problem, ...]
    now: datetime
    skipped_files: int = 0
    statuses: dict[Status, int] = field(default_factory=dict)
    unchanged_inputs: bool = False  # answered from the build record: nothing was loaded
    removed: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        return 0

    @property
    def written(self) -> list[str]:
        return [p for p, r in self.files.items() if r is WriteResult.WRITTEN]

    def to_dict(self) -> dict[str, object]:
        return {
            "output": str(self.output_dir),
            "published": self.published,
            "statuses": {s.value: n for s, n in self.statuses.items()},
            "skipped_files": self.skipped_files,
            "unchanged_inputs": self.unchanged_inputs,
            "files": {path: result.value for path, result in self.files.items()},
            "removed": list(self.removed),
            "kept": list(self.kept),
            "problems": [p.to_dict() for p in self.problems],
            "notes": list(self.notes),
        }


def build(settings: Settings, *, now: datetime | None = None, strict: bool = False,
          limit: int | None = None, use_cache: bool = True, allow_shrink: bool = False,
          allow_new_ids: bool = False, wait: float = DEFAULT_WAIT,
          pool: Pool | None = None) -> BuildReport:
    """Write the RSS, Atom and JSON feeds (site-wide and per tag) and ``feed.xsl``, and delete
    the feeds an earlier build wrote that this one no longer produces.

    Articles with problems are skipped and reported. Raises ``RefusedError`` (nothing written)
    when ``strict`` and there is any problem, or when the build would empty the site feed,
    drop most published articles or change a published id, unless ``allow_shrink`` or
    ``allow_new_ids`` say so; ``ContentError`` with no content folder; ``OutputError`` when
    another run holds the output folder for longer than ``wait`` seconds. ``limit``
    overrides ``[feed] limit``; ``use_cache=False`` neither reads nor writes the cache.
    """
    now = now or utc_now()
    require_folder(settings.content.dir)  # before the cache is opened (or made)
    xsl = read_template(f"feeds/{XSL_NAME}")
    run = _Run(settings, now=now, strict=strict, limit=limit, allow_shrink=allow_shrink,
               allow_new_ids=allow_new_ids, wait=wait, pool=pool or worker_pool(), xsl=xsl)
    with opened_cache(settings, enabled=use_cache) as cache:
        inputs = _inputs_key(settings, limit, xsl) if cache.enabled else ""
        record = cache.record(RECORD)
        if record is not None and record.get("inputs") == inputs:
            replayed = _from_record(settings, record, now)
            if replayed is not None:
                if strict and replayed.problems:
                    raise _strict(replayed.problems)
                return replace(replayed, notes=(*replayed.notes, *cache.notes))
        built = run.build(cache)
        if cache.enabled and built.settled and built.outputs is not None:
            cache.store_record(RECORD, _record(settings, built, inputs))
        return replace(built.report, notes=(*built.report.notes, *cache.notes))


def _strict(problems: tuple[Problem, ...]) -> RefusedError:
    return RefusedError(f"{len(problems)} problem(s) (above) and --strict is set; nothing was "
                        "written", problems)


@dataclass(frozen=True, slots=True)
class _Run:
    settings: Settings
    now: datetime
    strict: bool
    limit: int | None
    allow_shrink: bool
    allow_new_ids: bool
    wait: float
    pool: Pool
    xsl: bytes

    def build(self, cache: Cache) -> _Built:
        from feedkit.render.feeds import shared_tag_feeds
        from feedkit.selection import count_statuses, publishable

        settings, site = self.settings, self.settings.site
        loaded = load_site(settings, cache, self.pool)
        options = settings.feed if self.limit is None else replace(settings.feed,
                                                                  limit=self.limit)
        published = publishable(loaded.articles, self.now, settings.content.generator)
        log.info("%d files, %d articles, %d published", loaded.files, len(loaded.articles),
                 len(published))
        problems: list[Problem] = [*settings.warnings, *loaded.problems]
        problems.extend(warning(None, "tags", f"{', '.join(repr(t) for t in tags)} share one "
                                f"feed, tags/{slug}/", "spell each tag one way")
                        for slug, tags in shared_tag_feeds(published).items())
        plan, bodies, body_problems, failed = self._plan(site, published, options, cache)
        problems.extend(body_problems)
        if self.strict and problems:
            raise _strict(tuple(problems))
        shown = [a for a in published if a.key not in failed]
        done = self._publish(site, plan, options, bodies, shown, problems=tuple(problems),
                             present=frozenset(a.key for a in loaded.articles))
        published_files = done.published
        future = [a.published for a in loaded.articles if a.status(self.now) is Status.FUTURE]
        report = BuildReport(
            output_dir=settings.build.output,
            files=published_files.files,
            published=len(shown),
            problems=tuple(problems),
            now=self.now,
            skipped_files=len({p.path for p in problems if p.is_error and p.path}),
            statuses=count_statuses(loaded.articles, self.now),
            removed=published_files.removed,
            kept=published_files.kept,
            notes=(*done.passing_notes, *done.lasting_notes),
        )
        # a file or body that could not be read may be readable next time with the same stamp
        settled = loaded.settled and not failed
        return _Built(report, min(future, default=None), done.outputs, done.lasting_notes,
                      settled)

    def _plan(self, site: Site, published: list[Article], options: FeedSettings,
              cache: Cache
              ) -> tuple[list[Feed], dict[str, RenderedBody], list[Problem], set[str]]:
        """The feeds, the rendered bodies they need, and the keys of the articles whose body
        could not be rendered. Such an article is left out, and the feeds planned again
        without it (another article may then move into a feed), until every body a feed needs
        is there."""
        from feedkit.render.feeds import bodies_needed, plan_feeds

        bodies: dict[str, RenderedBody] = {}
        problems: list[Problem] = []
        failed: set[str] = set()
        plan = plan_feeds(site, published, options)
        while needed := [a for a in bodies_needed(plan, options) if a.key not in bodies]:
            rendered = render_bodies(cache, needed, self.pool,
                                     generator=self.settings.content.generator)
            bodies.update(rendered.bodies)
            problems.extend(rendered.problems)
            if not rendered.failed:
                break
            failed |= rendered.failed
            plan = plan_feeds(site, [a for a in published if a.key not in failed], options)
        return plan, bodies, problems, failed

    def _publish(self, site: Site, plan: list[Feed], options: FeedSettings,
                 bodies: dict[str, RenderedBody], published: list[Article], *,
                 problems: tuple[Problem, ...], present: frozenset[str]) -> _Publishing:
        """Under the output folder's lock: compare with what was published last time, render
        the feeds and write them, or refuse (with the ``problems`` found so far, which are
        most often why); and note each output's size and time as this run left it.
        ``present``: the keys of every article loaded, drafts included."""
        from feedkit.render.feeds import render_feeds

        output = self.settings.build.output
        with folder_lock(output, wait=self.wait, what="build"):
            previous, damaged = read_manifest(output)
            before = legacy.items_before(output, previous)
            if previous is None and not damaged:  # what an earlier feedkit left there
                previous = legacy.adopted_manifest(output)
            # an article whose derived id changed keeps the id readers know
            settled = guard.settle(before, published, LoadRules.of(self.settings).id_rule,
                                   present=present)
            kept = settled.kept
            if kept:
                plan = [replace(feed, articles=tuple(replace(a, id=kept.get(a.key, a.id))
                                                     for a in feed.articles)) for feed in plan]
            items = guard.feed_items(plan)
            refusals = guard.review(before, items, settled.published, settled.pairs,
                                    allow_shrink=self.allow_shrink,
                                    allow_new_ids=self.allow_new_ids)
            if refusals:
                raise RefusedError(f"refusing to publish {len(refusals)} change(s) feed "
                                   "readers would notice (above); nothing was written",
                                   (*problems, *refusals))
            files = render_feeds(site, plan, options, bodies=bodies, xsl_name=XSL_NAME)
            files[XSL_NAME] = self.xsl
            done = publish(output, dict(sorted(files.items())), previous=previous,
                           data={guard.FEEDS_KEY: items, guard.KEPT_KEY: kept})
            outputs = _stats(output, (*done.files, MANIFEST_NAME))
        notes: list[str] = []  # what stays true while the outputs are as this run left them
        notes.extend(f"{key}: kept the id feed readers know, {old!r} (the id its name, date "
                     f"or slug would give now differs); pin it with id: {json.dumps(old)} in "
                     "its front matter (feedkit pin-ids writes it), or it changes in an output "
                     "folder without this one's manifest" for key, old in sorted(kept.items()))
        notes.extend(f"{path}: no longer produced, but changed since feedkit wrote it; left "
                     "in place (delete it if it is not yours)" for path in done.kept)
        passing = [note for note in (damaged, settled.moved) if note]
        return _Publishing(done, outputs, tuple(passing), tuple(notes))


def _inputs_key(settings: Settings, limit: int | None, xsl: bytes) -> str:
    """Everything a build's output depends on: feedkit's code, every section a feed depends
    on (not digest or smtp), the --limit flag, the stylesheet and every article file's
    (path, size, mtime)."""
    digest = hashlib.sha256(fingerprint(code_fingerprint(), settings.site, settings.content,
                                        settings.feed, settings.build, limit).encode())
    digest.update(hashlib.sha256(xsl).digest())
    for entry in scan(settings.content.dir):
        try:
            stat = entry.stat()
        except OSError:
            continue
        digest.update(os.fsencode(entry.path) + f"\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class _Publishing:
    published: Published
    outputs: dict[str, list[int]] | None  # (size, mtime) of each, None if one could not be seen
    passing_notes: tuple[str, ...]  # true of this run only: not replayed
    lasting_notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Built:
    report: BuildReport
    due: datetime | None  # when the next scheduled article comes due
    outputs: dict[str, list[int]] | None
    lasting_notes: tuple[str, ...]
    settled: bool  # nothing failed that may pass next time: the record may answer for it


def _stats(output: Path, names: Iterable[str]) -> dict[str, list[int]] | None:
    """Each output's (size, mtime), taken under the lock: a run that writes next changes them,
    and so the record made from them no longer answers. None if one cannot be seen."""
    outputs = {}
    for relative in names:
        try:
            stat = (output / relative).stat()
        except OSError:
            return None
        outputs[relative] = [stat.st_size, stat.st_mtime_ns]
    return outputs


def _record(settings: Settings, built: _Built, inputs: str) -> dict[str, Any]:
    report, due = built.report, built.due
    content_problems = report.problems[len(settings.warnings):]  # never replayed: read afresh
    return {
        "inputs": inputs, "outputs": built.outputs, "files": list(report.files),
        "published": report.published,
        "problems": [p.to_dict() for p in content_problems],
        "skipped_files": report.skipped_files,
        "statuses": {s.value: n for s, n in report.statuses.items()},
        "kept": list(report.kept),
        "notes": list(built.lasting_notes),  # what stays true of the outputs (not the cache's)
        "valid_until": due.isoformat() if due else None,
    }


def _from_record(settings: Settings, record: dict[str, Any],
                 now: datetime) -> BuildReport | None:
    try:
        due = record.get("valid_until")
        if due is not None and now >= datetime.fromisoformat(due):
            return None  # a scheduled article has come due since
        output = settings.build.output
        for relative, (size, mtime) in record["outputs"].items():
            stat = (output / relative).stat()
            if (stat.st_size, stat.st_mtime_ns) != (size, mtime):
                return None  # an output was changed or deleted since
        return BuildReport(
            output_dir=output,
            files=dict.fromkeys(record["files"], WriteResult.UNCHANGED),
            published=int(record["published"]),
            problems=(*settings.warnings, *(problem_from(p) for p in record["problems"])),
            now=now,
            skipped_files=int(record["skipped_files"]),
            statuses={Status(k): int(v) for k, v in record["statuses"].items()},
            unchanged_inputs=True,
            kept=tuple(record["kept"]),
            notes=tuple(str(note) for note in record["notes"]),
        )
    except (OSError, KeyError, TypeError, ValueError):
        return None  # an output gone, or a record of another shape: build

