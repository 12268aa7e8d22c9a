"""The lexical side of retrieval: BM25 (`bm25s`) over normalised tokens, saved per build.

A `LexicalIndex` is built once per build from every chunk's tokens (`document_tokens`, the
same normalisation as `index.search.lexical_tokens` for queries), saved beside the build and
memory-mapped when a reader opens it, so opening costs a few file reads whatever the corpus
size and the score matrix stays in the page cache rather than in the process.

The term dictionary is not bm25s's JSON vocabulary (a million-entry dict to parse at every
open) but a sorted term file searched by bisection: `terms.bin` holds the UTF-8 terms back to
back in sorted order, `term_offsets.npy` where each starts and `term_ids.npy` each term's
column in bm25s's matrix. Document frequencies come from that matrix: in bm25s's CSC layout
column `t` holds one entry per chunk containing term `t`, so `indptr[t + 1] - indptr[t]` is its
document frequency; no counter is rebuilt at open.

Row `i` of the index is chunk row `i` of the build's chunk table (`index.buildfiles`).
"""

from __future__ import annotations

import bisect
import json
import logging
import math
import mmap
import threading
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path

import bm25s
import numpy as np

from index.search import document_tokens

log = logging.getLogger(__name__)

FORMAT = 1
PARAMS_FILE = "lexical.json"
TERMS_FILE = "terms.bin"
OFFSETS_FILE = "term_offsets.npy"
IDS_FILE = "term_ids.npy"
EMPTY_DOCUMENT = "_empty_"  # stands for a chunk without tokens (keeps the row and its length)

_NO_ROWS = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0, dtype=np.float32)


class _SortedTerms(Sequence[bytes]):
    """Sorted UTF-8 terms in one memory-mapped file, indexed by an offsets array."""

    def __init__(self, blob: mmap.mmap | bytes, offsets: np.ndarray) -> None:
        self._blob = blob
        self._offsets = offsets

    def __len__(self) -> int:
        return max(len(self._offsets) - 1, 0)

    def __getitem__(self, i: int) -> bytes:  # type: ignore[override]
        return self._blob[int(self._offsets[i]) : int(self._offsets[i + 1])]


class LexicalIndex:
    """BM25 scores of normalised query tokens against every chunk row of one build.

    Build it with `build` (token lists) or `from_texts`, persist it with `save`, and open a
    saved one with `load` (memory-mapped). Scoring is serialised by a lock: bm25s is not
    documented as thread-safe, and the bot searches from worker threads.
    """

    def __init__(
        self,
        bm25: bm25s.BM25 | None,
        n_docs: int,
        vocab: dict[str, int] | None = None,
        terms: _SortedTerms | None = None,
        term_ids: np.ndarray | None = None,
    ) -> None:
        """Use `build`, `from_texts` or `load` rather than this constructor."""
        self._bm25 = bm25
        self.n_docs = n_docs
        self._vocab = vocab
        self._terms = terms
        self._term_ids = term_ids
        self._lock = threading.Lock()
        self._columns = 0 if bm25 is None else len(bm25.scores["indptr"]) - 1

    # --- building --------------------------------------------------------------------------
    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]]) -> LexicalIndex:
        """Index one token list per chunk (row order is kept; empty lists are allowed)."""
        vocab: dict[str, int] = {}
        return cls.from_ids([encode_tokens(tokens, vocab) for tokens in token_lists], vocab)

    @classmethod
    def from_ids(cls, docs: list[array], vocab: dict[str, int]) -> LexicalIndex:
        """Index documents given as term ids (`encode_tokens`) of one shared `vocab`.

        Ids take 4 bytes a token where token lists take a pointer each, which matters at a
        million chunks; the scores are the same as bm25s's own tokens path.
        """
        if not docs:
            return cls(None, 0, vocab={})
        bm25 = bm25s.BM25()
        bm25.index((docs, vocab), show_progress=False)
        return cls(bm25, len(docs), vocab=bm25.vocab_dict)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> LexicalIndex:
        """Tokenise texts with `document_tokens` and index them, one row per text."""
        return cls.build(document_tokens(text) for text in texts)

    def save(self, folder: Path) -> None:
        """Write the index into `folder` (created if needed; `lexical.json` is written last).

        Writes bm25s's own files (loadable with `bm25s.BM25.load`) plus the sorted term
        files read at open.
        """
        folder.mkdir(parents=True, exist_ok=True)
        n_terms = 0
        if self._bm25 is not None:
            self._bm25.save(str(folder), show_progress=False)
            pairs = sorted(
                (term.encode("utf-8"), column) for term, column in self._vocab_items()
                if column < self._columns  # bm25s's "" entry has no column
            )
            n_terms = len(pairs)
            offsets = np.zeros(n_terms + 1, dtype=np.int64)
            if pairs:
                offsets[1:] = np.cumsum([len(term) for term, _ in pairs])
            (folder / TERMS_FILE).write_bytes(b"".join(term for term, _ in pairs))
            np.save(folder / OFFSETS_FILE, offsets)
            np.save(folder / IDS_FILE, np.asarray([c for _, c in pairs], dtype=np.int32))
        params = {"format": FORMAT, "n_docs": self.n_docs, "n_terms": n_terms}
        (folder / PARAMS_FILE).write_text(json.dumps(params), encoding="utf-8")

    def _vocab_items(self) -> Iterable[tuple[str, int]]:
        if self._vocab is not None:
            return self._vocab.items()
        terms, ids = self._terms, self._term_ids
        if terms is None or ids is None:
            return []
        return ((terms[i].decode("utf-8"), int(ids[i])) for i in range(len(terms)))

    # --- loading ---------------------------------------------------------------------------
    @classmethod
    def load(cls, folder: Path, mmap_arrays: bool = True) -> LexicalIndex:
        """Open a saved index; arrays are memory-mapped unless `mmap_arrays` is False.

        Raises:
            OSError: a file is missing or unreadable.
            ValueError: the files do not belong together (damaged, or another format).
        """
        params = json.loads((folder / PARAMS_FILE).read_text(encoding="utf-8"))
        if not isinstance(params, dict) or params.get("format") != FORMAT:
            raise ValueError(f"unknown lexical index format in {folder}")
        n_docs, n_terms = int(params["n_docs"]), int(params["n_terms"])
        if n_docs == 0:
            return cls(None, 0, vocab={})
        bm25 = bm25s.BM25.load(str(folder), mmap=mmap_arrays, load_vocab=False,
                               show_progress=False)
        scores = bm25.scores
        indptr = scores["indptr"]
        if scores["num_docs"] != n_docs or not (
            len(scores["data"]) == len(scores["indices"]) == int(indptr[-1])
        ):
            raise ValueError(f"the lexical index in {folder} is inconsistent")
        mode = "r" if mmap_arrays else None
        offsets = np.load(folder / OFFSETS_FILE, mmap_mode=mode)
        term_ids = np.load(folder / IDS_FILE, mmap_mode=mode)
        if len(offsets) != n_terms + 1 or len(term_ids) != n_terms:
            raise ValueError(f"the term files in {folder} do not match")
        blob = _read_blob(folder / TERMS_FILE, int(offsets[-1]))
        return cls(bm25, n_docs, terms=_SortedTerms(blob, offsets), term_ids=term_ids)

    # --- reading ---------------------------------------------------------------------------
    def column(self, token: str) -> int | None:
        """The matrix column of a normalised token, or None when no chunk has it."""
        if self._vocab is not None:
            col = self._vocab.get(token)
        elif self._terms is not None and self._term_ids is not None:
            key = token.encode("utf-8")
            i = bisect.bisect_left(self._terms, key)
            col = int(self._term_ids[i]) if i < len(self._terms) and self._terms[i] == key \
                else None
        else:
            col = None
        return col if col is not None and col < self._columns else None

    def doc_freq(self, token: str) -> int:
        """How many chunks contain the normalised token."""
        col = self.column(token)
        if col is None or self._bm25 is None:
            return 0
        indptr = self._bm25.scores["indptr"]
        return int(indptr[col + 1]) - int(indptr[col])

    def idf(self, token: str) -> float:
        """Inverse document frequency of a normalised token over chunks (absent = highest)."""
        n = max(self.n_docs, 1)
        df = self.doc_freq(token)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row for the query tokens (a repeated token counts again)."""
        columns = [c for c in map(self.column, query_tokens) if c is not None]
        if not columns or self._bm25 is None:
            return np.zeros(self.n_docs, dtype=np.float32)
        with self._lock:  # bm25s scoring is not documented as thread-safe
            return self._bm25.get_scores_from_ids(columns)

    def top(self, query_tokens: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The best `k` rows with a positive score, best first, and their scores.

        Args:
            query_tokens: normalised tokens (`index.search.lexical_tokens` of the query).
            k: how many rows at most.

        Returns:
            (row indices, scores), both of the same length, scores decreasing.
        """
        if not query_tokens or self.n_docs == 0 or k <= 0:
            return _NO_ROWS, _NO_SCORES
        scores = self.scores(query_tokens)
        if len(scores) > k:
            top = np.argpartition(-scores, k)[:k]
            order = top[np.argsort(-scores[top])]
        else:
            order = np.argsort(-scores)
        order = order[scores[order] > 0]
        return order, scores[order]


def encode_tokens(tokens: Sequence[str], vocab: dict[str, int]) -> array:
    """Term ids of one chunk's tokens, adding new terms to `vocab` (ids 0, 1, 2, ...).

    A chunk without tokens becomes one `EMPTY_DOCUMENT` term, so it keeps its row.
    """
    return array("i", [vocab.setdefault(t, len(vocab)) for t in (tokens or [EMPTY_DOCUMENT])])


def _read_blob(path: Path, size: int) -> mmap.mmap | bytes:
    """The terms file, memory-mapped (an empty file cannot be mapped: empty bytes then)."""
    with path.open("rb") as handle:
        actual = handle.seek(0, 2)
        if actual != size:
            raise ValueError(f"{path} holds {actual} bytes, expected {size}")
        if size == 0:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
