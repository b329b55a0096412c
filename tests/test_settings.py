"""settings: one precedence rule (flags > FEEDKIT_* env > feedkit.toml > defaults), one-line
errors that name the key, warnings for unknown keys."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feedkit import settings
from feedkit.errors import ConfigError, FeedkitError, Severity

TOML_URL = "https://toml.example.org/"
ENV_URL = "https://env.example.org/"
FLAG_URL = "https://flag.example.org/"


def write_toml(folder: Path, text: str) -> Path:
    path = folder / "feedkit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load(folder: Path, toml: str | None, env: dict[str, str] | None = None,
         overrides: dict[str, object] | None = None) -> settings.Settings:
    path = write_toml(folder, toml) if toml is not None else None
    return settings.load(path, env=env or {}, overrides=overrides, cwd=folder)


# -- precedence -----------------------------------------------------------------------------------

FULL_TOML = f"""
[site]
url = "{TOML_URL}"
timezone = "Europe/Berlin"
language = "pt-BR"

[content]
max_file_size = 2000
"""


@pytest.mark.parametrize(
    ("toml", "env", "overrides", "expected"),
    [
        # only the required url anywhere: everything else is a default
        (None, {"FEEDKIT_SITE_URL": ENV_URL}, {},
         {"site.url": ENV_URL, "site.timezone": ZoneInfo("UTC"), "site.language": "en",
          "content.max_file_size": 5_000_000}),
        # the file beats the defaults
        (FULL_TOML, {}, {},
         {"site.url": TOML_URL, "site.timezone": ZoneInfo("Europe/Berlin"),
          "site.language": "pt-BR", "content.max_file_size": 2000}),
        # the environment beats the file, key by key
        (FULL_TOML, {"FEEDKIT_SITE_URL": ENV_URL, "FEEDKIT_CONTENT_MAX_FILE_SIZE": "300"}, {},
         {"site.url": ENV_URL, "site.timezone": ZoneInfo("Europe/Berlin"),
          "content.max_file_size": 300}),
        # flags beat the environment and the file
        (FULL_TOML, {"FEEDKIT_SITE_URL": ENV_URL, "FEEDKIT_SITE_TIMEZONE": "Asia/Tokyo"},
         {"site.url": FLAG_URL},
         {"site.url": FLAG_URL, "site.timezone": ZoneInfo("Asia/Tokyo"), "site.language": "pt-BR"}),
        # a flag left unset (None) does not hide the layers below it
        (FULL_TOML, {"FEEDKIT_SITE_URL": ENV_URL}, {"site.url": None}, {"site.url": ENV_URL}),
        # environment variables outside FEEDKIT_* are ignored
        (FULL_TOML, {"SITE_URL": ENV_URL, "feedkit_site_url": ENV_URL}, {},
         {"site.url": TOML_URL}),
    ],
    ids=["defaults", "toml", "env-over-toml", "flags-over-env", "unset-flag", "other-env"],
)
def test_precedence_flags_env_toml_defaults(
    tmp_path: Path, toml: str | None, env: dict[str, str], overrides: dict[str, object],
    expected: dict[str, object],
) -> None:
    cfg = load(tmp_path, toml, env, overrides)
    assert {key: cfg.value(key) for key in expected} == expected
    assert cfg.site.url == expected["site.url"]


def test_resolved_values_reach_the_site_and_config(tmp_path: Path) -> None:
    cfg = load(tmp_path, FULL_TOML)
    assert cfg.site.timezone == ZoneInfo("Europe/Berlin")
    assert cfg.site.language == "pt-BR"
    assert cfg.site.title == "toml.example.org"  # default title: the URL's host
    assert cfg.content.max_file_size == 2000
    assert cfg.source == tmp_path / "feedkit.toml"


def test_settings_and_their_sections_are_frozen(tmp_path: Path) -> None:
    cfg = load(tmp_path, FULL_TOML)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.content = settings.ContentSettings()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.content.max_file_size = 1  # type: ignore[misc]


def test_settings_can_be_built_by_hand_with_only_a_site() -> None:
    from feedkit.model import Site

    built = settings.Settings(site=Site(url=TOML_URL, title="Hand"))
    assert built.content.dir == Path("content") and built.build.output == Path("public")
    assert built.feed.limit == 50 and built.digest.limit == 20 and built.smtp.host == ""
    assert built.value("digest.from") == "" and built.value("feed.tag_limit") == 10
    # every default of a section is the table's default
    for setting in settings.SETTINGS:
        if setting.key.startswith("site.") or not isinstance(setting.default, int | str):
            continue
        value = built.value(setting.key)
        assert str(value) == str(setting.default) or value == setting.default or \
            (value is None and setting.default == ""), setting.key


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("https://News.Example.org", "https://news.example.org/"),
        ("http://example.org/blog", "http://example.org/blog/"),
        ("https://example.org:8443/x/", "https://example.org:8443/x/"),
    ],
)
def test_site_url_is_normalized_to_end_in_a_slash(tmp_path: Path, written: str,
                                                  normalized: str) -> None:
    assert load(tmp_path, f'[site]\nurl = "{written}"\n').site.url == normalized


def test_content_dir_in_the_file_is_relative_to_the_file(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    path = write_toml(site, f'[site]\nurl = "{TOML_URL}"\n[content]\ndir = "posts"\n')
    cfg = settings.load(path, env={}, cwd=tmp_path / "elsewhere")
    assert cfg.content.dir == site / "posts"


def test_content_dir_defaults_to_content_next_to_the_file(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    path = write_toml(site, f'[site]\nurl = "{TOML_URL}"\n')
    assert settings.load(path, env={}, cwd=tmp_path).content.dir == site / "content"


def test_content_flag_is_relative_to_where_it_was_typed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    path = write_toml(site, f'[site]\nurl = "{TOML_URL}"\n[content]\ndir = "posts"\n')
    cfg = settings.load(path, env={}, overrides={"content.dir": "drafts"}, cwd=tmp_path)
    assert cfg.content.dir == tmp_path / "drafts"


def test_feedkit_toml_in_the_current_folder_is_found(tmp_path: Path) -> None:
    write_toml(tmp_path, f'[site]\nurl = "{TOML_URL}"\n')
    cfg = settings.load(None, env={}, cwd=tmp_path)
    assert cfg.site.url == TOML_URL
    assert cfg.source == tmp_path / "feedkit.toml"


def test_without_a_file_the_environment_alone_is_enough(tmp_path: Path) -> None:
    cfg = settings.load(None, env={"FEEDKIT_SITE_URL": ENV_URL}, cwd=tmp_path)
    assert cfg.source is None
    assert cfg.content.dir == tmp_path / "content"


# -- bad values: one line naming the source and key -----------------------------------------------


@pytest.mark.parametrize(
    ("toml", "env", "says"),
    [
        ('[site\nurl = "https://a.example"\n', {}, ["not valid TOML", "line 1"]),
        ('[site]\nurl = "ftp://a.example"\n', {}, ["site.url", "not an absolute http(s) URL"]),
        ('[site]\nurl = "a.example"\n', {}, ["site.url", "https://news.example.org"]),
        ('[site]\nurl = "https://a.example/?q=1"\n', {}, ["site.url", "query"]),
        ('[site]\nurl = 5\n', {}, ["site.url", "must be a string"]),
        ('[site]\ntitle = "No URL"\n', {}, ["site.url", "missing", "FEEDKIT_SITE_URL"]),
        ('[site]\nurl = "https://a.example"\ntimezone = "Mars/Olympus"\n', {},
         ["site.timezone", "'Mars/Olympus' is not an IANA time zone", "Europe/Berlin"]),
        ('[site]\nurl = "https://a.example"\ntimezone = "../../etc/passwd"\n', {},
         ["site.timezone", "not an IANA time zone"]),
        ('[site]\nurl = "https://a.example"\ntimezone = 1\n', {},
         ["site.timezone", "must be a string"]),
        ('[site]\nurl = "https://a.example"\nlanguage = "English!"\n', {},
         ["site.language", "not a language tag"]),
        ('[site]\nurl = "https://a.example"\nauthor_email = "nobody"\n', {},
         ["site.author_email", "not an email address"]),
        ('[site]\nurl = "https://a.example"\n[content]\nmax_file_size = "big"\n', {},
         ["content.max_file_size", "whole number"]),
        ('[site]\nurl = "https://a.example"\n[content]\nmax_file_size = true\n', {},
         ["content.max_file_size", "whole number"]),
        ('[site]\nurl = "https://a.example"\n[content]\nmax_file_size = 0\n', {},
         ["content.max_file_size", "at least 1"]),
        ('[site]\nurl = "https://a.example"\n', {"FEEDKIT_SITE_TIMEZONE": "Nowhere/City"},
         ["FEEDKIT_SITE_TIMEZONE", "not an IANA time zone"]),
        ('[site]\nurl = "https://a.example"\n', {"FEEDKIT_CONTENT_MAX_FILE_SIZE": "lots"},
         ["FEEDKIT_CONTENT_MAX_FILE_SIZE", "whole number"]),
    ],
)
def test_bad_configuration_is_one_line_naming_the_key(
    tmp_path: Path, toml: str, env: dict[str, str], says: list[str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, toml, env)
    message = str(caught.value)
    assert "\n" not in message
    for part in says:
        assert part in message
    if not env:
        assert str(tmp_path / "feedkit.toml") in message


def test_bad_flag_value_names_the_flag(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^--url: 'nope' is not an absolute http\(s\) URL"):
        load(tmp_path, None, overrides={"site.url": "nope"})


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        settings.load(tmp_path / "absent.toml", env={}, cwd=tmp_path)


def test_config_error_is_a_value_error_and_exits_1() -> None:
    assert issubclass(ConfigError, ValueError)
    assert issubclass(ConfigError, FeedkitError)
    assert ConfigError.exit_code == 1


# -- unknown keys ---------------------------------------------------------------------------------


def test_unknown_key_is_a_warning_with_a_did_you_mean(tmp_path: Path) -> None:
    cfg = load(tmp_path, f'[site]\nurl = "{TOML_URL}"\ntitel = "Typo"\ntimezon = "UTC"\n')
    assert [(w.field, w.severity, w.hint) for w in cfg.warnings] == [
        ("site.titel", Severity.WARNING, "did you mean site.title?"),
        ("site.timezon", Severity.WARNING, "did you mean site.timezone?"),
    ]
    assert all(w.path == tmp_path / "feedkit.toml" for w in cfg.warnings)
    assert cfg.site.title == "toml.example.org"  # the misspelt key is not used


def test_unknown_table_is_a_warning_with_a_did_you_mean(tmp_path: Path) -> None:
    cfg = load(tmp_path, f'[site]\nurl = "{TOML_URL}"\n[contnet]\ndir = "x"\n')
    (warning,) = cfg.warnings
    assert warning.field == "[contnet]"
    assert warning.hint == "did you mean content?"
    assert cfg.content.dir == tmp_path / "content"


def test_unknown_key_with_nothing_close_says_it_is_ignored(tmp_path: Path) -> None:
    cfg = load(tmp_path, f'[site]\nurl = "{TOML_URL}"\nzzzzqqq = 1\n')
    (warning,) = cfg.warnings
    assert warning.hint == "it is ignored"


def test_top_level_key_outside_a_table_is_a_warning(tmp_path: Path) -> None:
    cfg = load(tmp_path, f'url = "{TOML_URL}"\n[site]\nurl = "{TOML_URL}"\n')
    (warning,) = cfg.warnings
    assert warning.field == "url"
    assert "unknown top-level key" in warning.message


def test_every_setting_has_help_text() -> None:
    for setting in settings.SETTINGS:
        assert setting.help.strip(), setting.key
        assert setting.env == "FEEDKIT_" + setting.key.replace(".", "_").upper()


def test_a_site_url_with_a_space_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"'https://exa mple\.org' is not an absolute"):
        settings.load(None, env={"FEEDKIT_SITE_URL": "https://exa mple.org"},
                    cwd=Path("/nonexistent"))
