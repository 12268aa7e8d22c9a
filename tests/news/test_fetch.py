"""Fetching safely: schemes, addresses after DNS and after every redirect, limits, types."""

from __future__ import annotations

import ipaddress
import time

import pytest

from index.fetch import (
    FEED_TYPES,
    HTML_TYPES,
    FetchError,
    FetchPolicy,
    FetchRefused,
    blocked_reason,
    check_url,
    fetch,
)
from tests.news.server import NewsServer, Page, article_html

LOOPBACK = FetchPolicy(allow_loopback=True, timeout=2.0, max_bytes=50_000, max_redirects=3)
PAGE = article_html("Bridge reopens after repairs", ["The bridge reopened on Monday."] * 3)


def _redirect(to: str, status: int = 302) -> Page:
    return Page(status=status, headers={"Location": to}, content_type=None)


async def _refused(url: str, policy: FetchPolicy = LOOPBACK, accept=HTML_TYPES) -> str:
    with pytest.raises(FetchError) as caught:
        await fetch(url, policy, accept)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 200  # one clear line
    return message


async def test_page_is_fetched_with_a_clear_user_agent_and_no_cookies(server: NewsServer) -> None:
    server.routes["/a"] = Page(PAGE, headers={"Set-Cookie": "session=abc; Path=/"})
    first = await fetch(server.url("/a"), LOOPBACK, HTML_TYPES)
    await fetch(server.url("/a"), LOOPBACK, HTML_TYPES)
    assert first.status == 200 and first.body.decode() == PAGE and first.charset == "utf-8"
    first_seen, second_seen = server.requests
    assert first_seen.headers["user-agent"].startswith("factbot/")
    assert "cookie" not in second_seen.headers and "referer" not in second_seen.headers
    assert server.paths() == ["/a", "/a"]  # nothing in the page (its script) was run


async def test_redirect_chain_is_followed_and_recorded(server: NewsServer) -> None:
    server.routes["/r1"] = _redirect("/r2", 301)
    server.routes["/r2"] = _redirect(server.url("/r3"), 307)
    server.routes["/r3"] = _redirect("/a", 308)
    server.routes["/a"] = Page(PAGE)
    result = await fetch(server.url("/r1"), LOOPBACK, HTML_TYPES)
    assert result.url == server.url("/a")
    assert result.redirects == [server.url(p) for p in ("/r1", "/r2", "/r3")]


async def test_too_many_redirects_are_refused(server: NewsServer) -> None:
    for n in range(5):
        server.routes[f"/loop{n}"] = _redirect(f"/loop{n + 1}")
    message = await _refused(server.url("/loop0"))
    assert message == "refused: more than 3 redirects"
    assert len(server.requests) == 4


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("http://10.20.30.40/admin", "10.20.30.40 is a private address"),
        ("http://192.168.1.1/", "192.168.1.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[fe80::1]/", "fe80::1 is a link-local address"),
        ("http://[::ffff:10.0.0.1]/", "is a private address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://0.0.0.0/", "0.0.0.0 is"),
        ("file:///etc/passwd", "only http and https links, not file"),
        ("gopher://127.0.0.1:70/", "only http and https links, not gopher"),
    ],
)
async def test_redirect_to_a_private_address_or_other_scheme_is_refused(
    server: NewsServer, target: str, why: str
) -> None:
    server.routes["/go"] = _redirect(target)
    started = time.monotonic()
    message = await _refused(server.url("/go"))
    assert message.startswith("refused: ") and why in message
    assert time.monotonic() - started < 1.0  # refused before any connection attempt
    assert server.paths() == ["/go"]


async def test_loopback_is_refused_by_default_before_and_after_dns(server: NewsServer) -> None:
    server.routes["/a"] = Page(PAGE)
    default = FetchPolicy()
    assert await _refused(server.url("/a"), default) == "refused: 127.0.0.1 is a loopback address"
    by_name = await _refused(f"http://localhost:{server.port}/a", default)
    assert by_name == "refused: localhost (127.0.0.1) is a loopback address"  # after DNS
    assert "::1 is a loopback address" in await _refused(f"http://[::1]:{server.port}/", default)
    assert server.requests == []  # nothing ever reached the server


async def test_an_allowed_host_is_fetched_but_its_redirects_are_checked_again(
    server: NewsServer,
) -> None:
    server.routes["/a"] = Page(PAGE)
    server.routes["/bounce"] = _redirect(server.url("/a"))  # to 127.0.0.1, not allowed
    policy = FetchPolicy(allow_hosts=frozenset({"localhost"}), timeout=2.0)
    result = await fetch(f"http://localhost:{server.port}/a", policy, HTML_TYPES)
    assert result.status == 200
    message = await _refused(f"http://localhost:{server.port}/bounce", policy)
    assert message == "refused: 127.0.0.1 is a loopback address"
    assert server.paths() == ["/a", "/bounce"]


async def test_credentials_and_non_urls_are_refused() -> None:
    assert "user name or password" in await _refused("http://user:pw@example.com/")
    assert "only http and https" in await _refused("example.com/article")
    assert "only http and https" in await _refused("javascript:alert(1)")


async def test_huge_body_is_refused_by_declared_length_and_while_streaming(
    server: NewsServer,
) -> None:
    server.routes["/declared"] = Page("x" * 10, length=10_000_000)
    server.routes["/streamed"] = Page("<p>" + "x" * 500_000, length=-1, pieces=50)
    started = time.monotonic()
    assert await _refused(server.url("/declared")) == "refused: larger than 50,000 bytes"
    assert await _refused(server.url("/streamed")) == "refused: larger than 50,000 bytes"
    assert time.monotonic() - started < 2.0


async def test_gzip_bomb_is_measured_after_decompression(server: NewsServer) -> None:
    import gzip

    bomb = gzip.compress(b"<p>" + b"a" * 5_000_000)
    assert len(bomb) < 50_000
    server.routes["/bomb"] = Page(bomb, headers={"Content-Encoding": "gzip"})
    assert await _refused(server.url("/bomb")) == "refused: larger than 50,000 bytes"


@pytest.mark.parametrize(
    ("content_type", "shown"),
    [("application/pdf", "application/pdf"), ("image/png", "image/png"), (None, "application/")],
)
async def test_wrong_content_type_is_refused(
    server: NewsServer, content_type: str | None, shown: str
) -> None:
    server.routes["/x"] = Page(b"%PDF-1.7", content_type=content_type)
    message = await _refused(server.url("/x"))
    assert message.startswith("refused: wrong content type (") and shown in message


async def test_feed_types_are_accepted_for_feeds_only(server: NewsServer) -> None:
    server.routes["/feed"] = Page("<rss/>", content_type="application/rss+xml")
    assert (await fetch(server.url("/feed"), LOOPBACK, FEED_TYPES)).body == b"<rss/>"
    assert "wrong content type (application/rss+xml)" in await _refused(server.url("/feed"))


async def test_slow_server_and_slow_body_hit_the_time_limit(server: NewsServer) -> None:
    policy = FetchPolicy(allow_loopback=True, timeout=0.5)
    server.routes["/slow"] = Page(PAGE, delay=3)
    server.routes["/drip"] = Page(PAGE, pieces=20, drip=0.1)
    for path in ("/slow", "/drip"):
        started = time.monotonic()
        assert await _refused(server.url(path), policy) == (
            "gave up: no complete answer within 0.5 s"
        )
        assert time.monotonic() - started < 1.5


async def test_http_errors_and_dead_hosts_are_one_line(server: NewsServer) -> None:
    assert await _refused(server.url("/missing")) == "the server answered 404 Not Found"
    port = server.port
    server.__exit__(None, None, None)
    message = await _refused(f"http://127.0.0.1:{port}/a")
    assert message == "could not connect to 127.0.0.1 (connection refused)"
    assert "does not resolve" in await _refused("http://no-such-host.invalid/", FetchPolicy())


async def test_conditional_request_sends_validators_and_accepts_304(server: NewsServer) -> None:
    from tests.news.server import conditional

    server.routes["/feed"] = conditional(Page("<rss/>", content_type="text/xml"), '"v1"')
    first = await fetch(server.url("/feed"), LOOPBACK, FEED_TYPES)
    assert first.etag == '"v1"'
    second = await fetch(server.url("/feed"), LOOPBACK, FEED_TYPES, etag=first.etag)
    assert second.not_modified and second.body == b""
    assert server.requests[1].headers["if-none-match"] == '"v1"'


def test_blocked_reasons_cover_every_non_public_range() -> None:
    def reason(text: str) -> str | None:
        return blocked_reason(ipaddress.ip_address(text))

    assert reason("93.184.216.34") is None and reason("2606:4700::1111") is None
    for address in ("127.0.0.2", "10.0.0.1", "172.16.5.5", "100.64.0.1", "169.254.0.1",
                    "::1", "fc00::1", "fe80::1", "ff02::1", "239.1.1.1", "::ffff:127.0.0.1",
                    "198.18.0.1", "240.0.0.1", "0.0.0.0"):
        assert reason(address) is not None, address


def test_check_url_drops_the_fragment_and_accepts_public_literals() -> None:
    checked = check_url("https://93.184.216.34/a#frag", FetchPolicy())
    assert str(checked) == "https://93.184.216.34/a"
    with pytest.raises(FetchRefused, match="no host name"):
        check_url("http:///path", FetchPolicy())
