"""Astro: ``astro.config.*`` read by pattern, never run (``site``, ``base``, ``trailingSlash``,
``build.format``); the blog collection's folder; the permalink from where the route file that
serves it sits (``src/pages/blog/[...slug].astro`` -> ``/blog/:slug/``); the title and
description from ``src/consts.ts``."""

from __future__ import annotations

import re
from pathlib import Path

from feedkit.errors import ConfigError
from feedkit.migrate.jekyll import join_url
from feedkit.migrate.readers import Found, constant, first, read_text, scan_script
from feedkit.migrate.zola import NO_ZONE

CONFIGS = ("astro.config.mjs", "astro.config.ts", "astro.config.js", "astro.config.cjs",
           "astro.config.mts")
_MARKDOWN = (".md", ".mdx", ".markdown")
_ROUTE = re.compile(r"^\[(\.\.\.)?(slug|id)\](\.astro|\.md|\.ts|\.js)?$")


def read(root: Path) -> Found:
    found = Found("astro")
    path = first(root, CONFIGS)
    assert path is not None
    config = scan_script(read_text(path))
    where = f"Astro {path.name}"
    site, base = config.get("site"), config.get("base") or ""
    if site:
        found.set("site.url", join_url(site, base), f"{where} site")
    else:
        what = "is not a plain string" if config.has("site") else "is not set"
        found.note(f"{where}: site {what}, so site.url is not carried over; pass --url")
    consts = first(root / "src", ("consts.ts", "consts.js", "consts.mjs"))
    if consts is not None:
        text = read_text(consts)
        found.set("site.title", constant(text, "SITE_TITLE"), f"Astro src/{consts.name} "
                  "SITE_TITLE")
        found.set("site.description", constant(text, "SITE_DESCRIPTION"),
                  f"Astro src/{consts.name} SITE_DESCRIPTION")

    collection = _collection(found, root)
    if collection is None:
        found.note("Astro: no collection of Markdown found under src/content or src/data; "
                   "set content.dir to the folder of posts")
        found.content = root / "src" / "content"
    else:
        found.content = collection
        _route(found, root, collection.name,
               slash=config.get("trailingSlash") != "never",
               html=config.get("build", "format") == "file")
    found.note(f"Astro {NO_ZONE}")
    return found


def _has_markdown(folder: Path) -> bool:
    return folder.is_dir() and any(p.suffix.lower() in _MARKDOWN for p in folder.rglob("*"))


def _collection(found: Found, root: Path) -> Path | None:
    candidates = [root / "src" / "content" / "blog", root / "src" / "data" / "blog"]
    chosen = next((c for c in candidates if c.is_dir()), None)
    content = root / "src" / "content"
    others = sorted(p for p in content.iterdir() if _has_markdown(p) and p != chosen) \
        if content.is_dir() else []
    if chosen is None and others:
        chosen = others.pop(0)
    for other in others:
        found.note(f"Astro collection src/content/{other.name}: not read; point content.dir at "
                   "it in a second feedkit.toml")
    return chosen


def _route(found: Found, root: Path, name: str, *, slash: bool, html: bool) -> None:
    pages = root / "src" / "pages"
    routes = sorted(p for p in pages.rglob("*") if _route_file(p)) if pages.is_dir() else []
    serving = [p for p in routes if _serves(p, name)] or routes
    if not serving:
        found.note(f"Astro: no src/pages/…/[...slug].astro serves the {name} collection, so "
                   "site.permalink is not carried over; set it")
        return
    route = serving[0]
    if route.stem == "index":
        route = route.parent
    parts = route.parent.relative_to(pages).parts
    prefix = "".join(f"/{part}" for part in parts)
    rel = route.relative_to(root).as_posix()
    if "[" in prefix:
        found.note(f"Astro route {rel}: a dynamic segment before the slug; site.permalink is "
                   "not carried over; set it")
        return
    pattern = f"{prefix}/:slug" + (".html" if html else "/" if slash else "")
    found.set("site.permalink", pattern, f"Astro route {rel}")


def _route_file(path: Path) -> bool:
    if path.is_file() and _ROUTE.match(path.name):
        return True
    return path.is_file() and path.name.startswith("index.") and bool(
        _ROUTE.match(path.parent.name))


def _serves(path: Path, name: str) -> bool:
    try:
        text = read_text(path)
    except ConfigError:
        return False
    return re.search(rf"getCollection\(\s*[\"'`]{re.escape(name)}[\"'`]", text) is not None
