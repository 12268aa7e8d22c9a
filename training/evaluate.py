"""Score a judge on the judge data's dev split and the hand-written suites.

    python -m training.evaluate                       # the shipped int8 ONNX judge
    python -m training.evaluate --torch training/runs/stage2/model   # a float checkpoint

Reports 3-way accuracy on the dev split (and per class, per source), the contrast suite
(one row per contrast kind, contrasts and entail controls apart), the topical-neutral suite
and the question/answer suite. `--json` writes the figures for the model card.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from training.common import JUDGE_DATA, LABELS, ROOT

SUITES = ROOT / "training" / "suites"


class TorchScorer:
    def __init__(self, path: Path, threads: int) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        torch.set_num_threads(threads)
        self.torch = torch
        self.tok = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForSequenceClassification.from_pretrained(path).eval()

    def probs(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        out = []
        for i in range(0, len(pairs), 64):
            batch = pairs[i : i + 64]
            enc = self.tok([p for p, _ in batch], [h for _, h in batch], truncation="only_first",
                           max_length=160, padding=True, return_tensors="pt")
            with self.torch.no_grad():
                logits = self.model(**enc).logits
            out.append(self.torch.softmax(logits, -1).numpy())
        return np.concatenate(out)  # in LABELS order


class OnnxScorer:
    def __init__(self, path: Path | None, threads: int) -> None:
        from bot.answer.judge import OnnxJudge

        self.judge = OnnxJudge(path, threads=threads)

    def probs(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        from bot.answer.judge import JudgePair

        scores = self.judge.judge([JudgePair(query=h, sentence=p) for p, h in pairs])
        return np.array([[s.entail, s.contradict, s.neutral] for s in scores])  # LABELS order


def _read(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _acc(rows: list[dict], pred: list[str]) -> float:
    hits = sum(r["label"] == p for r, p in zip(rows, pred, strict=True))
    return round(hits / max(1, len(rows)), 3)


def evaluate(scorer, dev_limit: int | None = None) -> dict:
    report: dict = {}
    dev = [r for r in _read(JUDGE_DATA) if r["split"] == "dev"][:dev_limit]
    started = time.time()
    probs = scorer.probs([(r["premise"], r["hypothesis"]) for r in dev])
    elapsed = time.time() - started
    pred = [LABELS[i] for i in probs.argmax(1)]
    per_class = {lab: _acc([r for r in dev if r["label"] == lab],
                           [p for r, p in zip(dev, pred, strict=True) if r["label"] == lab])
                 for lab in LABELS}
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(dev):
        by_source[r["source"]].append(i)
    report["dev"] = {"pairs": len(dev), "accuracy": _acc(dev, pred), "per_class": per_class,
                     "per_source": {s: _acc([dev[i] for i in idx], [pred[i] for i in idx])
                                    for s, idx in sorted(by_source.items())},
                     "pairs_per_s": round(len(dev) / elapsed, 1)}
    contrast = _read(SUITES / "contrast.jsonl")
    cprobs = scorer.probs([(r["premise"], r["hypothesis"]) for r in contrast])
    cpred = [LABELS[i] for i in cprobs.argmax(1)]
    rows: dict[str, dict] = {}
    for kind in sorted({r["kind"] for r in contrast}):
        for control in (False, True):
            idx = [i for i, r in enumerate(contrast)
                   if r["kind"] == kind and r["control"] is control]
            key = "control" if control else "contrast"
            rows.setdefault(kind, {})[key] = _acc([contrast[i] for i in idx],
                                                  [cpred[i] for i in idx])
            rows[kind][f"n_{key}"] = len(idx)
    report["contrast"] = rows
    neutral = _read(SUITES / "topical_neutral.jsonl")
    nprobs = scorer.probs([(r["premise"], r["hypothesis"]) for r in neutral])
    report["topical_neutral"] = {"pairs": len(neutral),
                                 "neutral": _acc(neutral, [LABELS[i] for i in nprobs.argmax(1)])}
    answers = _read(SUITES / "answers.jsonl")
    aprobs = scorer.probs([(r["sentence"], r["question"]) for r in answers])
    # as the answering core reads it: a sentence answers when it settles the question either
    # way (entail + contradict), `verdict.ANSWER_MIN` = 0.5
    settles = aprobs[:, LABELS.index("entail")] + aprobs[:, LABELS.index("contradict")]
    report["answers"] = {"items": len(answers), "accuracy_at_0.5": round(float(np.mean(
        [(e >= 0.5) == r["answers"] for e, r in zip(settles, answers, strict=True)])), 3)}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch", type=Path, default=None)
    parser.add_argument("--onnx", type=Path, default=None, help="model dir (default: shipped)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dev-limit", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    scorer = TorchScorer(args.torch, args.threads) if args.torch else OnnxScorer(args.onnx,
                                                                                   args.threads)
    report = evaluate(scorer, args.dev_limit)
    text = json.dumps(report, indent=1)
    if args.json:
        args.json.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
