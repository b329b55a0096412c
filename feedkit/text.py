"""Plain text made safe for every output: control characters removed, mojibake repaired, markup
stripped, white space collapsed; excerpts and slugs. Pure functions; nothing here reads files or
renders Markdown.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata
from typing import Any

import nh3

# Characters XML 1.0 forbids (and C1 controls, DEL, noncharacters, lone surrogates): never useful
# in a feed or an email, and each would make a feed invalid.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")

# UTF-8 read as Windows-1252 or Latin-1 always leaves a lead character (Â to ï) followed by
# what a continuation byte (0x80-0xBF) decodes to; text without such a pair needs no repair,
# and ftfy (slow to import, slow to run) is never called for it.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00ef][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6"
    "\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc"
    "\u2122\u0161\u203a\u0153\u017e\u0178]"
)

# Bidirectional overrides and isolates: they can make a title read as something else
# (CVE-2021-42574 style), and a plain-text field never needs them.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """Remove characters that XML 1.0 forbids (keeping tab and newline)."""
    return _CONTROL.sub("", text)


def repair_text(text: str) -> str:
    """Fix mojibake such as ``â€“`` (UTF-8 read as Windows-1252) with ftfy, when there is any."""
    if text.isascii() or not _MOJIBAKE_HINT.search(text):
        return text
    return _fix_text(text)


def _fix_text(text: str) -> str:
    import ftfy
    from ftfy.badness import is_bad

    if not is_bad(text):
        return text
    config: Any = ftfy.TextFixerConfig(
        unescape_html=False,  # entities are markup here; plain_text() decodes them itself
        uncurl_quotes=False,  # curly quotes are typography, not damage
        fix_character_width=False,  # full-width forms are legitimate in CJK text
        fix_latin_ligatures=False,
        normalization=None,
        explain=False,
    )
    return str(ftfy.fix_text(text, config=config))


def plain_text(value: str) -> str:
    """A text field as plain text: mojibake repaired, tags stripped, entities decoded,
    control characters removed, white space collapsed.

    >>> plain_text("  Caf&eacute; <b>â€“</b> open\\x00 ")
    'Café – open'
    """
    text = repair_text(value)
    if "<" in text:
        text = nh3.clean(text, tags=set(), clean_content_tags={"script", "style"})
    if "&" in text:
        text = _html.unescape(text)
    return " ".join(_BIDI.sub("", strip_controls(text)).split())


def excerpt(text: str, limit: int = 280) -> str:
    """At most ``limit`` characters of plain text, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def slugify(text: str, limit: int = 80) -> str:
    """A URL- and file-safe slug: letters, digits, ``-`` and ``_`` (Unicode letters kept).

    >>> slugify("  Hello, Wörld! ../etc/passwd ")
    'hello-wörld-etc-passwd'
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w-]+", "-", text, flags=re.UNICODE)
    text = re.sub(r"-{2,}", "-", text).strip("-_")
    return text[:limit].rstrip("-_")
