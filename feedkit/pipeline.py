"""The jobs as library calls: ``check()``, ``build()`` and ``digest()`` → a report.

No flag parsing, printing or ``sys.exit`` here. The clock is read only when the caller passes
no ``now``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from feedkit.assets import read_template
from feedkit.config import Config
from feedkit.content import load_articles
from feedkit.errors import FeedkitError, Problem, error, warning
from feedkit.model import Article, Status
from feedkit.output import OutputFolder, WriteResult
from feedkit.selection import count_statuses, ordered, publishable

if TYPE_CHECKING:
    from feedkit.newsletter import DigestReport, DigestRequest

XSL_NAME = "feed.xsl"

_UNSAFE = re.compile(
    r"<\s*(script|iframe|object|embed|form|style)\b|<[^>]*\son[a-z]+\s*=|javascript\s*:", re.I
)


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


def check(config: Config, *, now: datetime | None = None, strict: bool = False) -> CheckReport:
    """Load every article and render every body, collecting problems.

    >>> from pathlib import Path
    >>> from feedkit import config as cfg
    >>> report = check(cfg.load(None, env={"FEEDKIT_SITE_URL": "https://example.org"},
    ...                overrides={"content.dir": "no-such-folder"}, cwd=Path("/nonexistent")))
    >>> report.exit_code, report.problems[0].message
    (1, 'content folder not found')
    """
    now = now or utc_now()
    result = load_articles(config.content_dir, site=config.site,
                           max_file_size=config.max_file_size)
    problems = list(config.warnings) + list(result.problems)
    for article in result.articles:
        try:
            raw = article.body.read()
            article.content_html()
        except Exception as exc:  # a renderer bug must not hide the other articles' problems
            problems.append(error(article.path, "body", f"cannot be rendered ({exc})",
                                  "please report this as a feedkit bug"))
            continue
        if _UNSAFE.search(raw):
            problems.append(warning(article.path, "body", "contains script, frames, forms or "
                                    "event handlers; they are removed from every output",
                                    "remove them from the article"))
    return CheckReport(tuple(ordered(result.articles)), tuple(problems), now, result.files,
                       strict)


class StrictError(FeedkitError):
    """``--strict`` and the content has problems: nothing was written."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What ``build`` did: the files (written or unchanged), the articles and the problems."""

    output_dir: Path
    files: dict[str, WriteResult]
    articles: tuple[Article, ...]
    published: tuple[Article, ...]
    problems: tuple[Problem, ...]
    now: datetime
    skipped_files: int = 0
    statuses: dict[Status, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 0

    @property
    def written(self) -> list[str]:
        return [p for p, r in self.files.items() if r is WriteResult.WRITTEN]

    def to_dict(self) -> dict[str, object]:
        return {
            "output": str(self.output_dir),
            "published": len(self.published),
            "statuses": {s.value: n for s, n in self.statuses.items()},
            "skipped_files": self.skipped_files,
            "files": {path: result.value for path, result in self.files.items()},
            "problems": [p.to_dict() for p in self.problems],
        }


def build(config: Config, *, now: datetime | None = None, strict: bool = False,
          limit: int | None = None) -> BuildReport:
    """Write the RSS, Atom and JSON feeds (site-wide and per tag) and ``feed.xsl``.

    Articles with problems are skipped and reported; with ``strict`` any problem raises
    ``StrictError`` before anything is written. ``limit`` overrides ``[feed] limit``.
    """
    from dataclasses import replace

    from feedkit.feeds import render_feeds

    now = now or utc_now()
    result = load_articles(config.content_dir, site=config.site,
                           max_file_size=config.max_file_size)
    problems = tuple(config.warnings) + result.problems
    if strict and problems:
        raise StrictError(f"{len(problems)} problem(s) in the content and --strict is set; "
                          "nothing was written (run feedkit check for the list)")
    if any(p.is_error and p.path == config.content_dir for p in result.problems):
        raise FeedkitError(f"{config.content_dir}: content folder not found "
                           "(pass --content DIR or set [content] dir in feedkit.toml)")
    options = config.feed if limit is None else replace(config.feed, limit=limit)
    published = tuple(publishable(result.articles, now))
    files = render_feeds(config.site, published, options, xsl_name=XSL_NAME)
    files[XSL_NAME] = read_template(f"feeds/{XSL_NAME}")
    written = OutputFolder(config.output_dir).write_all(dict(sorted(files.items())))
    failed_files = len({p.path for p in result.problems if p.is_error})
    return BuildReport(
        output_dir=config.output_dir,
        files=written,
        articles=tuple(ordered(result.articles)),
        published=published,
        problems=problems,
        now=now,
        skipped_files=failed_files,
        statuses=count_statuses(result.articles, now),
    )


def digest(config: Config, request: DigestRequest, *, now: datetime | None = None
           ) -> DigestReport:
    """Choose the articles for a digest, write ``digest.html``/``.txt``/``.eml`` and the
    archive page, and send and record it when asked. ``report.exit_code`` is 3 when there was
    nothing new (nothing written then)."""
    from feedkit.newsletter import run_digest  # deferred: jinja2 and premailer are slow to import

    return run_digest(config, request, now=now or utc_now())
