"""An output folder written before feedkit kept a manifest there: what a build can still tell of
it, so that the first build with a manifest neither forgets the ids readers have nor leaves
stale tag feeds behind for good.
"""

from __future__ import annotations

import json
from pathlib import Path

from feedkit.deliver.manifest import Manifest, digest_of
from feedkit.jobs.guard import SITE_FEED, Items, items_from_manifest

_HEAD = 4096  # a feed names its generator in its first lines


def items_before(folder: Path, manifest: Manifest | None) -> Items:
    """What the feeds in ``folder`` published: the items its ``manifest`` keeps, else (a folder
    an earlier feedkit wrote) those of the ``feed.json`` there."""
    if manifest is not None:
        return items_from_manifest(manifest.data)
    return items_from_json_feed(folder)


def items_from_json_feed(folder: Path) -> dict[str, list[list[str]]]:
    """The site feed's items read from an existing ``feed.json`` (an output folder that a
    feedkit without a manifest wrote): ids and URLs, no source paths."""
    try:
        document = json.loads((folder / "feed.json").read_text(encoding="utf-8"))
        items = [[str(i["id"]), str(i.get("url", "")), ""] for i in document["items"]]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {SITE_FEED: items}


def adopted_manifest(folder: Path) -> Manifest | None:
    """The tag feeds an earlier feedkit wrote into ``folder``, as a manifest would list them:
    files at feedkit's own paths (``tags/<tag>/feed.xml`` and ``atom.xml``) that name feedkit
    as their generator. None when there are none (a new folder, or one feedkit never wrote)."""
    from feedkit.render.feeds import GENERATOR

    mark = f"<generator>{GENERATOR}</generator>".encode()
    files = {}
    for path in sorted((folder / "tags").glob("*/*.xml")):
        if path.name not in ("feed.xml", "atom.xml") or path.is_symlink() or not path.is_file():
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if mark in data[:_HEAD]:
            files[path.relative_to(folder).as_posix()] = digest_of(data)
    return Manifest(files) if files else None
