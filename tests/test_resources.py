"""Hero images and body images resolve where the archive's generator publishes them; a path
that cannot be mapped to a URL is a warning and is left out, never published as a 404."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedkit import jobs
from feedkit import settings as cfg
from feedkit.load import LoadRules, load_articles
from feedkit.pool import Pool
from feedkit.settings import Settings

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def site(tmp_path: Path, files: dict[str, str], *, generator: str, url: str,
         permalink: str = "") -> Settings:
    content = tmp_path / "content"
    for rel, text in files.items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    overrides: dict[str, object] = {"site.url": url, "content.dir": str(content),
                                    "content.generator": generator,
                                    "build.output": str(tmp_path / "public"),
                                    "build.cache": str(tmp_path / "cache.db")}
    if permalink:
        overrides["site.permalink"] = permalink
    return cfg.load(None, env={}, overrides=overrides, cwd=tmp_path)


def article(title: str, image_key: str = "", image: str = "", body: str = "Body.") -> str:
    line = f"{image_key}: {image}\n" if image_key else ""
    return f"---\ntitle: {title}\ndate: 2024-03-05\n{line}---\n{body}\n"


def loaded(settings: Settings) -> dict[str, tuple[str | None, list[str]]]:
    """path -> (hero image URL, the problems' messages for it)."""
    result = load_articles(settings.content.dir, rules=LoadRules.of(settings))
    return {a.key: (a.hero_image.url if a.hero_image else None,
                    [p.message for p in result.problems if p.path == a.path])
            for a in result.articles}


@pytest.mark.parametrize(("generator", "url", "rel", "key", "image", "expected"), [
    # Hugo: `images` are relative to the site root; a bundle's own file to its page
    ("hugo", "https://example.org/", "posts/a.md", "images", "[img/a.png]",
     "https://example.org/img/a.png"),
    ("hugo", "https://example.org/", "posts/b/index.md", "cover", "cover.jpg",
     "https://example.org/posts/b/cover.jpg"),
    ("hugo", "https://example.org/", "posts/c.md", "cover", "img/c.jpg",
     "https://example.org/img/c.jpg"),
    # Zola: colocated assets sit beside the page, which always ends in /
    ("zola", "https://example.org/", "blog/Rust-1.98.0/index.md", "image", "shot.png",
     "https://example.org/blog/rust-1-98-0/shot.png"),
    # Jekyll: themes pass front-matter images through absolute_url (baseurl included)
    ("jekyll", "https://example.org/blog/", "2024-03-05-hello.md", "image",
     "assets/hero.png", "https://example.org/blog/assets/hero.png"),
    # Pelican's {static} is a file of the content folder, copied to the site root
    ("pelican", "https://example.org/", "a.md", "image", "'{static}/images/a.png'",
     "https://example.org/images/a.png"),
    # a /-rooted path and an absolute URL are kept as they are
    ("astro", "https://example.org/", "a.md", "heroImage", "/placeholder.jpg",
     "https://example.org/placeholder.jpg"),
    ("feedkit", "https://example.org/", "a.md", "image", "https://cdn.example.net/a.jpg",
     "https://cdn.example.net/a.jpg"),
    # feedkit: relative to the article's page, as before
    ("feedkit", "https://example.org/", "a.md", "image", "a.jpg",
     "https://example.org/a/a.jpg"),
])
def test_a_hero_image_resolves_as_its_generator_publishes_it(
        tmp_path: Path, generator: str, url: str, rel: str, key: str, image: str,
        expected: str) -> None:
    settings = site(tmp_path, {rel: article("T", key, image)}, generator=generator, url=url)
    got, problems = loaded(settings)[rel]
    assert got == expected and problems == []


@pytest.mark.parametrize(("generator", "rel", "image"), [
    ("astro", "blog/first-post.md", "'../../assets/blog-placeholder-1.jpg'"),  # leaves content/
    ("astro", "blog/second.md", "./second.jpg"),  # optimized by Astro: no URL known
    ("feedkit", "a.md", "../../elsewhere/a.jpg"),  # climbs out of the content folder
    ("hugo", "posts/x/index.md", "../../../assets/x.png"),
])
def test_an_image_path_that_cannot_be_a_url_is_left_out_with_a_warning(
        tmp_path: Path, generator: str, rel: str, image: str) -> None:
    settings = site(tmp_path, {rel: article("T", "heroImage", image)}, generator=generator,
                    url="https://example.org/")
    got, problems = loaded(settings)[rel]
    assert got is None
    assert len(problems) == 1 and problems[0].endswith("; left out")


def test_an_astro_body_image_is_left_out_of_every_output_and_reported(tmp_path: Path) -> None:
    body = "Intro.\n\n![diagram](../../assets/diagram.png)\n\n![ok](/public-image.png)\n"
    settings = site(tmp_path, {"blog/post.md": article("Post", body=body)}, generator="astro",
                    url="https://example.org/", permalink="/blog/:slug/")
    report = jobs.build(settings, now=NOW, pool=Pool(workers=1))
    feed = (tmp_path / "public/feed.xml").read_text()
    assert "diagram" not in feed and "assets" not in feed
    assert "https://example.org/public-image.png" in feed
    assert any("'../../assets/diagram.png'" in p.message for p in report.problems)
    checked = jobs.check(settings, now=NOW, pool=Pool(workers=1))
    assert any(p.field == "body" and "'../../assets/diagram.png'" in p.message
               for p in checked.problems)


def test_every_relative_candidate_of_an_astro_srcset_is_left_out(tmp_path: Path) -> None:
    body = ('<img src="/a.jpg" srcset="/a.jpg 1x, ../../assets/b.jpg 2x" alt="a">\n\n'
            '<picture><source srcset="c.webp"><img src="/d.png" alt="d"></picture>\n')
    settings = site(tmp_path, {"blog/post.md": article("Post", body=body)}, generator="astro",
                    url="https://example.org/", permalink="/blog/:slug/")
    report = jobs.build(settings, now=NOW, pool=Pool(workers=1))
    feed = (tmp_path / "public/feed.xml").read_text()
    assert "b.jpg" not in feed and "c.webp" not in feed
    assert "https://example.org/a.jpg 1x" in feed and "https://example.org/d.png" in feed
    (left_out,) = [p for p in report.problems if p.field == "body"]
    assert "'../../assets/b.jpg', 'c.webp'" in left_out.message


def test_other_generators_keep_relative_body_images_under_the_page(tmp_path: Path) -> None:
    body = "![shot](shot.png)\n"
    settings = site(tmp_path, {"news/0.89.4-relnotes/index.md": article("Notes", body=body)},
                    generator="hugo", url="https://example.org/")
    jobs.build(settings, now=NOW, pool=Pool(workers=1))
    feed = (tmp_path / "public/feed.xml").read_text()
    assert "https://example.org/news/0.89.4-relnotes/shot.png" in feed


def test_a_digest_renders_astro_bodies_by_the_same_rules_as_the_build(tmp_path: Path) -> None:
    # the digest renders summaries through the build cache: a body it stores there must be
    # the one the build would make, relative images left out
    from feedkit.jobs.digest_job import DigestRequest

    body = "![diagram](../../assets/diagram.png) Words.\n"
    settings = site(tmp_path, {"blog/post.md": article("Post", body=body)}, generator="astro",
                    url="https://example.org/", permalink="/blog/:slug/")
    jobs.digest(settings, DigestRequest(since="2024-01-01", output=tmp_path / "digest",
                                        state=tmp_path / "state.db", mark_sent=True),
                now=NOW, pool=Pool(workers=1))
    jobs.build(settings, now=NOW, pool=Pool(workers=1))
    assert "diagram" not in (tmp_path / "public/feed.xml").read_text()
