"""``LoadRules``: everything besides a file's bytes that decides the ``Article`` it becomes.

Light on purpose: a build whose inputs have not changed needs these rules (the cache is keyed
on them) and nothing else of the load stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from feedkit.load.ids import IdRule
from feedkit.model import Site
from feedkit.settings import Settings

if TYPE_CHECKING:
    from feedkit.load.permalinks import UrlRules


@dataclass(frozen=True, slots=True)
class LoadRules:
    """Everything besides a file's bytes that decides the ``Article`` it becomes: the site (its
    URL, time zone and permalink patterns), the id rule, the size limit and the generator
    whose URL and slug rules apply. The build cache keys on it."""

    site: Site
    id_scheme: str = "tag"
    id_base: str = ""
    max_file_size: int = 5_000_000
    generator: str = "feedkit"
    slugify: str = "auto"

    @classmethod
    def of(cls, settings: Settings) -> LoadRules:
        return cls(settings.site, settings.feed.id_scheme, settings.feed.id_base,
                   settings.content.max_file_size, settings.content.generator,
                   settings.content.slugify)

    @property
    def url_rules(self) -> UrlRules:
        from feedkit.load.permalinks import UrlRules  # deferred: a warm build needs no URLs

        return UrlRules(self.generator, self.slugify, self.site.permalink, self.site.permalinks,
                        self.site.timezone)

    @property
    def id_rule(self) -> IdRule:
        return IdRule(self.site.url, self.id_scheme, self.id_base)
