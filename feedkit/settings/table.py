"""Every setting in one table (``SETTINGS``): its ``section.name`` key, kind, default and one
line of help. The loader, the typed sections' defaults, ``feedkit init``'s commented
feedkit.toml and the README's settings table are all made from it."""

from __future__ import annotations

from feedkit.settings.kinds import Setting

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
    Setting("site.permalink", "str", "",
            "URL pattern of an article under site.url, e.g. /:year/:month/:slug/, or a Jekyll "
            "style (date, pretty, ordinal, weekdate, none); empty: content.generator's default."),
    Setting("site.permalinks", "table", {},
            "URL patterns per section (the first folder under content.dir), e.g. "
            "{ posts = \"/news/:year/:slug/\" }; a section not named uses site.permalink."),
    Setting("content.dir", "path", "content",
            "Folder of articles, relative to feedkit.toml (flag: --content)."),
    Setting("content.max_file_size", "int", 5_000_000,
            "Articles larger than this many bytes are reported and skipped.", minimum=1),
    Setting("content.generator", "choice", "feedkit",
            "The generator the archive was written for; its URL, slug and same-date order rules "
            "apply (feedkit init --from sets it).",
            choices=("feedkit", "jekyll", "hugo", "zola", "eleventy", "astro", "pelican")),
    Setting("content.slugify", "choice", "auto",
            "How file and folder names become URL segments: auto (the generator's rule), on "
            "(lower-case letters, digits and -), safe (keep case and dots), off (as written).",
            choices=("auto", "on", "safe", "off")),
    Setting("build.output", "path", "public",
            "Folder the feeds are written to, relative to feedkit.toml (flag: --output)."),
    Setting("build.cache", "path", ".feedkit/cache.db",
            "Build cache file, relative to feedkit.toml; safe to delete (flag: --no-cache "
            "ignores it)."),
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


def default(key: str) -> object:
    """The default value of the setting ``key`` (as the table writes it)."""
    return SETTINGS_BY_KEY[key].default
