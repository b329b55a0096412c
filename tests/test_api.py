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
