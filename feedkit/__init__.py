"""feedkit: RSS, Atom and JSON feeds and an email digest from a folder of articles.

The library is usable without the command line::

    from feedkit import config, check
    report = check(config.load(Path("feedkit.toml")))
"""

from feedkit import config
from feedkit.config import Config
from feedkit.content import LoadResult, load_article, load_articles, parse_article
from feedkit.errors import (
    ConfigError,
    ContentError,
    FeedkitError,
    LedgerError,
    MailError,
    OutputError,
    Problem,
    RenderError,
)
from feedkit.model import Article, Author, CallToAction, Image, Site, Status
from feedkit.pipeline import CheckReport, check

__all__ = [
    "Article",
    "Author",
    "CallToAction",
    "CheckReport",
    "Config",
    "ConfigError",
    "ContentError",
    "FeedkitError",
    "Image",
    "LedgerError",
    "LoadResult",
    "MailError",
    "OutputError",
    "Problem",
    "RenderError",
    "Site",
    "Status",
    "check",
    "config",
    "load_article",
    "load_articles",
    "parse_article",
]

__version__ = "0.1.0"
