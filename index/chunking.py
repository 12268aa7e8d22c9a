"""Token-based, sentence-aware chunking whose chunks are exact slices of the article text."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from langchain_text_splitters import RecursiveCharacterTextSplitter

from index.tokens import ENCODING, install_bpe_cache
from index.types import Article, Chunk

# Paragraphs first, then sentence ends, then clauses, then words: boundaries stay natural.
SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


class ChunkingError(RuntimeError):
    """A chunk did not come out as an exact slice of its article (a bug, never data)."""


class Chunker:
    """Splits articles into overlapping token-sized chunks with character offsets.

    Uses `RecursiveCharacterTextSplitter.from_tiktoken_encoder` (counting tokens with
    `cl100k_base`, loaded offline). Each chunk is then located in the article text by a
    forward search from the previous chunk's start (LangChain's own `add_start_index` guess
    returns -1 when overlap and stripping disagree) and verified to be an exact slice.
    """

    def __init__(self, chunk_tokens: int, overlap_tokens: int, tiktoken_cache: Path) -> None:
        install_bpe_cache(tiktoken_cache)
        self._splitter = RecursiveCharacterTextSplitter.from_tiktoken_encoder(
            encoding_name=ENCODING,
            chunk_size=chunk_tokens,
            chunk_overlap=min(overlap_tokens, chunk_tokens // 2),
            separators=SEPARATORS,
            keep_separator="end",
            strip_whitespace=True,
            disallowed_special=(),
        )

    def split(self, article: Article) -> list[Chunk]:
        """Chunks of one article, in order.

        Raises:
            ChunkingError: if a chunk is not `article.text[start:end]` (never expected).
        """
        chunks: list[Chunk] = []
        cursor = 0
        for index, piece in enumerate(self._splitter.split_text(article.text)):
            start = article.text.find(piece, cursor)
            if start < 0:
                raise ChunkingError(f"chunk {index} of {article.source_key} is not a slice")
            chunks.append(Chunk(article.id, index, start, start + len(piece), piece))
            cursor = start + 1
        return chunks

    def split_all(self, articles: Iterable[Article]) -> list[Chunk]:
        """Chunks of many articles, grouped by article."""
        return [chunk for article in articles for chunk in self.split(article)]
