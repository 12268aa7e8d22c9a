"""The store: Chroma (embedded or server) for vectors, the docstore for texts.

`open_reader(settings)` gives an `IndexReader` over the active build. Chroma's own default
embedding function is never used (it would download a model): collections are opened with
`embedding_function=None` and every vector comes from our `Embeddings`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from bot.settings import Settings
from index.docstore import BuildInfo, DocStore
from index.embeddings import get_embeddings
from index.types import Article, Chunk

log = logging.getLogger(__name__)

COLLECTION_METADATA = {"hnsw:space": "cosine"}
ADD_BATCH = 1000


class StoreError(RuntimeError):
    """Base class of store errors; the message is short and safe to show a user."""


class IndexNotBuiltError(StoreError):
    """No build has completed yet in this data dir."""


class StoreUnavailableError(StoreError):
    """Chroma could not be reached or answered with an error."""


def docstore(settings: Settings) -> DocStore:
    return DocStore(settings.data_dir / "docstore.sqlite")


def chroma_client(settings: Settings) -> ClientAPI:
    """An embedded `PersistentClient` under the data dir, or an `HttpClient` to a server.

    Raises:
        StoreUnavailableError: the server does not answer.
    """
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_is_remote:
        where = f"{settings.chroma_host}:{settings.chroma_port or 8000}"
        try:
            client = chromadb.HttpClient(
                host=settings.chroma_host or "127.0.0.1",
                port=settings.chroma_port or 8000,
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # chromadb raises several unrelated types here
            raise StoreUnavailableError(f"Chroma server at {where} is not answering") from exc
        return client
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def open_collection(client: ClientAPI, name: str, create: bool = False) -> Collection:
    """A collection in cosine space with no embedding function of Chroma's own."""
    if create:
        return client.create_collection(
            name, metadata=COLLECTION_METADATA, embedding_function=None
        )
    return client.get_collection(name, embedding_function=None)


def chunk_metadata(chunk: Chunk, article: Article) -> dict[str, str | int]:
    """Chroma metadata of one chunk (None values are left out: Chroma does not store them)."""
    meta = {
        "article_id": article.id,
        "file": article.source_file,
        "outlet": article.meta.outlet,
        "title": article.meta.title,
        "published": article.meta.published,
        "author": article.meta.author,
        "url": article.meta.url,
        "republished_by": article.meta.republished_by,
        "chunk_index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "content_hash": article.content_hash,
    }
    return {k: v for k, v in meta.items() if v is not None}


def add_vectors(
    collection: Collection,
    chunks: Sequence[Chunk],
    vectors: Sequence[Sequence[float]],
    articles: dict[str, Article],
) -> None:
    """Upsert chunks with their vectors (ids are deterministic: building twice is harmless)."""
    for begin in range(0, len(chunks), ADD_BATCH):
        part = chunks[begin : begin + ADD_BATCH]
        collection.upsert(
            ids=[c.id for c in part],
            embeddings=[list(v) for v in vectors[begin : begin + ADD_BATCH]],
            documents=[c.text for c in part],
            metadatas=[chunk_metadata(c, articles[c.article_id]) for c in part],  # type: ignore[misc]
        )


def fetch_vectors(collection: Collection, ids: Sequence[str]) -> dict[str, list[float]]:
    """Stored vectors by chunk id (for carrying unchanged articles into a new build)."""
    out: dict[str, list[float]] = {}
    for begin in range(0, len(ids), ADD_BATCH):
        got = collection.get(ids=list(ids[begin : begin + ADD_BATCH]), include=["embeddings"])
        for cid, vec in zip(got["ids"], got["embeddings"], strict=True):
            out[cid] = list(map(float, vec))
    return out


@dataclass
class IndexReader:
    """A read-only view of one build: article texts, chunks, and dense search over Chroma."""

    build: BuildInfo
    articles: dict[str, Article]
    chunks: list[Chunk]
    embeddings: Embeddings
    collection: Collection
    client: ClientAPI
    chunk_by_id: dict[str, Chunk] = field(init=False)

    def __post_init__(self) -> None:
        self.chunk_by_id = {c.id: c for c in self.chunks}

    @property
    def vectorstore(self) -> Chroma:
        """The same collection as a LangChain `Chroma` vector store (e.g. for baselines)."""
        return Chroma(
            client=self.client,
            collection_name=self.build.collection,
            embedding_function=self.embeddings,
            collection_metadata=COLLECTION_METADATA,
        )

    def dense_search(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity (1 - cosine distance), best first.

        Raises:
            StoreUnavailableError: Chroma failed to answer.
        """
        if not self.chunks:
            return []
        vector = self.embeddings.embed_query(query)
        try:
            result = self.collection.query(
                query_embeddings=[vector],
                n_results=min(k, len(self.chunks)),
                include=["distances"],
            )
        except Exception as exc:
            raise StoreUnavailableError("the vector store failed to answer the search") from exc
        hits = []
        for cid, distance in zip(result["ids"][0], result["distances"][0], strict=True):
            chunk = self.chunk_by_id.get(cid)
            if chunk is not None:
                hits.append((chunk, 1.0 - float(distance)))
        return hits


def open_reader(settings: Settings, build: BuildInfo | None = None) -> IndexReader:
    """Open the active build (or the given one) for reading.

    Raises:
        IndexNotBuiltError: no build has completed in `settings.data_dir`.
        StoreUnavailableError: Chroma cannot be reached or lost the collection.
    """
    store = docstore(settings)
    build = build or store.active_build()
    if build is None:
        raise IndexNotBuiltError(
            f"no index in {Path(settings.data_dir)}: run `factbot index build PATH` first"
        )
    client = chroma_client(settings)
    try:
        collection = open_collection(client, build.collection)
    except Exception as exc:
        raise StoreUnavailableError(
            f"Chroma has no collection {build.collection}; rebuild the index"
        ) from exc
    articles = store.articles(build.id)
    return IndexReader(
        build=build,
        articles=articles,
        chunks=store.chunks(build.id, articles),
        embeddings=get_embeddings(settings),
        collection=collection,
        client=client,
    )
