"""The build job: load (through the cache), choose, render only the bodies the feeds include,
write. Called by ``jobs.build``; no flag parsing or printing here.

A build whose inputs have not changed since the last one (the same files with the same sizes
and modification times, the same settings, templates and feedkit, no scheduled article come
due, the outputs as they were left) is answered from the build record without loading any
article.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from feedkit.cache import (
    Cache,
    decode_problem,
    encode_problem,
    fingerprint,
    open_cache,
    parse_key,
)
from feedkit.deliver.output import OutputFolder, WriteResult
from feedkit.errors import FeedkitError, Problem, warning
from feedkit.load.discovery import scan
from feedkit.model import Article, Status
from feedkit.render.templates import read_template
from feedkit.settings import Settings

log = logging.getLogger(__name__)

XSL_NAME = "feed.xsl"
RECORD = "build"


class StrictError(FeedkitError):
    """``--strict`` and the content has problems: nothing was written. ``problems`` lists
    them, for the caller to show."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What ``build`` did: the files (written or unchanged), the counts and the problems."""

    output_dir: Path
    files: dict[str, WriteResult]
    published: int
    problems: tuple[Problem, ...]
    now: datetime
    skipped_files: int = 0
    statuses: dict[Status, int] = field(default_factory=dict)
    unchanged_inputs: bool = False  # answered from the build record: nothing was loaded

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
            "problems": [p.to_dict() for p in self.problems],
        }


def _settings_key(config: Settings, limit: int | None) -> str:
    # every section a feed depends on (not digest or smtp), and the --limit flag
    return fingerprint(parse_key(config), config.site, config.content, config.feed, config.build,
                       limit)


def _inputs_key(config: Settings, settings_key: str, xsl: bytes) -> str:
    digest = hashlib.sha256(settings_key.encode())
    digest.update(hashlib.sha256(xsl).digest())
    for entry in scan(config.content.dir):
        try:
            stat = entry.stat()
        except OSError:
            continue
        digest.update(f"{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _outputs_intact(root: Path, outputs: dict[str, list[int]]) -> bool:
    for relative, (size, mtime) in outputs.items():
        try:
            stat = (root / relative).stat()
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != (size, mtime):
            return False
    return True


def _from_record(config: Settings, record: dict[str, Any], now: datetime) -> BuildReport | None:
    due = record.get("valid_until")
    if due is not None and now >= datetime.fromisoformat(due):
        return None  # a scheduled article has come due since
    if not _outputs_intact(config.build.output, record.get("outputs", {})):
        return None
    return BuildReport(
        output_dir=config.build.output,
        files=dict.fromkeys(record["outputs"], WriteResult.UNCHANGED),
        published=int(record["published"]),
        problems=tuple(decode_problem(tuple(p)) for p in record["problems"]),
        now=now,
        skipped_files=int(record["skipped_files"]),
        statuses={Status(k): int(v) for k, v in record["statuses"].items()},
        unchanged_inputs=True,
    )


def run_build(config: Settings, *, now: datetime, strict: bool = False, limit: int | None = None,
              use_cache: bool = True) -> BuildReport:
    """Write the RSS, Atom and JSON feeds (site-wide and per tag) and ``feed.xsl``."""
    settings_key = _settings_key(config, limit)
    xsl = read_template(f"feeds/{XSL_NAME}")
    with open_cache(config, enabled=use_cache) as cache:
        inputs = _inputs_key(config, settings_key, xsl) if use_cache else ""
        record = cache.record(RECORD)
        if record is not None and record.get("inputs") == inputs:
            report = _from_record(config, record, now)
            if report is not None and not (strict and report.problems):
                return report
        report, due = _build(config, cache, now=now, strict=strict, limit=limit, xsl=xsl)
        if use_cache:
            outputs = {}
            for relative in report.files:
                stat = (config.build.output / relative).stat()
                outputs[relative] = [stat.st_size, stat.st_mtime_ns]
            cache.store_record(RECORD, {
                "inputs": inputs, "outputs": outputs, "published": report.published,
                "problems": [list(encode_problem(p)) for p in report.problems],
                "skipped_files": report.skipped_files,
                "statuses": {s.value: n for s, n in report.statuses.items()},
                "valid_until": due.isoformat() if due else None,
            })
    return report


def _build(config: Settings, cache: Cache, *, now: datetime, strict: bool, limit: int | None,
           xsl: bytes) -> tuple[BuildReport, datetime | None]:
    from feedkit.load.articles import load_articles
    from feedkit.render.feeds import plan_feeds, render_feeds, shared_tag_feeds
    from feedkit.selection import count_statuses, publishable

    result = load_articles(config.content.dir, site=config.site,
                           max_file_size=config.content.max_file_size, cache=cache)
    if any(p.is_error and p.path == config.content.dir for p in result.problems):
        raise FeedkitError(f"{config.content.dir}: content folder not found "
                           "(pass --content DIR or set [content] dir in feedkit.toml)")
    options = config.feed if limit is None else replace(config.feed, limit=limit)
    published = publishable(result.articles, now)
    log.info("%d files, %d articles, %d published", result.files, len(result.articles),
             len(published))
    problems = tuple(config.warnings) + result.problems + tuple(
        warning(None, "tags", f"{', '.join(repr(t) for t in tags)} share one feed, "
                f"tags/{slug}/", "spell each tag one way") for slug, tags in
        shared_tag_feeds(published).items())
    if strict and problems:
        raise StrictError(f"{len(problems)} problem(s) in the content and --strict is set; "
                          "nothing was written", problems)
    plan = plan_feeds(config.site, published, options)
    if options.content == "full":
        needed = {a: None for feed in plan for a in feed.articles}
        _prepare_bodies(list(needed), cache)
    files = render_feeds(config.site, published, options, xsl_name=XSL_NAME, plan=plan)
    files[XSL_NAME] = xsl
    written = OutputFolder(config.build.output).write_all(dict(sorted(files.items())))
    future = [a.published for a in result.articles if a.status(now) is Status.FUTURE]
    report = BuildReport(
        output_dir=config.build.output,
        files=written,
        published=len(published),
        problems=problems,
        now=now,
        skipped_files=len({p.path for p in result.problems if p.is_error}),
        statuses=count_statuses(result.articles, now),
    )
    return report, min(future, default=None)


def _prepare_bodies(articles: list[Article], cache: Cache) -> None:
    """Fill this process's rendered-body memory from the cache, rendering (in parallel when
    there are many) only what the cache lacks."""
    from feedkit.pool import render_bodies
    from feedkit.render.bodies import remember_at_least, remember_rendered

    remember_at_least(len(articles))
    missing = []
    for article in articles:
        stamp = getattr(article.body, "stamp", None)
        html = cache.body(article.path.as_posix(), stamp, article.url) if stamp else None
        if html is None:
            missing.append(article)
        else:
            remember_rendered(article, html)
    for article, html in zip(missing, render_bodies(missing), strict=True):
        if isinstance(html, BaseException):
            continue  # rendered again (and reported) where the feed needs it
        remember_rendered(article, html)
        stamp = getattr(article.body, "stamp", None)
        if stamp:
            cache.store_body(article.path.as_posix(), stamp, article.url, html)
