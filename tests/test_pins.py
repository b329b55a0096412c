"""pins.py: the id line planned into each kind of front matter with every other byte kept, the
files it refuses to edit and why, the writes it makes (only inside the content folder), and a
pinned id that outlives the output folder."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from factories import NOW, SITE_URL

from feedkit import jobs, pins, settings
from feedkit.jobs.build_job import BuildReport
from feedkit.pins import Outcome, plan_pin
from feedkit.pool import Pool

ID = "tag:news.example.org,2025-01-05:launch"
TOML = f'[site]\nurl = "{SITE_URL}"\ntitle = "News"\n'


# -- planning: (text, id) -> the new text, or why not ---------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("---\ntitle: Launch\ndate: 2025-01-05\n---\nHello\n",
     f'---\nid: "{ID}"\ntitle: Launch\ndate: 2025-01-05\n---\nHello\n'),
    ("\n\n---  \ntitle: Launch\n---\n",  # blank lines before it, spaces after the delimiter
     f'\n\n---  \nid: "{ID}"\ntitle: Launch\n---\n'),
    ("---\n---\nNo fields at all\n", f'---\nid: "{ID}"\n---\nNo fields at all\n'),
    ("+++\ntitle = \"Launch\"\n[extra]\nimage = \"a.png\"\n+++\nHello\n",  # before any table
     f'+++\nid = "{ID}"\ntitle = "Launch"\n[extra]\nimage = "a.png"\n+++\nHello\n'),
    ("Title: Launch\nDate: 2025-01-05\n\nHello\n",
     f"Id: {ID}\nTitle: Launch\nDate: 2025-01-05\n\nHello\n"),
], ids=["yaml", "yaml-after-blank-lines", "yaml-empty", "toml", "pelican"])
def test_the_id_line_is_the_first_of_the_front_matter(text: str, expected: str) -> None:
    assert plan_pin(text, ID).text == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("\ufeff---\r\ntitle: Launch\r\n---\r\nHello\r\n",
     f'\ufeff---\r\nid: "{ID}"\r\ntitle: Launch\r\n---\r\nHello\r\n'),
    ('\ufeff+++\r\ntitle = "Launch"\r\n+++\r\nHello\r\n',
     f'\ufeff+++\r\nid = "{ID}"\r\ntitle = "Launch"\r\n+++\r\nHello\r\n'),
    ("\ufeffTitle: Launch\r\n\r\nHello\r\n", f"\ufeffId: {ID}\r\nTitle: Launch\r\n\r\nHello\r\n"),
    ("---\rtitle: Launch\r---\rHello\r",  # old Mac line ends
     f'---\rid: "{ID}"\rtitle: Launch\r---\rHello\r'),
], ids=["yaml", "toml", "pelican", "cr"])
def test_a_bom_and_the_files_own_line_ends_are_kept(text: str, expected: str) -> None:
    assert plan_pin(text, ID).text == expected


def test_an_id_with_quotes_and_backslashes_is_escaped_and_reads_back() -> None:
    ident = 'urn:a "quoted" \\ id'
    assert plan_pin("---\ntitle: A\n---\n", ident).text == \
        '---\nid: "urn:a \\"quoted\\" \\\\ id"\ntitle: A\n---\n'
    assert plan_pin('+++\ntitle = "A"\n+++\n', ident).text == \
        '+++\nid = "urn:a \\"quoted\\" \\\\ id"\ntitle = "A"\n+++\n'


@pytest.mark.parametrize(("text", "reason"), [
    ("---\nGUID: urn:x\ntitle: A\n---\n",
     "names its id already (GUID in its front matter: 'urn:x'); left as it is"),
    ('+++\nUuid = "1234"\ntitle = "A"\n+++\n',
     "names its id already (Uuid in its front matter: '1234'); left as it is"),
    ("Title: A\nID: urn:x\n\nBody\n",
     "names its id already (id in its front matter: 'urn:x'); left as it is"),
    (f'---\nid: "{ID}"\ntitle: A\n---\n', "is pinned already (id in its front matter)"),
    ("---\nid: ''\ntitle: A\n---\n",
     f'has an empty id in its front matter; put id: "{ID}" in its place by hand'),
], ids=["yaml-guid", "toml-uuid", "pelican-id", "same-id", "empty-id"])
def test_front_matter_naming_an_id_in_any_case_is_left_alone(text: str, reason: str) -> None:
    planned = plan_pin(text, ID)
    assert (planned.text, planned.reason) == (None, reason)


@pytest.mark.parametrize(("text", "reason"), [
    ('{"title": "A", "date": "2025-01-05"}\nBody\n',
     f'has JSON front matter, which feedkit does not edit; add "id": "{ID}", to it by hand'),
    ('---json\n{"title": "A"}\n---\nBody\n',
     f'has JSON front matter, which feedkit does not edit; add "id": "{ID}", to it by hand'),
    ("---\n{title: A, date: 2025-01-05}\n---\nBody\n",  # a flow mapping: a line would break it
     f'the id line cannot be added without changing how the front matter reads; add id: '
     f'"{ID}" by hand'),
    ("---\ntitle: [unclosed\n---\nBody\n",
     "its front matter cannot be read (front matter is not valid YAML: did not find expected "
     "',' or ']'); run feedkit check"),
    ("Just a body.\n", "has no front matter"),
], ids=["json", "eleventy-json", "yaml-flow", "broken-yaml", "none"])
def test_front_matter_feedkit_cannot_edit_safely_says_what_to_do(text: str, reason: str) -> None:
    planned = plan_pin(text, ID)
    assert (planned.text, planned.reason) == (None, reason)


def test_a_pelican_id_that_would_not_read_back_is_left_to_the_user() -> None:
    planned = plan_pin("Title: A\n\nBody\n", " urn:padded ")  # a header value is stripped
    assert planned.text is None and planned.reason.startswith("the id line cannot be added")


# -- applying: the file on disk ---------------------------------------------------------------


def test_applying_writes_the_planned_bytes_and_keeps_the_mode(tmp_path: Path) -> None:
    original = "\ufeff---\r\ntitle: Launch\r\n---\r\nHello\r\n".encode()
    (tmp_path / "a.md").write_bytes(original)
    (tmp_path / "a.md").chmod(0o600)
    result = pins.apply_pin(tmp_path, "a.md", ident=ID)
    assert result == pins.PinResult("a.md", ID, Outcome.PINNED, f'id: "{ID}"')
    assert (tmp_path / "a.md").read_bytes() == original.replace(
        b"---\r\n", f'---\r\nid: "{ID}"\r\n'.encode(), 1)
    assert stat.S_IMODE((tmp_path / "a.md").stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]  # no temporary file left


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n", encoding="utf-8")
    before = (tmp_path / "a.md").stat()
    result = pins.apply_pin(tmp_path, "a.md", ident=ID, dry_run=True)
    assert result.outcome is Outcome.PINNED
    after = (tmp_path / "a.md").stat()
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == "---\ntitle: A\n---\n"
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)


def test_nothing_outside_the_content_folder_is_written(tmp_path: Path) -> None:
    content, outside = tmp_path / "content", tmp_path / "outside.md"
    content.mkdir()
    outside.write_text("---\ntitle: Elsewhere\n---\n", encoding="utf-8")
    (content / "link.md").symlink_to(outside)
    for key in ("link.md", "../outside.md", str(outside)):
        result = pins.apply_pin(content, key, ident=ID)
        assert result.outcome is Outcome.SKIPPED, key
        assert result.reason.startswith("is not a file inside the content folder")
    assert outside.read_text(encoding="utf-8") == "---\ntitle: Elsewhere\n---\n"


def test_a_symlink_inside_the_folder_stays_a_link_to_the_edited_file(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_text("---\ntitle: A\n---\n", encoding="utf-8")
    (tmp_path / "link.md").symlink_to("real.md")
    assert pins.apply_pin(tmp_path, "link.md", ident=ID).outcome is Outcome.PINNED
    assert (tmp_path / "link.md").is_symlink()
    assert (tmp_path / "real.md").read_text(encoding="utf-8") == \
        f'---\nid: "{ID}"\ntitle: A\n---\n'


def test_a_file_not_in_utf8_is_left_to_the_user(tmp_path: Path) -> None:
    data = "---\ntitle: Café\n---\n".encode("cp1252")
    (tmp_path / "a.md").write_bytes(data)
    result = pins.apply_pin(tmp_path, "a.md", ident=ID)
    assert (result.outcome, result.reason) == (
        Outcome.SKIPPED, f'is not UTF-8 text, which feedkit does not edit; add id: "{ID}" by hand')
    assert (tmp_path / "a.md").read_bytes() == data


def test_a_file_that_cannot_be_written_fails_and_is_left_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n", encoding="utf-8")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(pins.os, "replace", refuse)
    result = pins.apply_pin(tmp_path, "a.md", ident=ID)
    assert (result.outcome, result.reason) == (Outcome.FAILED, "cannot write: Permission denied")
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == "---\ntitle: A\n---\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


# -- the site: which articles, and an id that outlives the output folder ----------------------


def load(root: Path) -> settings.Settings:
    return settings.load(root / "feedkit.toml", env={}, cwd=root)


def build(root: Path) -> BuildReport:
    return jobs.build(load(root), now=NOW, pool=Pool(workers=1))


def feed_ids(root: Path) -> list[str]:
    return [i["id"] for i in json.loads((root / "public/feed.json").read_text())["items"]]


def test_a_pinned_id_outlives_the_output_folder(make_site_dir) -> None:
    root = make_site_dir({"launch.md": "---\ntitle: Launch\ndate: 2025-01-05\n---\nHello\n"},
                         toml=TOML)
    build(root)
    assert feed_ids(root) == [ID]
    (root / "content/launch.md").rename(root / "content/launch-day.md")
    report = build(root)  # the new name would give a new id: the manifest keeps the old one
    assert feed_ids(root) == [ID]
    assert any(n.startswith("launch-day.md: kept the id") for n in report.notes)
    pinned = pins.pin_ids(load(root), pool=Pool(workers=1))
    assert pinned.results == (pins.PinResult("launch-day.md", ID, Outcome.PINNED,
                                             f'id: "{ID}"'),)
    shutil.rmtree(root / "public")  # a fresh checkout, a new CI runner: no manifest
    report = build(root)
    assert feed_ids(root) == [ID] and report.notes == ()


def test_without_a_pin_a_new_output_folder_gives_the_new_id(make_site_dir) -> None:
    root = make_site_dir({"launch.md": "---\ntitle: Launch\ndate: 2025-01-05\n---\nHello\n"},
                         toml=TOML)
    build(root)
    (root / "content/launch.md").rename(root / "content/launch-day.md")
    build(root)
    shutil.rmtree(root / "public")
    build(root)
    assert feed_ids(root) == ["tag:news.example.org,2025-01-05:launch-day"]  # why pin


def test_all_pins_every_article_without_an_id_and_reports_what_did_not_load(
        make_site_dir) -> None:
    root = make_site_dir({
        "a.md": "---\ntitle: A\ndate: 2025-01-01\n---\nA\n",
        "b.md": "---\ntitle: B\ndate: 2025-01-02\nid: urn:b\n---\nB\n",  # its own: not touched
        "bad.md": "---\ntitle: [\n---\nBroken\n",
        "j.md": '{"title": "J", "date": "2025-01-03"}\nJ\n',
    }, toml=TOML)
    b_before = (root / "content/b.md").read_bytes()
    report = pins.pin_ids(load(root), every=True, pool=Pool(workers=1))
    assert [(r.key, r.outcome) for r in report.results] == [
        ("a.md", Outcome.PINNED), ("bad.md", Outcome.SKIPPED), ("j.md", Outcome.SKIPPED)]
    assert report.results[1].reason.startswith("did not load (front matter is not valid YAML")
    assert report.exit_code == 0
    assert (root / "content/a.md").read_text(encoding="utf-8").startswith(
        '---\nid: "tag:news.example.org,2025-01-01:a"\n')
    assert (root / "content/b.md").read_bytes() == b_before


def test_without_all_only_the_ids_a_build_kept_are_pinned(make_site_dir) -> None:
    text = "---\ntitle: A\ndate: 2025-01-01\n---\nA\n"
    root = make_site_dir({"a.md": text}, toml=TOML)
    assert pins.pin_ids(load(root), pool=Pool(workers=1)).results == ()  # no build yet
    build(root)
    assert pins.pin_ids(load(root), pool=Pool(workers=1)).results == ()  # nothing kept
    assert (root / "content/a.md").read_text(encoding="utf-8") == text
