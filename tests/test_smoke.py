"""The bundled sample site loads cleanly (a quick guard; detailed tests live beside it)."""

from __future__ import annotations

from pathlib import Path

from factories import NOW

from feedkit import jobs, settings
from feedkit.model import Status

REPO = Path(__file__).resolve().parent.parent


def test_bundled_content_checks_clean_with_every_status() -> None:
    report = jobs.check(settings.load(REPO / "feedkit.toml", env={}), now=NOW)
    assert report.problems == ()
    statuses = report.statuses
    assert statuses[Status.PUBLISHED] >= 4
    assert statuses[Status.DRAFT] == statuses[Status.FUTURE] == statuses[Status.ARCHIVED] == 1
