"""Evidence selection: the citable sentences of retrieved chunks that bear on a query.

Each candidate sentence gets two scores: `lexical`, the IDF-weighted share of the query's
content terms it contains (normalised tokens, so spelling variants count), and `dense`, the
cosine similarity of the query to the sentence's chunk (given by the dense search), replaced
by the sentence's own similarity for the best `SENTENCE_EMBED_TOP` sentences only (their
vectors are cached). `score` blends them.

Lexical coverage reads a sentence in its context: a term the sentence lacks but its
headline has counts a little (`TITLE_WEIGHT`), and one the previous sentence has counts half
when the sentence refers back to it ("He denied claims ...", "... said that was done by").
Embedding every candidate sentence (~24 new ones per query) cost ~300 ms on two cores at
20,000 chunks; embedding four keeps the per-sentence signal where it decides the ranking.

Per query, the terms' IDF weights are computed once; per sentence, the token set, the
sentence split of its article and its attribution are cached (bounded LRU caches), so a
sentence seen by an earlier query costs a few set operations.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.answer.attribution import Attribution, attribute_in_article
from bot.answer.sentences import Sentence, article_sentences, sentences_in_span
from index.search import HybridSearcher, lexical_tokens
from index.types import Article, Hit

log = logging.getLogger(__name__)

# Blend of the two relevance signals. Dense similarity alone rates any passage about the
# same war as relevant; lexical coverage alone misses paraphrases.
LEXICAL_WEIGHT = 0.55
DENSE_WEIGHT = 0.45
# A term found only in the headline / the sentence referred back to counts this much.
TITLE_WEIGHT = 0.25
PREVIOUS_WEIGHT = 0.5
QUERY_CACHE_SIZE = 512
# Only the best few sentences are embedded (cached): their own similarity then replaces the
# chunk's. With whole documents as chunks (RAMDocs) the chunk similarity cannot tell one
# sentence from another; embedding all ~24-48 candidates cost ~300 ms at 20,000 chunks.
SENTENCE_EMBED_TOP = 4
SENTENCE_CACHE_SIZE = 50_000
TOKEN_SET_CACHE_SIZE = 65_536  # sentences and headlines whose token sets are kept

# Words that say what is asked, not what about: they carry no evidence.
QUERY_NOISE = frozenset(
    lexical_tokens(
        "say said says claim claimed claims according report reported tell told happen "
        "happened true false fact really whether did does do is was were anyone someone "
        "source sources article articles news outlet outlets mention mentioned name named "
        "describe described go goes went gone going get got gets getting make makes made "
        "making nothing never none nobody tweet tweeted tweets posted wrote stated",
        keep_stopwords=True,
    )
)

# A sentence that refers back to the previous one: opens with a pronoun or with "the group"
# / "the company" ..., continues a quotation, or reports "that was ..." / "it was ...".
_ANAPHORIC = re.compile(
    r"^\W*(?:he|she|it|they|this|that|these|those|his|her|its|their)\b"
    r"|^\W*the (?:group|company|firm|organi[sz]ation|movement|unit|agency|ministry|"
    r"union|alliance|force|forces|service|authorit(?:y|ies)|government|plant|site)\b"
    r"|^\s*[“\"‘]"
    r"|\b(?:that|this|it) (?:was|is|had|has|were)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One candidate sentence with its relevance to the query and its attribution.

    `matched_terms` are the query terms the sentence itself contains; `context_terms` the
    ones only its headline or the previous sentence supplied.
    """

    article: Article
    sentence: Sentence
    lexical: float
    dense: float
    score: float
    attribution: Attribution
    matched_terms: frozenset[str]
    context_terms: frozenset[str] = frozenset()
    own_lexical: float | None = None  # coverage by the sentence alone (None: = lexical)

    @property
    def own(self) -> float:
        """Lexical coverage by the sentence's own words (stance is judged on these)."""
        return self.lexical if self.own_lexical is None else self.own_lexical

    @property
    def key(self) -> tuple[str, int]:
        return (self.article.id, self.sentence.start)


def query_terms(query: str) -> list[str]:
    """Content terms of a query: normalised tokens minus question words, in order, unique."""
    return list(dict.fromkeys(t for t in lexical_tokens(query) if t not in QUERY_NOISE))


class MemoEmbeddings(Embeddings):
    """Wraps an `Embeddings` and remembers recent query vectors.

    The dense search and the evidence scorer both need the query's vector; this embeds it
    once. Documents are passed through unchanged.
    """

    def __init__(self, inner: Embeddings, size: int = QUERY_CACHE_SIZE) -> None:
        self.inner = inner
        self.size = size
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        vector = self.inner.embed_query(text)
        with self._lock:
            self._cache[text] = vector
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return vector


class EvidenceSelector:
    """Scores the citable sentences of retrieved chunks against a query."""

    def __init__(self, searcher: HybridSearcher, embeddings: Embeddings | None = None) -> None:
        self.searcher = searcher
        self.embeddings = embeddings
        self._cache: OrderedDict[tuple[str, int, int], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def weights(self, terms: Sequence[str]) -> dict[str, float]:
        """IDF weight of each query term (computed once per query, then passed around)."""
        return {t: self.searcher.idf(t) for t in terms}

    def lexical_coverage(self, terms: Sequence[str], sentence_text: str,
                         weights: Mapping[str, float] | None = None) -> tuple[float, set]:
        """IDF-weighted share of `terms` present in the sentence, and which ones matched.

        Args:
            terms: the query's content terms.
            sentence_text: the sentence.
            weights: `self.weights(terms)`, when the caller has it already.
        """
        if not terms:
            return 0.0, set()
        weights = self.weights(terms) if weights is None else weights
        present = _present(terms, sentence_text)
        total = sum(weights.values()) or 1.0
        matched = {t for t in terms if t in present}
        return sum(weights[t] for t in matched) / total, matched

    def _in_context(self, terms: Sequence[str], weights: Mapping[str, float],
                    article: Article, sentence: Sentence,
                    matched: set[str]) -> tuple[float, set[str]]:
        """Weighted share of the terms the sentence lacks but its context supplies."""
        missing = [t for t in terms if t not in matched]
        if not missing:
            return 0.0, set()
        total = sum(weights.values()) or 1.0
        found: dict[str, float] = {}
        if article.meta.title:
            for t in _present(missing, article.meta.title):
                found[t] = TITLE_WEIGHT
        if refers_back(sentence.text):
            previous = previous_sentence(article, sentence)
            if previous is not None:
                for t in _present(missing, previous.text):
                    found[t] = max(found.get(t, 0.0), PREVIOUS_WEIGHT)
        return sum(weights[t] * w for t, w in found.items()) / total, set(found)

    def candidates(self, query: str, hits: Sequence[Hit]) -> list[Evidence]:
        """Citable sentences of the hits, scored and sorted best first.

        Args:
            query: the question or claim.
            hits: retrieved chunks; a chunk only the lexical side found gets the lowest
                dense similarity the dense side returned (its own is lower still).

        Returns:
            One `Evidence` per distinct sentence.
        """
        known = [h.dense_similarity for h in hits if h.dense_similarity is not None]
        floor = min(known) if known else 0.0
        seen: set[tuple[str, int]] = set()
        triples: list[tuple[Article, Sentence, float]] = []
        for hit in hits:
            dense = hit.dense_similarity if hit.dense_similarity is not None else floor
            for sentence in sentences_in_span(hit.article, hit.chunk.start, hit.chunk.end):
                if sentence.citable and (hit.article.id, sentence.start) not in seen:
                    seen.add((hit.article.id, sentence.start))
                    triples.append((hit.article, sentence, dense))
        if not triples:
            return []
        terms = query_terms(query)
        weights = self.weights(terms)
        out = []
        for article, sentence, dense in triples:
            attribution = attribute_in_article(sentence, article)
            text = sentence.text
            if attribution.pronoun and attribution.speaker:
                text = f"{attribution.speaker}: {text}"  # "He said" means the resolved name
            lexical, matched = self.lexical_coverage(terms, text, weights)
            extra, context = self._in_context(terms, weights, article, sentence, matched)
            own = lexical
            lexical = min(1.0, lexical + extra)
            out.append(Evidence(
                article=article,
                sentence=sentence,
                lexical=lexical,
                dense=dense,
                score=LEXICAL_WEIGHT * lexical + DENSE_WEIGHT * max(dense, 0.0),
                attribution=attribution,
                matched_terms=frozenset(matched),
                context_terms=frozenset(context),
                own_lexical=own,
            ))
        out.sort(key=lambda e: (-e.score, e.article.id, e.sentence.start))
        return self._refine(query, out)

    def _refine(self, query: str, ranked: list[Evidence]) -> list[Evidence]:
        """Replace the chunk similarity of the top sentences by their own similarity.

        Only `SENTENCE_EMBED_TOP` sentences are embedded (cached), so a query costs a few
        embeddings at most. Sentences below them get the chunk similarity capped at the
        lowest refined one: they ranked lower and are assumed no closer.
        """
        if not ranked or self.embeddings is None or SENTENCE_EMBED_TOP <= 0:
            return ranked
        top = ranked[:SENTENCE_EMBED_TOP]
        qvec = unit(np.asarray(self.embeddings.embed_query(query), dtype=np.float32))
        sims = [float(np.dot(qvec, v)) for v in self._vectors([e.sentence for e in top])]
        cap = min(sims)
        out = [_rescored(e, sim) for e, sim in zip(top, sims, strict=True)]
        out += [_rescored(e, min(e.dense, cap)) for e in ranked[SENTENCE_EMBED_TOP:]]
        out.sort(key=lambda e: (-e.score, e.article.id, e.sentence.start))
        return out

    def _vectors(self, sentences: Sequence[Sentence]) -> list[np.ndarray]:
        keys = [(s.article_id, s.start, s.end) for s in sentences]
        with self._lock:
            missing = [i for i, k in enumerate(keys) if k not in self._cache]
        if missing:
            fresh = self.embeddings.embed_documents([sentences[i].text for i in missing])
            with self._lock:
                for i, vec in zip(missing, fresh, strict=True):
                    self._cache[keys[i]] = unit(np.asarray(vec, dtype=np.float32))
                while len(self._cache) > SENTENCE_CACHE_SIZE:
                    self._cache.popitem(last=False)
        with self._lock:
            return [self._cache[k] for k in keys]


def _rescored(e: Evidence, dense: float) -> Evidence:
    score = LEXICAL_WEIGHT * e.lexical + DENSE_WEIGHT * max(dense, 0.0)
    return replace(e, dense=dense, score=score)


def _present(terms: Sequence[str], text: str) -> frozenset[str]:
    """The terms that occur in the text."""
    return token_set(text).intersection(terms)


@lru_cache(maxsize=TOKEN_SET_CACHE_SIZE)
def token_set(text: str) -> frozenset[str]:
    """The normalised tokens of a text as a set (cached: sentences recur across queries)."""
    return frozenset(lexical_tokens(text))


def refers_back(text: str) -> bool:
    """True when a sentence leans on the previous one ("He denied ...", "The company ...")."""
    return bool(_ANAPHORIC.search(text))


def previous_sentence(article: Article, sentence: Sentence) -> Sentence | None:
    """The citable sentence before this one in its article (None for the first)."""
    previous = None
    for other in article_sentences(article):
        if other.start >= sentence.start:
            break
        if other.citable:
            previous = other
    return previous


def unit(vec: np.ndarray) -> np.ndarray:
    """The vector scaled to length 1 (zero stays zero)."""
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm > 0 else vec
