"""Hybrid retrieval: dense (Chroma, cosine) and lexical (BM25 via `bm25s`), fused.

Fusion is by relative score (as Weaviate's `relativeScoreFusion`): each side's scores are
scaled to [0, 1] within the query (cosine: min-max; BM25: share of the best), then averaged.
Reciprocal-rank fusion was used before; it flattens score gaps, so a chunk with a BM25 score
ten times the next one but a middling cosine could fall out of the top k behind chunks that
were only middling on both sides (e.g. the one chunk quoting "tanks are sold at any ...").
A small RRF term is kept as a tie-breaker.

The lexical side works on normalised tokens (`lexical_tokens`): lower-cased, accents folded,
thousands separators removed from numbers, a light suffix stemmer, a few generic inflection
groups (died/dead/death) and a transliteration key that makes spelling variants of names
meet (y/i, kh/h, doubled letters). The same function tokenises chunks and queries, so both
sides agree.

Results keep several outlets: at most `per_article` chunks of one article are returned before
lower-ranked chunks of other articles are considered.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from index.types import Article, Chunk, Hit

if TYPE_CHECKING:
    from index.lexical import LexicalIndex

log = logging.getLogger(__name__)

RRF_K = 60  # the usual RRF constant (Cormack et al. 2009); flattens rank differences deep down
RRF_WEIGHT = 1.0  # RRF's share next to the relative scores (1/(60+1) ~ 0.016 at most)
DENSE_FUSION_WEIGHT = 0.5
LEXICAL_FUSION_WEIGHT = 0.5
CANDIDATES_PER_SIDE = 40  # how deep each retriever is read before fusion
DEFAULT_PER_ARTICLE = 2  # chunks of one article kept before other articles get a turn
TOKEN_CACHE_SIZE = 65_536  # texts (sentences, titles, queries) and words tokenised recently

def words(text: str) -> list[str]:
    """The whitespace-separated words of a literal word list."""
    return text.split()


_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
# Spelling and inflection variants that never change meaning, mapped to one term (lexical
# side only; the dense side and the judge handle paraphrase). Generic English only: no
# names or words chosen for a particular corpus.
_SYNONYM_GROUPS = {
    "km": "km kilometre kilometres kilometer kilometers",
    "lose": "lose lost loses losing loss losses",
    "kill": "kill killed killing killings",
    "deny": "deny denied denies denial",
    "die": "die died dies dying dead death deaths",
    "people": "people persons",
}
# Multi-word expressions read as one term before tokenising (folded text).
_PHRASES = [
    (re.compile(r"\b(?:take|takes|took|taken|taking) part\b"), " involve "),
]
_ALIASES: dict[str, str] = {}


STOPWORDS = frozenset(
    words(
        """a an and are as at be been being but by can could did do does done for from had has have
        he her his how i if in into is it its me my no nor not of on or our she so than
        that the their them then there these they this those to was we were what when
        where which who whom why will with would you your yes about after before also
        any all many much more most some such only over under up down out s t just very
        should shall may might must ours him himself herself itself themselves"""
    )
)


class SearchableReader(Protocol):
    """What the searcher needs from an index reader (`index.store.IndexReader` and
    `bot.answer.memory_index.MemoryReader` have it)."""

    @property
    def articles(self) -> Mapping[str, Article]: ...

    @property
    def lexical(self) -> LexicalIndex: ...

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]: ...

    def dense_search(self, query: str, k: int) -> list[tuple[Chunk, float]]: ...


def fold(text: str) -> str:
    """Lower-case and strip accents (NFKD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def translit_key(token: str) -> str:
    """A spelling-variant key: y/j read as i, kh as h, doubled letters collapsed."""
    if token.isdigit():
        return token
    key = token.replace("kh", "h").replace("y", "i").replace("j", "i")
    return re.sub(r"(.)\1+", r"\1", key)


def stem(token: str) -> str:
    """A light English suffix stemmer (plural, then -ing/-ed/-ment, final e); numbers kept.

    Plural first, then one verb/noun suffix, so "warnings", "warning" and "warned" meet.
    """
    if token.isdigit() or len(token) <= 3:
        return token
    for suffixes in (_PLURAL_SUFFIXES, _WORD_SUFFIXES):
        for suffix, repl in suffixes:
            if token.endswith(suffix) and len(token) - len(suffix) >= 3:
                if suffix == "s" and token.endswith("ss"):
                    break
                token = token[: len(token) - len(suffix)] + repl
                break
    if token.endswith("e") and len(token) > 4:
        token = token[:-1]
    return token


_PLURAL_SUFFIXES = (("ies", "y"), ("sses", "ss"), ("es", "e"), ("s", ""))
_WORD_SUFFIXES = (("ment", ""), ("ing", ""), ("ed", ""))


for _canonical, _members in _SYNONYM_GROUPS.items():
    for _member in _members.split():
        _ALIASES[_member] = _canonical
        _ALIASES[stem(_member)] = _canonical


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def normalise_token(raw: str) -> str:
    """Canonical form of one folded word: number without separators, alias, stem, key."""
    if raw[0].isdigit():
        return raw.replace(",", "").split(".")[0] if re.fullmatch(r"[0-9,]+(\.[0-9]+)?", raw) \
            else raw
    word = _ALIASES.get(raw)
    if word is None:
        stemmed = stem(raw)
        word = _ALIASES.get(stemmed, stemmed)
    return translit_key(word)


def rewrite_phrases(folded: str) -> str:
    """Replace multi-word expressions in folded text by their one-word term (`_PHRASES`)."""
    for pattern, repl in _PHRASES:
        folded = pattern.sub(repl, folded)
    return folded


def lexical_tokens(text: str, keep_stopwords: bool = False) -> list[str]:
    """Normalised tokens of a text for BM25 and term overlap.

    Args:
        text: any text (query, chunk, sentence).
        keep_stopwords: keep function words (off for retrieval).

    Returns:
        Tokens in order, e.g. "Greyvale's 40-kilometre strip" -> ["greivale", "40", "km",
        "strip"].
    """
    return list(_tokens_cached(text, keep_stopwords))


def document_tokens(text: str) -> list[str]:
    """`lexical_tokens(text)` without the text cache, for indexing many chunks once each.

    Bulk indexing through the cache would only evict the queries and sentences it is for,
    and keep up to `TOKEN_CACHE_SIZE` chunk texts alive.
    """
    return list(_tokens(text, False))


def _tokens(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    out = []
    for raw in _WORD.findall(rewrite_phrases(fold(text).replace("’", "'"))):
        if not keep_stopwords and raw in STOPWORDS:
            continue
        out.append(normalise_token(raw))
    return tuple(out)


_tokens_cached = lru_cache(maxsize=TOKEN_CACHE_SIZE)(_tokens)


class HybridSearcher:
    """The reader's BM25 index (`reader.lexical`) fused with the reader's dense search.

    Nothing is tokenised or indexed here: the lexical index comes with the reader (saved
    with the build, or built in memory by a `MemoryReader`).
    """

    def __init__(self, reader: SearchableReader) -> None:
        self.reader = reader
        self.lexical: LexicalIndex = reader.lexical

    def idf(self, token: str) -> float:
        """Inverse document frequency of a normalised token over chunks (absent = highest)."""
        return self.lexical.idf(token)

    def lexical_search(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        """Chunks by BM25 score (positive scores only), best first."""
        rows, scores = self.lexical.top(lexical_tokens(query), k)
        if not len(rows):
            return []
        chunks = self.reader.chunks_at([int(r) for r in rows])
        return [(chunk, float(score)) for chunk, score in zip(chunks, scores, strict=True)]

    def search(
        self,
        query: str,
        k: int = 8,
        per_article: int = DEFAULT_PER_ARTICLE,
        candidates: int = CANDIDATES_PER_SIDE,
    ) -> list[Hit]:
        """Hybrid search: dense and BM25 candidates fused by reciprocal rank.

        Args:
            query: the question or claim.
            k: hits to return.
            per_article: at most this many chunks of one article before others get a turn
                (they fill remaining slots afterwards, so `k` hits come back when they exist).
            candidates: depth read from each retriever.

        Returns:
            Hits, best first; `score` is the fused score, with the dense cosine similarity and
            the BM25 score kept where each side found the chunk.

        Raises:
            index.store.StoreUnavailableError: the dense side (Chroma) failed.
        """
        depth = max(candidates, k * 3)
        dense = self.reader.dense_search(query, depth)
        lexical = self.lexical_search(query, depth)
        fused: dict[str, float] = {}
        dense_sim: dict[str, float] = {}
        lex_score: dict[str, float] = {}
        by_id: dict[str, Chunk] = {}
        dense_ids = [c.id for c, _ in dense]  # Chunk.id hashes on every access
        lexical_ids = [c.id for c, _ in lexical]
        for rank, ((chunk, sim), cid) in enumerate(zip(dense, dense_ids, strict=True)):
            fused[cid] = fused.get(cid, 0.0) + RRF_WEIGHT / (RRF_K + rank + 1)
            dense_sim[cid] = sim
            by_id[cid] = chunk
        for rank, ((chunk, score), cid) in enumerate(zip(lexical, lexical_ids, strict=True)):
            fused[cid] = fused.get(cid, 0.0) + RRF_WEIGHT / (RRF_K + rank + 1)
            lex_score[cid] = score
            by_id[cid] = chunk
        if dense:
            top, low = dense[0][1], dense[-1][1]
            span = (top - low) or 1.0
            for (_chunk, sim), cid in zip(dense, dense_ids, strict=True):
                fused[cid] += DENSE_FUSION_WEIGHT * (sim - low) / span
        if lexical:
            best = lexical[0][1] or 1.0
            for (_chunk, score), cid in zip(lexical, lexical_ids, strict=True):
                fused[cid] += LEXICAL_FUSION_WEIGHT * score / best
        ranked = sorted(fused, key=lambda cid: (-fused[cid], cid))
        picked = diversify(ranked, {cid: by_id[cid].article_id for cid in ranked}, k,
                           per_article)
        hits = []
        articles = _articles_of(self.reader.articles, {by_id[cid].article_id for cid in picked})
        for cid in picked:
            chunk = by_id[cid]
            article = articles.get(chunk.article_id)
            if article is None:
                continue
            hits.append(Hit(chunk=chunk, article=article, score=fused[cid],
                            dense_similarity=dense_sim.get(cid),
                            lexical_score=lex_score.get(cid)))
        return hits


def _articles_of(articles: Mapping[str, Article], ids: set[str]) -> dict[str, Article]:
    """The articles with these ids, in one docstore read where the mapping can (`get_many`)."""
    get_many = getattr(articles, "get_many", None)
    if get_many is not None:
        return get_many(ids)
    return {aid: a for aid in ids if (a := articles.get(aid)) is not None}


def diversify(ranked: Sequence[str], group: dict[str, str], k: int, per_group: int) -> list[str]:
    """Take ranked ids, at most `per_group` of one group first; fill up with the rest.

    Args:
        ranked: ids, best first.
        group: the group (article) of each id.
        k: how many to return.
        per_group: cap per group in the first pass.

    Returns:
        Up to `k` ids in rank order of selection.
    """
    taken: list[str] = []
    counts: Counter[str] = Counter()
    overflow: list[str] = []
    for cid in ranked:
        if len(taken) >= k:
            break
        if counts[group[cid]] < per_group:
            taken.append(cid)
            counts[group[cid]] += 1
        else:
            overflow.append(cid)
    for cid in overflow:
        if len(taken) >= k:
            break
        taken.append(cid)
    return taken
