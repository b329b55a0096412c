"""Reading the settings: defaults < ``feedkit.toml`` < ``FEEDKIT_*`` env < flags, merged in one
function (``load``) into a ``Settings``.

The only module that reads ``os.environ`` or ``feedkit.toml``. It knows nothing of click and
never reads content.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from feedkit.errors import ConfigError, Problem, warning
from feedkit.model import Site
from feedkit.settings.kinds import ENV_PREFIX, coerce, describe
from feedkit.settings.sections import (
    BuildSettings,
    ContentSettings,
    DigestSettings,
    FeedSettings,
    Settings,
    SmtpSettings,
)
from feedkit.settings.table import SETTINGS, SETTINGS_BY_KEY

CONFIG_NAME = "feedkit.toml"


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
) -> Settings:
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

    def text(key: str) -> str:
        return str(values[key] or "")

    def number(key: str) -> int:
        value = values[key]
        assert isinstance(value, int)
        return value

    def folder(key: str) -> Path:
        return _resolve_path(values[key], user=key in from_user, cwd=cwd, root=root)

    to = values["digest.to"]
    permalinks = values["site.permalinks"]
    return Settings(
        site=Site(
            url=url,
            title=text("site.title") or (urlsplit(url).hostname or url),
            description=text("site.description"),
            language=text("site.language"),
            author=text("site.author"),
            author_email=text("site.author_email") or None,
            timezone=ZoneInfo(text("site.timezone")),
            permalink=text("site.permalink"),
            permalinks=tuple(permalinks.items()) if isinstance(permalinks, dict) else (),
        ),
        content=ContentSettings(dir=folder("content.dir"),
                                max_file_size=number("content.max_file_size"),
                                generator=text("content.generator"),
                                slugify=text("content.slugify")),
        feed=FeedSettings(
            content=text("feed.content"),
            limit=number("feed.limit"),
            tag_limit=number("feed.tag_limit"),
            id_scheme=text("feed.id_scheme"),
            id_base=text("feed.id_base"),
            icon=text("feed.icon") or None,
            logo=text("feed.logo") or None,
        ),
        build=BuildSettings(output=folder("build.output"), cache=folder("build.cache")),
        digest=DigestSettings(
            output=folder("digest.output"),
            state=folder("digest.state"),
            templates=folder("digest.templates") if text("digest.templates") else None,
            subject=text("digest.subject"),
            sender=text("digest.from"),
            to=tuple(to) if isinstance(to, list) else (),
            first_run_since=text("digest.first_run_since"),
            min_items=number("digest.min_items"),
            limit=number("digest.limit"),
            unsubscribe_url=text("digest.unsubscribe_url") or None,
            archive_url=text("digest.archive_url") or None,
            include_updated=bool(values["digest.include_updated"]),
            list_id=text("digest.list_id"),
        ),
        smtp=SmtpSettings(
            host=text("smtp.host"),
            port=number("smtp.port"),
            security=text("smtp.security"),
            username=text("smtp.username"),
            timeout=float(number("smtp.timeout")),
            password=env.get("FEEDKIT_SMTP_PASSWORD") or None,
        ),
        source=path,
        warnings=tuple(warnings),
    )
