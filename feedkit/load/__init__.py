"""The load stage: content files → validated ``Article`` values and ``Problem``s.

Discovers the article files, decodes them, splits their front matter, resolves each field
through the alias table and gives each article its id. Never renders a body, never reads the
clock, never prints. ``read_body`` is how later stages get a body's text. Names are imported on
first use: a build answered from its record needs only ``LoadRules``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from feedkit.lazy import lazy

if TYPE_CHECKING:
    from feedkit.load.articles import Parsed, load_article, parse_article
    from feedkit.load.decoding import BodyChanged, read_body
    from feedkit.load.folder import LoadResult, load_articles
    from feedkit.load.rules import LoadRules

_WHERE = {
    "BodyChanged": "feedkit.load.decoding",
    "LoadResult": "feedkit.load.folder",
    "LoadRules": "feedkit.load.rules",
    "Parsed": "feedkit.load.articles",
    "load_article": "feedkit.load.articles",
    "load_articles": "feedkit.load.folder",
    "parse_article": "feedkit.load.articles",
    "read_body": "feedkit.load.decoding",
}

__all__ = [
    "BodyChanged",
    "LoadResult",
    "LoadRules",
    "Parsed",
    "load_article",
    "load_articles",
    "parse_article",
    "read_body",
]

__getattr__, __dir__ = lazy(__name__, _WHERE, globals())
