"""`factbot eval FILE.jsonl`: run a question/claim set through the core and score it.

Item schema (one JSON object per line)::

    {"id": "q01", "query": "...", "mode": "question" | "claim",
     "expected_verdict": "answered" | ["disputed", "answered"],
     "expected_outlets": ["Daily Post", "unknown outlet"],
     "expected_evidence": ["few words", ...]}

Scores: share of quotes verbatim, share of items citing an expected outlet, share of items
whose quotes contain an expected fragment, verdict accuracy, not-found precision and recall,
and warm latency p50/p95.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.answer.types import Reply, Verdict, show_outlet
from bot.answer.verify import is_exact, normalise

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvalItem:
    """One eval item."""

    id: str
    query: str
    mode: str
    expected_verdicts: tuple[str, ...]
    expected_outlets: tuple[str, ...] = ()
    expected_evidence: tuple[str, ...] = ()
    kind: str | None = None  # contrast kind ("swap_roles", "number", ...), when labelled
    truth: str | None = None  # "true" | "false" | "mixed" | "unknown", when labelled


@dataclass
class ItemResult:
    """What one item got."""

    id: str
    query: str
    verdict: str
    expected: list[str]
    verdict_ok: bool
    outlet_ok: bool | None
    evidence_ok: bool | None
    quotes: int
    quotes_verbatim: int
    latency_ms: float
    outlets: list[str] = field(default_factory=list)
    mode: str = "question"
    kind: str | None = None
    truth: str | None = None
    reason: str = ""


@dataclass
class EvalReport:
    """Scores of one eval run; `table()` renders markdown, `as_dict()` JSON."""

    path: str
    items: list[ItemResult]

    def _share(self, values: Sequence[bool | None]) -> float | None:
        known = [v for v in values if v is not None]
        return round(sum(known) / len(known), 3) if known else None

    @property
    def quotes_verbatim(self) -> float | None:
        total = sum(r.quotes for r in self.items)
        return round(sum(r.quotes_verbatim for r in self.items) / total, 3) if total else None

    @property
    def outlet_hit(self) -> float | None:
        return self._share([r.outlet_ok for r in self.items])

    @property
    def evidence_hit(self) -> float | None:
        return self._share([r.evidence_ok for r in self.items])

    @property
    def verdict_accuracy(self) -> float | None:
        return self._share([r.verdict_ok for r in self.items])

    def accuracy_of(self, mode: str) -> float | None:
        """Verdict accuracy over the claims or the questions only."""
        return self._share([r.verdict_ok for r in self.items if r.mode == mode])

    @property
    def false_supported(self) -> tuple[int, int]:
        """(false claims called `supported`, false claims): the worst failure there is."""
        false = [r for r in self.items if r.mode == "claim" and r.truth == "false"]
        return sum(r.verdict == Verdict.SUPPORTED for r in false), len(false)

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """(correct, total) per labelled kind."""
        out: dict[str, list[int]] = {}
        for r in self.items:
            if r.kind:
                cell = out.setdefault(r.kind, [0, 0])
                cell[0] += r.verdict_ok
                cell[1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(out.items())}

    @property
    def not_found_precision(self) -> float | None:
        predicted = [r for r in self.items if r.verdict == Verdict.NOT_FOUND]
        return self._share([Verdict.NOT_FOUND in r.expected for r in predicted])

    @property
    def not_found_recall(self) -> float | None:
        wanted = [r for r in self.items if r.expected == [Verdict.NOT_FOUND]]
        return self._share([r.verdict == Verdict.NOT_FOUND for r in wanted])

    def latency(self, q: float) -> float | None:
        values = [r.latency_ms for r in self.items]
        return round(float(np.percentile(values, q)), 1) if values else None

    def as_dict(self) -> dict[str, Any]:
        """Summary scores and per-item results."""
        return {
            "path": self.path,
            "items": len(self.items),
            "quotes_verbatim": self.quotes_verbatim,
            "outlet_hit": self.outlet_hit,
            "evidence_hit": self.evidence_hit,
            "verdict_accuracy": self.verdict_accuracy,
            "claim_accuracy": self.accuracy_of("claim"),
            "question_accuracy": self.accuracy_of("question"),
            "false_claims_supported": list(self.false_supported),
            "by_kind": {k: list(v) for k, v in self.by_kind().items()},
            "not_found_precision": self.not_found_precision,
            "not_found_recall": self.not_found_recall,
            "latency_p50_ms": self.latency(50),
            "latency_p95_ms": self.latency(95),
            "results": [asdict(r) for r in self.items],
        }

    def table(self) -> str:
        """Markdown: the scores, then the items whose verdict was wrong."""

        def fmt(v: float | None) -> str:
            return "-" if v is None else f"{v:.3f}"

        lines = [
            f"eval of {self.path} ({len(self.items)} items)", "",
            "| metric | value |", "|---|---|",
            f"| quotes verbatim | {fmt(self.quotes_verbatim)} |",
            f"| items citing an expected outlet | {fmt(self.outlet_hit)} |",
            f"| items quoting expected evidence | {fmt(self.evidence_hit)} |",
            f"| verdict accuracy | {fmt(self.verdict_accuracy)} |",
            f"| claim verdict accuracy | {fmt(self.accuracy_of('claim'))} |",
            f"| question verdict accuracy | {fmt(self.accuracy_of('question'))} |",
            f"| not-found precision | {fmt(self.not_found_precision)} |",
            f"| not-found recall | {fmt(self.not_found_recall)} |",
            f"| latency p50 (ms, warm) | {self.latency(50)} |",
            f"| latency p95 (ms, warm) | {self.latency(95)} |",
        ]
        false_supported, false_total = self.false_supported
        if false_total:
            lines.append(f"| false claims called supported | {false_supported} of "
                         f"{false_total} |")
        kinds = self.by_kind()
        if kinds:
            lines += ["", "| kind | correct |", "|---|---|"]
            lines += [f"| {k} | {ok}/{n} |" for k, (ok, n) in kinds.items()]
        wrong = [r for r in self.items if not r.verdict_ok]
        if wrong:
            lines += ["", "| item | query | got | expected |", "|---|---|---|---|"]
            lines += [f"| {r.id} | {r.query[:60]} | {r.verdict} | {'/'.join(r.expected)} |"
                      for r in wrong]
        return "\n".join(lines)


def load_items(path: Path) -> list[EvalItem]:
    """Read eval items from a JSON Lines file (blank lines and `#` comments skipped).

    Raises:
        ValueError: a line is not a valid item.
    """
    items = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            raw = json.loads(line)
            expected = raw["expected_verdict"]
            items.append(EvalItem(
                id=str(raw.get("id", number)),
                query=raw["query"],
                mode=raw.get("mode", "question"),
                expected_verdicts=tuple([expected] if isinstance(expected, str) else expected),
                expected_outlets=tuple(raw.get("expected_outlets", [])),
                expected_evidence=tuple(raw.get("expected_evidence", [])),
                kind=raw.get("kind"),
                truth=raw.get("truth"),
            ))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a valid eval item ({exc})") from exc
    return items


def _norm(text: str) -> str:
    return normalise(text).text.lower()


def score_reply(item: EvalItem, reply: Reply, articles: dict, latency_ms: float) -> ItemResult:
    """Score one reply against its item."""
    outlets = [show_outlet(s.outlet) for s in reply.sources]
    outlet_ok = None
    if item.expected_outlets:
        wanted = {o.lower() for o in item.expected_outlets}
        outlet_ok = any(o.lower() in wanted for o in outlets)
    evidence_ok = None
    if item.expected_evidence:
        quotes = " \n ".join(_norm(s.quote) for s in reply.sources)
        evidence_ok = any(_norm(fragment) in quotes for fragment in item.expected_evidence)
    return ItemResult(
        id=item.id,
        query=item.query,
        verdict=str(reply.verdict),
        expected=list(item.expected_verdicts),
        verdict_ok=str(reply.verdict) in item.expected_verdicts,
        outlet_ok=outlet_ok,
        evidence_ok=evidence_ok,
        quotes=len(reply.sources),
        quotes_verbatim=sum(is_exact(s, articles.get(s.article_id)) for s in reply.sources),
        latency_ms=round(latency_ms, 2),
        outlets=outlets,
        mode=item.mode,
        kind=item.kind,
        truth=item.truth,
        reason=reply.summary,
    )


def run_item(checker: Any, item: EvalItem) -> tuple[Reply, float]:
    """Ask or check one item; returns the reply and its latency in milliseconds."""
    started = time.perf_counter()
    reply = checker.check(item.query) if item.mode == "claim" else checker.ask(item.query)
    return reply, (time.perf_counter() - started) * 1000


def run_eval(checker: Any, items_path: Path | str) -> EvalReport:
    """Run every item of a JSON Lines eval set through a `FactChecker` and score it.

    Args:
        checker: a `bot.answer.core.FactChecker` (warmed up here with one query).
        items_path: the eval set.

    Returns:
        The report (`table()` for markdown, `as_dict()` for JSON).
    """
    items = load_items(Path(items_path))
    if items:
        run_item(checker, items[0])  # warm-up: model, caches; not timed
    articles = checker.reader.articles
    results = []
    for item in items:
        reply, ms = run_item(checker, item)
        results.append(score_reply(item, reply, articles, ms))
        log.info("%s %s -> %s", item.id, item.query, reply.verdict)
    return EvalReport(path=str(items_path), items=results)
