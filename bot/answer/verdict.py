"""Verdicts from judged evidence: aggregation above the judge seam, explainable.

The judge (`bot.answer.judge`) says how each evidence sentence stands towards the query:
entail / contradict / neutral (for a question: whether the sentence answers it). This
module adds only what is exact and decides:

- **who says it** (`attribution.py`): a sentence in the outlet's own voice, a party's
  claim ("the union said ..."), an explicit denial ("the ministry denied ...");
- **figures and dates** (`quantities.py`): a sentence giving a different figure for the
  same thing, or another date, cannot entail a claim, and one the judge finds on topic
  contradicts it;
- **aggregation** for claims: `supported` = entailed in an outlet's own voice; `refuted` =
  contradicted in an outlet's own voice or by an explicit denial, and nothing entails it;
  `disputed` = entailed and contradicted by different voices or outlets (both shown);
  `unverified` = only someone's claim entails it, or nothing settles it; `not_found` =
  nothing relevant. Claims that are themselves hedged ("X reportedly ...") are supported by
  a report in any voice; claims about what someone said ("the union says ...") are judged
  on that speaker's sentences.
- for questions: the sentences cited must answer the question (the judge's `entail` on
  the question); `disputed` when answer sentences from different voices contradict each
  other (judged pairwise) or give two figures for the same thing; `not_found` when no
  sentence answers it.

Every decision carries a one-line reason naming the sentences that decided it. Thresholds
are module constants, calibrated on `evals/tuning.jsonl` (never on the frozen
`evals/unseen_topics.jsonl`); see the README.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.answer.attribution import Cue, attribute, speaker_label
from bot.answer.evidence import Evidence, previous_sentence, refers_back
from bot.answer.judge import Judge, JudgePair, Scores
from bot.answer.quantities import date_conflict, figure_conflict, figures_disagree
from bot.answer.question import as_statement, has_quantity, question_kind
from bot.answer.types import Verdict, show_outlet
from index.search import lexical_tokens, words

# --- abstention (retrieval) -----------------------------------------------------------------
# Below these the retrieved text is about something else: `not_found` without judging.
# Blended score = 0.55 lexical coverage + 0.45 cosine (see evidence.py).
MIN_SCORE = 0.36
MIN_LEXICAL = 0.25
MIN_DENSE_ALONE = 0.72  # very close paraphrases: low word overlap, high cosine
# Between these and the thresholds above, retrieval is unsure (a question phrased unlike
# the text: "how many watched" against "a crowd of ... saw"): the judge decides, and must
# be sure (`STRICT_MIN`).
LOOSE_SCORE = 0.27
LOOSE_DENSE = 0.45
STRICT_MIN = 0.85
# --- judging --------------------------------------------------------------------------------
JUDGE_POOL = 12  # candidate sentences judged per query (one batch)
JUDGE_PER_ARTICLE = 4
JUDGE_FLOOR = 0.6  # share of the best candidate's score a judged sentence must reach
ENTAIL_MIN = 0.7  # judge probability needed to count a sentence as entailing (tuning set:
# 0.6 scored one item more but called one more false claim supported)
CONTRADICT_MIN = 0.6  # ... as contradicting
ANSWER_MIN = 0.5  # ... as answering a question
PAIR_CONTRADICT_MIN = 0.7  # two answer sentences contradict each other
PAIR_POOL = 4  # answer sentences compared pairwise for a question
# --- evidence kept in a reply ---------------------------------------------------------------
MAX_EVIDENCE = 5
MAX_PER_ARTICLE = 2
KEEP_RELATIVE = 0.6
# A claim hedged as a report: "X reportedly ...", "a report says ...", "according to reports".
_CLAIM_HEDGE = re.compile(
    r"^\s*(?:(?:a|one|some|several|media|news|press) reports? (?:says?|said|claims?|suggests?)"
    r"(?: that)?|(?:according to|reports say|it is reported that|it was reported that|"
    r"reportedly|allegedly)[,:]?)\s+|\b(?:reportedly|allegedly)\s+",
    re.IGNORECASE)


class Stance(StrEnum):
    SUPPORT = "support"
    CONTRADICT = "contradict"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class Judged:
    """An evidence sentence with the judge's scores, its stance and why."""

    evidence: Evidence
    scores: Scores
    stance: Stance
    reason: str = ""

    @property
    def strength(self) -> float:
        s = self.scores
        return s.entail if self.stance is Stance.SUPPORT else \
            s.contradict if self.stance is Stance.CONTRADICT else s.neutral


@dataclass
class Decision:
    """A verdict, the evidence to show (grouped by side) and a one-line reason."""

    verdict: Verdict
    reason: str
    support: list[Evidence] = field(default_factory=list)
    contra: list[Evidence] = field(default_factory=list)
    context: list[Evidence] = field(default_factory=list)

    @property
    def evidence(self) -> list[Evidence]:
        seen: set = set()
        out = []
        for e in self.support + self.contra + self.context:
            if e.key not in seen:
                seen.add(e.key)
                out.append(e)
        return out


def maybe_relevant(best: Evidence | None) -> bool:
    """Whether retrieval found something worth showing the judge at all."""
    return best is not None and (is_relevant(best) or best.score >= LOOSE_SCORE
                                 or best.dense >= LOOSE_DENSE)


def is_relevant(best: Evidence | None) -> bool:
    """Whether the best retrieved sentence clears the retrieval abstention thresholds."""
    if best is None:
        return False
    if best.dense >= MIN_DENSE_ALONE:
        return True
    return best.score >= MIN_SCORE and best.lexical >= MIN_LEXICAL


def select(candidates: Sequence[Evidence], limit: int = MAX_EVIDENCE,
           per_article: int = MAX_PER_ARTICLE, floor_share: float = KEEP_RELATIVE
           ) -> list[Evidence]:
    """The best candidates, at most `per_article` from one article, above a relative floor."""
    if not candidates:
        return []
    floor = max(candidates[0].score * floor_share, MIN_SCORE * 0.8)
    out: list[Evidence] = []
    per: dict[str, int] = {}
    for e in candidates:
        if e.score < floor or len(out) >= limit:
            continue
        if per.get(e.article.id, 0) >= per_article:
            continue
        per[e.article.id] = per.get(e.article.id, 0) + 1
        out.append(e)
    return out


def _figures_disagree(a: Evidence, b: Evidence) -> bool:
    """Two articles give two figures for the same thing ("4,210 people" vs "9,999 people")."""
    return a.article.id != b.article.id and figures_disagree(a.sentence.text, b.sentence.text)


# --- voices (exact) -------------------------------------------------------------------------
def own_voice(e: Evidence) -> bool:
    """The outlet states it itself (or a party concedes it), without a hedge."""
    at = e.attribution
    return (not at.attributed or at.cue is Cue.CONCESSION) and not at.hedged


def refuting_voice(e: Evidence) -> bool:
    """A contradiction that refutes when nothing supports the claim: the outlet's own voice,
    an explicit denial, or a source the outlet reports ("the figure was 2.3 million, the
    organisers said"). Support is held to a stricter rule (`own_voice`): calling a false
    claim supported is the worst failure there is."""
    return not e.attribution.hedged


def same_voice(a: Evidence, b: Evidence) -> bool:
    """True when two sentences are by the same speaker ("Ms Vance" = "Vance"), or
    both in the same article's own voice."""
    sa, sb = a.attribution.speaker, b.attribution.speaker
    if not sa or not sb:
        return not sa and not sb and a.article.id == b.article.id
    names_a = {t for t in lexical_tokens(sa) if t[:1].isalpha()}
    return bool(names_a & set(lexical_tokens(sb)))


def _same_speaker(speaker: str | None, e: Evidence) -> bool:
    theirs = e.attribution.speaker
    if not speaker or not theirs:
        return False
    return bool(set(lexical_tokens(speaker)) & set(lexical_tokens(theirs)))


# --- claims ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClaimForm:
    """What a claim asserts: its core proposition, and whether it is hedged or attributed."""

    core: str
    hedged: bool = False
    speaker: str | None = None  # "the union says ...": judged on the union's sentences


def claim_form(claim: str) -> ClaimForm:
    """Split a claim into its core proposition and its hedge or attribution.

    "Reportedly, the mayor resigned" -> core "the mayor resigned", hedged. "The union says
    300 jobs will go" -> core "300 jobs will go", speaker "union".
    """
    stripped = _CLAIM_HEDGE.sub("", claim, count=1).strip()
    if stripped != claim.strip() and len(stripped.split()) >= 3:
        return ClaimForm(stripped[0].upper() + stripped[1:], hedged=True)
    at = attribute(claim)
    if at.verb and at.speaker and at.cue is Cue.CLAIM and at.speaker_start >= 0 and \
            claim[: at.speaker_start].strip().lower() in ("", "the", "a", "an"):
        rest = claim[at.speaker_end:]
        m = re.match(r"\s*(?:has |have |had )?" + re.escape(at.verb) + r"\s+(?:that\s+)?", rest)
        if m and len(rest[m.end():].split()) >= 3:
            core = rest[m.end():].strip()
            return ClaimForm(core[0].upper() + core[1:], speaker=at.speaker)
    return ClaimForm(claim)


def judge_pairs(query: str, evidence: Sequence[Evidence]) -> list[JudgePair]:
    """One judge input per sentence, with the previous sentence when it refers back."""
    pairs = []
    for e in evidence:
        context = None
        if refers_back(e.sentence.text):
            prev = previous_sentence(e.article, e.sentence)
            context = prev.text if prev is not None else None
        pairs.append(JudgePair(query=query, sentence=e.sentence.text, context=context,
                               speaker=e.attribution.speaker, verb=e.attribution.verb))
    return pairs


def judge_pool(candidates: Sequence[Evidence]) -> list[Evidence]:
    """The candidates worth judging: a bounded, per-article-capped head of the ranking."""
    return select(candidates, limit=JUDGE_POOL, per_article=JUDGE_PER_ARTICLE,
                  floor_share=JUDGE_FLOOR)


def stance_of(claim: str, e: Evidence, scores: Scores) -> Judged:
    """The stance of one judged sentence, with the exact figure and date checks applied.

    A sentence giving a different figure or date cannot entail the claim; when the judge
    finds it on topic (entail + contradict above neutral) it contradicts it.
    """
    conflict = figure_conflict(claim, e.sentence.text) or date_conflict(claim, e.sentence.text)
    on_topic = scores.entail + scores.contradict > scores.neutral
    if conflict and on_topic:
        return Judged(e, scores, Stance.CONTRADICT, f"gives {conflict[1]}, not {conflict[0]}")
    if scores.entail >= ENTAIL_MIN and scores.entail > scores.contradict:
        if conflict:
            return Judged(e, scores, Stance.NEUTRAL, "gives another figure or date")
        return Judged(e, scores, Stance.SUPPORT, "says it")
    if scores.contradict >= CONTRADICT_MIN and scores.contradict > scores.entail:
        return Judged(e, scores, Stance.CONTRADICT, "says otherwise")
    return Judged(e, scores, Stance.NEUTRAL, "does not settle it")


# A name: capitalised words, possibly joined by "of"/"the" ("Bank of Fenn", "Port Ellin FC").
_NAME = re.compile(r"(?<![\w’'])(?:[A-Z][\w’'-]*\.?)(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w’'-]*)*")
_NOT_NAMES = frozenset(words("The A An In On At By For From It Its This That These Those He She "
                             "They We His Her Their After Before When While Reports Report"))
# Words before a name that make it a setting or a modifier rather than who did what.
_NOT_A_ROLE = frozenset(words("at in on of from to into near for during the a an"))
ROLE_MARGIN = 0.15  # the swapped claim scoring within this of the claim: roles unverified


def swap_roles(claim: str) -> str | None:
    """The claim with its first two different names swapped ("A beat B" -> "B beat A"), or
    None when it names fewer than two."""
    spans: list[tuple[int, int, str]] = []
    for m in _NAME.finditer(claim):
        text = m.group(0)
        first, _, rest = text.partition(" ")
        start = m.start()
        if first in _NOT_NAMES:  # "The Rovers" -> "Rovers"; "The" alone is no name
            if not rest:
                continue
            start += len(first) + 1
            text = rest
        if text.endswith(("'s", "’s")):  # a possessive: the name without it
            text = text[:-2]
        before = claim[:start].lower().split()
        if before not in ([], ["the"]) and set(before[-2:]) & _NOT_A_ROLE:
            continue  # "at the Town Hall", "the cup final": a setting, not a role
        if all(text != t for _, _, t in spans):
            spans.append((start, start + len(text), text))
        if len(spans) == 2:
            break
    if len(spans) < 2:
        return None
    (s1, e1, t1), (s2, e2, t2) = spans
    return claim[:s1] + t2 + claim[e1:s2] + t1 + claim[e2:]


def judge_statement(statement: str, pool: Sequence[Evidence], judge: Judge) -> list[Judged]:
    """Judge a claim (or a yes/no question's statement) against the pool, with the exact
    figure and date checks, and a role check on every sentence that seems to support it.

    The role check asks the judge about the claim with its two names swapped ("B beat A"
    for "A beat B"). A sentence that supports the swapped claim about as well as the claim
    cannot tell who did what, so it does not count as support; one that clearly supports the
    swapped claim instead contradicts the claim. Costs one extra pair per supporting sentence,
    in one batch.
    """
    scores = judge.judge(judge_pairs(statement, pool))
    judged = [stance_of(statement, e, s) for e, s in zip(pool, scores, strict=True)]
    swapped = swap_roles(statement)
    supporting = [i for i, j in enumerate(judged) if j.stance is Stance.SUPPORT]
    if swapped is None or not supporting:
        return judged
    checks = judge.judge(judge_pairs(swapped, [pool[i] for i in supporting]))
    for i, check in zip(supporting, checks, strict=True):
        j = judged[i]
        if check.entail >= j.scores.entail + ROLE_MARGIN and check.entail >= ENTAIL_MIN:
            judged[i] = Judged(j.evidence, j.scores, Stance.CONTRADICT,
                               "says it the other way round")
        elif check.entail >= j.scores.entail - ROLE_MARGIN:
            judged[i] = Judged(j.evidence, j.scores, Stance.NEUTRAL,
                               "does not say who did what")
    return judged


def _quote(e: Evidence, words_: int = 9) -> str:
    parts = e.sentence.text.split()
    text = " ".join(parts[:words_])
    return f"“{text}{' …' if len(parts) > words_ else ''}”"


def _who(e: Evidence) -> str:
    outlet = show_outlet(e.article.meta.outlet)
    speaker = e.attribution.speaker
    if not speaker:
        return outlet if not e.attribution.attributed else f"a source in {outlet}"
    return f"{speaker_label(speaker)} ({outlet})"


def decide_claim(claim: str, candidates: Sequence[Evidence], judge: Judge) -> Decision:
    """Verdict for a claim: supported, refuted, disputed, unverified or not_found."""
    if not candidates or not is_relevant(candidates[0]):
        return Decision(Verdict.NOT_FOUND, "no source in the index covers this")
    form = claim_form(claim)
    pool = judge_pool(candidates)
    if form.speaker:
        # a claim about what someone said: that speaker's sentences decide
        pool = [e for e in pool if _same_speaker(form.speaker, e)] or pool
    judged = judge_statement(form.core, pool, judge)
    support = sorted((j for j in judged if j.stance is Stance.SUPPORT), key=lambda j: -j.strength)
    contra = sorted((j for j in judged if j.stance is Stance.CONTRADICT),
                    key=lambda j: -j.strength)
    if form.speaker:
        said = [j for j in support if _same_speaker(form.speaker, j.evidence)]
        denied = [j for j in contra if _same_speaker(form.speaker, j.evidence)]
        if said and not denied:
            return Decision(Verdict.SUPPORTED, f"{_who(said[0].evidence)} says so: "
                            f"{_quote(said[0].evidence)}", support=_ev(said))
        if denied and not said:
            return Decision(Verdict.REFUTED, f"{_who(denied[0].evidence)} says otherwise: "
                            f"{_quote(denied[0].evidence)}", contra=_ev(denied))
        return _unsettled(judged, f"no sentence shows what {form.speaker} said about it")
    own = [j for j in support if own_voice(j.evidence) or form.hedged]
    claimed = [j for j in support if j not in own]
    refuting = [j for j in contra if refuting_voice(j.evidence)]
    if own or claimed:
        affirm = own or claimed
        against = [j for j in contra
                   if not any(same_voice(j.evidence, a.evidence) for a in affirm)]
        if against:
            a, b = affirm[0].evidence, against[0].evidence
            return Decision(Verdict.DISPUTED, f"{_who(a)} says it: {_quote(a)}; {_who(b)} "
                            f"says otherwise: {_quote(b)}", support=_ev(affirm[:2]),
                            contra=_ev(against[:2]))
    if own:
        e = own[0].evidence
        return Decision(Verdict.SUPPORTED, f"{_who(e)} reports it: {_quote(e)}",
                        support=_ev(own[:3]))
    if refuting:
        e = refuting[0].evidence
        why = refuting[0].reason
        return Decision(Verdict.REFUTED, f"{_who(e)} {why}: {_quote(e)}",
                        contra=_ev(refuting[:3]))
    if claimed:
        e = claimed[0].evidence
        return Decision(Verdict.UNVERIFIED, f"only claimed by {_who(e)}, not confirmed: "
                        f"{_quote(e)}", support=_ev(claimed[:2]), context=_ev(contra[:1]))
    if contra:
        e = contra[0].evidence
        return Decision(Verdict.UNVERIFIED, f"only reported as doubtful by {_who(e)}: "
                        f"{_quote(e)}", contra=_ev(contra[:2]))
    return _unsettled(judged, "related reports do not settle it")


def _unsettled(judged: Sequence[Judged], reason: str) -> Decision:
    context = sorted(judged, key=lambda j: -(j.scores.entail + j.scores.contradict))[:3]
    return Decision(Verdict.UNVERIFIED, reason, context=[j.evidence for j in context])


def _ev(judged: Sequence[Judged]) -> list[Evidence]:
    return [j.evidence for j in judged]


# --- questions ------------------------------------------------------------------------------
def decide_question(question: str, candidates: Sequence[Evidence], judge: Judge) -> Decision:
    """Verdict for a question: answered, disputed (answers conflict) or not_found.

    A yes/no question is judged as the statement it asks about: sentences that entail it
    (yes) or contradict it (no) answer it, and a yes and a no from different voices make it
    disputed. Other questions are judged as questions: a sentence answers when the judge
    finds it settles the question either way (entail + contradict), and answers from
    different voices that contradict each other (pairwise) or give two figures for the same
    thing make it disputed. Quantity questions keep only sentences with a figure; "who said
    ..." questions are answered even when the statement is disputed: who said it is not.
    """
    if not candidates or not maybe_relevant(candidates[0]):
        return Decision(Verdict.NOT_FOUND, "no source in the index answers this")
    floor = ANSWER_MIN if is_relevant(candidates[0]) else STRICT_MIN
    kind = question_kind(question)
    pool = judge_pool(candidates)
    if kind.quantity:
        pool = [e for e in pool if has_quantity(e.sentence.text)]
    if kind.yes_no and not kind.quantity:
        return _decide_yes_no(as_statement(question), pool, judge, floor)
    scores = judge.judge(judge_pairs(question, pool))
    ranked = sorted(zip(pool, scores, strict=True),
                    key=lambda p: -(p[1].entail + p[1].contradict))
    answers = [e for e, s in ranked if s.entail + s.contradict >= floor]
    if not answers:
        what = " with a figure" if kind.quantity else ""
        return Decision(Verdict.NOT_FOUND, f"no source answers this{what}")
    shown = select(answers, limit=MAX_EVIDENCE, floor_share=0.0) or answers[:MAX_EVIDENCE]
    if kind.attribution:
        return Decision(Verdict.ANSWERED, f"answered by {_who(shown[0])}: {_quote(shown[0])}",
                        support=shown)
    conflict = _conflicting_answers(answers[:PAIR_POOL], judge)
    if conflict is not None:
        a, b, why = conflict
        rest = [e for e in shown if e.key not in (a.key, b.key)]
        return Decision(Verdict.DISPUTED, f"{why}: {_who(a)} {_quote(a)} vs {_who(b)} "
                        f"{_quote(b)}", support=[a], contra=[b], context=rest[:2])
    return Decision(Verdict.ANSWERED, f"answered by {_who(shown[0])}: {_quote(shown[0])}",
                    support=shown)


def _decide_yes_no(statement: str, pool: Sequence[Evidence], judge: Judge,
                   floor: float) -> Decision:
    judged = judge_statement(statement, pool, judge)
    yes = sorted((j for j in judged if j.stance is Stance.SUPPORT
                  and j.scores.entail >= floor), key=lambda j: -j.strength)
    no = sorted((j for j in judged if j.stance is Stance.CONTRADICT
                 and (j.scores.contradict >= floor or j.reason.startswith("gives"))),
                key=lambda j: -j.strength)
    if not yes and not no:
        return Decision(Verdict.NOT_FOUND, "no source says whether it is so")
    if yes and no:
        against = [j for j in no if not any(same_voice(j.evidence, y.evidence) for y in yes)]
        if against:
            a, b = yes[0].evidence, against[0].evidence
            return Decision(Verdict.DISPUTED, f"{_who(a)} says yes: {_quote(a)}; {_who(b)} "
                            f"says no: {_quote(b)}", support=_ev(yes[:2]),
                            contra=_ev(against[:2]))
    side, word = (yes, "yes") if yes and (not no or yes[0].strength >= no[0].strength) \
        else (no, "no")
    e = side[0].evidence
    return Decision(Verdict.ANSWERED, f"{word}, according to {_who(e)}: {_quote(e)}",
                    support=_ev(side[:3]))


def _conflicting_answers(answers: Sequence[Evidence], judge: Judge
                         ) -> tuple[Evidence, Evidence, str] | None:
    """Two answer sentences from different voices that contradict each other."""
    pairs = [(a, b) for i, a in enumerate(answers) for b in answers[i + 1:]
             if not same_voice(a, b)]
    for a, b in pairs:
        if _figures_disagree(a, b):
            return a, b, "the sources give different figures"
    if not pairs:
        return None
    scores = judge.judge([JudgePair(query=b.sentence.text, sentence=a.sentence.text)
                          for a, b in pairs])
    best = max(zip(pairs, scores, strict=True), key=lambda p: p[1].contradict)
    (a, b), s = best
    if s.contradict >= PAIR_CONTRADICT_MIN:
        return a, b, "the sources contradict each other"
    return None

