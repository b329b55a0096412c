"""``feedkit pin-ids``: write each article's feed id into its own front matter, so that it no
longer depends on the manifest of one output folder. Each edit is planned as a pure function of
the file's text, adds one line and changes no other byte; files are written only inside the
content folder, atomically.
"""

from __future__ import annotations

import enum
import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from feedkit.deliver.manifest import read_manifest
from feedkit.deliver.output import temp_beside
from feedkit.errors import Problem
from feedkit.jobs.guard import kept_from_manifest
from feedkit.jobs.stages import earlier_items, published_urls, worker_pool
from feedkit.load.aliases import ALIASES
from feedkit.load.decoding import decode
from feedkit.load.folder import load_articles
from feedkit.load.front_matter import FrontMatterError, Split, split_front_matter
from feedkit.load.ids import derived_id
from feedkit.load.rules import LoadRules
from feedkit.model import Article
from feedkit.pool import Pool
from feedkit.settings import Settings
from feedkit.text import plain_text

ID_KEYS = frozenset(key.lower() for key in ALIASES["id"])
_LINE_END = re.compile(r"\r\n|\n|\r")
_LEADING = "\r\n\t \ufeff"  # what the front-matter split skips before the opening line


class Outcome(enum.StrEnum):
    PINNED = "pinned"  # the file has its id line now (a dry run: would have)
    SKIPPED = "skipped"  # left as it is, for the reason given
    FAILED = "failed"  # could not be read or written


@dataclass(frozen=True, slots=True)
class Planned:
    """A file's text with the id line added (``text``), or None and why not (``reason``).
    ``line`` is the id line in the file's kind of front matter: the one added, or the one to
    add by hand."""

    line: str
    text: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PinResult:
    """What became of one article file (``key``: its path under the content folder)."""

    key: str
    ident: str
    outcome: Outcome
    line: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PinReport:
    """Every article file ``pin_ids`` looked at, by path; ``notes`` say what else to know."""

    results: tuple[PinResult, ...]
    dry_run: bool = False
    notes: tuple[str, ...] = ()

    def of(self, outcome: Outcome) -> list[PinResult]:
        return [r for r in self.results if r.outcome is outcome]

    @property
    def exit_code(self) -> int:
        return 1 if self.of(Outcome.FAILED) else 0


def _quoted(ident: str) -> str:
    # a JSON string is a valid YAML double-quoted and TOML basic string; the planner parses
    # the result back, so an id neither can hold is reported, never written wrong
    return json.dumps(ident, ensure_ascii=False)


def _kind(loaded: str) -> str:
    """"yaml", "toml", "json" or "headers" (Pelican's, or none), as ``split_front_matter``
    tells them apart."""
    head = loaded.lstrip("\n\t \ufeff").split("\n", 1)[0].strip()
    if head == "---json" or head.startswith("{"):
        return "json"
    if re.fullmatch(r"-{3,}", head):
        return "yaml"
    return "toml" if head == "+++" else "headers"


def _line(kind: str, ident: str) -> str:
    return {"yaml": f"id: {_quoted(ident)}", "toml": f"id = {_quoted(ident)}",
            "json": f'"id": {_quoted(ident)},', "headers": f"Id: {ident}"}[kind]


def _as_loaded(text: str) -> str:
    """``text`` as the loader sees it: no BOM, ``\\n`` line ends, no control characters."""
    return decode(text.encode("utf-8", "surrogatepass")).text


def plan_pin(text: str, ident: str) -> Planned:
    """``text`` (an article file, decoded as it is: BOM and line ends kept) with ``ident`` as
    its front-matter id: ``id: "…"`` as the first line of YAML front matter, ``id = "…"`` of
    TOML, ``Id: …`` before Pelican's headers, each with the file's own line end. Or, with no
    text, why not: the front matter names an id already, is JSON, or cannot be read.

    >>> plan_pin("---\\r\\ntitle: Launch\\r\\n---\\r\\nHello\\r\\n", "urn:launch").text
    '---\\r\\nid: "urn:launch"\\r\\ntitle: Launch\\r\\n---\\r\\nHello\\r\\n'
    """
    loaded = _as_loaded(text)
    kind = _kind(loaded)
    line = _line(kind, ident)
    try:
        before = split_front_matter(loaded)
    except FrontMatterError as exc:
        return Planned(line, reason=f"its front matter cannot be read ({exc.message}); run "
                       "feedkit check")
    if before is None:
        return Planned(line, reason="has no front matter")
    for key, value in before.meta.items():
        if str(key).lower() in ID_KEYS:
            if value is None or not str(value).strip():
                return Planned(line, reason=f"has an empty {key} in its front matter; put "
                               f"{line} in its place by hand")
            if plain_text(str(value)) == ident:
                return Planned(line, reason=f"is pinned already ({key} in its front matter)")
            return Planned(line, reason=f"names its id already ({key} in its front matter: "
                           f"{str(value)!r}); left as it is")
    if kind == "json":
        return Planned(line, reason=f"has JSON front matter, which feedkit does not edit; add "
                       f"{line} to it by hand")
    new = _inserted(text, line, after_opening=kind != "headers")
    if new is None or not _reads_back(new, before, ident):
        return Planned(line, reason=f"the id line cannot be added without changing how the "
                       f"front matter reads; add {line} by hand")
    return Planned(line, new)


def _inserted(text: str, line: str, *, after_opening: bool) -> str | None:
    if not after_opening:  # Pelican's headers: the first line, after a BOM
        at = 1 if text.startswith("\ufeff") else 0
        end = _LINE_END.search(text)
        return text[:at] + line + (end.group() if end else "\n") + text[at:]
    end = _LINE_END.search(text, len(text) - len(text.lstrip(_LEADING)))
    if end is None:
        return None
    return text[:end.end()] + line + end.group() + text[end.end():]


def _reads_back(new: str, before: Split, ident: str) -> bool:
    """Whether ``new`` reads as ``before`` did, with ``ident`` as its id and nothing else
    changed (a YAML flow mapping, an indented block or a character the string form cannot
    carry would break or change it)."""
    try:
        after = split_front_matter(_as_loaded(new))
    except FrontMatterError:
        return False
    if after is None or after.body != before.body or "id" not in after.meta:
        return False
    rest = {k: v for k, v in after.meta.items() if k != "id"}
    return rest == before.meta and plain_text(str(after.meta["id"])) == ident


def _file_in(content_dir: Path, key: str) -> Path | None:
    """The file ``key`` names under ``content_dir``, symlinks resolved; None when it is not a
    file inside the folder (a path with ``..``, a symlink leading out)."""
    pure = PurePosixPath(key)
    if pure.is_absolute() or not pure.parts or ".." in pure.parts or "\x00" in key:
        return None
    real = Path(os.path.realpath(content_dir.joinpath(*pure.parts)))
    if not real.is_relative_to(os.path.realpath(content_dir)) or not real.is_file():
        return None
    return real


class _Changed(OSError):
    """The file changed between reading it and replacing it."""


def _replace(path: Path, data: bytes, *, was: bytes) -> None:
    """Write ``data`` over ``path`` atomically (a temporary file beside it, then a rename),
    keeping its permissions; ``_Changed`` if it no longer holds ``was``."""
    tmp = temp_beside(path, data, mode=stat.S_IMODE(os.stat(path).st_mode))
    try:
        if path.read_bytes() != was:  # an editor saved it meanwhile: theirs wins
            raise _Changed("changed while feedkit was pinning it; run feedkit pin-ids again")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def apply_pin(content_dir: Path, key: str, *, ident: str, dry_run: bool = False) -> PinResult:
    """Pin ``ident`` into the article file ``key`` (its POSIX path under ``content_dir``),
    as ``plan_pin`` plans it; with ``dry_run``, only say whether it would."""
    path = _file_in(content_dir, key)
    if path is None:
        return PinResult(key, ident, Outcome.SKIPPED, reason="is not a file inside the "
                         "content folder (a symlink leading out of it?); not touched")
    try:
        data = path.read_bytes()
    except OSError as exc:
        return PinResult(key, ident, Outcome.FAILED, reason=f"cannot be read: "
                         f"{exc.strerror or exc}")
    try:
        text = data.decode("utf-8")  # a BOM stays in the text, as U+FEFF
    except UnicodeDecodeError:  # UTF-16, Windows-1252, …: re-encoding could change bytes
        line = plan_pin(decode(data).text, ident).line
        return PinResult(key, ident, Outcome.SKIPPED, line, f"is not UTF-8 text, which feedkit "
                         f"does not edit; add {line} by hand")
    planned = plan_pin(text, ident)
    if planned.text is None:
        return PinResult(key, ident, Outcome.SKIPPED, planned.line, planned.reason)
    if not dry_run:
        try:
            _replace(path, planned.text.encode("utf-8"), was=data)
        except OSError as exc:
            return PinResult(key, ident, Outcome.FAILED, planned.line,
                             f"cannot write: {exc.strerror or exc}")
    return PinResult(key, ident, Outcome.PINNED, planned.line)


def _explicit(article: Article, rules: LoadRules) -> bool:
    return article.id != derived_id(rules.id_rule, slug=article.slug,
                                    published=article.published, url=article.url)


def pin_ids(settings: Settings, *, every: bool = False, dry_run: bool = False,
            pool: Pool | None = None) -> PinReport:
    """Pin the id of each article whose id the last build kept (the manifest in ``[build]
    output`` says which, and the id); with ``every``, also every other article with no
    explicit id, under its id now. An article that does not load is skipped and reported.
    Raises ``ContentError`` when there is no content folder."""
    rules = LoadRules.of(settings)
    manifest, damaged = read_manifest(settings.build.output)
    kept: Mapping[str, str] = kept_from_manifest(manifest.data) if manifest else {}
    # loaded as a build loads them: the article the feeds published at a slug's URL keeps it
    loaded = load_articles(settings.content.dir, rules=rules, pool=pool or worker_pool(),
                           published=published_urls(earlier_items(settings)))
    by_key = {a.key: a for a in loaded.articles}
    failures: dict[str, Problem] = {}  # the first error of each file that did not load
    for problem in loaded.problems:
        if problem.is_error and problem.path is not None:
            failures.setdefault(problem.path.as_posix(), problem)
    targets: dict[str, str] = {}
    results: list[PinResult] = []
    for key, ident in kept.items():
        if key in by_key:
            targets[key] = ident
        elif key in failures:
            results.append(_not_loaded(key, ident, failures[key].message))
        else:
            results.append(PinResult(key, ident, Outcome.SKIPPED, reason="is no longer in "
                                     "the content folder"))
    if every:
        targets.update({a.key: a.id for a in loaded.articles
                        if a.key not in targets and not _explicit(a, rules)})
        results.extend(_not_loaded(key, "", p.message) for key, p in failures.items()
                       if key not in kept and key not in by_key)
    results.extend(apply_pin(settings.content.dir, key, ident=ident, dry_run=dry_run)
                   for key, ident in targets.items())
    return PinReport(tuple(sorted(results, key=lambda r: r.key)), dry_run,
                     (damaged,) if damaged else ())


def _not_loaded(key: str, ident: str, why: str) -> PinResult:
    return PinResult(key, ident, Outcome.SKIPPED, reason=f"did not load ({why}); run feedkit "
                     "check")
