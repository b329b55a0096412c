"""What the build cache is keyed on: feedkit's own code and templates, the libraries that shape
its output, and the rules of the site's time zone (fingerprints, short hashes)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
from contextlib import suppress
from datetime import tzinfo
from pathlib import Path

from feedkit.render.templates import templates_dir

_LIBRARIES = ("markdown", "nh3", "ftfy", "feedgen", "lxml", "yaml", "jinja2", "premailer",
              "frontmatter", "dateutil", "tzdata")


def fingerprint(*parts: object) -> str:
    """A short hash of ``parts`` (by their ``str``)."""
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()[:32]


@functools.lru_cache(maxsize=8)
def code_fingerprint(package: Path | None = None, templates: Path | None = None) -> str:
    """A hash of feedkit's own code (``package``) and templates, and of where the
    output-shaping libraries are installed (and when): a feedkit installed again from git keeps
    its version number, but not this. Computed once per process: a process runs the code it
    imported, whatever is installed meanwhile."""
    from importlib.util import find_spec

    digest = hashlib.sha256()
    package = package or Path(__file__).resolve().parents[1]  # feedkit/
    templates = templates or templates_dir()
    sources = sorted(package.rglob("*.py")) + sorted(p for p in templates.rglob("*")
                                                      if p.is_file())
    for source in sources:
        with suppress(OSError):
            relative = source.relative_to(package if source.is_relative_to(package)
                                          else templates)
            digest.update(relative.as_posix().encode() + b"\0" + source.read_bytes() + b"\0")
    for name in _LIBRARIES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            stamp = os.stat(origin).st_mtime_ns if origin else 0
        except OSError:
            stamp = 0
        digest.update(f"{name}={origin}:{stamp}\n".encode())
    return digest.hexdigest()[:32]


def zone_fingerprint(zone: tzinfo) -> str:
    """A hash of the rules of ``zone`` (an IANA zone's file, from the system or the tzdata
    package): an update to them moves the instants of dates written without an offset."""
    key = getattr(zone, "key", None)
    if not isinstance(key, str):
        return str(zone)
    from zoneinfo import TZPATH

    for folder in TZPATH:
        with suppress(OSError, ValueError):
            return hashlib.sha256(Path(folder, key).read_bytes()).hexdigest()[:32]
    with suppress(Exception):  # the tzdata package, laid out as importlib resources
        from importlib.resources import files

        *package, name = f"tzdata.zoneinfo.{key.replace('/', '.')}".rsplit(".", 1)
        return hashlib.sha256(files(package[0]).joinpath(name).read_bytes()).hexdigest()[:32]
    return key
