"""Compare the bundled embedding models on retrieval over the seed corpus, and on speed.

For each model (minilm, e5): index `../shared/corpus` into a fresh data dir, then for each
question below (our own wording, with the file that answers it) rank chunks by dense search
alone and report hit@1, hit@3 and MRR of the first chunk from the expected file, plus the
encoder's chunks/s over the corpus' chunks and query latency.

Run:  python benchmarks/embedding_models.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bot.settings import Settings
from index.build import build_index
from index.embeddings import get_embeddings
from index.store import open_reader

# (question, file prefix of the article that answers it)
QUESTIONS = [
    ("How many fighters did the Legion say it lost in the raids?", "000"),
    ("How many fighters did Russian authorities say they killed?", "000"),
    ("How long is the strip of border land the Legion says it controls?", "000"),
    ("Did Ukraine give permission before the raid started?", "000"),
    ("Who is the political representative of the Freedom of Russia Legion?", "000"),
    ("Where does Ponomarev say the war will end?", "001"),
    ("How big is the anti-Putin resistance according to Ponomarev?", "001"),
    ("Who trained the defectors in the militia?", "001"),
    ("What happened over the Kremlin earlier in May?", "001"),
    ("Which village near the border did the fighters say they overran?", "001"),
    ("What did Podolyak say about Ukraine's involvement?", "002"),
    ("What did the Belgorod governor say about civilians and evacuation?", "002"),
    ("Which Telegram channel published footage of an armored vehicle?", "002"),
    ("What did the Kremlin spokesman say about the saboteurs?", "002"),
    ("How many Russian soldiers did the militias claim to have captured in March 2024?", "003"),
    ("How many losses did the Kremlin claim the Russian Volunteer Corps suffered?", "003"),
    ("What did Budanov promise the anti-Kremlin militias?", "003"),
    ("Which groups launched incursions into Kursk and Belgorod on March 12?", "003"),
    ("When was the Legion declared a terrorist organization?", "004"),
    ("Which Russian lawmaker voted against annexing Crimea?", "004"),
    ("What did governor Gladkov announce about Graivoron?", "004"),
]


def evaluate(model: str, corpus: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), embedding_model=model)
        embeddings = get_embeddings(settings)
        embeddings.embed_query("warm up")
        build_index([corpus], settings)
        reader = open_reader(settings)
        texts = [c.text for c in reader.chunks]
        start = time.perf_counter()
        embeddings.embed_documents(texts)
        chunks_per_s = len(texts) / (time.perf_counter() - start)
        ranks, latencies = [], []
        for question, prefix in QUESTIONS:
            start = time.perf_counter()
            hits = reader.dense_search(question, len(reader.chunks))
            latencies.append(time.perf_counter() - start)
            files = [reader.articles[c.article_id].source_file for c, _ in hits]
            ranks.append(next(i for i, f in enumerate(files, 1) if f.startswith(prefix)))
    return {
        "hit@1": sum(r == 1 for r in ranks) / len(ranks),
        "hit@3": sum(r <= 3 for r in ranks) / len(ranks),
        "mrr": statistics.fmean(1 / r for r in ranks),
        "chunks/s": chunks_per_s,
        "query ms": 1000 * statistics.median(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    args = parser.parse_args()
    results = {m: evaluate(m, args.corpus) for m in ("minilm", "e5")}
    cols = list(next(iter(results.values())))
    print("| model | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for model, row in results.items():
        print(f"| {model} | " + " | ".join(f"{row[c]:.2f}" for c in cols) + " |")
    print(f"questions: {len(QUESTIONS)}; ratio e5/minilm MRR: "
          f"{results['e5']['mrr'] / results['minilm']['mrr']:.2f}, chunks/s: "
          f"{results['e5']['chunks/s'] / results['minilm']['chunks/s']:.2f}")


if __name__ == "__main__":
    main()
