"""Answer latency at >= 20,000 chunks: FactChecker (warm, extractive) vs plain similarity search.

Method. Embedding 20,000 chunks with the real model takes ~20 minutes on 2 cores, so:

1. Generate `--articles` invented news articles (deterministic seed), each of
   `--paragraphs` short paragraphs with sentences about invented towns, people, figures and
   claims ("X said ...", "Y denied ..."). Each paragraph is one chunk, an exact slice of its
   article text (`chunk.text == article.text[start:end]`), as the real chunker guarantees.
2. Embed the first `--real` chunks with the configured real model (default MiniLM int8).
   Every other chunk reuses one of those real vectors (chunk i takes vector i mod real),
   slightly perturbed with deterministic noise so no two vectors are identical.
3. Write everything through the store's own functions (docstore rows, a Chroma collection in
   cosine space via `index.store.add_vectors` holding vectors and chunk keys, no texts, the
   build's chunk table and BM25 files via `index.buildfiles`, then `DocStore.activate`), so
   `index.store.open_reader` and `FactChecker` open it exactly like a real build.
4. Warm up, then time `FactChecker.ask` / `.check` (hybrid retrieval, evidence, the judge,
   verdict, extractive composition, verification) and, on the same Chroma collection, a plain
   similarity search: the query embedded by the same model (`embed_query`, no memo) and
   `collection.query(query_embeddings=[v], n_results=k)`, the work a LangChain
   `Chroma.similarity_search` does. Report p50 and p95 of both and their ratio, in one run.

Query vectors are real (the model embeds every query). Dense similarities among the reused
vectors are realistic in distribution but not in meaning; the figures measure cost, not
answer quality (see `factbot eval` for quality).

Usage: python benchmarks/answer_latency.py [--articles 2500 --paragraphs 8 --real 1500]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from bot.answer.core import FactChecker
from bot.settings import Settings
from index.build import new_build
from index.buildfiles import make_build_files, save_build_files
from index.embeddings import get_embeddings, model_id
from index.store import add_vectors, chroma_client, docstore, open_collection
from index.types import Article, Chunk, SourceMeta

log = logging.getLogger("answer_latency")

TOWNS = ["Varn", "Oster", "Kelby", "Rudna", "Sallow", "Mirek", "Tobel", "Heddin", "Corvale",
         "Plessy", "Ardent", "Lumen", "Brask", "Quell", "Norrow", "Tessin"]
PEOPLE = ["Anna Vell", "Piet Dorn", "Mira Kast", "Olek Sand", "Ruth Amsel", "Jonas Feld",
          "Lia Brenner", "Tomas Reik", "Ines Holm", "Karl Ost"]
ROLES = ["the mayor", "a police spokesperson", "the regional governor", "a union leader",
         "the fire chief", "a ministry official", "the company", "an environmental group"]
EVENTS = ["flood", "fire", "strike", "blackout", "landslide", "protest", "bridge collapse",
          "chemical spill", "storm", "rail crash"]
OUTLETS = ["Daily Vane", "Coast Herald", "Northern Post", "Valley Times", None, "Metro Wire"]
TEMPLATES = [
    "{person}, {role}, said the {event} in {town} had forced {n} families from their homes.",
    "{role_c} denied that the {event} in {town} was caused by neglect.",
    "According to {role}, {n} people were treated in hospital after the {event}.",
    "The {event} began shortly after {h}:00 on {day} near the centre of {town}.",
    "{person} claimed that the damage in {town} would cost {n} million euros to repair.",
    "Residents of {town} said they had warned officials about the risk months ago.",
    "Officials set up a {n}-kilometre exclusion zone around {town} on {day}.",
    "{role_c} confirmed that {n} workers were still missing in {town} on {day} evening.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _sentence(rng: random.Random) -> str:
    role = rng.choice(ROLES)
    return rng.choice(TEMPLATES).format(
        person=rng.choice(PEOPLE), role=role, role_c=role[0].upper() + role[1:],
        event=rng.choice(EVENTS), town=rng.choice(TOWNS), n=rng.randint(2, 400),
        h=rng.randint(10, 23), day=rng.choice(DAYS),
    )


def generate(n_articles: int, paragraphs: int, seed: int = 7) -> tuple[list[Article], list[Chunk]]:
    """Invented articles whose paragraphs are their chunks (exact slices)."""
    rng = random.Random(seed)
    articles, chunks = [], []
    for a in range(n_articles):
        paras = [" ".join(_sentence(rng) for _ in range(3)) for _ in range(paragraphs)]
        text = "\n\n".join(paras)
        meta = SourceMeta(outlet=rng.choice(OUTLETS), title=f"Report {a} from {rng.choice(TOWNS)}",
                          published=f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        art = Article.make(text, f"bench_{a}.txt", f"bench/{a}", meta)
        articles.append(art)
        pos = 0
        for i, para in enumerate(paras):
            start = text.index(para, pos)
            chunks.append(Chunk(art.id, i, start, start + len(para), para))
            pos = start + len(para)
    return articles, chunks


def write_index(settings: Settings, articles: list[Article], chunks: list[Chunk],
                real: int) -> float:
    """Embed `real` chunks for real, reuse their vectors for the rest, write a build."""
    embeddings = get_embeddings(settings)
    started = time.perf_counter()
    real_vectors = np.asarray(embeddings.embed_documents([c.text for c in chunks[:real]]),
                              dtype=np.float32)
    embed_seconds = time.perf_counter() - started
    noise = np.random.default_rng(11)
    vectors = []
    for i in range(len(chunks)):
        vec = real_vectors[i % real]
        if i >= real:
            vec = vec + noise.normal(0, 0.01, vec.shape).astype(np.float32)
            vec = vec / np.linalg.norm(vec)
        vectors.append(vec.tolist())
    store = docstore(settings)
    info = new_build(settings, ["benchmark"])
    build_id = info.id
    store.start_build(info)
    collection = open_collection(chroma_client(settings), info.collection, create=True)
    by_id = {a.id: a for a in articles}
    store.add_articles(build_id, articles)
    add_vectors(collection, chunks, vectors, by_id)
    store.add_chunks(build_id, chunks)
    files = make_build_files(build_id, [(c.article_id, c.index, c.start, c.end) for c in chunks],
                             ((a.id, a.text) for a in articles))
    save_build_files(settings.data_dir, files)
    store.activate(build_id, {"benchmark": asdict(info)["id"]})
    return embed_seconds


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000


def main() -> None:
    """Run the benchmark and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2500)
    parser.add_argument("--paragraphs", type=int, default=8)
    parser.add_argument("--real", type=int, default=1500, help="chunks embedded for real")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true",
                        help="time an index an earlier run wrote to --data-dir (same sizes)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="factbot-bench-"))
    settings = Settings(data_dir=data_dir)
    articles, chunks = generate(args.articles, args.paragraphs)
    t0 = time.perf_counter()
    if args.reuse and args.data_dir and docstore(settings).active_build() is not None:
        embed_s = 0.0  # written by an earlier run
    else:
        embed_s = write_index(settings, articles, chunks, min(args.real, len(chunks)))
    build_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    checker = FactChecker(settings)
    checker.status()
    _ = checker.judge  # loaded and warmed once per process
    load_s = time.perf_counter() - t0
    collection = checker.reader.collection
    raw = get_embeddings(settings)  # the model itself: the checker's copy memoises queries
    k = settings.retrieval_k

    def similarity_search(query: str) -> None:
        collection.query(query_embeddings=[raw.embed_query(query)], n_results=k)

    rng = random.Random(3)
    queries = []
    for i in range(args.queries):
        town, event = rng.choice(TOWNS), rng.choice(EVENTS)
        queries.append(("claim", f"The {event} in {town} forced {rng.randint(2, 400)} families "
                                 "from their homes.") if i % 2 else
                       ("question", f"How many people were treated in hospital after the "
                                    f"{event} in {town}?"))
    checker.ask(queries[0][1])  # warm-up
    similarity_search(queries[0][1])

    ours, base = [], []
    for mode, q in queries:
        t = time.perf_counter()
        checker.check(q) if mode == "claim" else checker.ask(q)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        similarity_search(q)
        base.append(time.perf_counter() - t)

    print(f"answer latency benchmark: {len(articles)} articles, {len(chunks)} chunks "
          f"({min(args.real, len(chunks))} embedded for real in {embed_s:.1f}s; index written in "
          f"{build_s:.1f}s; FactChecker load {load_s:.1f}s), {len(queries)} queries, "
          f"model {model_id(settings)}\n")
    print("| path | p50 ms | p95 ms | mean ms |")
    print("|---|---|---|---|")
    print(f"| FactChecker ask/check (warm, extractive, judge) | {_pct(ours, 50):.1f} | "
          f"{_pct(ours, 95):.1f} | {statistics.mean(ours) * 1000:.1f} |")
    print(f"| similarity search (embed query + collection.query) | {_pct(base, 50):.1f} | "
          f"{_pct(base, 95):.1f} | {statistics.mean(base) * 1000:.1f} |")
    print(f"| ratio (ours / baseline) | {_pct(ours, 50) / _pct(base, 50):.1f}x | "
          f"{_pct(ours, 95) / _pct(base, 95):.1f}x | |")
    print(f"\ndata dir: {data_dir}; load average (1 min) {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores")


if __name__ == "__main__":
    main()
