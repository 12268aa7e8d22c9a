"""Acceptance over the seed corpus with a real index (real model, real Chroma)."""

from __future__ import annotations

import pytest

from bot.answer.core import FactChecker
from bot.answer.eval import load_items
from bot.answer.sentences import is_citable
from bot.answer.types import Verdict
from bot.answer.verify import is_exact
from tests.answer.helpers import EVALS, run_eval_set

# Fragments of page junk around the seed articles (other stories' headlines, site blurbs).
JUNK = ["chocolate bar", "California fire", "Celine Dion", "Global NewsX is",
        "Leave a Reply", "Akismet", "Editors' Picks", "Read more"]


@pytest.fixture(scope="module")
def replies(seed_checker: FactChecker):  # noqa: ANN201
    items = load_items(EVALS / "seed_corpus.jsonl")
    return [(item, seed_checker.check(item.query) if item.mode == "claim"
             else seed_checker.ask(item.query)) for item in items]


def test_every_quote_of_the_eval_set_is_verbatim(replies, seed_checker) -> None:  # noqa: ANN001
    articles = seed_checker.reader.articles
    sources = [s for _, reply in replies for s in reply.sources]
    assert len(sources) > 50
    for source in sources:
        assert is_exact(source, articles[source.article_id])
        assert articles[source.article_id].text[source.start:source.end] == source.quote


def test_no_junk_or_headline_is_cited(replies, seed_checker) -> None:  # noqa: ANN001
    articles = seed_checker.reader.articles
    for _, reply in replies:
        for source in reply.sources:
            assert not any(j.lower() in source.quote.lower() for j in JUNK), source.quote
            assert is_citable(source.quote, articles[source.article_id].meta.title)


def test_unknown_outlet_shown_as_unknown(seed_checker: FactChecker) -> None:
    reply = seed_checker.check("Mykhailo Podolyak said Ukraine had nothing to do with it.")
    unknown = [s for s in reply.sources if s.outlet is None]
    assert unknown, "the Podolyak quote comes from the article without an outlet"
    assert any("unknown outlet" in c.text for c in reply.claims)
    assert reply.model_dump(mode="json")["sources"][0]["outlet"] is None






def test_number_mismatch_refuted(seed_checker: FactChecker) -> None:
    reply = seed_checker.check("The Legion took control of an 80-kilometre strip.")
    assert reply.verdict is Verdict.REFUTED
    assert any("40-kilometre" in s.quote for s in reply.sources)


@pytest.mark.parametrize("question", [
    "Which chocolate bar did Brits call the worst?",
    "Who was arrested over the California fire?",
    "What is the capital of Australia?",
])
def test_outside_the_corpus_not_found(seed_checker: FactChecker, question: str) -> None:
    reply = seed_checker.ask(question)
    assert reply.verdict is Verdict.NOT_FOUND and not reply.sources and not reply.claims


def test_spelling_variant_found(seed_checker: FactChecker) -> None:
    passages = seed_checker.sources("Grayvoron")
    assert any("Graivoron" in p.text for p in passages)
    assert any("Grayvoron" in p.text for p in passages)


def test_eval_report_over_seed_set(seed_checker: FactChecker) -> None:
    # measured with the learned judge: accuracy 0.857, not-found precision 0.857, outlets
    # 0.955, evidence 0.841 (the rules, tuned on this set, scored 1.000, helped by word lists
    # taken from these articles, now retired; README)
    report = run_eval_set(seed_checker, "seed_corpus.jsonl", min_items=40, min_accuracy=0.8,
                          not_found_precision=0.75)
    assert report.outlet_hit >= 0.9 and report.evidence_hit >= 0.8
    table = report.table()
    assert "latency p50" in table and "| verdict accuracy |" in table
    assert report.as_dict()["latency_p95_ms"] is not None
