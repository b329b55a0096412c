"""The load stage: content files → validated ``Article`` values and ``Problem``s.

Discovers the article files, decodes them, splits their front matter, resolves each field
through the alias table and gives each article its id. Never renders a body, never reads the
clock, never prints. ``read_body`` is how later stages get a body's text. Names are imported on
first use: a build answered from its record needs only ``LoadRules``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from feedkit.load.articles import Parsed, load_article, parse_article
    from feedkit.load.decoding import BodyChanged, read_body
    from feedkit.load.folder import LoadResult, load_articles
    from feedkit.load.rules import LoadRules

_WHERE = {
    "BodyChanged": "decoding",
    "LoadResult": "folder",
    "LoadRules": "rules",
    "Parsed": "articles",
    "load_article": "articles",
    "load_articles": "folder",
    "parse_article": "articles",
    "read_body": "decoding",
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


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'feedkit.load' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"feedkit.load.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
