"""The URLs in front matter: the article's own (``canonical_url``, ``url``, ``path``,
``permalink``, else ``site.url/slug/``), its hero image's and its call to action's. Each is made
absolute against the article, percent-encoded, and kept only when it is http(s) (or mailto, for a
call to action); anything else is a warning and left out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin, urlsplit

from feedkit.errors import clip
from feedkit.model import SAFE_SCHEMES, CallToAction, Image, is_absolute_http_url
from feedkit.text import plain_text

if TYPE_CHECKING:
    from feedkit.load.aliases import Reader
    from feedkit.load.permalinks import Place, UrlRules

_URI_SAFE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")


def article_url(r: Reader, slug: str, site_url: str, *, rules: UrlRules | None = None,
                place: Place | None = None) -> tuple[str | None, bool]:
    """(the article's URL, whether it was made from the slug rather than given or made from a
    pattern); a URL of None: the article has no page of its own (Eleventy's
    ``permalink: false``), with a warning."""
    from feedkit.load.permalinks import PatternError, article_path, contained, expand, finish

    generator = rules.generator if rules is not None else "feedkit"
    for canonical in ("url", "path"):
        raw = r.find(canonical)
        if raw is not None and isinstance(raw[1], bool):
            if raw[1] is False and generator == "eleventy":
                r.warn(raw[0], "false: the article has no page of its own, so no link for a "
                       "feed; left out", "remove it to publish the article")
                return None, False
            continue  # "permalink: true/false" elsewhere: no URL to take
        hit = r.text(canonical)
        if hit is None:
            continue
        key, value = hit
        if canonical == "path" or urlsplit(value).scheme == "":
            if rules is not None and place is not None and _is_pattern(value):
                try:
                    relative = expand(value, rules, place)
                except PatternError as exc:
                    r.warn(key, *exc.args)
                    continue
            elif rules is not None and generator != "feedkit":
                relative = finish(_with_slash(value, generator), rules)
            elif _is_pattern(value):
                r.warn(key, f"{value!r} is a pattern; patterns are not expanded",
                       "write the article's own path")
                continue
            else:
                relative = quote(contained(_with_slash(value, generator)),
                                 safe="/%:@!$&'()*+,;=-._~")
            value = _under(site_url, relative)
        if urlsplit(value).scheme in ("http", "https") and urlsplit(value).hostname:
            return value, False
        r.warn(key, f"{value!r} is not an http(s) URL; ignored", "use an absolute https URL")
    if rules is not None and place is not None:
        try:
            path = article_path(rules, place)
        except PatternError:  # said once for the site (permalinks.pattern_errors)
            path = None
        if path is not None:
            return _under(site_url, path), False
    return site_url + quote(slug, safe="") + "/", True  # site_url always ends in "/"


def _under(site_url: str, relative: str) -> str:
    """``relative`` (no ``..`` left in it) joined under ``site_url``: "./" first, so that a
    first segment with a colon (``c:notes``) is a path, never a scheme."""
    return urljoin(site_url, "./" + relative)


def _is_pattern(value: str) -> bool:
    return bool(re.search(r"(^|/|\w):[a-z_]+|\{\{|\{%|\{\w+(:[^{}]*)?\}", value))


def _with_slash(value: str, generator: str) -> str:
    """A path as written, with the trailing ``/`` its generator adds: Jekyll keeps it as it
    is; the others add one unless the last segment has an extension (Zola: always)."""
    relative = value.strip()
    if generator == "jekyll" or not relative or relative.endswith("/"):
        return relative
    last = relative.rsplit("/", 1)[-1]
    return relative + "/" if generator == "zola" or "." not in last else relative


def _image_url(value: object) -> object:
    if isinstance(value, list):
        return _image_url(value[0]) if value else None
    if isinstance(value, dict):
        for k in ("src", "url", "image", "path"):
            if value.get(k):
                return value[k]
        return None
    return value


def hero_image(r: Reader, article_url: str, title: str, *, site_url: str | None = None,
               rules: UrlRules | None = None, place: Place | None = None) -> Image | None:
    """The hero image, its alt text defaulting to the title; None when there is none, or
    when its path cannot be a URL (a warning says why: never a link that 404s)."""
    hit = r.find("hero_image")
    if hit is None:
        return None
    key, value = hit
    raw = _image_url(value)
    if not isinstance(raw, str) or not raw.strip():
        return None
    resolved = resource_url(raw.strip(), article_url=article_url, site_url=site_url,
                            rules=rules, place=place, key=key)
    if isinstance(resolved, Unmapped):
        r.warn(key, f"{clip(raw)!r} {resolved.why}; left out", resolved.hint)
        return None
    url = as_uri(resolved)
    if not is_absolute_http_url(url):
        r.warn(key, f"{clip(raw)!r} is not an http(s) image URL; ignored",
               "use an https URL or a path")
        return None
    alt_hit = r.text("hero_alt")
    alt = alt_hit[1] if alt_hit else ""
    if not alt and isinstance(value, dict) and value.get("alt"):
        alt = plain_text(str(value["alt"]))
    return Image(url, alt or title)


@dataclass(frozen=True, slots=True)
class Unmapped:
    """Why a resource path has no URL, and what to do."""

    why: str
    hint: str


_PELICAN_LINK = re.compile(r"^\{(static|attach|filename)\}/?")


def resource_url(raw: str, *, article_url: str, site_url: str | None = None,
                 rules: UrlRules | None = None, place: Place | None = None,
                 key: str = "") -> str | Unmapped:
    """The URL a front-matter resource path (a hero image) is published at, as the
    archive's generator (and its themes) resolve it; ``Unmapped`` when it has none.

    An absolute URL or a ``/``-rooted path is kept. A relative path is resolved against:
    the site for Jekyll (themes pass it through ``absolute_url``), for Hugo's ``images``
    and, outside a page bundle, for Hugo and Zola; the page for a bundle's own files and
    for the other generators; the content folder for Pelican's ``{static}``. A path that
    climbs out of the content folder (Astro's ``../../assets/x.jpg``) is a file of the
    source tree the generator processes at build time, as is any relative image of an
    Astro entry: no URL can be known for it.
    """
    if raw.startswith(("https://", "http://", "//")) or urlsplit(raw).scheme:
        return raw
    site = site_url or article_url
    generator = rules.generator if rules is not None else "feedkit"
    if raw.startswith("/"):
        return urljoin(article_url, raw)
    pelican = _PELICAN_LINK.match(raw)
    if pelican:
        rest = raw[pelican.end():]
        if pelican.group(1) == "attach":
            return urljoin(article_url, rest)
        return urljoin(site, rest.lstrip("/"))
    if place is not None and _leaves(place.rel, raw):
        return Unmapped("is a path that leaves the content folder (a file of the site's "
                        "source, which its generator processes at build time)",
                        "use the image's published URL, e.g. /images/x.jpg or https://…")
    if generator == "astro":
        return Unmapped("is a path Astro turns into an optimized image at build time; its "
                        "URL is not known before", "use an image in public/ (/x.jpg) or an "
                        "https URL")
    bundle = place is not None and place.is_bundle and not raw.startswith("../")
    if generator == "jekyll" or (generator == "hugo" and key.lower() == "images") or (
            generator in ("hugo", "zola") and not bundle):
        return urljoin(site, raw)
    return urljoin(article_url, raw)


def _leaves(rel: str, raw: str) -> bool:
    """Whether ``raw``, relative to the file at ``rel`` (in the content folder), climbs out
    of the content folder."""
    depth = len(PurePosixPath(rel).parts) - 1
    for part in PurePosixPath(raw.split("?", 1)[0].split("#", 1)[0]).parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part != ".":
            depth += 1
    return False


def call_to_action(r: Reader, article_url: str) -> CallToAction | None:
    """The call to action: text with an http(s) or mailto link, or text alone."""
    hit = r.find("cta")
    text, url, url_key = "", None, None
    if hit is not None:
        key, value = hit
        if isinstance(value, dict):
            text = plain_text(str(value.get("text") or value.get("label") or
                                  value.get("title") or ""))
            raw = value.get("url") or value.get("href") or value.get("link")
            url, url_key = (str(raw), key) if raw else (None, None)
        elif isinstance(value, list):
            r.warn(key, "must be text or {text, url}, not a list; ignored")
        else:
            text = plain_text(str(value))
    url_hit = r.text("cta_url")
    if url_hit is not None and url is None:
        url_key, url = url_hit
    if url is not None:
        absolute = as_uri(_join(article_url, url.strip()))
        if urlsplit(absolute).scheme not in SAFE_SCHEMES or (
            urlsplit(absolute).scheme != "mailto" and not urlsplit(absolute).hostname
        ):
            r.warn(url_key or "cta", f"{clip(url)!r} is not an http(s) or mailto URL; "
                   "the call to action stays text", "use an https URL")
            url = None
        else:
            url = absolute
    if not text and url:
        text = "Read more"
    return CallToAction(text, url) if text else None


def _join(base: str, raw: str) -> str:
    """``urljoin`` with a shortcut for what is already an absolute http(s) URL."""
    return raw if raw.startswith(("https://", "http://")) else urljoin(base, raw)


def as_uri(url: str) -> str:
    """Percent-encode what a URI may not hold (spaces, non-ASCII), keeping existing escapes.

    >>> as_uri("https://cdn.example.org/a b/café.jpg?x=1")
    'https://cdn.example.org/a%20b/caf%C3%A9.jpg?x=1'
    """
    if _URI_SAFE.fullmatch(url):
        return url
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")
