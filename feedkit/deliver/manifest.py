"""Publishing a set of files into a folder feedkit owns: write them (atomically), delete what an
earlier publish wrote there and this one no longer produces, and keep the record of both, the
manifest (``.feedkit-manifest.json``), beside them.

A file is deleted only when the manifest says feedkit wrote it and it still holds exactly what
feedkit wrote (its SHA-256): a file someone put there, or changed since, is never deleted; it
is reported instead. The manifest is written before the files (naming old and new ones, and
both digests of a file being rewritten) and again after, so a run killed anywhere in between
still knows every file it may have written, and each as it was before or after.
The caller may keep its own JSON data in the manifest (``data``), read back as it was stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedkit.deliver.output import OutputFolder, WriteResult, safe_target, write_atomic
from feedkit.errors import OutputError

MANIFEST_NAME = ".feedkit-manifest.json"
_VERSION = 1


@dataclass(frozen=True, slots=True)
class Manifest:
    """What the last publish wrote: ``files`` (relative path → SHA-256 of the bytes written)
    and the caller's ``data``; while a publish is under way (or was killed), ``also`` the
    digests a file held before, any of which it may still hold."""

    files: Mapping[str, str] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)
    also: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def digests(self, relative: str) -> set[str]:
        """Every content of ``relative`` feedkit may have left there."""
        return {self.files[relative], *self.also.get(relative, ())}


@dataclass(frozen=True, slots=True)
class Published:
    """What a publish did: each file written or unchanged; stale files deleted; stale files
    left in place because they are not what feedkit wrote there."""

    files: dict[str, WriteResult]
    removed: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(root: Path) -> tuple[Manifest | None, str | None]:
    """(the manifest in ``root``, None), (None, None) when there is none, or (None, why) when
    it cannot be trusted: a damaged manifest prunes nothing."""
    path = root / MANIFEST_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as exc:
        return None, (f"{path}: unreadable ({exc}); nothing is deleted this time, so files "
                      "an earlier build wrote and this one does not stay until you delete them")
    if not isinstance(raw, dict):
        raw = {}
    files, data, also = raw.get("files"), raw.get("data"), raw.get("also", {})
    if raw.get("version") != _VERSION or not isinstance(files, dict) \
            or not isinstance(data, dict) or not isinstance(also, dict) \
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()) \
            or not all(isinstance(v, list) and all(isinstance(d, str) for d in v)
                       for v in also.values()):
        return None, (f"{path}: not a manifest this feedkit reads; nothing is deleted this "
                      "time, so files an earlier build wrote and this one does not stay until "
                      "you delete them")
    return Manifest(files, data, {k: tuple(v) for k, v in also.items() if k in files}), None


def _write_manifest(root: Path, manifest: Manifest) -> None:
    document: dict[str, Any] = {"version": _VERSION, "files": dict(manifest.files),
                                "data": manifest.data}
    if manifest.also:
        document["also"] = {k: sorted(v) for k, v in manifest.also.items()}
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, indent=1) + "\n"
    write_atomic(root / MANIFEST_NAME, text.encode("utf-8"))


def publish(root: Path, files: Mapping[str, bytes], *, previous: Manifest | None,
            data: Mapping[str, Any] | None = None) -> Published:
    """Write ``files`` under ``root``, then delete the files ``previous`` lists that ``files``
    does not, where they are still as feedkit wrote them. The caller holds the folder's lock.
    A bad path in ``files`` writes nothing at all."""
    for relative in files:
        safe_target(root, relative)
    if MANIFEST_NAME in files:
        raise OutputError(f"{MANIFEST_NAME}: that name is feedkit's own")
    previous = previous or Manifest()
    new = {relative: digest_of(blob) for relative, blob in files.items()}
    stale = sorted(set(previous.files) - set(new))
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{root}: cannot create: {exc.strerror or exc}") from exc
    changing = [relative for relative, digest in new.items()
                if relative in previous.files and previous.digests(relative) != {digest}]
    if changing or set(new) - set(previous.files):  # record what may be written, first
        during = {**previous.files, **new}
        also = {relative: tuple(sorted(previous.digests(relative) - {during[relative]}))
                for relative in (*changing, *stale)}
        _write_manifest(root, Manifest(during, previous.data,
                                       {k: v for k, v in also.items() if v}))
    written = OutputFolder(root).write_all(files)
    removed, kept = [], []
    for relative in stale:
        outcome = _remove_if_ours(root, relative, previous.digests(relative))
        if outcome == "removed":
            removed.append(relative)
        elif outcome == "kept":
            kept.append(relative)
    _write_manifest(root, Manifest(dict(sorted(new.items())), data or {}))
    return Published(written, tuple(removed), tuple(kept))


def _remove_if_ours(root: Path, relative: str, digests: set[str]) -> str:
    """"removed", "kept" (changed since feedkit wrote it) or "gone" (not there any more)."""
    try:
        target = safe_target(root, relative)  # a tampered manifest must not reach outside
    except OutputError:
        return "kept"
    try:
        if not target.is_file() or target.is_symlink():
            return "gone" if not target.exists() else "kept"
        if digest_of(target.read_bytes()) not in digests:
            return "kept"
        target.unlink()
    except OSError as exc:
        raise OutputError(f"{target}: cannot delete: {exc.strerror or exc}") from exc
    folder = target.parent
    while folder != root and folder.is_relative_to(root):  # folders left empty go too
        try:
            folder.rmdir()
        except OSError:
            break
        folder = folder.parent
    return "removed"
