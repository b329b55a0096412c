"""Bodies and text fields made safe: Markdown rendering, fenced-HTML unwrapping, mojibake repair,
sanitizing with nh3, absolute URLs, plain-text excerpts.

Pure functions of their arguments (article bodies are read through ``Article.body``); no files,
no templates.
"""

from __future__ import annotations

import html as _html
import logging
import re
import signal
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import nh3

from feedkit.model import SAFE_SCHEMES, BodyFormat
from feedkit.text import repair_text, strip_controls

if TYPE_CHECKING:
    import markdown

    from feedkit.model import Article

log = logging.getLogger(__name__)

_TAGS = set(nh3.ALLOWED_TAGS) | {"picture", "source", "video", "audio", "track", "section"}
_ATTRIBUTES: dict[str, set[str]] = {k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()}
for _tag, _names in {
    "img": {"src", "srcset", "sizes", "alt", "title", "width", "height", "loading"},
    "source": {"src", "srcset", "sizes", "type", "media"},
    "video": {"src", "poster", "controls", "width", "height"},
    "audio": {"src", "controls"},
    "track": {"src", "kind", "srclang", "label"},
    "a": {"href", "title", "hreflang"},
    "sup": {"id"},
    "li": {"id"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
}.items():
    _ATTRIBUTES.setdefault(_tag, set()).update(_names)
# class attributes are governed by allowed_classes alone (ammonia refuses both at once)
_CLASSES = {
    "code": {f"language-{lang}" for lang in (
        "python", "js", "javascript", "ts", "typescript", "html", "css", "json", "yaml", "toml",
        "bash", "sh", "shell", "console", "text", "go", "rust", "c", "cpp", "java", "sql", "diff",
        "ruby", "php", "xml", "markdown", "md", "kotlin", "swift", "csharp")},
    "div": {"footnote"},
}

_FENCED_HTML = re.compile(r"\A\s*(`{3,}|~{3,})[ \t]*html[ \t]*\n(.*?)\n[ \t]*\1[ \t]*\s*\Z",
                          re.S | re.I)


def _new_markdown() -> markdown.Markdown:
    import markdown  # deferred: only bodies that an output includes are rendered

    return markdown.Markdown(extensions=["tables", "fenced_code", "footnotes", "sane_lists"],
                             output_format="html")


_md: markdown.Markdown | None = None


_UNSAFE = re.compile(
    r"<\s*(script|iframe|object|embed|form|style)\b|<[^>]*\son[a-z]+\s*=|javascript\s*:", re.I
)


def has_unsafe_markup(text: str) -> bool:
    """Whether ``text`` holds script, frames, forms or event handlers (which ``sanitize``
    removes): worth telling the author."""
    return _UNSAFE.search(text) is not None


def unwrap_fenced_html(text: str) -> str | None:
    """The inside of a body that is one fenced ```` ```html ```` block, else None."""
    m = _FENCED_HTML.match(text)
    return m.group(2) if m else None


MARKDOWN_BUDGET = 5.0  # seconds for one body: a 5 MB article renders in about 3.5 s


class _OverBudget(Exception):
    pass


@contextmanager
def _time_budget(seconds: float) -> Iterator[None]:
    """Raise ``_OverBudget`` in this thread after ``seconds`` (main thread on Unix only:
    elsewhere the budget is not enforced)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _OverBudget

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_markdown(text: str, *, budget: float = MARKDOWN_BUDGET) -> str:
    """Markdown to (unsanitized) HTML, with tables, fenced code and footnotes.

    Python-Markdown is slow on some inputs (thousands of ``[^`` or ``[](`` in one paragraph
    take minutes), and a body nested deeply enough overflows its parser. Such a body is kept
    as escaped text, with a warning; the parser is then replaced, because a failed conversion
    leaves state behind that spoils every later body.
    """
    global _md
    if _md is None:
        _md = _new_markdown()
    _md.reset()
    try:
        with _time_budget(budget):
            return _md.convert(text)
    except (RecursionError, _OverBudget) as exc:
        _md = _new_markdown()
        reason = "is nested too deeply" if isinstance(exc, RecursionError) else \
            f"took over {budget:g} s"
        log.warning("a body %s to render as Markdown (it starts %r); it is shown as plain "
                    "text", reason, text[:40])
        return f"<pre>{_html.escape(text)}</pre>"


def _absolute(url: str, base: str) -> str | None:
    url = url.strip()
    try:
        joined = urljoin(base, url)
        scheme = urlsplit(joined).scheme.lower()
    except ValueError:
        return None
    return joined if scheme in SAFE_SCHEMES else None


def _srcset_candidates(value: str) -> list[tuple[str, str]]:
    """(url, descriptor) pairs, split as the HTML standard does: a URL may hold commas; a
    comma ends a candidate only after white space or at the URL's end."""
    candidates, i, n = [], 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        descriptor = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            end = value.find(",", i)
            end = n if end == -1 else end
            descriptor, i = " ".join(value[i:end].split()), end + 1
        if url:
            candidates.append((url, descriptor))
    return candidates


def _absolute_srcset(value: str, base: str) -> str | None:
    candidates = []
    for url, descriptor in _srcset_candidates(value):
        absolute = _absolute(url, base)
        if absolute is not None and absolute.startswith(("http://", "https://")):
            candidates.append(f"{absolute} {descriptor}".strip())
    return ", ".join(candidates) or None


def sanitize(fragment: str, base_url: str) -> str:
    """Safe HTML: no script, style, iframe, form or event handlers; only http, https and mailto
    URLs; every relative ``href``, ``src``, ``srcset`` and ``poster`` made absolute against
    ``base_url``.

    >>> sanitize('<p onclick="x()">Hi <a href="../b/">b</a><script>bad()</script></p>',
    ...          "https://example.org/a/")
    '<p>Hi <a href="https://example.org/b/" rel="noopener noreferrer">b</a></p>'
    """

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr == "srcset":
            return _absolute_srcset(value, base_url)
        if attr == "poster":
            return _absolute(value, base_url)
        return value

    cleaned = nh3.clean(
        fragment,
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes=set(SAFE_SCHEMES),
        url_relative=("rewrite_with_base", base_url),
        allowed_classes=_CLASSES,
    )
    return strip_controls(cleaned)


def body_to_html(text: str, body_format: BodyFormat) -> str:
    """Unsanitized HTML from a body: Markdown rendered, a lone fenced ```html block unwrapped."""
    text = repair_text(text)
    if body_format is BodyFormat.HTML:
        return text
    inner = unwrap_fenced_html(text)
    return inner if inner is not None else render_markdown(text)


# Rendered bodies by (article, body): Article equality ignores the body, and a file edited on
# disk gets a new FileBody (its stamp changes). Bounded, oldest dropped first.
_RENDERED: OrderedDict[tuple[Article, object], str] = OrderedDict()
_RENDERED_MAX = 2048


def render_body(text: str, body_format: BodyFormat, url: str) -> str:
    """A body's text as safe HTML with URLs absolute against ``url`` (no caching)."""
    return sanitize(body_to_html(text, body_format), url).strip()


def render_article_body(article: Article) -> str:
    """The article's body as safe HTML with absolute URLs (rendered once per process)."""
    key = (article, article.body)
    html = _RENDERED.get(key)
    if html is None:
        html = render_body(article.body.read(), article.body.format, article.url)
        remember_rendered(article, html)
    else:
        _RENDERED.move_to_end(key)
    return html


def remember_at_least(count: int) -> None:
    """Keep at least ``count`` rendered bodies: a build that prepares the bodies of every
    item its feeds include needs all of them until the feeds are written, or each one
    evicted would be rendered again, once per feed."""
    global _RENDERED_MAX
    _RENDERED_MAX = max(_RENDERED_MAX, count)


def remember_rendered(article: Article, html: str) -> None:
    """Record ``html`` as the article's rendered body (from a cache or another process)."""
    _RENDERED[(article, article.body)] = html
    _RENDERED.move_to_end((article, article.body))
    while len(_RENDERED) > _RENDERED_MAX:
        _RENDERED.popitem(last=False)
