"""Deterministic, explainable verdicts from scored evidence sentences.

No NLI model: relevance thresholds decide abstention; numbers with their units, negation,
denial and attribution cues decide stance. Every verdict comes with a one-line reason.

Thresholds were calibrated by running `factbot eval evals/seed_corpus.jsonl` and
`evals/demo_corpus.jsonl` (the not-found items are questions neither corpus can answer,
including bait about unrelated page headlines) and choosing values that keep not-found
precision at 1.0 while answering every answerable item; see the report in the README.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.answer.attribution import Cue, attribute, has_denial, is_negated
from bot.answer.evidence import Evidence, query_terms
from bot.answer.types import Verdict
from index.search import STOPWORDS, lexical_tokens

# --- abstention ---------------------------------------------------------------------------
# A query is answerable only when its best sentence has this blended score (0.55 lexical
# coverage + 0.45 cosine) AND covers this share of the query's IDF-weighted content terms.
# Out-of-corpus questions about the same war score up to ~0.40 blended with coverage
# below 0.35; answerable ones score 0.45+ with coverage 0.4+.
MIN_SCORE = 0.36
MIN_LEXICAL = 0.25
# Very close paraphrases can have low lexical coverage but a high cosine.
MIN_DENSE_ALONE = 0.72
# --- evidence kept in a reply -------------------------------------------------------------
KEEP_RELATIVE = 0.6  # keep sentences scoring at least this share of the best one
MAX_EVIDENCE = 5
MAX_PER_ARTICLE = 2
# --- stance ---------------------------------------------------------------------------------
SUPPORT_LEXICAL = 0.62  # a sentence supports a claim only if it covers this much of it
STANCE_LEXICAL = 0.45  # below this, a sentence is about something else: no stance
_YEAR = re.compile(r"^(1[89]|20)\d\d$")
YEAR_UNIT = frozenset({"<year>"})
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "thousand": 1000, "single": 1, "dozen": 12,
}
# A sentence that itself says the accounts conflict.
DISPUTE_RE = re.compile(
    r"\b(?:opposing accounts|conflicting (?:accounts|reports|claims)|remains? disputed|"
    r"(?:is|are|was|were) disputed|contradict(?:s|ed|ory)?)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[,;:–—()“”\"]|\s-\s|\bbut\b|\bwhile\b|\bwhereas\b|\bthough\b")


class Stance(StrEnum):
    SUPPORT = "support"
    CONTRADICT = "contradict"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class Judged:
    """An evidence sentence with its stance towards the claim and why."""

    evidence: Evidence
    stance: Stance
    reason: str = ""
    numeric: bool = False  # the contradiction is a different number for the same thing
    reports_both: bool = False  # "X denied claims by Y that ...": both sides in one sentence


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


def is_relevant(best: Evidence | None) -> bool:
    """Whether the best sentence clears the abstention thresholds."""
    if best is None:
        return False
    if best.dense >= MIN_DENSE_ALONE:
        return True
    return best.score >= MIN_SCORE and best.lexical >= MIN_LEXICAL


def select(candidates: Sequence[Evidence], limit: int = MAX_EVIDENCE) -> list[Evidence]:
    """The best relevant sentences, at most `MAX_PER_ARTICLE` from one article."""
    if not candidates:
        return []
    floor = max(candidates[0].score * KEEP_RELATIVE, MIN_SCORE * 0.8)
    out: list[Evidence] = []
    per: dict[str, int] = {}
    for e in candidates:
        if e.score < floor or len(out) >= limit:
            continue
        if per.get(e.article.id, 0) >= MAX_PER_ARTICLE:
            continue
        per[e.article.id] = per.get(e.article.id, 0) + 1
        out.append(e)
    return out


# --- numbers --------------------------------------------------------------------------------
def quantities(text: str) -> list[tuple[int, frozenset[str]]]:
    """Numbers in a text with the content words that follow them (their "unit").

    "a 40-kilometre strip" -> [(40, {"km", "strip"})]; years are left out.
    """
    tokens = lexical_tokens(text, keep_stopwords=True)
    out = []
    for i, tok in enumerate(tokens):
        value: int | None = None
        if _YEAR.match(tok):
            out.append((int(tok), YEAR_UNIT))
            continue
        if tok.isdigit():
            value = int(tok)
        elif tok in _NUMBER_WORDS and tok not in ("single", "one"):
            value = _NUMBER_WORDS[tok]
        if value is None:
            continue
        unit = frozenset(t for t in tokens[i + 1 : i + 4]
                         if t not in STOPWORDS and not t.isdigit())
        out.append((value, unit))
    return out


def numeric_conflict(claim: str, sentence: str) -> tuple[int, int] | None:
    """A (claimed, reported) pair when both give a different number for the same unit."""
    theirs = quantities(sentence)
    their_values = {v for v, _ in theirs}
    for value, unit in quantities(claim):
        if value in their_values or not unit:
            continue
        for other, other_unit in theirs:
            if other != value and unit & other_unit:
                return value, other
    return None


# --- stance ---------------------------------------------------------------------------------
def _best_clause(terms: Sequence[str], text: str) -> str:
    clauses = [c for c in _CLAUSE.split(text) if c and c.strip()]
    if not clauses:
        return text
    wanted = set(terms)
    return max(clauses, key=lambda c: len(wanted & set(lexical_tokens(c))))


def judge(claim: str, evidence: Evidence) -> Judged:
    """The stance of one evidence sentence towards a claim, with the reason."""
    text = evidence.sentence.text
    if evidence.lexical < STANCE_LEXICAL and evidence.dense < MIN_DENSE_ALONE:
        return Judged(evidence, Stance.NEUTRAL, "not about the claim")
    conflict = numeric_conflict(claim, text)
    if conflict:
        return Judged(evidence, Stance.CONTRADICT,
                      f"reports {conflict[1]}, not {conflict[0]}", numeric=True)
    attribution = evidence.attribution
    denial = attribution.cue is Cue.DENIAL or has_denial(text)
    claim_denies = has_denial(claim)
    reports_both = denial and bool(re.search(r"\bclaims?\b", text[text.find(
        attribution.verb or ""):] if attribution.verb else text))
    if is_negated(claim):  # the sentence must negate somewhere too
        polarity_clash = not is_negated(text)
    else:  # the clause that carries the claim's terms must not be negated
        polarity_clash = is_negated(_best_clause(query_terms(claim), text))
    if reports_both and not claim_denies:
        return Judged(evidence, Stance.CONTRADICT, "one side's claim, denied by the other",
                      reports_both=True)
    if denial and not claim_denies:
        return Judged(evidence, Stance.CONTRADICT, f"{attribution.speaker or 'a source'} denies it")
    if polarity_clash and evidence.lexical >= STANCE_LEXICAL:
        return Judged(evidence, Stance.CONTRADICT, "says the opposite (negation)")
    if evidence.lexical >= SUPPORT_LEXICAL or evidence.dense >= MIN_DENSE_ALONE:
        return Judged(evidence, Stance.SUPPORT, "says the same")
    return Judged(evidence, Stance.NEUTRAL, "related but does not settle it")


def _same_speaker(claim: str, evidence: Evidence) -> bool:
    speaker = attribute(claim).speaker
    theirs = evidence.attribution.speaker
    if not speaker or not theirs:
        return False
    mine = set(lexical_tokens(speaker))
    return bool(mine & set(lexical_tokens(theirs)))


def decide_claim(claim: str, candidates: Sequence[Evidence]) -> Decision:
    """Verdict for a claim: supported, refuted, disputed, unverified or not_found.

    Conservative by construction: support only from a source's own voice (or from the
    same speaker when the claim is itself about what someone said); support that is only
    someone's claim gives `unverified`; sources on both sides give `disputed`.
    """
    if not candidates or not is_relevant(candidates[0]):
        return Decision(Verdict.NOT_FOUND, "no source in the index covers this")
    judged = [judge(claim, e) for e in select(candidates, limit=MAX_EVIDENCE + 2)]
    claim_attributed = attribute(claim).verb is not None
    support = [j for j in judged if j.stance is Stance.SUPPORT]
    contra = [j for j in judged if j.stance is Stance.CONTRADICT]
    both = [j for j in contra if j.reports_both]
    own_support = [j for j in support if not j.evidence.attribution.attributed
                   or (j.evidence.attribution.cue is Cue.CONCESSION
                       and not is_negated(j.evidence.sentence.text))
                   or (claim_attributed and _same_speaker(claim, j.evidence))]
    numeric = [j for j in contra if j.numeric]
    neutral = [j.evidence for j in judged if j.stance is Stance.NEUTRAL][:1]
    support_ev = [j.evidence for j in support]
    contra_ev = [j.evidence for j in contra]
    if numeric:
        claimed = {v for v, _ in quantities(claim)}
        confirming = [j for j in support
                      if claimed & {v for v, _ in quantities(j.evidence.sentence.text)}]
        if not confirming:
            return Decision(Verdict.REFUTED, f"the sources give a different figure: "
                            f"{numeric[0].reason}", contra=contra_ev)
        contra = [j for j in contra if not j.numeric]
        contra_ev = [j.evidence for j in contra]
    if (support and contra) or both:
        return Decision(Verdict.DISPUTED, "the sources conflict: one side affirms, "
                        "the other denies", support=support_ev, contra=contra_ev)
    if contra:
        if any(not j.evidence.attribution.attributed for j in contra):
            return Decision(Verdict.REFUTED, "a source reports the opposite",
                            contra=contra_ev)
        return Decision(Verdict.UNVERIFIED, f"{contra[0].reason}; no source confirms it",
                        contra=contra_ev)
    if own_support:
        hedged = all(j.evidence.attribution.hedged for j in own_support)
        if not hedged:
            return Decision(Verdict.SUPPORTED, "a source reports it", support=support_ev)
    if support:
        who = support[0].evidence.attribution.speaker or "someone"
        return Decision(Verdict.UNVERIFIED, f"only reported as a claim (by {who}), "
                        "not confirmed", support=support_ev)
    return Decision(Verdict.UNVERIFIED, "related reports do not settle it",
                    context=[j.evidence for j in judged][:3] or neutral)


def same_voice(a: Evidence, b: Evidence) -> bool:
    """True when two sentences are by the same speaker ("Mr Ponomarev" = "Ponomarev"), or
    both in the same article's own voice."""
    sa, sb = a.attribution.speaker, b.attribution.speaker
    if not sa or not sb:
        return not sa and not sb and a.article.id == b.article.id
    names_a = {t for t in lexical_tokens(sa) if t[:1].isalpha()}
    return bool(names_a & set(lexical_tokens(sb)))


def _numbers_conflict(a: Evidence, b: Evidence) -> bool:
    """Two articles give two figures for the same thing ("4,210 people" vs "9,999 people")."""
    if a.article.id == b.article.id:
        return False
    for va, ua in quantities(a.sentence.text):
        for vb, ub in quantities(b.sentence.text):
            if va != vb and ua & ub and ua != YEAR_UNIT:
                return True
    return False


def _sides_conflict(a: Evidence, b: Evidence, terms: Sequence[str]) -> bool:
    if same_voice(a, b):
        return False  # one voice does not dispute itself
    a_deny = a.attribution.cue is Cue.DENIAL or has_denial(a.sentence.text)
    b_deny = b.attribution.cue is Cue.DENIAL or has_denial(b.sentence.text)
    if a_deny != b_deny:
        return True
    a_neg = is_negated(_best_clause(terms, a.sentence.text))
    b_neg = is_negated(_best_clause(terms, b.sentence.text))
    if a_neg != b_neg and a.article.id != b.article.id and (
            a.attribution.attributed or b.attribution.attributed):
        return True
    return _numbers_conflict(a, b)


def decide_question(question: str, candidates: Sequence[Evidence]) -> Decision:
    """Verdict for a question: answered, disputed (sources conflict) or not_found."""
    if not candidates or not is_relevant(candidates[0]):
        return Decision(Verdict.NOT_FOUND, "no source in the index answers this")
    chosen = select(candidates)
    terms = query_terms(question)
    strong = [e for e in chosen if e.lexical >= STANCE_LEXICAL or e.dense >= MIN_DENSE_ALONE]
    flagged = [e for e in strong if DISPUTE_RE.search(e.sentence.text)]
    if flagged and len(strong) > 1:
        rest = [e for e in chosen if e.key != flagged[0].key]
        return Decision(Verdict.DISPUTED, "a source reports that the accounts conflict",
                        support=[flagged[0]], context=rest[:3])
    pairs = [(a, b) for i, a in enumerate(strong) for b in strong[i + 1 :]]
    pairs += [(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1 :]
              if (a, b) not in pairs and _numbers_conflict(a, b)]
    for a, b in pairs:
        if _sides_conflict(a, b, terms):
            deny, affirm = (a, b) if has_denial(a.sentence.text) or \
                a.attribution.cue is Cue.DENIAL else (b, a)
            rest = [e for e in chosen if e.key not in (a.key, b.key)]
            return Decision(Verdict.DISPUTED, "the sources conflict",
                            support=[affirm], contra=[deny], context=rest[:2])
    return Decision(Verdict.ANSWERED, "answered from the sources", support=chosen)
