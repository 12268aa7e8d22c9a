"""Quote verification: every quote must be a verbatim slice of its article's stored text.

Matching normalises only whitespace (any run -> one space) and typographic quotes and dashes
(‘’ -> ', “” -> ", – — -> -) on both sides, then does a plain substring search on the
normalised text and maps the hit back to original offsets. No regex is built from a quote and
nothing is fuzzy: a quote that differs in a single letter is not found.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from bot.answer.types import Claim, Reply, Source
from index.types import Article

log = logging.getLogger(__name__)

_CHAR_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-",
}


@dataclass(frozen=True)
class NormalisedText:
    """A normalised text and, for each of its characters, the index in the original."""

    text: str
    offsets: list[int]


def normalise(text: str) -> NormalisedText:
    """Normalise whitespace and typographic quotes/dashes, keeping an offset map.

    Args:
        text: the original text.

    Returns:
        The normalised text; `offsets[i]` is the original index of normalised character `i`.
    """
    chars: list[str] = []
    offsets: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not in_space:
                chars.append(" ")
                offsets.append(i)
            in_space = True
            continue
        in_space = False
        chars.append(_CHAR_MAP.get(ch, ch))
        offsets.append(i)
    return NormalisedText("".join(chars), offsets)


class QuoteLocator:
    """Finds quotes in one article text; the normalised form is computed once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._norm = normalise(text)

    def find_all(self, quote: str) -> list[tuple[int, int]]:
        """All (start, end) spans of the original text that match `quote` after normalising."""
        needle = normalise(quote).text.strip()
        if not needle:
            return []
        spans = []
        hay = self._norm.text
        at = hay.find(needle)
        while at != -1:
            start = self._norm.offsets[at]
            end = self._norm.offsets[at + len(needle) - 1] + 1
            spans.append((start, end))
            at = hay.find(needle, at + 1)
        return spans

    def locate(self, quote: str, near: int | None = None) -> tuple[int, int] | None:
        """The span of `quote`, the one nearest `near` when it occurs more than once."""
        spans = self.find_all(quote)
        if not spans:
            return None
        if near is None:
            return spans[0]
        return min(spans, key=lambda s: abs(s[0] - near))


def locate_quote(quote: str, text: str, near: int | None = None) -> tuple[int, int] | None:
    """Where `quote` occurs verbatim (up to whitespace and typographic marks) in `text`.

    Args:
        quote: the words to find.
        text: the stored article text.
        near: preferred start offset when the quote occurs more than once.

    Returns:
        (start, end) into `text`, or None when the quote is not there.
    """
    return QuoteLocator(text).locate(quote, near)


def is_exact(source: Source, article: Article | None) -> bool:
    """True when the source's quote is exactly `article.text[start:end]` and not blank."""
    if article is None or not source.quote.strip():
        return False
    if not 0 <= source.start < source.end <= len(article.text):
        return False
    return article.text[source.start : source.end] == source.quote


def anchor_source(source: Source, article: Article | None) -> Source | None:
    """Re-locate a source's quote in its article and return it with exact offsets.

    The quote is replaced by the stored text's own slice (so typographic marks and
    whitespace are the article's), which makes `quote == text[start:end]` hold exactly.

    Returns:
        The anchored source, or None when the quote is not verbatim in the article.
    """
    if article is None:
        return None
    if is_exact(source, article):
        return source
    span = locate_quote(source.quote, article.text, near=source.start)
    if span is None:
        return None
    start, end = span
    return source.model_copy(update={"quote": article.text[start:end], "start": start,
                                     "end": end})


def verify_reply(reply: Reply, articles: Mapping[str, Article]) -> Reply:
    """Drop every source whose quote is not verbatim, and every claim left without sources.

    Sources are renumbered 1..n in order; claims keep their order and cite the new numbers.
    What was dropped is recorded in `reply.notes`.

    Args:
        reply: a composed reply (from any composer).
        articles: the stored articles by id.

    Returns:
        A reply whose every source satisfies `quote == article.text[start:end]`.
    """
    kept: list[Source] = []
    renumber: dict[int, int] = {}
    dropped_sources = 0
    for source in reply.sources:
        anchored = anchor_source(source, articles.get(source.article_id))
        if anchored is None:
            dropped_sources += 1
            log.warning("dropped source %s: quote not verbatim in %s", source.id,
                        source.article_id)
            continue
        renumber[source.id] = len(kept) + 1
        kept.append(anchored.model_copy(update={"id": len(kept) + 1}))
    claims: list[Claim] = []
    dropped_claims = 0
    for claim in reply.claims:
        cited = [renumber[s] for s in claim.sources if s in renumber]
        if not cited:
            dropped_claims += 1
            continue
        claims.append(Claim(text=claim.text, sources=sorted(set(cited)), side=claim.side))
    notes = list(reply.notes)
    if dropped_sources:
        notes.append(f"{dropped_sources} quote(s) dropped: not verbatim in the stored text")
    if dropped_claims:
        notes.append(f"{dropped_claims} claim(s) dropped: no verified source left")
    return reply.model_copy(update={"sources": kept, "claims": claims, "notes": notes})


def all_quotes_verbatim(reply: Reply, articles: Mapping[str, Article]) -> bool:
    """True when every source of the reply is an exact slice of its article."""
    return all(is_exact(s, articles.get(s.article_id)) for s in reply.sources)
