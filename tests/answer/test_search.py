"""Point 1: hybrid retrieval (BM25 + dense, RRF), spelling variants, several outlets."""

from __future__ import annotations

import pytest

from bot.answer.memory_index import MemoryReader
from index.search import HybridSearcher, diversify, lexical_tokens
from index.types import Chunk
from tests.answer.helpers import HashEmbeddings, article


def test_spelling_variants_and_inflections_meet() -> None:
    assert lexical_tokens("Grayvoron") == lexical_tokens("Graivoron")
    assert lexical_tokens("Zelenskyy") == lexical_tokens("Zelensky")
    assert lexical_tokens("1,500 deaths") == ["1500", lexical_tokens("died")[0]]
    assert lexical_tokens("40-kilometre") == ["40", "km"]


def _reader(texts_by_outlet: dict[str, list[str]]) -> MemoryReader:
    articles, chunks = [], []
    for n, (outlet, paragraphs) in enumerate(texts_by_outlet.items()):
        art = article("\n\n".join(paragraphs), outlet=outlet, name=f"{n}.txt")
        articles.append(art)
        pos = 0
        for i, para in enumerate(paragraphs):
            start = art.text.index(para, pos)
            chunks.append(Chunk(art.id, i, start, start + len(para), para))
            pos = start + len(para)
    return MemoryReader(articles, chunks, HashEmbeddings())


def test_lexical_side_finds_variant_spelling() -> None:
    reader = _reader({
        "A": ["The convoy entered Graivoron at dawn.", "Weather was mild."],
        "B": ["Markets were calm on Monday.", "Rain is expected."],
    })
    hits = HybridSearcher(reader).search("Grayvoron", k=2)
    assert hits[0].chunk.text.startswith("The convoy entered Graivoron")
    assert hits[0].lexical_score and hits[0].lexical_score > 0
    assert hits[0].dense_similarity is not None


def test_results_keep_several_outlets() -> None:
    many = [f"The dam on the river burst, report number {i}." for i in range(6)]
    reader = _reader({"Big": many, "Small": ["A witness saw the dam on the river burst."]})
    hits = HybridSearcher(reader).search("dam river burst", k=4, per_article=2)
    assert len(hits) == 4
    assert {h.article.meta.outlet for h in hits} == {"Big", "Small"}


def test_diversify_fills_up_after_cap() -> None:
    ids = ["a1", "a2", "a3", "b1"]
    group = {"a1": "a", "a2": "a", "a3": "a", "b1": "b"}
    assert diversify(ids, group, 3, 1) == ["a1", "b1", "a2"]


def test_dense_failure_propagates() -> None:
    from index.store import StoreUnavailableError

    reader = _reader({"A": ["Some text about ships."]})

    def broken(query: str, k: int):  # noqa: ANN202
        raise StoreUnavailableError("Chroma server at 127.0.0.1:1 is not answering")

    reader.dense_search = broken  # type: ignore[method-assign]
    with pytest.raises(StoreUnavailableError):
        HybridSearcher(reader).search("ships", k=3)
