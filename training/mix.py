"""Write the training mix: the judge data's train split plus the generated pairs.

    python -m training.mix --generated training/data/generated.jsonl.gz \
        --out training/data/mix.jsonl.gz

Dev-split pairs are never included. The mix is shuffled with a fixed seed by the trainer.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from collections import Counter
from pathlib import Path

from training.common import JUDGE_DATA


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=Path, default=None)
    parser.add_argument("--judge-only", action="store_true",
                        help="only the judge data's train split (stage 1), uncompressed order")
    parser.add_argument("--neutral-extra", type=Path, default=None,
                        help="a second generated file whose neutral pairs are added: the "
                             "neutral class decides whether the judge works on retrieval")
    parser.add_argument("--judge-sample", type=int, default=None,
                        help="only this many judge-data pairs (seeded sample): a replay for a "
                             "short follow-up stage")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rows = []
    with gzip.open(JUDGE_DATA, "rt", encoding="utf-8") as fh:
        rows += [r for r in map(json.loads, fh) if r["split"] == "train"]
    if args.judge_sample is not None:
        rows = random.Random(5).sample(rows, args.judge_sample)
    if args.judge_only:
        with args.out.open("w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r) + "\n")
        return
    with gzip.open(args.generated, "rt", encoding="utf-8") as fh:
        rows += [json.loads(line) for line in fh]
    if args.neutral_extra:
        with gzip.open(args.neutral_extra, "rt", encoding="utf-8") as fh:
            rows += [r for r in map(json.loads, fh) if r["label"] == "neutral"]
    with gzip.open(args.out, "wt", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("premise", "hypothesis", "label", "source")},
                                ensure_ascii=False) + "\n")
    print(json.dumps({"pairs": len(rows), "labels": Counter(r["label"] for r in rows)}))


if __name__ == "__main__":
    main()
