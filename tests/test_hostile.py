"""Whatever the input, no output carries script, event handlers or javascript: URLs, and
nothing is written outside the output folder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from feedtools import build_site, copy_site, read_outputs

FORBIDDEN = re.compile(
    rb"<script|&lt;script|javascript:|\son[a-z]+\s*=|&lt;iframe|<iframe|&lt;form|&lt;style",
    re.I,
)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    root = copy_site("hostile", tmp_path_factory.mktemp("hostile"))
    report = build_site(root)
    return root, read_outputs(report.output_dir)


def test_no_output_contains_script_handlers_or_javascript_urls(hostile) -> None:
    _, files = hostile
    for name, data in files.items():
        if name == "feed.xsl":
            continue
        unescaped = data.replace(b"&amp;", b"&")
        assert not FORBIDDEN.search(unescaped), (name, FORBIDDEN.search(unescaped))
        if name.endswith(".json"):
            text = json.dumps(json.loads(data)).encode()
            assert not FORBIDDEN.search(text), name


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
    assert tag_folders == ["a-b-c", "etc-passwd", "tag", "ünïcödé-tag"]
    assert not (root / "etc").exists() and not (root.parent / "etc").exists()
