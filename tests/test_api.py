"""The public API: every name in feedkit.__all__ resolves, and importing feedkit stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import feedkit


@pytest.mark.parametrize("name", feedkit.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(feedkit, name) is not None


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError):
        feedkit.no_such_thing  # noqa: B018


def test_importing_the_cli_does_not_import_renderers() -> None:
    code = ("import sys, feedkit.cli; "
            "print(sorted(m for m in ('markdown', 'ftfy', 'feedgen', 'jinja2', 'premailer', "
            "'dateutil.parser') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert run.stdout.strip() == "[]"


def test_the_wheel_lists_every_package_of_the_source_tree() -> None:
    # setuptools ships only the packages pyproject.toml names: one left out installs a
    # feedkit that fails on import, while an editable install (the tests') works
    import tomllib
    from pathlib import Path

    # the checkout's tree, not the installed copy: CI installs the wheel, not an editable
    checkout = Path(__file__).resolve().parent.parent
    root = checkout / "feedkit"
    listed = set(tomllib.loads((checkout / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"])
    found = {".".join(("feedkit", *p.parent.relative_to(root).parts))
             for p in root.rglob("__init__.py")}
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages"
