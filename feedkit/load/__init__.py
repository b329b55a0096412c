"""The load stage: content files → validated ``Article`` values and ``Problem``s.

Discovers the article files, decodes them, splits their front matter, resolves each field
through the alias table and gives each article its id. Never renders a body, never reads the
clock, never prints. ``read_body`` is how later stages get a body's text.
"""

from __future__ import annotations

from feedkit.load.articles import LoadRules, Parsed, load_article, parse_article
from feedkit.load.decoding import BodyChanged, read_body
from feedkit.load.folder import LoadResult, load_articles

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
