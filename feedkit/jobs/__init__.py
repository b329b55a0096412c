"""The jobs as library calls: ``check()``, ``build()`` and ``digest()`` → a report.

The only place that reads the clock (when the caller passes no ``now``), opens the cache and
makes a worker pool; each job runs the stages in one direction, load → render → deliver. No
flag parsing, printing or ``sys.exit`` here. Each job's module is imported on first use, so a
command loads only what it runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from feedkit.jobs.build_job import BuildReport, build
    from feedkit.jobs.check_job import CheckReport, check
    from feedkit.jobs.digest_job import DigestReport, DigestRequest, digest
    from feedkit.jobs.stages import utc_now, worker_pool

_WHERE = {
    "BuildReport": "build_job",
    "build": "build_job",
    "CheckReport": "check_job",
    "check": "check_job",
    "DigestReport": "digest_job",
    "DigestRequest": "digest_job",
    "digest": "digest_job",
    "utc_now": "stages",
    "worker_pool": "stages",
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


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'feedkit.jobs' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"feedkit.jobs.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
