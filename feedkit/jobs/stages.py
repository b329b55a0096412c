"""What the jobs share: the clock, the worker pool, the cache they open, and the load and render
stages run through it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from feedkit.load.rules import LoadRules
from feedkit.pool import Pool
from feedkit.settings import Settings

if TYPE_CHECKING:
    from feedkit.cache import Cache
    from feedkit.jobs.guard import Items
    from feedkit.load.folder import LoadResult
    from feedkit.model import Article
    from feedkit.render.bodies import Rendered

# what a worker process needs loaded: imported once by a fork server, when there is one
_WORKER_MODULES = ("feedkit.load.articles", "feedkit.load.folder", "feedkit.render.bodies")


def utc_now() -> datetime:
    """The clock: read here, once per run, and only when the caller passed no ``now``."""
    return datetime.now(UTC)


def worker_pool(workers: int | None = None) -> Pool:
    """A pool of up to one worker process per core (``workers`` to say otherwise)."""
    return Pool(workers, preload=_WORKER_MODULES)


@contextmanager
def opened_cache(settings: Settings, *, enabled: bool) -> Iterator[Cache]:
    """The site's build cache, or one that caches nothing when not ``enabled``."""
    from feedkit import cache as caching  # deferred: the clock and the pool need no cache
    from feedkit.cache import Cache

    if not enabled:
        yield Cache.disabled()
        return
    key = caching.fingerprint(caching.code_fingerprint(), LoadRules.of(settings),
                              caching.zone_fingerprint(settings.site.timezone),
                              settings.content.dir)
    with Cache.open(settings.build.cache, key) as cache:
        yield cache


def load_site(settings: Settings, cache: Cache, pool: Pool) -> LoadResult:
    """Every article of the site (through the cache); ``ContentError`` with no content folder.
    Two articles wanting one URL: the one the feeds published there keeps it."""
    from feedkit import cache as caching

    return caching.load_articles(cache, settings.content.dir, rules=LoadRules.of(settings),
                                 pool=pool, published=published_urls(earlier_items(settings)))


def earlier_items(settings: Settings) -> Items:
    """What the feeds in ``[build] output`` published (read, not locked: for reports and for
    which of two articles keeps a slug; a build reviews its outcome again under the lock)."""
    from feedkit.deliver.manifest import read_manifest
    from feedkit.jobs.legacy import items_before

    output = settings.build.output
    return items_before(output, read_manifest(output)[0])


def published_urls(items: Items) -> dict[str, str]:
    """The URLs the feeds published (``items``), each to the file it came from."""
    return {url: path for feed in items.values() for _, url, path, *_ in feed if path}


def render_bodies(cache: Cache, articles: Sequence[Article], pool: Pool, *,
                  generator: str) -> Rendered:
    """The rendered bodies of ``articles`` (through the cache), read from their files, by
    the rules of the archive's ``generator`` (required: the cache holds one generator's
    bodies, and a body rendered by other rules must never be stored in it)."""
    from feedkit import cache as caching
    from feedkit.load.decoding import read_body

    return caching.render_needed(cache, articles, read=read_body, pool=pool,
                                 relative_images=keeps_relative_images(generator))


def keeps_relative_images(generator: str) -> bool:
    """Whether a body's relative image paths are URLs under the article's page: not for
    Astro, which turns them into optimized files of its own at build time."""
    return generator != "astro"
