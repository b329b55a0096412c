"""The only writer of build outputs: atomic, confined to the output folder, and silent about
files whose bytes would not change.

Every file is written to a temporary file in its own folder and renamed over the old one, so an
interrupted build leaves the previous file intact, never a truncated one.
"""

from __future__ import annotations

import enum
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from feedkit.errors import OutputError


class WriteResult(enum.StrEnum):
    WRITTEN = "written"
    UNCHANGED = "unchanged"


def safe_target(root: Path, relative: str) -> Path:
    """``root / relative``, refusing absolute paths, ``..`` and anything that resolves
    (through symlinks too) outside ``root``."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or not pure.parts or any(p in ("..", "") for p in pure.parts) \
            or "\\" in relative or "\x00" in relative:
        raise OutputError(f"{relative!r}: refusing to write outside the output folder")
    target = root.joinpath(*pure.parts)
    real_root = root.resolve()
    if not target.resolve().is_relative_to(real_root):
        raise OutputError(f"{relative!r}: resolves outside the output folder {root}")
    return target


def temp_beside(target: Path, data: bytes, *, mode: int = 0o644) -> Path:
    """``data`` in a complete, synced temporary file in ``target``'s folder (same file system,
    so a rename or link to ``target`` is atomic), with permissions ``mode``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def create_exclusive(target: Path, data: bytes) -> None:
    """Write a new file, complete or not at all; ``FileExistsError`` if ``target`` exists,
    even when another process creates it meanwhile (a hard link never replaces a file)."""
    tmp = temp_beside(target, data)
    try:
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links (FAT, some network shares)
            with open(target, "xb") as handle:
                handle.write(data)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(target: Path, data: bytes) -> WriteResult:
    """Write ``data`` to ``target`` atomically; leave it untouched if it already holds them."""
    try:
        if target.is_file() and target.stat().st_size == len(data) \
                and target.read_bytes() == data:
            return WriteResult.UNCHANGED
        tmp = temp_beside(target, data)
        try:
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from exc
    return WriteResult.WRITTEN


@dataclass(slots=True)
class OutputFolder:
    """Writes files under ``root``; writing the same path twice in one run is an error."""

    root: Path
    results: dict[str, WriteResult] = field(default_factory=dict)

    def write(self, relative: str, data: bytes) -> WriteResult:
        if relative in self.results:
            raise OutputError(f"{relative}: two outputs want the same file")
        target = safe_target(self.root, relative)
        result = write_atomic(target, data)
        self.results[relative] = result
        return result

    def write_all(self, files: Mapping[str, bytes]) -> dict[str, WriteResult]:
        """Check every path first, then write: a bad path writes nothing at all."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.root}: cannot create: {exc.strerror or exc}") from exc
        for relative in files:
            safe_target(self.root, relative)
        return {relative: self.write(relative, data) for relative, data in files.items()}
