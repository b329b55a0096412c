"""The check job: load every article and render every body, fresh (no cache), and report every
problem with what would be published."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from feedkit.errors import Problem, warning
from feedkit.jobs import guard
from feedkit.jobs.stages import (
    earlier_items,
    keeps_relative_images,
    published_urls,
    utc_now,
    worker_pool,
)
from feedkit.load import LoadRules, load_articles, read_body
from feedkit.model import Article, Status
from feedkit.pool import Pool
from feedkit.render.bodies import render_bodies, unsafe_markup
from feedkit.selection import count_statuses, ordered, publishable
from feedkit.settings import Settings


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What ``check`` found: every article that would be published or held back (newest
    first), and every problem."""

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


def id_changes(settings: Settings, articles: Sequence[Article], now: datetime, *,
               before: guard.Items) -> list[Problem]:
    """What a build would do to the ids the feeds published (``before``, from ``[build]
    output``): a warning for each id it would keep although the article's derived id
    changed, one for the links that would change, and the error a build would refuse with for
    any other new id."""
    output = settings.build.output
    if not before:
        return []
    published = publishable(articles, now, settings.content.generator)
    settled = guard.settle(before, published, LoadRules.of(settings).id_rule,
                           present=[a.key for a in articles])
    kept = settled.kept
    problems = [warning(a.path, "id", f"the feed id would change from {kept[a.key]!r} to "
                        f"{a.id!r} (its file, date or slug changed); a build keeps "
                        f"{kept[a.key]!r}, which readers know, while {output} keeps its "
                        "manifest", f"pin it with id: {json.dumps(kept[a.key])} in its front "
                        "matter (feedkit pin-ids writes it)")
                for a in published if a.key in kept]
    if settled.moved:
        problems.append(warning(None, "url", settled.moved))
    return problems + guard.review(before, {}, settled.published, settled.pairs,
                                   allow_shrink=True)


def check(settings: Settings, *, now: datetime | None = None, strict: bool = False,
          pool: Pool | None = None) -> CheckReport:
    """Load every article and render every body (in worker processes on a large site), and
    report every problem; an article whose body cannot be rendered is left out of the list.
    Raises ``ContentError`` when there is no content folder.

    >>> from pathlib import Path
    >>> from feedkit import settings as cfg
    >>> check(cfg.load(None, env={"FEEDKIT_SITE_URL": "https://example.org"},
    ...                overrides={"content.dir": "no-such-folder"}, cwd=Path("/nonexistent")))
    Traceback (most recent call last):
    feedkit.errors.ContentError: /nonexistent/no-such-folder: content folder not found ...
    """
    now = now or utc_now()
    pool = pool or worker_pool()
    before = earlier_items(settings)
    loaded = load_articles(settings.content.dir, rules=LoadRules.of(settings), pool=pool,
                           published=published_urls(before))
    # every body is rendered, each worker reading its own files; only findings come back
    checked = render_bodies(loaded.articles, read=read_body, pool=pool, keep_html=False,
                            relative_images=keeps_relative_images(settings.content.generator))
    articles = [a for a in loaded.articles if a.key not in checked.failed]
    problems = (*settings.warnings, *loaded.problems, *checked.problems,
                *unsafe_markup(articles, checked),
                *id_changes(settings, articles, now, before=before))
    return CheckReport(tuple(ordered(articles, settings.content.generator)), problems, now,
                       loaded.files, strict)
