"""``scaffold``: the generated feedkit.toml matches the settings table, new articles quote any
title safely and get a safe file name, and nothing is ever overwritten unless asked."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from factories import make_site
from hypothesis import given
from hypothesis import strategies as st

from feedkit import scaffold
from feedkit import settings as settings_module
from feedkit.errors import ConfigError, OutputError, UsageError
from feedkit.load import LoadRules, parse_article
from feedkit.model import Status
from feedkit.settings import SETTINGS

NOW = datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
LISBON = ZoneInfo("Europe/Lisbon")

ODD_TITLES = {
    "emoji": "🎉🚀 Launch day 🎉",
    "emoji-only": "🎉🎉🎉",
    "rtl": "\u200fمرحبا بالعالم\u200f",
    "hebrew": "שלום עולם",
    "dots": "../../etc/passwd",
    "backslashes": "..\\..\\windows\\system32",
    "long": "word " * 60,  # 300 characters
    "long-4-byte": "\U00020000" * 300,  # a CJK letter of 4 bytes in UTF-8
    "punctuation": "?!…—–-.,;:'\"()[]{}",
    "yaml-bool": "yes",
    "yaml-date": "2025-01-01",
    "yaml-null": "null",
    "colon": "Note: a title: with colons",
    "hash": "#1 in the harbour",
    "dash": "- a list?",
    "quotes": "\"Quoted\" and 'single'",
    "newline": "two\nlines",
    "controls": "bell\x07 and del\x7f",
    "windows-name": "CON",
    "leading-dot": ".hidden",
}


def front_matter(text: str) -> dict[str, object]:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def settings_in(toml: str) -> dict[str, tuple[bool, str]]:
    """``{"section.name": (active?, value text)}`` for every setting line, commented or not."""
    found: dict[str, tuple[bool, str]] = {}
    section = ""
    for line in toml.splitlines():
        if m := re.fullmatch(r"\[(\w+)\]", line):
            section = m.group(1)
        elif m := re.fullmatch(r"(# )?(\w+) = (.*)", line):
            found[f"{section}.{m.group(2)}"] = (m.group(1) is None, m.group(3))
    return found


# -- feedkit.toml ----------------------------------------------------------------------------------


def test_config_lists_every_setting_once_with_its_help_and_only_url_and_title_set() -> None:
    toml = scaffold.render_config(url="https://news.example.org", title="News")
    found = settings_in(toml)
    assert list(found) == [s.key for s in SETTINGS]
    assert [k for k, (active, _) in found.items() if active] == ["site.url", "site.title"]
    for setting in SETTINGS:
        assert f"# {setting.help}\n" in toml


def test_config_loads_and_every_commented_default_is_the_real_default(tmp_path: Path) -> None:
    toml = scaffold.render_config(url="https://news.example.org", title="News")
    (tmp_path / "as-written.toml").write_text(toml, encoding="utf-8")
    uncommented = re.sub(r"(?m)^# (\w+ = )", r"\1", toml)
    (tmp_path / "uncommented.toml").write_text(uncommented, encoding="utf-8")
    plain = settings_module.load(tmp_path / "as-written.toml", env={})
    every = settings_module.load(tmp_path / "uncommented.toml", env={})
    assert plain.warnings == every.warnings == ()
    assert plain.site.url == "https://news.example.org/"
    assert plain.site.title == "News"
    assert dataclasses.replace(every, source=None) == dataclasses.replace(plain, source=None)


def test_config_holds_no_password_and_says_where_it_comes_from() -> None:
    toml = scaffold.render_config(url="https://news.example.org", title="News")
    assert "password =" not in toml
    assert "FEEDKIT_SMTP_PASSWORD" in toml


@pytest.mark.parametrize("title", list(ODD_TITLES.values()), ids=list(ODD_TITLES))
def test_config_title_round_trips_through_toml(title: str) -> None:
    toml = scaffold.render_config(url="https://news.example.org", title=title)
    assert tomllib.loads(toml)["site"]["title"] == title


@pytest.mark.parametrize("url", ["news.example.org", "ftp://example.org", "https://",
                                 "https://example.org/?q=1", "https://example.org/#top",
                                 "/relative"])
def test_check_url_refuses_what_config_load_refuses(url: str) -> None:
    with pytest.raises(ConfigError, match="absolute http"):
        scaffold.check_url(url)
    with pytest.raises(ConfigError):
        settings_module.load(None, env={}, overrides={"site.url": url}, cwd=Path("/nonexistent"))


def test_check_url_refuses_spaces_inside() -> None:
    with pytest.raises(ConfigError, match="absolute http"):
        scaffold.check_url("https://exa mple.org")


def test_check_url_accepts_and_strips_an_absolute_url() -> None:
    assert scaffold.check_url(" http://news.example.org/blog/ ") == "http://news.example.org/blog/"


# -- .gitignore ------------------------------------------------------------------------------------


def test_gitignore_lists_public_and_state_folder() -> None:
    text = scaffold.render_gitignore()
    assert text is not None
    assert {"public/", ".feedkit/"} <= set(text.splitlines())


def test_existing_gitignore_keeps_its_lines_and_gets_the_missing_ones() -> None:
    assert scaffold.render_gitignore("node_modules/\npublic/") == \
        "node_modules/\npublic/\n# feedkit: built feeds and the digest, and the state and cache " \
        "files\n.feedkit/\n"
    assert scaffold.render_gitignore("public/\n.feedkit/\n") is None


# -- articles --------------------------------------------------------------------------------------


@pytest.mark.parametrize("schema", scaffold.SCHEMAS)
def test_welcome_article_loads_without_problems_dated_now_in_the_site_zone(schema: str) -> None:
    text = scaffold.welcome_article(title="Harbour News", schema=schema, now=NOW, zone=LISBON)
    parsed = parse_article(text, Path("welcome.md"), rules=LoadRules(make_site(timezone=LISBON)))
    assert parsed.problems == ()
    article = parsed.article
    assert article is not None
    assert article.title == "Welcome to Harbour News"
    assert article.published == NOW.replace(microsecond=0)
    assert article.status(NOW) is Status.PUBLISHED
    assert schema in front_matter(text)


def test_schema_a_quotes_its_date_and_schema_b_writes_a_yaml_date() -> None:
    when = datetime(2025, 7, 1, 10, 0, tzinfo=LISBON)
    a = scaffold.render_article("T", schema="publish_date", published=when)
    b = scaffold.render_article("T", schema="publishedOn", published=when)
    assert "publish_date: '2025-07-01T10:00:00+01:00'\n" in a
    assert "publishedOn: 2025-07-01 10:00:00+01:00\n" in b
    assert "publish_date: '2025-07-01'\n" in scaffold.render_article(
        "T", schema="publish_date", published=when, date_only=True)
    assert "publishedOn: 2025-07-01\n" in scaffold.render_article(
        "T", schema="publishedOn", published=when, date_only=True)


@pytest.mark.parametrize(("schema", "keys"), [
    ("publish_date", ["title", "description", "publish_date", "heroImage", "heroImageAlt", "cta",
                      "tags"]),
    ("publishedOn", ["title", "description", "publishedOn", "mainImage", "altTextMainImage",
                     "cta", "tags", "draft", "archived"]),
])
def test_new_article_has_empty_fields_to_fill_in_its_schema(schema: str, keys: list[str]) -> None:
    text = scaffold.render_article("T", schema=schema, published=NOW)
    meta = front_matter(text)
    assert list(meta) == keys
    assert all(meta[k] in ("", [], False) for k in keys if k not in ("title", schema))
    parsed = parse_article(text, Path("t.md"), rules=LoadRules(make_site()))
    assert parsed.article is not None
    assert not [p for p in parsed.problems if p.is_error]


@pytest.mark.parametrize("schema", scaffold.SCHEMAS)
def test_draft_flag_makes_a_draft_in_either_schema(schema: str) -> None:
    text = scaffold.render_article("T", schema=schema, published=NOW, draft=True)
    assert front_matter(text)["draft"] is True
    parsed = parse_article(text, Path("t.md"), rules=LoadRules(make_site()))
    assert parsed.article is not None and parsed.article.status(NOW) is Status.DRAFT


@pytest.mark.parametrize("title", list(ODD_TITLES.values()), ids=list(ODD_TITLES))
def test_any_title_is_quoted_safely(title: str) -> None:
    text = scaffold.render_article(title, schema="publish_date", published=NOW)
    assert front_matter(text)["title"] == " ".join(title.split())
    assert text.count("\n---\n") == 1  # the title cannot close the front matter


@pytest.mark.parametrize("title", list(ODD_TITLES.values()), ids=list(ODD_TITLES))
def test_any_title_gives_a_safe_file_name(title: str) -> None:
    slug = scaffold.article_slug(title)
    assert re.fullmatch(r"[\w-]+", slug)
    assert not slug.startswith(("-", "_", "."))
    assert len(f"{slug}-99.md".encode()) <= 255


def test_odd_titles_slugs() -> None:
    assert scaffold.article_slug(ODD_TITLES["emoji-only"]) == "untitled"
    assert scaffold.article_slug(ODD_TITLES["punctuation"]) == "untitled"
    assert scaffold.article_slug(ODD_TITLES["dots"]) == "etc-passwd"
    assert scaffold.article_slug(ODD_TITLES["rtl"]) == "مرحبا-بالعالم"
    assert scaffold.article_slug(ODD_TITLES["windows-name"]) == "con-article"
    assert scaffold.article_slug(ODD_TITLES["emoji"]) == "launch-day"


@given(st.text(max_size=400))
def test_every_title_gives_a_safe_file_name(title: str) -> None:
    slug = scaffold.article_slug(title)
    assert slug and "/" not in slug and "\\" not in slug and ".." not in slug
    assert not slug.startswith(".") and "\x00" not in slug
    assert len(slug.encode()) <= 200


def test_article_date_defaults_to_now_in_the_site_zone() -> None:
    when, date_only = scaffold.article_date(None, now=NOW, zone=LISBON)
    assert (when, date_only) == (NOW.replace(microsecond=0), False)
    assert when.tzinfo is LISBON


@pytest.mark.parametrize(("spec", "expected", "date_only"), [
    ("2025-07-01", datetime(2025, 7, 1, tzinfo=LISBON), True),
    ("July 1, 2025", datetime(2025, 7, 1, tzinfo=LISBON), True),
    ("2025-07-01T10:00", datetime(2025, 7, 1, 10, tzinfo=LISBON), False),
    ("2025-07-01 00:00", datetime(2025, 7, 1, tzinfo=LISBON), False),
    ("2025-07-01T10:00+02:00", datetime(2025, 7, 1, 8, tzinfo=UTC), False),
])
def test_article_date_reads_what_front_matter_may_hold(spec: str, expected: datetime,
                                                       date_only: bool) -> None:
    assert scaffold.article_date(spec, now=NOW, zone=LISBON) == (expected, date_only)


@pytest.mark.parametrize("spec", ["tomorrow", "2025-13-01", "05/06/2025", ""])
def test_article_date_refuses_what_is_not_a_date(spec: str) -> None:
    with pytest.raises(UsageError, match=r"^--date: "):
        scaffold.article_date(spec, now=NOW, zone=LISBON)


# -- reading a site --------------------------------------------------------------------------------


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


A = "---\ntitle: A\npublish_date: '2025-01-01'\n---\nBody.\n"
B = "---\ntitle: B\npublishedOn: 2025-01-01\n---\nBody.\n"


@pytest.mark.parametrize(("files", "schema"), [
    ({}, "publish_date"),
    ({"a.md": A, "b.md": B}, "publish_date"),  # a tie: the default
    ({"a.md": A, "b.md": B, "c.md": B}, "publishedOn"),
    ({"a.md": A, "a2.md": A, "b.md": B}, "publish_date"),
    ({"b.md": B.replace("publishedOn", "PUBLISHEDON"), "x.md": "---\ntitle: [\n---\n"},
     "publishedOn"),
    ({"b.toml.md": "+++\ntitle = 'B'\npublishedOn = 2025-01-01\n+++\nBody.\n"}, "publishedOn"),
])
def test_schema_is_the_one_most_articles_use(tmp_path: Path, files: dict[str, str],
                                             schema: str) -> None:
    assert scaffold.survey(write(tmp_path, files)).schema == schema


def test_survey_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    found = scaffold.survey(tmp_path / "nope")
    assert found.schema == "publish_date" and found.slugs == frozenset()


def test_survey_finds_slugs_from_names_bundles_and_front_matter(tmp_path: Path) -> None:
    write(tmp_path, {"plain.md": A, "2024/2024-05-01-dated.md": A, "bundle/index.md": A,
                     "other.md": A.replace("title: A", "title: A\nslug: Explicit Slug")})
    assert scaffold.survey(tmp_path).slugs == {"plain", "dated", "bundle", "other",
                                               "explicit-slug"}


# -- writing ---------------------------------------------------------------------------------------


def test_create_article_never_overwrites_and_counts_up(tmp_path: Path) -> None:
    (tmp_path / "hello.md").write_text("mine", encoding="utf-8")
    first = scaffold.create_article(tmp_path, "one", slug="hello")
    second = scaffold.create_article(tmp_path, "two", slug="hello")
    assert [first.name, second.name] == ["hello-2.md", "hello-3.md"]
    assert (tmp_path / "hello.md").read_text(encoding="utf-8") == "mine"
    assert second.read_text(encoding="utf-8") == "two"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_create_article_skips_slugs_other_files_take(tmp_path: Path) -> None:
    path = scaffold.create_article(tmp_path / "content", "x", slug="hello",
                                   taken={"hello", "hello-2"})
    assert path == tmp_path / "content" / "hello-3.md"


def test_create_exclusive_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        scaffold.create_exclusive(target, b"theirs")
    assert target.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def init(root: Path, **kw: object) -> dict[str, scaffold.Change]:
    values: dict[str, object] = {"url": "https://news.example.org", "title": "News", "now": NOW}
    values.update(kw)
    return scaffold.init_site(root, **values)  # type: ignore[arg-type]


def test_init_site_writes_the_three_files_into_a_new_folder(tmp_path: Path) -> None:
    root = tmp_path / "new" / "site"
    changes = init(root)
    assert changes == {"feedkit.toml": "created", "content/welcome.md": "created",
                       ".gitignore": "created"}
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == \
        [".gitignore", "content", "content/welcome.md", "feedkit.toml"]
    config = settings_module.load(root / "feedkit.toml", env={})
    assert config.content.dir == root / "content"


def test_init_site_refuses_to_overwrite_and_names_every_file(tmp_path: Path) -> None:
    init(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(OutputError) as caught:
        init(tmp_path, title="Other")
    assert str(caught.value) == (f"{tmp_path}: feedkit.toml, content/welcome.md already exist, "
                                 "so this is a site already; nothing written (--force replaces "
                                 "them, losing your settings and edits)")
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_init_site_refuses_when_one_file_exists_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "feedkit.toml").write_text("# mine\n", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        init(tmp_path)
    assert str(caught.value).endswith(": feedkit.toml already exists, so this is a site "
                                      "already; nothing written (--force replaces it, losing "
                                      "your settings and edits)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feedkit.toml"]


def test_init_site_with_force_replaces_and_keeps_the_gitignore_lines(tmp_path: Path) -> None:
    (tmp_path / "feedkit.toml").write_text("# mine\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    changes = init(tmp_path, force=True, schema="publishedOn")
    assert changes == {"feedkit.toml": "replaced", "content/welcome.md": "created",
                       ".gitignore": "updated"}
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8").startswith("*.pyc\n")
    assert "publishedOn:" in (tmp_path / "content/welcome.md").read_text(encoding="utf-8")
    again = init(tmp_path, force=True, schema="publishedOn")
    assert set(again.values()) == {"unchanged"}
