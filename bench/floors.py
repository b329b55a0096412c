"""The machine's floors for a content folder, one per run, as a whole process:

    python bench/floors.py stat|read|yaml|markdown CONTENT_DIR

stat: stat every file; read: read every byte; yaml: read every file and parse its front matter
with libyaml's CSafeLoader; markdown: render every body with the markdown package in one process
(the floor `feedkit check` is compared with).
"""

from __future__ import annotations

import os
import sys


def files(root: str) -> list[str]:
    found = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        found.extend(os.path.join(folder, n) for n in sorted(names) if n.endswith(".md"))
    return found


def main() -> int:
    mode, root = sys.argv[1], sys.argv[2]
    paths = files(root)
    if mode == "stat":
        for path in paths:
            os.stat(path)
    elif mode == "read":
        for path in paths:
            with open(path, "rb") as handle:
                handle.read()
    elif mode in ("yaml", "markdown"):
        import yaml

        renderer = None
        if mode == "markdown":
            import markdown

            renderer = markdown.Markdown(extensions=["tables", "fenced_code", "footnotes",
                                                     "sane_lists"])
        for path in paths:
            with open(path, "rb") as handle:
                text = handle.read().decode("utf-8")
            _, front, body = text.split("---\n", 2)
            yaml.load(front, Loader=yaml.CSafeLoader)
            if renderer is not None:
                renderer.reset()
                renderer.convert(body)
    else:
        print(f"unknown floor {mode!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
