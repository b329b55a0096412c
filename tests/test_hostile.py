"""Whatever the input, no output carries script, event handlers or javascript: URLs, and
nothing is written outside the output folder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from feedtools import build_site, copy_site, read_outputs
from lxml import etree

from feedkit.render.feeds import tag_slug

# What a reader that renders a field as HTML would execute or follow.
DANGER = re.compile(
    r"<\s*(script|iframe|form|style|object|embed)\b|<[^>]*\son[a-z]+\s*=|"
    r"(href|src|srcset|poster|action)\s*=\s*[\"']?\s*javascript:",
    re.I,
)
# RSS and Atom fields readers show as HTML (RSS titles too: many readers do; Atom titles and
# summaries are type="text", which readers must show as text)
HTML_FIELDS = {"title", "description", "{http://purl.org/rss/1.0/modules/content/}encoded",
               "{http://www.w3.org/2005/Atom}content"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    root = copy_site("hostile", tmp_path_factory.mktemp("hostile"))
    report = build_site(root)
    return root, read_outputs(report.output_dir)


def _html_fields(name: str, data: bytes) -> list[str]:
    if name.endswith(".json"):
        doc = json.loads(data)
        return [item["content_html"] for item in doc["items"]]  # title, summary: plain text
    root = etree.fromstring(data)
    texts = [el.text or "" for el in root.iter() if isinstance(el.tag, str)
             and el.tag in HTML_FIELDS]
    texts += [value for el in root.iter() if isinstance(el.tag, str)
              for value in el.attrib.values()]
    return texts


def test_no_output_field_carries_script_handlers_or_javascript_urls(hostile) -> None:
    _, files = hostile
    checked = 0
    for name, data in files.items():
        if name == "feed.xsl":
            continue
        for text in _html_fields(name, data):
            checked += 1
            assert not DANGER.search(text), (name, text)
            assert not text.strip().lower().startswith("javascript:"), (name, text)
    assert checked > 50


def test_entity_encoded_markup_stays_text_in_rss(hostile) -> None:
    _, files = hostile
    root = etree.fromstring(files["feed.xml"])
    item = next(i for i in root.iter("item") if "wisely" in (i.findtext("title") or ""))
    assert item.findtext("title") == ("Use &lt;script&gt; tags &amp; &lt;img src=x "
                                      "onerror=alert(1)&gt; wisely")
    assert "&lt;script src=" in item.findtext("description")


def test_hostile_text_survives_as_text(hostile) -> None:
    _, files = hostile
    items = json.loads(files["feed.json"])["items"]
    titles = [i["title"] for i in items]
    assert "Hello ]]> & friends" in titles  # the tag is stripped, the rest stays
    fenced = next(i for i in items if i["title"] == "Fenced HTML with a script")
    assert "<p>Fine paragraph</p>" in fenced["content_html"]
    assert 'href="https://news.example.org/fenced-script/relative/page/"' in fenced["content_html"]
    assert 'src="https://news.example.org/images/pic.png"' in fenced["content_html"]
    assert "https://news.example.org/fenced-script/a.png 1x" in fenced["content_html"]


def test_path_like_tags_stay_inside_the_output_folder(hostile, tmp_path: Path) -> None:
    root, files = hostile
    assert all(not name.startswith(("/", "..")) and "/../" not in name for name in files)
    tag_folders = sorted({name.split("/")[1] for name in files if name.startswith("tags/")})
    assert tag_folders == sorted(["a-b-c", "etc-passwd", tag_slug(".."), "ünïcödé-tag"])
    assert not (root / "etc").exists() and not (root.parent / "etc").exists()
