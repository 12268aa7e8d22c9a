"""The answering hot path: bounded caches, per-query IDF, lookups that never read every
article, start-up preloading and the thread setting."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping

import pytest

from bot.answer import attribution, core, sentences
from bot.answer.core import FactChecker
from bot.answer.errors import IndexUnavailableError
from bot.answer.evidence import query_terms
from bot.answer.lru import BoundedCache
from bot.answer.memory_index import MemoryReader, whole_article_chunks
from bot.answer.types import Verdict
from bot.settings import Settings
from index.embeddings import get_embeddings
from tests.answer.helpers import HashEmbeddings, article

ARTICLES = [
    article("Harbour officials said the storm sank 12 boats on Friday night. "
            "The harbour master confirmed the pier will stay closed until May.",
            outlet="Coast News", name="c.txt", published="2024-03-02"),
    article("Fishermen said the storm destroyed their nets. "
            "The council denied that the pier was unsafe before the storm.",
            outlet=None, name="u.txt", published=None),
    article("The ferry company said the storm cancelled every crossing on Friday. "
            "It said the pier will stay closed until May.",
            outlet="Coast News", name="f.txt", published="2024-03-01"),
]


def _reader() -> MemoryReader:
    return MemoryReader(ARTICLES, whole_article_chunks(ARTICLES), HashEmbeddings())


def _checker(tmp_path, reader=None) -> FactChecker:  # noqa: ANN001
    return FactChecker(Settings(data_dir=tmp_path), reader=reader or _reader())


def test_bounded_cache_keeps_the_most_recent_and_computes_each_key_once() -> None:
    cache: BoundedCache[int, int] = BoundedCache(2)
    computed: list[int] = []

    def square(n: int) -> int:
        computed.append(n)
        return n * n

    assert [cache.get(n, lambda n=n: square(n)) for n in (1, 2, 1, 3, 1, 2)] == [1, 4, 1, 9, 1, 4]
    assert computed == [1, 2, 3, 2]  # 2 was the least recently used when 3 came
    assert len(cache) == 2 and cache.hits == 2 and cache.misses == 4


def test_bounded_cache_is_safe_to_share_by_threads() -> None:
    cache: BoundedCache[int, int] = BoundedCache(64)
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for i in range(2000):
                key = (seed * 7 + i) % 100
                assert cache.get(key, lambda key=key: key * 3) == key * 3
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(cache) <= 64


def test_sentence_splits_and_attributions_are_keyed_by_article_content() -> None:
    first = article("The mayor said the bridge will reopen on Monday after repairs.", name="s.txt")
    changed = article("The union claimed the bridge will stay shut for a month at least.",
                      name="s.txt")
    assert first.id == changed.id and first.content_hash != changed.content_hash
    one, two = sentences.split_sentences(first)[0], sentences.split_sentences(changed)[0]
    assert one.text != two.text  # same id, new text: split again, not served from the cache
    assert sentences.article_sentences(first) is sentences.article_sentences(first)
    assert attribution.attribute_in_article(one, first).speaker == "mayor"
    hits = attribution._IN_ARTICLE.hits
    assert attribution.attribute_in_article(one, first).speaker == "mayor"
    assert attribution._IN_ARTICLE.hits == hits + 1
    assert attribution.attribute_in_article(two, changed).speaker == "union"


def test_query_idf_is_computed_once_per_query(tmp_path) -> None:  # noqa: ANN001
    checker = _checker(tmp_path)
    state = checker._current()
    real_idf = state.searcher.idf
    calls: list[str] = []

    def counting_idf(token: str) -> float:
        calls.append(token)
        return real_idf(token)

    state.searcher.idf = counting_idf
    query = "Did the storm sink boats on Friday night?"
    hits = state.searcher.search(query, k=8)
    candidates = state.selector.candidates(query, hits)
    terms = query_terms(query)
    assert len(candidates) >= 4  # many sentences scored ...
    assert sorted(calls) == sorted(terms)  # ... with one idf look-up per query term


class _NoIteration(Mapping):
    """Articles as the storage reader gives them at scale: look-ups are cheap, iterating
    reads every article, so lookups must not iterate."""

    def __init__(self, articles: Mapping) -> None:
        self._articles = articles

    def __getitem__(self, key: str):  # noqa: ANN204
        return self._articles[key]

    def __len__(self) -> int:
        return len(self._articles)

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("iterated every article")


class _ScaleReader:
    """A memory reader behaving like the stored one at scale: counts and outlet rows come
    from the store (here: taken once, up front), articles cannot be iterated."""

    def __init__(self, inner: MemoryReader) -> None:
        self._inner = inner
        self._counts, self._rows = inner.counts(), inner.outlet_rows()
        self.articles = _NoIteration(inner.articles)

    def __getattr__(self, name: str):  # noqa: ANN204 - everything else as the memory reader
        return getattr(self._inner, name)

    def counts(self) -> tuple[int, int, int]:
        return self._counts

    def outlet_rows(self) -> list[tuple[str | None, str | None]]:
        return list(self._rows)


def test_outlets_and_status_read_counts_not_articles(tmp_path) -> None:  # noqa: ANN001
    checker = _checker(tmp_path, _ScaleReader(_reader()))
    outlets = checker.outlets()
    assert [(o.outlet, o.articles, o.first_published, o.last_published) for o in outlets] == [
        ("Coast News", 2, "2024-03-01", "2024-03-02"), (None, 1, None, None)]
    status = checker.status()
    assert (status.articles, status.chunks, status.outlets) == (3, 3, 1)


def test_quote_on_a_large_index_reads_only_lexical_candidates(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    small = _checker(tmp_path).quote("the pier will stay closed until May")
    assert _checker(tmp_path).quote("that the").found  # a small index is scanned whole
    monkeypatch.setattr(core, "QUOTE_SCAN_MAX_ARTICLES", 1)  # "large": more than one article
    checker = _checker(tmp_path, _ScaleReader(_reader()))
    large = checker.quote("the pier will stay closed until May")
    assert large.found and large == small
    assert [p.document for p in large.passages] == ["f.txt", "c.txt"]  # oldest first
    assert not checker.quote("that the").found  # stopwords only: the lexical index is blind


def test_preloading_checker_without_index_fails_on_query_then_serves_once_built(
        tmp_path, demo_corpus) -> None:  # noqa: ANN001
    from index.build import build_index

    settings = Settings(data_dir=tmp_path)
    checker = FactChecker(settings)  # starts opening in the background: no index yet
    with pytest.raises(IndexUnavailableError):
        checker.ask("How many people died in the fire?")
    assert not build_index([demo_corpus], settings).failed
    reply = checker.ask("How many people died in the fire?")
    assert reply.verdict is not Verdict.NOT_FOUND


def test_onnx_threads_setting_reaches_the_embedding_model(monkeypatch) -> None:
    monkeypatch.setenv("FACTBOT_ONNX_THREADS", "2")
    settings = Settings()
    assert settings.onnx_threads == 2
    assert get_embeddings(settings).threads == 2
    monkeypatch.setenv("FACTBOT_ONNX_THREADS", "")
    assert Settings().onnx_threads is None  # empty: one per core (onnxruntime's default)
    monkeypatch.delenv("FACTBOT_ONNX_THREADS")
    assert Settings().onnx_threads is None  # the measured default (benchmarks/threads.py)
