"""``migrate``: an existing site's own config becomes feedkit settings, read as data and never
run, with a note for each thing that does not carry over. One small site per generator, written
from that generator's documented config format."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from feedkit import migrate, scaffold, settings
from feedkit.errors import ConfigError
from feedkit.migrate.readers import read_python, scan_script


def site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def read(root: Path) -> migrate.Migration:
    return migrate.read_site(root, target=root)


def has_note(result: migrate.Migration, *words: str) -> bool:
    return any(all(w in note for w in words) for note in result.notes)


# -- Jekyll ----------------------------------------------------------------------------------------


JEKYLL = """\
title: Harbour   News
description: What the harbour master says.
url: "https://news.example.org"
baseurl: "/blog"
lang: en-GB
timezone: Europe/London
author:
  name: Ann Harbour
  email: ann@example.org
permalink: pretty
collections:
  news:
    output: true
"""


def test_jekyll_config_gives_url_with_baseurl_title_author_zone_and_permalink(
        tmp_path: Path) -> None:
    root = site(tmp_path, {"_config.yml": JEKYLL, "_posts/2024-01-02-hello.md": "---\n---\n",
                           "fr/_posts/2024-01-02-salut.md": "---\n---\n"})
    result = read(root)
    assert result.generator == "jekyll"
    assert result.values == {
        "site.url": "https://news.example.org/blog/", "site.title": "Harbour News",
        "site.description": "What the harbour master says.", "site.language": "en-GB",
        "site.author": "Ann Harbour", "site.author_email": "ann@example.org",
        "site.timezone": "Europe/London", "site.permalink": "pretty",
        "content.generator": "jekyll", "content.dir": "_posts"}
    assert "Jekyll collections _news: not read; point content.dir at it in a second " \
        "feedkit.toml" in result.notes
    assert has_note(result, "fr/_posts", "not read")


def test_jekyll_front_matter_defaults_for_posts_give_the_permalink(tmp_path: Path) -> None:
    root = site(tmp_path, {"_config.yml": "url: https://x.example.org\ndefaults:\n"
                           "  - scope: {path: '', type: pages}\n    values: {permalink: /p/}\n"
                           "  - scope: {path: '', type: posts}\n"
                           "    values: {permalink: '/:year/:month/:title/', layout: post}\n"})
    assert read(root).values["site.permalink"] == "/:year/:month/:title/"


def test_jekyll_reads_config_yml_before_config_yaml_and_follows_source(tmp_path: Path) -> None:
    root = site(tmp_path, {"_config.yml": "title: A\nsource: site\n", "_config.yaml": "title: B\n",
                           "site/_posts/2024-01-01-a.md": ""})
    result = read(root)
    assert result.values["site.title"] == "A"
    assert result.values["content.dir"] == "site/_posts"
    assert has_note(result, "no url", "--url")
    assert has_note(result, "timezone", "UTC")


def test_a_permalink_with_a_template_tag_is_noted_not_written(tmp_path: Path) -> None:
    root = site(tmp_path, {"_config.yml": "permalink: '/{{ page.lang }}/:title/'\n"})
    result = read(root)
    assert "site.permalink" not in result.values
    assert has_note(result, "'/{{ page.lang }}/:title/'", "template tag", "not carried over")


# -- Hugo ------------------------------------------------------------------------------------------


def test_hugo_config_gives_url_params_permalinks_and_the_content_folder(tmp_path: Path) -> None:
    root = site(tmp_path, {"hugo.toml": """\
baseURL = "https://example.org/docs/"
languageCode = "de-DE"
title = "Hafen"
contentDir = "inhalt"
timeZone = "Europe/Berlin"
disablePathToLower = true

[params]
  Description = "Neues vom Hafen"
  author = { name = "Jan", email = "jan@example.org" }

[permalinks]
  [permalinks.page]
    posts = "/:year/:month/:slug/"
  [permalinks.section]
    posts = "/archive/"
"""})
    result = read(root)
    assert result.values == {
        "site.url": "https://example.org/docs/", "site.title": "Hafen",
        "site.language": "de-DE", "site.description": "Neues vom Hafen",
        "site.author": "Jan", "site.author_email": "jan@example.org",
        "site.timezone": "Europe/Berlin", "site.permalinks": {"posts": "/:year/:month/:slug/"},
        "content.slugify": "off", "content.generator": "hugo", "content.dir": "inhalt"}


def test_hugo_config_folder_with_a_permalinks_file_and_ugly_urls(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "config/_default/hugo.yaml": "baseURL: https://example.org/\nuglyURLs: true\n",
        "config/_default/permalinks.toml": 'posts = "/:year/:title/"\n'})
    result = read(root)
    assert result.values["site.permalinks"] == {"posts": "/:year/:title/"}
    assert result.values["site.permalink"] == "/:sections/:slugorfilename.html"
    assert result.values["content.dir"] == "content"
    assert has_note(result, "uglyURLs = true")


def test_hugo_multilingual_reads_the_default_language_and_says_so(tmp_path: Path) -> None:
    root = site(tmp_path, {"config.toml": """\
baseURL = "https://example.org/"
defaultContentLanguage = "fr"
[languages.en]
  title = "Harbour"
  contentDir = "content/en"
[languages.fr]
  title = "Port"
  languageCode = "fr-FR"
  contentDir = "content/fr"
"""})
    result = read(root)
    assert result.generator == "hugo"
    assert result.values["site.title"] == "Port"
    assert result.values["site.language"] == "fr-FR"
    assert result.values["content.dir"] == "content/fr"
    assert "Hugo multilingual [languages]: only the default language's content (fr) is read" \
        in result.notes


# -- Zola ------------------------------------------------------------------------------------------


def test_zola_config_gives_url_title_language_and_slugify(tmp_path: Path) -> None:
    root = site(tmp_path, {"config.toml": """\
base_url = "https://zola.example.org"
title = "Notes"
description = "Short notes."
default_language = "nl"

[slugify]
paths = "safe"

[extra]
author = "Piet"
""", "content/_index.md": ""})
    result = read(root)
    assert result.values == {
        "site.url": "https://zola.example.org/", "site.title": "Notes",
        "site.description": "Short notes.", "site.language": "nl", "site.author": "Piet",
        "content.slugify": "safe", "content.generator": "zola", "content.dir": "content"}
    assert has_note(result, "Zola", "read as UTC")


# -- Eleventy --------------------------------------------------------------------------------------


ELEVENTY_CONFIG = """\
import { feedPlugin } from "@11ty/eleventy-plugin-rss";

/** @param {import("@11ty/eleventy").UserConfig} eleventyConfig */
export default async function(eleventyConfig) {
	eleventyConfig.addPlugin(feedPlugin, { type: "atom", outputPath: "/feed/feed.xml" });
};

export const config = {
	templateFormats: ["md", "njk", "html", "liquid", "11ty.js"],
	markdownTemplateEngine: "njk",
	dir: {
		input: "content",          // default: "."
		includes: "../_includes",  // default: "_includes" (`input` relative)
		data: "../_data",          // default: "_data" (`input` relative)
		output: "_site"
	},
};
"""
ELEVENTY_METADATA = """\
export default {
	title: "Eleventy Base Blog v9",
	url: "https://example.com/",
	language: "en",
	description: "I am writing about my experiences as a naval navel-gazer.",
	author: {
		name: "Your Name Here",
		email: "youremailaddress@example.com",
		url: "https://example.com/about-me/"
	}
}
"""


def test_eleventy_base_blog_gives_the_blog_folder_and_the_metadata(tmp_path: Path) -> None:
    root = site(tmp_path, {"eleventy.config.js": ELEVENTY_CONFIG,
                           "_data/metadata.js": ELEVENTY_METADATA,
                           "content/blog/firstpost.md": "---\ntitle: First\n---\n"})
    result = read(root)
    assert result.values == {
        "site.url": "https://example.com/", "site.title": "Eleventy Base Blog v9",
        "site.description": "I am writing about my experiences as a naval navel-gazer.",
        "site.language": "en", "site.author": "Your Name Here",
        "site.author_email": "youremailaddress@example.com", "site.permalink": "/blog/:path/",
        "content.generator": "eleventy", "content.dir": "content/blog"}


def test_eleventy_directory_data_permalink_is_copied_when_feedkit_can_fill_it(
        tmp_path: Path) -> None:
    root = site(tmp_path, {".eleventy.js": "module.exports = function(c) { return {}; };",
                           "_data/metadata.json": '{"url": "https://e.example.org"}',
                           "posts/posts.json": '{"permalink": "/p/{{ page.fileSlug }}/"}'})
    result = read(root)
    assert result.values["site.permalink"] == "/p/{{ page.fileSlug }}/"
    assert result.values["content.dir"] == "posts"
    site(tmp_path, {"posts/posts.json": '{"permalink": "/{{ page.date | date }}/x/"}'})
    result = read(root)
    assert result.values["site.permalink"] == "/posts/:path/"
    assert has_note(result, "posts/posts.json permalink", "template tag")


# -- Astro -----------------------------------------------------------------------------------------


def test_astro_blog_starter_gives_site_base_route_and_consts(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "astro.config.mjs": """\
// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';

// https://astro.build/config
export default defineConfig({
	site: 'https://example.com',
	base: '/news',
	trailingSlash: "never",
	integrations: [mdx(), sitemap()],
});
""",
        "src/consts.ts": "export const SITE_TITLE = 'Astro Blog';\n"
                         "export const SITE_DESCRIPTION = 'Welcome to my website!';\n",
        "src/content/blog/first-post.md": "---\ntitle: First\n---\n",
        "src/content/blog/second-post.mdx": "---\ntitle: Second\n---\n",
        "src/content/notes/a.md": "",
        "src/pages/blog/[...slug].astro": "---\nimport { getCollection } from 'astro:content';\n"
                                          "const posts = await getCollection('blog');\n---\n"})
    result = read(root)
    assert result.values == {
        "site.url": "https://example.com/news/", "site.title": "Astro Blog",
        "site.description": "Welcome to my website!", "site.permalink": "/blog/:slug",
        "content.generator": "astro", "content.dir": "src/content/blog"}
    assert has_note(result, "src/content/notes", "not read")
    assert has_note(result, "1 .mdx file not read")


def test_astro_site_from_the_environment_is_noted(tmp_path: Path) -> None:
    root = site(tmp_path, {"astro.config.ts": "export default defineConfig({ site: "
                                              "process.env.SITE })",
                           "src/content/posts/a.md": ""})
    result = read(root)
    assert "site.url" not in result.values
    assert result.values["content.dir"] == "src/content/posts"
    assert has_note(result, "site is not a plain string")


# -- Pelican ---------------------------------------------------------------------------------------


PELICANCONF = """\
AUTHOR = 'Alexis'
SITENAME = "Alexis' log"
SITEURL = ''
PATH = 'content'
TIMEZONE = 'Europe/Paris'
DEFAULT_LANG = 'fr'
ARTICLE_URL = 'posts/{date:%Y}/{date:%b}/{slug}/'
ARTICLE_SAVE_AS = 'posts/{date:%Y}/{date:%b}/{slug}/index.html'
"""
PUBLISHCONF = """\
import os
import sys
sys.path.append(os.curdir)
from pelicanconf import *

SITEURL = 'https://blog.example.org'
RELATIVE_URLS = False
"""


def test_pelican_reads_both_files_and_prefers_publishconfs_siteurl(tmp_path: Path) -> None:
    root = site(tmp_path, {"pelicanconf.py": PELICANCONF, "publishconf.py": PUBLISHCONF,
                           "content/a.md": "", "content/pages/about.md": "",
                           "content/old.rst": ""})
    result = read(root)
    assert result.values == {
        "site.url": "https://blog.example.org/", "site.title": "Alexis' log",
        "site.author": "Alexis", "site.timezone": "Europe/Paris", "site.language": "fr",
        "site.permalink": "posts/{date:%Y}/{date:%b}/{slug}/",
        "content.generator": "pelican", "content.dir": "content"}
    assert has_note(result, "ARTICLE_SAVE_AS", "not needed")
    assert has_note(result, "Python-Markdown", "codehilite")
    assert has_note(result, "pages/", "read as articles")
    assert has_note(result, "1 .rst file not read")


def test_pelicanconf_that_would_run_code_is_read_without_running_it(tmp_path: Path) -> None:
    root = site(tmp_path, {"pelicanconf.py": """\
import os
os.system("touch PWNED")
open("PWNED2", "w").write("x")
SITENAME = 'Safe'
SITEURL = os.environ.get("SITEURL", "https://evil.example")
if True:
    TIMEZONE = 'UTC'
"""})
    result = read(root)
    assert not (root / "PWNED").exists() and not (root / "PWNED2").exists()
    assert not (Path.cwd() / "PWNED").exists()
    assert result.values["site.title"] == "Safe"
    assert "site.url" not in result.values and "site.timezone" not in result.values
    assert has_note(result, "pelicanconf.py SITEURL", "set by code")


def test_read_python_takes_only_module_level_literals(tmp_path: Path) -> None:
    path = site(tmp_path, {"c.py": "A = 1\nB: str = 'b'\nC = f'{A}'\nD = [1, 'x']\nA = len('')\n"
                                   "def f():\n    E = 2\n"}) / "c.py"
    found = read_python(path)
    assert found.values == {"B": "b", "D": [1, "x"]}
    assert found.computed == {"A", "C"}


# -- what is refused -------------------------------------------------------------------------------


def test_unsafe_values_are_left_out_with_a_note(tmp_path: Path) -> None:
    root = site(tmp_path, {"_config.yml": "url: 'javascript:alert(1)'\ntimezone: Mars/Olympus\n"
                                          "lang: 'en; drop'\n"})
    result = read(root)
    assert {"site.url", "site.timezone", "site.language"}.isdisjoint(result.values)
    assert has_note(result, "Jekyll _config.yml url", "not an absolute http(s) URL",
                    "left out")
    assert has_note(result, "Jekyll _config.yml timezone", "not an IANA time zone")


def test_a_folder_with_no_site_config_is_one_error_naming_what_was_looked_for(
        tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        read(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path}: no site config found (looked for ")
    for name in ("_config.yml", "hugo.toml", "config.toml", "eleventy.config.js",
                 "astro.config.mjs", "pelicanconf.py"):
        assert name in message


@pytest.mark.parametrize(("name", "text", "words"), [
    ("_config.yml", "title: [unclosed\n", ("_config.yml", "line", "fix the YAML")),
    ("hugo.toml", "title = \n", ("hugo.toml", "fix the TOML")),
    ("config.json", "{title", ("config.json", "fix the JSON")),
    ("pelicanconf.py", "SITENAME = (\n", ("pelicanconf.py", "not valid Python", "line 1")),
    ("_config.yml", "- a list\n", ("_config.yml", "not a mapping")),
])
def test_a_config_that_cannot_be_parsed_is_one_line_naming_the_file_and_the_fix(
        tmp_path: Path, name: str, text: str, words: tuple[str, ...]) -> None:
    site(tmp_path, {name: text})
    with pytest.raises(ConfigError) as caught:
        read(tmp_path)
    assert "\n" not in str(caught.value)
    assert all(w in str(caught.value) for w in words), str(caught.value)


def test_scan_script_skips_comments_and_marks_computed_values() -> None:
    found = scan_script('// site: "https://comment.example"\n/* base: "/x" */\n'
                        'export default { site: `https://${HOST}`, dir: { input: "src" }, '
                        'base: "/a" + b }')
    assert found.get("site") is None and found.has("site")
    assert found.get("dir", "input") == "src"
    assert found.get("base") is None


def test_content_dir_is_relative_to_where_feedkit_toml_goes(tmp_path: Path) -> None:
    root = site(tmp_path / "old", {"_config.yml": "url: https://x.example.org\n"})
    result = migrate.read_site(root, target=tmp_path / "new")
    assert result.values["content.dir"] == "../old/_posts"


@pytest.mark.parametrize("files", [
    {"_config.yml": JEKYLL},
    {"pelicanconf.py": PELICANCONF, "publishconf.py": PUBLISHCONF},
    {"eleventy.config.js": ELEVENTY_CONFIG, "_data/metadata.js": ELEVENTY_METADATA},
], ids=["jekyll", "pelican", "eleventy"])
def test_the_settings_written_load_as_feedkit_reads_them(tmp_path: Path,
                                                         files: dict[str, str]) -> None:
    result = read(site(tmp_path, files))
    toml = scaffold.render_config(url=result.url or "https://x.org", title="T",
                                  values=result.values)
    (tmp_path / "feedkit.toml").write_text(toml, encoding="utf-8")
    loaded = settings.load(tmp_path / "feedkit.toml", env={})
    assert loaded.warnings == ()
    assert loaded.content.generator == result.generator
    table = tomllib.loads(toml)
    assert table["content"]["generator"] == result.generator
