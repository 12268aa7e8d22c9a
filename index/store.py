"""The store: Chroma (embedded or server) for vectors, the docstore for texts.

`open_reader(settings)` gives an `IndexReader` over the active build. Chroma's own default
embedding function is never used (it would download a model): collections are opened with
`embedding_function=None` and every vector comes from our `Embeddings`.

Reading creates nothing. Embedded Chroma writes to its SQLite file even to read, so a reader
on a read-only data dir opens a private copy of the Chroma folder in a temporary folder
(removed when the process exits). The errors live in `index.errors` and are re-exported here.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from bot.settings import Settings
from index.docstore import BuildInfo, DocStore
from index.embeddings import get_embeddings
from index.errors import (
    DiskFullError,
    DocStoreDamagedError,
    IndexNotBuiltError,
    ReadOnlyDataDirError,
    StoreError,
    StoreUnavailableError,
)
from index.types import Article, Chunk

__all__ = [
    "DiskFullError", "DocStoreDamagedError", "IndexNotBuiltError", "IndexReader",
    "ReadOnlyDataDirError", "StoreError", "StoreUnavailableError", "chroma_client", "docstore",
    "open_collection", "open_reader",
]

log = logging.getLogger(__name__)

COLLECTION_METADATA = {"hnsw:space": "cosine"}
ADD_BATCH = 1000


COLLECTION_PREFIX = "factbot-"
_SEGMENT_NAME_LENGTH = 36  # Chroma names a segment folder by its UUID


def docstore(settings: Settings) -> DocStore:
    """The docstore of the data dir (opening it creates nothing; see `DocStore`)."""
    return DocStore(settings.data_dir / "docstore.sqlite")


def chroma_path(settings: Settings) -> Path:
    """The folder of the embedded Chroma store under the data dir."""
    return settings.data_dir / "chroma"


def chroma_client(settings: Settings, *, for_reading: bool = False) -> ClientAPI:
    """An embedded `PersistentClient` under the data dir, or an `HttpClient` to a server.

    Args:
        settings: data dir and Chroma location.
        for_reading: never create the embedded folder, and read a private copy of it when the
            data dir is read-only.

    Raises:
        StoreUnavailableError: the server does not answer, or (for reading) the embedded
            folder is missing.
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
    path = chroma_path(settings)
    if for_reading:
        if not (path / "chroma.sqlite3").is_file():
            raise StoreUnavailableError(
                f"the vector store {path} is missing; run `factbot index build` to rebuild it"
            )
        if not _writable_tree(path):
            path = _private_copy(path)
    else:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ReadOnlyDataDirError(settings.data_dir) from exc
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:  # chromadb raises its own InternalError types here
        raise StoreUnavailableError(
            f"the vector store {path} cannot be opened; run `factbot index doctor`"
        ) from exc


def _writable_tree(path: Path) -> bool:
    files = [path, path / "chroma.sqlite3"]
    return all(os.access(f, os.W_OK) for f in files)


_copies: list[tempfile.TemporaryDirectory] = []


def _private_copy(path: Path) -> Path:
    """Copy a read-only Chroma folder to a temporary folder that is removed at exit."""
    holder = tempfile.TemporaryDirectory(prefix="factbot-chroma-")
    _copies.append(holder)
    target = Path(holder.name) / "chroma"
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    log.info("data dir is read-only: reading a private copy of %s (%.1f MB) in %s",
             path, size / 1e6, target)
    try:
        shutil.copytree(path, target, copy_function=shutil.copyfile)
    except OSError as exc:
        raise StoreUnavailableError(
            f"the data dir is read-only and the vector store ({size / 1e6:.0f} MB) could not "
            f"be copied to {tempfile.gettempdir()} ({exc.strerror}); set TMPDIR to a folder "
            "with space"
        ) from exc
    return target  # a write-ahead log copied with it is replayed when the copy is opened


@atexit.register
def _remove_copies() -> None:
    for holder in _copies:
        holder.cleanup()


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
    """Open the active build (or the given one) for reading; creates nothing.

    Raises:
        IndexNotBuiltError: no build has completed in `settings.data_dir`.
        StoreUnavailableError: Chroma cannot be reached or lost the collection.
        DocStoreDamagedError: the docstore file is damaged.
    """
    store = docstore(settings)
    build = build or store.active_build()
    if build is None:
        raise IndexNotBuiltError(
            f"no index in {Path(settings.data_dir)}: run `factbot index build PATH` first"
        )
    client = chroma_client(settings, for_reading=True)
    try:
        collection = open_collection(client, build.collection)
    except Exception as exc:
        raise StoreUnavailableError(
            f"the vector store has no collection {build.collection} for the active build; "
            "run `factbot index build` to rebuild it"
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


def check_active_collection(settings: Settings) -> list[str]:
    """Problems that stop the active build from being served (empty when it can be).

    Checks that the docstore reads, that Chroma answers (the embedded folder exists, or the
    server is up) and that the active build's collection is there with one vector per chunk.
    Creates nothing.
    """
    store = docstore(settings)
    try:
        build = store.active_build()
        if build is None:
            return []
        _articles, chunks, _outlets = store.counts(build.id)
        client = chroma_client(settings, for_reading=True)
    except StoreError as exc:
        return [str(exc)]
    try:
        count = open_collection(client, build.collection).count()
    except Exception:
        return [f"the vector store has no collection {build.collection} for the active build; "
                "run `factbot index build` to rebuild it"]
    if count != chunks:
        return [f"the active collection holds {count} vectors for {chunks} chunks; "
                "run `factbot index build` to rebuild it"]
    return []


def chroma_segments(path: Path) -> dict[str, str] | None:
    """Segment id -> collection name, read from an embedded Chroma folder's own SQLite file.

    Chroma keeps each collection's vectors in a folder named by its vector segment id; it does
    not remove that folder when the collection is deleted. Returns None when the file cannot
    be read as expected (a Chroma version with another layout): nothing is then removed.
    """
    db_path = path / "chroma.sqlite3"
    if not db_path.is_file():
        return None
    try:
        db = sqlite3.connect(f"file:{quote(str(db_path))}?mode=ro", uri=True, timeout=30)
        try:
            rows = db.execute(
                "SELECT s.id, c.name FROM segments s LEFT JOIN collections c "
                "ON s.collection = c.id"
            ).fetchall()
        finally:
            db.close()
    except sqlite3.Error as exc:
        log.debug("cannot read Chroma segments in %s: %s", db_path, exc)
        return None
    return {str(sid): str(name) for sid, name in rows}


def orphan_segment_dirs(settings: Settings) -> list[Path]:
    """Segment folders of the embedded store that no collection uses any more."""
    if settings.chroma_is_remote:
        return []
    path = chroma_path(settings)
    segments = chroma_segments(path)
    if segments is None:
        return []
    return sorted(
        entry for entry in path.iterdir()
        if entry.is_dir() and len(entry.name) == _SEGMENT_NAME_LENGTH
        and entry.name.count("-") == 4 and entry.name not in segments
    )


def remove_orphan_segment_dirs(settings: Settings) -> list[Path]:
    """Delete the folders of `orphan_segment_dirs`; returns those removed."""
    removed = []
    for folder in orphan_segment_dirs(settings):
        try:
            shutil.rmtree(folder)
        except OSError as exc:
            log.warning("could not remove unused segment folder %s: %s", folder, exc.strerror)
            continue
        log.info("removed unused segment folder %s", folder.name)
        removed.append(folder)
    return removed
