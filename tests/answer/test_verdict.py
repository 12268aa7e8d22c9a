"""Point 3: deterministic verdicts — numbers, negation, denial and attribution cues."""

from __future__ import annotations

from bot.answer.types import Verdict
from bot.answer.verdict import decide_claim, decide_question, numeric_conflict, quantities
from tests.answer.helpers import article, evidence

OWN = article("Officials closed a 12-kilometre zone around the plant on Monday night.",
              outlet="Daily A", name="own.txt")
CLAIMED = article("The union claimed that four workers died in the blaze at the plant.",
                  outlet="Daily B", name="claim.txt")
DENIED = article("The company denied that four workers died in the blaze at the plant.",
                 outlet=None, name="deny.txt")


def test_quantities_and_numeric_conflict() -> None:
    assert quantities("a 40-kilometre strip")[0][0] == 40
    assert numeric_conflict("an 80-kilometre strip", "a 40-kilometre strip") == (80, 40)
    assert numeric_conflict("a 40-kilometre strip", "a 40-kilometre strip") is None
    assert numeric_conflict("formed in 2015", "formed in March 2022") == (2015, 2022)


def test_different_number_is_refuted() -> None:
    claim = "Officials closed a 30-kilometre zone around the plant."
    decision = decide_claim(claim, [evidence(OWN, "12-kilometre")])
    assert decision.verdict is Verdict.REFUTED
    assert "12" in decision.reason and "30" in decision.reason


def test_outlet_own_report_supports() -> None:
    claim = "Officials closed a 12-kilometre zone around the plant."
    assert decide_claim(claim, [evidence(OWN, "12-kilometre")]).verdict is Verdict.SUPPORTED


def test_only_someones_claim_is_unverified() -> None:
    claim = "Four workers died in the blaze at the plant."
    decision = decide_claim(claim, [evidence(CLAIMED, "union")])
    assert decision.verdict is Verdict.UNVERIFIED
    assert "union" in decision.reason


def test_claim_about_the_claim_is_supported() -> None:
    claim = "The union claimed that four workers died in the blaze."
    assert decide_claim(claim, [evidence(CLAIMED, "union")]).verdict is Verdict.SUPPORTED


def test_claim_and_denial_is_disputed() -> None:
    claim = "Four workers died in the blaze at the plant."
    decision = decide_claim(claim, [evidence(CLAIMED, "union"), evidence(DENIED, "company")])
    assert decision.verdict is Verdict.DISPUTED
    assert decision.support and decision.contra  # both sides shown


def test_weak_evidence_is_not_found() -> None:
    weak = evidence(OWN, "12-kilometre", lexical=0.05, dense=0.2)
    assert decide_claim("Aliens landed", [weak]).verdict is Verdict.NOT_FOUND
    assert decide_question("Who won the cup?", [weak]).verdict is Verdict.NOT_FOUND
    assert decide_claim("Anything", []).verdict is Verdict.NOT_FOUND


def test_question_with_denial_on_the_other_side_is_disputed() -> None:
    decision = decide_question("Did four workers die in the blaze?",
                               [evidence(CLAIMED, "union"), evidence(DENIED, "company")])
    assert decision.verdict is Verdict.DISPUTED


def test_question_answered() -> None:
    decision = decide_question("How large was the zone around the plant?",
                               [evidence(OWN, "12-kilometre")])
    assert decision.verdict is Verdict.ANSWERED
