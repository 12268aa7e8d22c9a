"""The persisted BM25 index: same scores as bm25s over the same tokens, saved and mmap-loaded."""

from __future__ import annotations

import math
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import bm25s
import numpy as np
import pytest

from index.lexical import EMPTY_DOCUMENT, CountsBuilder, LexicalIndex
from index.search import document_tokens, lexical_tokens

TEXTS = [
    "Dock workers in Port Vellan stayed off the job for a third day on Tuesday.",
    "The union said 1,200 members had joined the walkout at the harbour.",
    "The port authority claimed only 400 workers were absent from the docks.",
    "Ferries to the islands will leave from the south pier until further notice.",
    "",  # a chunk with no tokens keeps its row
    "Strike strike strike: the walkout by dock workers entered its fourth day.",
    "Résumé of the Grayvoron kilometre strip: 40 kilometres of roads were closed.",
]
QUERIES = ["dock workers strike", "how many members joined the walkout", "Greyvoron km",
           "ferries south pier", "strike strike", "nothing matches zzzz", "400 workers"]


def _reference(texts: list[str]) -> bm25s.BM25:
    ref = bm25s.BM25()
    ref.index([document_tokens(t) or [EMPTY_DOCUMENT] for t in texts], show_progress=False)
    return ref


@pytest.fixture(params=["memory", "saved"])
def index(request, tmp_path) -> LexicalIndex:
    built = LexicalIndex.from_texts(TEXTS)
    if request.param == "memory":
        return built
    built.save(tmp_path / "lexical")
    return LexicalIndex.load(tmp_path / "lexical")


def test_document_tokens_are_lexical_tokens():
    for text in TEXTS:
        assert document_tokens(text) == lexical_tokens(text)


def test_scores_equal_bm25s_over_the_same_tokens(index):
    ref = _reference(TEXTS)
    assert index.n_docs == len(TEXTS)
    for query in QUERIES:
        tokens = lexical_tokens(query)
        known = [t for t in tokens if t in ref.vocab_dict]
        expected = ref.get_scores(known) if known else np.zeros(len(TEXTS))
        assert np.array_equal(index.scores(tokens), expected), query  # bit for bit


def test_top_orders_positive_scores_best_first(index):
    ref = _reference(TEXTS)
    for query in QUERIES:
        tokens = lexical_tokens(query)
        known = [t for t in tokens if t in ref.vocab_dict]
        scores = ref.get_scores(known) if known else np.zeros(len(TEXTS))
        rows, got = index.top(tokens, 3)
        expected = [i for i in np.argsort(-scores, kind="stable") if scores[i] > 0][:3]
        assert sorted(rows.tolist()) == sorted(expected), query
        assert list(got) == sorted(got, reverse=True) and all(s > 0 for s in got)
    assert index.top([], 5)[0].size == 0
    assert index.top(["zzzz"], 5)[0].size == 0


def test_idf_from_the_matrix_equals_counted_document_frequencies(index):
    docs = [document_tokens(t) or [EMPTY_DOCUMENT] for t in TEXTS]
    df = Counter(tok for doc in docs for tok in set(doc))
    n = len(docs)
    for token, count in df.items():
        assert index.doc_freq(token) == count
        assert index.idf(token) == pytest.approx(math.log(1 + (n - count + 0.5) / (count + 0.5)))
    assert index.doc_freq("zzzz") == 0
    assert index.idf("zzzz") == pytest.approx(math.log(1 + (n + 0.5) / 0.5))


def test_loaded_arrays_are_memory_mapped(tmp_path):
    LexicalIndex.from_texts(TEXTS).save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert all(isinstance(a, np.memmap) for a in (
        loaded._bm25.scores["data"], loaded._bm25.scores["indices"],
        loaded._bm25.scores["indptr"]))
    assert not (tmp_path / "lex" / "corpus.jsonl").exists()  # texts never saved with it


def test_empty_index_saves_loads_and_finds_nothing(tmp_path):
    empty = LexicalIndex.build([])
    empty.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert loaded.n_docs == 0 and loaded.top(["dock"], 5)[0].size == 0
    assert loaded.idf("dock") == pytest.approx(math.log(4.0))


def test_damaged_files_fail_to_load(tmp_path):
    LexicalIndex.from_texts(TEXTS).save(tmp_path / "lex")
    data = tmp_path / "lex" / "data.csc.index.npy"
    data.write_bytes(data.read_bytes()[:-8])
    with pytest.raises((OSError, ValueError)):
        LexicalIndex.load(tmp_path / "lex")
    (tmp_path / "lex" / "lexical.json").write_text("{not json")
    with pytest.raises(ValueError):
        LexicalIndex.load(tmp_path / "lex")


def test_scoring_from_many_threads_matches_serial(tmp_path):
    LexicalIndex.from_texts(TEXTS * 50).save(tmp_path / "lex")
    index = LexicalIndex.load(tmp_path / "lex")
    queries = [lexical_tokens(q) for q in QUERIES] * 20
    serial = [index.top(q, 10)[0].tolist() for q in queries]
    with ThreadPoolExecutor(8) as pool:
        parallel = list(pool.map(lambda q: index.top(q, 10)[0].tolist(), queries))
    assert parallel == serial


def test_counts_builder_equals_bm25s_bit_for_bit_on_a_larger_corpus():
    rng = random.Random(3)
    words = [f"w{i}" for i in range(300)]
    docs = [[rng.choice(words[: rng.randint(3, 300)]) for _ in range(rng.randint(0, 90))]
            for _ in range(1500)]
    ours = LexicalIndex.build(docs)
    ref = bm25s.BM25()
    ref.index([d or [EMPTY_DOCUMENT] for d in docs], show_progress=False)
    for query in (["w1"], ["w2", "w250", "w2"], ["w7", "w8", "w9", "w299"]):
        assert np.array_equal(ours.scores(query), ref.get_scores(query))


def test_carried_rows_score_as_if_tokenised_again(tmp_path):
    LexicalIndex.from_texts(TEXTS).save(tmp_path / "old")
    old = LexicalIndex.load(tmp_path / "old")
    builder = CountsBuilder()
    new_text = "A new chunk about the ferry strike at the south pier."
    rows = [builder.add_carried(old, 5), builder.add_tokens(document_tokens(new_text)),
            builder.add_carried(old, 4), builder.add_carried(old, 0)]
    carried = builder.index(rows)
    again = LexicalIndex.from_texts([TEXTS[5], new_text, TEXTS[4], TEXTS[0]])
    for query in QUERIES:
        tokens = lexical_tokens(query)
        assert np.array_equal(carried.scores(tokens), again.scores(tokens)), query
        for token in tokens:
            assert carried.doc_freq(token) == again.doc_freq(token)


def test_counts_from_other_tokeniser_code_are_not_carried(tmp_path):
    LexicalIndex.from_texts(TEXTS).save(tmp_path / "old")
    params = tmp_path / "old" / "lexical.json"
    params.write_text(params.read_text().replace('"tokens": "', '"tokens": "x'))
    assert CountsBuilder().add_carried(LexicalIndex.load(tmp_path / "old"), 0) is None
