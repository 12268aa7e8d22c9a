"""Fetching web pages and feeds for moderators, safely (the bot fetches URLs strangers paste).

What a fetch will and will not do:

- only `http` and `https` URLs, with no user name or password in them;
- every address a host name resolves to is checked, at connect time, by the resolver the
  connection itself uses (so a second DNS answer cannot swap in another address): loopback,
  private, link-local, multicast, reserved and other non-public addresses are refused, unless
  the host is listed in `allow_hosts` or the address is loopback and `allow_loopback` is set;
- redirects are followed by hand, at most `max_redirects`, and every hop is checked again;
- one time limit covers the whole fetch, redirects included; the body is read in pieces and
  refused once it passes `max_bytes` (after decompression), or at once when the declared
  `Content-Length` is too large; the content type must be one the caller accepts;
- a clear `User-Agent`, no cookies kept, no proxy from the environment, no `Referer`;
- the body is returned as bytes: nothing in it is ever executed.

Every refusal or failure is a `FetchError` whose message is one line for the moderator.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/x-rss+xml",
)
REDIRECTS = frozenset({301, 302, 303, 307, 308})
DEFAULT_USER_AGENT = "factbot/0.1 (Discord fact-check bot; fetches pages moderators add)"
_CHUNK = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """A fetch failed or was refused; `str(error)` is one line for the moderator."""


class FetchRefused(FetchError):
    """Refused by policy (scheme, address, size, type, redirects) before or while fetching."""


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """The limits of one fetch. Build it from the settings with `FetchPolicy.from_settings`."""

    timeout: float = 15.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allow_hosts: frozenset[str] = frozenset()
    allow_loopback: bool = False
    user_agent: str = DEFAULT_USER_AGENT

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        """The policy the settings' "live news" section describes."""
        return cls(
            timeout=settings.fetch_timeout_seconds,
            max_bytes=settings.fetch_max_bytes,
            max_redirects=settings.fetch_max_redirects,
            allow_hosts=frozenset(h.lower().rstrip(".") for h in settings.fetch_allow_hosts),
            allow_loopback=settings.fetch_allow_loopback,
            user_agent=settings.fetch_user_agent,
        )


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A successful fetch: status 200 with its body, or 304 (not modified) with none."""

    url: str  # the final URL, after redirects
    status: int
    body: bytes = b""
    content_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def blocked_reason(address: IPAddress) -> str | None:
    """Why an address must not be fetched from, or None for a public unicast address."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_private:
        return "a private address"
    if address.is_reserved or not address.is_global:
        return "a reserved, non-public address"
    return None


def check_address(host: str, address: str, policy: FetchPolicy) -> None:
    """Refuse an address a host resolved to (or an IP literal) unless the policy allows it.

    Raises:
        FetchRefused: the address is not public and neither the host nor loopback is allowed.
    """
    if host.lower().rstrip(".") in policy.allow_hosts:
        return
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        raise FetchRefused(f"refused: {host} resolved to something that is not an IP") from None
    reason = blocked_reason(ip)
    if reason is None:
        return
    mapped = getattr(ip, "ipv4_mapped", None) or ip
    if policy.allow_loopback and mapped.is_loopback:
        return
    shown = host if host == address else f"{host} ({address})"
    raise FetchRefused(f"refused: {shown} is {reason}")


def check_url(url: str | URL, policy: FetchPolicy) -> URL:
    """Parse and check a URL before any connection: scheme, credentials, IP literals.

    Raises:
        FetchRefused: not http(s), no host, credentials in the URL, or a blocked IP literal.
    """
    try:
        parsed = url if isinstance(url, URL) else URL(str(url).strip())
    except (ValueError, TypeError):
        raise FetchRefused("refused: that is not a valid URL") from None
    scheme = (parsed.scheme or "").lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(f"refused: only http and https links, not {scheme or 'no scheme'}")
    if not parsed.host:
        raise FetchRefused("refused: the link has no host name")
    if parsed.user is not None or parsed.password is not None:
        raise FetchRefused("refused: links with a user name or password are not fetched")
    host = parsed.host.strip("[]")
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return parsed.with_fragment(None)
    check_address(host, host, policy)  # aiohttp does not resolve IP literals: check them here
    return parsed.with_fragment(None)


class GuardedResolver(AbstractResolver):
    """The connection's own resolver: every address a name resolves to is checked.

    Refusing here, not in a separate look-up, means the addresses checked are the addresses
    connected to (no window for a second DNS answer to differ).
    """

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        self._inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            check_address(host, result["host"], self.policy)
        return results

    async def close(self) -> None:
        await self._inner.close()


class Fetcher:
    """A session for one or more guarded fetches; use as `async with Fetcher(policy) as f`."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(self.policy), use_dns_cache=False, limit=8
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            headers={"User-Agent": self.policy.user_agent},
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.policy.timeout),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def get(
        self,
        url: str,
        accept: Iterable[str],
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """Fetch one URL under the policy, following redirects by hand.

        Args:
            url: the link to fetch.
            accept: content types (without parameters) the caller can use.
            etag, last_modified: validators from an earlier fetch, for a conditional request.

        Returns:
            The result; `status` is 304 when the validators still match.

        Raises:
            FetchError: refused or failed; the message is one line for the moderator.
        """
        if self._session is None:
            raise RuntimeError("use Fetcher as an async context manager")
        accepted = tuple(t.lower() for t in accept)
        try:
            async with asyncio.timeout(self.policy.timeout):
                return await self._follow(url, accepted, etag, last_modified)
        except TimeoutError:
            raise FetchError(
                f"gave up: no complete answer within {self.policy.timeout:g} s"
            ) from None

    async def _follow(
        self, url: str, accepted: tuple[str, ...], etag: str | None, last_modified: str | None
    ) -> FetchResult:
        current = check_url(url, self.policy)
        hops: list[str] = []
        while True:
            headers = {"Accept": ", ".join(accepted) + ", */*;q=0.1"}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            async with self._request(current, headers) as response:
                if response.status in REDIRECTS:
                    current = self._next_hop(current, response, hops)
                    continue
                return await self._result(current, response, accepted, hops)

    def _request(self, url: URL, headers: dict[str, str]) -> _Guarded:
        if self._session is None:
            raise RuntimeError("use Fetcher as an async context manager")
        return _Guarded(self._session.get(url, headers=headers, allow_redirects=False), url)

    def _next_hop(self, current: URL, response: aiohttp.ClientResponse, hops: list[str]) -> URL:
        location = response.headers.get("Location")
        if not location:
            raise FetchError(f"the server answered {response.status} with no redirect target")
        hops.append(str(current))
        if len(hops) > self.policy.max_redirects:
            raise FetchRefused(f"refused: more than {self.policy.max_redirects} redirects")
        try:
            target = current.join(URL(location))
        except ValueError:
            raise FetchRefused("refused: the redirect target is not a valid URL") from None
        return check_url(target, self.policy)

    async def _result(
        self,
        url: URL,
        response: aiohttp.ClientResponse,
        accepted: tuple[str, ...],
        hops: list[str],
    ) -> FetchResult:
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if response.status == 304:
            return FetchResult(url=str(url), status=304, etag=etag, last_modified=last_modified,
                               redirects=hops)
        if response.status != 200:
            reason = f" {response.reason}" if response.reason else ""
            raise FetchError(f"the server answered {response.status}{reason}")
        content_type = (response.content_type or "").lower()
        if content_type not in accepted:
            shown = content_type or "none given"
            raise FetchRefused(f"refused: wrong content type ({shown})")
        declared = response.content_length
        if declared is not None and declared > self.policy.max_bytes:
            raise FetchRefused(self._too_large())
        body = bytearray()
        async for piece in response.content.iter_chunked(_CHUNK):
            body += piece
            if len(body) > self.policy.max_bytes:
                raise FetchRefused(self._too_large())
        return FetchResult(
            url=str(url),
            status=200,
            body=bytes(body),
            content_type=content_type,
            charset=response.charset,
            etag=etag,
            last_modified=last_modified,
            redirects=hops,
        )

    def _too_large(self) -> str:
        return f"refused: larger than {self.policy.max_bytes:,} bytes"


class _Guarded:
    """Wraps a request context so transport errors become one-line `FetchError`s."""

    def __init__(self, request: Any, url: URL) -> None:
        self._request = request
        self._url = url
        self._response: aiohttp.ClientResponse | None = None

    async def __aenter__(self) -> aiohttp.ClientResponse:
        try:
            self._response = await self._request.__aenter__()
        except FetchError:
            raise
        except aiohttp.ClientConnectorError as err:
            cause = err.os_error
            if isinstance(cause, FetchError):
                raise cause from None
            raise FetchError(f"could not connect to {self._url.host} ({_why(cause)})") from None
        except aiohttp.ClientError as err:
            raise FetchError(f"the request to {self._url.host} failed ({_why(err)})") from None
        return self._response

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        try:
            await self._request.__aexit__(exc_type, exc, tb)
        except aiohttp.ClientError:
            log.debug("error while closing a response", exc_info=True)
        if isinstance(exc, aiohttp.ClientPayloadError):
            raise FetchError(f"the answer from {self._url.host} broke off") from None
        if isinstance(exc, aiohttp.ClientError) and not isinstance(exc, FetchError):
            raise FetchError(f"the request to {self._url.host} failed ({_why(exc)})") from None


def _why(err: BaseException) -> str:
    if isinstance(err, socket.gaierror):
        return "the host name does not resolve"
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if isinstance(err, aiohttp.ClientSSLError | aiohttp.ServerFingerprintMismatch):
        return "TLS certificate problem"
    text = str(err).splitlines()[0] if str(err) else ""
    return text[:120] or type(err).__name__


async def fetch(
    url: str,
    policy: FetchPolicy,
    accept: Iterable[str],
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    """One guarded fetch in its own session (see `Fetcher.get`)."""
    async with Fetcher(policy) as fetcher:
        return await fetcher.get(url, accept, etag=etag, last_modified=last_modified)
