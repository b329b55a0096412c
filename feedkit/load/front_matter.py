"""Front matter: split a file's text into a mapping and a body, in the forms real generators
write (YAML ``---``, TOML ``+++``, JSON, Eleventy ``---json``, Pelican ``Key: value`` headers).

YAML is parsed with libyaml's safe loader, never executed; nothing here reads files or knows
what a field means.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from feedkit.text import repair_text

MAX_FRONT_MATTER_VALUES = 10_000  # a YAML alias bomb expands far past this; real front matter never
HAS_LIBYAML = hasattr(yaml, "CSafeLoader")


# -- YAML with libyaml, timestamps kept as text so dates.py reads them (and reports bad ones) -----

# what the YAML spec forbids in a stream (tab, line ends and NEL are allowed)
_YAML_UNPRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_Base: Any = yaml.CSafeLoader if HAS_LIBYAML else yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc]
    pass


_Loader.add_constructor("tag:yaml.org,2002:timestamp",
                        yaml.constructor.SafeConstructor.construct_yaml_str)


class YAMLFrontMatter(YAMLHandler):
    """``---`` YAML front matter, parsed with libyaml's safe loader."""

    def load(self, fm: str, **kwargs: object) -> Any:
        if _YAML_UNPRINTABLE.search(fm):
            # C1 controls come from mojibake (UTF-8 read as Latin-1): repair, then drop the rest,
            # rather than refuse the whole front matter
            fm = _YAML_UNPRINTABLE.sub("", repair_text(fm))
        return yaml.load(fm, Loader=_Loader)


class TOMLFrontMatter(BaseHandler):
    """``+++`` TOML front matter (Hugo, Zola), parsed with the stdlib's ``tomllib``."""

    FM_BOUNDARY = re.compile(r"^\+{3}[ \t]*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


class JSONFrontMatter(BaseHandler):
    """A leading JSON object (Hugo): the object ends where the JSON parser says it does."""

    FM_BOUNDARY = re.compile(r"^\{", re.MULTILINE)

    def split(self, text: str) -> tuple[str, str]:
        _, end = json.JSONDecoder().raw_decode(text)
        return text[:end], text[end:]

    def load(self, fm: str, **kwargs: object) -> Any:
        return json.loads(fm)


_JSON_CLOSE = re.compile(r"\A[ \t]*\n?[ \t]*-{3}[ \t]*(\n|\Z)")
_PELICAN_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):[ \t]+(.*)$")


class FrontMatterError(ValueError):
    """The front matter cannot be split or parsed; args are (message, hint, line)."""

    def __init__(self, message: str, hint: str | None = None, line: int | None = None) -> None:
        super().__init__(message, hint, line)
        self.message, self.hint, self.line = message, hint, line


@dataclass(frozen=True, slots=True)
class Split:
    """A file's text cut into front matter (a mapping) and body."""

    meta: dict[Any, Any]
    body: str
    body_offset: int  # where the body starts in the (decoded, normalized) text
    fm_text: str
    fm_line: int  # line number of the first character of fm_text


def split_front_matter(text: str) -> Split | None:
    """Split ``text``; None when it has no front matter. Raises ``FrontMatterError``."""
    stripped = text.lstrip("\n\t \ufeff")  # Hugo tolerates blank lines before the delimiter
    skipped = len(text) - len(stripped)
    first_line = 1 + text.count("\n", 0, skipped)
    head = stripped.split("\n", 1)[0].strip()
    if re.fullmatch(r"-{3}\s*(js|javascript)", head):
        raise FrontMatterError("executable front matter (---js) is not supported; not run",
                               "convert it to YAML between --- lines", first_line)
    handler: BaseHandler
    if head == "---json":  # Eleventy: a JSON object between ---json and --- lines
        handler, stripped = JSONFrontMatter(), stripped.split("\n", 1)[1] if "\n" in stripped \
            else ""
        skipped = len(text) - len(stripped)
        first_line += 1
    elif re.fullmatch(r"-{3,}", head):
        handler = YAMLFrontMatter()
    elif head == "+++":
        handler = TOMLFrontMatter()
    elif head.startswith("{"):
        handler = JSONFrontMatter()
    else:
        return _split_pelican(text)
    kind = type(handler).__name__.replace("FrontMatter", "")
    try:
        fm, body = handler.split(stripped)
    except json.JSONDecodeError as exc:
        raise FrontMatterError(f"front matter is not valid JSON: {exc.msg}", None,
                               first_line + exc.lineno - 1) from exc
    except RecursionError as exc:
        raise FrontMatterError("front matter is nested too deeply", None, first_line) from exc
    except ValueError as exc:
        raise FrontMatterError(f"{kind} front matter is not closed",
                               f"end it with a {handler.END_DELIMITER} line", first_line) from exc
    if head == "---json":
        body = _JSON_CLOSE.sub("", body, count=1)
    # the line fm starts on: the delimiters' split leaves the rest of their line in fm
    fm_line = first_line + stripped.count("\n", 0, max(stripped.find(fm), 0))
    top = fm_line + len(fm) - len(fm.lstrip("\n"))  # the first line with a key on it
    try:
        meta = handler.load(fm)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = fm_line + mark.line if mark else fm_line
        problem = str(exc.problem or exc)
        hint = ("feedkit reads plain YAML only: remove the !! tag" if "constructor" in problem
                else "quote values that contain ': ' or start with a special character")
        raise FrontMatterError(f"front matter is not valid YAML: {problem}", hint,
                               line) from exc
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"front matter is not valid YAML: {exc}", None, top) from exc
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r" \(at line (\d+), column \d+\)", str(exc))  # a line of fm, not the file
        line = fm_line + int(at.group(1)) - 1 if at else top
        reason = str(exc).replace(at.group(0), "") if at else str(exc)
        raise FrontMatterError(f"front matter is not valid TOML: {reason}", None, line) from exc
    except (ValueError, RecursionError) as exc:
        raise FrontMatterError(f"front matter cannot be read: {exc}", None, top) from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError(f"front matter is a {type(meta).__name__}, not a mapping",
                               "write key: value lines", top)
    # only YAML aliases (*name) can make a small text expand; skip the walk when there are none
    if "*" in fm and _expanded_size(meta, MAX_FRONT_MATTER_VALUES) > MAX_FRONT_MATTER_VALUES:
        raise FrontMatterError(f"front matter expands to over {MAX_FRONT_MATTER_VALUES} values "
                               "(YAML aliases?)", "remove the anchors and aliases", top)
    return Split(meta, body, len(text) - len(body), fm, fm_line)


def _split_pelican(text: str) -> Split | None:
    """Pelican/MultiMarkdown headers: ``Key: value`` lines up to a blank line, with a Title."""
    head, sep, body = text.partition("\n\n")
    lines = head.split("\n")
    meta: dict[str, str] = {}
    for line in lines:
        m = _PELICAN_LINE.match(line)
        if m is None:
            return None
        meta.setdefault(m.group(1).lower(), m.group(2).strip())
    if "title" not in meta:
        return None
    return Split(dict(meta), body, len(head) + len(sep), head, 1)


def _expanded_size(value: object, budget: int) -> int:
    """How many values ``value`` holds with aliases expanded, counting no further than budget."""
    count, stack = 0, [value]
    while stack and count <= budget:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return count
