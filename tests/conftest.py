"""Fixtures shared by the tests: a site, a site folder on disk."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import pytest

# A test run started in the background of a script (`pytest &`) inherits SIGINT ignored, and
# every process it starts would too: a server the tests stop with Ctrl-C would never stop.
# Ctrl-C is the tests' own business, so they take it back (exec'd children then start with the
# default action, and Python's KeyboardInterrupt, as from a terminal).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
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


@pytest.fixture
def fail_rendering(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Exception], None]:
    """``fail_rendering(needle, error)``: from then on, rendering a body whose text holds
    ``needle`` raises ``error``, as a renderer bug would; other bodies render as usual."""
    from feedkit.render import bodies

    real = bodies.render_body

    def arrange(needle: str, error: Exception) -> None:
        def broken(text: str, *args: object, **kw: object) -> bodies.RenderedBody:
            if needle in text:
                raise error
            return real(text, *args, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(bodies, "render_body", broken)

    return arrange
