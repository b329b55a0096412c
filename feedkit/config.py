"""Settings: one table (``SETTINGS``); defaults < ``feedkit.toml`` < ``FEEDKIT_*`` env < flags.

This is the only module that reads ``os.environ`` or ``feedkit.toml``. It knows nothing of click
and never reads content.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from feedkit.errors import ConfigError, Problem, warning
from feedkit.model import FeedOptions, Site
from feedkit.setting_types import ENV_PREFIX, Setting, coerce, describe

CONFIG_NAME = "feedkit.toml"


SETTINGS: tuple[Setting, ...] = (
    Setting("site.url", "url", None,
            "Absolute http(s) base URL of the site, e.g. https://news.example.org (required)."),
    Setting("site.title", "str", "", "Name of the publication (default: the URL's host)."),
    Setting("site.description", "str", "", "One sentence about the publication."),
    Setting("site.language", "language", "en", "Language tag of the content, e.g. en or pt-BR."),
    Setting("site.author", "str", "", "Default author name for articles that name none."),
    Setting("site.author_email", "email", None, "Default author email (optional)."),
    Setting("site.timezone", "timezone", "UTC",
            "IANA time zone for dates written without an offset, e.g. Europe/Berlin."),
    Setting("content.dir", "path", "content",
            "Folder of articles, relative to feedkit.toml (flag: --content)."),
    Setting("content.max_file_size", "int", 5_000_000,
            "Articles larger than this many bytes are reported and skipped.", minimum=1),
    Setting("build.output", "path", "public",
            "Folder the feeds are written to, relative to feedkit.toml (flag: --output)."),
    Setting("feed.limit", "int", 50,
            "Newest N articles in the site feeds; 0 means all (flag: --limit).", minimum=0),
    Setting("feed.tag_limit", "int", 10,
            "Newest N articles in each tag feed; 0 means all (as jekyll-feed and WordPress "
            "default to 10).", minimum=0),
    Setting("feed.content", "choice", "full",
            "full: each item carries the whole article; summary: the description only.",
            choices=("full", "summary")),
    Setting("feed.id_scheme", "choice", "tag",
            "tag: ids that survive a new domain or https (tag:host,date:slug); "
            "url: the article URL (for sites whose old feeds used URLs).",
            choices=("tag", "url")),
    Setting("feed.id_base", "str", "",
            "The name in tag: ids; keep it when the site moves (default: the host of site.url)."),
    Setting("feed.icon", "str", "", "Small square icon URL (absolute, or relative to site.url)."),
    Setting("feed.logo", "str", "", "Larger logo image URL (absolute, or relative to site.url)."),
    Setting("digest.output", "path", "public/digest",
            "Folder for digest.html, digest.txt, digest.eml and archive/ (flag: --output)."),
    Setting("digest.state", "path", ".feedkit/state.db",
            "SQLite file recording what each digest sent (flag: --state)."),
    Setting("digest.templates", "path", "",
            "Folder of your own email templates, tried before the built-in ones."),
    Setting("digest.subject", "str", "{site_title}: {count} new {articles} ({date})",
            "Subject line; {site_title}, {count}, {articles}, {date}, {first_title} are filled."),
    Setting("digest.from", "address", "",
            "Sender, e.g. 'Harbour Ledger <news@example.org>'; needed to send."),
    Setting("digest.to", "addresses", [],
            "Recipients when --to is not given (a list of addresses)."),
    Setting("digest.first_run_since", "spec", "7d",
            "What --since last means before any digest was recorded (a date or 36h, 7d, 2w)."),
    Setting("digest.min_items", "int", 1,
            "Fewer articles than this: write nothing and exit 3 (flag: --min-items).", minimum=0),
    Setting("digest.limit", "int", 20, "Most articles in one digest; 0 means all.", minimum=0),
    Setting("digest.unsubscribe_url", "link", "",
            "https URL (or mailto:) for the footer and the List-Unsubscribe header."),
    Setting("digest.archive_url", "link", "",
            "Public URL of the digest archive folder; adds a 'View in browser' link."),
    Setting("digest.include_updated", "bool", False,
            "List already-sent articles updated in the window in a short section."),
    Setting("digest.list_id", "str", "",
            "List-Id header value (default: digest.<host of site.url>)."),
    Setting("smtp.host", "str", "", "SMTP server for --send."),
    Setting("smtp.port", "int", 0, "SMTP port; 0 means the usual one: 465 for ssl, 587 for "
            "starttls, 25 for none.", minimum=0),
    Setting("smtp.security", "choice", "starttls", "starttls, ssl or none.",
            choices=("starttls", "ssl", "none")),
    Setting("smtp.username", "str", "",
            "SMTP user name; the password comes only from FEEDKIT_SMTP_PASSWORD."),
    Setting("smtp.timeout", "int", 30, "Seconds to wait for the SMTP server.", minimum=1),
)

SETTINGS_BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a run needs to know, resolved and validated. Pass it down; never mutate it."""

    site: Site
    content_dir: Path
    max_file_size: int
    output_dir: Path
    feed: FeedOptions
    config_path: Path | None
    root: Path
    cwd: Path
    values: Mapping[str, object] = field(repr=False)
    warnings: tuple[Problem, ...] = ()
    from_user: frozenset[str] = frozenset()
    smtp_password: str | None = field(default=None, repr=False)

    def path(self, key: str) -> Path:
        """A path setting resolved: flags and variables against the current folder, the
        file's values against the file's folder."""
        return _resolve_path(self.values[key], user=key in self.from_user, cwd=self.cwd,
                             root=self.root)


    def get(self, key: str) -> object:
        """The resolved value of a setting by its ``section.name`` key."""
        return self.values[key]


def _resolve_path(value: object, *, user: bool, cwd: Path, root: Path) -> Path:
    # a flag or variable is relative to where the user typed it; the file's to its folder
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else (cwd if user else root) / path


def check_site_url(text: str) -> str:
    """``text`` as ``site.url`` is kept (lower-case host, ending in ``/``); ``ValueError``
    with (message, hint) when it is not an absolute http(s) URL without query or fragment."""
    return coerce(SETTINGS_BY_KEY["site.url"], text)  # type: ignore[return-value]


# -- loading ------------------------------------------------------------------------------------


def find_config(cwd: Path) -> Path | None:
    """``./feedkit.toml`` if it exists."""
    candidate = cwd / CONFIG_NAME
    return candidate if candidate.is_file() else None


def read_toml(path: Path) -> tuple[dict[str, Any], list[Problem]]:
    """The settings in ``path`` as ``{"section.name": value}``, plus warnings for unknown keys."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (check --config)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc} (fix the syntax at that line)") from exc
    flat: dict[str, Any] = {}
    problems: list[Problem] = []
    sections = sorted({s.section for s in SETTINGS})
    for section, table in data.items():
        if section not in sections or not isinstance(table, dict):
            if isinstance(table, dict):
                problems.append(_unknown(path, f"[{section}]", section, sections, "table"))
            elif section in sections:
                problems.append(warning(path, section, f"must be a table, not {describe(table)}",
                                        f"write [{section}] and key = value lines under it"))
            else:
                problems.append(_unknown(path, section, section, sections, "top-level key",
                                         note="settings belong in a table such as [site]"))
            continue
        for name, value in table.items():
            key = f"{section}.{name}"
            if key == "smtp.password":
                raise ConfigError(f"{path}: smtp.password: passwords are never read from the "
                                  "config file (remove it and set FEEDKIT_SMTP_PASSWORD)")
            if key in SETTINGS_BY_KEY:
                flat[key] = value
            else:
                names = [s.name for s in SETTINGS if s.section == section]
                problems.append(_unknown(path, key, name, names, "setting", prefix=f"{section}."))
    return flat, problems


def _unknown(
    path: Path, key: str, name: str, known: list[str], what: str, *,
    prefix: str = "", note: str | None = None,
) -> Problem:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean {prefix}{close[0]}?" if close else note or "it is ignored"
    return warning(path, key, f"unknown {what}", hint)


def load(
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, object] | None = None,
    cwd: Path | None = None,
) -> Config:
    """Resolve the configuration: defaults < ``path`` < ``FEEDKIT_*`` in ``env`` < ``overrides``.

    ``path`` None means ``./feedkit.toml`` when it exists. ``overrides`` are keyed like
    ``"content.dir"``. Raises ``ConfigError`` with one line naming the source, key and fix.
    """
    cwd = cwd or Path.cwd()
    env = os.environ if env is None else env
    overrides = overrides or {}
    if path is None:
        path = find_config(cwd)
    file_values: dict[str, Any] = {}
    warnings: list[Problem] = []
    if path is not None:
        path = path if path.is_absolute() else cwd / path
        file_values, warnings = read_toml(path)
    root = path.parent if path is not None else cwd
    known_env = {st.env for st in SETTINGS} | {"FEEDKIT_CONFIG", "FEEDKIT_SMTP_PASSWORD"}
    for name in sorted(env):
        if name.startswith(ENV_PREFIX) and name not in known_env:
            close = difflib.get_close_matches(name, sorted(known_env), n=1, cutoff=0.8)
            warnings.append(warning(None, name, "unknown environment variable",
                                    f"did you mean {close[0]}?" if close else "it is ignored"))

    values: dict[str, object] = {}
    from_user: set[str] = set()  # keys set by a flag or the environment: paths relative to cwd
    for s in SETTINGS:
        if s.key in overrides and overrides[s.key] is not None:
            raw, source = overrides[s.key], f"--{s.name.replace('_', '-')}"
            from_user.add(s.key)
        elif s.env in env:
            raw, source = env[s.env], s.env
            from_user.add(s.key)
        elif s.key in file_values:
            raw, source = file_values[s.key], f"{path}: {s.key}"
        else:
            values[s.key] = s.default
            continue
        try:
            values[s.key] = coerce(s, raw)
        except ValueError as exc:
            message, hint = exc.args if len(exc.args) == 2 else (str(exc), None)
            raise ConfigError(f"{source}: {message}" + (f" ({hint})" if hint else "")) from exc

    url = values["site.url"]
    if not url and path is None:  # most often: run outside the site's folder
        raise ConfigError(
            f"no {CONFIG_NAME} in {cwd}: run feedkit in your site's folder (the one with "
            f"{CONFIG_NAME}), pass --config FILE, or start a site here with feedkit init")
    if not url:
        where = f"{path}: site.url" if path else "site.url"
        # an unknown key is often why the URL is missing: "[sight]", "ulr = ..."
        hints = "".join(f"; {w.field}: {w.message}" + (f", {w.hint}" if w.hint else "")
                        for w in warnings)
        raise ConfigError(
            f"{where}: missing (set url = \"https://your.site\" under [site] in {CONFIG_NAME}, "
            f"or FEEDKIT_SITE_URL){hints}"
        )
    assert isinstance(url, str)
    site = Site(
        url=url,
        title=str(values["site.title"]) or (urlsplit(url).hostname or url),
        description=str(values["site.description"]),
        language=str(values["site.language"]),
        author=str(values["site.author"]),
        author_email=str(values["site.author_email"] or "") or None,
        timezone=ZoneInfo(str(values["site.timezone"])),
    )
    def folder(key: str) -> Path:
        return _resolve_path(values[key], user=key in from_user, cwd=cwd, root=root)

    max_size, limit = values["content.max_file_size"], values["feed.limit"]
    tag_limit = values["feed.tag_limit"]
    assert isinstance(max_size, int) and isinstance(limit, int) and isinstance(tag_limit, int)
    feed = FeedOptions(
        content=str(values["feed.content"]),
        limit=limit,
        tag_limit=tag_limit,
        id_base=str(values["feed.id_base"]),
        id_scheme=str(values["feed.id_scheme"]),
        icon=str(values["feed.icon"]) or None,
        logo=str(values["feed.logo"]) or None,
    )
    return Config(
        site=site,
        content_dir=folder("content.dir"),
        max_file_size=max_size,
        output_dir=folder("build.output"),
        feed=feed,
        config_path=path,
        root=root,
        cwd=cwd,
        values=values,
        warnings=tuple(warnings),
        from_user=frozenset(from_user),
        smtp_password=env.get("FEEDKIT_SMTP_PASSWORD") or None,
    )
