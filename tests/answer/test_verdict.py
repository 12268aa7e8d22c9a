"""Aggregation above the judge seam: voices, numbers, disputes, questions.

A scripted judge (scores chosen per sentence) keeps these unit tests fast and exact; the
shipped model itself is tested in `test_judge_model.py` and end to end in the eval tests.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.answer.judge import JudgePair, Scores
from bot.answer.types import Verdict
from bot.answer.verdict import claim_form, decide_claim, decide_question, swap_roles
from tests.answer.helpers import article, evidence

ENTAIL = Scores(0.9, 0.05, 0.05)
CONTRA = Scores(0.05, 0.9, 0.05)
NEUTRAL = Scores(0.05, 0.05, 0.9)


class ScriptedJudge:
    """Scores by a fragment of the sentence; a pair whose query is itself an evidence
    sentence (it contains a fragment) is a pairwise comparison and gets `pairwise`."""

    name = "scripted"

    def __init__(self, by_fragment: dict[str, Scores], pairwise: Scores = NEUTRAL) -> None:
        self.by_fragment = by_fragment
        self.pairwise = pairwise
        self.calls: list[list[JudgePair]] = []

    def judge(self, pairs: Sequence[JudgePair]) -> list[Scores]:
        self.calls.append(list(pairs))
        out = []
        for p in pairs:
            if any(f in p.query for f in self.by_fragment):
                out.append(self.pairwise)
                continue
            out.append(next((s for f, s in self.by_fragment.items() if f in p.sentence),
                            NEUTRAL))
        return out


OWN = article("Officials closed a 12-kilometre zone around the plant on Monday night.",
              outlet="Daily A", name="own.txt")
CLAIMED = article("The union claimed that four workers died in the blaze at the plant.",
                  outlet="Daily B", name="claim.txt")
DENIED = article("The company denied that four workers died in the blaze at the plant.",
                 outlet=None, name="deny.txt")
REPORTED = article("Four workers died in the blaze at the plant, the fire service confirmed.",
                   outlet="Daily C", name="rep.txt")
OTHER = article("Three workers died in the blaze at the plant on Monday night.",
                outlet="Daily D", name="other.txt")


def test_own_voice_entailment_supports_and_names_the_sentence() -> None:
    judge = ScriptedJudge({"Monday night": ENTAIL})
    decision = decide_claim("Officials shut a 12-kilometre zone.",
                            [evidence(OWN, "12-kilometre")], judge)
    assert decision.verdict is Verdict.SUPPORTED
    assert "Daily A" in decision.reason and "12-kilometre" in decision.reason


def test_a_different_figure_never_supports_and_refutes_when_on_topic() -> None:
    # the judge wrongly says entail; the exact number check overrides it
    judge = ScriptedJudge({"12-kilometre": Scores(0.7, 0.2, 0.1)})
    decision = decide_claim("Officials closed a 30-kilometre zone around the plant.",
                            [evidence(OWN, "12-kilometre")], judge)
    assert decision.verdict is Verdict.REFUTED
    assert "12" in decision.reason and "30" in decision.reason


def test_only_someones_claim_is_unverified() -> None:
    judge = ScriptedJudge({"union": ENTAIL})
    decision = decide_claim("Four workers died in the blaze.",
                            [evidence(CLAIMED, "union")], judge)
    assert decision.verdict is Verdict.UNVERIFIED
    assert "union" in decision.reason


def test_claim_about_what_someone_said_is_judged_on_their_words() -> None:
    judge = ScriptedJudge({"union": ENTAIL})
    decision = decide_claim("The union claimed that four workers died in the blaze.",
                            [evidence(CLAIMED, "union")], judge)
    assert decision.verdict is Verdict.SUPPORTED
    assert judge.calls[0][0].query == "Four workers died in the blaze."


def test_claim_and_denial_by_different_voices_is_disputed_with_both_sides() -> None:
    judge = ScriptedJudge({"union": ENTAIL, "denied": CONTRA})
    decision = decide_claim("Four workers died in the blaze at the plant.",
                            [evidence(CLAIMED, "union"), evidence(DENIED, "company")], judge)
    assert decision.verdict is Verdict.DISPUTED
    assert decision.support and decision.contra


def test_an_explicit_denial_alone_refutes() -> None:
    judge = ScriptedJudge({"denied": CONTRA})
    decision = decide_claim("Four workers died in the blaze at the plant.",
                            [evidence(DENIED, "company")], judge)
    assert decision.verdict is Verdict.REFUTED


def test_a_hedged_claim_is_supported_by_a_report() -> None:
    judge = ScriptedJudge({"union": ENTAIL})
    form = claim_form("Four workers reportedly died in the blaze.")
    assert form.hedged and "reportedly" not in form.core
    decision = decide_claim("Four workers reportedly died in the blaze.",
                            [evidence(CLAIMED, "union")], judge)
    assert decision.verdict is Verdict.SUPPORTED


def test_another_date_refutes_when_the_judge_finds_it_on_topic() -> None:
    judge = ScriptedJudge({"Monday night": Scores(0.55, 0.2, 0.25)})
    decision = decide_claim("Officials closed the zone on Friday night.",
                            [evidence(OWN, "12-kilometre")], judge)
    assert decision.verdict is Verdict.REFUTED
    assert "Monday" in decision.reason and "Friday" in decision.reason


def test_nothing_settles_it_is_unverified_and_weak_retrieval_is_not_found() -> None:
    judge = ScriptedJudge({})
    decision = decide_claim("The plant will reopen next year.",
                            [evidence(OWN, "12-kilometre")], judge)
    assert decision.verdict is Verdict.UNVERIFIED
    weak = evidence(OWN, "12-kilometre", lexical=0.05, dense=0.2)
    assert decide_claim("Aliens landed", [weak], judge).verdict is Verdict.NOT_FOUND
    assert decide_question("Who won the cup?", [weak], judge).verdict is Verdict.NOT_FOUND
    assert decide_claim("Anything", [], judge).verdict is Verdict.NOT_FOUND


def test_question_cites_only_sentences_that_answer_it() -> None:
    judge = ScriptedJudge({"12-kilometre": ENTAIL, "union": NEUTRAL})
    decision = decide_question("How large was the zone around the plant?",
                               [evidence(OWN, "12-kilometre"), evidence(CLAIMED, "union")],
                               judge)
    assert decision.verdict is Verdict.ANSWERED
    assert [e.article.id for e in decision.evidence] == [OWN.id]


def test_question_nobody_answers_is_not_found() -> None:
    judge = ScriptedJudge({"12-kilometre": NEUTRAL})
    decision = decide_question("Who ordered the zone?", [evidence(OWN, "12-kilometre")], judge)
    assert decision.verdict is Verdict.NOT_FOUND


def test_answers_that_contradict_each_other_make_a_dispute() -> None:
    judge = ScriptedJudge({"union": ENTAIL, "denied": ENTAIL}, pairwise=CONTRA)
    decision = decide_question("What happened to the workers in the blaze?",
                               [evidence(CLAIMED, "union"), evidence(DENIED, "company")], judge)
    assert decision.verdict is Verdict.DISPUTED
    assert decision.support and decision.contra


def test_yes_no_question_is_judged_as_its_statement() -> None:
    judge = ScriptedJudge({"union": ENTAIL, "denied": CONTRA})
    decision = decide_question("Did four workers die in the blaze?",
                               [evidence(CLAIMED, "union"), evidence(DENIED, "company")], judge)
    assert judge.calls[0][0].query == "Four workers die in the blaze."
    assert decision.verdict is Verdict.DISPUTED
    assert "yes" in decision.reason and "no" in decision.reason
    only_yes = ScriptedJudge({"union": ENTAIL})
    decision = decide_question("Did four workers die in the blaze?",
                               [evidence(CLAIMED, "union")], only_yes)
    assert decision.verdict is Verdict.ANSWERED and decision.reason.startswith("yes")


def test_two_figures_for_the_same_thing_make_a_dispute() -> None:
    judge = ScriptedJudge({"Four workers": ENTAIL, "Three workers": ENTAIL})
    decision = decide_question("How many workers died in the blaze?",
                               [evidence(REPORTED, "Four"), evidence(OTHER, "Three")], judge)
    assert decision.verdict is Verdict.DISPUTED
    assert "figures" in decision.reason


def test_swap_roles_swaps_the_two_parties_not_the_setting() -> None:
    assert swap_roles("Rovers beat United 3-1 at the Kelford Arena.") == \
        "United beat Rovers 3-1 at the Kelford Arena."
    assert swap_roles("The Harbour Union sued Nexa Freight's owners.") == \
        "The Nexa Freight sued Harbour Union's owners."
    assert swap_roles("Ana Vell set a record at the Kelford Marathon.") is None
    assert swap_roles("The fire was caused by lightning.") is None


class RoleBlindJudge(ScriptedJudge):
    """Entails the claim and its role swap alike, as a bag-of-words model would."""

    def judge(self, pairs: Sequence[JudgePair]) -> list[Scores]:
        self.calls.append(list(pairs))
        return [Scores(0.8, 0.1, 0.1) if "beat" in p.query else NEUTRAL for p in pairs]


def test_support_that_cannot_tell_who_did_what_is_not_support() -> None:
    match = article("Rovers beat United 3-1 in the final on Saturday afternoon.",
                    outlet="Daily A", name="match.txt")
    judge = RoleBlindJudge({})
    decision = decide_claim("United beat Rovers in the final.", [evidence(match, "beat")],
                            judge)
    assert decision.verdict is not Verdict.SUPPORTED
    assert judge.calls[1][0].query == "Rovers beat United in the final."
