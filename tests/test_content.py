"""content.py: finding, decoding and splitting article files, and loading a whole folder.

Most behaviours are data: every ``fixtures/articles/**/X.ext`` has an ``X.expected.json`` sidecar
and ``test_fixture_loads_as_its_sidecar_expects`` walks them all. A sidecar holds:

- ``comment``: what the fixture shows;
- ``timezone`` (default ``UTC``) and ``max_file_size`` (default 5 MB): the site it loads into;
- ``article``: null when the file must not load, else the fields to compare (see ``_fields``;
  ``status`` is taken at the pinned ``NOW``);
- ``problems``: every problem, in order: ``severity``, ``field``, a ``message`` substring and,
  when given, the ``line``;
- ``html_contains`` / ``html_excludes``: substrings of the rendered, sanitized body.

The fixture's path below ``fixtures/articles`` is its path in the content folder (it sets the
slug and dates taken from file names and folders). Add a behaviour by adding a pair of files.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import tracemalloc
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from factories import NOW, SITE_URL, make_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedkit.errors import ContentError, Severity
from feedkit.load import (
    BodyChanged,
    LoadRules,
    load_article,
    load_articles,
    parse_article,
    read_body,
)
from feedkit.load.decoding import decode
from feedkit.load.discovery import EXTENSIONS, discover
from feedkit.load.front_matter import FrontMatterError, split_front_matter
from feedkit.model import Article, Body, BodyFormat, Status
from feedkit.render.bodies import render_bodies

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
SIDECAR = ".expected.json"


SMALL = LoadRules(make_site(), max_file_size=10_000)


def html_of(article: Article) -> str:
    """The article's body as the feeds publish it."""
    result = render_bodies([article], read=read_body)
    assert not result.failed, result.problems
    return result.bodies[article.key].html


def summary_of(article: Article) -> str:
    """What readers see as the article's summary: its description, else its body's start."""
    return article.description or render_bodies([article], read=read_body) \
        .bodies[article.key].summary


# -- the fixture walker ---------------------------------------------------------------------------


def _fixture_cases() -> list[tuple[Path, Path]]:
    cases = []
    for sidecar in sorted(FIXTURES.rglob(f"*{SIDECAR}")):
        stem = sidecar.name[: -len(SIDECAR)]
        twins = [p for p in sidecar.parent.glob(f"{stem}.*")
                 if p != sidecar and p.suffix.lower() in EXTENSIONS]
        assert len(twins) == 1, f"{sidecar}: expected one article file beside it, found {twins}"
        cases.append((twins[0], sidecar))
    return cases


CASES = _fixture_cases()


def _person(author: Any) -> dict[str, Any]:
    return {"name": author.name, "email": author.email, "url": author.url}


def _fields(article: Article) -> dict[str, Any]:
    """The article as the JSON a sidecar holds (only the keys a sidecar names are compared)."""
    return {
        "slug": article.slug,
        "url": article.url,
        "title": article.title,
        "title_length": len(article.title),
        "title_endswith": article.title[-1:],
        "subtitle": article.subtitle,
        "description": summary_of(article),
        "published": article.published.isoformat(),
        "updated": article.updated.isoformat() if article.updated else None,
        "authors": [_person(a) for a in article.authors],
        "tags": list(article.tags),
        "hero_image": (None if article.hero_image is None else
                       {"url": article.hero_image.url, "alt": article.hero_image.alt}),
        "cta": None if article.cta is None else {"text": article.cta.text, "url": article.cta.url},
        "id": article.id,
        "draft": article.draft,
        "archived": article.archived,
        "source": article.source,
        "read_time": article.read_time,
        "status": article.status(NOW).value,
    }


@pytest.mark.parametrize(
    ("article_file", "sidecar"), CASES,
    ids=[c[0].relative_to(FIXTURES).as_posix() for c in CASES],
)
def test_fixture_loads_as_its_sidecar_expects(article_file: Path, sidecar: Path) -> None:
    expected = json.loads(sidecar.read_text(encoding="utf-8"))
    site = make_site(timezone=ZoneInfo(expected.get("timezone", "UTC")))
    rules = LoadRules(site, max_file_size=expected.get("max_file_size", 5_000_000))
    parsed = load_article(article_file, root=FIXTURES, rules=rules)

    got_problems = [p.to_dict() for p in parsed.problems]
    assert len(got_problems) == len(expected["problems"]), got_problems
    for got, want in zip(got_problems, expected["problems"], strict=True):
        assert got["path"] == article_file.relative_to(FIXTURES).as_posix()
        assert got["severity"] == want["severity"], got
        assert got["field"] == want["field"], got
        assert want["message"] in got["message"], got
        if "line" in want:
            assert got["line"] == want["line"], got

    if expected["article"] is None:
        assert parsed.article is None
        return
    assert parsed.article is not None, got_problems
    fields = _fields(parsed.article)
    unknown = set(expected["article"]) - set(fields)
    assert not unknown, f"{sidecar.name} names fields the test does not know: {unknown}"
    assert {k: fields[k] for k in expected["article"]} == expected["article"]

    html = html_of(parsed.article)
    for needle in expected.get("html_contains", []):
        assert needle in html
    for needle in expected.get("html_excludes", []):
        assert needle not in html


def test_every_fixture_article_has_a_sidecar() -> None:
    articles = {p for p in FIXTURES.rglob("*") if p.suffix.lower() in EXTENSIONS}
    assert articles == {case[0] for case in CASES}
    assert len(CASES) >= 40


# -- the acceptance posts of issue 4 --------------------------------------------------------------


def test_jekyll_hugo_and_zola_posts_load_with_their_slug_and_instant() -> None:
    site = make_site(timezone=ZoneInfo("America/Los_Angeles"))
    result = load_articles(FIXTURES / "acceptance", rules=LoadRules(site))
    assert result.problems == ()
    got = {a.slug: a.published for a in result.articles}
    assert got == {
        "title": datetime.fromisoformat("2023-01-29T18:45:00+05:30"),
        "hugo-post": datetime.fromisoformat("2023-02-14T07:00:00+01:00"),
        "hugo-blank-line": datetime(2023, 3, 1, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles")),
        "zola-post": datetime(2023, 4, 2, tzinfo=ZoneInfo("America/Los_Angeles")),
    }
    # the same instants, whatever zone they were written in
    assert got["title"].timestamp() == datetime.fromisoformat("2023-01-29T13:15:00+00:00") \
        .timestamp()


# -- decoding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Olá — ✓".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "Olá — ✓".encode(), "utf-8-sig"),
        ("\ufeffOlá — ✓".encode("utf-16-le"), "utf-16"),
        ("\ufeffOlá — ✓".encode("utf-16-be"), "utf-16"),
    ],
)
def test_unicode_bytes_decode_without_notes(data: bytes, encoding: str) -> None:
    decoded = decode(data)
    assert decoded.text == "Olá — ✓"
    assert decoded.encoding == encoding
    assert decoded.notes == ()


def test_windows_1252_bytes_are_read_as_cp1252_with_a_note() -> None:
    decoded = decode("“Café” – €5".encode("cp1252"))
    assert decoded.text == "“Café” – €5"
    assert decoded.encoding == "cp1252"
    assert decoded.notes == ("is not UTF-8; read as cp1252",)


def test_bytes_cp1252_cannot_decode_fall_back_to_latin_1() -> None:
    decoded = decode(b"caf\xe9 \x81")  # 0x81 is undefined in Windows-1252
    assert decoded.encoding == "latin-1"
    assert decoded.text.startswith("café")
    assert decoded.notes == ("is not UTF-8; read as latin-1",)


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
def test_windows_and_old_mac_line_ends_become_newlines(ending: bytes) -> None:
    assert decode(ending.join([b"a", b"b", b""])).text == "a\nb\n"


def test_nul_and_control_characters_are_removed_with_a_note() -> None:
    decoded = decode(b"a\x00b\x01c\x1b\x7fd\te\nf")
    assert decoded.text == "abcd\te\nf"
    assert len(decoded.notes) == 1
    assert "control characters" in decoded.notes[0]


# -- splitting front matter -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "meta", "body"),
    [
        ("---\ntitle: Y\n---\nbody\n", {"title": "Y"}, "\nbody\n"),
        ("\n\n---\ntitle: Y\n---\nbody\n", {"title": "Y"}, "\nbody\n"),
        ("\ufeff---\ntitle: Y\n---\nbody\n", {"title": "Y"}, "\nbody\n"),
        ("+++\ntitle = 'T'\n+++\nbody\n", {"title": "T"}, "\nbody\n"),
        ('{"title": "J"}\nbody\n', {"title": "J"}, "\nbody\n"),
        ('---json\n{"title": "E"}\n---\nbody\n', {"title": "E"}, "body\n"),
        ("Title: P\nTags: a\n\nbody\n", {"title": "P", "tags": "a"}, "body\n"),
    ],
    ids=["yaml", "yaml-blank-lines", "yaml-bom", "toml", "json", "json-eleventy", "pelican"],
)
def test_front_matter_forms_split_into_mapping_and_body(
    text: str, meta: dict[str, str], body: str
) -> None:
    split = split_front_matter(text)
    assert split is not None
    assert split.meta == meta
    assert split.body == body
    assert text[split.body_offset:] == body


def test_yaml_timestamps_stay_text_so_dates_py_reads_them() -> None:
    split = split_front_matter("---\ndate: 2025-02-05\nat: 2025-02-05 10:30:00\n---\n")
    assert split is not None
    assert split.meta == {"date": "2025-02-05", "at": "2025-02-05 10:30:00"}


def test_text_without_front_matter_splits_to_none() -> None:
    assert split_front_matter("# A heading\n\nNote: this is prose.\n") is None


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("---\ntitle: a: b\n---\n", "not valid YAML", 2),
        ("---\ntitle: T\n\nlist: [\n---\n", "not valid YAML", 5),
        ("\n\n---\n- a\n---\n", "not a mapping", 4),
        ("---\ntitle: T\n", "not closed", 1),
        ("+++\ntitle = 'T'\n\nbad =\n+++\n", "not valid TOML", 4),
        ("\n\n+++\ntitle = 'T'\nbad =\n+++\n", "not valid TOML: Invalid value", 5),
        ('\n{\n"title": "T",\n}\n', "not valid JSON", 4),
        ('---json\n{\n"title": "T"\n"x": 1}\n---\n', "not valid JSON", 4),
        ('{\n"title": "T",\n}\n', "not valid JSON", 3),
        ("---js\nmodule.exports = {}\n---\n", "(---js) is not supported; not run", 1),
        ("\n---javascript\n{}\n---\n", "(---js) is not supported; not run", 2),
    ],
)
def test_front_matter_errors_name_the_line(text: str, message: str, line: int) -> None:
    with pytest.raises(FrontMatterError) as caught:
        split_front_matter(text)
    assert message in caught.value.message
    assert caught.value.line == line


def test_executable_front_matter_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"---js\nrequire('fs').writeFileSync({str(marker)!r}, 'x')\n---\nbody\n"
    parsed = parse_article(text, Path("js.md"), rules=LoadRules(make_site()))
    assert parsed.article is None
    assert not marker.exists()


def test_yaml_alias_bomb_is_refused_without_expanding_it() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    text = "---\ntitle: Bomb\ndate: 2024-01-01\n" + "\n".join(levels) + "\ntags: *i\n---\n"
    tracemalloc.start()
    try:
        parsed = parse_article(text, Path("bomb.md"), rules=LoadRules(make_site()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert parsed.article is None
    assert "expands to over" in parsed.problems[0].message
    assert peak < 20_000_000  # fully expanded it would be 9**9 references (gigabytes)


def test_json_front_matter_nested_too_deep_is_a_problem_not_a_crash() -> None:
    text = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}\nbody"
    parsed = parse_article(text, Path("deep.md"), rules=LoadRules(make_site()))
    assert parsed.article is None
    assert parsed.problems[0].is_error


def test_markdown_nested_too_deep_still_loads() -> None:
    parsed = parse_article("---\ntitle: T\ndate: 2024-01-01\n---\n" + "* " * 3000 + "x",
                           Path("deep.md"), rules=LoadRules(make_site()))
    assert parsed.article is not None and parsed.article.title == "T"
    html = html_of(parsed.article)  # nested lists, or (Python-Markdown < 3.11.4) plain text
    assert html.startswith(("<ul>\n<li>\n<ul>", "<pre>* * *"))


def test_c1_mojibake_in_yaml_front_matter_is_repaired_not_refused() -> None:
    # "–" as UTF-8 bytes read as Latin-1 carries C1 controls, which YAML refuses
    mangled = "–".encode().decode("latin-1")
    parsed = parse_article(f"---\ntitle: 'A {mangled} B'\ndate: 2024-01-01\n---\nbody",
                           Path("c1.md"), rules=LoadRules(make_site()))
    assert parsed.article is not None, parsed.problems
    assert parsed.article.title == "A – B"


# -- one file -------------------------------------------------------------------------------------


def _write(root: Path, rel: str, data: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return path


POST = "---\ntitle: {title}\ndate: {date}\n---\n\n{body}\n"


def post(title: str = "A post", date: str = "2024-01-01", body: str = "Body.") -> str:
    return POST.format(title=title, date=date, body=body)


def test_the_article_says_where_its_body_is_and_holds_no_text(tmp_path: Path) -> None:
    file = _write(tmp_path, "lazy.md", post(body="First version."))
    parsed = load_article(file, root=tmp_path, rules=SMALL)
    assert parsed.article is not None
    stat = file.stat()
    assert parsed.article.body == Body(BodyFormat.MARKDOWN, file=str(file), offset=39,
                                       stamp=(stat.st_size, stat.st_mtime_ns))
    assert read_body(parsed.article.body).strip() == "First version."


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf---\r\ntitle: T\r\ndate: 2024-01-01\r\n---\r\nThe caf\xc3\xa9 body.\r\n",
        "---\ntitle: T\ndate: 2024-01-01\n---\nThe café body.\n".encode("cp1252"),
        "\ufeff---\ntitle: T\ndate: 2024-01-01\n---\nThe café body.\n".encode("utf-16-le"),
        b"---\ntitle: T\x00\ndate: 2024-01-01\n---\nThe caf\xc3\xa9\x00 body.\n",
    ],
    ids=["bom-crlf", "cp1252", "utf-16", "nul"],
)
def test_body_read_later_starts_exactly_after_the_front_matter(tmp_path: Path,
                                                               data: bytes) -> None:
    file = _write(tmp_path, "post.md", data)
    parsed = load_article(file, root=tmp_path, rules=SMALL)
    assert parsed.article is not None
    assert read_body(parsed.article.body) == "\nThe café body.\n"


def test_a_body_whose_file_is_gone_or_changed_cannot_be_read_silently(tmp_path: Path) -> None:
    # defect 6: a body that could not be read at render time became an empty feed item
    file = _write(tmp_path, "gone.md", post())
    parsed = load_article(file, root=tmp_path, rules=SMALL)
    assert parsed.article is not None
    file.write_text(post(title="A much longer title than before"), encoding="utf-8")
    with pytest.raises(BodyChanged):
        read_body(parsed.article.body)
    file.unlink()
    with pytest.raises(FileNotFoundError):
        read_body(parsed.article.body)


def test_file_over_the_size_limit_is_reported_and_not_read(tmp_path: Path) -> None:
    file = _write(tmp_path, "big.md", post(body="x" * 500))
    parsed = load_article(file, root=tmp_path, rules=LoadRules(make_site(), max_file_size=100))
    assert parsed.article is None
    (problem,) = parsed.problems
    assert problem.is_error
    assert "over the limit of 100" in problem.message
    assert "content.max_file_size" in (problem.hint or "")


def test_file_at_the_size_limit_loads(tmp_path: Path) -> None:
    file = _write(tmp_path, "exact.md", post())
    parsed = load_article(file, root=tmp_path, rules=LoadRules(make_site(),
                                                                  max_file_size=file.stat().st_size))
    assert parsed.article is not None


def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    folder = tmp_path / "folder.md"
    folder.mkdir()
    parsed = load_article(folder, root=tmp_path, rules=SMALL)
    assert parsed.article is None
    assert "cannot be read" in parsed.problems[0].message


def test_problems_carry_the_path_relative_to_the_content_folder(tmp_path: Path) -> None:
    file = _write(tmp_path, "deep/er/bad.md", "---\ntitle: T\n---\n")
    parsed = load_article(file, root=tmp_path, rules=SMALL)
    assert [p.path for p in parsed.problems] == [Path("deep/er/bad.md")]


def test_a_missing_description_is_left_empty_and_the_body_summarizes_it() -> None:
    parsed = parse_article(post(body="Some **bold** words & <em>more</em>.\n\n" + "word " * 200),
                           Path("p.md"), rules=LoadRules(make_site()))
    assert parsed.article is not None
    assert parsed.article.description == "" and parsed.article.has_body
    description = summary_of(parsed.article)
    assert description.startswith("Some bold words & more. word")
    assert description.endswith("…")
    assert len(description) <= 280


# -- the folder -----------------------------------------------------------------------------------


def test_discover_skips_hidden_files_leftovers_and_hugo_index_pages(tmp_path: Path) -> None:
    for rel in ["a.md", "b.markdown", "c.txt", "d.html", "e.htm", "sub/f.MD",
                ".hidden.md", ".git/g.md", "h.md~", "i.md.bak", "j.md.swp", "#k.md#", "_index.md",
                "sub/_index.md", "l.rst", "m.json", "n.md.orig"]:
        _write(tmp_path, rel, post())
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert found == ["a.md", "b.markdown", "c.txt", "d.html", "e.htm", "sub/f.MD"]


def test_discover_walks_folders_in_sorted_order(tmp_path: Path) -> None:
    for rel in ["z.md", "b/y.md", "a/x.md", "A.md", "b/a.md"]:
        _write(tmp_path, rel, post())
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert found == ["A.md", "a/x.md", "b/a.md", "b/y.md", "z.md"]


def test_symlink_inside_the_folder_is_followed(tmp_path: Path) -> None:
    content = tmp_path / "content"
    _write(content, "real/post.md", post())
    (content / "alias.md").symlink_to(content / "real" / "post.md")
    (content / "linked-dir").symlink_to(content / "real", target_is_directory=True)
    found = [p.relative_to(content).as_posix() for p in discover(content)]
    # a file (or folder) reached twice is loaded once, under its first name in sorted order
    assert found == ["alias.md"]
    result = load_articles(content, rules=LoadRules(make_site()))
    assert len(result.articles) == 1 and result.problems == ()


def test_symlinks_leading_outside_the_folder_are_skipped(tmp_path: Path) -> None:
    content, outside = tmp_path / "content", tmp_path / "outside"
    _write(content, "inside.md", post())
    _write(outside, "secret.md", post(title="Secret"))
    (content / "file-out.md").symlink_to(outside / "secret.md")
    (content / "dir-out").symlink_to(outside, target_is_directory=True)
    (content / "relative-out.md").symlink_to(Path("..") / "outside" / "secret.md")
    (content / "broken.md").symlink_to(content / "missing.md")
    (content / "loop").symlink_to(content, target_is_directory=True)
    result = load_articles(content, rules=LoadRules(make_site()))
    assert [a.title for a in result.articles] == ["A post"]
    assert [p.relative_to(content).as_posix() for p in discover(content)] == ["inside.md"]
    # each one leading out is reported, and the broken one (a loop is walked once, silently)
    assert [(str(p.path), p.severity, p.message) for p in result.problems] == [
        (name, Severity.WARNING, "is a symlink out of the content folder; skipped")
        for name in ("dir-out", "file-out.md", "relative-out.md")] + [
        ("broken.md", Severity.WARNING, "is a symlink to nothing; skipped")]
    assert [p.name for p in result.ignored] == ["dir-out", "file-out.md", "relative-out.md"]


def test_non_ascii_and_right_to_left_file_names_load(tmp_path: Path) -> None:
    names = ["café-olé.md", "مرحبا-بالعالم.md", "日本語の記事.md", "שלום.md"]
    for i, name in enumerate(names):
        _write(tmp_path, name, post(title=f"Post {i}", date=f"2024-01-0{i + 1}"))
    result = load_articles(tmp_path, rules=LoadRules(make_site()))
    assert result.problems == ()
    by_title = {a.title: a for a in result.articles}
    assert by_title["Post 0"].slug == "café-olé"
    assert by_title["Post 0"].url == SITE_URL + "caf%C3%A9-ol%C3%A9/"
    assert by_title["Post 1"].slug == "مرحبا-بالعالم"
    assert by_title["Post 1"].url.isascii()
    assert by_title["Post 3"].path == Path("שלום.md")


def test_file_names_in_decomposed_unicode_give_the_same_slug(tmp_path: Path) -> None:
    _write(tmp_path, "cafe\u0301.md", post())  # macOS writes é as e + combining accent
    (article,) = load_articles(tmp_path, rules=LoadRules(make_site())).articles
    assert article.slug == "caf\u00e9"


def test_one_bad_file_never_stops_the_others(tmp_path: Path) -> None:
    _write(tmp_path, "a-good.md", post(title="Good one"))
    _write(tmp_path, "b-bad.md", "---\ntitle: [unclosed\n---\n")
    _write(tmp_path, "c-binary.md", bytes(range(256)) * 4)
    _write(tmp_path, "d-empty.md", b"")
    _write(tmp_path, "e-good.md", post(title="Good two"))
    result = load_articles(tmp_path, rules=LoadRules(make_site()))
    assert [a.title for a in result.articles] == ["Good one", "Good two"]
    assert result.files == 5
    assert {p.path for p in result.problems if p.is_error} == {
        Path("b-bad.md"), Path("c-binary.md"), Path("d-empty.md")}


def test_missing_content_folder_is_one_error_not_an_empty_site(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"/nope: content folder not found \(pass --content"):
        load_articles(tmp_path / "nope", rules=LoadRules(make_site()))


def _suffix(path: str) -> str:
    import hashlib

    return hashlib.sha256(path.encode()).hexdigest()[:6]


def test_duplicate_slugs_are_both_kept_with_distinct_urls_and_a_warning(tmp_path: Path) -> None:
    _write(tmp_path, "a/same.md", post(title="First", date="2024-01-01"))
    _write(tmp_path, "b/same.md", post(title="Second", date="2024-01-02"))
    _write(tmp_path, "c.md", "---\ntitle: Third\ndate: 2023-12-31\nslug: same\n---\nBody.\n")
    result = load_articles(tmp_path, rules=LoadRules(make_site()))
    second, first = f"same-{_suffix('b/same.md')}", f"same-{_suffix('a/same.md')}"
    assert [(a.title, a.slug, a.url) for a in result.articles] == [
        ("First", first, SITE_URL + first + "/"),
        ("Second", second, SITE_URL + second + "/"),
        ("Third", "same", SITE_URL + "same/"),  # published first: keeps the slug
    ]
    warnings = [p for p in result.problems if p.severity is Severity.WARNING]
    assert sorted((p.path, p.field) for p in warnings) == [(Path("a/same.md"), "slug"),
                                                           (Path("b/same.md"), "slug")]
    assert "'same' is also used by c.md, published earlier" in warnings[0].message


def test_adding_a_duplicate_renames_no_existing_article(tmp_path: Path) -> None:
    _write(tmp_path, "m1.md", "---\ntitle: One\ndate: 2024-01-01\nslug: same\n---\n")
    _write(tmp_path, "m2.md", "---\ntitle: Two\ndate: 2024-01-02\nslug: same\n---\n")
    rules = LoadRules(make_site())
    before = {a.title: a.url for a in load_articles(tmp_path, rules=rules).articles}
    _write(tmp_path, "a0.md", "---\ntitle: New\ndate: 2024-02-01\nslug: same\n---\n")
    after = {a.title: a.url for a in load_articles(tmp_path, rules=rules).articles}
    assert after["One"] == before["One"] and after["Two"] == before["Two"]
    assert len(set(after.values())) == 3


def test_duplicate_slug_resolution_is_the_same_on_every_run(tmp_path: Path) -> None:
    # created in the opposite order to their sorted names: file order, not disk order, decides
    _write(tmp_path, "z/post.md", post(title="Zed"))
    _write(tmp_path, "a/post.md", post(title="Ay"))
    first = load_articles(tmp_path, rules=LoadRules(make_site()))
    second = load_articles(tmp_path, rules=LoadRules(make_site()))
    assert [(a.title, a.url) for a in first.articles] == [(a.title, a.url) for a in
                                                          second.articles]
    assert [(a.title, a.slug) for a in first.articles] == [
        ("Ay", "post"), ("Zed", f"post-{_suffix('z/post.md')}")]


def test_page_bundle_image_resolves_against_the_article_url(tmp_path: Path) -> None:
    _write(tmp_path, "2024/harbour-day/index.md",
           post(body="![Boats](boats.jpg) [up](../) [abs](/about/)"))
    _write(tmp_path, "2024/harbour-day/boats.jpg", b"\xff\xd8")
    (article,) = load_articles(tmp_path, rules=LoadRules(make_site())).articles
    assert article.slug == "harbour-day"
    html = html_of(article)
    assert 'src="https://news.example.org/harbour-day/boats.jpg"' in html
    assert 'href="https://news.example.org/"' in html
    assert 'href="https://news.example.org/about/"' in html


def test_hero_image_beside_a_bundle_resolves_against_the_article_url(tmp_path: Path) -> None:
    _write(tmp_path, "bundle/index.md",
           "---\ntitle: T\ndate: 2024-01-01\nimage: cover.jpg\n---\n")
    (article,) = load_articles(tmp_path, rules=LoadRules(make_site())).articles
    assert article.hero_image is not None
    assert article.hero_image.url == SITE_URL + "bundle/cover.jpg"


def test_loaded_statuses_cover_draft_archived_future_and_published(tmp_path: Path) -> None:
    _write(tmp_path, "a.md", post(title="Out"))
    _write(tmp_path, "b.md", "---\ntitle: D\ndate: 2024-01-01\ndraft: true\n---\n")
    _write(tmp_path, "c.md", "---\ntitle: A\ndate: 2024-01-01\narchived: true\n---\n")
    _write(tmp_path, "d.md", post(title="F", date="2099-01-01"))
    result = load_articles(tmp_path, rules=LoadRules(make_site()))
    assert sorted(a.status(NOW) for a in result.articles) == sorted(
        [Status.PUBLISHED, Status.DRAFT, Status.ARCHIVED, Status.FUTURE])


def test_missing_libyaml_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from feedkit.load import front_matter

    _write(tmp_path, "a.md", post())
    monkeypatch.setattr(front_matter, "HAS_LIBYAML", False)
    result = load_articles(tmp_path, rules=LoadRules(make_site()))
    assert len(result.articles) == 1
    assert [(p.path, p.severity) for p in result.problems] == [(None, Severity.WARNING)]
    assert "libyaml" in result.problems[0].message


def test_libyaml_is_used_when_installed() -> None:
    from feedkit.load import front_matter

    assert front_matter.HAS_LIBYAML
    assert issubclass(front_matter._Loader, yaml.CSafeLoader)


# -- loading never raises -------------------------------------------------------------------------

_PREFIXES = st.sampled_from([b"", b"---\n", b"+++\n", b"{", b"---json\n", b"---js\n",
                             b"\xef\xbb\xbf---\r\n", b"\n\n---\n", b"Title: x\n"])
_BYTES = st.builds(lambda a, b: a + b, _PREFIXES, st.binary(max_size=400))


@settings(max_examples=150, deadline=None, database=None)
@given(_BYTES)
def test_parsing_arbitrary_bytes_never_raises(data: bytes) -> None:
    parsed = parse_article(decode(data).text, Path("any.md"), rules=LoadRules(make_site()))
    assert parsed.article is not None or parsed.problems


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_BYTES, st.sampled_from([".md", ".txt", ".html"]))
def test_loading_an_arbitrary_file_never_raises(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        file = root / f"any{suffix}"
        file.write_bytes(data)
        parsed = load_article(file, root=root, rules=SMALL)
        if parsed.article is not None:
            assert "<script" not in html_of(parsed.article)


_KEYS = st.sampled_from(
    ["title", "date", "publish_date", "publishedOn", "updatedOn", "updated", "lastmod",
     "heroImage", "mainImage", "image", "images", "thumbnail", "altTextMainImage", "cta",
     "cta_url", "author", "authors", "tags", "categories", "slug", "url", "path", "permalink",
     "draft", "status", "archived", "published", "id", "description", "source", "read_time"]
) | st.text(max_size=6)
_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
            | st.text(max_size=24) | st.dates() | st.datetimes()
            | st.sampled_from(["2024-05-01", "javascript:alert(1)", "../x", "/a/b.jpg", ""]))
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["src", "url", "alt", "text", "name", "email"])
                      | st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, database=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=8), st.text(max_size=80))
def test_arbitrary_front_matter_mappings_never_raise(meta: dict[str, Any], body: str) -> None:
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body
    parsed = parse_article(text, Path("2024/05/01/any.md"), rules=LoadRules(make_site()))
    article = parsed.article
    if article is None:
        assert any(p.is_error for p in parsed.problems)
        return
    assert article.published.utcoffset() is not None
    assert article.url.startswith(("http://", "https://"))
    html = html_of(article)
    assert "<script" not in html
    assert "javascript:" not in html


def test_load_articles_never_raises_for_a_folder_of_junk(tmp_path: Path) -> None:
    for i, data in enumerate([b"\x00" * 10, b"---\n\x00\n---", b"+++\n+++", b"{}", b"\xff\xfe",
                              b"---\n!!python/object:os.system ls\n---\n"]):
        _write(tmp_path, f"junk-{i}.md", data)
    result = load_articles(tmp_path, rules=LoadRules(make_site()))
    assert result.articles == ()
    assert result.files == 6
    assert len({p.path for p in result.problems}) == 6


def test_python_yaml_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = ("---\ntitle: !!python/object/apply:os.system "
            f"['touch {marker}']\ndate: 2024-01-01\n---\n")
    parsed = parse_article(text, Path("evil.md"), rules=LoadRules(make_site()))
    assert parsed.article is None
    assert not marker.exists()


def test_loading_gives_the_same_instants_under_any_host_tz(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = make_site(timezone=ZoneInfo("Europe/Berlin"))
    seen = []
    try:
        for host in ("UTC", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati"):
            monkeypatch.setenv("TZ", host)
            time.tzset()
            result = load_articles(FIXTURES, rules=LoadRules(site))
            seen.append([(a.path, a.published.isoformat(), a.status(NOW)) for a in
                         result.articles])
    finally:
        monkeypatch.undo()
        time.tzset()
    assert len(seen[0]) >= 30
    assert all(run == seen[0] for run in seen)


def test_loading_does_not_depend_on_the_current_folder(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "content", "x.md", post())
    monkeypatch.chdir(tmp_path)
    here = load_articles(Path("content").resolve(), rules=LoadRules(make_site()))
    monkeypatch.chdir(os.sep)
    there = load_articles(tmp_path / "content", rules=LoadRules(make_site()))
    assert [(a.path, a.url) for a in here.articles] == [(a.path, a.url) for a in there.articles]


def test_html_body_format_comes_from_the_extension(tmp_path: Path) -> None:
    _write(tmp_path, "a.html", post(body="*not emphasis*"))
    _write(tmp_path, "b.md", post(body="*emphasis*"))
    a, b = load_articles(tmp_path, rules=LoadRules(make_site())).articles
    assert a.body.format is BodyFormat.HTML
    assert "<em>" not in html_of(a)
    assert "<em>emphasis</em>" in html_of(b)


def test_an_article_with_nothing_but_a_title_is_a_warning(tmp_path: Path) -> None:
    _write(tmp_path, "stub.md", "---\ntitle: Stub\ndate: 2024-01-01\ndescription: ''\n---\n\n")
    _write(tmp_path, "image-only.md", "---\ntitle: Pic\ndate: 2024-01-01\n---\n![x](a.jpg)\n")
    result = load_articles(tmp_path, rules=LoadRules(make_site()))
    assert [(p.path, p.field, p.severity) for p in result.problems] == [
        (Path("stub.md"), "body", Severity.WARNING)]
    assert "only the title" in result.problems[0].message
    stub, = (a for a in result.articles if a.slug == "stub")
    assert stub.is_blank
