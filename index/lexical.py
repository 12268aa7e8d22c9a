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

Building goes through `CountsBuilder`: each row's term counts (from tokens, or carried from
the previous build's saved counts when the chunk is unchanged) and then the BM25 matrix in
numpy, with bm25s's own formula and dtypes, so the scores are bit for bit those of
`bm25s.BM25.index` over the same tokens (a test checks it) at a fraction of the time.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import math
import mmap
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
ROWS_INDPTR_FILE = "row_indptr.npy"
ROWS_TERMS_FILE = "row_terms.npy"
ROWS_TF_FILE = "row_tf.npy"
EMPTY_DOCUMENT = "_empty_"  # stands for a chunk without tokens (keeps the row and its length)

_BLOCK = 1 << 22  # entries scored at a time
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
        row_counts: RowCounts | None = None,
        signature: str | None = None,
    ) -> None:
        """Use `build`, `from_texts`, `CountsBuilder` or `load` rather than this constructor."""
        self._bm25 = bm25
        self.n_docs = n_docs
        self.row_counts = row_counts
        self.signature = signature or TOKENS_SIGNATURE
        self._vocab = vocab
        self._terms = terms
        self._term_ids = term_ids
        self._lock = threading.Lock()
        self._columns = 0 if bm25 is None else len(bm25.scores["indptr"]) - 1

    # --- building --------------------------------------------------------------------------
    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]]) -> LexicalIndex:
        """Index one token list per chunk (row order is kept; empty lists are allowed)."""
        builder = CountsBuilder()
        rows = [builder.add_tokens(tokens) for tokens in token_lists]
        return builder.index(rows)

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
            if self.row_counts is not None:
                np.save(folder / ROWS_INDPTR_FILE, self.row_counts.indptr)
                np.save(folder / ROWS_TERMS_FILE, self.row_counts.columns)
                tf = self.row_counts.tf
                small = len(tf) == 0 or int(tf.max()) <= np.iinfo(np.uint16).max
                np.save(folder / ROWS_TF_FILE, tf.astype(np.uint16) if small else tf)
        params = {"format": FORMAT, "n_docs": self.n_docs, "n_terms": n_terms,
                  "row_counts": self.row_counts is not None, "tokens": self.signature}
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
        row_counts = None
        if params.get("row_counts"):
            row_counts = RowCounts(np.load(folder / ROWS_INDPTR_FILE, mmap_mode=mode),
                                   np.load(folder / ROWS_TERMS_FILE, mmap_mode=mode),
                                   np.load(folder / ROWS_TF_FILE, mmap_mode=mode))
            if len(row_counts.indptr) != n_docs + 1 or not (
                len(row_counts.columns) == len(row_counts.tf) == int(row_counts.indptr[-1])
            ):
                raise ValueError(f"the row counts in {folder} do not match")
        return cls(bm25, n_docs, terms=_SortedTerms(blob, offsets), term_ids=term_ids,
                   row_counts=row_counts, signature=str(params.get("tokens") or "unknown"))

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

    def terms_by_column(self) -> list[str | None]:
        """Every term, indexed by matrix column (for carrying rows into a new build)."""
        out: list[str | None] = [None] * self._columns
        for term, column in self._vocab_items():
            if column < self._columns:
                out[column] = term
        return out

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


@dataclass(frozen=True)
class RowCounts:
    """Term counts of every row (CSR): row `i` holds `columns[indptr[i]:indptr[i + 1]]`
    with counts `tf[...]`. Saved with the index, so a later build carries unchanged chunks'
    counts instead of tokenising their texts again."""

    indptr: np.ndarray
    columns: np.ndarray
    tf: np.ndarray


class CountsBuilder:
    """Collects term counts of rows against one vocabulary, then builds the index.

    Rows come from tokens (`add_tokens`) or from a previous build's index (`add_carried`);
    `index(rows)` computes exactly the scores bm25s computes from the same tokens (Lucene
    BM25, k1 = 1.5, b = 0.75, float32), vectorised in numpy.
    """

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._terms: list[np.ndarray] = []
        self._tf: list[np.ndarray] = []
        self._maps: dict[int, np.ndarray] = {}

    def add_tokens(self, tokens: Sequence[str]) -> int:
        """Add one row from its tokens; returns its handle (pass it to `index`)."""
        counts = Counter(tokens or [EMPTY_DOCUMENT])  # a chunk without tokens keeps its row
        vocab = self.vocab
        self._terms.append(np.fromiter((vocab.setdefault(t, len(vocab)) for t in counts),
                                       dtype=np.int32, count=len(counts)))
        self._tf.append(np.fromiter(counts.values(), dtype=np.int32, count=len(counts)))
        return len(self._terms) - 1

    def add_carried(self, previous: LexicalIndex, row: int) -> int | None:
        """Add row `row` of a previous index by its saved counts; None when it has none."""
        counts = previous.row_counts
        if counts is None or previous.signature != TOKENS_SIGNATURE:
            return None
        mapping = self._maps.get(id(previous))
        if mapping is None:
            vocab = self.vocab
            mapping = np.asarray([-1 if t is None else vocab.setdefault(t, len(vocab))
                                  for t in previous.terms_by_column()], dtype=np.int32)
            self._maps[id(previous)] = mapping
        begin, end = int(counts.indptr[row]), int(counts.indptr[row + 1])
        self._terms.append(mapping[np.asarray(counts.columns[begin:end])])
        self._tf.append(np.asarray(counts.tf[begin:end], dtype=np.int32))
        return len(self._terms) - 1

    def index(self, rows: Sequence[int]) -> LexicalIndex:
        """The index over these rows (handles from `add_*`), in this order (call once: the
        collected counts are released)."""
        if not rows:
            return LexicalIndex(None, 0, vocab={})
        lengths = np.fromiter((len(self._terms[r]) for r in rows), dtype=np.int64,
                              count=len(rows))
        terms = np.concatenate([self._terms[r] for r in rows])
        tf = np.concatenate([self._tf[r] for r in rows])
        self._terms, self._tf, self._maps = [], [], {}
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        # keep only the terms these rows use (column numbers do not change any score)
        used = np.flatnonzero(np.bincount(terms, minlength=len(self.vocab)))
        remap = np.full(len(self.vocab), -1, dtype=np.int32)
        remap[used] = np.arange(len(used), dtype=np.int32)
        columns = remap[terms]
        del terms, remap
        names = [""] * len(self.vocab)
        for term, i in self.vocab.items():
            names[i] = term
        vocab = {names[old]: new for new, old in enumerate(used.tolist())}
        bm25 = _bm25_from_counts(indptr, columns, tf, len(used))
        vocab[""] = len(used)  # as bm25s adds it: an empty query token has no column
        bm25.vocab_dict = vocab
        bm25.unique_token_ids_set = set(vocab.values())
        return LexicalIndex(bm25, len(rows), vocab=vocab,
                            row_counts=RowCounts(indptr, columns, tf))


def _bm25_from_counts(indptr: np.ndarray, columns: np.ndarray, tf: np.ndarray,
                      n_terms: int) -> bm25s.BM25:
    """A bm25s index (Lucene variant) from row term counts, equal to `bm25s.BM25.index`.

    bm25s computes, per document of length l_d (tokens, repeats counted) and average
    length l_avg, `idf[t] * tf / (k1 * ((1 - b) + b * l_d / l_avg) + tf)` in float64 with
    float32 idf and tf, stored as float32; the same operations on whole arrays give the
    same numbers.
    """
    bm25 = bm25s.BM25()
    n_docs = len(indptr) - 1
    rows = np.repeat(np.arange(n_docs, dtype=np.int32), np.diff(indptr))
    doc_len = np.bincount(rows, weights=tf, minlength=n_docs).astype(np.int64)
    avg_doc_len = doc_len.mean()
    df = np.bincount(columns, minlength=n_terms)
    idf = np.asarray([math.log(1 + (n_docs - d + 0.5) / (d + 0.5)) for d in df.tolist()],
                     dtype=bm25.dtype)
    k1, b = bm25.k1, bm25.b
    norm = k1 * ((1 - b) + b * doc_len / avg_doc_len)  # float64 per document
    data = np.empty(len(columns), dtype=bm25.dtype)
    for begin in range(0, len(columns), _BLOCK):  # blocks: no corpus-sized float64 arrays
        part = slice(begin, begin + _BLOCK)
        tf64 = tf[part].astype(np.float32).astype(np.float64)
        data[part] = idf[columns[part]].astype(np.float64) * (
            tf64 / (norm[rows[part]] + tf64))
    # entries are in row order, so a stable sort by column orders each column by row,
    # as bm25s's sort on (column, row) does
    sorter = np.argsort(columns, kind="stable")
    col_indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(np.bincount(columns, minlength=n_terms), out=col_indptr[1:])
    bm25.scores = {"data": data[sorter], "indices": rows[sorter], "indptr": col_indptr,
                   "num_docs": n_docs}
    bm25.nonoccurrence_array = None
    return bm25


def _tokens_signature() -> str:
    """Fingerprint of the tokeniser's code: counts saved by other code are never carried."""
    import index.search

    try:
        source = Path(index.search.__file__).read_bytes()
    except OSError:
        return "unknown"
    return hashlib.sha1(source + f"|{FORMAT}".encode()).hexdigest()[:16]


TOKENS_SIGNATURE = _tokens_signature()


def _read_blob(path: Path, size: int) -> mmap.mmap | bytes:
    """The terms file, memory-mapped (an empty file cannot be mapped: empty bytes then)."""
    with path.open("rb") as handle:
        actual = handle.seek(0, 2)
        if actual != size:
            raise ValueError(f"{path} holds {actual} bytes, expected {size}")
        if size == 0:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
