"""Evidence selection: the citable sentences of retrieved chunks that bear on a query.

Each candidate sentence gets two scores: `lexical`, the IDF-weighted share of the query's
content terms it contains (normalised tokens, so spelling variants count), and `dense`, the
cosine similarity of its embedding to the query's. `score` blends them. Sentence vectors
are cached for the life of the selector, so a warm query embeds only new sentences.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.answer.attribution import Attribution, attribute_in_article, has_denial
from bot.answer.sentences import Sentence, sentences_in_span
from index.search import HybridSearcher, lexical_tokens
from index.types import Article, Hit

log = logging.getLogger(__name__)

# Blend of the two relevance signals. Dense similarity alone rates any sentence about the
# same war as relevant; lexical coverage alone misses paraphrases. Calibrated on
# evals/seed_corpus.jsonl and evals/demo_corpus.jsonl (see `bot.answer.verdict`).
LEXICAL_WEIGHT = 0.55
DENSE_WEIGHT = 0.45
SENTENCE_CACHE_SIZE = 50_000

# Words that say what is asked, not what about: they carry no evidence.
QUERY_NOISE = frozenset(
    lexical_tokens(
        "say said says claim claimed claims according report reported tell told happen "
        "happened true false fact really whether did does do is was were anyone someone "
        "source sources article articles news outlet outlets mention mentioned name named "
        "describe described",
        keep_stopwords=True,
    )
)


DENY_TERM = lexical_tokens("deny")[0]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One candidate sentence with its relevance to the query and its attribution."""

    article: Article
    sentence: Sentence
    lexical: float
    dense: float
    score: float
    attribution: Attribution
    matched_terms: frozenset[str]

    @property
    def key(self) -> tuple[str, int]:
        return (self.article.id, self.sentence.start)


def query_terms(query: str) -> list[str]:
    """Content terms of a query: normalised tokens minus question words, in order, unique."""
    return list(dict.fromkeys(t for t in lexical_tokens(query) if t not in QUERY_NOISE))


class EvidenceSelector:
    """Scores the citable sentences of retrieved chunks against a query."""

    def __init__(self, searcher: HybridSearcher, embeddings: Embeddings) -> None:
        self.searcher = searcher
        self.embeddings = embeddings
        self._cache: OrderedDict[tuple[str, int, int], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def _vectors(self, sentences: Sequence[Sentence]) -> list[np.ndarray]:
        keys = [(s.article_id, s.start, s.end) for s in sentences]
        with self._lock:
            missing = [i for i, k in enumerate(keys) if k not in self._cache]
        if missing:
            fresh = self.embeddings.embed_documents([sentences[i].text for i in missing])
            with self._lock:
                for i, vec in zip(missing, fresh, strict=True):
                    self._cache[keys[i]] = _unit(np.asarray(vec, dtype=np.float32))
                while len(self._cache) > SENTENCE_CACHE_SIZE:
                    self._cache.popitem(last=False)
        with self._lock:
            return [self._cache[k] for k in keys]

    def lexical_coverage(self, terms: Sequence[str], sentence_text: str) -> tuple[float, set]:
        """IDF-weighted share of `terms` present in the sentence, and which ones matched."""
        if not terms:
            return 0.0, set()
        present = set(lexical_tokens(sentence_text))
        if DENY_TERM in terms and has_denial(sentence_text):
            present.add(DENY_TERM)  # "had nothing to do with it" is a denial too
        weights = {t: self.searcher.idf(t) for t in terms}
        total = sum(weights.values()) or 1.0
        matched = {t for t in terms if t in present}
        return sum(weights[t] for t in matched) / total, matched

    def candidates(self, query: str, hits: Sequence[Hit]) -> list[Evidence]:
        """Citable sentences of the hits, scored and sorted best first.

        Args:
            query: the question or claim.
            hits: retrieved chunks.

        Returns:
            One `Evidence` per distinct sentence.
        """
        seen: set[tuple[str, int]] = set()
        pairs: list[tuple[Article, Sentence]] = []
        for hit in hits:
            for sentence in sentences_in_span(hit.article, hit.chunk.start, hit.chunk.end):
                if sentence.citable and (hit.article.id, sentence.start) not in seen:
                    seen.add((hit.article.id, sentence.start))
                    pairs.append((hit.article, sentence))
        if not pairs:
            return []
        terms = query_terms(query)
        qvec = _unit(np.asarray(self.embeddings.embed_query(query), dtype=np.float32))
        vectors = self._vectors([s for _, s in pairs])
        out = []
        for (article, sentence), vec in zip(pairs, vectors, strict=True):
            lexical, matched = self.lexical_coverage(terms, sentence.text)
            dense = float(np.dot(qvec, vec))
            out.append(Evidence(
                article=article,
                sentence=sentence,
                lexical=lexical,
                dense=dense,
                score=LEXICAL_WEIGHT * lexical + DENSE_WEIGHT * max(dense, 0.0),
                attribution=attribute_in_article(sentence, article),
                matched_terms=frozenset(matched),
            ))
        out.sort(key=lambda e: (-e.score, e.article.id, e.sentence.start))
        return out


def _unit(vec: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm > 0 else vec
