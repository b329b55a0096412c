"""Hugo: ``hugo.toml`` (or ``.yaml``, ``.json``, the older ``config.*``) and ``config/_default/``
read as data, keys case-insensitive as Hugo reads them: base URL, title, language, time zone,
``[permalinks]`` per section, ``contentDir``, ``uglyURLs`` and ``disablePathToLower``."""

from __future__ import annotations

from pathlib import Path

from feedkit.migrate.readers import Found, first, read_data

_NAMES = tuple(f"{stem}.{ext}" for stem in ("hugo", "config")
               for ext in ("toml", "yaml", "yml", "json"))
CONFIGS = (*_NAMES, *(f"config/_default/{name}" for name in _NAMES))
_KINDS = ("page", "section", "taxonomy", "term")


def read(root: Path) -> Found:
    found = Found("hugo")
    config, where = _config(root)
    default = str(config.get("defaultcontentlanguage") or "en").lower()
    languages = _lower(config.get("languages"))
    if languages:
        own = _lower(languages.get(default))
        for key, value in own.items():
            if key == "params":
                config["params"] = {**_lower(config.get("params")), **_lower(value)}
            else:
                config[key] = value
        if len(languages) > 1:
            found.note("Hugo multilingual [languages]: only the default language's content "
                       f"({default}) is read")

    found.set("site.url", _text(config.get("baseurl")), f"{where} baseURL")
    if not _text(config.get("baseurl")):
        found.note(f"{where}: no baseURL, so site.url is not carried over; pass --url")
    found.set("site.title", _text(config.get("title")), f"{where} title")
    found.set("site.language", _text(config.get("languagecode")) or (default if languages
              or "defaultcontentlanguage" in config else None), f"{where} languageCode")
    params = _lower(config.get("params"))
    found.set("site.description", _text(params.get("description")),
              f"{where} params.description")
    author = params.get("author", config.get("author"))
    if isinstance(author, dict):
        author = _lower(author)
        found.set("site.author", _text(author.get("name")), f"{where} params.author.name")
        found.set("site.author_email", _text(author.get("email")),
                  f"{where} params.author.email")
    else:
        found.set("site.author", _text(author), f"{where} params.author")
    found.set("site.timezone", _text(config.get("timezone")), f"{where} timeZone")

    permalinks = _lower(config.get("permalinks"))
    table = {k: v for k, v in permalinks.items() if isinstance(v, str)}
    page = permalinks.get("page")
    if isinstance(page, dict):  # Hugo 0.112+: [permalinks.page], [permalinks.section], …
        table.update({str(k): v for k, v in page.items() if isinstance(v, str)})
    for key, value in permalinks.items():
        if isinstance(value, dict) and key not in _KINDS:
            found.note(f"{where} [permalinks.{key}]: not a pattern; not read")
    found.set("site.permalinks", table, f"{where} [permalinks]")

    ugly = config.get("uglyurls")
    if ugly is True:
        found.set("site.permalink", "/:sections/:slugorfilename.html", f"{where} uglyURLs")
        found.note(f"{where} uglyURLs = true: site.permalink is /:sections/:slugorfilename.html")
    elif isinstance(ugly, dict):
        found.note(f"{where} uglyURLs per section: not read; write those sections' patterns "
                   "in site.permalinks")
    if config.get("disablepathtolower") is True:
        found.set("content.slugify", "off", f"{where} disablePathToLower")
    folder = _text(config.get("contentdir")) or "content"
    found.content = root / folder
    return found


def _config(root: Path) -> tuple[dict[str, object], str]:
    """The merged config: ``config/_default/`` (its ``hugo.*``/``config.*``, then one file per
    top-level key such as ``permalinks.toml``) under the project's own config file."""
    merged: dict[str, object] = {}
    names: list[str] = []
    folder = root / "config" / "_default"
    if folder.is_dir():
        main = first(folder, _NAMES)
        if main is not None:
            merged.update(_lower(read_data(main)))
            names.append(f"config/_default/{main.name}")
        for path in sorted(folder.iterdir()):
            stem = path.stem.lower()
            if path.suffix in (".toml", ".yaml", ".yml", ".json") and path.is_file() \
                    and stem not in ("hugo", "config") and "." not in stem:
                merged[stem] = read_data(path)
                names.append(f"config/_default/{path.name}")
    own = first(root, _NAMES)
    if own is not None:
        merged.update(_lower(read_data(own)))
        names.insert(0, own.name)
    return merged, "Hugo " + (names[0] if names else "config")


def _lower(value: object) -> dict[str, object]:
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) else None
