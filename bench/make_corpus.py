"""Write a deterministic synthetic site of N articles for the benchmarks.

    python bench/make_corpus.py 10000 /tmp/corpus-10k [--descriptions 0.15]

Articles are 3-15 KB of Markdown (headings, lists, links including relative ones, images,
code, some raw HTML) with front matter mixing both seed schemas and Jekyll/Hugo keys, dated over
five years; about 2% are drafts and 1% are dated in the future. ``--descriptions`` is the share
of articles whose front matter has a description (1.0 by default): real archives mostly have
none (in three real blogs 339 of 387, 269 of 363 and 100 of 102 posts had none), and an
article without one is summarized from its body. Same N and share → same bytes.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORDS = ("harbour", "tide", "boat", "quay", "net", "crew", "storm", "lighthouse", "ferry",
         "market", "season", "weather", "engine", "rope", "sail", "mooring", "chart", "signal",
         "pier", "dredging", "board", "fishing", "coast", "island", "winter", "summer",
         "report", "council", "repair", "volunteer", "regatta", "history", "people", "money")
START = datetime(2020, 1, 1, tzinfo=UTC)
SPAN_DAYS = 5 * 365


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


_POOL: list[str] = []


def paragraph(rng: random.Random) -> str:
    # drawn from a fixed pool of 500 paragraphs: realistic text at a fraction of the cost
    if not _POOL:
        pool_rng = random.Random(7)
        _POOL.extend(" ".join(sentence(pool_rng, pool_rng.randint(8, 18))
                              for _ in range(pool_rng.randint(3, 6))) for _ in range(500))
    return _POOL[rng.randrange(len(_POOL))]


def body(rng: random.Random, index: int, target: int) -> str:
    parts: list[str] = []
    size = 0
    while size < target:
        kind = rng.random()
        if kind < 0.5:
            block = paragraph(rng)
        elif kind < 0.6:
            block = f"## {sentence(rng, 4)[:-1]}"
        elif kind < 0.7:
            block = "\n".join(f"- {sentence(rng, 6)}" for _ in range(rng.randint(2, 5)))
        elif kind < 0.78:
            block = (f"See [the earlier piece](../article-{max(index - 1, 0):06d}/) and "
                     f"[the board's notes](https://example.org/notes/{index}).")
        elif kind < 0.85:
            block = f"![{sentence(rng, 3)[:-1]}](images/figure-{index % 50}.jpg)"
        elif kind < 0.92:
            block = "```python\n" + "\n".join(f"tide_{i} = {rng.randint(0, 99)}"
                                              for i in range(rng.randint(3, 8))) + "\n```"
        else:
            block = (f'<figure><img src="/media/{index}.png" alt="figure {index}">'
                     f"<figcaption>{sentence(rng, 5)}</figcaption></figure>")
        parts.append(block)
        size += len(block) + 2
    return "\n\n".join(parts) + "\n"


def article(rng: random.Random, index: int, now: datetime,
            descriptions: float = 1.0) -> tuple[str, str]:
    published = START + timedelta(days=rng.uniform(0, SPAN_DAYS))
    roll = rng.random()
    draft = roll < 0.02
    if 0.02 <= roll < 0.03:
        published = now + timedelta(days=rng.randint(1, 400))
    title = sentence(rng, rng.randint(4, 9))[:-1]
    description = sentence(rng, rng.randint(12, 24))
    tags = sorted({rng.choice(WORDS) for _ in range(rng.randint(1, 3))})
    # its own generator: the same articles, with or without descriptions, whatever the share
    described = random.Random(index).random() < descriptions
    schema = index % 3
    if schema == 0:  # the publish_date / heroImage / cta schema
        fm = (f"title: '{title}'\nsubtitle: '{sentence(rng, 6)[:-1]}'\n"
              + (f"description: '{description}'\n" if described else "")
              + "author: 'Mara Quill'\nread_time: '6 mins'\n"
              f"publish_date: '{published.date().isoformat()}'\n"
              f"heroImage: 'https://images.example.org/hero/{index}.jpg'\n"
              f"cta: '{sentence(rng, 10)}'\ntags: [{', '.join(tags)}]\n"
              + ("draft: true\n" if draft else ""))
    elif schema == 1:  # the publishedOn / mainImage schema
        fm = (f'title: "{title}"\n' + (f'description: "{description}"\n' if described else "")
              + f"publishedOn: {published.date().isoformat()}\n"
              f"updatedOn: {(published + timedelta(days=3)).date().isoformat()}\n"
              f'mainImage: "https://images.example.org/main/{index}.png"\n'
              f'altTextMainImage: "Figure for {title}"\nthumbnail: ""\n'
              f"draft: {'true' if draft else 'false'}\narchived: false\n"
              f"categories: [{', '.join(tags)}]\n")
    else:  # Jekyll / Hugo keys
        fm = (f'title: "{title}"\n' + (f'summary: "{description}"\n' if described else "")
              + f"date: {published.isoformat(timespec='seconds')}\n"
              f"lastmod: {(published + timedelta(hours=5)).isoformat(timespec='seconds')}\n"
              f"image: /images/{index}.jpg\nauthor:\n  name: Tomás Reis\n"
              f"tags: [{', '.join(tags)}]\n" + ("draft: true\n" if draft else ""))
    target = rng.randint(3_000, 15_000)
    return f"article-{index:06d}.md", f"---\n{fm}---\n\n{body(rng, index, target)}"


def make_corpus(count: int, dest: Path, *, now: datetime | None = None,
                descriptions: float = 1.0) -> None:
    """Write ``count`` articles under ``dest/content`` and a ``dest/feedkit.toml``; a share
    ``descriptions`` of them has a description."""
    now = now or datetime(2026, 1, 1, tzinfo=UTC)  # fixed: "future" is relative to this
    rng = random.Random(20_260_101 + count)
    content = dest / "content"
    for shard in range(0, count, 1000):
        (content / f"{shard // 1000:03d}").mkdir(parents=True, exist_ok=True)
    for index in range(count):
        name, text = article(rng, index, now, descriptions)
        (content / f"{index // 1000:03d}" / name).write_text(text, encoding="utf-8")
    (dest / "feedkit.toml").write_text(
        '[site]\nurl = "https://bench.example.org"\ntitle = "Bench Harbour"\n'
        'author = "Mara Quill"\ntimezone = "Europe/Lisbon"\n', encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--descriptions", type=float, default=1.0,
                        help="share of articles with a description (default 1.0)")
    args = parser.parse_args(argv)
    if args.dest.exists() and any(args.dest.iterdir()):
        print(f"{args.dest} is not empty", file=sys.stderr)
        return 1
    make_corpus(args.count, args.dest, descriptions=args.descriptions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
