"""Write a newsroom-archive build of N real-length chunks into a data dir (resumable).

The texts come from `benchmarks/_corpus.py` (deterministic: article k is the same on every
run). The first `--real` chunks are embedded with the configured real model; every other chunk
reuses one of those vectors (chunk i takes vector i mod real) with small deterministic noise,
renormalised, as `benchmarks/answer_latency.py` does. Everything goes through the store's own
functions: docstore rows (`start_build`, `add_articles`, `add_chunks`, `activate`) and a Chroma
collection opened with `index.store.open_collection` in cosine space, holding no documents
and only the metadata keys `article_id`, `chunk_index`, `start`, `end` (ids are `Chunk.id`).

Progress is kept in `<data-dir>/bench_state.json` after every block: run the same command
again to resume after an interruption (the first block after a resume is upserted, so a block
half-written before the interruption is harmless). The state also records the encoder's
measured chunks/s on the real chunks and the Chroma insert rate.

Run: nice -n 10 python benchmarks/scale_write.py --data-dir /work/bench/1m --articles 125000
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from pathlib import Path

import _corpus
import numpy as np

from bot.settings import Settings
from index.build import new_build
from index.embeddings import get_embeddings, model_id
from index.store import chroma_client, docstore, open_collection

log = logging.getLogger("scale_write")

STATE_FILE = "bench_state.json"
VECTORS_FILE = "bench_real_vectors.npy"
CHROMA_BATCH = 4000


def _load_state(data_dir: Path) -> dict:
    path = data_dir / STATE_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def _save_state(data_dir: Path, state: dict) -> None:
    tmp = data_dir / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps(state, indent=1))
    os.replace(tmp, data_dir / STATE_FILE)


def real_vectors(settings: Settings, state: dict, args: argparse.Namespace) -> np.ndarray:
    """The real vectors of the first `real` chunks (embedded once, then read from a file)."""
    path = settings.data_dir / VECTORS_FILE
    if path.is_file():
        return np.load(path)
    texts: list[str] = []
    for _art, chunks in _corpus.articles(0, args.real // args.paragraphs + 1, args.paragraphs,
                                         args.chars, args.seed):
        texts.extend(c.text for c in chunks)
    texts = texts[: args.real]
    embeddings = get_embeddings(settings)
    embeddings.embed_query("warm up")
    started = time.perf_counter()
    vectors = np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
    seconds = time.perf_counter() - started
    state["encoder"] = {"chunks": len(texts), "seconds": round(seconds, 2),
                        "chunks_per_s": round(len(texts) / seconds, 2),
                        "load": os.getloadavg()[0], "model": model_id(settings)}
    log.info("encoder: %d real chunks in %.1f s (%.1f chunks/s, load %.2f)", len(texts),
             seconds, len(texts) / seconds, os.getloadavg()[0])
    np.save(path, vectors)
    return vectors


def block_vectors(real: np.ndarray, first_chunk: int, count: int, seed: int) -> np.ndarray:
    """Vectors of chunks first_chunk .. first_chunk+count-1 (deterministic per block)."""
    index = np.arange(first_chunk, first_chunk + count)
    vectors = real[index % len(real)].copy()
    noisy = index >= len(real)
    noise = np.random.default_rng([seed, first_chunk]).normal(0, 0.01, vectors.shape)
    vectors[noisy] += noise[noisy].astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--paragraphs", type=int, default=8)
    parser.add_argument("--chars", type=int, default=850)
    parser.add_argument("--real", type=int, default=2000, help="chunks embedded for real")
    parser.add_argument("--block", type=int, default=1000, help="articles per block")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    args.data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=args.data_dir)
    state = _load_state(args.data_dir)
    shape = {"articles": args.articles, "paragraphs": args.paragraphs, "chars": args.chars,
             "real": args.real, "seed": args.seed, "block": args.block}
    if state and state.get("shape") != shape:
        raise SystemExit(f"{args.data_dir} holds another shape: {state.get('shape')}")
    if state.get("activated"):
        log.info("already complete: %s", state["build_id"])
        return
    store = docstore(settings)
    client = chroma_client(settings)
    if not state:
        info = new_build(settings, ["benchmark-archive"])
        build_id = info.id
        store.start_build(info)
        open_collection(client, info.collection, create=True)
        state = {"shape": shape, "build_id": build_id, "collection": info.collection,
                 "done_blocks": 0, "chroma_seconds": 0.0, "docstore_seconds": 0.0,
                 "generate_seconds": 0.0}
        _save_state(args.data_dir, state)
    collection = open_collection(client, state["collection"])
    real = real_vectors(settings, state, args)
    _save_state(args.data_dir, state)

    blocks = (args.articles + args.block - 1) // args.block
    resumed = state["done_blocks"] > 0
    for block in range(state["done_blocks"], blocks):
        first = block * args.block
        count = min(args.block, args.articles - first)
        t0 = time.perf_counter()
        pairs = list(_corpus.articles(first, count, args.paragraphs, args.chars, args.seed))
        arts = [a for a, _ in pairs]
        chunks = [c for _, cs in pairs for c in cs]
        vectors = block_vectors(real, first * args.paragraphs, len(chunks), args.seed)
        t1 = time.perf_counter()
        store.add_articles(state["build_id"], arts)
        store.add_chunks(state["build_id"], chunks)
        t2 = time.perf_counter()
        for begin in range(0, len(chunks), CHROMA_BATCH):
            part = chunks[begin: begin + CHROMA_BATCH]
            write = collection.upsert if resumed else collection.add
            write(ids=[c.id for c in part], embeddings=vectors[begin: begin + len(part)],
                  metadatas=[{"article_id": c.article_id, "chunk_index": c.index,
                              "start": c.start, "end": c.end} for c in part])
        resumed = False
        t3 = time.perf_counter()
        state["generate_seconds"] += t1 - t0
        state["docstore_seconds"] += t2 - t1
        state["chroma_seconds"] += t3 - t2
        state["done_blocks"] = block + 1
        _save_state(args.data_dir, state)
        done = min((block + 1) * args.block, args.articles) * args.paragraphs
        log.info("block %d/%d: %d chunks written; this block chroma %.0f chunks/s, "
                 "overall chroma %.0f chunks/s; load %.2f", block + 1, blocks, done,
                 len(chunks) / (t3 - t2), done / state["chroma_seconds"], os.getloadavg()[0])

    store.activate(state["build_id"], {"benchmark": "archive", **shape})
    state["activated"] = True
    state["chunks"] = args.articles * args.paragraphs
    state["vectors_in_collection"] = collection.count()
    _save_state(args.data_dir, state)
    log.info("activated %s: %d vectors", state["build_id"], state["vectors_in_collection"])


if __name__ == "__main__":
    main()
