"""Helpers for feed tests: build a fixture site in one call, parse outputs back."""

from __future__ import annotations

import shutil
from pathlib import Path

from factories import NOW

from feedkit import jobs, settings
from feedkit.deliver.manifest import MANIFEST_NAME
from feedkit.jobs.build_job import BuildReport

FIXTURE_SITES = Path(__file__).resolve().parent / "fixtures" / "sites"


def copy_site(name: str, dest: Path) -> Path:
    """Copy the fixture site ``name`` into ``dest`` and return the copy's folder."""
    target = dest / name
    shutil.copytree(FIXTURE_SITES / name, target)
    return target


def build_site(root: Path, **kw: object) -> BuildReport:
    """Build the site in ``root`` (its feedkit.toml) at the fixed test ``now``."""
    cfg = settings.load(root / "feedkit.toml", env={}, cwd=root)
    return jobs.build(cfg, now=NOW, **kw)  # type: ignore[arg-type]


def read_outputs(folder: Path) -> dict[str, bytes]:
    """Every output under ``folder`` as {relative posix path: bytes}: not the manifest, which
    is feedkit's record of them (tests/test_manifest.py checks it)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST_NAME}
