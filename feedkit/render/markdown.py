"""Markdown → (unsanitized) HTML with Python-Markdown, bounded without signals or clocks.

Python-Markdown is quadratic on one kind of input: an opening ``[`` (a link, image or footnote
that might start there) with no ``]`` after it makes the link pattern scan to the end of its
paragraph; so does a link target opened by ``](`` with no ``)``, and, more cheaply, a ``<``
with no ``>``. Thousands of them in one
paragraph take minutes. ``inline_cost`` bounds that work from the text alone, in linear time,
and a body whose cost is over ``cost_limit`` (a fixed allowance plus an amount per character,
so time stays linear in the file's size, which is itself limited) is refused on every machine,
however fast: it is shown as escaped plain text, and the caller is told why. A body nested
too deeply for the parser is treated the same way.

A ``MarkdownRenderer`` holds one parser; use one per thread (the parser keeps state between
the calls of one conversion).
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import markdown

EXTENSIONS = ("tables", "fenced_code", "footnotes", "sane_lists")
# About 1.75e-8 s per unit on a 2-core VM: ~2 s for the fixed allowance, and ~2 s more per
# MB of text (Python-Markdown itself takes ~3 s per MB). Real prose, with a stray bracket
# here and there, costs a few percent of it.
INLINE_COST_LIMIT = 100_000_000
COST_PER_CHARACTER = 100
_BRACKET_WEIGHT = 10  # an unclosed "[" costs about ten times an unclosed "<"
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _unclosed(block: str, opener: str, closer: str) -> int:
    """How many ``opener``s in ``block`` no later ``closer`` closes (nesting counted)."""
    stack = 0
    for char in re.findall(f"[{re.escape(opener)}{re.escape(closer)}]", block):
        if char == opener:
            stack += 1
        elif stack:
            stack -= 1
    return stack


_PARENS = re.compile(r"\]\(|[()]")


def _unclosed_targets(block: str) -> int:
    """How many link targets (``](``) in ``block`` no later ``)`` closes (nesting counted)."""
    stack: list[bool] = []  # True for a "](" opener, False for a plain "("
    for token in _PARENS.findall(block):
        if token == ")":
            if stack:
                stack.pop()
        else:
            stack.append(token == "](")
    return sum(stack)


def inline_cost(text: str) -> int:
    """An upper bound on Python-Markdown's inline work for ``text``, paragraph by paragraph:
    each unclosed ``[``, link target ``](`` or ``<`` costs the length of its paragraph.

    >>> inline_cost("A [link](x) and <b>bold</b>.") == 0
    True
    >>> inline_cost("[" * 4000) > cost_limit("[" * 4000)
    True
    >>> inline_cost("x [y]( " * 3000) > cost_limit("x [y]( " * 3000)
    True
    """
    cost = 0
    for block in _BLANK_LINE.split(text):
        if "[" not in block and "<" not in block:  # "](" needs a "[" too
            continue
        unclosed = _BRACKET_WEIGHT * (_unclosed(block, "[", "]") + _unclosed_targets(block)) \
            + _unclosed(block, "<", ">")
        cost += unclosed * len(block)
    return cost


def cost_limit(text: str) -> int:
    """The most inline work ``text`` may cost: linear in its length."""
    return INLINE_COST_LIMIT + COST_PER_CHARACTER * len(text)


class MarkdownRenderer:
    """Renders one body after another with one parser (made on first use)."""

    def __init__(self) -> None:
        self._md: markdown.Markdown | None = None

    def render(self, text: str) -> tuple[str, str | None]:
        """(HTML, None), or (the text escaped in a ``<pre>``, why) when it cannot be rendered
        as Markdown in bounded time."""
        if inline_cost(text) > cost_limit(text):
            return _as_text(text), ("has too many unclosed [, ]( or < in one paragraph to "
                                    "render as Markdown in bounded time")
        if self._md is None:
            import markdown  # deferred: only bodies that an output includes are rendered

            self._md = markdown.Markdown(extensions=list(EXTENSIONS), output_format="html")
        self._md.reset()
        try:
            return str(self._md.convert(text)), None
        except RecursionError:
            self._md = None  # a failed conversion leaves state behind that spoils the next one
            return _as_text(text), "is nested too deeply to render as Markdown"


def _as_text(text: str) -> str:
    return f"<pre>{html.escape(text)}</pre>"
