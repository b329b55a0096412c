"""Where the shipped templates are: ``feedkit/templates`` in an installed wheel, the repository's
top-level ``templates/`` in a checkout or an editable install."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # the feedkit package


def templates_dir() -> Path:
    """The folder holding ``feeds/feed.xsl`` and ``email/…``."""
    installed = _PACKAGE / "templates"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "templates"


def read_template(name: str) -> bytes:
    """The bytes of a shipped template, e.g. ``read_template("feeds/feed.xsl")``."""
    return (templates_dir() / name).read_bytes()
