"""Pelican: ``pelicanconf.py`` and ``publishconf.py`` parsed with ``ast``, never run: only
module-level assignments of literals are read (SITEURL, SITENAME, AUTHOR, TIMEZONE,
DEFAULT_LANG, PATH, ARTICLE_PATHS, ARTICLE_URL, SLUGIFY_PRESERVE_CASE); a setting computed
by code is noted."""

from __future__ import annotations

from pathlib import Path

from feedkit.migrate.readers import Found, PythonSettings, read_python

CONFIGS = ("pelicanconf.py", "publishconf.py")
# Pelican's own default Markdown extensions (pelican/settings.py)
_DEFAULT_MARKDOWN = ("codehilite", "extra", "meta")


def read(root: Path) -> Found:
    found = Found("pelican")
    files = [(name, read_python(root / name)) for name in CONFIGS if (root / name).is_file()]
    values: dict[str, object] = {}
    where: dict[str, str] = {}
    for name, settings in files:  # publishconf.py runs after pelicanconf.py, so it wins
        for key, value in settings.values.items():
            if key == "SITEURL" and not value:
                continue  # pelicanconf's '' is for local development
            values[key], where[key] = value, f"Pelican {name} {key}"

    def get(key: str) -> object:
        _computed(found, files, key, values)
        return values.get(key)

    def origin(key: str) -> str:
        return where.get(key, f"Pelican {key}")

    url = get("SITEURL")
    found.set("site.url", url, origin("SITEURL"))
    if not url:
        found.note("Pelican: SITEURL is empty in " + " and ".join(n for n, _ in files)
                   + ", so site.url is not carried over; pass --url")
    found.set("site.title", get("SITENAME"), origin("SITENAME"))
    found.set("site.description", get("SITESUBTITLE"), origin("SITESUBTITLE"))
    found.set("site.author", get("AUTHOR"), origin("AUTHOR"))
    found.set("site.timezone", get("TIMEZONE"), origin("TIMEZONE"))
    found.set("site.language", get("DEFAULT_LANG"), origin("DEFAULT_LANG"))
    article_url = get("ARTICLE_URL")
    if isinstance(article_url, str):
        found.set("site.permalink", article_url, origin("ARTICLE_URL"))
    if get("SLUGIFY_PRESERVE_CASE") is True:  # slugs keep their capitals
        found.set("content.slugify", "safe", origin("SLUGIFY_PRESERVE_CASE"))
    source = get("SLUGIFY_SOURCE")
    if isinstance(source, str) and source != "title":
        found.note(f"Pelican SLUGIFY_SOURCE = {source!r}: not carried over (feedkit makes "
                   "Pelican slugs from the title); give those articles a Slug:")

    path = get("PATH")
    content = root / (path if isinstance(path, str) and path.strip() else "content")
    articles = get("ARTICLE_PATHS")
    folders = [str(p).strip("/") for p in articles if str(p).strip("/")] \
        if isinstance(articles, list | tuple) else []
    found.content = content / folders[0] if folders else content
    for other in folders[1:]:
        found.note(f"Pelican ARTICLE_PATHS {other}: not read; point content.dir at it in a "
                   "second feedkit.toml")
    pages = get("PAGE_PATHS")
    page_folders = [str(p) for p in pages] if isinstance(pages, list | tuple) else ["pages"]
    for page in page_folders:
        if not folders and page and (content / page).is_dir():
            found.note(f"Pelican pages in {page}/: read as articles too (feedkit has no pages); "
                       "move them out of content.dir")
    saved = sorted(k for k in values if k.endswith("_SAVE_AS"))
    if saved:
        found.note(f"Pelican {', '.join(saved)}: not needed (feedkit writes feeds, not pages; "
                   "site.permalink is ARTICLE_URL)")
    found.note(_markdown_note(values.get("MARKDOWN")))
    return found


def _computed(found: Found, files: list[tuple[str, PythonSettings]], key: str,
              values: dict[str, object]) -> None:
    for name, settings in files:
        if key in settings.computed and key not in values:
            found.note(f"Pelican {name} {key}: set by code, not a literal, so not read (feedkit "
                       "never runs the config); set it in feedkit.toml")


def _markdown_note(setting: object) -> str:
    from feedkit.render.markdown import EXTENSIONS

    used: tuple[str, ...] = _DEFAULT_MARKDOWN
    if isinstance(setting, dict) and isinstance(setting.get("extension_configs"), dict):
        used = tuple(str(name).rsplit(".", 1)[-1] for name in setting["extension_configs"])
    # meta is Pelican's Key: value header, which feedkit reads as front matter
    missing = [name for name in used if name not in EXTENSIONS and name != "meta"]
    return ("Pelican articles were written for Python-Markdown with "
            f"{', '.join(used) or 'no extensions'}; feedkit renders with "
            f"{', '.join(EXTENSIONS)}"
            + (f", so what only {', '.join(missing)} understand shows as written"
               if missing else ""))
