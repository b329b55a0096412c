"""Fixtures shared by the tests: a site, a site folder on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from factories import SITE_URL, make_site

from feedkit.model import Site


@pytest.fixture
def site() -> Site:
    return make_site()


SiteFactory = Callable[..., Path]


@pytest.fixture
def make_site_dir(tmp_path: Path) -> SiteFactory:
    """Write a feedkit.toml and articles ({relative path: text}) and return the folder."""

    def factory(articles: dict[str, str | bytes], *, toml: str | None = None) -> Path:
        root = tmp_path / "site"
        (root / "content").mkdir(parents=True, exist_ok=True)
        (root / "feedkit.toml").write_text(
            toml if toml is not None else f'[site]\nurl = "{SITE_URL}"\ntitle = "News"\n',
            encoding="utf-8",
        )
        for rel, text in articles.items():
            file = root / "content" / rel
            file.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                file.write_bytes(text)
            else:
                file.write_text(text, encoding="utf-8")
        return root

    return factory
