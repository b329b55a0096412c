"""Rendering in a process pool gives exactly what rendering here gives."""

from __future__ import annotations

from factories import make_article

from feedkit.pool import PARALLEL_FROM, render_bodies
from feedkit.render.bodies import render_body


def test_pool_output_equals_single_process_output() -> None:
    articles = [make_article(slug=f"a{i}", body=f"# Part {i}\n\nSee [x](rel/{i}/) *now*.\n"
                             f"<script>bad()</script>") for i in range(PARALLEL_FROM + 5)]
    expected = [render_body(a.body.read(), a.body.format, a.url) for a in articles]
    assert render_bodies(articles, workers=2) == expected
    assert render_bodies(articles, workers=1) == expected


def test_a_body_that_fails_is_an_exception_in_its_place(monkeypatch) -> None:
    from feedkit import pool as workers

    def broken(text, body_format, url):
        if "boom" in text:
            raise ValueError("bad body")
        return "ok"

    monkeypatch.setattr(workers, "render_body", broken)
    results = render_bodies([make_article(body="fine"), make_article(body="boom")], workers=1)
    assert results[0] == "ok" and isinstance(results[1], RuntimeError)
    assert "ValueError: bad body" in str(results[1])


def test_parsing_in_a_pool_equals_parsing_here(tmp_path, monkeypatch) -> None:
    from factories import make_site

    from feedkit import pool as workers
    from feedkit.load.articles import load_articles

    for i in range(12):
        (tmp_path / f"p{i}.md").write_text(
            f"---\ntitle: Post {i}\ndate: 2024-01-{i + 1:02d}\ntags: [t{i % 3}]\n"
            f"author: {{name: Ann, email: ann@example.org}}\n---\nBody *{i}*.\n",
            encoding="utf-8")
    (tmp_path / "bad.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    here = load_articles(tmp_path, site=make_site())
    monkeypatch.setattr(workers, "PARSE_PARALLEL_FROM", 2)
    pooled = load_articles(tmp_path, site=make_site())
    assert pooled.articles == here.articles
    assert [a.content_html() for a in pooled.articles] == \
        [a.content_html() for a in here.articles]
    assert pooled.problems == here.problems
