"""html.py: bodies rendered, unwrapped, repaired and sanitized; text fields made plain."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pytest
from factories import make_article
from hypothesis import given, settings
from hypothesis import strategies as st

from feedkit.load import read_body
from feedkit.model import Body, BodyFormat
from feedkit.pool import Pool
from feedkit.render import bodies
from feedkit.render import markdown as markdown_module
from feedkit.render.bodies import (
    PARALLEL_FROM,
    RenderedBody,
    render_bodies,
    render_body,
    unwrap_fenced_html,
)
from feedkit.render.markdown import MarkdownRenderer, unmetered_work, work_limit
from feedkit.render.sanitize import sanitize


def body_to_html(text: str, body_format: BodyFormat) -> str:
    return bodies.body_to_html(text, body_format)[0]


def render_markdown(text: str) -> str:
    return MarkdownRenderer().render(text)[0]

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


def test_a_body_nested_deeply_renders_or_is_plain_text_and_does_not_break_the_next_body(
) -> None:
    renderer = MarkdownRenderer()
    html, why = renderer.render("* " * 3000 + "x")
    # Python-Markdown before 3.11.4 ran out of stack here (RecursionError); 3.11.4 nests
    assert (why is None and html.startswith("<ul>\n<li>\n<ul>") and html.count("<ul>") > 100) \
        or (html.startswith("<pre>* * *") and why == "is nested too deeply to render as Markdown")
    assert renderer.render("*a*") == ("<p><em>a</em></p>", None)



# -- bounded without signals or clocks (defect 9) -------------------------------------------------


METERED = "too many unclosed or nested [, ](, ` or inline tags in one paragraph"
BLOCKS = "too many paragraphs, lines or list items"
UNMETERED = "too many unclosed <tags, <?, <![CDATA[, [^ or ``` fences"
REFERENCES = "refers to one footnote too many times"


@pytest.mark.parametrize(("pathological", "reason"), [
    ("[" * 4000, METERED),
    (("[" + "x" * 100) * 1000, METERED),
    ("\n\n".join(["[" * 500] * 200), METERED),
    ("x [y]( " * 3000, METERED),  # every bracket closed, every link target open
    ("![y]( " * 3000, METERED),
    ("[^1]( " * 3000, METERED),
    ('[a](b "c) ' * 5000, METERED),  # a title whose quote never closes
    ("<b>x</b> " * 20_000, METERED),  # every inline match copies the paragraph again
    # backtick runs no later run closes: each walks to the end, a Python step a character
    ("".join("a" + "`" * n for n in range(1, 1400)), METERED),
    ("".join("`" * n + "a" for n in range(1400, 0, -1)), METERED),
    ("x[^1] " * 16_000 + "\n\n[^1]: n\n", REFERENCES),  # the nth steps over n-1 ids
    # ordinary paragraphs, but 1,500 references to one note
    ("A *word*, a [link](/a) and a note[^1].\n\n" * 1500 + "[^1]: n\n", REFERENCES),
    ("a\n\n" * 333_000, BLOCKS),  # each block taken from the front of the list of all
    ("x" + "\n" * 1_000_000 + "y", BLOCKS),
    ("```\ncode\n```\n\n" * 150_000, UNMETERED),  # the text copied again for each block
    ("[^" * 20_000, UNMETERED),
    ("<a " * 9000, UNMETERED),
    ("[^a " * 80_000, UNMETERED),  # footnote openers with no ] after them
    ("```a\n" * 20_000, UNMETERED),  # opening fences that never close
    ('```hl_lines="\n' * 1000, UNMETERED),  # each quote reaches over lines to every later one
    ('```py hl_lines="1"\nx = 1\n' + 'y"\n' * 20_000, UNMETERED),
    # code with a<b in every line: Python-Markdown's raw-HTML pass takes ~25 s on it
    ("Code:\n\n" + "    if (a<b) { c(); }\n" * 12_000, UNMETERED),
    # fence lines as Python-Markdown sees them: tabs expanded, \r made \n, before its passes
    ("```\tx\n" * 8000 + "y" * 200_000, UNMETERED),
    ("```x\r" * 8000 + "y" * 200_000, UNMETERED),
    ("```\n```\t\n" + "<a " * 20_000 + "\n```\n```\n", UNMETERED),  # no block: the tags count
    ("<?a\n" * 100_000, UNMETERED),  # each walks to the end for a ?>
    ("<![CDATA[a\n" * 30_000, UNMETERED),  # ... for a ]]>
    ("<!a\n" * 100_000, UNMETERED),  # ... for a >
    ('[a](b "x" y) ' * 8000, METERED),  # a closed title, then more: the link walks to the end
    ("> " * 220 + "x\n" + "y\n" * 500_000, BLOCKS),  # each level splits every line again
])
def test_inputs_markdown_is_quadratic_on_are_refused_by_counted_work(
        pathological: str, reason: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # a tenth of the limit: each shape reaches it ten times sooner (the test at the real
    # limit below takes one shape of each reason the meter gives)
    monkeypatch.setattr(markdown_module, "WORK_LIMIT", markdown_module.WORK_LIMIT // 10)
    monkeypatch.setattr(markdown_module, "WORK_PER_CHARACTER",
                        markdown_module.WORK_PER_CHARACTER // 10)
    renderer = MarkdownRenderer()
    html, why = renderer.render(pathological + "<script>alert(1)</script>")
    assert html.startswith("<pre>") and "<script" not in html
    assert why is not None and reason in why
    # counted, not timed: the same text spends the same work on any machine, however fast
    again = MarkdownRenderer()
    again.render(pathological + "<script>alert(1)</script>")
    assert again.last_work == renderer.last_work


@pytest.mark.parametrize(("pathological", "reason"), [
    ("<b>x</b> " * 20_000, METERED),
    ("a\n\n" * 333_000, BLOCKS),
    ("x[^1] " * 16_000 + "\n\n[^1]: n\n", REFERENCES),
])
def test_the_real_limit_refuses_each_kind_of_metered_work(pathological: str, reason: str) -> None:
    renderer = MarkdownRenderer()
    html, why = renderer.render(pathological)
    assert html.startswith("<pre>") and why is not None and reason in why
    assert renderer.last_work > work_limit(pathological)


def test_walks_the_meter_cannot_see_are_estimated_from_the_text() -> None:
    assert unmetered_work("A <b>tag</b>, x < y, a [^1] note, a [^2]: def.") == 0
    # a closed fence costs nothing; an unclosed one its walk to the end of the text
    assert unmetered_work("```python\nx = 1\n```\n\nText.") < 1_000
    assert unmetered_work("````\n" + "x" * 10_000) >= 10_000
    assert unmetered_work("<a " * 9000) > work_limit("<a " * 9000)
    # a [^ followed somewhere in its paragraph by ] costs nothing; one in another paragraph does
    assert unmetered_work("[^a " * 1000 + "]") == 0
    assert unmetered_work("[^a " * 1000 + "\n\n]") > 0


def test_the_meter_is_what_stops_a_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Some *emphasis* and a [link](https://x.org). " * 50
    renderer = MarkdownRenderer()
    assert renderer.render(text)[1] is None and 0 < renderer.last_work < work_limit(text)
    monkeypatch.setattr(markdown_module, "WORK_LIMIT", renderer.last_work // 2 - len(text) * 1000)
    html, why = MarkdownRenderer().render(text)
    assert html.startswith("<pre>") and why is not None and METERED in why


def test_a_nested_link_is_bounded_and_rendered() -> None:
    renderer = MarkdownRenderer()
    html, why = renderer.render("[" * 2000 + "x" + "](y)" * 2000)
    assert why is None and "<a href" in html
    assert renderer.last_work <= work_limit("[" * 2000 + "x" + "](y)" * 2000)


@pytest.mark.parametrize("ordinary", [
    "A [link](https://x.org), an ![image](a.png), a footnote[^1] and <b>bold</b>.\n\n"
    "[^1]: The note.",
    "A [link (with parentheses)](https://en.wikipedia.org/wiki/Foo_(bar)) and (an aside. "
    * 500,
    "See [the docs](https://example.org/docs \"Docs\") and [that](/that) here. " * 3000,
    "A stray [ bracket and a < sign, then a long paragraph. " + "Prose goes on. " * 9000,
    "\n\n".join("Paragraph with one stray [ here." for _ in range(20_000)),
    "Plain prose, sentence after sentence, paragraph after paragraph.\n\n" * 16_000,
    "| Version | Needs |\n|---|---|\n" + "| 1.x | python <2.0, libfoo <3 |\n" * 2000,
    "```cpp\n" + 'std::cout << "x" << std::endl; if (a < b) {}\n' * 5000 + "```\n",
    "Code:\n\n" + '    std::cout << "x" << std::endl; if (a < b) {}\n' * 5000,
    ("Prose. " * 50 + '\n\n```python hl_lines="1 2"\nx = 1\n```\n\n~~~\ny = 2\n~~~\n\n') * 1000,
    "````\nA stray fence, then blocks.\n\n" + ("```sh\nls\n```\n\n" + "Prose. " * 40) * 1000,
    "A <b>bold</b> and <i>italic</i> word, " * 2000,
    "```c\n" + "for (i=0; i<n; i++) x[i]=0;\n" * 2000 + "```\n",  # fenced: no raw-HTML walk
    "See [Alice's post](/a) and [Bob's](/b). " * 3000,  # a quote in link text is no title
    "Plain prose, sentence after sentence.\n\n" * 25_000,  # 1 MB of short paragraphs
    "- item\n" * 2000 + "\n| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 2000,
    "Use `x` and ``y`` here. " * 2000,
    # 600 KB of an ordinary long article: headings, styled prose, lists, quotes, code, tables
    ("## Part\n\n" + ("Some *emphasis* and **strong** text, a [link](https://x.org/a?b=c), "
                      "`code()`, an <abbr>HTML</abbr> tag and &copy; words. " * 4 + "\n\n") * 3
     + "- item *one*\n- item [two](/x)\n\n> a quote with _style_\n\n"
     + "```python\nif a<b: pass\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n") * 250,
    "A note[^1] here. " * 300 + "\n\n[^1]: One note, referred to 300 times.\n",
    # a Windows file of fenced Go code, tabs and < in it
    "```go\r\nfunc main() {\r\n\tif a<b { fmt.Println(\"<x>\") }\r\n}\r\n```\r\n\r\nText.\r\n\r\n"
    * 2000,
    # (a quote in a link's URL makes Python-Markdown walk to the end of the paragraph: a
    # thousand in one paragraph take it 2.5 s, four thousand 38 s; one a paragraph is fine)
    "See [it](https://x.org/it's-here) and [t](/t 'Title') and [u](/u \"T\") now.\n\n" * 1000,
    "<?xml version=\"1.0\"?>\n\n<![CDATA[ kept ]]>\n\n<!DOCTYPE html>\n\nProse.\n\n" * 1000,
])
def test_ordinary_and_large_bodies_are_rendered(ordinary: str) -> None:
    html, why = MarkdownRenderer().render(ordinary)
    assert why is None and not html.startswith(f"<pre>{escape(ordinary[:20])}")


def test_rendering_sets_no_signal_handler_and_cancels_no_timer_of_the_host_program() -> None:
    import signal

    if not hasattr(signal, "setitimer"):
        pytest.skip("no interval timers here")
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        render_body("[^" * 20_000, BodyFormat.MARKDOWN, BASE)
        render_body("*fine*", BodyFormat.MARKDOWN, BASE)
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < remaining <= 30  # the host's timer is still running
        assert signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, signal.SIG_IGN)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert fired == []


def test_a_degraded_body_is_a_warning_for_its_article(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown_module, "WORK_LIMIT", markdown_module.WORK_LIMIT // 10)
    article = make_article(slug="brackets", body="[" * 5000)
    result = render_bodies([article], read=read_body)
    (problem,) = result.problems
    assert not problem.is_error and problem.field == "body"
    assert problem.path is not None and problem.path.as_posix() == "brackets.md"
    assert "shown as plain text" in problem.message and "\\[" in (problem.hint or "")
    assert result.bodies["brackets.md"].degraded


# -- the stage: values in, a mapping and problems out -----------------------------------------


def test_render_body_gives_html_summary_and_what_was_removed() -> None:
    body = render_body("Intro *text*.\n\n<script>x()</script>\n\n![a](pic.jpg)",
                       BodyFormat.MARKDOWN, BASE)
    assert body == RenderedBody(
        html=f'<p>Intro <em>text</em>.</p>\n\n\n<p><img alt="a" src="{BASE}pic.jpg"></p>',
        summary="Intro text.", unsafe=True, degraded=None)


def test_render_bodies_keys_by_article_and_makes_urls_absolute_against_each() -> None:
    one = make_article(slug="one", body="![x](pic.jpg)")
    two = make_article(slug="two", body="[link](../)")
    result = render_bodies([one, two, one], read=read_body)
    assert result.problems == ()
    assert set(result.bodies) == {"one.md", "two.md"}
    assert 'src="https://news.example.org/one/pic.jpg"' in result.bodies["one.md"].html
    assert 'href="https://news.example.org/"' in result.bodies["two.md"].html


def test_each_call_renders_what_it_is_given_with_no_memory_of_earlier_calls() -> None:
    first = make_article(slug="same", body="First body.")
    second = make_article(slug="same", body="Second body.")  # same key, another body
    assert render_bodies([first], read=read_body).bodies["same.md"].html == "<p>First body.</p>"
    assert render_bodies([second], read=read_body).bodies["same.md"].html == \
        "<p>Second body.</p>"


def test_threads_rendering_at_once_each_get_their_own_results() -> None:
    # defect 2: one shared parser gave 352 wrong results of 400 with two threads
    from concurrent.futures import ThreadPoolExecutor

    articles = [make_article(slug=f"t{i}", body=f"# Part {i}\n\n" + "* item *" + str(i) +
                             "*\n" * 20 + f"\n\nThe end of {i}.[^n]\n\n[^n]: note {i}")
                for i in range(100)]
    expected = {a.key: render_body(a.body.text or "", BodyFormat.MARKDOWN, a.url).html
                for a in articles}

    def render_alone(article: object) -> tuple[str, str]:
        (key, body), = render_bodies([article], read=read_body).bodies.items()  # type: ignore[list-item]
        return key, body.html

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(render_alone, articles * 4))
    assert all(html == expected[key] for key, html in results)


def test_a_body_that_fails_to_render_is_a_problem_and_the_others_render(
        fail_rendering) -> None:
    fail_rendering("boom", ValueError("bad body"))
    fine, bad = make_article(slug="fine", body="fine"), make_article(slug="bad", body="boom")
    result = render_bodies([fine, bad], read=read_body)
    assert set(result.bodies) == {"fine.md"} and result.failed == {"bad.md"}
    (problem,) = result.problems
    assert str(problem) == ("bad.md: error: body: cannot be rendered (ValueError: bad body) "
                            "(it is left out; please report this as a feedkit bug)")


def test_a_body_that_cannot_be_read_again_is_a_problem(tmp_path: Path) -> None:
    file = tmp_path / "gone.md"
    file.write_text("---\ntitle: x\n---\nbody", encoding="utf-8")
    article = make_article(slug="gone", body=Body(file=str(file), offset=20,
                                                  stamp=(file.stat().st_size,
                                                         file.stat().st_mtime_ns)))
    file.unlink()
    result = render_bodies([article], read=read_body)
    assert result.bodies == {} and result.failed == {"gone.md"}
    assert result.problems[0].message.startswith("cannot be read again: ")


def test_a_body_edited_since_it_was_loaded_is_not_read_at_the_wrong_place(tmp_path: Path) -> None:
    file = tmp_path / "edited.md"
    file.write_text("---\ntitle: x\n---\nbody", encoding="utf-8")
    stamp = (file.stat().st_size, file.stat().st_mtime_ns)
    file.write_text("---\ntitle: a much longer title now\n---\nbody", encoding="utf-8")
    article = make_article(slug="edited", body=Body(file=str(file), offset=20, stamp=stamp))
    result = render_bodies([article], read=read_body)
    assert result.failed == {"edited.md"}
    assert "changed while feedkit was running" in result.problems[0].message


def test_rendering_in_worker_processes_equals_rendering_here() -> None:
    articles = [make_article(slug=f"a{i}", body=f"# Part {i}\n\nSee [x](rel/{i}/) *now*.\n"
                             f"<script>bad()</script>") for i in range(PARALLEL_FROM + 5)]
    here = render_bodies(articles, read=read_body, pool=Pool(workers=1))
    pooled = render_bodies(articles, read=read_body, pool=Pool(workers=2))
    assert pooled == here and len(here.bodies) == len(articles)


def test_a_check_keeps_what_it_needs_and_not_the_html() -> None:
    article = make_article(body="Text <script>x()</script>")
    result = render_bodies([article], read=read_body, keep_html=False)
    assert result.bodies[article.key].html == "" and result.bodies[article.key].unsafe
