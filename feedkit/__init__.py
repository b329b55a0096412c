"""feedkit: RSS, Atom and JSON feeds and an email digest from a folder of articles.

The library is usable without the command line::

    from pathlib import Path
    import feedkit

    report = feedkit.build(feedkit.settings.load(Path("feedkit.toml")))

Names are imported on first use, so ``import feedkit`` stays fast for the command line.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from feedkit import settings
    from feedkit.errors import (
        ConfigError,
        ContentError,
        FeedkitError,
        LedgerError,
        MailError,
        OutputError,
        Problem,
        RenderError,
        UsageError,
    )
    from feedkit.jobs import CheckReport, build, check, digest
    from feedkit.jobs.build_job import BuildReport
    from feedkit.jobs.digest_job import DigestReport, DigestRequest
    from feedkit.load.articles import LoadResult, load_article, load_articles, parse_article
    from feedkit.model import Article, Author, CallToAction, Image, Site, Status
    from feedkit.settings import Settings

_WHERE = {
    "settings": "feedkit.settings",
    "Settings": "feedkit.settings",
    "LoadResult": "feedkit.load.articles",
    "load_article": "feedkit.load.articles",
    "load_articles": "feedkit.load.articles",
    "parse_article": "feedkit.load.articles",
    "ConfigError": "feedkit.errors",
    "ContentError": "feedkit.errors",
    "FeedkitError": "feedkit.errors",
    "LedgerError": "feedkit.errors",
    "MailError": "feedkit.errors",
    "OutputError": "feedkit.errors",
    "Problem": "feedkit.errors",
    "RenderError": "feedkit.errors",
    "UsageError": "feedkit.errors",
    "Article": "feedkit.model",
    "Author": "feedkit.model",
    "CallToAction": "feedkit.model",
    "Image": "feedkit.model",
    "Site": "feedkit.model",
    "Status": "feedkit.model",
    "DigestReport": "feedkit.jobs.digest_job",
    "DigestRequest": "feedkit.jobs.digest_job",
    "BuildReport": "feedkit.jobs.build_job",
    "CheckReport": "feedkit.jobs",
    "build": "feedkit.jobs",
    "check": "feedkit.jobs",
    "digest": "feedkit.jobs",
}

__all__ = [
    "Article",
    "Author",
    "BuildReport",
    "CallToAction",
    "CheckReport",
    "ConfigError",
    "ContentError",
    "DigestReport",
    "DigestRequest",
    "FeedkitError",
    "Image",
    "LedgerError",
    "LoadResult",
    "MailError",
    "OutputError",
    "Problem",
    "RenderError",
    "Settings",
    "Site",
    "Status",
    "UsageError",
    "build",
    "check",
    "digest",
    "load_article",
    "load_articles",
    "parse_article",
    "settings",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'feedkit' has no attribute {name!r}")
    module = importlib.import_module(_WHERE[name])
    value = module if name == "settings" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
