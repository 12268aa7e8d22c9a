"""onnxruntime threads and embedding batch size: the figures behind the defaults.

Measures, for 1 and 2 intra-op threads (`FACTBOT_ONNX_THREADS`, `FACTBOT_JUDGE_THREADS`):

- indexing: chunks embedded per second at batch 16 / 32 / 64 (`FACTBOT_EMBEDDING_BATCH_SIZE`);
- answering: one query embedding, one sentence batch of `evidence.SENTENCE_EMBED_TOP`, one
  judge batch of `verdict.JUDGE_POOL` pairs (milliseconds).

Every configuration runs once per round and rounds repeat, so load from other processes
falls on all of them alike; medians are printed with ratios (1 thread against 2, each batch
against 32) and the load average before and after. Texts are paragraphs of a corpus (default
../shared/corpus when present, else the bundled demo corpus), grouped to ~chunk size.

Usage: python benchmarks/threads.py [--corpus DIR] [--rounds 5] [--chunks 96]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bot.answer.evidence import SENTENCE_EMBED_TOP
from bot.answer.judge import JudgePair, OnnxJudge
from bot.answer.sentences import split_sentences
from bot.answer.verdict import JUDGE_POOL
from index.embeddings import MiniLMEmbeddings
from index.types import Article, SourceMeta

ROOT = Path(__file__).resolve().parents[1]
THREADS = (1, 2)
BATCHES = (16, 32, 64)
CHUNK_CHARS = 900  # ~200 cl100k tokens, the default chunk size
QUERIES = [
    "How many people were injured?", "Who denied the reports?",
    "What did the governor say about the evacuation of the border villages?",
    "Did the company confirm the figures published on Tuesday?",
]


def default_corpus() -> Path:
    """../shared/corpus beside the repository when present, else the demo corpus."""
    shared = ROOT.parent / "shared" / "corpus"
    return shared if shared.is_dir() else ROOT / "index" / "demo_corpus"


def corpus_texts(corpus: Path) -> tuple[list[str], list[str]]:
    """Chunk-sized paragraph groups and citable sentences of the corpus's text files."""
    chunks, sentences = [], []
    for path in sorted(corpus.glob("*.txt")) + sorted(corpus.glob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        current = ""
        for para in (p.strip() for p in text.split("\n\n")):
            if para:
                current = f"{current}\n\n{para}" if current else para
            if len(current) >= CHUNK_CHARS:
                chunks.append(current)
                current = ""
        if current:
            chunks.append(current)
        article = Article(id=path.stem, text=text, source_file=path.name,
                          source_key=str(path), meta=SourceMeta())
        sentences += [s.text for s in split_sentences(article) if s.citable]
    return chunks, sentences


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--chunks", type=int, default=96, help="chunks embedded per round")
    args = parser.parse_args()
    corpus = args.corpus or default_corpus()
    chunks, sentences = corpus_texts(corpus)
    while len(chunks) < args.chunks:
        chunks = chunks + chunks
    chunks = chunks[: args.chunks]
    sentence_batch = sentences[:SENTENCE_EMBED_TOP]
    pairs = [JudgePair(QUERIES[i % len(QUERIES)], s)
             for i, s in enumerate((sentences * JUDGE_POOL)[:JUDGE_POOL])]
    print(f"corpus {corpus}: {len(chunks)} chunks of ~{statistics.mean(map(len, chunks)):.0f} "
          f"chars, {len(sentences)} sentences; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.2f}")

    models = {(t, b): MiniLMEmbeddings(batch_size=b, threads=t) for t in THREADS for b in BATCHES}
    judges = {t: OnnxJudge(threads=t) for t in THREADS}
    for model in models.values():  # load and warm every session first
        model.embed_documents(chunks[:8])
        model.embed_query(QUERIES[0])
    for judge in judges.values():
        judge.judge(pairs)

    index_s: dict[tuple[int, int], list[float]] = {k: [] for k in models}
    query_ms: dict[int, list[float]] = {t: [] for t in THREADS}
    sent_ms: dict[int, list[float]] = {t: [] for t in THREADS}
    judge_ms: dict[int, list[float]] = {t: [] for t in THREADS}
    for _ in range(args.rounds):
        for key, model in models.items():
            index_s[key].append(timed(lambda m=model: m.embed_documents(chunks)))
        for t in THREADS:
            model = models[(t, 32)]
            for q in QUERIES:
                query_ms[t].append(timed(lambda m=model, q=q: m.embed_query(q)) * 1000)
            sent_ms[t].append(timed(lambda m=model: m.embed_documents(sentence_batch)) * 1000)
            judge_ms[t].append(timed(lambda j=judges[t]: j.judge(pairs)) * 1000)

    med = statistics.median
    print(f"\nindexing (chunks/s, median of {args.rounds} rounds of {len(chunks)} chunks)")
    rate = {k: len(chunks) / med(v) for k, v in index_s.items()}
    for t in THREADS:
        row = "  ".join(f"batch {b}: {rate[(t, b)]:6.1f} ({rate[(t, b)] / rate[(t, 32)]:.2f}x"
                        " b32)" for b in BATCHES)
        print(f"  threads {t}  {row}")
    for b in BATCHES:
        print(f"  batch {b}: 1 thread / 2 threads = {rate[(1, b)] / rate[(2, b)]:.2f}x")
    print("\nanswering (ms, median)")
    for name, table in (("query embedding", query_ms),
                        (f"sentence batch of {SENTENCE_EMBED_TOP}", sent_ms),
                        (f"judge batch of {JUDGE_POOL}", judge_ms)):
        one, two = med(table[1]), med(table[2])
        print(f"  {name:24s} 1 thread {one:7.1f}  2 threads {two:7.1f}  "
              f"(2 threads take {two / one:.2f}x the time of 1)")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
