"""``feedkit init --from``: the settings an existing Jekyll, Hugo, Zola, Eleventy, Astro or
Pelican site's own config implies, and a note for each thing that does not carry over.

Pure reading: configs are parsed as data (Python with ``ast``, JavaScript by pattern) and never
run; nothing is written here (``scaffold`` writes the feedkit.toml).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from feedkit.errors import ConfigError
from feedkit.migrate import astro, eleventy, hugo, jekyll, pelican, zola
from feedkit.migrate.readers import Found
from feedkit.settings import SETTINGS_BY_KEY
from feedkit.settings.kinds import coerce

__all__ = ["GENERATORS", "Migration", "detect", "read_site"]

# generator -> (its config files, as looked for, and its reader); tried in this order
GENERATORS: dict[str, tuple[tuple[str, ...], Callable[[Path], Found]]] = {
    "jekyll": (jekyll.CONFIGS, jekyll.read),
    "pelican": (pelican.CONFIGS, pelican.read),
    "astro": (astro.CONFIGS, astro.read),
    "eleventy": (eleventy.CONFIGS, eleventy.read),
    "zola": (zola.CONFIGS, zola.read),
    "hugo": (hugo.CONFIGS, hugo.read),
}
# files feedkit does not read as articles, which these generators do
_OTHER_FORMATS = (".rst", ".mdx", ".adoc", ".asciidoc", ".org", ".pandoc", ".ipynb")
_SKIP_DIRS = {"node_modules", "_site", "public", "dist", "output", "vendor"}


@dataclass(frozen=True, slots=True)
class Migration:
    """What an existing site's config says: the generator, the feedkit settings it implies
    (``"site.url"`` -> value, each already checked as ``config.load`` checks it), and one note
    per thing that was not carried over."""

    generator: str
    values: dict[str, object]
    notes: tuple[str, ...]

    @property
    def url(self) -> str | None:
        value = self.values.get("site.url")
        return value if isinstance(value, str) else None

    @property
    def title(self) -> str | None:
        value = self.values.get("site.title")
        return value if isinstance(value, str) else None


def detect(source: Path) -> str:
    """The generator whose config files ``source`` holds; ``ConfigError`` naming what was
    looked for when there are none. A ``config.toml`` is Zola's when it sets ``base_url``."""
    for name, (configs, _) in GENERATORS.items():
        if name == "zola":
            if zola.is_zola(source):
                return name
        elif any((source / config).is_file() for config in configs):
            return name
    looked = sorted({c for configs, _ in GENERATORS.values() for c in configs})
    raise ConfigError(f"{source}: no site config found (looked for {', '.join(looked)}); "
                      "point --from at the folder that holds the site's config")


def read_site(source: Path, *, target: Path) -> Migration:
    """Read the site in ``source``; ``content.dir`` is written relative to ``target``, the
    folder the feedkit.toml goes in. ``ConfigError`` when there is no config or it cannot be
    parsed; a value feedkit would refuse is left out, with a note."""
    if not source.is_dir():
        raise ConfigError(f"{source}: not a folder; point --from at the site's folder")
    generator = detect(source)
    found = GENERATORS[generator][1](source)
    found.values["content.generator"] = generator
    found.origins["content.generator"] = generator
    if found.content is not None:
        found.values["content.dir"] = _relative(found.content, target)
        found.origins["content.dir"] = f"{generator} content folder"
        if not found.content.is_dir():
            found.note(f"{generator.capitalize()} content folder {found.values['content.dir']} "
                       "does not exist yet; feedkit check will say so until it does")
        else:
            found.notes.extend(_other_formats(found.content, found.values["content.dir"]))
    values: dict[str, object] = {}
    for key, value in found.values.items():
        try:
            checked = coerce(SETTINGS_BY_KEY[key], value)
        except ValueError as exc:
            message = exc.args[0] if exc.args else str(exc)
            found.note(f"{found.origins.get(key, key)}: {message}; left out of feedkit.toml")
            continue
        if checked not in (None, "", {}, []):
            values[key] = checked
    return Migration(generator, values, tuple(found.notes))


def _relative(folder: Path, target: Path) -> str:
    try:
        return Path(os.path.relpath(folder.resolve(), target.resolve())).as_posix()
    except ValueError:  # another drive, on Windows
        return folder.resolve().as_posix()


def _walk(folder: Path) -> Iterator[Path]:
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        for name in sorted(files):
            yield Path(here, name)


def _other_formats(folder: Path, shown: object) -> list[str]:
    counts: dict[str, int] = {}
    for path in _walk(folder):
        if path.suffix.lower() in _OTHER_FORMATS:
            counts[path.suffix.lower()] = counts.get(path.suffix.lower(), 0) + 1
    return [f"{shown}: {n} {ext} file{'s' if n > 1 else ''} not read (feedkit reads Markdown, "
            "HTML and text: .md, .markdown, .txt, .html, .htm)"
            for ext, n in sorted(counts.items())]
