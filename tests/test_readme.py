"""The README's shell examples run, against a temporary site, and do what the README says.

The five-minute tour runs block by block in one temporary folder, as a newcomer would paste it
into bash, with the installed ``feedkit`` first on PATH. Two things differ from a newcomer's
machine, both forced by CI: ``feedkit serve`` gets ``--port 0`` (port 8000 may be taken), and
the test email goes to an in-process SMTP server on 127.0.0.1, named by FEEDKIT_SMTP_HOST,
_PORT and _SECURITY in the environment (which beat feedkit.toml, as the README says).
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from doctools import blocks, clean_env, first_line, run_block, section
from mailtools import smtp_server

TOUR = section("A five-minute tour")
SETUP = section("Set up")


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def _apply_toml_lines(settings_file: Path, snippet: str) -> None:
    """Do what the tour asks: in each [section] of feedkit.toml, uncomment the snippet's keys
    and give them its values. Fails if a line the README says is there is not."""
    text = settings_file.read_text(encoding="utf-8")
    current = None
    for line in snippet.splitlines():
        if header := re.fullmatch(r"\[(\w+)\]", line.strip()):
            current = header.group(1)
        elif "=" in line:
            key = line.split("=", 1)[0].strip()
            body = text.split(f"[{current}]\n", 1)
            assert len(body) == 2, f"feedkit.toml has no [{current}] section"
            section_text = body[1].split("\n[", 1)[0]
            commented = re.search(rf"^# {re.escape(key)} = .*$", section_text, flags=re.M)
            assert commented, f"feedkit.toml has no commented-out {key} under [{current}]"
            new_section = section_text.replace(commented.group(0), line, 1)
            text = text.replace(f"[{current}]\n{section_text}", f"[{current}]\n{new_section}",
                                1)
    settings_file.write_text(text, encoding="utf-8")
    tomllib.loads(text)  # still valid TOML


def test_every_shell_example_in_the_readme_is_run_by_a_test() -> None:
    setup, tour = blocks("sh", SETUP), blocks("sh", TOUR)
    assert len(setup) == 2  # test_docs checks these are the ones CI runs
    assert sorted(blocks("sh")) == sorted(setup + tour), \
        "a new ```sh block in the README needs a test here (or belongs in the tour)"


def test_the_five_minute_tour_works_as_written(tmp_path: Path) -> None:
    steps = blocks("sh", TOUR)
    assert [re.sub(r"^export .*\n", "", b).split()[1] for b in steps] == \
        ["init", "new", "check", "build", "serve", "digest", "digest"], \
        "the tour's steps changed: update this test to check what the README now says"
    env = clean_env(HOME=str(tmp_path))
    init, new, check, build, serve, digest, test_send = steps

    # init: the files it writes, and the next commands it prints
    ran = run_block(init, tmp_path, env)
    assert ran.returncode == 0, ran.stderr
    site = ran.cwd
    assert site == tmp_path / "harbour-news"
    settings = tomllib.loads((site / "feedkit.toml").read_text(encoding="utf-8"))
    assert settings["site"] == {"url": "https://news.example.org", "title": "Harbour News"}
    assert "# timezone = " in (site / "feedkit.toml").read_text(encoding="utf-8")
    assert (site / "content" / "welcome.md").is_file()
    assert {"public/", ".feedkit/"} <= set((site / ".gitignore").read_text().splitlines())
    for command in ("feedkit check", "feedkit build", "feedkit digest --since 7d"):
        assert command in ran.stdout

    # new: prints the path of the file it wrote, with the fields to fill in
    ran = run_block(new, site, env)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "content/winter-mooring-fees.md\n"
    article = (site / "content" / "winter-mooring-fees.md").read_text(encoding="utf-8")
    for field in ("title: Winter mooring fees", "description: ''", "heroImage: ''", "cta: ''"):
        assert field in article
    #   "until you do, feedkit check warns that it has nothing but a title"
    ran = run_block("feedkit check", site, env)
    assert "content/winter-mooring-fees.md" in ran.stderr and "only the title" in ran.stderr
    #   "fill in description, heroImage and cta, and write the body"
    article = article.replace("description: ''", "description: Fees rise in December.") \
        .replace("heroImage: ''", "heroImage: https://news.example.org/img/moorings.jpg") \
        .replace("cta: ''", "cta: Book a mooring") + "The new fees start on 1 December.\n"
    (site / "content" / "winter-mooring-fees.md").write_text(article, encoding="utf-8")

    # check: both articles, newest first, and the summary line the README quotes
    ran = run_block(check, site, env)
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0].split() == ["published", "status", "slug", "title"]
    rows = [line.split() for line in lines[1:3]]  # date, time, status, slug, title
    assert [row[2] for row in rows] == ["published", "published"]
    assert {row[3] for row in rows} == {"welcome", "winter-mooring-fees"}
    assert rows[0][:2] >= rows[1][:2]  # newest first
    assert lines[-1].startswith("2 articles from 2 files: 2 published, ")
    assert "0 errors, 0 warnings" in lines[-1]
    #   "a missing title: is one line naming the file, the line, the field and the fix; exit 1"
    welcome = site / "content" / "welcome.md"
    good = welcome.read_text(encoding="utf-8")
    welcome.write_text(re.sub(r"^title: .*\n", "", good, count=1, flags=re.M), encoding="utf-8")
    ran = run_block("feedkit check", site, env)
    assert ran.returncode == 1
    problem = [line for line in ran.stderr.splitlines() if "error" in line]
    assert len(problem) == 1 and problem[0].startswith("content/welcome.md:")
    assert "title" in problem[0] and "(" in problem[0]
    welcome.write_text(good, encoding="utf-8")

    # build: the four files, and a second run writes nothing
    ran = run_block(build, site, env)
    assert ran.returncode == 0, ran.stderr
    for name in ("feed.xml", "atom.xml", "feed.json", "feed.xsl"):
        assert (site / "public" / name).is_file()
    public = {p: p.read_bytes() for p in (site / "public").rglob("*") if p.is_file()}
    ran = run_block(build, site, env)
    assert "0 files written, 4 unchanged" in ran.stdout

    # serve: the index, the digest preview, a rebuild on save, Ctrl-C, nothing in public/
    proc = subprocess.Popen(["bash", "-c", f"exec {serve.strip()} --port 0"], cwd=site, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = first_line(proc)
        assert first.startswith("serving http://127.0.0.1:"), first + proc.stderr.read()
        url = first.split()[1]
        index = _get(url)
        for link in ("feed.xml", "atom.xml", "feed.json"):
            assert f'href="/{link}"' in index
        assert "feedkit check" in index
        preview = _get(url + "digest?since=7d")
        assert "width:600px" in preview and "width:375px" in preview
        assert "Winter mooring fees" in _get(url + "digest/frame?since=7d")
        (site / "content" / "winter-mooring-fees.md").write_text(
            article.replace("title: Winter mooring fees", "title: Winter mooring fees, revised"),
            encoding="utf-8")
        deadline = time.monotonic() + 15
        while "Winter mooring fees, revised" not in _get(url + "feed.xml"):
            assert time.monotonic() < deadline, "the saved article was never rebuilt"
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in out
    assert {p: p.read_bytes() for p in (site / "public").rglob("*") if p.is_file()} == public

    # digest: the window, the two articles, the three files
    ran = run_block(digest, site, env)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("window: ")
    assert "Winter mooring fees, revised" in ran.stdout and "Welcome to Harbour News" in ran.stdout
    for name in ("digest.html", "digest.txt", "digest.eml"):
        assert (site / "public" / "digest" / name).is_file()

    # the test email: fill in the lines the README shows, then send to yourself
    (snippet,) = blocks("toml", TOUR)
    _apply_toml_lines(site / "feedkit.toml", snippet)
    password = re.search(r"FEEDKIT_SMTP_PASSWORD='([^']*)'", test_send)
    assert password
    with smtp_server(credentials=("news@example.org", password.group(1))) as server:
        ran = run_block(test_send, site, {**env, "FEEDKIT_SMTP_HOST": server.host,
                                          "FEEDKIT_SMTP_PORT": str(server.port),
                                          "FEEDKIT_SMTP_SECURITY": "none"})
        assert ran.returncode == 0, ran.stderr
        (received,) = server.sink.received
    assert received.rcpt_tos == ["you@example.org"]
    assert received.message["Subject"].startswith("[TEST] Harbour News: 2 new articles")
    assert received.message["From"] == "Harbour News <news@example.org>"
    assert server.sink.logins == [(b"news@example.org", password.group(1).encode())]
    assert not (site / ".feedkit" / "state.db").exists()  # "nothing is recorded as sent"


@pytest.mark.parametrize("schema", ["publish_date", "publishedOn"])
def test_the_tour_works_in_the_other_schema_too(tmp_path: Path, schema: str) -> None:
    env = clean_env(HOME=str(tmp_path))
    ran = run_block(f"feedkit init site --url https://news.example.org --schema {schema}\n"
                    "cd site\nfeedkit new 'Second article'\nfeedkit check\nfeedkit build",
                    tmp_path, env)
    assert ran.returncode == 0, ran.stderr
    assert f"{schema}:" in (tmp_path / "site" / "content" / "second-article.md").read_text()
    assert "2 articles from 2 files: 2 published" in ran.stdout
