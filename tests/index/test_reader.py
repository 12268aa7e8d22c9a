"""The reader holds no corpus: articles by id from the docstore, chunks from the chunk table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.answer.memory_index import MemoryReader
from index.build import build_index
from index.docstore import DocStore
from index.search import HybridSearcher
from index.store import StoredArticles, docstore, open_reader

QUERY = "How many dock workers joined the strike?"


@pytest.fixture
def reader(mini_corpus, settings):
    build_index([mini_corpus], settings)
    return open_reader(settings)


def test_opening_reads_no_article_text(mini_corpus, settings, monkeypatch):
    build_index([mini_corpus], settings)
    open_reader(settings)  # files in place

    def forbidden(self, *args, **kwargs):
        raise AssertionError("the reader loaded texts at open")

    for name in ("iter_articles", "get_articles", "articles", "chunks", "chunk_rows"):
        monkeypatch.setattr(DocStore, name, forbidden)
    reader = open_reader(settings)
    assert len(reader.chunks) > 0 and len(reader.articles) == 3
    assert reader.lexical.n_docs == len(reader.chunks)


def test_articles_is_a_read_only_mapping_fetched_by_id(reader, settings):
    expected = docstore(settings).articles(reader.build.id)
    articles = reader.articles
    assert isinstance(articles, Mapping) and len(articles) == len(expected) == 3
    assert sorted(articles) == sorted(expected) == list(articles)
    for aid, article in expected.items():
        assert aid in articles and articles[aid] == article and articles.get(aid) == article
    assert "nope" not in articles and articles.get("nope") is None
    with pytest.raises(KeyError):
        articles["nope"]
    assert sorted(a.id for a in articles.values()) == sorted(expected)
    assert dict(articles.items()) == expected
    assert not hasattr(articles, "__setitem__")


def test_article_cache_is_bounded_and_thread_safe(reader):
    small = StoredArticles(reader.store, reader.build.id, reader.files, cache_size=2)
    ids = list(reader.articles) * 30
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda aid: small[aid].id, ids))
    assert got == ids and len(small._cache) <= 2


def test_chunks_is_a_sequence_over_the_chunk_table(reader):
    chunks = reader.chunks
    assert isinstance(chunks, Sequence) and len(chunks) == reader.counts()[1]
    listed = list(chunks)
    assert chunks[0] == listed[0] and chunks[-1] == listed[-1]
    assert chunks[1:3] == listed[1:3]
    with pytest.raises(IndexError):
        chunks[len(chunks)]
    for chunk in listed:
        assert reader.articles[chunk.article_id].text[chunk.start : chunk.end] == chunk.text
    assert reader.chunks_at([2, 0]) == [listed[2], listed[0]]


def test_counts_and_outlet_rows(reader):
    assert reader.counts() == (3, len(reader.chunks), 2)
    assert sorted(reader.outlet_rows(), key=str) == sorted(
        [("Vellan Gazette", "2025-03-04"), ("Coastline Post", "2025-03-05"),
         (None, "2025-03-03")], key=str)


def test_dense_search_builds_chunks_from_chroma_metadata(reader):
    by_id = {c.id: c for c in reader.chunks}
    hits = reader.dense_search(QUERY, 10)
    assert len(hits) == len(reader.chunks) == len(by_id)
    for chunk, similarity in hits:
        assert by_id[chunk.id] == chunk and -1.0 <= similarity <= 1.0
    stored = reader.collection.get(include=["documents", "metadatas"])
    assert all(doc is None for doc in stored["documents"])
    assert all(set(m) == {"article_id", "chunk_index", "start", "end"}
               for m in stored["metadatas"])
    assert not hasattr(reader, "vectorstore") and not hasattr(reader, "chunk_by_id")


def test_memory_reader_has_the_same_interface_and_scores(reader):
    articles = list(reader.articles.values())
    chunks = list(reader.chunks)[::-1]  # another row order: same scores per chunk
    memory = MemoryReader(articles, chunks, reader.embeddings)
    assert memory.counts() == reader.counts()
    assert sorted(memory.outlet_rows(), key=str) == sorted(reader.outlet_rows(), key=str)
    stored, in_memory = HybridSearcher(reader), HybridSearcher(memory)
    got = {c.id: round(s, 5) for c, s in in_memory.lexical_search(QUERY, 10)}
    assert got == {c.id: round(s, 5) for c, s in stored.lexical_search(QUERY, 10)}
    assert in_memory.idf("dock") == pytest.approx(stored.idf("dock"))
    assert memory.chunks_at([0]) == [chunks[0]]
