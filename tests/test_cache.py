"""The build cache never serves stale results: every change to the inputs shows in the next
build, and a broken cache is rebuilt, never trusted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from factories import NOW, SITE_URL

from feedkit import jobs, settings
from feedkit.deliver.output import WriteResult
from feedkit.jobs.build_job import BuildReport

POST = "---\ntitle: {title}\npublish_date: {date}\ntags: [{tag}]\n---\nBody of {title}.\n"


def post(title: str, date: str = "2025-01-01", tag: str = "news") -> str:
    return POST.format(title=title, date=date, tag=tag)


def build(root: Path, **kw: object) -> BuildReport:
    cfg = settings.load(root / "feedkit.toml", env={}, cwd=root)
    return jobs.build(cfg, now=kw.pop("now", NOW), **kw)  # type: ignore[arg-type]


def items(root: Path) -> list[str]:
    return [i["title"] for i in json.loads((root / "public" / "feed.json").read_text())["items"]]


def touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


@pytest.fixture
def site(make_site_dir) -> Path:
    root = make_site_dir({"a.md": post("Alpha"), "b.md": post("Beta", "2025-01-02")})
    first = build(root)
    assert not first.unchanged_inputs and items(root) == ["Beta", "Alpha"]
    second = build(root)
    assert second.unchanged_inputs and set(second.files.values()) == {WriteResult.UNCHANGED}
    return root


def test_editing_an_article_is_seen(site: Path) -> None:
    file = site / "content" / "a.md"
    file.write_text(post("Alpha edited"), encoding="utf-8")
    touch_later(file)
    report = build(site)
    assert not report.unchanged_inputs
    assert items(site) == ["Beta", "Alpha edited"]


def test_an_edit_that_keeps_size_and_mtime_is_the_one_blind_spot_documented(site: Path) -> None:
    # same length, same mtime: like make and rsync, the cache trusts (size, mtime); --no-cache
    # is the way out, and it must see the edit
    file = site / "content" / "a.md"
    stat = file.stat()
    file.write_text(post("Alphb"), encoding="utf-8")
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    build(site, use_cache=False)
    assert items(site) == ["Beta", "Alphb"]


def test_editing_a_body_reaches_the_feed(site: Path) -> None:
    file = site / "content" / "a.md"
    file.write_text(post("Alpha").replace("Body of Alpha.", "A new body, longer."), "utf-8")
    touch_later(file)
    build(site)
    feed = json.loads((site / "public" / "feed.json").read_text())
    alpha = next(i for i in feed["items"] if i["title"] == "Alpha")
    assert "A new body, longer." in alpha["content_html"]


def test_adding_deleting_and_renaming_are_seen(site: Path) -> None:
    (site / "content" / "c.md").write_text(post("Gamma", "2025-01-03"), encoding="utf-8")
    build(site)
    assert items(site) == ["Gamma", "Beta", "Alpha"]
    (site / "content" / "b.md").unlink()
    build(site)
    assert items(site) == ["Gamma", "Alpha"]
    (site / "content" / "c.md").rename(site / "content" / "renamed.md")
    build(site)
    urls = [i["url"] for i in json.loads((site / "public" / "feed.json").read_text())["items"]]
    assert urls[0].endswith("/renamed/")


def test_changing_the_config_is_seen(site: Path) -> None:
    toml = site / "feedkit.toml"
    toml.write_text(toml.read_text() + '\n[feed]\nlimit = 1\n', encoding="utf-8")
    report = build(site)
    assert not report.unchanged_inputs
    assert items(site) == ["Beta"]
    toml.write_text(toml.read_text().replace('title = "News"', 'title = "Renamed"'), "utf-8")
    build(site)
    assert json.loads((site / "public" / "feed.json").read_text())["title"] == "Renamed"


def test_changing_a_template_is_seen(site: Path, monkeypatch) -> None:
    from feedkit.jobs import build_job as building

    monkeypatch.setattr(building, "read_template", lambda name: b"<xsl:changed/>")
    report = build(site)
    assert not report.unchanged_inputs
    assert (site / "public" / "feed.xsl").read_bytes() == b"<xsl:changed/>"


def test_a_scheduled_article_appears_when_its_time_comes(make_site_dir) -> None:
    root = make_site_dir({"a.md": post("Now"), "later.md": post("Later", "2026-01-02")})
    build(root)
    assert items(root) == ["Now"]
    assert build(root).unchanged_inputs
    report = build(root, now=NOW.replace(year=2027))
    assert not report.unchanged_inputs
    assert items(root) == ["Later", "Now"]


def test_a_deleted_or_edited_output_is_written_again(site: Path) -> None:
    feed = site / "public" / "feed.xml"
    good = feed.read_bytes()
    feed.write_bytes(b"tampered")
    report = build(site)
    assert report.files["feed.xml"] is WriteResult.WRITTEN and feed.read_bytes() == good
    (site / "public" / "atom.xml").unlink()
    assert build(site).files["atom.xml"] is WriteResult.WRITTEN


def test_a_damaged_cache_is_replaced(site: Path) -> None:
    cfg = settings.load(site / "feedkit.toml", env={}, cwd=site)
    db = cfg.build.cache
    with db.open("r+b") as file:  # our header kept, the pages after it overwritten
        file.seek(100)
        file.write(b"\xff" * 4000)
    report = build(site)
    assert not report.unchanged_inputs and items(site) == ["Beta", "Alpha"]
    assert any("was damaged" in note and "starting a new one" in note for note in report.notes)
    assert build(site).unchanged_inputs  # and it works again


@pytest.mark.parametrize("kind", ["text", "another program's database",
                                  "another program's database with only a meta table"])
def test_a_cache_path_holding_a_file_that_is_not_a_feedkit_cache_is_never_touched(
        make_site_dir, kind: str) -> None:
    import sqlite3
    from contextlib import closing

    root = make_site_dir({"a.md": post("Alpha")}, toml=f'[site]\nurl = "{SITE_URL}"\n'
                         '[build]\ncache = "notes.db"\n')
    path = root / "notes.db"
    if kind == "text":
        path.write_bytes(b"my notes, not a database\n" * 100)
    elif kind == "another program's database":
        with closing(sqlite3.connect(path)) as db:
            db.executescript("CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('ann');"
                             "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);")
            db.commit()
    else:
        with closing(sqlite3.connect(path)) as db:
            db.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                             "INSERT INTO meta VALUES ('theme', 'dark');")
            db.commit()
    before = path.read_bytes()
    for _ in range(2):
        report = build(root)
        assert items(root) == ["Alpha"] and not report.unchanged_inputs
        assert any("is not a feedkit build cache; left alone" in note for note in report.notes)
    assert path.read_bytes() == before


def test_a_run_with_other_settings_taking_over_the_cache_turns_this_one_off(
        site: Path) -> None:
    from feedkit.cache import Cache, fingerprint, load_articles
    from feedkit.load import LoadRules

    cfg = settings.load(site / "feedkit.toml", env={}, cwd=site)
    rules = LoadRules.of(cfg)
    path = site / "shared.db"
    with Cache.open(path, fingerprint("settings A")) as first:
        load_articles(first, cfg.content.dir, rules=rules)
        assert len(first.parsed(fresh_files(cfg.content.dir))) == 2
        with Cache.open(path, fingerprint("settings B")) as second:  # empties it for itself
            assert second.parsed(fresh_files(cfg.content.dir)) == {}
            # the first run neither reads what the second stores nor stores into its cache
            assert first.parsed(fresh_files(cfg.content.dir)) == {}
            load_articles(first, cfg.content.dir, rules=rules)
            assert not first.enabled
            assert any("has taken over the build cache" in note for note in first.notes)
            assert second.parsed(fresh_files(cfg.content.dir)) == {}
            assert second.enabled


def test_problems_are_reported_the_same_from_the_cache(make_site_dir) -> None:
    root = make_site_dir({"a.md": post("Alpha"), "bad.md": "---\ntitle: x\n---\nno date\n"})
    first = build(root)
    second = build(root)
    assert second.unchanged_inputs
    assert [str(p) for p in second.problems] == [str(p) for p in first.problems]
    assert second.skipped_files == first.skipped_files == 1


def test_no_cache_neither_reads_nor_writes_the_cache(make_site_dir) -> None:
    root = make_site_dir({"a.md": post("Alpha")})
    build(root, use_cache=False)
    cfg = settings.load(root / "feedkit.toml", env={}, cwd=root)
    assert not cfg.build.cache.exists()


def test_cached_articles_equal_freshly_parsed_ones(site: Path) -> None:
    from feedkit.cache import Cache, fingerprint, load_articles
    from feedkit.load import LoadRules
    from feedkit.load import load_articles as load_fresh

    cfg = settings.load(site / "feedkit.toml", env={}, cwd=site)
    rules = LoadRules.of(cfg)
    fresh = load_fresh(cfg.content.dir, rules=rules)
    path = site / "probe.db"
    with Cache.open(path, fingerprint("probe")) as cache:
        load_articles(cache, cfg.content.dir, rules=rules)
    with Cache.open(path, fingerprint("probe")) as cache:
        assert len(cache.parsed(fresh_files(cfg.content.dir))) == 2  # answered from the cache
        cached = load_articles(cache, cfg.content.dir, rules=rules)
    assert cached == fresh


def fresh_files(root: Path):
    from feedkit.load.folder import find_files

    return find_files(root).files


def test_each_needed_body_is_rendered_once_however_many_feeds_hold_it(make_site_dir,
                                                                        monkeypatch) -> None:
    from feedkit.pool import Pool
    from feedkit.render import bodies

    articles = {f"p{i}.md": post(f"Post {i}", f"2025-01-{i + 1:02d}", tag=f"t{i % 3}")
                for i in range(12)}
    root = make_site_dir(articles, toml=f'[site]\nurl = "{SITE_URL}"\n[feed]\nlimit = 0\n'
                         'tag_limit = 0\n')
    calls = []
    real = bodies.render_body

    def counting(text, body_format, url, **kw):
        calls.append(url)
        return real(text, body_format, url, **kw)

    monkeypatch.setattr(bodies, "render_body", counting)
    build(root, use_cache=False, pool=Pool(workers=1))
    assert sorted(calls) == sorted(set(calls)) and len(calls) == 12


OLD_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER,
                                  parsed BLOB);
CREATE TABLE IF NOT EXISTS bodies (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER,
                                   url TEXT, html TEXT);
"""  # the cache of the feedkit before named records: what it creates and reads


def test_a_cache_from_an_earlier_feedkit_is_replaced_and_one_going_back_still_works(
        site: Path) -> None:
    import sqlite3
    from contextlib import closing

    cfg = settings.load(site / "feedkit.toml", env={}, cwd=site)
    db_path = cfg.build.cache
    db_path.unlink()
    with closing(sqlite3.connect(db_path)) as db:  # as the earlier feedkit left it
        db.executescript(OLD_TABLES + "INSERT INTO meta VALUES ('fingerprint', "
                         "'1:0123456789abcdef0123456789abcdef');"
                         "INSERT INTO bodies VALUES ('a.md', 1, 1, 'u', '<p>stale</p>');")
        db.commit()
    report = build(site)
    assert not report.unchanged_inputs and items(site) == ["Beta", "Alpha"]
    assert build(site).unchanged_inputs
    with closing(sqlite3.connect(db_path)) as db:  # the earlier feedkit opening it again
        db.executescript(OLD_TABLES)
        assert db.execute("SELECT path, html FROM bodies").fetchall() == []


@pytest.mark.parametrize("failure", [PermissionError(13, "Permission denied"),
                                     RuntimeError("a bug")])
def test_a_file_that_failed_to_load_for_a_reason_besides_its_bytes_is_loaded_next_time(
        make_site_dir, monkeypatch: pytest.MonkeyPatch, failure: Exception) -> None:
    import builtins

    from feedkit.load import articles

    root = make_site_dir({"a.md": post("Alpha"), "b.md": post("Beta", "2025-01-02")})
    real_open = builtins.open

    def failing_open(file, *args, **kw):  # type: ignore[no-untyped-def]
        if str(file).endswith("b.md"):
            raise failure
        return real_open(file, *args, **kw)

    monkeypatch.setattr(articles, "open", failing_open, raising=False)
    first = build(root, allow_shrink=True)
    assert items(root) == ["Alpha"] and first.skipped_files == 1
    monkeypatch.undo()  # the permission mended (no new mtime), or the bug fixed
    second = build(root)
    assert items(root) == ["Beta", "Alpha"] and second.skipped_files == 0


def test_the_cache_key_follows_the_time_zone_rules_not_only_the_zone_name(
        tmp_path: Path) -> None:
    import shutil
    import zoneinfo

    from feedkit.cache import zone_fingerprint

    source = next((Path(folder, "Europe/Berlin") for folder in zoneinfo.TZPATH
                   if Path(folder, "Europe/Berlin").is_file()), None)
    if source is None:
        pytest.skip("no system time zone files here")
    (tmp_path / "Europe").mkdir()
    shutil.copy(source, tmp_path / "Europe/Berlin")
    zoneinfo.reset_tzpath([str(tmp_path)])
    try:
        zone = zoneinfo.ZoneInfo.no_cache("Europe/Berlin")
        before = zone_fingerprint(zone)
        with (tmp_path / "Europe/Berlin").open("ab") as file:  # an update to its rules
            file.write(b"\n")
        assert zone_fingerprint(zone) != before
    finally:
        zoneinfo.reset_tzpath()
