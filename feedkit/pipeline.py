"""The jobs as library calls: ``check()`` (and, later, ``build()`` and ``digest()``) → a report.

No flag parsing, printing or ``sys.exit`` here. The clock is read only when the caller passes
no ``now``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from feedkit.config import Config
from feedkit.content import load_articles
from feedkit.errors import Problem, error, warning
from feedkit.model import Article, Status
from feedkit.selection import count_statuses, ordered

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
