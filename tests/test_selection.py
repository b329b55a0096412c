"""selection.py: which articles go out at a pinned ``now``, and in what order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from factories import NOW, make_article
from hypothesis import given, settings
from hypothesis import strategies as st

from feedkit.model import Status
from feedkit.selection import count_statuses, ordered, publishable


def day(d: int, hour: int = 0) -> datetime:
    return datetime(2025, 1, d, hour, tzinfo=UTC)


def test_articles_are_ordered_newest_first() -> None:
    articles = [make_article(slug=s, published=day(d)) for s, d in [("a", 1), ("c", 3), ("b", 2)]]
    assert [a.slug for a in ordered(articles)] == ["c", "b", "a"]


def test_ties_on_the_same_instant_are_broken_by_slug() -> None:
    articles = [make_article(slug=s, published=day(5)) for s in ["zebra", "apple", "mango"]]
    assert [a.slug for a in ordered(articles)] == ["apple", "mango", "zebra"]


def test_ties_follow_the_archive_generator_and_newer_still_comes_first() -> None:
    # release notes published at one instant, as Hugo's and Zola's sites often have
    articles = [make_article(slug=s, title=t, published=day(5))
                for s, t in [("1.0.4", "Zulu 1.0.4"), ("1.1.2", "Alpha 1.1.2"),
                             ("1.0.10", "Mike 1.0.10")]]
    articles.append(make_article(slug="0.9", title="Older", published=day(4)))

    def order(generator: str) -> list[str]:
        return [a.slug for a in ordered(articles, generator)]

    assert order("jekyll") == ["1.1.2", "1.0.4", "1.0.10", "0.9"]  # higher path first
    assert order("zola") == ["1.0.10", "1.0.4", "1.1.2", "0.9"]  # lower URL first
    assert order("hugo") == ["1.1.2", "1.0.10", "1.0.4", "0.9"]  # lower title first
    assert order("feedkit") == ["1.0.10", "1.0.4", "1.1.2", "0.9"]  # lower slug first
    assert order("astro") == order("feedkit")


def test_same_instant_written_in_different_zones_is_a_tie() -> None:
    plus_two = timezone(timedelta(hours=2))
    a = make_article(slug="b", published=datetime(2025, 1, 5, 12, tzinfo=UTC))
    b = make_article(slug="a", published=datetime(2025, 1, 5, 14, tzinfo=plus_two))
    later_wall_clock = make_article(slug="c", published=datetime(2025, 1, 5, 13, tzinfo=plus_two))
    assert [x.slug for x in ordered([a, later_wall_clock, b])] == ["a", "b", "c"]


def test_same_slug_and_instant_are_ordered_by_path() -> None:
    a = make_article(slug="x", path=Path("b/x.md"))
    b = make_article(slug="x", path=Path("a/x.md"))
    assert [x.path.as_posix() for x in ordered([a, b])] == ["a/x.md", "b/x.md"]


@settings(max_examples=60, deadline=None, database=None)
@given(st.permutations(range(6)))
def test_order_is_the_same_whatever_the_input_order(perm: list[int]) -> None:
    articles = [make_article(slug=f"s{i}", published=day(1 + i // 2)) for i in range(6)]
    shuffled = [articles[i] for i in perm]
    assert [a.slug for a in ordered(shuffled)] == ["s4", "s5", "s2", "s3", "s0", "s1"]


def test_publishable_leaves_out_drafts_archived_and_future_articles() -> None:
    articles = [
        make_article(slug="out", published=NOW - timedelta(days=1)),
        make_article(slug="exactly-now", published=NOW),
        make_article(slug="draft", draft=True),
        make_article(slug="archived", archived=True),
        make_article(slug="future", published=NOW + timedelta(minutes=1)),
    ]
    assert [a.slug for a in publishable(articles, NOW)] == ["exactly-now", "out"]
    # the same articles, a day later: the future one is out too
    assert [a.slug for a in publishable(articles, NOW + timedelta(days=1))] == [
        "future", "exactly-now", "out"]


def test_count_statuses_names_every_status() -> None:
    counts = count_statuses([make_article(draft=True), make_article()], NOW)
    assert counts == {Status.PUBLISHED: 1, Status.DRAFT: 1, Status.FUTURE: 0,
                      Status.ARCHIVED: 0}
    assert list(count_statuses([], NOW)) == list(Status)
