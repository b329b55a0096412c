"""The only file readers of ``migrate``: text, YAML, TOML and JSON as data, a Python file's
module-level literal assignments (parsed with ``ast``, never run) and a JavaScript file's
literal strings (scanned by pattern, never run). Each failure is one ``ConfigError`` line
naming the file and the fix."""

from __future__ import annotations

import ast
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from feedkit.errors import ConfigError

MAX_BYTES = 2_000_000  # a site's config is a few KB; refuse to parse anything huge


@dataclass(slots=True)
class Found:
    """What a generator's reader found: raw setting values (key -> value, with where each
    came from, for the note when one is refused), notes, and the content folder."""

    generator: str
    values: dict[str, object] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    content: Path | None = None

    def set(self, key: str, value: object, origin: str) -> None:
        """Record ``value`` for the setting ``key`` unless it is None or blank."""
        if value is None or (isinstance(value, str | dict | list) and not value):
            return
        if isinstance(value, str) and key in ("site.title", "site.description",
                                              "site.author"):
            value = " ".join(value.split())
        self.values[key] = value
        self.origins[key] = origin

    def note(self, text: str) -> None:
        self.notes.append(text)


def first(root: Path, names: tuple[str, ...]) -> Path | None:
    """The first of ``names`` that is a file under ``root``."""
    return next((root / name for name in names if (root / name).is_file()), None)


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_BYTES} bytes, so not a site's config; "
                          "move it aside or point --from at the site's own folder")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start}); save it as UTF-8") from exc


def _mapping(path: Path, data: object, what: str) -> dict[str, object]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the {what} is not a mapping of settings; write it as "
                          "name: value lines")
    return {str(k): v for k, v in data.items()}


def read_yaml(path: Path) -> dict[str, object]:
    try:
        data = yaml.safe_load(read_text(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{path}: {problem}{where}; fix the YAML (the generator cannot read "
                          "it either)") from exc
    return _mapping(path, data, "YAML")


def read_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}; fix the TOML (the generator cannot read it "
                          "either)") from exc


def read_json(path: Path) -> dict[str, object]:
    try:
        data = json.loads(read_text(path))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc}); fix the JSON") from exc
    return _mapping(path, data, "JSON")


def read_data(path: Path) -> dict[str, object]:
    """A YAML, TOML or JSON file, by its extension."""
    if path.suffix == ".toml":
        return read_toml(path)
    if path.suffix == ".json":
        return read_json(path)
    return read_yaml(path)


# -- Python, read and never run --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PythonSettings:
    """A Python settings file's module-level ``NAME = literal`` values, and the names it sets
    with anything else (a call, an f-string, a name), which are not read."""

    values: dict[str, object]
    computed: frozenset[str]


def read_python(path: Path) -> PythonSettings:
    """The module-level assignments of literals in ``path``, parsed with ``ast`` and never
    executed (imports, calls and conditionals are skipped)."""
    try:
        tree = ast.parse(read_text(path), filename=str(path))
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        line = getattr(exc, "lineno", None)
        where = f" at line {line}" if line else ""
        raise ConfigError(f"{path}: not valid Python{where}; fix it so the generator can read "
                          "it too") from exc
    values: dict[str, object] = {}
    computed: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            try:
                values[target.id] = ast.literal_eval(value)
                computed.discard(target.id)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                values.pop(target.id, None)
                computed.add(target.id)
    return PythonSettings(values, frozenset(computed))


# -- JavaScript, scanned and never run ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScriptStrings:
    """The ``key: "string"`` pairs of a JavaScript file, each under the path of object keys
    that holds it (``("dir", "input")``); a key whose value is not a plain string literal maps
    to None."""

    pairs: tuple[tuple[tuple[str, ...], str | None], ...]

    def get(self, *path: str) -> str | None:
        return next((value for where, value in self.pairs if where == path), None)

    def has(self, *path: str) -> bool:
        return any(where == path for where, _ in self.pairs)


_TOKEN = re.compile(r"""
    (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<punct>[{}\[\]():,])
  | (?P<other>\S)
""", re.X | re.S)


def _unquote(token: str) -> str | None:
    if token.startswith("`") and "${" in token:
        return None  # a template literal that interpolates: computed
    body = token[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)),
                  body)


def scan_script(text: str) -> ScriptStrings:
    """The literal strings of a JavaScript (or TypeScript) file under their object keys: a
    pattern reading, so unusual code can hide a value, but nothing is ever run.

    >>> s = scan_script('export default defineConfig({ site: "https://x.org", base: B })')
    >>> s.get("site"), s.get("base"), s.has("base")
    ('https://x.org', None, True)
    """
    tokens = [(m.lastgroup or "", m.group()) for m in _TOKEN.finditer(text)
              if m.lastgroup != "comment"]
    pairs: list[tuple[tuple[str, ...], str | None]] = []
    stack: list[str] = []
    pending = ""
    for i, (kind, token) in enumerate(tokens):
        following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if kind in ("name", "string") and following == ":" and \
                (i == 0 or tokens[i - 1][1] in ("{", ",")):
            pending = token if kind == "name" else (_unquote(token) or "")
            after = tokens[i + 2] if i + 2 < len(tokens) else ("", "")
            end = tokens[i + 3][1] if i + 3 < len(tokens) else ""
            if after[1] != "{":
                value = _unquote(after[1]) if after[0] == "string" and end in (",", "}", "") \
                    else None
                pairs.append(((*filter(None, stack), pending), value))
        elif token in ("{", "["):
            previous = tokens[i - 1][1] if i else ""
            stack.append(pending if previous == ":" and token == "{" else "")
            pending = ""
        elif token in ("}", "]") and stack:
            stack.pop()
    return ScriptStrings(tuple(pairs))


def call_argument(text: str, function: str) -> str | None:
    """The string literal passed to ``function(...)`` in ``text`` (``setInputDirectory``)."""
    m = re.search(rf"\b{re.escape(function)}\(\s*([\"'`])([^\"'`\n$]*)\1\s*\)", text)
    return m.group(2) if m else None


def constant(text: str, name: str) -> str | None:
    """The string literal a JavaScript ``const NAME = "..."`` holds."""
    m = re.search(rf"\bconst\s+{re.escape(name)}(?:\s*:\s*\w+)?\s*=\s*([\"'`])"
                  rf"((?:(?!\1)[^\\\n$]|\\.)*)\1", text)
    return _unquote(m.group(1) + m.group(2) + m.group(1)) if m else None
