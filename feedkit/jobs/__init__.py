"""The jobs as library calls: ``check()``, ``build()`` and ``digest()`` → a report.

No flag parsing, printing or ``sys.exit`` here. The clock is read only when the caller passes
no ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from feedkit.errors import Problem, error, warning
from feedkit.model import Article, Status
from feedkit.settings import Settings

if TYPE_CHECKING:
    from feedkit.jobs.build_job import BuildReport
    from feedkit.jobs.digest_job import DigestReport, DigestRequest


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What ``check`` found: every loaded article (newest first) and every problem."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    now: datetime
    files: int
    strict: bool = False

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    @property
    def statuses(self) -> dict[Status, int]:
        from feedkit.selection import count_statuses

        return count_statuses(self.articles, self.now)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors or (self.strict and self.warnings) else 0

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.exit_code == 0,
            "now": self.now.isoformat(),
            "summary": {
                "files": self.files,
                "articles": len(self.articles),
                **{status.value: n for status, n in self.statuses.items()},
                "errors": self.errors,
                "warnings": self.warnings,
            },
            "problems": [p.to_dict() for p in self.problems],
            "articles": [
                {
                    "path": a.path.as_posix(),
                    "slug": a.slug,
                    "title": a.title,
                    "url": a.url,
                    "published": a.published.isoformat(),
                    "updated": a.updated.isoformat() if a.updated else None,
                    "status": a.status(self.now).value,
                }
                for a in self.articles
            ],
        }


def check(config: Settings, *, now: datetime | None = None, strict: bool = False) -> CheckReport:
    """Load every article and render every body, collecting problems.

    >>> from pathlib import Path
    >>> from feedkit import settings as cfg
    >>> report = check(cfg.load(None, env={"FEEDKIT_SITE_URL": "https://example.org"},
    ...                overrides={"content.dir": "no-such-folder"}, cwd=Path("/nonexistent")))
    >>> report.exit_code, report.problems[0].message
    (1, 'content folder not found')
    """
    from feedkit.load.articles import load_articles
    from feedkit.pool import check_bodies
    from feedkit.selection import ordered

    now = now or utc_now()
    result = load_articles(config.content.dir, site=config.site,
                           max_file_size=config.content.max_file_size)
    problems = list(config.warnings) + list(result.problems)
    # every body is rendered, in a process pool on large sites; the report is the same
    for article, (failure, unsafe) in zip(result.articles, check_bodies(result.articles),
                                          strict=True):
        if failure is not None:
            problems.append(error(article.path, "body", f"cannot be rendered ({failure})",
                                  "please report this as a feedkit bug"))
        elif unsafe:
            problems.append(warning(article.path, "body", "contains script, frames, forms or "
                                    "event handlers; they are removed from every output",
                                    "remove them from the article"))
    return CheckReport(tuple(ordered(result.articles)), tuple(problems), now, result.files,
                       strict)


def build(config: Settings, *, now: datetime | None = None, strict: bool = False,
          limit: int | None = None, use_cache: bool = True) -> BuildReport:
    """Write the RSS, Atom and JSON feeds (site-wide and per tag) and ``feed.xsl``.

    Articles with problems are skipped and reported; with ``strict`` any problem raises
    ``StrictError`` before anything is written. ``limit`` overrides ``[feed] limit``.
    ``use_cache=False`` ignores (and does not update) ``.feedkit/cache.db``.
    """
    from feedkit.jobs.build_job import run_build

    return run_build(config, now=now or utc_now(), strict=strict, limit=limit,
                     use_cache=use_cache)


def digest(config: Settings, request: DigestRequest, *, now: datetime | None = None
           ) -> DigestReport:
    """Choose the articles for a digest, write ``digest.html``/``.txt``/``.eml`` and the
    archive page, and send and record it when asked. ``report.exit_code`` is 3 when there was
    nothing new (nothing written then)."""
    from feedkit.jobs.digest_job import (
        run_digest,  # deferred: jinja2 and premailer are slow to import
    )

    return run_digest(config, request, now=now or utc_now())
