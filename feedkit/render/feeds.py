"""Site + articles + rendered bodies → feed bytes: RSS 2.0, Atom 1.0 (feedgen) and JSON Feed 1.1
(json).

Every date, id and ordering is set here explicitly: feedgen's defaults stamp "now", reverse
entry order and write an invalid Atom ``type="CDATA"``. Pure: returns bytes, writes nothing;
the bodies come rendered (``bodies.render_bodies``), keyed by ``Article.key``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from urllib.parse import quote, urljoin

from feedgen.feed import FeedGenerator

from feedkit.dates import format_rfc3339
from feedkit.errors import RenderError
from feedkit.model import Article, Site
from feedkit.render.bodies import RenderedBody
from feedkit.settings import FeedSettings
from feedkit.text import plain_text, slugify, strip_controls

GENERATOR = "feedkit"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "updated" of a feed with no items: never "now"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed to render: where it lives (relative to the output folder) and what it holds."""

    path: str  # e.g. "feed.xml", "tags/python/atom.xml"
    title: str
    articles: tuple[Article, ...]


def tag_slug(tag: str) -> str:
    """A safe file name for a tag's feeds: no ``/``, no ``..``, never empty; a tag with no
    letters or digits gets a name from its hash, so two such tags never share a feed.

    >>> tag_slug("../etc/passwd"), tag_slug("C++"), tag_slug("Café Society"), tag_slug("🚀")
    ('etc-passwd', 'c', 'café-society', 'tag-ebbc0b28')
    """
    return slugify(tag, limit=60) or f"tag-{hashlib.sha256(tag.encode()).hexdigest()[:8]}"


Bodies = Mapping[str, RenderedBody]


def bodies_needed(plan: Sequence[Feed], options: FeedSettings) -> list[Article]:
    """The articles of ``plan`` whose rendered body the feeds use (each once): every one for
    full content, else those with no description (their summary stands in for it)."""
    needed = {a.key: a for feed in plan for a in feed.articles
              if options.content == "full" or not a.description}
    return list(needed.values())


def _body(article: Article, bodies: Bodies) -> RenderedBody:
    try:
        return bodies[article.key]
    except KeyError:
        raise RenderError(f"{article.key}: no rendered body (render the bodies of "
                          "bodies_needed(plan) first)") from None


def summary(article: Article, bodies: Bodies) -> str:
    """The article's description, else the start of its body as plain text."""
    return article.description or _body(article, bodies).summary


def item_html(article: Article, options: FeedSettings, bodies: Bodies) -> str:
    """The HTML a reader shows: the hero image first, then the body (or the summary), then
    the call to action — a link when it has a URL, text when it has none."""
    parts = []
    if article.hero_image is not None:
        parts.append(f'<p><img src="{escape(article.hero_image.url)}" '
                     f'alt="{escape(article.hero_image.alt)}"></p>')
    if options.content == "full":
        parts.append(_body(article, bodies).html)
    elif text := summary(article, bodies):
        parts.append(f"<p>{escape(text)}</p>")
    if article.cta is not None:
        text = escape(article.cta.text)
        parts.append(f'<p><a href="{escape(article.cta.url)}">{text}</a></p>'
                     if article.cta.url else f"<p><strong>{text}</strong></p>")
    return "\n".join(parts)


def _updated(articles: Sequence[Article]) -> datetime:
    return max((a.modified for a in articles), default=EPOCH)


def _authors(article: Article, site: Site) -> list[dict[str, str]]:
    authors = [{"name": a.name, **({"email": a.email} if a.email else {}),
                **({"uri": a.url} if a.url else {})} for a in article.authors]
    if not authors and site.author:
        authors = [{"name": site.author, **({"email": site.author_email}
                                             if site.author_email else {})}]
    return authors


def _xml_text(value: str) -> str:
    # article fields are plain text already (content.py); this guards XML against the rest
    return strip_controls(value)


_TAG_LIKE = re.compile(r"<[A-Za-z/!?]")


def _rss_safe_title(title: str) -> str:
    """RSS titles are text, but many readers show them as HTML: a title holding something
    that looks like a tag ("Use <script> tags", from "&lt;script&gt;" in front matter) is
    escaped so it stays text there; "a < b" and "A & B" are left as they are."""
    return escape(title, quote=False) if _TAG_LIKE.search(title) else title


def _site_text(value: str) -> str:
    # site strings come from feedkit.toml as typed: readers often show titles as HTML
    return plain_text(value)


def _generator(site: Site, feed: Feed, options: FeedSettings, bodies: Bodies, *,
               atom: bool) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("media", atom=True, rss=True)
    fg.load_extension("dc", atom=False, rss=True)
    self_url = urljoin(site.url, quote(feed.path))
    fg.id(self_url)
    fg.title(_site_text(feed.title))
    description = _site_text(site.description or site.title)
    if atom:
        fg.subtitle(description)
        fg.link(href=site.url, rel="alternate", type="text/html")
        fg.link(href=self_url, rel="self", type="application/atom+xml")
    else:
        fg.description(description)
        fg.link(href=self_url, rel="self", type="application/rss+xml")
        fg.link(href=site.url, rel="alternate")
    fg.language(site.language)
    if site.author:
        fg.author({"name": _site_text(site.author),
                   **({"email": site.author_email} if site.author_email else {})})
    fg.generator(GENERATOR)
    if options.icon:
        fg.icon(urljoin(site.url, options.icon))
    if options.logo:
        logo = urljoin(site.url, options.logo)
        fg.logo(logo) if atom else fg.image(url=logo, title=_site_text(feed.title), link=site.url)
    updated = _updated(feed.articles)
    fg.updated(updated)  # atom:updated and rss:lastBuildDate, never the build time
    if not atom:
        fg.docs("https://www.rssboard.org/rss-specification")
    for article in feed.articles:
        _add_entry(fg, article, site, options, bodies, atom=atom)
    return fg


def _add_entry(fg: FeedGenerator, article: Article, site: Site, options: FeedSettings,
               bodies: Bodies, *, atom: bool) -> None:
    fe = fg.add_entry(order="append")  # feedgen prepends by default, reversing the order
    fe.guid(article.id, permalink=article.id == article.url)
    fe.title(_rss_safe_title(_xml_text(article.title)) if not atom else _xml_text(article.title))
    fe.link(href=article.url, rel="alternate", type="text/html")
    fe.published(article.published)
    fe.updated(article.modified)  # feedgen would stamp "now"
    text = summary(article, bodies)
    if text:
        if atom:
            fe.summary(_xml_text(text))
        else:
            # RSS readers render <description> as HTML: the plain-text summary must reach them
            # as text, so "<script>" in it is written &amp;lt;script&amp;gt; (W3C: SecurityRisk)
            fe.description(escape(_xml_text(text), quote=False))
    html = item_html(article, options, bodies)
    if html and (atom or options.content == "full" or not text):
        fe.content(html, type="html")  # RSS: content:encoded beside the description
    authors = _authors(article, site)
    if atom and not authors:  # RFC 4287 4.1.1: an entry needs an author if the feed has none
        authors = [{"name": _site_text(site.title)}]
    if atom:
        for author in authors:
            fe.author(author)
    else:
        for author in authors:
            fe.dc.dc_creator(author["name"])
    for tag in article.tags:
        fe.category(term=_xml_text(tag), label=_xml_text(tag))
    if article.hero_image is not None:
        fe.media.content(url=article.hero_image.url, medium="image", group=None)
        fe.media.thumbnail(url=article.hero_image.url, group=None)


def _with_stylesheet(xml: bytes, xsl_href: str | None) -> bytes:
    if not xsl_href:
        return xml
    declaration_end = xml.index(b"?>") + 2
    pi = f'\n<?xml-stylesheet href="{escape(xsl_href)}" type="text/xsl"?>'.encode()
    return xml[:declaration_end] + pi + xml[declaration_end:]


def render_rss(site: Site, feed: Feed, options: FeedSettings, *, bodies: Bodies,
               xsl_href: str | None = None) -> bytes:
    """RSS 2.0 with the content, atom (self link), dc and media namespaces."""
    fg = _generator(site, feed, options, bodies, atom=False)
    return _with_stylesheet(fg.rss_str(pretty=True, encoding="UTF-8"), xsl_href)


def render_atom(site: Site, feed: Feed, options: FeedSettings, *, bodies: Bodies,
                xsl_href: str | None = None) -> bytes:
    """Atom 1.0 with ``content type="html"`` and the media namespace."""
    fg = _generator(site, feed, options, bodies, atom=True)
    return _with_stylesheet(fg.atom_str(pretty=True, encoding="UTF-8"), xsl_href)


def render_json(site: Site, feed: Feed, options: FeedSettings, *, bodies: Bodies) -> bytes:
    """JSON Feed 1.1, built from the model with a fixed key order."""
    document: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": _site_text(feed.title),
        "home_page_url": site.url,
        "feed_url": urljoin(site.url, quote(feed.path)),
    }
    if site.description:
        document["description"] = _site_text(site.description)
    if options.icon:
        document["favicon"] = urljoin(site.url, options.icon)
    if options.logo:
        document["icon"] = urljoin(site.url, options.logo)
    if site.author:
        document["authors"] = [{"name": _site_text(site.author)}]
    document["language"] = site.language
    items = []
    for article in feed.articles:
        item: dict[str, object] = {
            "id": article.id,
            "url": article.url,
            "title": article.title,
            "content_html": item_html(article, options, bodies),
        }
        if text := summary(article, bodies):
            item["summary"] = text
        if article.hero_image is not None:
            item["image"] = article.hero_image.url
        item["date_published"] = format_rfc3339(article.published)
        item["date_modified"] = format_rfc3339(article.modified)
        authors = [{"name": a.name, **({"url": a.url} if a.url else {})}
                   for a in article.authors]
        if authors:
            item["authors"] = authors
        if article.tags:
            item["tags"] = list(article.tags)
        items.append(item)
    document["items"] = items
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _relative_xsl(feed_path: str, xsl_name: str) -> str:
    depth = feed_path.count("/")
    return "../" * depth + xsl_name


def plan_feeds(site: Site, articles: Sequence[Article], options: FeedSettings) -> list[Feed]:
    """The site feeds (the newest ``options.limit`` articles) and one per tag (the newest
    ``options.tag_limit``; 0 means all).

    ``articles`` are the publishable ones, newest first.
    """
    limit = options.limit or None
    feeds = [Feed("feed.xml", site.title, tuple(articles[:limit]))]
    slugs = _TagSlugs()
    by_slug: dict[str, tuple[str, list[Article]]] = {}
    for article in articles:
        # two tags of one article may share a slug ("C++" and "C"): count the article once,
        # under the first of them
        for tag in article.tags:
            name, members = by_slug.setdefault(slugs[tag], (tag, []))
            if not members or members[-1] is not article:
                members.append(article)
    for slug in sorted(by_slug):
        name, members = by_slug[slug]
        feeds.append(Feed(f"tags/{slug}/feed.xml", f"{site.title}: {name}",
                          tuple(members[:options.tag_limit or None])))
    return feeds


class _TagSlugs(dict[str, str]):
    """``tag_slug`` of each tag, computed once however many articles carry it."""

    def __missing__(self, tag: str) -> str:
        slug = self[tag] = tag_slug(tag)
        return slug


def shared_tag_feeds(articles: Sequence[Article]) -> dict[str, list[str]]:
    """Tag feed names that several distinct tags map to ("a/b" and "a-b"), with the tags."""
    slugs = _TagSlugs()
    names: dict[str, dict[str, None]] = {}
    for article in articles:
        for tag in article.tags:
            names.setdefault(slugs[tag], {})[tag] = None
    return {slug: list(tags) for slug, tags in sorted(names.items()) if len(tags) > 1}


def render_feeds(site: Site, plan: Sequence[Feed], options: FeedSettings, *, bodies: Bodies,
                 xsl_name: str | None = "feed.xsl") -> dict[str, bytes]:
    """Every feed file of ``plan`` (``plan_feeds``), keyed by its path in the output folder
    (sorted). ``bodies`` holds the rendered body of each of ``bodies_needed(plan, options)``."""
    outputs: dict[str, bytes] = {}
    for feed in plan:
        folder = feed.path.rsplit("/", 1)[0] + "/" if "/" in feed.path else ""
        xsl = _relative_xsl(feed.path, xsl_name) if xsl_name else None
        outputs[feed.path] = render_rss(site, feed, options, bodies=bodies, xsl_href=xsl)
        atom = Feed(f"{folder}atom.xml", feed.title, feed.articles)
        outputs[atom.path] = render_atom(site, atom, options, bodies=bodies, xsl_href=xsl)
        if not folder:
            outputs["feed.json"] = render_json(site, Feed("feed.json", feed.title,
                                                          feed.articles), options,
                                               bodies=bodies)
    return dict(sorted(outputs.items()))
