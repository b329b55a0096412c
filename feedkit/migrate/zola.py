"""Zola: ``config.toml`` read as data: ``base_url``, ``title``, ``description``,
``default_language``, ``author`` and ``[slugify] paths``; the articles are under ``content/``."""

from __future__ import annotations

from pathlib import Path

from feedkit.migrate.readers import Found, read_toml

CONFIGS = ("config.toml",)
NO_ZONE = ("has no time-zone setting: dates without an offset are read as UTC (set "
           "site.timezone to change that)")


def is_zola(root: Path) -> bool:
    """A ``config.toml`` that sets ``base_url`` (Zola requires it; Hugo spells it baseURL)."""
    path = root / "config.toml"
    if not path.is_file():
        return False
    try:
        return "base_url" in read_toml(path)
    except ValueError:  # ConfigError: Hugo's reader will say so, with the same words
        return False


def read(root: Path) -> Found:
    found = Found("zola")
    config = read_toml(root / "config.toml")
    where = "Zola config.toml"
    found.set("site.url", _text(config.get("base_url")), f"{where} base_url")
    found.set("site.title", _text(config.get("title")), f"{where} title")
    found.set("site.description", _text(config.get("description")), f"{where} description")
    language = _text(config.get("default_language"))
    found.set("site.language", language, f"{where} default_language")
    extra = config.get("extra")
    author = config.get("author") or (extra.get("author") if isinstance(extra, dict) else None)
    found.set("site.author", _text(author), f"{where} author")
    slugify = config.get("slugify")
    paths = slugify.get("paths") if isinstance(slugify, dict) else None
    if paths in ("safe", "off"):
        found.set("content.slugify", paths, f"{where} [slugify] paths")
    languages = config.get("languages")
    if isinstance(languages, dict) and languages:
        found.note(f"Zola [languages] {', '.join(sorted(map(str, languages)))}: not carried "
                   "over; translated files (name.fr.md) are read as articles like any other")
    found.note(f"Zola {NO_ZONE}")
    found.content = root / "content"
    return found


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) else None
