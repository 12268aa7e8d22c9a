"""Types at the seams of the index: files -> RawDocument -> Article -> Chunk -> Hit.

Offsets (`start`, `end`) always index `Article.text`, the stored cleaned text, so every
quote can be checked and located again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def sha1_hex(*parts: str) -> str:
    """A stable hex digest of the given strings (joined with a separator that cannot occur)."""
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class SourceMeta:
    """What is known about where an article came from. `None` means unknown, never guessed."""

    outlet: str | None = None
    title: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) when known
    author: str | None = None
    url: str | None = None
    republished_by: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One cleaned news article, as stored in the docstore and quoted from.

    Attributes:
        id: stable id derived from the source key (file path, plus `#line` for JSON Lines).
        text: cleaned article text; every chunk and quote is an exact slice of it.
        source_file: the file name the article came from (shown as `document`).
        source_key: the resolved path (plus `#line`) that identifies it across builds.
        meta: outlet, title, date, author, url, republished_by.
        content_hash: sha1 of `text` and `meta`; an unchanged hash means no re-embedding.
    """

    id: str
    text: str
    source_file: str
    source_key: str
    meta: SourceMeta = field(default_factory=SourceMeta)
    content_hash: str = ""

    @staticmethod
    def make(text: str, source_file: str, source_key: str, meta: SourceMeta) -> Article:
        """Build an article with its id and content hash computed."""
        content_hash = sha1_hex(
            text,
            meta.outlet or "",
            meta.title or "",
            meta.published or "",
            meta.author or "",
            meta.url or "",
            meta.republished_by or "",
        )
        return Article(
            id=sha1_hex(source_key)[:16],
            text=text,
            source_file=source_file,
            source_key=source_key,
            meta=meta,
            content_hash=content_hash,
        )


@dataclass(frozen=True, slots=True)
class Chunk:
    """A span of an article's stored text: `text == article.text[start:end]`."""

    article_id: str
    index: int
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        return sha1_hex(self.article_id, str(self.start), str(self.end), self.text)[:24]


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved chunk with its article and fused score (higher is better)."""

    chunk: Chunk
    article: Article
    score: float
    dense_similarity: float | None = None  # cosine similarity, when the dense search found it
    lexical_score: float | None = None  # BM25 score, when the lexical search found it


@dataclass(frozen=True, slots=True)
class LoadFailure:
    """A file (or line of a file) that could not be loaded, with a one-line reason."""

    path: str
    reason: str
