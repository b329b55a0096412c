"""Which files under the content folder are articles: a sorted walk that skips hidden files,
editor leftovers, Hugo's ``_index`` pages and symlinks leading outside the folder or nowhere,
and loads a file reached twice only once.

Light on purpose: a build whose inputs have not changed needs only this walk.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

from feedkit.errors import ContentError
from feedkit.model import BodyFormat

log = logging.getLogger(__name__)

EXTENSIONS: dict[str, BodyFormat] = {
    ".md": BodyFormat.MARKDOWN,
    ".markdown": BodyFormat.MARKDOWN,
    ".txt": BodyFormat.MARKDOWN,
    ".html": BodyFormat.HTML,
    ".htm": BodyFormat.HTML,
}
_LEFTOVERS = ("~", ".bak", ".swp", ".swo", ".tmp", ".orig")


def require_folder(root: Path) -> None:
    """``ContentError`` when ``root`` is not a folder: no content folder is an error, never an
    empty site (which would empty the feeds and mail nothing)."""
    if not root.is_dir():
        what = "is a file, not a folder" if root.exists() else "content folder not found"
        raise ContentError(f"{root}: {what} (pass --content DIR or set [content] dir in "
                           "feedkit.toml)")


def discover(root: Path, skipped: list[Path] | None = None,
             broken: list[Path] | None = None) -> Iterator[Path]:
    """Article files under ``root``, sorted, skipping hidden files, editor leftovers, Hugo's
    ``_index`` pages, symlinks that lead outside ``root`` (added to ``skipped``) or nowhere
    (added to ``broken``), and any file already found under another name (a link to it)."""
    for entry in scan(root, skipped, broken):
        yield Path(entry.path)


def scan(root: Path, skipped: list[Path] | None = None,
         broken: list[Path] | None = None) -> Iterator[os.DirEntry[str]]:
    """``discover``'s walk, yielding ``os.DirEntry`` objects (cheap to stat, no ``Path``s)."""
    real_root = os.path.realpath(root)
    seen_dirs: set[str] = set()
    seen_files: set[str] = set()  # a file reached twice (a link to it) is loaded once

    def walk(folder: str) -> Iterator[os.DirEntry[str]]:
        real = os.path.realpath(folder)
        if real in seen_dirs:
            return
        seen_dirs.add(real)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            log.warning("%s: cannot list: %s", folder, exc)
            return
        for entry in entries:
            name = entry.name
            if name.startswith((".", "#")) or name.endswith(_LEFTOVERS):
                continue
            real_file = os.path.join(real, name)
            if entry.is_symlink():
                real_file = os.path.realpath(entry.path)
                if not os.path.exists(real_file):
                    if broken is not None:
                        broken.append(Path(entry.path))
                    continue
                if os.path.commonpath([real_root, real_file]) != real_root:
                    log.info("%s: a symlink out of the content folder; skipped", entry.path)
                    if skipped is not None:
                        skipped.append(Path(entry.path))
                    continue
            if entry.is_dir():
                yield from walk(entry.path)
            elif entry.is_file():
                stem, dot, suffix = name.rpartition(".")
                if dot and f".{suffix.lower()}" in EXTENSIONS and stem.lower() != "_index" \
                        and real_file not in seen_files:
                    seen_files.add(real_file)
                    yield entry

    yield from walk(str(root))
