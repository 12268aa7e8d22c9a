"""Web articles: a fetched page -> main text and metadata -> one `.jsonl` file in the index.

The file is named after the article's canonical URL, so fetching the same article again
(by link, or through another feed entry) rewrites the same file and the incremental build
updates the article instead of adding a second copy. The canonical URL a page declares is
used only when it stays on the page's own site: a page cannot claim another site's address
and overwrite that site's article.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from yarl import URL

from index._html import extract_html
from index.atomic import atomic_write
from index.clean import is_prose
from index.fetch import FetchResult
from index.loaders import normalise_text
from index.metadata import normalise_date

log = logging.getLogger(__name__)

FEEDS_FOLDER = "feeds"
_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.IGNORECASE)
_SLUG = re.compile(r"[^a-z0-9]+")
_FIELDS = ("text", "url", "outlet", "title", "published", "author")  # order in the file


class ExtractError(ValueError):
    """No article could be taken from a page; the message is one line for the moderator."""


@dataclass(frozen=True, slots=True)
class WebArticle:
    """What is kept of a fetched article page."""

    url: str  # canonical URL: the article's identity
    text: str
    outlet: str | None
    title: str | None
    published: str | None
    author: str | None

    def record(self) -> dict[str, str]:
        """The JSON Lines record (the fields `index.loaders` reads)."""
        fields = {
            "text": self.text,
            "url": self.url,
            "outlet": self.outlet,
            "title": self.title,
            "published": self.published,
            "author": self.author,
        }
        return {k: v for k, v in fields.items() if v}


def normalise_url(url: str) -> str:
    """A stable form of a URL: lower-case scheme and host, no default port, no fragment,
    no tracking parameters (`utm_*`, `fbclid`, ...), `/` for an empty path."""
    parsed = URL(url.strip())
    query = [(k, v) for k, v in parse_qsl(parsed.raw_query_string, keep_blank_values=True)
             if not _TRACKING.match(k)]
    host = (parsed.host or "").lower().rstrip(".")
    explicit = parsed.explicit_port
    default = {"http": 80, "https": 443}.get(parsed.scheme.lower())
    port = "" if explicit is None or explicit == default else f":{explicit}"
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    path = parsed.raw_path or "/"
    out = f"{parsed.scheme.lower()}://{host}{port}{path}"
    if query:
        out += "?" + urlencode(query)
    return out


def _site(host: str | None) -> str:
    host = (host or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def canonical_url(declared: str | None, final_url: str) -> str:
    """The article's identity: the page's declared canonical URL when it is on the same site
    (same host, ignoring `www.`) and uses http(s); otherwise the URL it was fetched from."""
    final = URL(final_url)
    if declared:
        try:
            candidate = final.join(URL(declared.strip()))
        except ValueError:
            candidate = None
        if (
            candidate is not None
            and candidate.scheme in ("http", "https")
            and _site(candidate.host) == _site(final.host)
        ):
            return normalise_url(str(candidate))
        log.info("ignoring canonical URL %r declared by %s (another site)", declared, final_url)
    return normalise_url(final_url)


def decode_page(result: FetchResult) -> str:
    """The page as text: the declared charset, else UTF-8, else a detected encoding."""
    body = result.body
    if result.charset:
        try:
            return body.decode(result.charset)
        except (LookupError, UnicodeDecodeError):
            log.info("%s: declared charset %s does not decode", result.url, result.charset)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from trafilatura.utils import detect_encoding

    for guess in detect_encoding(body):
        try:
            return body.decode(guess)
        except (LookupError, UnicodeDecodeError):
            continue
    raise ExtractError("the page's text encoding could not be read")


def article_from_page(
    result: FetchResult,
    *,
    outlet: str | None = None,
    title: str | None = None,
    published: str | None = None,
) -> WebArticle:
    """Extract the article from a fetched HTML page (trafilatura).

    Args:
        result: a 200 fetch of an HTML page.
        outlet, title, published: values a moderator gave (for a feed: its outlet); they win
            over what the page declares. Without them the outlet is only what the page
            declares about itself (`og:site_name`, ...), never a guess from the host name.

    Raises:
        ExtractError: no article text on the page.
    """
    body, meta = extract_html(decode_page(result))
    paragraphs = [line.strip() for line in normalise_text(body).split("\n") if line.strip()]
    if not any(is_prose(p) for p in paragraphs):  # a menu or a script-built page: no sentences
        raise ExtractError("no article text found on that page")
    date = published or meta.published
    return WebArticle(
        url=canonical_url(meta.url, result.url),
        # one paragraph per line from trafilatura; blank lines separate paragraphs in .jsonl
        text="\n\n".join(paragraphs),
        outlet=outlet or meta.outlet,
        title=title or meta.title,
        published=normalise_date(date) or date,
        author=meta.author,
    )


def article_filename(url: str) -> str:
    """A readable, stable file name for a canonical URL: `host-path-slug-<hash>.jsonl`."""
    parsed = URL(url)
    slug = _SLUG.sub("-", f"{_site(parsed.host)} {parsed.path}".lower()).strip("-")[:70]
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]
    return f"{slug.strip('-') or 'article'}-{digest}.jsonl"


def write_article(folder: Path, article: WebArticle) -> tuple[Path, str]:
    """Write (or rewrite) the article's file atomically.

    Metadata the new fetch lacks (outlet, title, date, author) is kept from the earlier file.

    Returns:
        The path and what happened: `added`, `updated` or `unchanged`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / article_filename(article.url)
    record = article.record()
    state = "added"
    if path.is_file():
        state = "updated"
        for name, value in _earlier_record(path).items():
            # a refetch that lacks a field keeps the earlier one (e.g. the outlet a feed or a
            # moderator gave, when the same link is added again without one)
            if name in _FIELDS and name not in record and isinstance(value, str) and value:
                record[name] = value
    ordered = {k: record[k] for k in _FIELDS if k in record}
    data = (json.dumps(ordered, ensure_ascii=False) + "\n").encode("utf-8")
    if state == "updated" and path.read_bytes() == data:
        return path, "unchanged"
    atomic_write(path, data)
    return path, state


def _earlier_record(path: Path) -> dict[str, object]:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}
