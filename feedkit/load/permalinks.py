"""Where a generator publishes an article: its URL path under ``site.url``, from the file's
place in the content folder, its front matter and a permalink pattern, by the rules of the
generator the archive was written for (``[content] generator``).

The rules, each read from the generator's documentation and source (the fixtures in
``tests/fixtures/permalinks/`` hold one case per rule):

- **jekyll**: posts are ``YYYY-MM-DD-title.ext``; the pattern (``site.permalink``, default the
  ``date`` style) or a post's ``permalink:`` is expanded with ``:year :month :day :title :slug
  :categories :output_ext …``; ``:title`` keeps the file name's case and dots, ``:slug`` is
  lower-case letters, digits and ``-``; dates are in ``site.timezone``; categories come from
  the folders above ``_posts`` and then the front matter.
- **hugo**: the path under the content folder, lower-cased, spaces as ``-``, dots kept (a
  bundle ``0.89.4-relnotes/index.md`` stays ``0.89.4-relnotes/``); ``slug:`` replaces the last
  segment; ``[permalinks]`` patterns per section (``:year :month :day :title :slug :filename
  :slugorfilename :section :sections``); ``url:`` replaces the whole path.
- **zola**: section folders as written, the page's own name (or ``slug:``) slugified by
  ``[slugify] paths`` (on, safe, off), a date prefix (``2024-01-02-`` or ``_``) left out;
  ``path:`` replaces the whole path; always a trailing ``/``.
- **eleventy**: the input path without its extension (``index`` and a file named like its
  folder give the folder); ``permalink:`` as written, with ``{{ page.fileSlug }}``,
  ``{{ page.filePathStem }}`` and ``{{ title | slugify }}`` filled; ``permalink: false`` has
  no page.
- **astro**: the collection entry's id, each path segment slugged as github-slugger does
  (lower case; punctuation, dots included, removed); ``slug:`` as written.
- **pelican**: ``{slug}.html`` by default, the slug made from the title; patterns in
  Pelican's own ``{date:%Y}/{slug}/`` spelling, ``{category}`` the slug of ``Category:`` or of
  the folder (``misc`` without either).
- **feedkit**: ``site.url/<slug>/``, or a pattern when ``site.permalink`` sets one.

Pure: values in, a path out. Nothing here reads a file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import PurePosixPath
from urllib.parse import quote

from feedkit.text import slugify

# Jekyll's style names (lib/jekyll/utils.rb and url.rb)
STYLES: dict[str, str] = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}

_DEFAULTS: dict[str, str] = {
    "jekyll": "date",
    "hugo": "/:sections/:slugorfilename/",
    "zola": "/:sections/:slug/",
    "eleventy": "/:path/",
    "astro": "/:slug/",
    "pelican": "{slug}.html",
}

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TOKEN = re.compile(r":([a-z_]+)|\{(\w+)(?::([^{}]*))?\}")  # Jekyll/Hugo's, Pelican's
_LIQUID = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}|\{%.*?%\}")
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[-_](.+)$")
_ELEVENTY_DATE = re.compile(r"\d{4}-\d{2}-\d{2}-")


class PatternError(ValueError):
    """A pattern holds a token feedkit cannot fill: ``args`` = (message, hint)."""


@dataclass(frozen=True, slots=True)
class UrlRules:
    """How article URLs are made: the generator, its slug rule (``slugify``: auto, on, safe,
    off), the site-wide pattern and the patterns per section ((name, pattern) pairs)."""

    generator: str = "feedkit"
    slugify: str = "auto"
    pattern: str = ""
    sections: tuple[tuple[str, str], ...] = ()
    zone: tzinfo | None = None  # site.timezone: Jekyll's dates are read in it

    def pattern_for(self, section: str) -> str:
        for name, pattern in self.sections:
            if name == section and pattern.strip():
                return pattern
        return self.pattern.strip() or _DEFAULTS.get(self.generator, "")

    @property
    def always_slash(self) -> bool:
        return self.generator == "zola"


@dataclass(frozen=True, slots=True)
class Place:
    """What an article's URL is made from: its path under the content folder (POSIX), its
    title, publish instant, front-matter slug (None if none) and categories."""

    rel: str
    title: str
    published: datetime
    slug: str | None = None
    categories: tuple[str, ...] = ()

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(part for part in self.rel.split("/") if part and part != ".")

    @property
    def is_bundle(self) -> bool:
        name = self.rel.rsplit("/", 1)
        return len(name) > 1 and name[1].rpartition(".")[0].lower() == "index"

    @property
    def folders(self) -> tuple[str, ...]:
        """The folders above the article (above its bundle folder, for a bundle)."""
        return self.parts[:-2] if self.is_bundle else self.parts[:-1]

    @property
    def stem(self) -> str:
        """The file name without extension; a bundle's folder name."""
        return self.parts[-2] if self.is_bundle else PurePosixPath(self.rel).stem


# -- slug rules ------------------------------------------------------------------------------------


def jekyll_slug(text: str, *, pretty: bool = False, cased: bool = False) -> str:
    """Jekyll's ``Utils.slugify`` in its default and pretty modes.

    >>> jekyll_slug("Release 1.2 Notes"), jekyll_slug("Release 1.2 Notes", pretty=True, cased=True)
    ('release-1-2-notes', 'Release-1.2-Notes')
    """
    keep = re.escape("._~!$&'()+,;=@") if pretty else ""
    text = re.sub(rf"(?:[^\w{keep}]|_)+", "-", text).strip("-")
    return text if cased else text.lower()


def hugo_path(text: str, *, lower: bool = True) -> str:
    """Hugo's path sanitizing: spaces become ``-``; letters, digits, marks and ``._-~+#/`` stay.

    >>> hugo_path("0.89.4-relnotes"), hugo_path("Hello, World! Rust 1.98")
    ('0.89.4-relnotes', 'hello-world-rust-1.98')
    """
    out = []
    for ch in text.strip():
        if ch.isspace():
            out.append("-")
        elif ch.isalnum() or unicodedata.category(ch).startswith("M") or ch in "._-~+#/":
            out.append(ch)
    sanitized = re.sub(r"-{2,}", "-", "".join(out))
    return sanitized.lower() if lower else sanitized


def zola_slug(text: str, mode: str = "on") -> str:
    """Zola's ``[slugify]`` strategies: ``on`` (the slug crate: ASCII lower case, ``-``),
    ``safe`` (remove only what file systems refuse), ``off`` (as written).

    >>> zola_slug("Rust-1.98.0"), zola_slug("Rust-1.98.0", "safe"), zola_slug("Custom Slug & More")
    ('rust-1-98-0', 'Rust-1.98.0', 'custom-slug-more')
    """
    if mode == "off":
        return text
    if mode == "safe":
        return re.sub(r'[<>:"/\\|?*#%]', "", text).strip().rstrip(".")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def github_slug(text: str) -> str:
    """github-slugger, as Astro makes a collection entry's id: lower case, spaces as ``-``,
    punctuation (dots included) removed, letters, digits, ``_`` and ``-`` kept.

    >>> github_slug("Rust-1.98.0"), github_slug("Hello_World!"), github_slug("My First Post")
    ('rust-1980', 'hello_world', 'my-first-post')
    """
    kept = "".join(ch for ch in text.lower() if ch.isalnum() or ch in "_- "
                   or unicodedata.category(ch).startswith("M"))
    return kept.replace(" ", "-")


def pelican_slug(text: str, *, cased: bool = False) -> str:
    """Pelican's ``slugify``: ASCII, punctuation removed, spaces and hyphens as one ``-``.

    >>> pelican_slug("Rust 1.98.0 Released"), pelican_slug("Hello World!")
    ('rust-1980-released', 'hello-world')
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"[^\w\s-]", "", ascii_text).strip()
    ascii_text = re.sub(r"[-\s]+", "-", ascii_text)
    return ascii_text if cased else ascii_text.lower()


def eleventy_slug(text: str) -> str:
    """Eleventy's ``slugify`` filter (@sindresorhus/slugify): ASCII lower case and ``-``."""
    return zola_slug(text, "on")


# -- the tokens ------------------------------------------------------------------------------------


def _name_without_date(stem: str) -> str:
    m = _DATE_PREFIX.match(stem)
    return m.group(4) if m else stem


def _moment(rules: UrlRules, place: Place) -> datetime:
    if rules.generator == "jekyll" and rules.zone is not None:
        return place.published.astimezone(rules.zone)
    return place.published


def _segment(rules: UrlRules, text: str) -> str:
    """A folder or file name as the generator writes it in a URL."""
    mode = rules.slugify
    if rules.generator == "hugo":  # disablePathToLower: sanitized, case kept
        return hugo_path(text, lower=mode in ("auto", "on"))
    if rules.generator == "zola":
        return zola_slug(text, "on" if mode == "auto" else mode)
    if rules.generator == "astro":
        return text if mode == "off" else github_slug(text)
    if mode == "off":
        return text
    if mode == "safe":
        return zola_slug(text, "safe")
    return slugify(text) if rules.generator == "feedkit" else text


def _slug(rules: UrlRules, place: Place) -> str:
    """``:slug``: the front-matter slug or the generator's slug of the name (or title)."""
    g, given = rules.generator, place.slug
    if g == "jekyll":
        return jekyll_slug(given or _name_without_date(place.stem))
    if g == "hugo":
        return hugo_path(given) if given else hugo_path(place.title)
    if g == "zola":
        return zola_slug(given or _name_without_date(place.stem),
                         "on" if rules.slugify == "auto" else rules.slugify)
    if g == "astro":
        if given:
            return given
        return "/".join(github_slug(part) for part in _entry_parts(place))
    if g == "pelican":
        return given or pelican_slug(place.title, cased=rules.slugify in ("safe", "off"))
    if g == "eleventy":
        return given or eleventy_slug(place.title)
    return slugify(given or _name_without_date(place.stem)) or "article"


def _entry_parts(place: Place) -> list[str]:
    """The path of an entry without its extension and without a last ``index``."""
    parts = list(place.parts)
    parts[-1] = PurePosixPath(parts[-1]).stem
    if len(parts) > 1 and parts[-1].lower() == "index":
        parts.pop()
    return parts


def _eleventy_path(place: Place) -> str:
    parts = _entry_parts(place)
    if len(parts) > 1 and parts[-1] == parts[-2]:  # guide/guide.md is guide/
        parts.pop()
    if parts == ["index"]:
        return ""
    return "/".join(parts)


def _categories(rules: UrlRules, place: Place) -> str:
    if rules.generator == "jekyll":
        folders = place.parts[: place.parts.index("_posts")] if "_posts" in place.parts else ()
        seen: dict[str, None] = {}
        for name in (*folders, *place.categories):
            seen.setdefault(name.lower(), None)
        return "/".join(seen)
    if rules.generator == "pelican":  # Category:, else the folder (USE_FOLDER_AS_CATEGORY)
        named = place.categories[:1] or place.folders[:1]
        return pelican_slug(named[0]) if named else ""
    return "/".join(slugify(c) for c in place.categories)


def tokens(rules: UrlRules, place: Place) -> dict[str, Callable[[], str]]:
    """Every token a pattern may hold, as a function that fills it (most are never asked)."""
    when = _moment(rules, place)
    iso_year, iso_week, iso_day = when.isocalendar()
    g = rules.generator
    sections = [_segment(rules, f) for f in place.folders] if g != "zola" else \
        list(place.folders)
    filename = place.stem if g != "jekyll" else _name_without_date(place.stem)

    def title() -> str:
        if g == "jekyll":
            return jekyll_slug(place.slug or _name_without_date(place.stem), pretty=True,
                               cased=True)
        if g == "hugo":
            return hugo_path(place.title)
        return slugify(place.title)

    def slug_or_filename() -> str:
        return hugo_path(place.slug) if place.slug and g == "hugo" else _segment(rules, filename)

    return {
        "year": lambda: f"{when.year:04d}", "short_year": lambda: f"{when.year % 100:02d}",
        "month": lambda: f"{when.month:02d}", "i_month": lambda: str(when.month),
        "short_month": lambda: _MONTHS[when.month - 1][:3],
        "long_month": lambda: _MONTHS[when.month - 1],
        "monthname": lambda: _MONTHS[when.month - 1].lower(),
        "day": lambda: f"{when.day:02d}", "i_day": lambda: str(when.day),
        "y_day": lambda: f"{when.timetuple().tm_yday:03d}",
        "yearday": lambda: str(when.timetuple().tm_yday),
        "hour": lambda: f"{when.hour:02d}", "minute": lambda: f"{when.minute:02d}",
        "second": lambda: f"{when.second:02d}",
        "w_year": lambda: f"{iso_year:04d}", "week": lambda: f"{iso_week:02d}",
        "w_day": lambda: str(iso_day), "short_day": lambda: _DAYS[iso_day - 1][:3],
        "long_day": lambda: _DAYS[iso_day - 1],
        "weekday": lambda: str(iso_day % 7), "weekdayname": lambda: _DAYS[iso_day - 1],
        # a name that slugs to nothing ("!!!") is "article", as feedkit's own slugs are
        "title": lambda: title() or "article",
        "slug": lambda: _slug(rules, place) or "article",
        "filename": lambda: _segment(rules, filename) or "article",
        "contentbasename": lambda: _segment(rules, filename) or "article",
        "slugorfilename": lambda: slug_or_filename() or "article",
        "slugorcontentbasename": lambda: slug_or_filename() or "article",  # Hugo 0.144
        "section": lambda: sections[0] if sections else "",
        "sections": lambda: "/".join(sections),
        "categories": lambda: _categories(rules, place),
        # Jekyll 4.1: each category slugged ("Work 2 Progress" is work-2-progress)
        "slugified_categories": lambda: "/".join(
            jekyll_slug(c) for c in _categories(rules, place).split("/") if c),
        "category": lambda: _categories(rules, place).split("/")[0] or "misc",
        "path": lambda: _eleventy_path(place) if g == "eleventy" else "/".join(_entry_parts(place)),
        "name": lambda: _name_without_date(place.stem),
        "output_ext": lambda: ".html",
        "lang": lambda: "",
    }


# -- expanding -------------------------------------------------------------------------------------


def expand(pattern: str, rules: UrlRules, place: Place) -> str:
    """``pattern`` (a style name, ``:token``s or Pelican's ``{token}``s) filled for ``place``:
    a URL path, percent-encoded, without the leading ``/``. ``PatternError`` for a token or
    template feedkit cannot fill.

    >>> from datetime import UTC
    >>> place = Place("2024-03-05-Hello-World.md", "Hello", datetime(2024, 3, 5, tzinfo=UTC))
    >>> expand("pretty", UrlRules("jekyll"), place)
    '2024/03/05/Hello-World/'
    """
    pattern = STYLES.get(pattern.strip(), pattern.strip())
    if _LIQUID.search(pattern):  # an Eleventy permalink: its templates, and nothing else
        return finish(_eleventy_template(pattern, place), rules)
    fill = tokens(rules, place)
    unknown: list[str] = []

    def one(m: re.Match[str]) -> str:  # one pass: a token's value is never read as a token
        colon, name, spec = m.group(1), m.group(2), m.group(3)
        if colon is not None and colon in fill:
            return fill[colon]()
        if name == "date":
            return _strftime(_moment(rules, place), spec or "%Y-%m-%d")
        if name is not None and name in fill and not spec:
            return fill[name]()
        unknown.append(m.group(0))
        return m.group(0)

    text = _TOKEN.sub(one, pattern)
    if unknown:
        raise PatternError(f"{pattern!r} holds {', '.join(unknown)}, which feedkit cannot fill",
                           "write the article's own path, or use the tokens the README lists")
    return finish(text, rules)


def finish(path: str, rules: UrlRules) -> str:
    """A path as the generator publishes it: no doubled ``/``, no leading ``/``, no ``.`` or
    ``..`` segment (a path never climbs out of ``site.url``), Eleventy's ``index.html`` as the
    folder, Zola's trailing ``/``; percent-encoded.

    >>> finish("/../a/./b/../../../c", UrlRules("zola")), finish("x/../y.html", UrlRules())
    ('c/', 'y.html')
    """
    path = contained(path)
    if rules.generator == "eleventy" and (path == "index.html" or path.endswith("/index.html")):
        path = path[: -len("index.html")]
    if path and rules.always_slash and not path.endswith("/"):
        path += "/"
    return quote(path, safe="/%:@!$&'()*+,;=-._~")


def contained(path: str) -> str:
    """``path`` relative, its empty and ``.`` segments dropped and each ``..`` taking back
    the segment before it, never more (a trailing ``/`` kept): whatever it holds, it stays
    under the URL it is joined to."""
    segments: list[str] = []
    for part in path.strip().split("/"):
        if part == "..":
            if segments:
                segments.pop()
        elif part not in ("", "."):
            segments.append(part)
    text = "/".join(segments)
    return text + "/" if text and path.rstrip().endswith("/") else text


def _eleventy_template(pattern: str, place: Place) -> str:
    """The few Eleventy/Liquid expressions a permalink can be filled from the file alone."""
    stem = place.stem
    file_slug = _ELEVENTY_DATE.sub("", stem, count=1)
    values = {"page.fileSlug": file_slug, "page.filePathStem": "/" + "/".join(_entry_parts(place)),
              "title | slugify": eleventy_slug(place.title), "title | slug":
              eleventy_slug(place.title), "slug": place.slug or ""}

    def one(m: re.Match[str]) -> str:
        expression = m.group(1)
        if expression is not None and expression in values and values[expression]:
            return values[expression]
        raise PatternError(f"{pattern!r} is a template feedkit cannot fill "
                           f"({m.group(0)!r})", "write the article's own path")

    return _LIQUID.sub(one, pattern)


def _strftime(moment: datetime, spec: str) -> str:
    """``strftime`` for the codes URL patterns use, in English whatever the host's locale."""
    codes = {"Y": f"{moment.year:04d}", "y": f"{moment.year % 100:02d}",
             "m": f"{moment.month:02d}", "d": f"{moment.day:02d}",
             "H": f"{moment.hour:02d}", "M": f"{moment.minute:02d}",
             "S": f"{moment.second:02d}", "j": f"{moment.timetuple().tm_yday:03d}",
             "b": _MONTHS[moment.month - 1][:3], "B": _MONTHS[moment.month - 1],
             "a": _DAYS[moment.weekday()][:3], "A": _DAYS[moment.weekday()], "%": "%"}

    def one(m: re.Match[str]) -> str:
        if m.group(1) in codes:
            return codes[m.group(1)]
        raise PatternError(f"{{date:{spec}}} holds %{m.group(1)}, which feedkit cannot fill",
                           "use %Y, %m, %d, %b, %B, %j, %H, %M or %S")

    return re.sub(r"%(.)", one, spec)


_SAMPLE = Place("section/sample.md", "Sample", datetime(2024, 1, 2, tzinfo=UTC), "sample",
                ("sample",))


def pattern_errors(rules: UrlRules) -> list[tuple[str, PatternError]]:
    """Each configured pattern (``site.permalink``, then ``site.permalinks`` by section)
    that holds a token feedkit cannot fill, whatever the article: (the setting, why). Said
    once for the site; the articles it was meant for keep the default URL."""
    found = []
    for key, pattern in (("site.permalink", rules.pattern),
                         *((f"site.permalinks.{name}", text) for name, text in rules.sections)):
        if pattern.strip():
            try:
                expand(pattern, rules, _SAMPLE)
            except PatternError as exc:
                found.append((key, exc))
    return found


def article_path(rules: UrlRules, place: Place) -> str | None:
    """The URL path of ``place`` by ``rules`` (None: the feedkit default, ``<slug>/``)."""
    if not (rules.pattern or rules.sections) and rules.generator == "feedkit":
        return None  # the usual case: no pattern to look up
    folders = place.folders
    section = folders[0] if folders else ""
    pattern = rules.pattern_for(section)
    if not pattern:
        return None
    return expand(pattern, rules, place)
