"""The body stage: article bodies → ``RenderedBody`` values (sanitized HTML with absolute URLs,
and a plain-text summary), plus a ``Problem`` for each body that cannot be read or rendered.

No module state: ``render_bodies`` returns a new mapping each call and makes its own parsers,
so any number of threads may call it at once. Reading a body is the load stage's job, passed
in as ``read``; a ``Pool`` of worker processes is passed in too, never made here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from feedkit.errors import Problem, error, warning
from feedkit.model import Article, Body, BodyFormat
from feedkit.pool import Pool
from feedkit.render.markdown import HINTS, MarkdownRenderer
from feedkit.render.sanitize import (
    has_unsafe_markup,
    is_relative_path,
    sanitize,
    srcset_candidates,
)
from feedkit.text import excerpt, plain_text, repair_text

PARALLEL_FROM = 64  # fewer bodies than this render faster here than a pool starts
CHUNK = 16

_FENCED_HTML = re.compile(r"\A\s*(`{3,}|~{3,})[ \t]*html[ \t]*\n(.*?)\n[ \t]*\1[ \t]*\s*\Z",
                          re.S | re.I)


@dataclass(frozen=True, slots=True)
class RenderedBody:
    """One body, rendered: ``html`` is safe to publish; ``summary`` is its start as plain text,
    what stands in for a missing description (made only for an article that has none);
    ``unsafe`` says the source held script, frames, forms or event handlers (removed);
    ``degraded`` says why it is shown as plain text, when it is; ``unmapped`` are the
    relative image paths left out because no URL is known for them (an Astro entry's images,
    which Astro processes at build time)."""

    html: str
    summary: str = ""
    unsafe: bool = False
    degraded: str | None = None
    unmapped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rendered:
    """What ``render_bodies`` made: each body that rendered, by ``Article.key``, and a problem
    for each that could not (that article must be left out) or was shown as plain text."""

    bodies: dict[str, RenderedBody]
    problems: tuple[Problem, ...] = ()
    # keys of the articles whose body could not be read or rendered (derived once: callers
    # test every article against it)
    failed: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "failed", frozenset(
            p.path.as_posix() for p in self.problems if p.is_error and p.path is not None))


def unwrap_fenced_html(text: str) -> str | None:
    """The inside of a body that is one fenced ```` ```html ```` block, else None."""
    m = _FENCED_HTML.match(text)
    return m.group(2) if m else None


def body_to_html(text: str, body_format: BodyFormat, *,
                 markdown: MarkdownRenderer | None = None) -> tuple[str, str | None]:
    """(unsanitized HTML, why it is plain text or None): mojibake repaired, Markdown rendered,
    a body that is one fenced ```html block unwrapped, HTML left as it is."""
    text = repair_text(text)
    if body_format is BodyFormat.HTML:
        return text, None
    inner = unwrap_fenced_html(text)
    if inner is not None:
        return inner, None
    return (markdown or MarkdownRenderer()).render(text)


def render_body(text: str, body_format: BodyFormat, base_url: str, *,
                markdown: MarkdownRenderer | None = None, summary: bool = True,
                relative_images: bool = True) -> RenderedBody:
    """A body's text as a ``RenderedBody``, its URLs absolute against ``base_url``; with
    ``relative_images=False``, an image with a relative path is left out (and named in
    ``unmapped``) instead.

    >>> body = render_body("Hi *there* <script>x()</script>", BodyFormat.MARKDOWN,
    ...                    "https://example.org/a/")
    >>> body.html, body.summary, body.unsafe, body.degraded, body.unmapped
    ('<p>Hi <em>there</em> </p>', 'Hi there', True, None, ())
    """
    raw, degraded = body_to_html(text, body_format, markdown=markdown)
    unmapped = () if relative_images else relative_image_paths(raw)
    return RenderedBody(sanitize(raw, base_url, relative_images=relative_images).strip(),
                        excerpt(plain_text(raw)) if summary else "", has_unsafe_markup(text),
                        degraded, unmapped)


# A job for a worker: (key, body, base URL, whether a summary is wanted). A result: (key, the
# RenderedBody, or the error that leaves the article out).
_Job = tuple[str, Body, str, bool]
_Result = tuple[str, RenderedBody | Problem]


def _render_chunk(jobs: list[_Job], *, read: Callable[[Body], str],
                  keep_html: bool, relative_images: bool = True) -> list[_Result]:
    markdown = MarkdownRenderer()  # one parser for the chunk, never shared between threads
    results: list[_Result] = []
    for key, body, url, summary in jobs:
        try:
            text = read(body)
        except OSError as exc:
            results.append((key, error(Path(key), "body", "cannot be read again: "
                                       f"{exc.strerror or exc}", "it is left out this time; "
                                       "run feedkit again once the file is in place")))
            continue
        try:
            rendered = render_body(text, body.format, url, markdown=markdown, summary=summary,
                                   relative_images=relative_images)
        except Exception as exc:  # one bad body must not lose the others: it is reported
            markdown = MarkdownRenderer()
            results.append((key, error(Path(key), "body", "cannot be rendered "
                                       f"({type(exc).__name__}: {exc})",
                                       "it is left out; please report this as a feedkit bug")))
            continue
        results.append((key, rendered if keep_html else replace(rendered, html="")))
    return results


def render_bodies(articles: Iterable[Article], *, read: Callable[[Body], str],
                  pool: Pool | None = None, keep_html: bool = True,
                  relative_images: bool = True) -> Rendered:
    """Render the body of each article (once, however often it is listed), reading it with
    ``read``; in ``pool``'s worker processes when there are many (``read`` must then be a
    module-level function). ``keep_html=False`` keeps only what a check needs: no HTML, no
    summaries. ``relative_images=False`` leaves out images with relative paths (see
    ``render_body``).
    """
    jobs = list({a.key: (a.key, a.body, a.url, keep_html and not a.description)
                 for a in articles}.values())
    chunks = (pool or Pool(workers=1)).map_chunks(
        partial(_render_chunk, read=read, keep_html=keep_html,
                relative_images=relative_images), jobs,
        threshold=PARALLEL_FROM, size=CHUNK)
    bodies: dict[str, RenderedBody] = {}
    problems: list[Problem] = []
    for key, result in (r for chunk in chunks for r in chunk):
        if isinstance(result, RenderedBody):
            bodies[key] = result
            problems.extend(body_problems(Path(key), result))
        else:
            problems.append(result)
    return Rendered(bodies, tuple(problems))


def body_problems(path: Path, body: RenderedBody) -> list[Problem]:
    """What a rendered body has to report for the article at ``path``: a body shown as plain
    text is a warning (whether rendered now or taken from a cache)."""
    problems = []
    if body.degraded is not None:
        problems.append(warning(path, "body", f"{body.degraded}; it is shown as plain text",
                                HINTS.get(body.degraded)))
    if body.unmapped:
        shown = ", ".join(repr(p) for p in body.unmapped[:3]) + \
            (", …" if len(body.unmapped) > 3 else "")
        problems.append(warning(path, "body", f"the image(s) {shown} are paths the site's "
                                "generator turns into files of its own at build time; their "
                                "URLs are not known, so they are left out",
                                "use images in public/ (/x.jpg) or https URLs"))
    return problems


_IMAGE_TAG = re.compile(r"<(?:img|source)\b[^<>]*>", re.I)
_IMAGE_URLS = re.compile(r"""\s(src|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>]+))""", re.I)


def relative_image_paths(html: str) -> tuple[str, ...]:
    """The relative paths (not ``/…``, not a URL) in the ``src`` and ``srcset`` of each
    ``<img>`` and ``<source>`` in ``html``, in order.

    >>> relative_image_paths('<img src="../../assets/a.jpg"><img src="/b.png"><img src=c.png>')
    ('../../assets/a.jpg', 'c.png')
    """
    found: list[str] = []
    for tag in _IMAGE_TAG.finditer(html):
        for m in _IMAGE_URLS.finditer(tag.group()):
            value = (m.group(2) or m.group(3) or m.group(4) or "").strip()
            urls = [url for url, _ in srcset_candidates(value)] \
                if m.group(1).lower() == "srcset" else [value]
            found.extend(url for url in urls if url and is_relative_path(url))
    return tuple(dict.fromkeys(found))


def unsafe_markup(articles: Sequence[Article], rendered: Rendered) -> list[Problem]:
    """A warning for each article whose body held markup every output leaves out."""
    return [warning(a.path, "body", "contains script, frames, forms or event handlers; they "
                    "are removed from every output", "remove them from the article")
            for a in articles if a.key in rendered.bodies and rendered.bodies[a.key].unsafe]
