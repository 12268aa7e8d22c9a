"""Hand-built articles, evidence and fake readers for fast unit tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.answer.attribution import attribute
from bot.answer.core import FactChecker
from bot.answer.eval import EvalReport, run_eval
from bot.answer.evidence import Evidence
from bot.answer.sentences import split_sentences
from index.types import Article, SourceMeta


class HashEmbeddings(Embeddings):
    """Deterministic bag-of-words vectors: no model, fast, similar texts score similar."""

    dim = 256

    def _vec(self, text: str) -> list[float]:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in text.lower().split():
            word = word.strip(".,;:!?\"'“”‘’()")
            if word:
                vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norm = np.linalg.norm(vec)
        return (vec / norm if norm else vec).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text)


def article(text: str, outlet: str | None = "Test Outlet", title: str | None = None,
            name: str = "a.txt", published: str | None = "2024-01-01") -> Article:
    return Article.make(text, name, f"/tmp/{name}",
                        SourceMeta(outlet=outlet, title=title, published=published))


def evidence(art: Article, fragment: str, lexical: float = 0.9, dense: float = 0.7) -> Evidence:
    """Evidence for the sentence of `art` that contains `fragment`."""
    sentence = next(s for s in split_sentences(art) if fragment in s.text)
    return Evidence(article=art, sentence=sentence, lexical=lexical, dense=dense,
                    score=0.55 * lexical + 0.45 * dense, attribution=attribute(sentence.text),
                    matched_terms=frozenset())


EVALS = Path(__file__).resolve().parents[2] / "evals"


def run_eval_set(
    checker: FactChecker,
    name: str,
    *,
    min_items: int,
    min_accuracy: float,
    not_found_precision: float = 1.0,
    not_found_recall: float = 1.0,
) -> EvalReport:
    """Run `evals/<name>` and assert the floors every eval set must meet.

    Every quote verbatim, not-found recall 1.0 (an answer to an unanswerable question is the
    worst failure), verdict accuracy and not-found precision at least the given floors.
    """
    report = run_eval(checker, EVALS / name)
    assert len(report.items) >= min_items
    assert report.quotes_verbatim == 1.0
    assert report.not_found_recall >= not_found_recall
    assert report.not_found_precision >= not_found_precision
    assert report.verdict_accuracy >= min_accuracy
    return report
