"""`factbot eval --ramdocs PATH`: RAMDocs (conflicting-evidence QA) through the core.

Each question comes with its own 2-12 documents (correct, misinformation, noise). For each
question a fresh in-memory index of just those documents is built (`MemoryReader`: one
chunk per document, embedded with the configured model, exact cosine search; BM25 over the
same chunks) and the question goes through the same `FactChecker.ask` as any other.

Reported: how often every gold answer is quoted; how often some gold answer is quoted; how
often a misinformation answer is quoted while the verdict is not `disputed` (shown without
being flagged); how often the core abstains; latency per question (index + answer).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.answer.core import FactChecker
from bot.answer.memory_index import MemoryReader, whole_article_chunks
from bot.answer.types import Verdict
from bot.answer.verify import normalise
from bot.settings import Settings
from index.embeddings import get_embeddings
from index.types import Article, SourceMeta

log = logging.getLogger(__name__)


def _norm(text: str) -> str:
    return " ".join(normalise(text).text.lower().split())


@dataclass
class RamdocsReport:
    """Aggregate RAMDocs scores; `table()` renders markdown."""

    path: str
    limit: int | None
    questions: int = 0
    all_gold_quoted: int = 0
    any_gold_quoted: int = 0
    misinfo_unflagged: int = 0
    misinfo_shown: int = 0
    disputed: int = 0
    not_found: int = 0
    seconds: list[float] = field(default_factory=list)

    def _rate(self, n: int) -> float:
        return round(n / self.questions, 3) if self.questions else 0.0

    def as_dict(self) -> dict[str, Any]:
        """The scores as a JSON-ready dict."""
        return {
            "path": self.path, "limit": self.limit, "questions": self.questions,
            "all_gold_quoted": self._rate(self.all_gold_quoted),
            "any_gold_quoted": self._rate(self.any_gold_quoted),
            "misinfo_shown": self._rate(self.misinfo_shown),
            "misinfo_shown_unflagged": self._rate(self.misinfo_unflagged),
            "disputed": self._rate(self.disputed),
            "not_found": self._rate(self.not_found),
            "seconds_p50": round(float(np.percentile(self.seconds, 50)), 3) if self.seconds
            else None,
            "seconds_p95": round(float(np.percentile(self.seconds, 95)), 3) if self.seconds
            else None,
        }

    def table(self) -> str:
        """Markdown table of the scores."""
        d = self.as_dict()
        subset = f", first {self.limit} questions" if self.limit else ""
        rows = [
            ("every gold answer quoted", d["all_gold_quoted"]),
            ("some gold answer quoted", d["any_gold_quoted"]),
            ("misinformation answer quoted", d["misinfo_shown"]),
            ("misinformation quoted without `disputed`", d["misinfo_shown_unflagged"]),
            ("verdict disputed", d["disputed"]),
            ("verdict not_found", d["not_found"]),
            ("seconds per question p50 (index + answer)", d["seconds_p50"]),
            ("seconds per question p95 (index + answer)", d["seconds_p95"]),
        ]
        lines = [f"RAMDocs {self.path} ({self.questions} questions{subset})", "",
                 "| metric | value |", "|---|---|"]
        lines += [f"| {name} | {value} |" for name, value in rows]
        return "\n".join(lines)


def question_articles(number: int, item: dict) -> list[Article]:
    """The documents of one RAMDocs item as articles (outlet unknown, titled by number)."""
    out = []
    for j, doc in enumerate(item.get("documents", [])):
        text = (doc.get("text") or "").strip()
        if not text:
            continue
        key = f"ramdocs/{number}/{j}"
        out.append(Article.make(text, f"q{number}_doc{j}.txt", key,
                                SourceMeta(title=f"document {j + 1}")))
    return out


def ramdocs_half(question: str) -> int:
    """Which half of RAMDocs a question is in: 0 = the half the judge's training pairs were
    generated from (`training/generate.py`), 1 = the half kept for evaluation."""
    return hashlib.sha1(question.encode()).digest()[0] % 2


def run_ramdocs(settings: Settings, path: Path | str, limit: int | None = None,
                held_out_only: bool = False, judge: Any = None) -> RamdocsReport:
    """Run RAMDocs questions through `FactChecker.ask`, each over its own fresh index.

    Args:
        settings: embedding model and answering settings (extractive composer is used).
        path: `RAMDocs_test.jsonl`.
        limit: only the first `limit` questions (the full set takes minutes on 2 cores).
        held_out_only: only the half no training pair was generated from.
        judge: the judge to use (default: from the settings, loaded once).

    Returns:
        The report.
    """
    from bot.answer.core import make_judge

    settings = settings.model_copy(update={"composer": "extractive"})
    embeddings = get_embeddings(settings)
    judge = judge or make_judge(settings)
    report = RamdocsReport(path=str(path), limit=limit)
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if limit is not None and number >= limit:
                break
            if not line.strip():
                continue
            item = json.loads(line)
            if held_out_only and ramdocs_half(item["question"]) != 1:
                continue
            started = time.perf_counter()
            articles = question_articles(number, item)
            reader = MemoryReader(articles, whole_article_chunks(articles), embeddings)
            reply = FactChecker(settings, reader=reader, judge=judge).ask(item["question"][:
                                                             settings.max_query_chars])
            report.seconds.append(time.perf_counter() - started)
            quoted = _norm(" \n ".join(s.quote for s in reply.sources))
            gold = [_norm(a) for a in item.get("gold_answers", []) if a]
            wrong = [_norm(a) for a in item.get("wrong_answers", []) if a]
            report.questions += 1
            report.all_gold_quoted += bool(gold) and all(g in quoted for g in gold)
            report.any_gold_quoted += any(g in quoted for g in gold)
            shown = any(w in quoted for w in wrong)
            report.misinfo_shown += shown
            report.misinfo_unflagged += shown and reply.verdict is not Verdict.DISPUTED
            report.disputed += reply.verdict is Verdict.DISPUTED
            report.not_found += reply.verdict is Verdict.NOT_FOUND
    return report
