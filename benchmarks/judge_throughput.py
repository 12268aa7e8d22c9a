"""Judge throughput: pairs per second of the shipped int8 ONNX judge, by batch and threads.

Pairs are the hand-written suites' (news sentences of realistic length). A query judges
`verdict.JUDGE_POOL` sentences in one batch, so the figure that matters for answer latency
is the time of one batch of that size; it is printed with the ratio to a batch of 1.

Usage: python benchmarks/judge_throughput.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bot.answer.judge import JudgePair, OnnxJudge
from bot.answer.verdict import JUDGE_POOL

SUITE = Path(__file__).resolve().parents[1] / "training" / "suites" / "contrast.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = [json.loads(line) for line in SUITE.read_text(encoding="utf-8").splitlines()]
    pairs = [JudgePair(r["hypothesis"], r["premise"]) for r in rows][:256]
    print(f"{len(pairs)} pairs, mean premise {statistics.mean(len(p.sentence) for p in pairs):.0f}"
          " characters")
    for threads in (1, 2):
        judge = OnnxJudge(threads=threads)
        judge.judge(pairs[:JUDGE_POOL])  # warm-up
        base = None
        for batch in (1, 8, JUDGE_POOL, 32, 64):
            best = float("inf")
            for _ in range(args.repeat):
                started = time.perf_counter()
                for i in range(0, len(pairs), batch):
                    judge.judge(pairs[i : i + batch])
                best = min(best, time.perf_counter() - started)
            rate = len(pairs) / best
            base = base or rate
            per_query = JUDGE_POOL / rate * 1000
            print(f"threads {threads}  batch {batch:>2}: {rate:6.1f} pairs/s  "
                  f"({rate / base:.2f}x batch 1; {JUDGE_POOL} pairs = {per_query:.0f} ms)")


if __name__ == "__main__":
    main()
