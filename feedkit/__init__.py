"""feedkit: RSS, Atom and JSON feeds and an email digest from a folder of articles.

The library is usable without the command line. The jobs, each one call::

    from pathlib import Path
    import feedkit

    report = feedkit.build(feedkit.settings.load(Path("feedkit.toml")))

or the stages they run, one direction, values in and out::

    settings = feedkit.settings.load(Path("feedkit.toml"))
    loaded = feedkit.load_articles(settings.content.dir, rules=feedkit.LoadRules.of(settings))
    rendered = feedkit.render_bodies(loaded.articles, read=feedkit.read_body)

Names are imported on first use, so ``import feedkit`` stays fast for the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from feedkit.lazy import lazy

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
        RefusedError,
        RenderError,
        UsageError,
    )
    from feedkit.jobs import (
        BuildReport,
        CheckReport,
        DigestReport,
        DigestRequest,
        build,
        check,
        digest,
    )
    from feedkit.load import (
        LoadResult,
        LoadRules,
        load_article,
        load_articles,
        parse_article,
        read_body,
    )
    from feedkit.model import Article, Author, Body, CallToAction, Image, Site, Status
    from feedkit.pool import Pool
    from feedkit.render.bodies import Rendered, RenderedBody, render_bodies
    from feedkit.settings import Settings

_WHERE = {
    "settings": "feedkit.settings",
    "Settings": "feedkit.settings",
    "LoadResult": "feedkit.load",
    "LoadRules": "feedkit.load",
    "load_article": "feedkit.load",
    "load_articles": "feedkit.load",
    "parse_article": "feedkit.load",
    "read_body": "feedkit.load",
    "Rendered": "feedkit.render.bodies",
    "RenderedBody": "feedkit.render.bodies",
    "render_bodies": "feedkit.render.bodies",
    "ConfigError": "feedkit.errors",
    "ContentError": "feedkit.errors",
    "FeedkitError": "feedkit.errors",
    "LedgerError": "feedkit.errors",
    "MailError": "feedkit.errors",
    "OutputError": "feedkit.errors",
    "Problem": "feedkit.errors",
    "RefusedError": "feedkit.errors",
    "RenderError": "feedkit.errors",
    "UsageError": "feedkit.errors",
    "Article": "feedkit.model",
    "Author": "feedkit.model",
    "Body": "feedkit.model",
    "CallToAction": "feedkit.model",
    "Image": "feedkit.model",
    "Site": "feedkit.model",
    "Status": "feedkit.model",
    "Pool": "feedkit.pool",
    "BuildReport": "feedkit.jobs",
    "CheckReport": "feedkit.jobs",
    "DigestReport": "feedkit.jobs",
    "DigestRequest": "feedkit.jobs",
    "build": "feedkit.jobs",
    "check": "feedkit.jobs",
    "digest": "feedkit.jobs",
}

__all__ = [
    "Article",
    "Author",
    "Body",
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
    "LoadRules",
    "MailError",
    "OutputError",
    "Pool",
    "Problem",
    "RefusedError",
    "RenderError",
    "Rendered",
    "RenderedBody",
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
    "read_body",
    "render_bodies",
    "settings",
]
__version__ = "0.1.0"

__getattr__, __dir__ = lazy(__name__, _WHERE, globals())
