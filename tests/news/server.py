"""A real HTTP server on 127.0.0.1 for the live-news tests: pages, feeds, redirects, abuse.

Routes map a path to a `Page` or to a function of the request headers returning one, so a
route can answer 304 to a matching `If-None-Match`. Every request is recorded.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    """One answer: status, headers, body; `delay` before the headers, `drip` between pieces."""

    body: bytes | str = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drip: float = 0.0
    pieces: int = 1
    length: int | None = None  # Content-Length to declare (None: the body's, -1: none/close)

    @property
    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


Route = Page | Callable[[dict[str, str]], Page]


class NewsServer:
    """`with NewsServer() as server:` serves `server.routes` at `server.url(path)`."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self._httpd: ThreadingHTTPServer | None = None

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return self._httpd.server_address[1]

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def __enter__(self) -> NewsServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append(Seen("GET", self.path, headers))
                route = server.routes.get(self.path, server.routes.get(self.path.split("?")[0]))
                page = route(headers) if callable(route) else route
                if page is None:
                    page = Page("not here", status=404, content_type="text/plain")
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._send(page)

            def _send(self, page: Page) -> None:
                if page.delay:
                    time.sleep(page.delay)
                data = page.data
                self.send_response(page.status)
                if page.content_type:
                    self.send_header("Content-Type", page.content_type)
                for name, value in page.headers.items():
                    self.send_header(name, value)
                if page.length == -1:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                else:
                    length = len(data) if page.length is None else page.length
                    self.send_header("Content-Length", str(length))
                self.send_header("Date", formatdate(usegmt=True))
                self.end_headers()
                size = max(1, len(data) // max(1, page.pieces))
                for begin in range(0, len(data), size):
                    self.wfile.write(data[begin : begin + size])
                    self.wfile.flush()
                    if page.drip:
                        time.sleep(page.drip)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()


def conditional(page: Page, etag: str) -> Callable[[dict[str, str]], Page]:
    """A route answering 304 when the request carries `If-None-Match: etag`."""

    def route(headers: dict[str, str]) -> Page:
        if headers.get("if-none-match") == etag:
            return Page(b"", status=304, content_type=None, headers={"ETag": etag})
        return Page(page.body, page.status, page.content_type, {**page.headers, "ETag": etag})

    return route


def article_html(
    title: str,
    paragraphs: list[str],
    *,
    site: str | None = None,
    canonical: str | None = None,
    author: str | None = None,
    published: str | None = None,
    extra_head: str = "",
) -> str:
    """A news page with navigation, a script and a footer around the article."""
    meta = []
    if site:
        meta.append(f'<meta property="og:site_name" content="{site}">')
    if canonical:
        meta.append(f'<link rel="canonical" href="{canonical}">')
    if author:
        meta.append(f'<meta name="author" content="{author}">')
    if published:
        meta.append(f'<meta property="article:published_time" content="{published}">')
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>{''.join(meta)}{extra_head}
<script>document.cookie = "tracked=1"; fetch("/beacon");</script></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1>
{body}
</article>
<footer>Copyright 2026. All rights reserved. Subscribe to our newsletter.</footer>
</body></html>"""


def rss(items: list[tuple[str, str, str]], title: str = "Latest news") -> str:
    """An RSS 2.0 feed of (guid, link, title) items."""
    entries = "".join(
        f"<item><guid>{guid}</guid><link>{link}</link><title>{text}</title>"
        f"<pubDate>Tue, 12 Mar 2024 08:00:00 GMT</pubDate></item>"
        for guid, link, text in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.invalid/</link>{entries}</channel></rss>"
    )


def atom(items: list[tuple[str, str, str]], title: str = "Latest news") -> str:
    """An Atom 1.0 feed of (id, link, title) entries."""
    entries = "".join(
        f'<entry><id>{eid}</id><link rel="alternate" href="{link}"/><title>{text}</title>'
        "<updated>2024-03-12T08:00:00Z</updated></entry>"
        for eid, link, text in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>urn:test:feed</id><updated>2024-03-12T08:00:00Z</updated>"
        f"{entries}</feed>"
    )
