"""text.py: plain-text fields made safe, mojibake repaired, excerpts."""

from __future__ import annotations

import pytest

from feedkit.text import excerpt, plain_text, repair_text, strip_controls


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
