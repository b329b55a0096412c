"""``feedkit init``: a new folder becomes a site that checks, builds and makes a digest with no
edits; it never overwrites without --force; it asks for the URL only when someone can answer."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from feedkit import cli as cli_module
from feedkit import jobs, scaffold
from feedkit import settings as settings_module
from feedkit.cli import cli
from feedkit.cli import site as cli_site
from feedkit.settings import SETTINGS

NOW = datetime(2025, 3, 1, 9, 30, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated(isolated: Path) -> Path:
    return isolated


def run(*args: str, catch: bool = False, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=catch, input=input)


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_init_then_check_build_and_digest_work_with_no_edits(
        monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("init", "site", "--url", "https://news.example.org", catch=False)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    monkeypatch.chdir("site")
    check = run("check")
    assert check.exit_code == 0, check.output
    assert check.stderr == ""
    assert "1 published" in check.stdout
    build = run("build")
    assert build.exit_code == 0, build.output
    assert {"feed.xml", "atom.xml", "feed.json"} <= {p.name for p in Path("public").iterdir()}
    digest = run("digest", "--since", "7d")
    assert digest.exit_code == 0, digest.output
    assert "Welcome to news.example.org" in digest.stdout
    assert Path("public/digest/digest.html").is_file()


def test_init_in_the_current_folder_with_no_terminal_uses_a_placeholder_and_says_so(
        _isolated: Path) -> None:
    result = run("init")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "note: no --url given and no terminal to ask, so [site] url is https://example.org; "
        "set your own in feedkit.toml before you publish\n")
    assert tomllib.loads((_isolated / "feedkit.toml").read_text(encoding="utf-8"))["site"] == {
        "url": "https://example.org", "title": "example.org"}
    assert "cd " not in result.stdout
    assert run("check").exit_code == 0
    assert run("build").exit_code == 0
    assert run("digest", "--since", "7d").exit_code == 0


def test_init_lists_the_files_and_prints_the_next_commands(_isolated: Path) -> None:
    result = run("init", "my site", "--url", "https://news.example.org", "--title", "News")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "  created    my site/feedkit.toml\n"
        "  created    my site/content/welcome.md\n"
        "  created    my site/.gitignore\n"
        "next:\n"
        "  cd 'my site'\n"
        "  feedkit check               # what feedkit makes of every article in content/\n"
        "  feedkit build               # write the feeds into public/\n"
        "  feedkit digest --since 7d   # an email of the last week's articles\n"
        'then write your own articles with: feedkit new "Your title"\n')


def test_init_writes_a_toml_listing_every_setting(_isolated: Path) -> None:
    assert run("init", "--url", "https://news.example.org", "--title", "Ha \"rb\" 🎉").exit_code \
        == 0
    text = (_isolated / "feedkit.toml").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert re.search(rf"(?m)^\[{setting.section}\]$", text)
        assert re.search(rf"(?m)^(# )?{setting.name} = ", text), setting.key
    config = settings_module.load(_isolated / "feedkit.toml", env={})
    assert config.warnings == ()
    assert config.site.title == 'Ha "rb" 🎉'
    assert (_isolated / ".gitignore").read_text(encoding="utf-8").splitlines()[1:] == \
        ["public/", ".feedkit/"]


def test_init_dates_the_welcome_article_now_in_the_chosen_schema(
        monkeypatch: pytest.MonkeyPatch, _isolated: Path) -> None:
    monkeypatch.setattr(jobs, "utc_now", lambda: NOW)
    assert run("init", "--url", "https://x.example.org", "--schema", "publishedOn").exit_code == 0
    text = (_isolated / "content/welcome.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["publishedOn"] == NOW
    assert {"mainImage", "altTextMainImage", "draft", "archived"} <= set(meta)


def test_init_refuses_to_overwrite_and_names_the_files(_isolated: Path) -> None:
    assert run("init", "site", "--url", "https://news.example.org").exit_code == 0
    before = files_under(_isolated / "site")
    result = run("init", "site", "--url", "https://other.example.org")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("feedkit: error: site: feedkit.toml, content/welcome.md already "
                             "exist, so this is a site already; nothing written (--force "
                             "replaces them, losing your settings and edits)\n")
    assert files_under(_isolated / "site") == before


def test_init_force_overwrites(_isolated: Path) -> None:
    assert run("init", "--url", "https://news.example.org").exit_code == 0
    result = run("init", "--url", "https://other.example.org", "--force")
    assert result.exit_code == 0, result.output
    assert "  replaced   feedkit.toml\n" in result.stdout
    assert "  unchanged  .gitignore\n" in result.stdout
    assert 'url = "https://other.example.org"' in \
        (_isolated / "feedkit.toml").read_text(encoding="utf-8")


def test_init_asks_for_the_url_on_a_terminal_until_it_is_one(
        monkeypatch: pytest.MonkeyPatch, _isolated: Path) -> None:
    monkeypatch.setattr(cli_site, "stdin_is_terminal", lambda: True)
    result = run("init", input="news.example.org\nhttps://news.example.org\n")
    assert result.exit_code == 0, result.output
    assert "'news.example.org' is not an absolute http(s) URL" in result.output
    assert "note:" not in result.stderr
    assert tomllib.loads((_isolated / "feedkit.toml").read_text(encoding="utf-8"))["site"][
        "url"] == "https://news.example.org"


def test_init_with_a_bad_url_is_a_usage_error(_isolated: Path) -> None:
    result = run("init", "--url", "ftp://example.org")
    assert result.exit_code == 2
    assert "'ftp://example.org' is not an absolute http(s) URL" in result.stderr
    assert list(_isolated.iterdir()) == []


def test_cli_offers_the_schemas_scaffold_knows() -> None:
    assert cli_module.SCHEMAS == scaffold.SCHEMAS


# -- init --from ---------------------------------------------------------------------------------


HUGO_SITE = {
    "hugo.toml": 'baseURL = "https://hugo.example.org/"\ntitle = "Hugo News"\n'
                 '[permalinks]\n  posts = "/:year/:slug/"\n[languages.en]\n[languages.de]\n',
    "content/posts/2024-05-01-launch.md": '+++\ntitle = "Launch"\ndate = 2024-05-01T10:00:00Z\n'
                                          'description = "We launched."\n+++\n\nHello.\n',
}


def write_site(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_init_from_a_hugo_site_writes_its_settings_and_notes_what_it_left(
        _isolated: Path) -> None:
    write_site(_isolated, HUGO_SITE)
    result = run("init", "--from", ".")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("  created    feedkit.toml\n  created    .gitignore\n")
    assert "feedkit check               # what feedkit makes of every article in content/\n" \
        in result.stdout
    assert result.stderr == ("note: Hugo multilingual [languages]: only the default language's "
                             "content (en) is read\n")
    assert not (_isolated / "content" / "welcome.md").exists()
    config = tomllib.loads((_isolated / "feedkit.toml").read_text(encoding="utf-8"))
    assert config["site"] == {"url": "https://hugo.example.org/", "title": "Hugo News",
                              "language": "en", "permalinks": {"posts": "/:year/:slug/"}}
    assert config["content"] == {"dir": "content", "generator": "hugo"}
    check = run("check")
    assert check.exit_code == 0, check.output
    assert "1 published" in check.stdout


def test_init_from_flags_beat_what_the_site_says(_isolated: Path) -> None:
    write_site(_isolated / "old", HUGO_SITE)
    result = run("init", "new", "--from", "old", "--url", "https://other.example.org",
                 "--title", "Other")
    assert result.exit_code == 0, result.output
    config = tomllib.loads((_isolated / "new" / "feedkit.toml").read_text(encoding="utf-8"))
    assert config["site"]["url"] == "https://other.example.org"
    assert config["site"]["title"] == "Other"
    assert config["content"]["dir"] == "../old/content"


def test_init_from_a_folder_that_is_no_site_is_one_line_and_exit_1(_isolated: Path) -> None:
    (_isolated / "notes.txt").write_text("hello", encoding="utf-8")
    result = run("init", "--from", ".")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("feedkit: error: .: no site config found (looked for ")
    assert result.stderr.endswith("; point --from at the folder that holds the site's config\n")
    assert result.stderr.count("\n") == 1
    assert sorted(p.name for p in _isolated.iterdir()) == ["notes.txt"]


def test_init_from_with_a_broken_config_names_the_file(_isolated: Path) -> None:
    write_site(_isolated, {"hugo.toml": "baseURL = \n"})
    result = run("init", "--from", ".")
    assert result.exit_code == 1
    assert result.stderr.startswith("feedkit: error: hugo.toml: ")
    assert "fix the TOML" in result.stderr
    assert not (_isolated / "feedkit.toml").exists()


def test_init_from_refuses_an_existing_feedkit_toml_unless_forced(_isolated: Path) -> None:
    write_site(_isolated, {**HUGO_SITE, "feedkit.toml": "[site]\nurl = \"https://a.org\"\n"})
    result = run("init", "--from", ".")
    assert result.exit_code == 1
    assert result.stderr == ("feedkit: error: .: feedkit.toml already exists, so this is a site "
                             "already; nothing written (--force replaces it, losing your "
                             "settings and edits)\n")
    forced = run("init", "--from", ".", "--force")
    assert forced.exit_code == 0, forced.output
    assert "  replaced   feedkit.toml\n" in forced.stdout
    assert 'url = "https://hugo.example.org/"' in \
        (_isolated / "feedkit.toml").read_text(encoding="utf-8")
