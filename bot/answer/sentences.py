"""Sentences of an article with their offsets, and which of them may be cited.

Lines are split into sentences at `.`, `!`, `?` (with closing quotes) followed by a space and
an upper-case letter, digit or opening quote, except after common abbreviations. A sentence
is citable only when it reads like body text: it ends with terminal punctuation, has enough
words, is not the headline repeated, not a teaser ending in an ellipsis and not a
"Read more" / "Source:" style line. Headlines, captions without a full stop and lists of
other stories therefore never become evidence.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass

from bot.answer.lru import BoundedCache
from bot.answer.verify import normalise
from index.search import words
from index.types import Article

MIN_CITABLE_WORDS = 6  # shorter lines are labels, bylines or headline fragments
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_TERMINAL = re.compile(r"[.!?][\"'”’)\]]*\s*$")
_ABBREVIATIONS = frozenset(
    words("mr mrs ms dr st gen lt col sgt maj capt prof rev sen rep gov jr sr inc ltd co corp "
          "vs no jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k e.g i.e approx")
)
SPLIT_CACHE_SIZE = 4096  # articles whose sentence splits are kept
_JUNK_PREFIXES = ("read more", "source:", "see more", "listen", ">>", "©", "related",
                  "advertisement", "sign up", "subscribe", "share this", "click here")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of an article: `text == article.text[start:end]`."""

    article_id: str
    start: int
    end: int
    text: str
    citable: bool


def _split_line(line: str, base: int) -> list[tuple[int, int]]:
    spans = []
    begin = 0
    for match in _BOUNDARY.finditer(line):
        head = line[begin : match.start()].rstrip("\"'”’)]")
        last = head.split()[-1].rstrip(".").lower() if head.split() else ""
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        spans.append((base + begin, base + match.start()))
        begin = match.end()
    spans.append((base + begin, base + len(line.rstrip())))
    return [(s, e) for s, e in spans if e > s]


def _norm_title(text: str) -> str:
    return " ".join(normalise(text).text.lower().split()).strip(" .\"'")


def is_citable(text: str, title: str | None = None) -> bool:
    """Whether a sentence reads like body text that may be quoted as evidence.

    Args:
        text: the sentence.
        title: the article's headline, if known (a repeated headline is not citable).

    Returns:
        False for headlines, teasers, captions without a full stop, short labels and
        "Read more"-style lines.
    """
    stripped = text.strip()
    if len(stripped.split()) < MIN_CITABLE_WORDS:
        return False
    lowered = stripped.lower()
    if lowered.startswith(_JUNK_PREFIXES):
        return False
    if stripped.endswith(("…", "...")) or not _TERMINAL.search(stripped):
        return False
    if title:
        norm_title, norm_text = _norm_title(title), _norm_title(stripped)
        if norm_title and (norm_text == norm_title or norm_title in norm_text
                           and len(norm_text) < len(norm_title) * 1.3):
            return False
    return True


def article_key(article: Article) -> Hashable:
    """What identifies an article's text and headline in a cache: its id and content hash
    (the text and title themselves for an article built without a hash)."""
    if article.content_hash:
        return (article.id, article.content_hash)
    return (article.id, article.text, article.meta.title)


def split_sentences(article: Article) -> list[Sentence]:
    """All sentences of an article, in order, with offsets and citability.

    Args:
        article: a stored article.

    Returns:
        Sentences covering every non-blank line of the text (a new list; see
        `article_sentences` for the shared, cached tuple).
    """
    return list(article_sentences(article))


def article_sentences(article: Article) -> tuple[Sentence, ...]:
    """`split_sentences` as the cached tuple itself (split once per article, LRU-bounded)."""
    return _SPLITS.get(article_key(article), lambda: _split(article))


_SPLITS: BoundedCache[Hashable, tuple[Sentence, ...]] = BoundedCache(SPLIT_CACHE_SIZE)


def _split(article: Article) -> tuple[Sentence, ...]:
    text, title = article.text, article.meta.title
    out = []
    pos = 0
    for line in text.split("\n"):
        lead = len(line) - len(line.lstrip())
        if line.strip():
            for start, end in _split_line(line[lead:], pos + lead):
                sentence = text[start:end]
                out.append(Sentence(article.id, start, end, sentence,
                                    is_citable(sentence, title)))
        pos += len(line) + 1
    return tuple(out)


def sentences_in_span(article: Article, start: int, end: int) -> list[Sentence]:
    """Sentences that overlap the span [start, end) of the article text by at least half."""
    picked = []
    for sentence in article_sentences(article):
        overlap = min(end, sentence.end) - max(start, sentence.start)
        if overlap > 0 and overlap * 2 >= sentence.end - sentence.start:
            picked.append(sentence)
    return picked
