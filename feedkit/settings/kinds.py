"""What a setting is (``Setting``: key, kind, default, help) and how a raw value from
``feedkit.toml``, the environment or a flag becomes a setting's value, by kind. Errors are
``ValueError(message, hint)``; ``config`` turns them into one line naming where the value came
from. No I/O here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV_PREFIX = "FEEDKIT_"


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting: ``section.name``, its type, default and one line of help."""

    key: str
    kind: str  # str int bool url timezone language email path choice list address addresses
    #           spec (a date or a duration) link (an optional absolute URL)
    #           table (names to strings: { posts = "/:year/:slug/" })
    default: object
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.key.replace(".", "_").upper()





_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _to_str(s: Setting, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {describe(value)}", "quote the value")
    return value.strip()


def _to_int(s: Setting, value: object) -> int:
    if isinstance(value, bool):
        raise ValueError(f"must be a whole number, got {describe(value)}", None)
    if isinstance(value, str):
        try:
            value = int(value.strip().replace("_", ""))
        except ValueError:
            raise ValueError(f"must be a whole number, got {value!r}", None) from None
    if not isinstance(value, int):
        raise ValueError(f"must be a whole number, got {describe(value)}", None)
    if s.minimum is not None and value < s.minimum:
        raise ValueError(f"must be at least {s.minimum}, got {value}", None)
    return value


def _to_bool(s: Setting, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"must be true or false, got {describe(value)}", None)


def _to_url(s: Setting, value: object) -> str:
    text = _to_str(s, value)
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        host, parts = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host \
            or any(c.isspace() for c in text):
        raise ValueError(
            f"{text!r} is not an absolute http(s) URL", 'write it like "https://news.example.org"'
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{text!r} must not have a query or fragment", "remove ?… and #…")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, "", ""))



def _to_timezone(s: Setting, value: object) -> str:
    name = _to_str(s, value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"{name!r} is not an IANA time zone", 'use a name like "Europe/Berlin" or "UTC"'
        ) from None
    return name


def _to_language(s: Setting, value: object) -> str:
    text = _to_str(s, value)
    if not _LANGUAGE.match(text):
        raise ValueError(f"{text!r} is not a language tag", 'use a tag like "en" or "pt-BR"')
    return text


def _to_email(s: Setting, value: object) -> str | None:
    text = _to_str(s, value)
    if not text:
        return None
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", text):
        raise ValueError(f"{text!r} is not an email address", "write it like name@example.org")
    return text


def _to_list(s: Setting, value: object) -> list[str]:
    if isinstance(value, str):  # from the environment: comma-separated
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value if item.strip()]
    raise ValueError(f"must be a list of strings, got {describe(value)}",
                     'write it like ["a@example.org", "b@example.org"]')


_ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+")


def _to_address(s: Setting, value: object) -> str:
    text = _to_str(s, value)
    if text and not is_address(text):
        raise ValueError(f"{text!r} is not an email address",
                         "write it like 'Site <news@example.org>' or news@example.org")
    return text


def is_address(text: str) -> bool:
    """True for one deliverable address: ``a@example.org`` or ``Name <a@example.org>``."""
    from email.errors import HeaderParseError
    from email.headerregistry import Address
    from email.utils import parseaddr

    _, address = parseaddr(text)
    if not address or "\n" in text or "\r" in text or not _ADDRESS.fullmatch(address):
        return False
    try:  # what the email package will later be asked to build must not fail then
        Address(addr_spec=address)
    except (ValueError, IndexError, HeaderParseError):
        return False
    return True


def _to_addresses(s: Setting, value: object) -> list[str]:
    addresses = _to_list(s, value)
    for address in addresses:
        if not is_address(address):
            raise ValueError(f"{address!r} is not an email address",
                             'write it like ["a@example.org", "B <b@example.org>"]')
    return addresses


_DURATION = re.compile(r"\d{1,5}\s*[hdw]")


def _to_spec(s: Setting, value: object) -> str:
    text = _to_str(s, value)
    if _DURATION.fullmatch(text.lower()):
        return text
    from feedkit.dates import DateError, parse_date

    try:
        parse_date(text, ZoneInfo("UTC"))
    except DateError:
        raise ValueError(f"{text!r} is not a date or a duration",
                         "write a date like 2025-02-01 or a duration like 36h, 7d, 2w") from None
    return text


def _to_link(s: Setting, value: object) -> str:
    text = _to_str(s, value)
    if not text:
        return text
    if text.startswith("mailto:") and s.key == "digest.unsubscribe_url":
        return text
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        what = "an absolute http(s) URL or mailto:" if s.key == "digest.unsubscribe_url" \
            else "an absolute http(s) URL"
        raise ValueError(f"{text!r} is not {what}", 'write it like "https://example.org/x"')
    return text


def _to_table(s: Setting, value: object) -> dict[str, str]:
    if isinstance(value, str):  # from the environment: "posts=/a/:slug/,news=/b/:slug/"
        pairs = [item.partition("=") for item in value.split(",") if item.strip()]
        if any(not sep or not name.strip() for name, sep, _ in pairs):
            raise ValueError(f"{value!r} is not a list of name=value pairs",
                             "write it like posts=/news/:slug/,notes=/notes/:slug/")
        value = {name.strip(): text for name, _, text in pairs}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                              for k, v in value.items()):
        raise ValueError(f"must be a table of strings, got {describe(value)}",
                         'write it like { posts = "/news/:slug/" }')
    return {k.strip(): v.strip() for k, v in sorted(value.items())}


def _to_choice(s: Setting, value: object) -> str:
    text = _to_str(s, value)
    if text not in s.choices:
        raise ValueError(f"{text!r} is not one of {', '.join(s.choices)}", None)
    return text


_COERCE: dict[str, Callable[[Setting, object], object]] = {
    "str": _to_str,
    "int": _to_int,
    "bool": _to_bool,
    "url": _to_url,
    "timezone": _to_timezone,
    "language": _to_language,
    "email": _to_email,
    "path": _to_str,
    "choice": _to_choice,
    "list": _to_list,
    "address": _to_address,
    "addresses": _to_addresses,
    "spec": _to_spec,
    "link": _to_link,
    "table": _to_table,
}


def describe(value: object) -> str:
    """How a value reads in an error message: "a string ('x')", "a table"."""
    kind = {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)
    return f"{kind} ({value!r})" if not isinstance(value, dict | list) else kind


def coerce(setting: Setting, value: object) -> object:
    """``value`` as ``setting``'s kind wants it; ``ValueError(message, hint)`` when it cannot."""
    return _COERCE[setting.kind](setting, value)
