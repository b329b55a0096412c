"""Eleventy: the config file's ``dir`` (or ``setInputDirectory``) read by pattern, never run;
the posts folder (``blog/`` or ``posts/`` under the input folder); the site's URL, title,
description, language and author from ``_data/metadata.json`` or ``metadata.js``."""

from __future__ import annotations

import posixpath
from pathlib import Path

from feedkit.migrate.jekyll import set_permalink
from feedkit.migrate.readers import (
    Found,
    ScriptStrings,
    call_argument,
    first,
    read_json,
    read_text,
    scan_script,
)
from feedkit.migrate.zola import NO_ZONE

CONFIGS = ("eleventy.config.js", "eleventy.config.mjs", "eleventy.config.cjs",
           "eleventy.config.ts", ".eleventy.js")
_POSTS = ("blog", "posts")
# the expressions of an Eleventy permalink that feedkit fills from the file alone
TEMPLATE_EXPRESSIONS = frozenset({"page.fileSlug", "page.filePathStem", "title | slugify",
                                  "title | slug", "slug"})


def read(root: Path) -> Found:
    found = Found("eleventy")
    path = first(root, CONFIGS)
    assert path is not None
    text = read_text(path)
    config = scan_script(text)
    where = f"Eleventy {path.name}"
    source = _folder(found, config, text, where, "input", "setInputDirectory") or "."
    data = _folder(found, config, text, where, "data", "setDataDirectory") or "_data"
    folder = root / source
    posts = next((name for name in _POSTS if (folder / name).is_dir()), None)
    if posts is None:
        found.content = folder
        found.set("site.permalink", "/:path/", f"{where} input")
        found.note(f"Eleventy: no blog/ or posts/ folder under {source}, so content.dir is the "
                   "whole input folder; narrow it to the folder of posts")
    else:
        found.content = folder / posts
        found.set("site.permalink", f"/{posts}/:path/", f"{where} input")
        _data_permalink(found, folder / posts, posts)
    _metadata(found, root / posixpath.normpath(posixpath.join(source, data)))
    found.note(f"Eleventy {NO_ZONE}")
    return found


def _folder(found: Found, config: ScriptStrings, text: str, where: str, key: str,
            setter: str) -> str | None:
    value = call_argument(text, setter) or config.get("dir", key)
    if value is None and config.has("dir", key):
        found.note(f"{where} dir.{key}: not a plain string, so not read (the default is used)")
    return value.strip() if value else None


def _data_permalink(found: Found, folder: Path, name: str) -> None:
    """A directory data file's ``permalink`` is an Eleventy template: say it is not read."""
    for data in (f"{name}.json", f"{name}.11tydata.json", f"{name}.11tydata.js",
                 f"{name}.11tydata.mjs", f"{name}.11tydata.cjs"):
        path = folder / data
        if not path.is_file():
            continue
        if data.endswith(".json"):
            value = read_json(path).get("permalink")
            pattern = value if isinstance(value, str) else None
            has = "permalink" in read_json(path)
        else:
            strings = scan_script(read_text(path))
            pattern, has = strings.get("permalink"), strings.has("permalink")
        if pattern:
            set_permalink(found, "site.permalink", pattern, f"Eleventy {name}/{data} permalink",
                          TEMPLATE_EXPRESSIONS)
        elif has:
            found.note(f"Eleventy {name}/{data} permalink: not a plain string, so not read; "
                       f"site.permalink is Eleventy's default /{name}/:path/")


def _metadata(found: Found, folder: Path) -> None:
    json_path, js_path = folder / "metadata.json", first(
        folder, ("metadata.js", "metadata.mjs", "metadata.cjs"))
    if json_path.is_file():
        meta = read_json(json_path)
        where = f"Eleventy {json_path.name}"

        def get(*keys: str) -> object:
            value: object = meta
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
            return value
    elif js_path is not None:
        strings = scan_script(read_text(js_path))
        where = f"Eleventy {js_path.name}"

        def get(*keys: str) -> object:
            return strings.get(*keys)
    else:
        found.note(f"Eleventy: no {folder.name}/metadata.json or metadata.js, so the site's URL "
                   "and title are not carried over; pass --url and --title")
        return
    found.set("site.url", get("url"), f"{where} url")
    found.set("site.title", get("title"), f"{where} title")
    found.set("site.description", get("description"), f"{where} description")
    found.set("site.language", get("language"), f"{where} language")
    author = get("author")
    if isinstance(author, str):
        found.set("site.author", author, f"{where} author")
    else:
        found.set("site.author", get("author", "name"), f"{where} author.name")
        found.set("site.author_email", get("author", "email"), f"{where} author.email")
