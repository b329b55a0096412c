"""jobs/build_job.py over time: what a build removes, what it refuses to publish, how it shares
its folders with another run, and what it never replays or trusts (issue 12's defects)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import pytest
from factories import NOW, SITE_URL

from feedkit import jobs, settings
from feedkit.deliver.manifest import MANIFEST_NAME
from feedkit.errors import ContentError, OutputError, Problem, RefusedError
from feedkit.jobs.build_job import BuildReport
from feedkit.model import Body
from feedkit.pool import Pool

POST = "---\ntitle: {title}\npublish_date: {date}\ntags: [{tags}]\n{extra}---\nBody of {title}.\n"
TOML = f'[site]\nurl = "{SITE_URL}"\ntitle = "News"\n'


def post(title: str, date: str = "2025-01-01", tags: str = "news", extra: str = "") -> str:
    return POST.format(title=title, date=date, tags=tags, extra=extra)


def build(root: Path, **kw: object) -> BuildReport:
    cfg = settings.load(root / "feedkit.toml", env=kw.pop("env", {}), cwd=root)  # type: ignore[arg-type]
    kw.setdefault("pool", Pool(workers=1))
    return jobs.build(cfg, now=NOW, **kw)  # type: ignore[arg-type]


def public(root: Path) -> Path:
    return root / "public"


def titles(root: Path, feed: str = "feed.json") -> list[str]:
    return [i["title"] for i in json.loads((public(root) / feed).read_text())["items"]]


def touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def rewrite(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    touch_later(path)


@pytest.fixture
def site(make_site_dir) -> Path:
    return make_site_dir({"a.md": post("Alpha", "2025-01-01", "boats, tides"),
                          "b.md": post("Beta", "2025-01-02", "boats"),
                          "c.md": post("Gamma", "2025-01-03", "harbour")}, toml=TOML)


# -- defect 1: what a build no longer produces is removed ----------------------------------------


def test_a_retagged_article_leaves_its_old_tag_feed_behind_no_more(site: Path) -> None:
    build(site)
    assert (public(site) / "tags/tides/feed.xml").is_file()
    rewrite(site / "content/a.md", post("Alpha", "2025-01-01", "boats"))
    report = build(site)
    assert report.removed == ("tags/tides/atom.xml", "tags/tides/feed.xml")
    assert not (public(site) / "tags/tides").exists()  # the folder left empty goes too
    assert titles(site, "feed.json") == ["Gamma", "Beta", "Alpha"]


@pytest.mark.parametrize("change", ["draft", "delete", "archive"])
def test_a_drafted_deleted_or_archived_article_leaves_its_tag_feed(site: Path,
                                                                   change: str) -> None:
    build(site)
    file = site / "content/c.md"
    if change == "delete":
        file.unlink()
    else:
        rewrite(file, post("Gamma", "2025-01-03", "harbour", f"{change}d: true\n"
                           if change == "archive" else "draft: true\n"))
    build(site)
    assert not (public(site) / "tags/harbour").exists()
    assert "Gamma" not in titles(site)


def test_a_file_feedkit_did_not_write_is_never_removed(site: Path) -> None:
    build(site)
    mine = {"CNAME": "news.example.org\n", "tags/custom/feed.xml": "<rss/>",
            "index.html": "<p>hello</p>"}
    for rel, text in mine.items():
        (public(site) / rel).parent.mkdir(parents=True, exist_ok=True)
        (public(site) / rel).write_text(text, encoding="utf-8")
    rewrite(site / "content/a.md", post("Alpha", "2025-01-01", "boats"))
    build(site)
    assert {rel: (public(site) / rel).read_text() for rel in mine} == mine


def test_a_stale_feed_someone_changed_is_kept_and_reported(site: Path) -> None:
    build(site)
    edited = public(site) / "tags/tides/feed.xml"
    edited.write_text("<rss>hand-edited</rss>", encoding="utf-8")
    rewrite(site / "content/a.md", post("Alpha", "2025-01-01", "boats"))
    report = build(site)
    assert report.removed == ("tags/tides/atom.xml",)
    assert report.kept == ("tags/tides/feed.xml",) and edited.read_text().endswith("</rss>")
    assert any("tags/tides/feed.xml: no longer produced, but changed since feedkit wrote it"
               in note for note in report.notes)


def test_a_tampered_manifest_cannot_delete_outside_the_output_folder(site: Path) -> None:
    build(site)
    outside = site / "precious.txt"
    outside.write_text("keep me", encoding="utf-8")
    manifest = public(site) / MANIFEST_NAME
    data = json.loads(manifest.read_text())
    import hashlib

    data["files"]["../precious.txt"] = hashlib.sha256(b"keep me").hexdigest()
    manifest.write_text(json.dumps(data), encoding="utf-8")
    build(site, use_cache=False)
    assert outside.read_text() == "keep me"


def test_a_damaged_manifest_prunes_nothing_and_says_so(site: Path) -> None:
    build(site)
    (public(site) / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    rewrite(site / "content/a.md", post("Alpha", "2025-01-01", "boats"))
    report = build(site)
    assert report.removed == () and (public(site) / "tags/tides/feed.xml").exists()
    assert any("unreadable" in note and "nothing is deleted" in note for note in report.notes)
    replayed = build(site)  # answered from the record: the manifest is whole again by now
    assert replayed.unchanged_inputs and not any("unreadable" in n for n in replayed.notes)
    rewrite(site / "content/b.md", post("Beta", "2025-01-02", "boats, more"))
    build(site)
    rewrite(site / "content/b.md", post("Beta", "2025-01-02", "boats"))
    build(site)  # the manifest is whole again: the next build prunes as usual
    assert not (public(site) / "tags/more").exists()


def test_tag_feeds_an_earlier_feedkit_wrote_without_a_manifest_are_pruned_too(
        site: Path) -> None:
    build(site)
    (public(site) / MANIFEST_NAME).unlink()  # as a feedkit from before the manifest left it
    stranger = public(site) / "tags/theirs/feed.xml"
    stranger.parent.mkdir()
    stranger.write_text("<rss><channel><generator>Hugo</generator></channel></rss>", "utf-8")
    rewrite(site / "content/a.md", post("Alpha", "2025-01-01", "boats"))
    report = build(site)
    assert report.removed == ("tags/tides/atom.xml", "tags/tides/feed.xml")
    assert stranger.exists()  # not feedkit's: never deleted


def test_the_manifest_lists_exactly_the_outputs(site: Path) -> None:
    report = build(site)
    manifest = json.loads((public(site) / MANIFEST_NAME).read_text())
    assert sorted(manifest["files"]) == sorted(report.files)
    # what names the article after a rename: its URL, file, title and body, and publish day
    item = manifest["data"]["feeds"]["feed.xml"][0]
    assert item[1:3] == [f"{SITE_URL}c/", "c.md"] and item[4:] == ["Gamma", "2025-01-03"]
    assert len(item[3]) == 16


# -- defect 3: the cache is keyed on feedkit's own code -------------------------------------------


def test_code_fingerprint_changes_with_any_source_file_or_template(tmp_path: Path) -> None:
    from feedkit.cache import code_fingerprint

    package, templates = tmp_path / "feedkit", tmp_path / "templates"
    (package / "render").mkdir(parents=True)
    templates.mkdir()
    (package / "render" / "feeds.py").write_text("GENERATOR = 'feedkit'\n")
    (templates / "feed.xsl").write_text("<xsl/>")
    before = code_fingerprint(package, templates)
    assert code_fingerprint(package, templates) == before
    (package / "render" / "feeds.py").write_text("GENERATOR = 'feedkit 0.1.0+g1234'\n")
    code_fingerprint.cache_clear()  # a new process, as after an upgrade
    changed = code_fingerprint(package, templates)
    assert changed != before
    (templates / "feed.xsl").write_text("<xsl version='2'/>")
    code_fingerprint.cache_clear()
    assert code_fingerprint(package, templates) not in (before, changed)


def test_the_code_fingerprint_covers_the_whole_installed_package() -> None:
    import feedkit
    from feedkit.cache import code_fingerprint
    from feedkit.render.templates import templates_dir

    assert code_fingerprint() == code_fingerprint(Path(feedkit.__file__).resolve().parent,
                                                  templates_dir())


def test_an_upgraded_feedkit_with_the_same_version_builds_again(site: Path,
                                                                monkeypatch) -> None:
    from feedkit import cache
    from feedkit.render import feeds

    build(site)
    assert build(site).unchanged_inputs
    # the same version number, new code: here, a generator that names itself differently
    monkeypatch.setattr(cache, "code_fingerprint", lambda *args: "the next commit")
    monkeypatch.setattr(feeds, "GENERATOR", "feedkit (next)")
    report = build(site)
    assert not report.unchanged_inputs
    assert b"feedkit (next)" in (public(site) / "feed.xml").read_bytes()


# -- defect 4: two runs at once -------------------------------------------------------------------


HOLD_FOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from feedkit.deliver.lock import folder_lock
    with folder_lock(Path(sys.argv[1]), wait=5):
        print("locked", flush=True)
        sys.stdin.readline()
""")


def test_a_second_build_waits_for_the_first_then_fails_with_one_line(site: Path) -> None:
    build(site)
    before = (public(site) / "feed.xml").read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_FOLDER, str(public(site))],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              cwd=site)
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "locked"
        rewrite(site / "content/a.md", post("Alpha 2", "2025-01-01", "boats"))
        with pytest.raises(OutputError) as caught:
            build(site, wait=0.2)
        assert "\n" not in str(caught.value)
        assert str(caught.value).startswith(f"{public(site)}: another feedkit build is writing "
                                            "here and did not finish in 0.2 s")
        assert (public(site) / "feed.xml").read_bytes() == before  # nothing interleaved
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(10)
        holder.stdout.close()
    build(site)  # once the other run let go
    assert "Alpha 2" in titles(site)


NO_FOLDER_LOCKS = textwrap.dedent("""
    import errno, fcntl
    def refused(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")
    fcntl.flock = refused  # a file system with no flock: NFS without it, some FUSE mounts
""")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX locks")
def test_where_a_folder_cannot_be_locked_a_lock_file_in_it_is(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import fcntl

    from feedkit.deliver.lock import LOCK_NAME, folder_lock

    def refused(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", refused)  # here as in the other process
    holder = subprocess.Popen([sys.executable, "-c", NO_FOLDER_LOCKS + HOLD_FOLDER,
                               str(public(site))], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=site)
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert (public(site) / LOCK_NAME).is_file()
        with pytest.raises(OutputError, match="another feedkit build is writing here"):
            build(site, wait=0.2)
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(10)
        holder.stdout.close()
    with folder_lock(public(site), wait=0):
        pass


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX locks")
def test_a_folder_that_cannot_be_locked_at_all_is_one_line(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import fcntl

    def refused(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", refused)
    monkeypatch.setattr(fcntl, "lockf", refused)
    with pytest.raises(OutputError) as caught:
        build(site)
    assert str(caught.value) == (
        f"{public(site)}: cannot be locked (No locks available), so two runs could write it at "
        "once; write the output to a local folder and copy it from there")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX locks")
def test_a_lock_file_that_cannot_be_made_either_is_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import fcntl

    from feedkit.deliver import lock

    def refused(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    real_open = os.open

    def read_only(path, flags, *args):  # type: ignore[no-untyped-def]
        if str(path).endswith(lock.LOCK_NAME):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(fcntl, "flock", refused)
    monkeypatch.setattr(lock.os, "open", read_only)
    with (pytest.raises(OutputError, match="cannot create: Permission denied"),
          lock.folder_lock(tmp_path, wait=0)):
        pass  # (the folder's descriptor is closed once: no EBADF on the way out)


def test_a_busy_cache_is_used_by_neither_run_and_never_deleted(site: Path) -> None:
    build(site)
    cfg = settings.load(site / "feedkit.toml", env={}, cwd=site)
    with closing(sqlite3.connect(cfg.build.cache, timeout=0)) as other:
        other.execute("BEGIN EXCLUSIVE")  # another run, in the middle of writing the cache
        rewrite(site / "content/a.md", post("Alpha 2", "2025-01-01", "boats"))
        report = build(site)
        other.execute("ROLLBACK")
    assert "Alpha 2" in titles(site)
    assert any("another feedkit run is using the build cache; going on without it" in note
               for note in report.notes)
    with closing(sqlite3.connect(cfg.build.cache)) as db:  # still there, still whole
        assert db.execute("SELECT count(*) FROM parse_results").fetchone()[0] == 3


def test_a_build_that_writes_after_ours_unlocked_is_not_taken_for_ours(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from feedkit.jobs import build_job

    build(site)
    rewrite(site / "content/a.md", post("Alpha 2", "2025-01-01", "boats"))
    real = build_job._Run._publish

    def then_another_run_writes(self, *args, **kw):  # type: ignore[no-untyped-def]
        done = real(self, *args, **kw)  # the lock is released: another run publishes its own
        (public(site) / "feed.json").write_text('{"items": []}', encoding="utf-8")
        return done

    monkeypatch.setattr(build_job._Run, "_publish", then_another_run_writes)
    build(site)
    monkeypatch.undo()
    # the record holds the outputs as our run left them: the next build sees they are not
    again = build(site)
    assert not again.unchanged_inputs and "Alpha 2" in titles(site)


# -- defect 5: a warm build reads the settings' problems afresh -----------------------------------


def test_a_new_settings_typo_is_reported_by_a_build_answered_from_the_record(
        site: Path) -> None:
    build(site)
    toml = site / "feedkit.toml"
    toml.write_text(toml.read_text() + 'tittle = "Typo"\n', encoding="utf-8")
    report = build(site)
    assert report.unchanged_inputs
    assert [(p.field, p.hint) for p in report.problems] == [
        ("site.tittle", "did you mean site.title?")]
    with pytest.raises(RefusedError):
        build(site, strict=True)


def test_an_unknown_feedkit_variable_is_reported_and_fails_strict(site: Path) -> None:
    build(site)
    env = {"FEEDKIT_SITE_TITEL": "x"}
    report = build(site, env=env)
    assert report.unchanged_inputs and [p.field for p in report.problems] == ["FEEDKIT_SITE_TITEL"]
    with pytest.raises(RefusedError):
        build(site, env=env, strict=True)


def test_a_file_whose_name_is_not_utf8_is_reported_and_skipped(site: Path) -> None:
    name = os.fsencode(site / "content") + b"/caf\xe9.md"
    try:
        with open(name, "wb") as file:
            file.write(post("Latin-1 name", "2025-01-04").encode())
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    for _ in range(2):  # the second answered from the record
        report = build(site)
        (problem,) = [p for p in report.problems if p.is_error]
        assert str(problem.path) == "caf\ufffd.md" and "not UTF-8" in problem.message
        assert report.published == 3 and report.skipped_files == 1
    assert report.unchanged_inputs


# -- defect 6: a body that fails is that article's problem ----------------------------------------


def test_a_body_that_cannot_be_rendered_leaves_its_article_out_and_the_build_goes_on(
        site: Path, fail_rendering) -> None:
    fail_rendering("Gamma", RuntimeError("renderer bug"))
    report = build(site, use_cache=False)
    assert titles(site) == ["Beta", "Alpha"]
    assert not (public(site) / "tags/harbour").exists()
    (problem,) = report.problems
    assert str(problem) == ("c.md: error: body: cannot be rendered (RuntimeError: renderer bug) "
                            "(it is left out; please report this as a feedkit bug)")
    assert report.published == 2 and report.skipped_files == 1


def test_a_body_that_cannot_be_read_again_leaves_its_article_out(site: Path,
                                                                 monkeypatch) -> None:
    from feedkit.load import decoding

    real = decoding.read_body

    def vanishing(body: Body) -> str:  # the read_body the stages call
        if body.file and body.file.endswith("c.md"):
            raise FileNotFoundError(2, "No such file or directory")
        return real(body)

    monkeypatch.setattr(decoding, "read_body", vanishing)
    report = build(site)
    assert titles(site) == ["Beta", "Alpha"]  # no empty item where Gamma was
    assert [p.message for p in report.problems] == [
        "cannot be read again: No such file or directory"]
    monkeypatch.undo()  # readable again, with the same stamp: not answered from the record
    assert build(site).problems == () and titles(site) == ["Gamma", "Beta", "Alpha"]


def test_the_next_article_moves_into_a_full_feed_when_one_body_fails(make_site_dir,
                                                                      fail_rendering) -> None:
    root = make_site_dir({f"p{i}.md": post(f"Post {i}", f"2025-01-0{i}") for i in range(1, 5)},
                         toml=TOML + "[feed]\nlimit = 2\n")
    fail_rendering("Post 4", ValueError("no"))
    build(root, use_cache=False)
    assert titles(root) == ["Post 3", "Post 2"]


# -- defect 7: no content folder is an error ------------------------------------------------------


def test_a_missing_content_folder_is_an_error_not_an_empty_site(site: Path) -> None:
    build(site)
    (site / "content").rename(site / "moved")
    with pytest.raises(ContentError, match="content folder not found"):
        build(site)
    assert titles(site) == ["Gamma", "Beta", "Alpha"]


# -- defect 8: a build never empties published feeds by accident ----------------------------------


def test_an_emptied_content_folder_does_not_empty_the_feeds(site: Path) -> None:
    build(site)
    feeds = {p: p.read_bytes() for p in public(site).rglob("*") if p.is_file()}
    for file in (site / "content").iterdir():
        file.unlink()
    for strict in (False, True):
        with pytest.raises(RefusedError) as caught:
            build(site, strict=strict)
        assert "nothing was written" in str(caught.value)
    (problem,) = caught.value.problems
    assert str(problem) == ("error: feed.xml: would go from 3 items to none (no article is "
                            "published) (pass --allow-shrink if that is intended; otherwise "
                            "check the content folder and the problems above, and build again)")
    assert {p: p.read_bytes() for p in public(site).rglob("*") if p.is_file()} == feeds
    build(site, allow_shrink=True)
    assert titles(site) == [] and not (public(site) / "tags").exists()


def test_every_article_unreadable_does_not_empty_the_feeds(site: Path) -> None:
    build(site)
    for file in (site / "content").iterdir():
        rewrite(file, "---\ntitle: [broken\n---\n")
    with pytest.raises(RefusedError) as caught:
        build(site)
    assert titles(site) == ["Gamma", "Beta", "Alpha"]
    # why: each article's own problem first, then the refusal that follows from them
    assert [(p.path.as_posix() if p.path else None, p.field) for p in caught.value.problems] \
        == [("a.md", None), ("b.md", None), ("c.md", None), (None, "feed.xml")]


def test_dropping_more_than_half_of_the_published_articles_is_refused(make_site_dir) -> None:
    root = make_site_dir({f"p{i}.md": post(f"Post {i}", f"2025-01-0{i}") for i in range(1, 6)},
                         toml=TOML)
    build(root)
    for i in (1, 2):
        (root / f"content/p{i}.md").unlink()
    build(root)  # two of five: fine
    (root / "content/p3.md").unlink()
    (root / "content/p4.md").unlink()  # two more of the three left
    with pytest.raises(RefusedError) as caught:
        build(root)
    assert caught.value.problems[-1].message == ("2 of the 3 articles the feeds held would be "
                                                 "dropped, no longer published (p3.md, p4.md)")
    build(root, allow_shrink=True)
    assert titles(root) == ["Post 5"]


def test_a_lower_limit_or_newer_articles_are_not_a_shrink(make_site_dir) -> None:
    root = make_site_dir({f"p{i}.md": post(f"Post {i}", f"2025-01-0{i}") for i in range(1, 7)},
                         toml=TOML)
    build(root)
    build(root, limit=2)  # the others are still published: only the feed is shorter
    assert titles(root) == ["Post 6", "Post 5"]


# -- a published id never changes unannounced ----------------------------------------------------


def test_a_new_site_url_without_id_base_would_change_every_id_and_is_refused(site: Path) -> None:
    build(site)
    toml = site / "feedkit.toml"
    toml.write_text(toml.read_text().replace(SITE_URL, "https://harbour.example.net/"), "utf-8")
    with pytest.raises(RefusedError) as caught:
        build(site)
    problems = caught.value.problems
    assert len(problems) == 3 and all(p.field == "id" for p in problems)
    assert problems[0].hint == ('keep them all with [feed] id_base = "news.example.org" in '
                                "feedkit.toml; or pass --allow-new-ids if new ids are intended")
    toml.write_text(toml.read_text() + '[feed]\nid_base = "news.example.org"\n', "utf-8")
    build(site)  # the ids are the old ones: nothing to refuse
    assert json.loads((public(site) / "feed.json").read_text())["items"][0]["id"] == \
        "tag:news.example.org,2025-01-03:c"


def test_ids_an_earlier_feedkit_dated_in_the_site_zone_are_kept_as_readers_know_them(
        make_site_dir) -> None:
    # an output folder written before the manifest existed: its feed.json says what readers have
    root = make_site_dir({"late.md": post("Late", "2025-01-06T23:30:00-05:00"),
                          "noon.md": post("Noon", "2025-01-06T12:00:00-05:00")},
                         toml=TOML + 'timezone = "Europe/Berlin"\n')
    public(root).mkdir()
    (public(root) / "feed.json").write_text(json.dumps({"items": [
        {"id": "tag:news.example.org,2025-01-07:late", "url": f"{SITE_URL}late/"},
        {"id": "tag:news.example.org,2025-01-06:noon", "url": f"{SITE_URL}noon/"}]}))
    report = build(root)
    ids = [i["id"] for i in json.loads((public(root) / "feed.json").read_text())["items"]]
    assert ids == ["tag:news.example.org,2025-01-07:late", "tag:news.example.org,2025-01-06:noon"]
    assert report.notes == ("late.md: kept the id feed readers know, "
                            "'tag:news.example.org,2025-01-07:late' (the id its name, date or "
                            "slug would give now differs); pin it with id: "
                            '"tag:news.example.org,2025-01-07:late" in its front matter (feedkit '
                            "pin-ids writes it), or it changes in an output folder without this "
                            "one's manifest",)
    assert build(root).notes == report.notes  # said again when nothing changed
    assert build(root, use_cache=False).notes == report.notes  # and kept again, from the manifest


def test_ids_kept_once_stay_kept_when_the_site_zone_changes_later(make_site_dir) -> None:
    root = make_site_dir({"late.md": post("Late", "2025-01-06T23:30:00-05:00")},
                         toml=TOML + 'timezone = "Europe/Berlin"\n')
    public(root).mkdir()
    (public(root) / "feed.json").write_text(json.dumps({"items": [
        {"id": "tag:news.example.org,2025-01-07:late", "url": f"{SITE_URL}late/"}]}))
    build(root)  # the upgrade: the Berlin-dated id is kept
    (root / "feedkit.toml").write_text(TOML + 'timezone = "America/New_York"\n')
    report = build(root)  # a New York date is the 6th: the id is kept as the manifest says
    assert [i["id"] for i in json.loads((public(root) / "feed.json").read_text())["items"]] \
        == ["tag:news.example.org,2025-01-07:late"]
    assert report.notes[0].startswith("late.md: kept the id feed readers know")
    # an id: line given since wins, for good
    rewrite(root / "content/late.md", post("Late", "2025-01-06T23:30:00-05:00",
                                           extra="id: urn:late\n"))
    build(root, allow_new_ids=True)
    for _ in range(2):
        build(root)
        assert [i["id"] for i in json.loads((public(root) / "feed.json").read_text())["items"]] \
            == ["urn:late"]


def test_a_corrected_date_keeps_the_id_readers_know_but_an_explicit_new_id_is_refused(
        make_site_dir) -> None:
    root = make_site_dir({"late.md": post("Late", "2025-01-06")}, toml=TOML)
    public(root).mkdir()
    (public(root) / "feed.json").write_text(json.dumps({"items": [
        {"id": "tag:news.example.org,2025-01-05:late", "url": f"{SITE_URL}late/"}]}))
    report = build(root)  # the date was fixed from the 5th to the 6th: the same article
    assert [i["id"] for i in json.loads((public(root) / "feed.json").read_text())["items"]] \
        == ["tag:news.example.org,2025-01-05:late"]
    assert report.notes[0].startswith("late.md: kept the id feed readers know, "
                                      "'tag:news.example.org,2025-01-05:late'")
    rewrite(root / "content/late.md", post("Late", "2025-01-06", extra="id: urn:late\n"))
    with pytest.raises(RefusedError) as caught:
        build(root)
    (problem,) = caught.value.problems
    assert problem.message.startswith("the feed id would change from "
                                      "'tag:news.example.org,2025-01-05:late' to 'urn:late'")
    assert problem.hint is not None and \
        problem.hint.startswith('keep it with id: "tag:news.example.org,2025-01-05:late"')
    build(root, allow_new_ids=True)


def test_another_file_at_a_published_url_is_another_article_not_an_id_change(
        site: Path) -> None:
    build(site)
    (site / "content/c.md").unlink()  # Gamma, at /c/, replaced by a new article at /c/
    (site / "content/new").mkdir()
    (site / "content/new/c.md").write_text(post("Gamma again", "2025-03-01", "harbour"))
    report = build(site)
    assert titles(site) == ["Gamma again", "Beta", "Alpha"]
    assert not any(p.field == "id" for p in report.problems)
    # the same file with a new date is the same article: it keeps the id readers know
    first = json.loads((public(site) / "feed.json").read_text())["items"][0]["id"]
    rewrite(site / "content/new/c.md", post("Gamma again", "2025-03-02", "harbour"))
    report = build(site)
    assert json.loads((public(site) / "feed.json").read_text())["items"][0]["id"] == first
    assert report.notes[0].startswith("new/c.md: kept the id feed readers know")


def test_changing_the_time_zone_changes_no_id(site: Path) -> None:
    build(site)
    ids = [i["id"] for i in json.loads((public(site) / "feed.json").read_text())["items"]]
    toml = site / "feedkit.toml"
    for zone in ("America/New_York", "Pacific/Kiritimati"):
        toml.write_text(TOML + f'timezone = "{zone}"\n', encoding="utf-8")
        build(site)  # not refused: no id changed
        assert [i["id"] for i in json.loads((public(site) / "feed.json").read_text())["items"]] \
            == ids


# -- issue 13: ids for life -----------------------------------------------------------------------


def ids_by_title(root: Path) -> dict[str, str]:
    return {i["title"]: i["id"] for i in json.loads((public(root) / "feed.json").read_text())
            ["items"]}


def test_a_renamed_file_keeps_its_published_id_in_every_feed(site: Path) -> None:
    build(site)
    before = ids_by_title(site)
    (site / "content/c.md").rename(site / "content/gamma-at-last.md")
    report = build(site)
    assert ids_by_title(site) == before  # the URL follows the new name; the id does not
    import feedparser

    for name in ("atom.xml", "feed.xml"):
        tag_feed = feedparser.parse((public(site) / "tags/harbour" / name).read_bytes())
        assert [e.id for e in tag_feed.entries] == [before["Gamma"]]
    assert report.notes == (
        "1 article link(s) differ from what the feeds published (gamma-at-last.md: "
        f"{SITE_URL}c/ → {SITE_URL}gamma-at-last/); if the site did not move those pages, set "
        "[site] permalink (or [content] generator) to match it",
        f"gamma-at-last.md: kept the id feed readers know, {before['Gamma']!r} (the id its "
        "name, date or slug would give now differs); pin it with id: "
        f'"{before["Gamma"]}" in its front matter (feedkit pin-ids writes it), or it changes '
        "in an output folder without this one's manifest")
    assert build(site).notes == report.notes[1:]  # the links have moved: said once
    # renamed again, and its date fixed besides: still the same article
    moved = site / "content/2025/gamma.md"
    moved.parent.mkdir()
    (site / "content/gamma-at-last.md").rename(moved)
    rewrite(moved, post("Gamma", "2025-01-04", "harbour"))
    build(site)
    assert ids_by_title(site) == before


def test_an_older_article_taking_a_published_slug_changes_no_published_id_or_url(
        site: Path) -> None:
    build(site)
    before = ids_by_title(site)
    (site / "content/old").mkdir()
    (site / "content/old/c.md").write_text(post("Older Gamma", "2024-12-01", "harbour"))
    report = build(site)
    after = ids_by_title(site)
    assert {t: after[t] for t in before} == before
    assert after["Older Gamma"] not in before.values()
    urls = {i["title"]: i["url"] for i in json.loads((public(site) / "feed.json").read_text())
            ["items"]}
    assert urls["Gamma"] == f"{SITE_URL}c/"  # the published one keeps its page
    assert urls["Older Gamma"].startswith(f"{SITE_URL}c-")
    (slug,) = [p for p in report.problems if p.field == "slug"]
    assert slug.path == Path("old/c.md") and "c.md, already in the feeds" in slug.message


def test_a_kept_id_is_never_given_to_two_articles(site: Path) -> None:
    build(site)
    before = ids_by_title(site)
    # c.md renamed, and a new c.md with Gamma's name, date and slug: the file is the article
    (site / "content/c.md").rename(site / "content/gamma-renamed.md")
    (site / "content/c.md").write_text(post("Not Gamma", "2025-01-03", "harbour"))
    build(site, allow_new_ids=True)
    after = ids_by_title(site)
    assert len(set(after.values())) == len(after)
    assert after["Not Gamma"] == before["Gamma"]  # the same file, date and slug as published


def test_check_reports_each_id_a_build_would_keep_or_refuse(site: Path) -> None:
    def check() -> list[Problem]:
        cfg = settings.load(site / "feedkit.toml", env={}, cwd=site)
        return [p for p in jobs.check(cfg, now=NOW, pool=Pool(workers=1)).problems
                if p.field == "id"]

    assert check() == []  # nothing published yet: nothing to compare with
    build(site)
    gamma = ids_by_title(site)["Gamma"]
    (site / "content/c.md").rename(site / "content/gamma-renamed.md")
    (kept,) = check()
    assert kept.path == Path("gamma-renamed.md") and not kept.is_error
    assert kept.message.startswith(f"the feed id would change from {gamma!r} to "
                                   "'tag:news.example.org,2025-01-03:gamma-renamed'")
    assert kept.hint == f'pin it with id: "{gamma}" in its front matter (feedkit pin-ids ' \
        "writes it)"
    rewrite(site / "content/gamma-renamed.md", post("Gamma", "2025-01-03", "harbour",
                                                    extra="id: urn:gamma\n"))
    (refused,) = check()
    assert refused.is_error and refused.message.startswith(
        f"the feed id would change from {gamma!r} to 'urn:gamma'")


def test_a_new_article_reusing_a_deleted_ones_title_is_new(site: Path) -> None:
    links = "---\ntitle: Links\npublish_date: {date}\ndescription: {what}\n---\n"
    (site / "content/links-jan.md").write_text(links.format(date="2025-01-04", what="January"))
    build(site)
    january = ids_by_title(site)["Links"]
    (site / "content/links-jan.md").unlink()
    (site / "content/links-mar.md").write_text(links.format(date="2025-03-01", what="March"))
    report = build(site)
    assert ids_by_title(site)["Links"] != january  # no body, another description: not the same
    assert not any("kept the id" in note for note in report.notes)


def test_a_drafted_article_keeps_its_identity_from_a_copy_of_it(site: Path) -> None:
    build(site)
    gamma = ids_by_title(site)["Gamma"]
    # Gamma drafted, and its text copied into a new file: the copy is a new article
    rewrite(site / "content/c.md", post("Gamma", "2025-01-03", "harbour", extra="draft: true\n"))
    (site / "content/gamma-copy.md").write_text(post("Gamma", "2025-01-03", "harbour"))
    report = build(site)
    assert ids_by_title(site)["Gamma"] != gamma
    assert not any("kept the id" in note for note in report.notes)
