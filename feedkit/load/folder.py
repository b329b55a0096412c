"""The content folder → every ``Article`` in it and every ``Problem``: find the files
(``discovery``), parse them (here, or in worker processes when there are many), then settle
what only the whole folder decides (two articles wanting one slug).

The three steps are separate functions so that a cache can answer the middle one for files it
has seen (``cache.load_articles``); ``load_articles`` runs all three.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from feedkit.errors import Problem, error, warning
from feedkit.load.articles import Parsed, load_article
from feedkit.load.discovery import require_folder, scan
from feedkit.load.ids import derived_id
from feedkit.load.rules import LoadRules
from feedkit.model import Article
from feedkit.pool import Pool
from feedkit.records import article_from, article_record, problem_from

PARALLEL_FROM = 1000  # parsing is ~0.3 ms a file: a pool pays off only for many
CHUNK_MAX = 1000

Stamp = tuple[int, int]  # (size, mtime_ns)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """An article file as the walk found it: its path relative to the content folder (POSIX
    style) and its (size, mtime_ns). ``Found.path_of`` gives its path on disk."""

    rel: str
    stamp: Stamp


@dataclass(frozen=True, slots=True)
class Found:
    """The article files of a folder, sorted, and what the walk itself found wrong."""

    root: Path
    files: tuple[SourceFile, ...]
    problems: tuple[Problem, ...] = ()
    skipped: tuple[Path, ...] = ()  # symlinks leading out of the folder
    settled: bool = True  # False when a file could not even be looked at (may pass next time)

    def path_of(self, source: SourceFile) -> str:
        return os.path.join(self.root, *source.rel.split("/"))


@dataclass(frozen=True, slots=True)
class LoadResult:
    """All articles that loaded (in file order) and every problem found."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    files: int = 0
    ignored: tuple[Path, ...] = field(default=())
    settled: bool = True  # every result follows from the files' bytes (see ``Parsed``)


def find_files(root: Path) -> Found:
    """The article files under ``root``. Raises ``ContentError`` when there is no such folder."""
    require_folder(root)
    skipped: list[Path] = []
    broken: list[Path] = []
    files: list[SourceFile] = []
    problems: list[Problem] = []
    settled = True
    prefix = len(os.path.join(root, ""))  # the walk's paths all start with the root's
    for entry in scan(root, skipped, broken):
        rel = entry.path[prefix:].replace(os.sep, "/")
        if not _is_text(rel):  # bytes the file system's encoding could not decode
            shown = os.fsencode(rel).decode("utf-8", "replace")
            problems.append(error(Path(shown), None, "has a name that is not UTF-8 text: it "
                                  "could not be a URL or a key; skipped",
                                  "rename it to a name in UTF-8"))
            continue
        try:
            stat = entry.stat()
        except OSError as exc:
            problems.append(error(Path(rel), None, f"cannot be read: {exc.strerror or exc}"))
            settled = False
            continue
        files.append(SourceFile(rel, (stat.st_size, stat.st_mtime_ns)))
    problems.extend(warning(link.relative_to(root), None, "is a symlink out of the content "
                            "folder; skipped", "move the file into the folder") for link in skipped)
    problems.extend(warning(link.relative_to(root), None, "is a symlink to nothing; skipped",
                            "point it at a file, or remove it") for link in broken)
    return Found(root, tuple(files), tuple(problems), tuple(skipped), settled)


def _is_text(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_files(paths: Sequence[str], *, root: Path, rules: LoadRules,
                pool: Pool | None = None, intern: dict[Any, Any] | None = None) -> list[Parsed]:
    """``load_article`` for each file, in order; in worker processes when there are many."""
    pool = pool or Pool(workers=1)
    shared = intern if intern is not None else {}
    if pool.size_for(len(paths), PARALLEL_FROM) == 1:
        return [load_article(path, root=root, rules=rules, intern=shared) for path in paths]
    # chunks small enough that one decoded chunk is a few MB: the parent holds one at a time
    size = min(CHUNK_MAX, max(64, len(paths) // (pool.workers * 4)))
    results: list[Parsed] = []
    # each chunk is decoded as it arrives, so only one chunk's records exist at a time
    for chunk in pool.iter_chunks(partial(_parse_chunk, root=root, rules=rules), paths,
                                  threshold=PARALLEL_FROM, size=size):
        results.extend(parsed_from(record, intern=shared) for record in marshal.loads(chunk))
    return results


def _parse_chunk(paths: list[str], *, root: Path, rules: LoadRules) -> bytes:
    # results cross back as marshal bytes of named records: unpickling 10,000 Articles costs
    # the parent ~0.8 s, rebuilding them from plain values ~0.3 s
    intern: dict[Any, Any] = {}
    return marshal.dumps([parsed_record(load_article(path, root=root, rules=rules,
                                                     intern=intern)) for path in paths])


def parsed_record(parsed: Parsed) -> dict[str, Any]:
    """``parsed`` as a named record of plain values (for marshal)."""
    return {"article": None if parsed.article is None else article_record(parsed.article),
            "problems": [p.to_dict() for p in parsed.problems],
            "url_from_slug": parsed.url_from_slug, "id_from_slug": parsed.id_from_slug,
            "from_bytes": parsed.from_bytes}


def parsed_from(record: dict[str, Any], *, intern: dict[Any, Any] | None = None) -> Parsed:
    """The inverse of ``parsed_record``; ``ValueError`` for a record of another shape."""
    try:
        article = record["article"]
        return Parsed(None if article is None else article_from(article, intern=intern),
                      tuple(problem_from(p) for p in record["problems"]),
                      bool(record["url_from_slug"]), bool(record["id_from_slug"]),
                      bool(record["from_bytes"]))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a parse record: {exc!r}") from exc


def assemble(found: Found, parsed: Sequence[Parsed], *, rules: LoadRules,
             published: Mapping[str, str] | None = None) -> LoadResult:
    """The folder's result from each file's ``Parsed`` (in the order of ``found.files``, which
    are no longer needed here: a caller may drop them once parsed). ``published`` maps the
    URLs the feeds published to the file each came from (see ``_distinct_slugs``)."""
    from feedkit.load.front_matter import HAS_LIBYAML

    problems: list[Problem] = []
    if not HAS_LIBYAML:
        problems.append(warning(None, None, "libyaml is not available: YAML is read ~9x slower",
                                "pip install --force-reinstall --no-binary=:none: PyYAML"))
    kept: list[Parsed] = []
    for result in parsed:
        problems.extend(result.problems)
        if result.article is not None:
            kept.append(result)
    if rules.site.permalink or rules.site.permalinks:  # patterns to check (said once)
        from feedkit.load.permalinks import pattern_errors

        problems.extend(warning(None, key, exc.args[0], f"{exc.args[1]}; until then those "
                                "articles keep feedkit's own URL, site.url/<slug>/")
                        for key, exc in pattern_errors(rules.url_rules))
    articles = _distinct_slugs(kept, rules, problems, published or {})
    problems.extend(_shared_urls(articles))
    problems.extend(found.problems)
    return LoadResult(tuple(articles), tuple(problems), len(parsed), found.skipped,
                      found.settled and all(result.from_bytes for result in parsed))


def load_articles(root: Path, *, rules: LoadRules, pool: Pool | None = None,
                  published: Mapping[str, str] | None = None) -> LoadResult:
    """Load every article under ``root``: never raises for a bad file (each is a problem);
    a missing folder is a ``ContentError``. ``published``: see ``assemble``."""
    found = find_files(root)
    paths = [found.path_of(f) for f in found.files]
    found = replace(found, files=())  # the walk's records (~0.3 KB a file) are done with
    return assemble(found, parse_files(paths, root=root, rules=rules, pool=pool), rules=rules,
                    published=published)


def _shared_urls(articles: Sequence[Article]) -> list[Problem]:
    """A warning for each article whose URL another one (earlier in file order) has too: the
    site's generator writes one page there, so one of the two links shows the other."""
    first: dict[str, Article] = {}
    problems = []
    for article in articles:
        other = first.setdefault(article.url, article)
        if other is not article:
            problems.append(warning(article.path, "url", f"{article.url} is also the URL of "
                                    f"{other.path.as_posix()}: the site has one page there",
                                    "give one of them its own slug or permalink"))
    return problems


def _distinct_slugs(parsed: list[Parsed], rules: LoadRules, problems: list[Problem],
                    published: Mapping[str, str]) -> list[Article]:
    """Articles sharing a slug, when that would give two of them one id or (a URL made from
    the slug) one URL: the one the feeds already published at its URL keeps it
    (``published``: URL -> file), else the first published; each other one gets
    ``slug-<6 hex digits of its file path>``. A suffix from the article's own path, not from
    its rank, so adding or removing another file never renames it (its URL and feed id stay),
    and an older article added with a published one's slug never takes its URL. Articles a
    permalink pattern with the date already tells apart keep their slugs."""
    articles = [p.article for p in parsed if p.article is not None]
    taken: dict[str, int] = {}  # slug -> how many articles want it
    for article in articles:
        taken[article.slug] = taken.get(article.slug, 0) + 1
    groups: dict[str, list[int]] = {}  # only the slugs wanted twice or more
    for index, article in enumerate(articles):
        if taken[article.slug] > 1:
            groups.setdefault(article.slug, []).append(index)
    for slug, members in groups.items():
        members.sort(key=lambda i: (published.get(articles[i].url) != articles[i].key,
                                    articles[i].published, articles[i].path.as_posix()))
        first = articles[members[0]]
        ids, urls = {first.id}, {first.url}
        for index in members[1:]:
            article, how = articles[index], parsed[index]
            if article.id not in ids and not (how.url_from_slug and article.url in urls):
                ids.add(article.id)  # a pattern with the date tells them apart: nothing to do
                urls.add(article.url)
                continue
            digest = hashlib.sha256(article.path.as_posix().encode()).hexdigest()
            width = 6
            while f"{slug}-{digest[:width]}" in taken:
                width += 2
            new_slug = f"{slug}-{digest[:width]}"
            taken[new_slug] = 1
            new_url = rules.site.url + quote(new_slug, safe="") + "/" if how.url_from_slug \
                else article.url
            ident = derived_id(rules.id_rule, slug=new_slug, published=article.published,
                               url=new_url) if how.id_from_slug else article.id
            why = "already in the feeds" if published.get(first.url) == first.key else \
                "published earlier"
            problems.append(warning(article.path, "slug", f"{slug!r} is also used by "
                                    f"{first.path.as_posix()}, {why}; this one is "
                                    f"{new_slug!r}", "give each article its own slug"))
            articles[index] = replace(article, slug=new_slug, url=new_url, id=ident)
            ids.add(ident)
            urls.add(new_url)
    return articles
