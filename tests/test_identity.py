"""identity.py: which article now is the one sent (or published) earlier, as a table of cases."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from factories import SITE_URL, make_article

from feedkit.identity import Known, known_of, match
from feedkit.model import Article

DAY = datetime(2025, 2, 10, 9, 0, tzinfo=UTC)


def _article(path: str, *, slug: str | None = None, title: str = "Launch",
             published: datetime = DAY, content_hash: str = "h-launch", **kw: object) -> Article:
    slug = slug or Path(path).stem
    return make_article(path=Path(path), slug=slug, title=title, published=published,
                        content_hash=content_hash, **kw)


SENT = _article("launch.md")  # the article as the first digest sent it
OTHER = _article("other.md", title="Other story", content_hash="h-other",
                 published=datetime(2025, 2, 12, tzinfo=UTC))
FRESH = _article("fresh.md", title="Fresh", content_hash="h-fresh",
                 published=datetime(2025, 2, 20, tzinfo=UTC))
LATER = datetime(2025, 2, 11, 9, 0, tzinfo=UTC)

# (what the folder holds now, the article expected to be the sent one, or None)
CASES: dict[str, tuple[list[Article], str | None]] = {
    "unchanged": ([SENT, OTHER], "launch.md"),
    "renamed (new slug, URL and id; same text)": (
        [_article("launch-day.md"), OTHER], "launch-day.md"),
    "moved into a folder (same slug, so the same id)": (
        [_article("2025/launch.md"), OTHER], "2025/launch.md"),
    "date fixed (new id, same path)": ([_article("launch.md", published=LATER), OTHER],
                                       "launch.md"),
    "renamed and redated, body unchanged": (
        [_article("news/launch-day.md", published=LATER), OTHER], "news/launch-day.md"),
    "retitled in place (new text, same path and id)": (
        [_article("launch.md", title="Launch, revised", content_hash="h-revised"), OTHER],
        "launch.md"),
    "renamed with a permalink that keeps its URL, and edited": (
        [_article("launch-day.md", url=SENT.url, content_hash="h-edited"), OTHER],
        "launch-day.md"),
    "renamed and edited: same title on the same day": (
        [_article("launch-day.md", content_hash="h-edited"), OTHER], "launch-day.md"),
    "renamed, edited and redated: a title alone is no evidence": (
        [_article("launch-day.md", content_hash="h-edited", published=LATER), OTHER], None),
    "renamed and retitled and edited: nothing left to know it by": (
        [_article("launch-day.md", title="Lift-off", content_hash="h-edited"), OTHER], None),
    "two files with its text: ambiguous, neither is it": (
        [_article("copy-a.md"), _article("copy-b.md"), OTHER], None),
    "deleted, and a new unrelated article": ([FRESH, OTHER], None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_which_article_is_the_one_sent(case: str) -> None:
    articles, expected = CASES[case]
    record = known_of(SENT)
    pairs = match([record, known_of(OTHER)], articles)
    found = [key for key, known in pairs.items() if known == record]
    assert found == ([expected] if expected else [])
    if "other.md" in {a.key for a in articles}:
        assert pairs["other.md"] == known_of(OTHER)  # the untouched one pairs with itself


def test_an_older_article_that_takes_the_slug_does_not_take_the_identity() -> None:
    # launch.md was sent; a new, older file with the same slug keeps "launch" (the first
    # published does), so the sent one becomes launch-<hash>: new URL and id, same path
    record = known_of(SENT)
    pushed = _article("launch.md", slug="launch-1a2b3c")
    older = _article("archive/launch.md", slug="launch", url=SENT.url, content_hash="h-old",
                     title="Launch", published=datetime(2025, 2, 1, tzinfo=UTC))
    assert older.url == record.url and older.id != record.id
    assert match([record], [older, pushed]) == {"launch.md": record}
    # even when the pushed one cannot be paired by path (two records claim it), the record
    # whose file is still there never passes to the other file
    twin = Known(id="tag:elsewhere,2024-01-01:x", path="launch.md")
    assert match([record, twin], [older, pushed]) == {}


def test_two_records_of_one_text_pair_with_nothing() -> None:
    first, second = Known("id-1", content_hash="h"), Known("id-2", content_hash="h")
    assert match([first, second], [_article("new.md", content_hash="h")]) == {}


def test_a_title_is_no_evidence_without_its_day() -> None:
    # a new article that reuses a deleted one's title is a new article
    gone = Known("id-a", path="gone-a.md", title="Notes", day="2025-01-01")
    fresh = _article("notes-c.md", title="Notes", content_hash="h-new")
    assert match([gone], [fresh]) == {}


def test_each_record_and_each_article_pairs_once() -> None:
    # two articles with one id: step (a) is ambiguous; their paths settle it
    a = _article("a.md", id="tag:x,2025:same")
    b = _article("b.md", id="tag:x,2025:same")
    ka, kb = known_of(a), known_of(b)
    assert match([ka, kb], [a, b]) == {"a.md": ka, "b.md": kb}
    # a record paired at one step is gone for the next
    only = Known("tag:x,2025:same", path="a.md", content_hash=b.content_hash)
    assert match([only], [a, b]) == {"a.md": only}


def test_empty_values_never_pair() -> None:
    record = Known("id-old")  # a schema-1 ledger row: its id and nothing else
    article = _article("x.md", title="X", content_hash="")
    assert match([record], [article]) == {}
    assert match([], [article]) == {} and match([record], []) == {}


def test_known_of_an_article() -> None:
    assert known_of(SENT) == Known(id=SENT.id, url=f"{SITE_URL}launch/", path="launch.md",
                                   content_hash="h-launch", title="Launch", day="2025-02-10")
