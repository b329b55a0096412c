"""Articles → ``Digest``: the email's subject, inlined-CSS HTML and plain-text twin.

jinja2 renders the templates (the publisher's folder first, then the built-in ones), premailer
inlines the CSS with the network off. Pure: no sending, no state, no files written. An article
with no description shows the summary of its rendered body, passed in as ``summaries``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import jinja2

from feedkit.model import Article, Site
from feedkit.render.templates import templates_dir
from feedkit.selection import Window
from feedkit.settings import DigestSettings
from feedkit.text import excerpt

SIZE_BUDGET = 100_000  # Gmail clips messages over 102 KB; keep a margin for headers
DESCRIPTION_SHORT = 160
_SPACER = "\u034f\u200c\u00a0" * 90  # keeps clients from filling the preview with body text
_NO_HERO = (".webp", ".svg", ".svgz", ".avif")  # Outlook and older clients do not show them


@dataclass(frozen=True, slots=True)
class Digest:
    """A rendered digest. ``id`` and ``message_id`` derive from its articles alone, so the same
    articles always make the same message (and a re-send carries the same Message-ID)."""

    id: str
    subject: str
    html: str
    text: str
    message_id: str
    window: Window
    articles: tuple[Article, ...]
    article_ids: tuple[str, ...]
    updated: tuple[Article, ...]
    archive_name: str
    notes: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.html.encode("utf-8"))


def digest_id(ids: Sequence[str]) -> str:
    """A short stable id for a set of article ids (order does not matter)."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:16]


def _environment(settings: DigestSettings) -> jinja2.Environment:
    folders = [str(settings.templates)] if settings.templates else []
    folders.append(str(templates_dir() / "email"))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",),
                                            default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["wrap"] = _wrap
    return env


def _wrap(text: str, width: int = 72, indent: str = "") -> str:
    return textwrap.fill(str(text), width=width, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _date(moment: datetime, site: Site) -> str:
    """"5 February 2025" (with ", 09:30" when not midnight), never via the host locale."""
    local = moment.astimezone(site.timezone)
    day = f"{local.day} {_MONTHS[local.month - 1]} {local.year}"
    return day if (local.hour, local.minute) == (0, 0) else f"{day}, {local:%H:%M}"


def _window_label(window: Window, site: Site) -> str:
    zone = site.timezone.key if hasattr(site.timezone, "key") else str(site.timezone)
    since, until = window.since.astimezone(site.timezone), window.until.astimezone(site.timezone)
    return f"New from {since:%Y-%m-%d %H:%M} to {until:%Y-%m-%d %H:%M} ({zone})"


def _hero(article: Article) -> dict[str, str] | None:
    image = article.hero_image
    if image is None or not image.url.startswith("https://"):
        return None
    if urlsplit(image.url).path.lower().endswith(_NO_HERO):
        return None
    return {"url": image.url, "alt": image.alt}


def _item(article: Article, site: Site, description: str, *, short: bool,
          hero: bool) -> dict[str, Any]:
    cta = None
    if article.cta is not None:
        # Outlook's VML button needs pixel sizes: about 9 px a character at 16 px bold, and one
        # more 22 px line for each time the text wraps inside the 536 px usable width
        width = min(536, max(180, 40 + 9 * len(article.cta.text)))
        lines = -(-(9 * len(article.cta.text)) // (width - 40))
        url = article.cta.url
        if url and not url.startswith(("https://", "http://", "mailto:")):
            url = None
        cta = {"text": article.cta.text, "url": url, "vml_width": width,
               "vml_height": 22 + 22 * max(1, lines)}
    description = excerpt(description, DESCRIPTION_SHORT) if short else description
    return {
        "title": article.title,
        "url": article.url,
        "subtitle": article.subtitle,
        "description": description,
        "date": _date(article.published, site),
        "updated": _date(article.modified, site),
        "hero": _hero(article) if hero else None,
        "cta": cta,
    }


def _subject(template: str, *, site: Site, count: int, window: Window,
             first_title: str) -> str:
    values = {
        "site_title": site.title,
        "count": str(count),
        "articles": "article" if count == 1 else "articles",
        "date": _last_day(window, site),
        "first_title": first_title,
    }
    subject = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)
    return " ".join(subject.split())  # one line: no header injection through CR/LF


def inline_css(html: str) -> str:
    """Move the CSS into style attributes (premailer, network off); @media rules stay in one
    <style> in the head; width/height attributes are never rewritten."""
    import cssutils  # noqa: F401 - imported for its logger
    from premailer import Premailer

    logging.getLogger("CSSUTILS").setLevel(logging.CRITICAL)
    return str(Premailer(
        html,
        allow_network=False,
        allow_loading_external_files=False,
        # no obsolete presentational attributes (the Nu checker rejects them); Outlook gets
        # its fixed width from the ghost table in conditional comments instead
        disable_basic_attributes=["align", "valign", "bgcolor", "width", "height"],
        cssutils_logging_level=logging.CRITICAL,
        remove_classes=False,
        strip_important=False,
        method="html",
    ).transform(pretty_print=False))


def _last_day(window: Window, site: Site) -> str:
    """The last day the window covers, in the site's time zone (``until`` is excluded)."""
    return (window.until - timedelta(microseconds=1)).astimezone(site.timezone).date().isoformat()


def _base(site: Site, articles: Sequence[Article], updated: Sequence[Article], *,
          window: Window, settings: DigestSettings) -> tuple[Digest, str | None]:
    ids = tuple(a.id for a in articles)
    did = digest_id(ids)
    archive_name = f"{_last_day(window, site)}-{did}.html"
    view_url = urljoin(settings.archive_url.rstrip("/") + "/", quote(archive_name)) \
        if settings.archive_url else None
    host = urlsplit(site.url).hostname or "localhost"
    return Digest(
        id=did, subject="", html="", text="", message_id=f"<digest-{did}@{host}>",
        window=window, articles=tuple(articles), article_ids=ids, updated=tuple(updated),
        archive_name=archive_name,
    ), view_url


def render_digest(site: Site, articles: Sequence[Article], *, window: Window,
                  settings: DigestSettings, summaries: Mapping[str, str] | None = None,
                  updated: Sequence[Article] = (), size_budget: int = SIZE_BUDGET) -> Digest:
    """Render the digest of ``articles`` (newest first), degrading to stay under the size
    budget: shorter descriptions, then no hero images below the first, then fewer items.
    ``summaries`` (by ``Article.key``) stand in for missing descriptions.

    When items are capped, the digest holds (and its id derives from) only the articles it
    shows; the email links to the site for the rest, which stay unsent.
    """
    env = _environment(settings)
    texts = {a.key: a.description or (summaries or {}).get(a.key, "")
             for a in (*articles, *updated)}
    own = settings.templates / "digest.css" if settings.templates else None
    css_file = own if own is not None and own.is_file() \
        else templates_dir() / "email" / "digest.css"
    css = css_file.read_text(encoding="utf-8")
    notes: list[str] = []
    shown = len(articles)

    def render(count: int, *, short: bool, heroes: bool) -> Digest:
        base, view_url = _base(site, articles[:count], updated, window=window,
                               settings=settings)
        return _render(env, css, site, base, len(articles) - count, short=short, heroes=heroes,
                       view_url=view_url, settings=settings, texts=texts)

    digest = render(shown, short=False, heroes=True)
    for note, heroes in (("descriptions shortened", True),
                         ("hero images dropped below the first article", False)):
        if digest.size <= size_budget:
            break
        notes.append(note)
        digest = render(shown, short=True, heroes=heroes)
    if digest.size > size_budget and shown > 1:
        # the most articles that fit, by bisection (each try is a full render)
        low, high, best = 1, shown - 1, None
        while low <= high:
            middle = (low + high) // 2
            candidate = render(middle, short=True, heroes=False)
            if candidate.size <= size_budget:
                best, low = (middle, candidate), middle + 1
            else:
                high = middle - 1
        shown, digest = best if best else (1, render(1, short=True, heroes=False))
    if shown < len(articles):
        notes.append(f"only the newest {shown} of {len(articles)} articles fit; the email links "
                     "to the site for the rest, which stay unsent for the next digest")
    dropped = [a.title for a in digest.articles if a.hero_image is not None
               and _hero(a) is None]
    if dropped:
        notes.append(f"{len(dropped)} hero image(s) left out of the email (not https, or WebP, "
                     f"SVG or AVIF, which Outlook does not show): {', '.join(dropped[:3])}")
    if digest.size > size_budget:
        notes.append(f"the digest is {digest.size:,} bytes, over the {size_budget:,} "
                     "byte budget (Gmail clips it)")
    return replace(digest, notes=tuple(n for n in notes if n))


def _render(env: jinja2.Environment, css: str, site: Site, base: Digest, more: int, *,
            short: bool, heroes: bool, view_url: str | None, settings: DigestSettings,
            texts: Mapping[str, str]) -> Digest:
    articles = base.articles
    items = [_item(a, site, texts[a.key], short=short, hero=heroes or i == 0)
             for i, a in enumerate(articles)]
    updated = [_item(a, site, texts[a.key], short=True, hero=False) for a in base.updated]
    subject = _subject(settings.subject, site=site, count=len(base.articles),
                       window=base.window, first_title=articles[0].title if articles else "")
    context = {
        "site": site,
        "lang": site.language,
        "subject": subject,
        "preheader": excerpt(texts[articles[0].key], 140) if articles else "",
        "spacer": _SPACER,
        "css": css,
        "window": {"label": _window_label(base.window, site)},
        "items": items,
        "updated": updated,
        "more": more,
        "view_url": view_url,
        "unsubscribe_url": settings.unsubscribe_url,
    }
    html = inline_css(env.get_template("digest.html.j2").render(context))
    text = env.get_template("digest.txt.j2").render(context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return replace(base, subject=subject, html=html, text=text)
