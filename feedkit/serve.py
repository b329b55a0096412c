"""``feedkit serve``: build into a temporary folder, serve it on localhost with an index page, a
digest preview and live reload, and rebuild when the content, settings or templates change.

Never writes into ``public/``, the cache or the state file; no click and no printing here.
"""

from __future__ import annotations

import html
import logging
import posixpath
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from feedkit import jobs
from feedkit.errors import FeedkitError, UsageError
from feedkit.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_SINCE = "7d"
WATCH_WAKE_MS = 250  # the watcher wakes this often when nothing changes
WATCH_READY_TIMEOUT = 5.0  # seconds start() waits for the watcher to be set up
SITE_FEEDS = ("feed.xml", "atom.xml", "feed.json")
# .xml as application/xml, not application/rss+xml: browsers apply feed.xsl only to the former
CONTENT_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
# reloads when /events announces a build other than the one this page shows
RELOAD_SCRIPT = """<script>
new EventSource("/events").addEventListener("build", function (e) {
  if (e.data !== "%d") { location.reload(); }
});
</script>"""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One build as served: its folder, the feeds in it and what ``check`` found."""

    generation: int
    config: Settings
    folder: Path
    feeds: tuple[str, ...]
    problems: tuple[str, ...]
    error: str | None = None  # the last rebuild failed: the previous build is still served


class Preview:
    """A preview server. ``load`` reads the settings again on every rebuild.

    >>> preview = Preview(lambda: None, port=0)  # doctest: +SKIP
    >>> preview.start(); print(preview.url); preview.stop()  # doctest: +SKIP
    """

    def __init__(self, load: Callable[[], Settings], *, host: str = "127.0.0.1",
                 port: int = 8000, clock: Callable[[], datetime] = jobs.utc_now) -> None:
        self._load = load
        self._host = host
        self._port = port
        self._clock = clock
        self._changed = threading.Condition()
        self._building = threading.Lock()  # one build at a time: the first, then rebuilds
        self._stop = threading.Event()
        self._watching = threading.Event()
        self._threads: list[threading.Thread] = []
        self._server: _Server | None = None
        self._folder: Path | None = None
        self._snapshot: Snapshot | None = None

    @property
    def snapshot(self) -> Snapshot:
        assert self._snapshot is not None, "call start() first"
        return self._snapshot

    @property
    def generation(self) -> int:
        """Bumped by every rebuild, failed or not."""
        return self.snapshot.generation

    @property
    def port(self) -> int:
        assert self._server is not None, "call start() first"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}/"

    def start(self) -> None:
        """Listen, start watching, build once, serve. Raises ``FeedkitError`` (everything
        undone) when the settings, the address or the first build fail."""
        self._folder = Path(tempfile.mkdtemp(prefix="feedkit-serve-"))
        try:
            config = self._load()
            try:
                self._server = _Server((self._host, self._port), _Handler, self)
            except OSError as exc:
                raise FeedkitError(f"cannot listen on {self._host}:{self._port}: "
                                   f"{exc.strerror or exc} (try another --port, or --port 0 "
                                   "for any free one)") from exc
            with self._building:
                # watching before the first build: an edit saved during it is rebuilt after
                self._spawn(lambda: self._watch(config), "feedkit-watch")
                self._watching.wait(WATCH_READY_TIMEOUT)
                self._snapshot = self._build(config, 1)
        except BaseException:
            self.stop()
            raise
        server = self._server
        self._spawn(lambda: server.serve_forever(poll_interval=0.1), "feedkit-serve")

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name)
        thread.start()
        self._threads.append(thread)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ``stop()`` (or ``timeout`` seconds); True when stopped."""
        return self._stop.wait(timeout)

    def wait_for_generation(self, generation: int, timeout: float) -> bool:
        """Block until the build ``generation`` (or a later one) is served."""
        with self._changed:
            return self._changed.wait_for(lambda: self.generation >= generation
                                          or self._stop.is_set(), timeout) \
                and self.generation >= generation

    def next_generation(self, seen: int, *, timeout: float) -> int | None:
        """The build generation once it differs from ``seen`` (or after ``timeout``
        seconds); None once stopped."""
        with self._changed:
            self._changed.wait_for(lambda: self.generation != seen or self._stop.is_set(),
                                   timeout)
            return None if self._stop.is_set() else self.generation

    def rebuild(self) -> None:
        """Build again; on failure keep serving the previous build and show the error."""
        with self._building:
            if self._snapshot is None or self._stop.is_set():  # the first build failed
                return
            old = self._snapshot
            try:
                new = self._build(self._load(), old.generation + 1)
            except FeedkitError as exc:
                log.warning("rebuild failed: %s", exc)
                new = replace(old, generation=old.generation + 1, error=str(exc))
            except Exception as exc:  # a bug must not stop the watcher: show it, go on
                log.exception("rebuild failed")
                new = replace(old, generation=old.generation + 1,
                              error=f"internal error, please report it: {exc!r}")
            self._publish(old, new)

    def _publish(self, old: Snapshot, new: Snapshot) -> None:
        with self._changed:
            self._snapshot = new
            self._changed.notify_all()
        if new.folder != old.folder:
            shutil.rmtree(old.folder, ignore_errors=True)

    def stop(self) -> None:
        """Stop watching and serving, wait for every thread, remove the temporary folder."""
        with self._changed:
            self._stop.set()
            self._changed.notify_all()
        try:
            if self._server is not None:
                if any(t.name == "feedkit-serve" for t in self._threads):
                    self._server.shutdown()
                self._server.server_close()  # joins the request threads, /events ones too
            for thread in self._threads:
                thread.join()
            self._threads.clear()
        finally:
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)

    def _build(self, config: Settings, generation: int) -> Snapshot:
        assert self._folder is not None
        folder = self._folder / f"build-{generation}"
        now = self._clock()
        in_folder = replace(config, build=replace(config.build, output=folder))
        report = jobs.build(in_folder, now=now, use_cache=False)
        tags = sorted(p for p in report.files if p.startswith("tags/"))
        feeds = tuple(p for p in SITE_FEEDS if p in report.files) + tuple(tags)
        problems = jobs.check(config, now=now).problems
        return Snapshot(generation, config, folder, feeds, tuple(str(p) for p in problems))

    def _watch(self, config: Settings) -> None:
        try:
            self._watch_until_stopped(config)
        except Exception as exc:  # inotify limits, permissions: say so on the index page
            log.exception("watching for changes failed")
            with self._building:
                if self._snapshot is not None:
                    self._publish(self._snapshot, replace(
                        self._snapshot, generation=self._snapshot.generation + 1,
                        error=f"watching for changes stopped ({exc}); restart feedkit serve"))
        finally:
            self._watching.set()

    def _watch_until_stopped(self, config: Settings) -> None:
        from watchfiles import Change, watch  # deferred: only serve needs it

        watched, catch_up = _Watched.of(config), False
        while not self._stop.is_set():
            # yield_on_timeout: the first (empty) yield says the folders are being watched
            for changes in watch(*watched.roots, watch_filter=watched.relevant,
                                 stop_event=self._stop, debounce=400, step=50,
                                 rust_timeout=WATCH_WAKE_MS, yield_on_timeout=True,
                                 raise_interrupt=False):
                self._watching.set()
                if self._stop.is_set():
                    break
                if not (changes or catch_up):
                    continue
                catch_up = False
                self.rebuild()
                if self._snapshot is None:  # the first build failed: start() is undoing
                    return
                now_watched = _Watched.of(self._snapshot.config)
                gone = any(change == Change.deleted and Path(path) in watched.folders
                           for change, path in changes)
                # the settings moved a folder, or one was replaced (git checkout, rm -r and
                # copy back): watch afresh, then rebuild for whatever changed meanwhile
                if now_watched != watched or gone:
                    watched, catch_up = now_watched, True
                    break

    def digest_html(self, since: str) -> tuple[str | None, str]:
        """The digest for ``--since SPEC`` as a dry run: (HTML or None, a one-line summary).
        Raises ``UsageError`` for a bad SPEC."""
        # a dry run reads the state file read-only: what was sent is left out, as it will be
        report = jobs.digest(self.snapshot.config, jobs.DigestRequest(
            since=since, dry_run=True, use_cache=False), now=self._clock())
        sent = f"; {report.already_sent} in the window already sent" \
            if report.already_sent else ""
        if report.digest is None:
            return None, (f"nothing new: {len(report.articles)} article(s) in the window, "
                          f"fewer than min_items {max(report.min_items, 1)}{sent}")
        return report.digest.html, (f"{report.digest.subject} — {len(report.articles)} "
                                    f"article(s), {report.digest.size:,} bytes of HTML{sent}")


@dataclass(frozen=True, slots=True)
class _Watched:
    """What a rebuild depends on: the content and template folders and the settings file."""

    folders: tuple[Path, ...]
    files: tuple[Path, ...]

    @classmethod
    def of(cls, config: Settings) -> _Watched:
        folders = [config.content.dir.resolve()]
        if config.digest.templates is not None:
            folders.append(config.digest.templates.resolve())
        files = [config.source.resolve()] if config.source is not None else []
        return cls(tuple(folders), tuple(files))

    @property
    def roots(self) -> list[Path]:
        """The folders to watch: the settings file's folder, not the file, since editors
        replace a file when they save it; none inside another."""
        roots = [p for p in dict.fromkeys([*self.folders, *(f.parent for f in self.files)])
                 if p.exists()]
        return [p for p in roots if not any(q in p.parents for q in roots)]

    def relevant(self, _change: Any, path: str) -> bool:
        where = Path(path)
        return where in self.files or any(p == where or p in where.parents
                                          for p in self.folders)


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # stop() joins every request thread: nothing is left behind
    block_on_close = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 preview: Preview) -> None:
        self.preview = preview
        # the family of the address asked for: "::1" and "localhost" on an IPv6-only host too
        found = socket.getaddrinfo(address[0], address[1], type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
        self.address_family = found[0][0]
        super().__init__(address, handler)


def _page(title: str, body: str, generation: int) -> bytes:
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title>"
            f"<style>body{{font-family:system-ui,sans-serif;margin:2em}}"
            f"iframe{{border:1px solid #ccc;height:80vh;vertical-align:top}}</style>"
            f"</head><body>\n{body}\n{RELOAD_SCRIPT % generation}\n</body></html>\n"
            ).encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        since = (query.get("since") or [DEFAULT_SINCE])[-1].strip() or DEFAULT_SINCE
        if parts.path == "/":
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", self._index())
        elif parts.path == "/events" and self.command == "GET":
            self._events()
        elif parts.path == "/digest":
            self._digest(since, frame=False)
        elif parts.path == "/digest/frame":
            self._digest(since, frame=True)
        else:
            self._file(parts.path)

    do_HEAD = do_GET

    def _send(self, status: HTTPStatus, kind: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _message(self, status: HTTPStatus, title: str, message: str) -> None:
        body = f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(message)}</p>\n" \
               '<p><a href="/">back to the index</a></p>'
        self._send(status, "text/html; charset=utf-8",
                   _page(title, body, self.server.preview.generation))

    def _index(self) -> bytes:
        snap = self.server.preview.snapshot
        title = snap.config.site.title
        links = "".join(f'<li><a href="/{quote(p)}">{html.escape(p)}</a></li>\n'
                        for p in snap.feeds)
        error = "" if snap.error is None else \
            f'<p style="color:#b00"><strong>rebuild failed:</strong> ' \
            f"{html.escape(snap.error)} (still serving the previous build)</p>\n"
        problems = "\n".join(html.escape(p) for p in snap.problems) or "no problems"
        body = (f"<h1>{html.escape(title)}</h1>\n{error}<h2>Feeds</h2>\n<ul>\n{links}</ul>\n"
                f'<h2>Digest</h2>\n<p><a href="/digest?since={DEFAULT_SINCE}">preview the '
                f"digest of the last 7 days</a></p>\n"
                f"<h2>feedkit check</h2>\n<pre>{problems}</pre>\n"
                f"<p><small>build {snap.generation}; rebuilt when an article, feedkit.toml "
                f"or a template changes</small></p>")
        return _page(f"{title} (feedkit serve)", body, snap.generation)

    def _digest(self, since: str, *, frame: bool) -> None:
        preview = self.server.preview
        try:
            page, summary = preview.digest_html(since)
        except UsageError as exc:
            self._message(HTTPStatus.BAD_REQUEST, "Cannot preview the digest", str(exc))
            return
        except FeedkitError as exc:
            self._message(HTTPStatus.INTERNAL_SERVER_ERROR, "Cannot preview the digest",
                          str(exc))
            return
        if frame:
            self._send(HTTPStatus.OK, "text/html; charset=utf-8",
                       (page or f"<p>{html.escape(summary)}</p>").encode())
            return
        spec = html.escape(since)
        form = (f'<form action="/digest"><label>since <input name="since" value="{spec}">'
                f'</label> <button>preview</button> <a href="/">index</a></form>\n'
                f"<p>{html.escape(summary)}</p>\n")
        frames = "" if page is None else "".join(
            f'<iframe title="digest at {w} px" sandbox="allow-popups" style="width:{w}px" '
            f'src="/digest/frame?since={quote(since)}"></iframe>\n' for w in (600, 375))
        self._send(HTTPStatus.OK, "text/html; charset=utf-8",
                   _page(f"Digest since {since}", f"<h1>Digest since {spec}</h1>\n"
                         f"{form}{frames}", preview.generation))

    def _file(self, path: str) -> None:
        snap = self.server.preview.snapshot
        relative = posixpath.normpath("/" + unquote(path)).lstrip("/")
        target = snap.folder / relative
        if path.endswith("/"):
            target = target / "index.html"
        if ".." in relative.split("/") or not target.is_file():
            self._message(HTTPStatus.NOT_FOUND, "Not found", f"{path} is not in this build")
            return
        kind = CONTENT_TYPES.get(target.suffix, "application/octet-stream")
        self._send(HTTPStatus.OK, kind, target.read_bytes())

    def _events(self) -> None:
        preview = self.server.preview
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = -1
        try:
            while (current := preview.next_generation(seen, timeout=15)) is not None:
                if current != seen:
                    seen = current
                    self.wfile.write(f"event: build\ndata: {seen}\n\n".encode())
                else:
                    self.wfile.write(b": still here\n\n")  # finds a closed browser tab
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
