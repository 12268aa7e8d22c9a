"""Index throughput: chunks/s of the full pipeline next to the raw encoder's chunks/s.

Generates a synthetic corpus (invented news-like articles, deterministic seed) large enough
for >= 2,000 chunks, then measures on the same texts:

1. the full pipeline: `factbot index build` (load, clean, metadata, chunk, embed, write
   Chroma and the docstore, switch) into a fresh data dir;
2. the raw encoder alone: `Embeddings.embed_documents` over exactly the chunk texts that
   build produced, timed once before and once after the build (the mean is reported, so a
   change in machine load during the run shows up in both figures, not in one); the ratio
   is printed in wall-clock seconds and in this process's CPU seconds (all threads), which
   other work on the machine disturbs much less;
3. a second, unchanged build (incremental: nothing re-embedded).

Run:  python benchmarks/index_throughput.py [--articles 400] [--model minilm]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from bot.settings import Settings
from index.build import build_index
from index.chunking import Chunker
from index.embeddings import get_embeddings
from index.ingest import collect_articles
from index.store import open_reader

PLACES = ["Port Vellan", "Calden", "Mirrow", "Ostbrook", "Lannet", "Hessel Bay", "Drumore"]
ACTORS = ["the dock workers' union", "the port authority", "the ministry of transport",
          "the mayor's office", "the ferry operator", "local fishermen", "the coast guard"]
VERBS = ["said", "claimed", "denied", "announced", "reported", "insisted", "confirmed"]
THINGS = ["cranes at the north quay", "ferry sailings", "fuel deliveries", "the night shift",
          "container traffic", "the harbour bridge", "cargo inspections", "wage talks"]


def _sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(ACTORS).capitalize()} {rng.choice(VERBS)} that {rng.choice(THINGS)} in "
        f"{rng.choice(PLACES)} were affected for {rng.randint(2, 90)} hours on day "
        f"{rng.randint(1, 30)}, with {rng.randint(10, 5000)} people involved."
    )


def make_corpus(folder: Path, articles: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    rows = ["file,outlet,title,published,author,url,republished_by"]
    for n in range(articles):
        paragraphs = [" ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
                      for _ in range(rng.randint(4, 8))]
        title = f"Harbour dispute update {n}"
        (folder / f"art{n:05d}.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs))
        rows.append(f"art{n:05d}.txt,Outlet {n % 9},{title},2025-03-{n % 28 + 1:02d},,,")
    (folder / "sources.csv").write_text("\n".join(rows) + "\n")


def _time(work) -> tuple[float, float]:  # noqa: ANN001
    """Wall-clock and CPU seconds of `work` (CPU: this process, all its threads)."""
    start, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--model", default="minilm", choices=["minilm", "e5"])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        make_corpus(corpus, args.articles)
        settings = Settings(data_dir=Path(tmp) / "data", embedding_model=args.model)
        embeddings = get_embeddings(settings)
        embeddings.embed_query("warm up")  # load the model outside both timings

        # the exact chunk texts the build will produce (same ingest and chunker, not timed)
        articles = collect_articles([corpus], settings.max_file_bytes).articles
        chunker = Chunker(settings.chunk_tokens, settings.chunk_overlap,
                          settings.tiktoken_cache_dir)
        texts = [c.text for c in chunker.split_all(articles)]
        encoder_runs = [_time(lambda: embeddings.embed_documents(texts))]
        summaries = []
        pipeline_s, pipeline_cpu = _time(lambda: summaries.append(build_index([corpus],
                                                                              settings)))
        summary = summaries[0]
        encoder_runs.append(_time(lambda: embeddings.embed_documents(texts)))
        if sorted(c.text for c in open_reader(settings).chunks) != sorted(texts):
            raise SystemExit("the encoder runs did not see the build's chunk texts")
        encoder_times = [wall for wall, _cpu in encoder_runs]
        encoder_s = sum(encoder_times) / 2
        encoder_cpu = sum(cpu for _wall, cpu in encoder_runs) / 2

        start = time.perf_counter()
        again = build_index([corpus], settings)
        rebuild_s = time.perf_counter() - start

    n = summary.chunks
    print(f"model: {args.model}  articles: {args.articles}  chunks: {n}")
    print(f"full pipeline:      {n / pipeline_s:8.1f} chunks/s  ({pipeline_s:.1f} s)")
    print(f"raw encoder:        {n / encoder_s:8.1f} chunks/s  ({encoder_s:.1f} s; runs: "
          + ", ".join(f"{t:.1f} s" for t in encoder_times) + ")")
    print(f"pipeline / encoder: {encoder_s / pipeline_s:8.2f}  (wall clock)")
    print(f"pipeline / encoder: {encoder_cpu / pipeline_cpu:8.2f}  (CPU seconds of this process: "
          f"{pipeline_cpu:.1f} s vs {encoder_cpu:.1f} s; steadier than wall clock when other "
          "work shares the cores)")
    print(f"unchanged rebuild:  {rebuild_s:8.1f} s  (re-embedded {again.embedded_chunks} chunks)")
    lexical_s = getattr(summary, "lexical_seconds", None)  # BM25 + chunk table files
    if lexical_s is not None:
        print(f"lexical files:      {lexical_s:8.2f} s  ({lexical_s / encoder_s:.1%} of the "
              "encoder time, inside the full pipeline)")
    print(f"load average (1 min): {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
