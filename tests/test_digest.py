"""digest.py: the email's HTML rules (checked on the output), the plain-text twin, the size
budget and its degradation, and determinism."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from factories import SITE_URL, make_article, make_site

from feedkit.model import Article, CallToAction, Image
from feedkit.render.email import SIZE_BUDGET, Digest, digest_id, render_digest
from feedkit.selection import Window
from feedkit.settings import DigestSettings

WINDOW = Window(datetime(2025, 2, 1, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC))
ABSOLUTE = ("https://", "http://", "mailto:")
LOREM = ("Harbour cranes idle while the port authority weighs a plan to move container "
         "traffic north, and the dockworkers' union asks who pays for the new rail spur. ")


@dataclass
class Html:
    """What an HTML document contains, as a parser sees it (entities decoded)."""

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def hrefs(self) -> list[str]:
        return [str(a["href"]) for _, a in self.tags if a.get("href") is not None]


class _Collector(HTMLParser):
    def __init__(self, into: Html) -> None:
        super().__init__(convert_charrefs=True)
        self.into = into

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.into.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.into.comments.append(data)


def parse_html(html: str) -> Html:
    result = Html()
    collector = _Collector(result)
    collector.feed(html)
    collector.close()
    return result


def _article(n: int, **kw: object) -> Article:
    values: dict[str, object] = {
        "slug": f"post-{n:02d}", "title": f"Post number {n}",
        "published": WINDOW.until - timedelta(hours=1 + n),
        "description": f"What happened in story {n}.",
    }
    values.update(kw)
    return make_article(**values)


def _render(articles: list[Article], *, site=None, updated=(), size_budget: int = SIZE_BUDGET,
            **options: object) -> Digest:
    return render_digest(site or make_site(), articles, window=WINDOW, updated=updated,
                         settings=DigestSettings(**options),  # type: ignore[arg-type]
                         size_budget=size_budget)


def rich_articles() -> list[Article]:
    """One of each kind of article the email must handle."""
    return [
        _article(1, hero_image=Image("https://img.example.org/cranes.jpg", "Cranes at dusk"),
                 cta=CallToAction("Join the harbour walk", "https://news.example.org/walk?a=1&b=2"),
                 subtitle="A subtitle"),
        _article(2, hero_image=Image("https://img.example.org/photo.webp", "WebP photo"),
                 cta=CallToAction("Follow us on LinkedIn for more")),
        _article(3, hero_image=Image("https://img.example.org/logo.svg", "SVG logo")),
        _article(4, hero_image=Image("http://img.example.org/plain.png", "Plain http image")),
        _article(5, cta=CallToAction("Write to the editor", "mailto:editor@example.org")),
        _article(6, hero_image=Image("https://img.example.org/Q.PNG?w=600", "")),
    ]


@pytest.fixture(scope="module")
def rich() -> Digest:
    return _render(rich_articles(), unsubscribe_url="https://news.example.org/unsubscribe?u=7",
                   archive_url="https://news.example.org/digest/archive/")


# -- HTML rules -------------------------------------------------------------------------------


def test_no_script_forms_or_external_stylesheets(rich: Digest) -> None:
    lowered = rich.html.lower()
    for forbidden in ("<script", "<form", "<input", "<button", "<textarea", "<select",
                      "<iframe", "<link", "javascript:", "@import"):
        assert forbidden not in lowered, forbidden


def test_every_image_has_alt_width_and_an_https_source(rich: Digest) -> None:
    images = parse_html(rich.html).all("img")
    assert images, "the rich digest has hero images"
    for img in images:
        assert img.get("alt") is not None, img
        assert re.fullmatch(r"\d+", str(img.get("width"))), img
        assert str(img["src"]).startswith("https://"), img
        assert "display:block" in str(img.get("style")).replace(" ", ""), img


def test_hero_images_are_never_webp_svg_or_plain_http(rich: Digest) -> None:
    sources = [str(img["src"]) for img in parse_html(rich.html).all("img")]
    assert sources == ["https://img.example.org/cranes.jpg",
                       "https://img.example.org/Q.PNG?w=600"]
    assert "background-image" not in rich.html and "background=" not in rich.html


def test_every_link_is_absolute(rich: Digest) -> None:
    doc = parse_html(rich.html)
    assert doc.hrefs
    for href in doc.hrefs:
        assert href.startswith(ABSOLUTE), href
    for _, attrs in doc.tags:
        for name in ("src", "action", "background"):
            if attrs.get(name) is not None:
                assert str(attrs[name]).startswith("https://"), (name, attrs)
    # hrefs inside Outlook's conditional comments (the VML buttons) too
    for comment in doc.comments:
        for href in re.findall(r'href="([^"]*)"', comment):
            assert href.startswith(ABSOLUTE), href


def test_styles_are_inlined(rich: Digest) -> None:
    doc = parse_html(rich.html)
    for tag in ("body", "table", "td", "a", "img", "h2"):
        elements = doc.all(tag)
        assert elements, tag
        for attrs in elements:
            assert attrs.get("style"), (tag, attrs)
    # what cannot be inlined (media queries) stays in one <style> in the head
    styles = re.findall(r"<style[^>]*>(.*?)</style>", _without_comments(rich.html), re.S)
    assert len(styles) == 1 and "@media" in styles[0]
    assert rich.html.index("<style") < rich.html.index("</head>")


def _without_comments(html: str) -> str:
    return re.sub(r"<!--.*?-->", "", html, flags=re.S)


def test_email_layout_conventions(rich: Digest) -> None:
    doc = parse_html(rich.html)
    assert doc.all("html")[0].get("lang") == "en"
    assert {"name": "color-scheme", "content": "light dark"} in doc.all("meta")
    assert all(t.get("role") == "presentation" for t in doc.all("table"))
    assert any("[if mso]" in c and 'width="600"' in c for c in doc.comments)  # ghost table
    preheader = re.search(r'<div class="preheader"[^>]*>(.*?)</div>', rich.html, re.S)
    assert preheader is not None
    assert preheader.group(1).startswith("What happened in story 1.")
    assert "display:none" in rich.html[preheader.start():preheader.end()].replace(" ", "")


def test_cta_with_a_url_is_a_bulletproof_button() -> None:
    url = "https://news.example.org/walk?a=1&b=2"
    digest = _render([_article(1, cta=CallToAction("Join the harbour walk", url))])
    doc = parse_html(digest.html)
    buttons = [a for a in doc.all("a") if "button" in str(a.get("class", "")).split()]
    assert [b["href"] for b in buttons] == [url]
    assert "Join the harbour walk</a>" in digest.html
    # Outlook gets a VML button, hidden from every other client in a conditional comment
    vml = [c for c in doc.comments if "v:roundrect" in c]
    assert len(vml) == 1 and vml[0].startswith("[if mso]")
    assert 'href="https://news.example.org/walk?a=1&amp;b=2"' in vml[0]
    assert "Join the harbour walk" in vml[0]
    assert re.search(r"width:\d+px", vml[0])


def test_cta_without_a_url_is_text_and_a_read_link_never_a_button() -> None:
    article = _article(2, cta=CallToAction("Follow us on LinkedIn for analysis."))
    digest = _render([article])
    doc = parse_html(digest.html)
    assert "Follow us on LinkedIn for analysis." in digest.html
    assert not [a for a in doc.all("a") if "button" in str(a.get("class", "")).split()]
    assert "v:roundrect" not in digest.html and "button-cell" not in digest.html
    read = re.findall(r'<a href="([^"]+)"[^>]*>Read the article', digest.html)
    assert read == [article.url]


def test_mailto_cta_is_a_button_too() -> None:
    digest = _render([_article(5, cta=CallToAction("Write to us", "mailto:editor@example.org"))])
    buttons = [a for a in parse_html(digest.html).all("a")
               if "button" in str(a.get("class", "")).split()]
    assert [b["href"] for b in buttons] == ["mailto:editor@example.org"]


def test_header_footer_and_links_of_the_digest(rich: Digest) -> None:
    hrefs = parse_html(rich.html).hrefs
    assert SITE_URL in hrefs
    assert "https://news.example.org/unsubscribe?u=7" in hrefs
    view = [h for h in hrefs if h.startswith("https://news.example.org/digest/archive/")]
    assert view == [f"https://news.example.org/digest/archive/{rich.archive_name}"]
    assert re.fullmatch(r"2025-02-28-[0-9a-f]{16}\.html", rich.archive_name)
    assert "View in browser" in rich.html
    assert "You are receiving this because" in rich.html


def test_no_unsubscribe_link_unless_configured() -> None:
    digest = _render([_article(1)])
    assert "Unsubscribe" not in digest.html and "Unsubscribe" not in digest.text
    assert "View in browser" not in digest.html


def test_window_is_shown_in_the_site_time_zone() -> None:
    site = make_site(timezone=ZoneInfo("Europe/Berlin"))
    window = Window(datetime(2025, 2, 1, tzinfo=ZoneInfo("Europe/Berlin")),
                    datetime(2025, 2, 8, tzinfo=ZoneInfo("Europe/Berlin")))
    digest = render_digest(site, [_article(1, published=datetime(2025, 2, 3, 8, tzinfo=UTC))],
                           window=window, settings=DigestSettings())
    label = "2025-02-01 00:00 to 2025-02-08 00:00 (Europe/Berlin)"
    assert label in digest.html and label in digest.text
    assert "3 February 2025, 09:00" in digest.html  # 08:00 UTC is 09:00 in Berlin


def test_articles_appear_newest_first_as_given(rich: Digest) -> None:
    positions = [rich.html.index(f"Post number {n}<") for n in range(1, 7)]
    assert positions == sorted(positions)
    text_positions = [rich.text.index(f"Post number {n}\n") for n in range(1, 7)]
    assert text_positions == sorted(text_positions)


def test_markup_in_titles_is_escaped() -> None:
    digest = _render([_article(1, title="<script>alert(1)</script> & friends",
                               description='"quoted" <b>bold</b>')])
    assert "<script" not in digest.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends" in digest.html
    assert "<script>alert(1)</script> & friends" in digest.text  # plain text is not HTML


def test_updated_section_lists_already_sent_articles() -> None:
    old = _article(9, title="An older story", updated=WINDOW.until - timedelta(hours=2),
                   published=WINDOW.since - timedelta(days=3))
    digest = _render([_article(1)], updated=[old], include_updated=True)
    assert "Updated since the last issue" in digest.html
    assert old.url in parse_html(digest.html).hrefs
    assert "Updated since the last issue" in digest.text and old.url in digest.text


def test_size_is_well_under_the_gmail_clip(rich: Digest) -> None:
    assert rich.size == len(rich.html.encode("utf-8")) < 100_000
    assert SIZE_BUDGET <= 100_000
    # the fixture's http and WebP heroes are left out of the email, and said so
    assert [n.split(" (")[0] for n in rich.notes] == ["3 hero image(s) left out of the email"]


def test_a_publishers_templates_folder_is_tried_first(tmp_path) -> None:
    (tmp_path / "digest.txt.j2").write_text("Our own: {{ items | length }} from {{ site.title }}\n",
                                            encoding="utf-8")
    digest = _render([_article(1), _article(2)], templates=tmp_path)
    assert digest.text == "Our own: 2 from News\n"
    assert "Post number 1" in digest.html  # the built-in HTML template still serves


# -- plain text -------------------------------------------------------------------------------

_URL = re.compile(r"(?:https?://|mailto:)\S+")


def _check_wrapped(text: str) -> None:
    for line in text.splitlines():
        if len(line) <= 72:
            continue
        # a longer line is allowed only for a URL that cannot be broken, standing alone
        assert _URL.fullmatch(line), f"line of {len(line)} columns: {line!r}"


def test_text_is_wrapped_at_72_columns_except_urls() -> None:
    long_url = "https://news.example.org/" + "a-very-long-slug-" * 6 + "end/"
    articles = [
        _article(1, title="A title " * 14, subtitle="A subtitle that goes on " * 5,
                 description=LOREM * 3, cta=CallToAction("Please do this thing " * 6, long_url),
                 hero_image=Image(long_url + "hero.jpg", "alt")),
        _article(2, slug="a-very-long-slug-" * 5 + "end", description=LOREM),
    ]
    digest = _render(articles, unsubscribe_url=long_url + "unsubscribe",
                     archive_url=long_url + "archive/")
    assert max(len(line) for line in digest.text.splitlines()) > 72  # the URLs are long
    _check_wrapped(digest.text)
    for url in (long_url, articles[1].url, long_url + "unsubscribe"):
        assert url in digest.text.split(), url  # never broken


def test_text_wraps_a_long_site_title() -> None:
    site = make_site(title="The Harbour Ledger, independent news from the docks, the river and "
                     "the town")
    _check_wrapped(_render([_article(1)], site=site).text)


def test_text_has_every_link_of_the_html(rich: Digest) -> None:
    hrefs = set(parse_html(rich.html).hrefs)
    assert len(hrefs) >= 8
    missing = [h for h in sorted(hrefs) if h not in rich.text]
    assert missing == []


def test_text_has_titles_descriptions_and_cta_texts(rich: Digest) -> None:
    flat = " ".join(rich.text.split())
    for article in rich_articles():
        assert article.title in flat
        assert article.description in flat
        if article.cta:
            assert article.cta.text in flat
    assert "New from 2025-02-01 00:00 to 2025-03-01 00:00 (UTC)" in flat


# -- the size budget --------------------------------------------------------------------------


def _long_articles(count: int) -> list[Article]:
    return [_article(n, description=LOREM * 8, subtitle="Subtitle " * 8,
                     hero_image=Image(f"https://img.example.org/{n}.jpg", f"Photo {n}"),
                     cta=CallToAction("Read more about it", f"https://news.example.org/c/{n}"))
            for n in range(1, count + 1)]


@pytest.fixture(scope="module")
def sixty() -> Digest:
    return _render(_long_articles(60))


def test_sixty_long_articles_are_cut_to_the_budget(sixty: Digest) -> None:
    assert sixty.size <= SIZE_BUDGET
    shown = len(re.findall(r'class="article-title"', sixty.html))
    assert 1 <= shown < 60
    assert sixty.notes == (
        "descriptions shortened",
        "hero images dropped below the first article",
        f"only the newest {shown} of 60 articles fit; the email links to the site for the rest, "
        "which stay unsent for the next digest",
    )
    more = f"{60 - shown} more articles on the site"
    assert re.search(rf'<a href="{re.escape(SITE_URL)}"[^>]*>{more}', sixty.html)
    assert f"{more}: {SITE_URL}" in " ".join(sixty.text.split())
    # the newest are the ones kept; the digest holds (and will record) only those
    assert "Post number 1<" in sixty.html and "Post number 60<" not in sixty.html
    assert sixty.subject == f"News: {shown} new articles (2025-02-28)"
    assert len(sixty.articles) == shown
    assert len(parse_html(sixty.html).all("img")) == 1


def test_sixty_long_articles_keep_the_text_part_consistent(sixty: Digest) -> None:
    shown = len(re.findall(r'class="article-title"', sixty.html))
    assert len(re.findall(r"^Read the article", sixty.text, re.M)) == shown
    _check_wrapped(sixty.text)
    missing = [h for h in set(parse_html(sixty.html).hrefs) if h not in sixty.text]
    assert missing == []


def test_shortening_descriptions_is_the_first_step() -> None:
    articles = _long_articles(3)
    full = _render(articles, size_budget=10**9)
    assert full.notes == ()
    digest = _render(articles, size_budget=full.size - 1)
    assert digest.notes == ("descriptions shortened",)
    assert digest.size < full.size
    assert len(parse_html(digest.html).all("img")) == 3  # heroes kept
    assert "more article" not in digest.html
    assert LOREM * 2 not in digest.html and "…" in digest.html


def test_dropping_hero_images_is_the_second_step() -> None:
    articles = [_article(n, hero_image=Image(f"https://img.example.org/{n}.jpg",
                                             "x" * 2000)) for n in range(1, 4)]
    full = _render(articles, size_budget=10**9)
    digest = _render(articles, size_budget=full.size - 1)
    assert digest.notes == ("descriptions shortened",
                            "hero images dropped below the first article")
    assert [i["src"] for i in parse_html(digest.html).all("img")] == \
        ["https://img.example.org/1.jpg"]
    assert "more article" not in digest.html
    assert "https://img.example.org/2.jpg" not in digest.text  # the twin follows the HTML


def test_one_article_over_the_budget_is_said_so() -> None:
    digest = _render([_article(1, title="T" * 5000)], size_budget=2000)
    assert digest.size > 2000
    assert digest.notes[-1] == (f"the digest is {digest.size:,} bytes, over the 2,000 byte "
                                "budget (Gmail clips it)")


# -- determinism ------------------------------------------------------------------------------


def test_same_input_gives_identical_bytes() -> None:
    one, two = _render(rich_articles()), _render(rich_articles())
    assert (one.html, one.text, one.subject, one.message_id, one.id) == \
        (two.html, two.text, two.subject, two.message_id, two.id)


def test_message_id_derives_from_the_articles_only() -> None:
    articles = rich_articles()
    digest = _render(articles)
    assert digest.message_id == f"<digest-{digest.id}@news.example.org>"
    assert digest.id == digest_id(digest.article_ids)
    assert digest_id(["b", "a"]) == digest_id(["a", "b"]) != digest_id(["a", "c"])
    # an edited title or a different window does not change it; another set of articles does
    edited = [articles[0].__class__(**{**_fields(articles[0]), "title": "Edited"}),
              *articles[1:]]
    other_window = render_digest(make_site(), articles, settings=DigestSettings(),
                                 window=Window(WINDOW.since, WINDOW.until + timedelta(days=1)))
    assert _render(edited).message_id == digest.message_id
    assert other_window.message_id == digest.message_id
    assert _render(articles[:-1]).message_id != digest.message_id


def _fields(article: Article) -> dict[str, object]:
    return {name: getattr(article, name) for name in article.__dataclass_fields__}


def test_outlook_button_grows_with_long_cta_text() -> None:
    short = make_article(slug="s", cta=CallToAction("Join", "https://example.org/j"))
    long = make_article(slug="l", cta=CallToAction("Join " * 40, "https://example.org/j"))
    html = render_digest(make_site(), [short, long], window=WINDOW,
                         settings=DigestSettings()).html
    heights = [int(h) for h in re.findall(r"v:roundrect[^>]*height:(\d+)px", html)]
    assert len(heights) == 2 and heights[0] == 44 and heights[1] > 44
