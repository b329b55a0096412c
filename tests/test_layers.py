"""The package keeps its shape: imports run one way, from the edge down to the base, and no two
modules import each other, directly or around a loop.

Every ``import`` counts: at the top, inside functions and under ``TYPE_CHECKING`` alike, since
each says which module depends on which. A module may import any module of a lower layer, and
any module of its own package (``load.articles`` → ``load.ids``); the stage packages of one
layer (load, render, deliver) never import each other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

import feedkit

# lowest first; a module of a layer may import only the layers above it in this list
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",),
    ("text", "dates", "pool", "lazy"),  # pure helpers
    ("model",),  # Site, Article, Body: plain data
    # model <-> records; ordering; earlier records <-> articles; typed settings
    ("records", "selection", "identity", "settings"),
    ("load", "render", "deliver"),  # the stages: siblings that never import each other
    ("cache",),  # an optional layer around load and render
    ("jobs",),  # check, build, digest: the only place that runs the stages
    ("terminal", "scaffold", "migrate", "pins"),
    ("serve",),
    ("cli",),
    ("__init__", "__main__"),  # the public API and `python -m feedkit`
)
PACKAGE = Path(feedkit.__file__).resolve().parent


def module_name(path: Path, root: Path, package: str) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join([package, *parts])


def imports_of(tree: ast.AST, package: str, modules: Iterable[str]) -> set[str]:
    """The package's modules that ``tree`` imports: ``from pkg import name`` imports the module
    ``pkg.name`` when there is one, else a name of ``pkg`` itself. (Importing any module runs
    its packages' ``__init__`` first; that is not counted as depending on them.)"""
    known = set(modules)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in known else node.module)
    return {name for name in found if name in known and name.startswith(package)}


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Module → the package's modules it imports, for every module under ``root``."""
    files = {module_name(p, root, package): p for p in sorted(root.rglob("*.py"))}
    return {name: imports_of(ast.parse(path.read_text(encoding="utf-8")), package, files)
            - {name} for name, path in files.items()}


def group(module: str, package: str) -> str:
    rest = module[len(package) + 1:] if module != package else "__init__"
    return rest.split(".")[0]


def layering_violations(graph: Mapping[str, set[str]], package: str,
                        layers: tuple[tuple[str, ...], ...]) -> list[str]:
    rank = {name: i for i, members in enumerate(layers) for name in members}
    problems = []
    for module, targets in sorted(graph.items()):
        mine = group(module, package)
        if mine not in rank:
            problems.append(f"{module}: in no layer (add its group {mine!r} to LAYERS)")
            continue
        for target in sorted(targets):
            theirs = group(target, package)
            if theirs == mine:
                continue
            if theirs not in rank:
                problems.append(f"{target}: in no layer")
            elif rank[theirs] >= rank[mine]:
                where = "the same layer" if rank[theirs] == rank[mine] else "a higher layer"
                problems.append(f"{module} imports {target}, from {where}")
    return problems


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            members = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.append(member)
                if member == node:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_imports_run_from_the_edge_down_to_the_base() -> None:
    graph = import_graph(PACKAGE, "feedkit")
    assert layering_violations(graph, "feedkit", LAYERS) == []


def test_no_module_imports_itself_around_a_loop() -> None:
    assert cycles(import_graph(PACKAGE, "feedkit")) == []


def test_the_base_the_pool_and_the_lazy_names_import_nothing_of_feedkit() -> None:
    graph = import_graph(PACKAGE, "feedkit")
    assert graph["feedkit.errors"] == graph["feedkit.pool"] == graph["feedkit.lazy"] == set()


@pytest.mark.parametrize("module", ["feedkit.load", "feedkit.render", "feedkit.deliver"])
def test_each_stage_package_is_used_below_the_jobs_only_by_the_cache(module: str) -> None:
    graph = import_graph(PACKAGE, "feedkit")
    users = {m for m, targets in graph.items() if any(t.startswith(module) for t in targets)}
    lower = {m for m in users if group(m, "feedkit") in ("load", "render", "deliver")
             and not m.startswith(module)}
    assert lower == set()


# -- the checks themselves catch what they are for ------------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_checks_catch_an_upward_import_a_sibling_import_and_a_loop(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "__init__.py": "",
        "model.py": "def f():\n    from pkg.jobs import run\n",  # upward, and deferred
        "load/__init__.py": "",
        "load/a.py": "from pkg.render import b\n",  # a sibling stage
        "render/__init__.py": "",
        "render/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                       "    import pkg.render.c\n",
        "render/c.py": "from pkg.render import b\n",  # b <-> c
        "jobs.py": "from pkg import model\n",
    })
    graph = import_graph(root, "pkg")
    layers = (("model",), ("load", "render"), ("jobs",), ("__init__",))
    assert layering_violations(graph, "pkg", layers) == [
        "pkg.load.a imports pkg.render.b, from the same layer",
        "pkg.model imports pkg.jobs, from a higher layer",
    ]
    assert cycles(graph) == [["pkg.jobs", "pkg.model"], ["pkg.render.b", "pkg.render.c"]]
