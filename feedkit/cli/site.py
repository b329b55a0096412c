"""``feedkit init``, ``new`` and ``serve``: start a site, start an article, preview both."""

from __future__ import annotations

import shlex
from pathlib import Path
from urllib.parse import urlsplit

import click

from feedkit import jobs
from feedkit.cli.group import cli, load_config, site_options
from feedkit.terminal import (
    display_path,
    is_quiet,
    say,
    show_notes,
    signals_ignored,
    stdin_is_terminal,
    working,
)

# scaffold.SCHEMAS, spelled out so that `feedkit --help` need not import the scaffolding
SCHEMAS = ("publish_date", "publishedOn")


def _check_url(ctx: click.Context | None, param: click.Parameter | None,
               value: str | None) -> str | None:
    from feedkit import scaffold
    from feedkit.errors import ConfigError

    if value is None:
        return None
    try:
        return scaffold.check_url(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from exc


@cli.command(short_help="Start a site: a commented feedkit.toml, a first article, .gitignore.")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--url", callback=_check_url, metavar="URL",
              help="Where the site is served, e.g. https://news.example.org [default: asked "
              "on a terminal, else https://example.org].")
@click.option("--title", help="Name of the publication [default: the URL's host].")
@click.option("--schema", type=click.Choice(SCHEMAS), default=SCHEMAS[0], show_default=True,
              help="Front-matter keys of the first article: publish_date, heroImage, cta; or "
              "publishedOn, mainImage, altTextMainImage, draft, archived.")
@click.option("--from", "source", metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="An existing Jekyll, Hugo, Zola, Eleventy, Astro or Pelican site: read its "
              "URL, title, content folder and permalinks from its config (never running it); "
              "no welcome article is written.")
@click.option("--force", is_flag=True, help="Replace feedkit.toml and content/welcome.md if "
              "they exist.")
def init(directory: Path, url: str | None, title: str | None, schema: str,
         source: Path | None, force: bool) -> None:
    """Start a site in DIRECTORY (default: the current folder).

    Writes feedkit.toml (every setting, with its default and one line of help), content/ with
    a welcome article, and a .gitignore for public/ and .feedkit/. Existing files are never
    replaced (exit 1, naming them) unless --force is given. With --from, the settings come
    from the existing site's config, and what could not be carried over is noted.

    \b
        feedkit init harbour-news --url https://news.example.org --title "Harbour News"
        feedkit init --from .
    """
    from feedkit import scaffold

    migration = None
    if source is not None:
        from feedkit import migrate

        migration = migrate.read_site(source, target=directory)
        url = url or migration.url
        title = title or migration.title
    placeholder = False
    if url is None and stdin_is_terminal():
        url = click.prompt("Site URL (where the feeds will be served, e.g. "
                           "https://news.example.org)", value_proc=lambda v: _check_url(None,
                                                                                      None, v))
    elif url is None:
        url, placeholder = scaffold.PLACEHOLDER_URL, True
    assert url is not None
    title = scaffold.one_line(title or "") or urlsplit(url).hostname or url
    values = migration.values if migration else {}
    changes = scaffold.init_site(directory, url=url, title=title, schema=schema,
                                 now=jobs.utc_now(), force=force, values=values,
                                 welcome=migration is None)
    for rel, change in changes.items():
        say(f"  {change.value:9}  {display_path(directory / rel)}")
    if migration is not None:
        show_notes(list(migration.notes))
    if placeholder:
        show_notes([f"no --url given and no terminal to ask, so [site] url is {url}; set "
                    f"your own in {display_path(directory / 'feedkit.toml')} before you publish"])
    steps = [] if directory.resolve() == Path.cwd().resolve() else \
        [f"cd {shlex.quote(display_path(directory))}"]
    content = f"{values.get('content.dir', 'content')}/"
    steps += [f"feedkit check               # what feedkit makes of every article in {content}",
              "feedkit build               # write the feeds into public/",
              "feedkit digest --since 7d   # an email of the last week's articles"]
    say("next:\n" + "".join(f"  {step}\n" for step in steps)
        + ('then write your own articles with: feedkit new "Your title"' if migration is None
           else "then compare a few article URLs in public/feed.xml with the live site's"))


@cli.command(short_help="Start an article in content/, with empty fields ready to fill.")
@site_options
@click.argument("title")
@click.option("--draft", is_flag=True, help="Write draft: true (kept out of the feeds and "
              "digests until you remove it).")
@click.option("--date", "date_spec", metavar="DATE",
              help="Publish date: 2025-02-01, 2025-02-01T08:00+01:00, 'February 1, 2025', … "
              "[default: now, in site.timezone].")
@click.option("--schema", type=click.Choice(SCHEMAS),
              help="Front-matter keys [default: those most existing articles use, else "
              "publish_date].")
def new(config_path: Path | None, content_dir: Path | None, title: str, draft: bool,
        date_spec: str | None, schema: str | None) -> None:
    """Write content/<slug>.md for an article called TITLE and print its path.

    The slug comes from the title; a file or slug that exists gets -2, -3, … and is never
    replaced. The date is now (or --date) in site.timezone.

    \b
        feedkit new "Winter mooring fees" --draft
    """
    from feedkit import scaffold
    from feedkit.errors import UsageError

    settings = load_config(config_path, content_dir)
    if not scaffold.one_line(title):
        raise UsageError('the title is empty (write it like feedkit new "Your title")')
    published, date_only = scaffold.article_date(date_spec, now=jobs.utc_now(),
                                                 zone=settings.site.timezone)
    found = scaffold.survey(settings.content.dir)
    schema = schema or found.schema
    text = scaffold.render_article(title, schema=schema, published=published,
                                   date_only=date_only, draft=draft)
    path = scaffold.create_article(settings.content.dir, text, slug=scaffold.article_slug(title),
                                   taken=found.slugs)
    click.echo(display_path(path))  # the result itself: printed even with -q, for scripts
    hero = "heroImage" if schema == "publish_date" else "mainImage"
    if not is_quiet():
        show_notes([f"fill in description, {hero} and cta, write the body, then run "
                    "feedkit check"])


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@cli.command(short_help="Preview the feeds and the digest in a browser, rebuilt on every edit.")
@site_options
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              metavar="PORT",
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="Address to listen on; anything but localhost lets others on your network "
              "read the preview.")
def serve(config_path: Path | None, content_dir: Path | None, port: int, host: str) -> None:
    """Build into a temporary folder and serve it, with the digest preview and check's problems.

    Rebuilds and reloads the page when an article, feedkit.toml or a template changes.
    Writes nothing into public/ or the state file. Ctrl-C stops it.

    \b
        feedkit serve --port 8000
    """
    from feedkit.serve import Preview

    if host not in LOCAL_HOSTS:
        click.echo(f"warning: serving on {host}: anyone on your network can read it", err=True)
    preview = Preview(lambda: load_config(config_path, content_dir), host=host, port=port)
    try:
        try:
            with working("Building the preview…"):
                preview.start()
            say(f"serving {preview.url} (feeds, digest preview at "
                f"{preview.url}digest?since=7d); Ctrl-C to stop")
            while not preview.wait(0.5):
                pass
        finally:
            with signals_ignored():  # a second Ctrl-C must not leave the folder behind
                preview.stop()
    except KeyboardInterrupt:
        say("stopped")




@cli.command("pin-ids", short_help="Write the feed id of articles into their front matter.")
@site_options
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder whose manifest says which ids the last build kept "
              "[default: [build] output].")
@click.option("--all", "every", is_flag=True, help="Also pin every other article with no id "
              "in its front matter, under the id it has now.")
@click.option("--dry-run", is_flag=True, help="Print what would be written; change nothing.")
def pin_ids(config_path: Path | None, content_dir: Path | None, output_dir: Path | None,
            every: bool, dry_run: bool) -> None:
    """Write id: "<id>" into the front matter of each article whose id the last build kept.

    A build keeps the id readers know for an article renamed, moved or redated, but only
    while its output folder (and the manifest in it) lasts: pinning makes it the article's
    own. With --all, every article without an id gets the one it has now. Adds one line
    (YAML: id: "…", TOML: id = "…", Pelican: Id: …) and changes no other byte. Prints each
    file pinned; a file left as it is (it names an id already, JSON front matter, not
    loaded) is one line on stderr saying why. Exits 1 if a file could not be written.

    \b
        feedkit pin-ids --dry-run
    """
    from feedkit import pins

    overrides = {"build.output": str(output_dir)} if output_dir is not None else {}
    settings = load_config(config_path, content_dir, **overrides)
    with working("Reading every article…"):
        report = pins.pin_ids(settings, every=every, dry_run=dry_run)
    show_notes(list(report.notes))
    verb = "would pin" if dry_run else "pinned"
    for result in report.results:
        shown = display_path(settings.content.dir / result.key)
        if result.outcome is pins.Outcome.PINNED:
            click.echo(f"{verb} {shown}: {result.line}")  # the result: printed even with -q
        else:
            click.echo(f"{shown}: not pinned: {result.reason}", err=True)
    if not report.results:
        where = display_path(settings.build.output)
        say("nothing to pin: every article names its id" if every else
            f"nothing to pin: the last build in {where} kept no id (--all pins every "
            "article's id)")
    ctx = click.get_current_context()
    ctx.exit(report.exit_code)
