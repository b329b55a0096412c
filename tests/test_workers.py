"""Rendering in a process pool gives exactly what rendering here gives."""

from __future__ import annotations

from factories import make_article

from feedkit.html import render_body
from feedkit.workers import PARALLEL_FROM, render_bodies


def test_pool_output_equals_single_process_output() -> None:
    articles = [make_article(slug=f"a{i}", body=f"# Part {i}\n\nSee [x](rel/{i}/) *now*.\n"
                             f"<script>bad()</script>") for i in range(PARALLEL_FROM + 5)]
    expected = [render_body(a.body.read(), a.body.format, a.url) for a in articles]
    assert render_bodies(articles, workers=2) == expected
    assert render_bodies(articles, workers=1) == expected


def test_a_body_that_fails_is_an_exception_in_its_place(monkeypatch) -> None:
    from feedkit import workers

    def broken(text, body_format, url):
        if "boom" in text:
            raise ValueError("bad body")
        return "ok"

    monkeypatch.setattr(workers, "render_body", broken)
    results = render_bodies([make_article(body="fine"), make_article(body="boom")], workers=1)
    assert results[0] == "ok" and isinstance(results[1], RuntimeError)
    assert "ValueError: bad body" in str(results[1])
