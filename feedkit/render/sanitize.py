"""HTML made safe for a feed reader or a mail client, with nh3: only an allow-list of tags,
attributes and classes; no script, style, frames, forms or event handlers; only http, https and
mailto links; every relative URL made absolute. Pure functions.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import nh3

from feedkit.model import SAFE_SCHEMES
from feedkit.text import strip_controls

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


# "[^<>]*", not "[^>]*": each "<" is scanned only up to the next "<", so a text of thousands of
# "<" with no ">" takes linear time, not quadratic
_UNSAFE = re.compile(
    r"<\s*(script|iframe|object|embed|form|style)\b|<[^<>]*\son[a-z]+\s*=|javascript\s*:", re.I
)


def has_unsafe_markup(text: str) -> bool:
    """Whether ``text`` holds script, frames, forms or event handlers (which ``sanitize``
    removes): worth telling the author."""
    return _UNSAFE.search(text) is not None


def _absolute(url: str, base: str) -> str | None:
    url = url.strip()
    try:
        joined = urljoin(base, url)
        scheme = urlsplit(joined).scheme.lower()
    except ValueError:
        return None
    return joined if scheme in SAFE_SCHEMES else None


def srcset_candidates(value: str) -> list[tuple[str, str]]:
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


def _absolute_srcset(value: str, base: str, *, relative: bool = True) -> str | None:
    """``srcset`` with each candidate's URL made absolute; without ``relative``, a candidate
    with a relative path is dropped instead."""
    candidates = []
    for url, descriptor in srcset_candidates(value):
        if not relative and is_relative_path(url):
            continue
        absolute = _absolute(url, base)
        if absolute is not None and absolute.startswith(("http://", "https://")):
            candidates.append(f"{absolute} {descriptor}".strip())
    return ", ".join(candidates) or None


def is_relative_path(url: str) -> bool:
    """A path relative to the page: no scheme, not ``/``-rooted, not a fragment."""
    url = url.strip()
    return bool(url) and not url.startswith(("/", "#", "?")) and not urlsplit(url).scheme


def sanitize(fragment: str, base_url: str, *, relative_images: bool = True) -> str:
    """Safe HTML: no script, style, iframe, form or event handlers; only http, https and mailto
    URLs; every relative ``href``, ``src``, ``srcset`` and ``poster`` made absolute against
    ``base_url``.

    >>> sanitize('<p onclick="x()">Hi <a href="../b/">b</a><script>bad()</script></p>',
    ...          "https://example.org/a/")
    '<p>Hi <a href="https://example.org/b/" rel="noopener noreferrer">b</a></p>'
    """

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if not relative_images and tag in ("img", "source") and attr == "src" \
                and is_relative_path(value):
            return None  # a path the generator rewrote at build time: no URL is known
        if attr == "srcset":
            return _absolute_srcset(value, base_url, relative=relative_images)
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
    if not relative_images:  # an image whose path was left out is left out whole
        cleaned = _IMG_WITHOUT_SRC.sub("", cleaned)
    return strip_controls(cleaned)


# in nh3's output: every attribute quoted, no ">" inside one
_IMG_WITHOUT_SRC = re.compile(r'<img(?![^<>]*\ssrc=")[^<>]*>')
