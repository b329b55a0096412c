"""Names a package imports on first use: ``import feedkit`` (and ``feedkit.jobs``,
``feedkit.load``) stay fast for a command that needs one of their modules, not all of them.
Imports nothing of feedkit."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy(package: str, where: Mapping[str, str], namespace: dict[str, Any]
         ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` for ``where`` (name → the module holding
    it; a name that is the module's own last part is the module itself). Each name is looked
    up once, then kept in ``namespace`` (the package's globals).

    >>> getattr_, dir_ = lazy("pkg", {"sqrt": "math", "json": "json"}, {})
    >>> getattr_("sqrt")(9.0), getattr_("json").__name__
    (3.0, 'json')
    """

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(where[name])
        value = module if where[name].rsplit(".", 1)[-1] == name else getattr(module, name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *where})

    return __getattr__, __dir__
