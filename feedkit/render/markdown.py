"""Markdown → (unsanitized) HTML with Python-Markdown, bounded without signals or clocks.

Python-Markdown takes time quadratic in a paragraph's length on some inputs, minutes for a few
tens of KB: its link patterns walk from every ``[`` (or ``](``, or an unclosed title) to the
end of the paragraph, one Python step per character; every inline match copies the paragraph
again; and the raw-HTML and fenced-code passes walk from every unclosed ``<tag`` or fence to
the end of the document. Two bounds, both counted from the input alone, so a body is refused
on every machine alike, however fast:

- a meter inside the parser counts the characters each inline pattern walks or copies (a
  walked one weighs ``SCAN_WEIGHT``, about what it costs more), each block it takes with its
  lines, and the footnotes' search for unused reference ids; it stops the conversion when
  the count passes ``work_limit(text)``: a fixed allowance plus an amount per character;
- some walks happen where no meter sees them, and are estimated from the text first (as the
  parser's first pass normalizes it): the fenced-code and raw-HTML passes (before any inline
  pattern; ``<?`` and ``<![CDATA[`` included) and the footnote pattern's regular expression,
  which walks in C from every ``[^`` with no ``]`` after it to the end of its paragraph.

A body over either bound is shown as escaped plain text, and the caller is told why; so is one
nested too deeply for the parser. A ``MarkdownRenderer`` holds one parser and its meter: use
one per thread (the parser keeps state between the calls of one conversion).
"""

from __future__ import annotations

import bisect
import html
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import markdown

EXTENSIONS = ("tables", "fenced_code", "footnotes", "sane_lists")
# 0.4 to 1.2 ns per unit on a 2-core VM: ~2 s for the fixed allowance and ~1 s more per MB of
# text (Python-Markdown itself takes ~2 s per MB); real prose costs a few percent of it.
WORK_LIMIT = 2_000_000_000
WORK_PER_CHARACTER = 1_000
SCAN_WEIGHT = 100  # a character a link pattern walks in Python, against one copied in C
BLOCK_WEIGHT = 10_000  # a block processor run: its tests and work, in Python (~10 µs)
CALL_WEIGHT = 1_000  # an inline pattern tried on a piece of text, in Python (~1 µs)
REF_WEIGHT = 2_000  # a step of the footnotes' search for an unused reference id (~2 µs)
LIST_WEIGHT = 20  # an element of a list searched in C
LINE_WEIGHT = 500  # a line of a block split, matched and joined again in Python (~0.5 µs)
_HTML_WEIGHT = 30  # a character the raw-HTML pass walks for one unclosed "<tag"
_REGEX_WEIGHT = 8  # a character the footnote pattern's regular expression walks
_TAG_OPENER = re.compile(r"<[A-Za-z/]|<![A-Za-z\[]|>")  # tags, declarations; what closes them
_LONG_OPENER = re.compile(r"<\?|<!\[CDATA\[")  # what only ?> or ]]> closes
_TITLE_END = re.compile(r"[\"'][ \t\n]*\)\Z")  # a link title's quote, just before the )
_SPACES_ONLY_LINE = re.compile(r"(?<=\n) +\n")
_BACKTICKS = re.compile(r"`+")
_FOOTNOTE_OPENER = re.compile(r"\[\^")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_FENCE_WEIGHT = 20  # a character the fenced-code pattern walks for one unclosed fence
_FENCE_LINE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<rest>[^\n]*)$", re.M)
_QUOTE_AT_LINE_END = re.compile(r"[\"'][ ]*$", re.M)
_PLAIN_OPENING = re.compile(r"[ ]*(\.?[\w#.+-]*[ ]*)?")  # an opening line's rest: a language
_COPY_DIVISOR = 5  # characters the fenced-code pass copies per meter unit (~0.2 ns each)
_WHOLE_OPENING = re.compile(r"[ ]*\.?[\w#.+-]*[ ]*hl_lines=(?P<q>[\"'])[^\"'\n]*(?P=q)[ ]*")


UNCLOSED_BLOCKS = ("has too many unclosed <tags, <?, <![CDATA[, [^ or ``` fences to render as "
                   "Markdown in bounded time")
UNCLOSED_INLINES = ("has too many unclosed or nested [, ](, ` or inline tags in one paragraph "
                    "to render as Markdown in bounded time")
TOO_MANY_BLOCKS = ("has too many paragraphs, lines or list items to render as Markdown in "
                   "bounded time")
TOO_MANY_REFERENCES = ("refers to one footnote too many times to render as Markdown in "
                       "bounded time")
TOO_DEEP = "is nested too deeply to render as Markdown"
HINTS = {  # what to do about each reason a body is shown as plain text
    UNCLOSED_BLOCKS: "close each <tag (<? with ?>, <![CDATA[ with ]]>), [^ and ``` fence, or "
                     "write a lone < as &lt;",
    UNCLOSED_INLINES: "close the brackets and backticks, escape them (\\[, \\`), or split the "
                      "paragraph",
    TOO_MANY_BLOCKS: "remove runs of blank lines, or split the article",
    TOO_MANY_REFERENCES: "give the repeated references notes of their own, or split the "
                         "article",
    TOO_DEEP: "nest lists and quotes less deeply",
}


class _TooMuchWork(Exception):
    pass


def work_limit(text: str) -> int:
    """The most work (in meter units) rendering ``text`` may take: linear in its length."""
    return WORK_LIMIT + WORK_PER_CHARACTER * len(text)


def unmetered_work(text: str) -> int:
    """An upper bound, in meter units, on the work no meter sees, all before any inline
    pattern runs or inside one regular expression:

    - the fenced-code pass: it copies the whole text for each block it takes; each opening
      fence with no closing line of the same fence after it walks to the end of the text; an
      ``hl_lines="`` whose quote the line does not close walks there again from each line
      that ends in a quote;
    - the raw-HTML pass, outside the fenced blocks: each tag opener (``<a`` or ``</``) that no
      later ``>`` closes walks to the end of the text;
    - the footnote pattern: each ``[^`` with no ``]`` after it in its paragraph walks to the
      paragraph's end.

    >>> unmetered_work("A <b>tag</b>, a [^1] note.")
    0
    >>> unmetered_work("```c\\nif (i<n) x << 1;\\n```\\n")  # a block: copied once, no walk
    5
    >>> unmetered_work("[^a " * 80_000) > work_limit("[^a " * 80_000)
    True
    """
    text = _normalized(text)
    work, outside = _fence_work(text) if ("```" in text or "~~~" in text) else (0, text)
    unclosed = 0
    if "<" in outside:
        for token in _TAG_OPENER.findall(outside):
            if token != ">":
                unclosed += 1
            elif unclosed:
                unclosed -= 1
        # a processing instruction or CDATA section after the last ?> or ]]>
        closers = {"<?": outside.rfind("?>"), "<![CDATA[": outside.rfind("]]>")}
        work += _HTML_WEIGHT * sum(len(outside) - m.start()
                                   for m in _LONG_OPENER.finditer(outside)
                                   if m.start() > closers[m[0]])
    work += _HTML_WEIGHT * unclosed * len(text)
    if "[^" in text:
        for block in _BLANK_LINE.split(text):
            after = block.rfind("]") + 1
            work += _REGEX_WEIGHT * sum(len(block) - after - m.start()
                                        for m in _FOOTNOTE_OPENER.finditer(block, after))
    return work


def _normalized(text: str) -> str:
    """The text as Python-Markdown's first pass leaves it for the others (its
    ``NormalizeWhitespace``): line ends made ``\\n``, tabs expanded, blank lines emptied."""
    text = text.replace("\x02", "").replace("\x03", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
    return _SPACES_ONLY_LINE.sub("\n", text.expandtabs(4))


def _fence_work(text: str) -> tuple[int, str]:
    """What the fenced-code pass costs, and the text its blocks leave to the raw-HTML pass.
    Python-Markdown 3.6 and later search on from the end of each block they take, so each
    fence line is tried once: the first opening line that a later line of the same fence
    closes starts a block (``_fenced_blocks``)."""
    fences = list(_FENCE_LINE.finditer(text))
    closers: dict[str, list[int]] = {}  # each fence -> where the lines closing it start
    for m in fences:
        if not m["rest"].strip(" "):
            closers.setdefault(m["fence"], []).append(m.start())
    quote_ends = [m.start() for m in _QUOTE_AT_LINE_END.finditer(text)] \
        if "hl_lines=" in text else []
    followed = _fenced_blocks(text, fences, closers)
    work = 0
    for m in fences:
        rest = len(text) - m.start()
        closed = closers.get(m["fence"], [-1])[-1] > m.start()
        if not closed and followed is None:  # (when followed, its unclosed ones are counted)
            work += _FENCE_WEIGHT * rest
        # the lazy hl_lines="..." can reach over lines to any later quote ending a line: it
        # does when the opening line fails as it stands, or the block never closes
        if "hl_lines=" in m["rest"] and not (closed and _WHOLE_OPENING.fullmatch(m["rest"])):
            work += _FENCE_WEIGHT * rest * (len(quote_ends)
                                            - bisect.bisect_left(quote_ends, m.start()))
    # the text is built again around each block it takes (at most one per two fence lines)
    work += (len(fences) // 2) * len(text) // _COPY_DIVISOR
    if followed is None:
        return work, text
    blocks, unclosed = followed
    work += _FENCE_WEIGHT * sum(len(text) - start for start in unclosed)
    if not blocks:
        return work, text
    kept, last = [], 0
    for start, stop in blocks:
        kept.append(text[last:start])
        last = stop
    kept.append(text[last:])
    return work, "\n".join(kept)


def _fenced_blocks(text: str, fences: list[re.Match[str]], closers: dict[str, list[int]]
                   ) -> tuple[list[tuple[int, int]], list[int]] | None:
    """The blocks the fenced-code pass takes out, as (start, end) in ``text``, and where each
    opening line it tries and finds no closing line for starts (it walks from there to the
    end); None when a fence line has attributes or ``hl_lines`` (which the pass may take or
    pass over in ways not followed here: then nothing is taken as certain)."""
    if any("{" in m["rest"] or "hl_lines" in m["rest"] for m in fences):
        return None
    blocks: list[tuple[int, int]] = []
    unclosed: list[int] = []
    resume = 0
    for m in fences:
        if m.start() < resume or not _PLAIN_OPENING.fullmatch(m["rest"]):
            continue
        candidates = closers.get(m["fence"], [])
        found = bisect.bisect_right(candidates, m.end())  # a closing line after this one
        if found < len(candidates):
            line_end = text.find("\n", candidates[found])
            resume = len(text) if line_end < 0 else line_end + 1
            blocks.append((m.start(), resume))
        else:
            unclosed.append(m.start())
    return blocks, unclosed


class _Meter:
    __slots__ = ("blocks", "limit", "references", "spent")

    def __init__(self) -> None:
        self.limit = WORK_LIMIT
        self.spent = 0
        self.blocks = 0  # of which, spent on blocks
        self.references = 0  # of which, spent on footnote references

    def reason(self) -> str:
        """Why the limit was reached: the kind of work that took most of it."""
        inlines = self.spent - self.blocks - self.references
        if self.references >= max(self.blocks, inlines):
            return TOO_MANY_REFERENCES
        return TOO_MANY_BLOCKS if self.blocks >= inlines else UNCLOSED_INLINES

    def spend(self, units: int) -> None:
        self.spent += units
        if self.spent > self.limit:
            raise _TooMuchWork


def _metered(md: markdown.Markdown, meter: _Meter) -> None:
    """Fit ``md`` (one parser, never shared) with ``meter``: its inline processor counts what
    each search and copy spans, the link and code-span patterns what each walk covered, and
    the block parser each block it takes (with the list it takes it from)."""
    from markdown.extensions.footnotes import FootnoteExtension
    from markdown.inlinepatterns import BacktickInlineProcessor, LinkInlineProcessor
    from markdown.treeprocessors import InlineProcessor

    apply: Any = getattr(InlineProcessor, "_InlineProcessor__applyPattern", None)
    if apply is None or not hasattr(BacktickInlineProcessor, "find_code_spans"):
        raise RuntimeError("this Python-Markdown has not the internals feedkit meters; "
                           "install the version pyproject.toml names")

    class MeteredInline(InlineProcessor):
        # the name-mangled method every search of every pattern goes through (called ~750
        # times a body: spent inline, not through a method, to keep the meter's cost low)
        def _InlineProcessor__applyPattern(self, pattern: Any, data: str, patternIndex: int,
                                           startIndex: int = 0) -> tuple[str, bool, int]:
            meter.spent += CALL_WEIGHT + len(data) - startIndex
            if meter.spent > meter.limit:
                raise _TooMuchWork
            applied: tuple[str, bool, int] = apply(self, pattern, data, patternIndex, startIndex)
            return applied

    md.treeprocessors.register(MeteredInline(md), "inline", 20)  # replaces the built-in one
    for pattern in md.inlinePatterns:
        if isinstance(pattern, LinkInlineProcessor):  # links, images, references
            pattern.getText = _counted(pattern.getText, meter, titled=False)  # type: ignore[method-assign]
            pattern.getLink = _counted(pattern.getLink, meter, titled=True)  # type: ignore[method-assign]
        elif isinstance(pattern, BacktickInlineProcessor):
            pattern.find_code_spans = _counted_spans(pattern.find_code_spans, meter)  # type: ignore[method-assign]
    for processor in md.parser.blockprocessors:
        processor.run = _counted_blocks(processor.run, meter)  # type: ignore[method-assign]
    for extension in md.registeredExtensions:
        if isinstance(extension, FootnoteExtension):
            extension.unique_ref = _counted_refs(extension, meter)  # type: ignore[method-assign]


def _counted_refs(footnotes: Any, meter: _Meter) -> Any:
    """The footnotes' ``unique_ref`` charging its loop: the nth reference to one note steps
    over the n-1 ids made before it (and the reference finds its note's number by a search
    of the list of notes)."""
    unique_ref = footnotes.unique_ref

    def counted(reference: str, found: bool = False) -> str:
        if found:
            stepped = REF_WEIGHT * (footnotes.found_refs.get(reference, 0) + 1)
            meter.references += stepped  # (the search of the notes is inline work)
            meter.spend(stepped + len(footnotes.footnote_order) * LIST_WEIGHT)
        made: str = unique_ref(reference, found)
        return made

    return counted


def _counted(walk: Any, meter: _Meter, *, titled: bool) -> Any:
    """``walk`` (``getText`` or ``getLink``) charging the characters it walked over. Each
    returns, last but one, the index where it stopped; but a link title whose quote never
    closes, or that more text follows before the ``)``, makes ``getLink`` walk to the end of
    the text before it backs off to that index."""
    def counted(data: str, index: int) -> Any:
        found = walk(data, index)
        end = found[-2]
        if titled:
            span = data[index:end]
            if ('"' in span or "'" in span) and (span.count('"') % 2 or span.count("'") % 2
                                                 or not _TITLE_END.search(span)):
                end = len(data)
        meter.spend(SCAN_WEIGHT * (end - index))
        return found

    return counted


def _counted_spans(find: Any, meter: _Meter) -> Any:
    """``find_code_spans`` charging its walk: from a run of backticks to the run of the same
    length that closes it, or, when none does, to the end of the text."""
    def counted(start: int, text: str) -> tuple[int, int | None]:
        found: tuple[int, int | None] = find(start, text)
        opened = _BACKTICKS.match(text, start)
        ticks = opened.end() - start if opened else 0
        closed = found[1] is not None and found[0] == start + ticks
        meter.spend(SCAN_WEIGHT * ((found[1] or 0) + ticks - start if closed
                                   else len(text) - start))
        return found

    return counted


def _counted_blocks(run: Any, meter: _Meter) -> Any:
    """A block processor's ``run`` charging a block's fixed cost (every processor's test of
    it, the element made), the list it is taken from (``blocks.pop(0)`` moves them all) and
    the block's lines (a quote or a list splits and cleans each of them again, at each level
    of nesting)."""
    def counted(parent: Any, blocks: list[str]) -> Any:
        units = BLOCK_WEIGHT + len(blocks) + (LINE_WEIGHT * blocks[0].count("\n")
                                              if blocks else 0)
        meter.blocks += units
        meter.spend(units)
        return run(parent, blocks)

    return counted


class MarkdownRenderer:
    """Renders one body after another with one metered parser (made on first use)."""

    def __init__(self) -> None:
        self._md: markdown.Markdown | None = None
        self._meter = _Meter()

    @property
    def last_work(self) -> int:
        """The meter units the last ``render`` spent (0 if it refused the text unread)."""
        return self._meter.spent

    def render(self, text: str) -> tuple[str, str | None]:
        """(HTML, None), or (the text escaped in a ``<pre>``, why) when it cannot be rendered
        as Markdown in bounded time."""
        limit = work_limit(text)
        self._meter.spent = self._meter.blocks = self._meter.references = 0
        if unmetered_work(text) > limit:
            return _as_text(text), UNCLOSED_BLOCKS
        if self._md is None:
            import markdown  # deferred: only bodies that an output includes are rendered

            self._md = markdown.Markdown(extensions=list(EXTENSIONS), output_format="html")
            _metered(self._md, self._meter)
        self._md.reset()
        self._meter.limit = limit
        try:
            return str(self._md.convert(text)), None
        except _TooMuchWork:
            self._md = None  # an interrupted conversion leaves state behind: a new parser
            return _as_text(text), self._meter.reason()
        except RecursionError:
            self._md = None
            return _as_text(text), TOO_DEEP


def _as_text(text: str) -> str:
    return f"<pre>{html.escape(text)}</pre>"
