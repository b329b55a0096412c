"""Settings: typed, frozen sections (site, content, feed, build, digest, smtp) built from the
defaults < ``feedkit.toml`` < ``FEEDKIT_*`` environment variables < flags.

``load()`` reads them; ``Settings(site=...)`` builds them by hand. Nothing here knows about
click or reads content.
"""

from __future__ import annotations

from feedkit.settings.kinds import ENV_PREFIX, Setting, is_address
from feedkit.settings.loading import CONFIG_NAME, check_site_url, find_config, load, read_toml
from feedkit.settings.sections import (
    BuildSettings,
    ContentSettings,
    DigestSettings,
    FeedSettings,
    Settings,
    SmtpSettings,
)
from feedkit.settings.table import SETTINGS, SETTINGS_BY_KEY

__all__ = [
    "CONFIG_NAME",
    "ENV_PREFIX",
    "SETTINGS",
    "SETTINGS_BY_KEY",
    "BuildSettings",
    "ContentSettings",
    "DigestSettings",
    "FeedSettings",
    "Setting",
    "Settings",
    "SmtpSettings",
    "check_site_url",
    "find_config",
    "is_address",
    "load",
    "read_toml",
]
