"""The jobs as library calls: ``check()``, ``build()`` and ``digest()`` → a report.

The only place that reads the clock (when the caller passes no ``now``), opens the cache and
makes a worker pool; each job runs the stages in one direction, load → render → deliver. No
flag parsing, printing or ``sys.exit`` here. Each job's module is imported on first use, so a
command loads only what it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from feedkit.lazy import lazy

if TYPE_CHECKING:
    from feedkit.jobs.build_job import BuildReport, build
    from feedkit.jobs.check_job import CheckReport, check
    from feedkit.jobs.digest_job import DigestReport, DigestRequest, digest
    from feedkit.jobs.stages import utc_now, worker_pool

_WHERE = {
    "BuildReport": "feedkit.jobs.build_job",
    "build": "feedkit.jobs.build_job",
    "CheckReport": "feedkit.jobs.check_job",
    "check": "feedkit.jobs.check_job",
    "DigestReport": "feedkit.jobs.digest_job",
    "DigestRequest": "feedkit.jobs.digest_job",
    "digest": "feedkit.jobs.digest_job",
    "utc_now": "feedkit.jobs.stages",
    "worker_pool": "feedkit.jobs.stages",
}

__all__ = [
    "BuildReport",
    "CheckReport",
    "DigestReport",
    "DigestRequest",
    "build",
    "check",
    "digest",
    "utc_now",
    "worker_pool",
]

__getattr__, __dir__ = lazy(__name__, _WHERE, globals())
