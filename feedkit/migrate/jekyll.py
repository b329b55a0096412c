"""Jekyll: ``_config.yml`` (or ``.yaml``, ``.toml``, the first Jekyll finds) read as data: the
site's URL, title, language, author, time zone, the posts' permalink and the ``_posts``
folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

from feedkit.migrate.readers import Found, first, read_data

CONFIGS = ("_config.yml", "_config.yaml", "_config.toml")
_SKIP = {"_site", "node_modules", "vendor", ".git", ".jekyll-cache", ".bundle"}


def read(root: Path) -> Found:
    found = Found("jekyll")
    path = first(root, CONFIGS)
    assert path is not None
    config = read_data(path)
    where = f"Jekyll {path.name}"
    source = config.get("source")
    if isinstance(source, str) and source.strip():
        root = root / source.strip()

    url, base = config.get("url"), config.get("baseurl")
    if isinstance(url, str) and url.strip():
        found.set("site.url", join_url(url, base if isinstance(base, str) else ""),
                  f"{where} url")
    else:
        found.note(f"{where}: no url set, so site.url is not carried over; pass --url")
    found.set("site.title", _text(config.get("title")), f"{where} title")
    found.set("site.description", _text(config.get("description")), f"{where} description")
    found.set("site.language", _text(config.get("lang")), f"{where} lang")
    author = config.get("author")
    if isinstance(author, dict):
        found.set("site.author", _text(author.get("name")), f"{where} author.name")
        found.set("site.author_email", _text(author.get("email")), f"{where} author.email")
    else:
        found.set("site.author", _text(author), f"{where} author")
    zone = _text(config.get("timezone"))
    if zone:
        found.set("site.timezone", zone, f"{where} timezone")
    else:
        found.note(f"{where}: no timezone, so Jekyll used the building machine's; dates "
                   "without an offset are read as UTC (set site.timezone to change that)")

    _permalink(found, config, where)
    _posts_folders(found, root, _collections(found, config, where))
    return found


def join_url(url: str, base: str) -> str:
    """``url`` with the base path ``base`` after it.

    >>> join_url("https://x.org/", "/blog"), join_url("https://x.org", "")
    ('https://x.org/blog/', 'https://x.org')
    """
    base = base.strip().strip("/")
    return f"{url.strip().rstrip('/')}/{base}/" if base else url.strip()


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) else None


def _permalink(found: Found, config: dict[str, object], where: str) -> None:
    """Jekyll's order: front matter defaults for posts, then the posts collection's
    permalink, then the site's ``permalink``."""
    chosen: tuple[str, str] | None = None
    defaults = config.get("defaults")
    for entry in defaults if isinstance(defaults, list) else []:
        if not isinstance(entry, dict):
            continue
        scope, values = entry.get("scope") or {}, entry.get("values") or {}
        if not isinstance(scope, dict) or not isinstance(values, dict):
            continue
        kind, path = scope.get("type"), scope.get("path")
        applies = kind in (None, "posts") and path in (None, "", "_posts") \
            and isinstance(values.get("permalink"), str)
        # a type: posts scope is more specific than a path-only one; later entries win ties
        if applies and (kind == "posts" or chosen is None or "type posts" not in chosen[1]):
            label = "type posts" if kind == "posts" else f"path {path!r}"
            chosen = (values["permalink"], f"{where} defaults ({label}) permalink")
    collections = config.get("collections")
    posts = collections.get("posts") if isinstance(collections, dict) else None
    if chosen is None and isinstance(posts, dict) and isinstance(posts.get("permalink"), str):
        chosen = (posts["permalink"], f"{where} collections.posts.permalink")
    if chosen is None and isinstance(config.get("permalink"), str):
        chosen = (str(config["permalink"]), f"{where} permalink")
    if chosen is not None:
        set_permalink(found, "site.permalink", chosen[0], chosen[1])


def set_permalink(found: Found, key: str, pattern: str, origin: str,
                  expressions: frozenset[str] = frozenset()) -> None:
    """Copy ``pattern`` verbatim, unless it holds a template tag (Liquid, Nunjucks) other than
    the ``{{ expressions }}`` feedkit fills."""
    tags = re.findall(r"\{\{-?\s*(.*?)\s*-?\}\}|(\{%.*?%\})", pattern)
    if any(block or expression not in expressions for expression, block in tags):
        found.note(f"{origin} {pattern!r}: uses a template tag, which feedkit does not expand; "
                   "not carried over (write site.permalink with :year, :slug, … instead)")
    else:
        found.set(key, pattern.strip(), origin)


def _collections(found: Found, config: dict[str, object], where: str) -> str:
    """Note each collection other than posts; return ``collections_dir``."""
    collections = config.get("collections")
    names = list(collections) if isinstance(collections, dict | list) else []
    folder = config.get("collections_dir")
    prefix = f"{folder.strip().strip('/')}/" if isinstance(folder, str) and folder.strip() else ""
    for name in names:
        if isinstance(name, str) and name != "posts":
            found.note(f"Jekyll collections {prefix}_{name}: not read; point content.dir at it "
                       "in a second feedkit.toml")
    return prefix


def _posts_folders(found: Found, root: Path, prefix: str) -> None:
    main = root / prefix / "_posts"
    folder = main
    others: list[Path] = []
    for here, dirs, _ in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP and not d.startswith("."))
        if "_posts" in dirs and Path(here, "_posts") != main:
            others.append(Path(here, "_posts"))
    if not main.is_dir() and others:
        folder = others.pop(0)
    found.content = folder
    for other in others:
        rel = other.relative_to(root).as_posix()
        found.note(f"Jekyll posts in {rel}: not read (content.dir is "
                   f"{folder.relative_to(root).as_posix()}); point content.dir at it in a "
                   "second feedkit.toml")
