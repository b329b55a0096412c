"""Fixtures for the CLI tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No FEEDKIT_* variable of the machine running the tests, and an empty current folder
    (no feedkit.toml to find by accident); returns that folder."""
    for name in list(os.environ):
        if name.startswith("FEEDKIT_"):
            monkeypatch.delenv(name)
    empty = tmp_path / "cwd"
    empty.mkdir()
    monkeypatch.chdir(empty)
    return empty
