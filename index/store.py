"""The store: Chroma (embedded or server) for vectors, the docstore for texts.

`open_reader(settings)` gives an `IndexReader` over the active build. It holds no corpus:
articles come from the docstore by id, chunks from the build's memory-mapped chunk table and
BM25 from its memory-mapped lexical index (`index.buildfiles`), so opening a million-chunk
index reads a few files. Chroma stores vectors and the four metadata keys search needs
(`CHUNK_METADATA_KEYS`), never texts. Chroma's own default
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
import threading
from collections import OrderedDict
from collections.abc import (
    ItemsView,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
    ValuesView,
)
from pathlib import Path
from typing import overload
from urllib.parse import quote

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from langchain_core.embeddings import Embeddings

from bot.settings import Settings
from index.atomic import remove_trees
from index.buildfiles import BuildFiles, ensure_build_files, prune_build_dirs
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
from index.lexical import LexicalIndex
from index.types import Article, Chunk

__all__ = [
    "ChunkTable", "DiskFullError", "DocStoreDamagedError", "IndexNotBuiltError", "IndexReader",
    "ReadOnlyDataDirError", "StoreError", "StoreUnavailableError", "StoredArticles",
    "chroma_client", "docstore", "open_collection", "open_reader",
]

log = logging.getLogger(__name__)

COLLECTION_METADATA = {"hnsw:space": "cosine"}
ADD_BATCH = 1000
ARTICLE_CACHE_SIZE = 512  # articles a reader keeps (a query touches a few dozen)


COLLECTION_PREFIX = "factbot-"
_SEGMENT_NAME_LENGTH = 36  # Chroma names a segment folder by its UUID


def docstore(settings: Settings) -> DocStore:
    """The docstore: SQLite in the data dir, or PostgreSQL in shared mode.

    In shared mode (`settings.shared_store`: `DATABASE_URL` set) texts and the build registry
    live in `index.pgstore.PgDocStore`, which has `DocStore`'s public methods. Opening either
    creates nothing.
    """
    if settings.shared_store:
        from index.pgstore import PgDocStore  # only shared mode needs the PostgreSQL driver

        return PgDocStore.from_settings(settings)  # type: ignore[return-value]
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


CHUNK_METADATA_KEYS = ("article_id", "chunk_index", "start", "end")


def chunk_metadata(chunk: Chunk) -> dict[str, str | int]:
    """Chroma metadata of one chunk: what search needs to rebuild it (`CHUNK_METADATA_KEYS`).

    Texts, titles and outlets stay in the docstore only (never duplicated into Chroma).
    """
    return {"article_id": chunk.article_id, "chunk_index": chunk.index, "start": chunk.start,
            "end": chunk.end}


def add_vectors(
    collection: Collection,
    chunks: Sequence[Chunk],
    vectors: Sequence[Sequence[float]],
    articles: Mapping[str, Article] | None = None,
) -> None:
    """Upsert chunks with their vectors (lists or numpy rows) and `chunk_metadata` (no documents).

    Ids are deterministic, so building twice is harmless. `articles` is accepted for callers
    of the older signature and not used.
    """
    del articles
    for begin in range(0, len(chunks), ADD_BATCH):
        part = chunks[begin : begin + ADD_BATCH]
        collection.upsert(
            ids=[c.id for c in part],
            embeddings=np.asarray(vectors[begin : begin + ADD_BATCH], dtype=np.float32),
            metadatas=[chunk_metadata(c) for c in part],  # type: ignore[misc]
        )


def fetch_vectors(collection: Collection, ids: Sequence[str]) -> dict[str, list[float]]:
    """Stored vectors by chunk id (for carrying unchanged articles into a new build)."""
    out: dict[str, list[float]] = {}
    for begin in range(0, len(ids), ADD_BATCH):
        got = collection.get(ids=list(ids[begin : begin + ADD_BATCH]), include=["embeddings"])
        for cid, vec in zip(got["ids"], got["embeddings"], strict=True):
            out[cid] = list(map(float, vec))
    return out


class IndexReader:
    """A read-only view of one build that holds no corpus in memory.

    `articles` fetches articles from the docstore by id (a small LRU cache in front),
    `chunks` is the build's chunk table (texts sliced from the articles on access), `lexical`
    the memory-mapped BM25 index, and `dense_search` asks Chroma, whose metadata carries
    each chunk's article id and offsets. Safe to share between threads.
    """

    def __init__(
        self,
        build: BuildInfo,
        store: DocStore,
        files: BuildFiles,
        embeddings: Embeddings,
        collection: Collection,
        client: ClientAPI,
        cache_size: int = ARTICLE_CACHE_SIZE,
    ) -> None:
        self.build = build
        self.store = store
        self.files = files
        self.embeddings = embeddings
        self.collection = collection
        self.client = client
        self.lexical: LexicalIndex = files.lexical
        self.articles = StoredArticles(store, build.id, files, cache_size)
        self.chunks = ChunkTable(files, self.articles)

    def counts(self) -> tuple[int, int, int]:
        """Articles, chunks and distinct known outlets of the build (one SQL query)."""
        return self.store.counts(self.build.id)

    def outlet_rows(self) -> list[tuple[str | None, str | None]]:
        """(outlet, published) of every article (one SQL query, no texts)."""
        return self.store.outlet_rows(self.build.id)

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        """The chunks of these chunk-table rows (their articles fetched in one query)."""
        return self.chunks.at(rows)

    def dense_search(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity (1 - cosine distance), best first.

        Raises:
            StoreUnavailableError: Chroma failed to answer.
        """
        if not len(self.chunks) or k <= 0:
            return []
        vector = self.embeddings.embed_query(query)
        try:
            result = self.collection.query(
                query_embeddings=[vector],
                n_results=min(k, len(self.chunks)),
                include=["distances", "metadatas"],
            )
        except Exception as exc:
            raise StoreUnavailableError("the vector store failed to answer the search") from exc
        metas = (result.get("metadatas") or [[]])[0] or []
        distances = result["distances"][0]
        return [
            (chunk, 1.0 - float(distance))
            for chunk, distance in zip(self._chunks_of(metas), distances, strict=True)
            if chunk is not None
        ]

    def _chunks_of(self, metas: Sequence[Mapping | None]) -> list[Chunk | None]:
        """Chunks from Chroma metadata (`CHUNK_METADATA_KEYS`); None where one is unusable."""
        wanted = {m["article_id"] for m in metas if m and "article_id" in m}
        articles = self.articles.get_many(wanted)
        out: list[Chunk | None] = []
        for meta in metas:
            try:
                article = articles.get(str(meta["article_id"])) if meta else None
                if article is None:
                    out.append(None)
                    continue
                start, end = int(meta["start"]), int(meta["end"])  # type: ignore[index]
                out.append(Chunk(article.id, int(meta["chunk_index"]), start, end,  # type: ignore[index]
                                 article.text[start:end]))
            except (KeyError, TypeError, ValueError):
                log.debug("chunk metadata without the keys search needs: %s", meta)
                out.append(None)
        return out


class StoredArticles(Mapping[str, Article]):
    """The build's articles by id, read from the docstore on demand (thread-safe LRU cache).

    `[]`, `get`, `in` and `len` are cheap (`in` and `len` read the build's article id file,
    not the docstore). Iterating keys is cheap too; iterating values or items reads every
    article from the docstore (streamed, one query), so avoid it on a large corpus.
    """

    def __init__(self, store: DocStore, build_id: str, files: BuildFiles, cache_size: int
                 ) -> None:
        self._store = store
        self._build_id = build_id
        self._files = files
        self._cache: OrderedDict[str, Article] = OrderedDict()
        self._cache_size = max(cache_size, 1)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._files.article_ids)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._files.has_article(key)

    def __iter__(self) -> Iterator[str]:
        return (bytes(a).decode("utf-8") for a in self._files.article_ids)

    def __getitem__(self, key: str) -> Article:
        found = self.get_many([key]).get(key)
        if found is None:
            raise KeyError(key)
        return found

    def get_many(self, ids: Iterable[str]) -> dict[str, Article]:
        """The articles with these ids that the build holds, missing ones in one query."""
        out: dict[str, Article] = {}
        missing = []
        with self._lock:
            for aid in ids:
                article = self._cache.get(aid)
                if article is not None:
                    self._cache.move_to_end(aid)
                    out[aid] = article
                elif aid not in out:
                    missing.append(aid)
        missing = [aid for aid in missing if aid in self]
        if missing:
            fetched = self._store.get_articles(self._build_id, missing)
            out.update(fetched)
            with self._lock:
                for aid, article in fetched.items():
                    self._cache[aid] = article
                    self._cache.move_to_end(aid)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out

    def values(self) -> ValuesView[Article]:
        """Every article, streamed from the docstore (reads the whole corpus)."""
        return _StreamedValues(self)

    def items(self) -> ItemsView[str, Article]:
        """(id, article) of every article, streamed from the docstore (reads the whole corpus)."""
        return _StreamedItems(self)

    def stream(self) -> Iterator[Article]:
        """Every article, in docstore order, without going through the cache."""
        return self._store.iter_articles(self._build_id)


class _StreamedValues(ValuesView):
    def __iter__(self) -> Iterator[Article]:
        return self._mapping.stream()


class _StreamedItems(ItemsView):
    def __iter__(self) -> Iterator[tuple[str, Article]]:
        return ((a.id, a) for a in self._mapping.stream())


class ChunkTable(Sequence[Chunk]):
    """The build's chunks in table order (article id, chunk index); row `i` is BM25 row `i`.

    `len` is cheap; `table[i]` builds the `Chunk`, its text sliced from the (cached) article.
    """

    def __init__(self, files: BuildFiles, articles: StoredArticles) -> None:
        self._files = files
        self._articles = articles

    def __len__(self) -> int:
        return self._files.n_chunks

    @overload
    def __getitem__(self, index: int) -> Chunk: ...

    @overload
    def __getitem__(self, index: slice) -> list[Chunk]: ...

    def __getitem__(self, index: int | slice) -> Chunk | list[Chunk]:
        if isinstance(index, slice):
            return self.at(range(*index.indices(len(self))))
        n = len(self)
        if not -n <= index < n:
            raise IndexError(index)
        return self.at([index % n])[0]

    def __iter__(self) -> Iterator[Chunk]:
        step = 256
        for begin in range(0, len(self), step):
            yield from self.at(range(begin, min(begin + step, len(self))))

    def at(self, rows: Iterable[int]) -> list[Chunk]:
        """The chunks of these rows, in the order given (their articles in one fetch)."""
        rows = [int(r) for r in rows]
        files = self._files
        ids = [files.article_id(r) for r in rows]
        articles = self._articles.get_many(ids)
        out = []
        for row, aid in zip(rows, ids, strict=True):
            _arow, idx, start, end = (int(v) for v in files.table[row])
            article = articles.get(aid)
            if article is None:
                raise StoreError(f"article {aid} of chunk row {row} is missing from the "
                                 "docstore; run `factbot index doctor`")
            out.append(Chunk(aid, idx, start, end, article.text[start:end]))
        return out


def open_reader(settings: Settings, build: BuildInfo | None = None) -> IndexReader:
    """Open the active build (or the given one) for reading; creates nothing but its files.

    The build's local files (`index.buildfiles`) are memory-mapped; when they are missing or
    damaged they are rebuilt from the docstore (and saved when the data dir is writable).
    Local folders of builds no longer in the registry are removed.

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
    files = ensure_build_files(settings.data_dir, store, build)
    try:
        prune_build_dirs(settings.data_dir, {b.id for b in store.builds()})
    except (OSError, StoreError) as exc:
        log.debug("could not prune old build folders: %s", exc)
    return IndexReader(
        build=build,
        store=store,
        files=files,
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
    return remove_trees(orphan_segment_dirs(settings), "unused segment folder")
