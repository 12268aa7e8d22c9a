"""A small in-memory index with the reader interface the core needs.

Used where a Chroma collection per item would only add overhead: RAMDocs (a fresh index of
a handful of documents per question) and fast unit tests. Dense search is an exact cosine
scan over a numpy matrix, which for a few hundred chunks is faster than any ANN index; the
lexical index (`lexical`) is built in memory. The interface is `index.store.IndexReader`'s:
`articles`, `chunks`, `lexical`, `chunks_at`, `counts`, `outlet_rows`, `dense_search`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from index.lexical import LexicalIndex
from index.types import Article, Chunk


@dataclass
class MemoryBuild:
    """Stands in for `index.docstore.BuildInfo` of a memory index."""

    id: str = "memory"
    collection: str = "memory"
    created_at: str = ""
    model: str = ""
    roots: list[str] = field(default_factory=list)


class MemoryReader:
    """Articles, chunks and vectors held in memory; `dense_search` like `IndexReader`'s."""

    def __init__(
        self,
        articles: Sequence[Article],
        chunks: Sequence[Chunk],
        embeddings: Embeddings,
        vectors: np.ndarray | None = None,
        model: str = "",
    ) -> None:
        """Index the chunks (embedding them unless `vectors` are given, one row per chunk)."""
        self.articles: dict[str, Article] = {a.id: a for a in articles}
        self.chunks: list[Chunk] = list(chunks)
        self.lexical = LexicalIndex.from_texts(c.text for c in self.chunks)
        self.embeddings = embeddings
        self.build = MemoryBuild(model=model)
        if vectors is None:
            vectors = np.asarray(
                embeddings.embed_documents([c.text for c in self.chunks]) if self.chunks
                else np.zeros((0, 1)), dtype=np.float32,
            )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else 1.0
        self._matrix = vectors / np.where(norms == 0, 1.0, norms)

    def counts(self) -> tuple[int, int, int]:
        """Articles, chunks and distinct known outlets."""
        outlets = {a.meta.outlet for a in self.articles.values() if a.meta.outlet}
        return len(self.articles), len(self.chunks), len(outlets)

    def outlet_rows(self) -> list[tuple[str | None, str | None]]:
        """(outlet, published) of every article."""
        return [(a.meta.outlet, a.meta.published) for a in self.articles.values()]

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        """The chunks at these rows (row `i` is lexical row `i`)."""
        return [self.chunks[int(i)] for i in rows]

    def dense_search(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity, best first."""
        if not self.chunks:
            return []
        q = np.asarray(self.embeddings.embed_query(query), dtype=np.float32)
        q = q / (np.linalg.norm(q) or 1.0)
        sims = self._matrix @ q
        order = np.argsort(-sims)[:k]
        return [(self.chunks[i], float(sims[i])) for i in order]


def whole_article_chunks(articles: Sequence[Article]) -> list[Chunk]:
    """One chunk per article covering its whole text (for short documents)."""
    return [Chunk(a.id, 0, 0, len(a.text), a.text) for a in articles if a.text]
