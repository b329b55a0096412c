"""html.py: bodies rendered, unwrapped, repaired and sanitized; text fields made plain."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedkit.model import BodyFormat
from feedkit.render.bodies import (
    body_to_html,
    render_markdown,
    sanitize,
    unwrap_fenced_html,
)
from feedkit.text import (
    excerpt,
    plain_text,
    repair_text,
    strip_controls,
)

BASE = "https://news.example.org/post/"


# -- sanitizing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<style>body{display:none}</style>",
        '<iframe src="https://evil.example/"></iframe>',
        '<form action="/steal"><input name="pw"><button>go</button></form>',
        '<object data="x.swf"></object><embed src="x.swf">',
        '<svg onload="alert(1)"><circle/></svg>',
        '<base href="https://evil.example/">',
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
    ],
)
def test_forbidden_elements_are_removed_with_their_content(hostile: str) -> None:
    cleaned = sanitize(f"<p>before</p>{hostile}<p>after</p>", BASE)
    assert cleaned.startswith("<p>before</p>")
    assert cleaned.endswith("<p>after</p>")
    for name in ("script", "style", "iframe", "form", "input", "object", "embed", "svg", "base",
                 "meta", "link"):
        assert f"<{name}" not in cleaned.lower()
    assert "alert" not in cleaned
    assert "evil.example" not in cleaned


@pytest.mark.parametrize(
    "attribute",
    ['onclick="alert(1)"', "onerror=alert(1)", 'onmouseover="x()"', 'ONLOAD="x()"',
     'style="background:url(javascript:alert(1))"', 'formaction="javascript:x"'],
)
def test_event_handlers_and_styles_are_removed(attribute: str) -> None:
    cleaned = sanitize(f'<p {attribute}>a</p><img src="x.png" {attribute}>', BASE)
    assert cleaned == f'<p>a</p><img src="{BASE}x.png">'


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
     "&#106;avascript:alert(1)", "java\tscript:alert(1)", "vbscript:msgbox(1)",
     "data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd", "tel:+123"],
)
def test_only_http_https_and_mailto_urls_survive(href: str) -> None:
    cleaned = sanitize(f'<a href="{href}">x</a><img src="{href}">', BASE)
    assert "href=" not in cleaned
    assert "src=" not in cleaned


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ('<a href="../other/">x</a>', 'href="https://news.example.org/other/"'),
        ('<a href="/about/">x</a>', 'href="https://news.example.org/about/"'),
        ('<a href="#fn1">x</a>', 'href="https://news.example.org/post/#fn1"'),
        ('<a href="mailto:desk@news.example.org">x</a>', 'href="mailto:desk@news.example.org"'),
        ('<a href="https://elsewhere.example/">x</a>', 'href="https://elsewhere.example/"'),
        ('<img src="photo.jpg">', 'src="https://news.example.org/post/photo.jpg"'),
        ('<img srcset="a.jpg 1x, /b.jpg 2x">',
         'srcset="https://news.example.org/post/a.jpg 1x, https://news.example.org/b.jpg 2x"'),
        ('<img srcset="s.jpg 480w, m.jpg 800w" sizes="(max-width: 600px) 480px, 800px">',
         'srcset="https://news.example.org/post/s.jpg 480w, '
         'https://news.example.org/post/m.jpg 800w"'),
        ('<picture><source srcset="a.webp"></picture>',
         'srcset="https://news.example.org/post/a.webp"'),
        ('<video src="v.mp4" poster="p.jpg"></video>',
         'poster="https://news.example.org/post/p.jpg"'),
    ],
)
def test_relative_links_images_and_srcset_become_absolute(fragment: str, expected: str) -> None:
    assert expected in sanitize(fragment, BASE)


def test_unsafe_srcset_candidates_are_dropped_and_safe_ones_kept() -> None:
    cleaned = sanitize('<img srcset="javascript:alert(1) 1x, ok.png 2x">', BASE)
    assert cleaned == f'<img srcset="{BASE}ok.png 2x">'


def test_srcset_url_containing_a_comma_stays_one_candidate() -> None:
    cleaned = sanitize('<img srcset="img.png?w=1,2 2x, b.png 1x">', BASE)
    assert f'srcset="{BASE}img.png?w=1,2 2x, {BASE}b.png 1x"' in cleaned


def test_allowed_code_language_classes_survive_and_others_do_not() -> None:
    cleaned = sanitize('<code class="language-python evil">x</code><p class="x">y</p>', BASE)
    assert cleaned == '<code class="language-python">x</code><p>y</p>'


_DANGER = st.sampled_from([
    "<script>alert(1)</script>", "<scr", "ipt>", "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">', "javascript:", "<iframe>", "<style>", "</style>",
    "<svg/onload=alert(1)>", "<!--", "-->", "<![CDATA[", '"', "'", ">", "<", "&#", "<p ",
    " onclick=x()", "<form>", "<object>", "\x00", "<math>", "<noscript>", "<textarea>",
])


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(_DANGER | st.text(max_size=8), max_size=14).map("".join))
def test_no_forbidden_markup_survives_sanitizing(fragment: str) -> None:
    for tag in re.findall(r"<[^>]*>", sanitize(fragment, BASE).lower()):
        assert not re.match(r"<\s*/?\s*(script|style|iframe|form|object|embed|svg|math)\b", tag)
        assert not re.search(r"\son\w+\s*=", tag)
        assert "javascript:" not in tag


# -- bodies ---------------------------------------------------------------------------------------


def test_body_that_is_one_fenced_html_block_is_taken_as_html() -> None:
    body = "\n```html\n<h2>Title</h2>\n<p>Text</p>\n```\n\n"
    assert body_to_html(body, BodyFormat.MARKDOWN) == "<h2>Title</h2>\n<p>Text</p>"


@pytest.mark.parametrize("fence", ["```", "````", "~~~"])
def test_fenced_html_unwrapping_accepts_any_fence(fence: str) -> None:
    assert unwrap_fenced_html(f"{fence}html\n<p>a</p>\n{fence}") == "<p>a</p>"


@pytest.mark.parametrize(
    "body",
    ["```html\n<p>a</p>\n```\n\nMore text after.", "Intro.\n\n```html\n<p>a</p>\n```",
     "```python\nprint(1)\n```"],
)
def test_fenced_block_with_other_content_or_language_stays_code(body: str) -> None:
    assert unwrap_fenced_html(body) is None
    assert "<pre><code" in body_to_html(body, BodyFormat.MARKDOWN)


def test_mismatched_fences_are_not_unwrapped() -> None:
    assert unwrap_fenced_html("```html\n<p>a</p>\n~~~") is None


def test_markdown_renders_tables_fenced_code_and_footnotes() -> None:
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\nText[^1]\n\n```js\nx()\n```\n\n"
                           "[^1]: A note.")
    assert "<table>" in html
    assert '<code class="language-js">x()' in html
    assert 'class="footnote"' in html


def test_html_bodies_are_not_rendered_as_markdown() -> None:
    assert body_to_html("<p>*stars*</p>", BodyFormat.HTML) == "<p>*stars*</p>"


def test_template_tags_are_kept_as_text() -> None:
    html = sanitize(body_to_html("{{ site.title }} {% raw %} {{< figure src=\"a\" >}}",
                                 BodyFormat.MARKDOWN), BASE)
    assert "{{ site.title }}" in html
    assert "{% raw %}" in html
    assert "{{&lt; figure" in html


def test_mojibake_in_the_body_is_repaired() -> None:
    assert body_to_html("A â€“ B", BodyFormat.MARKDOWN) == "<p>A – B</p>"


def test_a_body_nested_too_deep_does_not_break_the_next_body() -> None:
    # run in a child process: the failure mode corrupts html.py's module-level Markdown instance
    code = ("from feedkit.render.bodies import render_markdown\n"
            "try:\n    render_markdown('* ' * 3000 + 'x')\nexcept RecursionError:\n    pass\n"
            "print(render_markdown('*a*'))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "<p><em>a</em></p>\n"



# -- text fields ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Caf&eacute; &amp; bar", "Café & bar"),
        ("<b>bold</b> <a href='x'>link</a>", "bold link"),
        ("<script>alert(1)</script>ok", "ok"),
        ("  many \n\t spaces  ", "many spaces"),
        ("nul\x00 and\x0b vt", "nul and vt"),
        ("CafÃ© â€“ déjà", "Café – déjà"),
        ("“curly” quotes stay", "“curly” quotes stay"),
        ("ｆｕｌｌ width stays", "ｆｕｌｌ width stays"),
    ],
)
def test_plain_text_strips_tags_decodes_entities_and_repairs(raw: str, expected: str) -> None:
    assert plain_text(raw) == expected


def test_repair_leaves_clean_text_alone() -> None:
    for text in ("plain ascii", "déjà vu – “quotes”", "日本語", "مرحبا"):
        assert repair_text(text) == text


def test_strip_controls_keeps_tab_and_newline() -> None:
    assert strip_controls("a\tb\nc\x00d\x1fe\x7ff\x85g") == "a\tb\ncdefg"


def test_excerpt_cuts_at_a_word_with_an_ellipsis() -> None:
    text = "word " * 100
    cut = excerpt(text, limit=50)
    assert len(cut) <= 50
    assert cut.endswith("word…")
    assert excerpt("short text", limit=50) == "short text"


def test_a_body_markdown_cannot_render_in_time_becomes_escaped_text(caplog) -> None:
    import time

    from feedkit.render.bodies import render_markdown

    started = time.perf_counter()
    html = render_markdown("[^" * 20_000 + "<script>", budget=0.5)
    assert time.perf_counter() - started < 5
    assert html.startswith("<pre>[^[^") and "&lt;script&gt;" in html
    assert "took over 0.5 s" in caplog.text
    assert render_markdown("*still works*") == "<p><em>still works</em></p>"


def test_a_missing_description_reads_only_the_start_of_the_body() -> None:
    from factories import make_site

    from feedkit.load.articles import parse_article

    text = "---\ntitle: T\ndate: 2025-01-01\n---\nFirst words.\n\n" + "[^" * 50_000
    parsed = parse_article(text, Path("t.md"), site=make_site())
    assert parsed.article is not None and parsed.article.description.startswith("First words.")
