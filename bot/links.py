"""Citation links: an article's URL with a text fragment that scrolls to the quoted words.

`quote_link(url, quote)` gives `url#:~:text=...` (the URL Fragment Text Directive, supported
by Chromium-based browsers and Safari; others simply open the page). Short quotes are matched
whole; longer ones, and quotes over several paragraphs, as `start,end` (the first and last
words), since one term cannot match across paragraphs and long URLs get cut. Used by the
terminal renderer and meant for the Discord renderer too, so both link the same way.
"""

from __future__ import annotations

from urllib.parse import quote as percent_encode
from urllib.parse import urldefrag, urlsplit

WHOLE_WORDS = 10  # quotes of up to this many words (one paragraph) are matched whole
EDGE_WORDS = 5  # otherwise: this many words from the start and from the end


def _encode(term: str) -> str:
    # `-`, `,` and `&` are the directive's own syntax: they must be percent-encoded too
    return percent_encode(term, safe="").replace("-", "%2D")


def text_directive(quote: str) -> str | None:
    """The `text=` directive for a quote (None for a quote with no words)."""
    paragraphs = [" ".join(p.split()) for p in quote.split("\n") if p.strip()]
    if not paragraphs:
        return None
    first, last = paragraphs[0].split(" "), paragraphs[-1].split(" ")
    if len(paragraphs) == 1 and len(first) <= WHOLE_WORDS:
        return "text=" + _encode(paragraphs[0])
    start = " ".join(first[:EDGE_WORDS])
    end = " ".join(last[-EDGE_WORDS:])
    return f"text={_encode(start)},{_encode(end)}"


def quote_link(url: str | None, quote: str | None) -> str | None:
    """The article URL with a text fragment for the quote; None when there is no http(s) URL.

    Args:
        url: the article's URL (any fragment it has is replaced).
        quote: the verbatim quote; without one the plain URL is returned.
    """
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(
        ch.isspace() for ch in url
    ):
        return None
    base = urldefrag(url).url
    directive = text_directive(quote or "")
    return f"{base}#:~:{directive}" if directive else base
