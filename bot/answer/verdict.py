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

from bot.answer.attribution import Cue, attribute, has_denial, is_negated, negated_terms
from bot.answer.evidence import Evidence, query_terms
from bot.answer.question import has_quantity, question_kind
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
CONFLICT_POOL = 10  # strong sentences searched for two sides of a question
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
_REPORTS_BOTH = re.compile(r"\b(?:claims?|allegations?|accusations?|reports?|suggestions?)\b "
                           r"(?:by|from|of|that)\b", re.IGNORECASE)
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


def negates(evidence: Evidence, terms: Sequence[str]) -> bool:
    """True when a negation or denial in the sentence governs one of the query's terms."""
    return bool(negated_terms(evidence.sentence.text) & set(terms))


def reports_both_sides(evidence: Evidence, terms: Sequence[str]) -> bool:
    """"X denied claims by Y that ..." about the query: both sides in one sentence."""
    text = evidence.sentence.text
    at = evidence.attribution
    after = text[text.find(at.verb):] if at.verb and at.verb in text else text
    return bool(_REPORTS_BOTH.search(after)) and negates(evidence, terms)


def judge(claim: str, evidence: Evidence) -> Judged:
    """The stance of one evidence sentence towards a claim, with the reason.

    Stance needs lexical coverage: the dense similarity belongs to the sentence's chunk, so
    it says the passage is on topic, not that this sentence says the same.
    """
    text = evidence.sentence.text
    if evidence.own < STANCE_LEXICAL:
        return Judged(evidence, Stance.NEUTRAL, "not about the claim")
    conflict = numeric_conflict(claim, text)
    if conflict:
        return Judged(evidence, Stance.CONTRADICT,
                      f"reports {conflict[1]}, not {conflict[0]}", numeric=True)
    attribution = evidence.attribution
    terms = query_terms(claim)
    claim_negated = negated_terms(claim)
    claim_negative = bool(claim_negated) or has_denial(claim)
    sentence_negative = negates(evidence, terms)
    denial = sentence_negative and (attribution.cue is Cue.DENIAL or has_denial(text))
    reports_both = reports_both_sides(evidence, terms)
    if reports_both and not claim_negative:
        return Judged(evidence, Stance.CONTRADICT, "one side's claim, denied by the other",
                      reports_both=True)
    if denial and not claim_negative:
        return Judged(evidence, Stance.CONTRADICT, f"{attribution.speaker or 'a source'} denies it")
    if sentence_negative and not claim_negative:
        return Judged(evidence, Stance.CONTRADICT, "says the opposite (negation)")
    if claim_negative and not sentence_negative:
        # it affirms what the claim denies only if it speaks of the denied thing
        if claim_negated & evidence.matched_terms:
            return Judged(evidence, Stance.CONTRADICT, "says the opposite (negation)")
        return Judged(evidence, Stance.NEUTRAL, "does not speak of what the claim denies")
    if evidence.own >= SUPPORT_LEXICAL:
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
    """Two voices on opposite sides of the query's proposition, or two figures for it.

    A side denies only when its negation or denial governs one of the query's terms ("No
    chlorine was stored at the site" does not deny who controls the site).
    """
    if same_voice(a, b):
        return False  # one voice does not dispute itself
    if negates(a, terms) != negates(b, terms):
        affirm = b if negates(a, terms) else a
        if _hedged_polarity(affirm):
            return False  # "had not received any complaint": not a clean affirmation either
        return a.article.id != b.article.id or a.attribution.attributed \
            or b.attribution.attributed
    return _numbers_conflict(a, b)


def _hedged_polarity(evidence: Evidence) -> bool:
    """True when a sentence negates or denies something (if not the query's terms)."""
    text = evidence.sentence.text
    return is_negated(text) or has_denial(text)


def anchor_terms(query: str) -> set[str]:
    """Terms of the names in a query: its capitalised words after the first word."""
    words_ = query.split()[1:]
    return {t for w in words_ if w[:1].isupper() for t in lexical_tokens(w)}


def _conflict_pool(candidates: Sequence[Evidence]) -> list[Evidence]:
    """Sentences strong enough to stand for a side: wider than the shown selection."""
    floor = MIN_SCORE * 0.8
    out: list[Evidence] = []
    per: dict[str, int] = {}
    for e in candidates:
        if len(out) >= CONFLICT_POOL:
            break
        if e.score < floor or e.lexical < STANCE_LEXICAL or per.get(e.article.id, 0) >= 3:
            continue
        per[e.article.id] = per.get(e.article.id, 0) + 1
        out.append(e)
    return out


def _disputed(reason: str, affirm: list[Evidence], deny: list[Evidence],
              chosen: Sequence[Evidence]) -> Decision:
    shown = {e.key for e in affirm + deny}
    rest = [e for e in chosen if e.key not in shown]
    return Decision(Verdict.DISPUTED, reason, support=affirm, contra=deny,
                    context=rest[: max(0, MAX_EVIDENCE - len(affirm) - len(deny))])


def decide_question(question: str, candidates: Sequence[Evidence]) -> Decision:
    """Verdict for a question: answered, disputed (sources conflict) or not_found.

    Quantity questions keep only sentences that give a figure (for "how many N", mentioning
    N); attribution questions ("who said ...") are answered with the attributed sentences,
    since who said it is not in dispute; otherwise two voices on opposite sides of the
    question's proposition, a sentence reporting one side's claim denied by the other, or
    two figures for the same thing make it disputed.
    """
    if not candidates or not is_relevant(candidates[0]):
        return Decision(Verdict.NOT_FOUND, "no source in the index answers this")
    kind = question_kind(question)
    terms = query_terms(question)
    if kind.quantity:
        def counts(e: Evidence) -> bool:
            return has_quantity(e.sentence.text) and (
                kind.counted is None or kind.counted in e.matched_terms | e.context_terms)

        figures = [e for e in candidates if counts(e)]
        if not figures or not is_relevant(figures[0]):
            what = f" for {kind.counted}" if kind.counted else ""
            return Decision(Verdict.NOT_FOUND, f"no source gives a figure{what}")
        candidates = figures
    chosen = select(candidates)
    if kind.attribution:
        return Decision(Verdict.ANSWERED, "answered from the sources (who said it)",
                        support=chosen)
    pool = _conflict_pool(candidates)
    flagged = [e for e in pool if DISPUTE_RE.search(e.sentence.text)]
    if flagged and len(pool) > 1:
        rest = [e for e in chosen if e.key != flagged[0].key]
        return Decision(Verdict.DISPUTED, "a source reports that the accounts conflict",
                        support=[flagged[0]], context=rest[:3])
    both = [e for e in pool if reports_both_sides(e, terms)]
    if both:
        other = [e for e in pool if e.key != both[0].key and not negates(e, terms)]
        other = other or [e for e in pool if e.key != both[0].key]
        return _disputed("one side's claim is denied by the other", other[:1], both[:1],
                         chosen)
    # sentences naming what the question is about stand for a side first: the subject of a
    # yes/no question (its first term: "Was *Ukraine* involved"), else its names
    named = set(terms[:1]) if kind.yes_no and terms else anchor_terms(question)
    pool.sort(key=lambda e: not (named & e.matched_terms))
    if kind.yes_no and not has_denial(question):
        # "Norvale Chemicals denied that any warnings had been ignored": a denial of the
        # proposition means someone asserted it; the question is disputed, not answered
        denials = [e for e in pool if e.attribution.cue is Cue.DENIAL and negates(e, terms)]
        if denials:
            affirm = [e for e in pool if not _hedged_polarity(e)
                      and not any(same_voice(e, d) for d in denials)]
            who = denials[0].attribution.speaker or "a source"
            return _disputed(f"{who} denies what others assert", affirm[:1], denials[:2],
                             chosen)
    pairs = [(a, b) for i, a in enumerate(pool) for b in pool[i + 1:]]
    pairs += [(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1:]
              if (a, b) not in pairs and _numbers_conflict(a, b)]
    for a, b in pairs:
        if _sides_conflict(a, b, terms):
            deny, affirm = (a, b) if negates(a, terms) else (b, a)
            more_deny = [e for e in pool if e.key != deny.key and negates(e, terms)
                         and e.article.id != deny.article.id and not same_voice(e, deny)
                         and (not named or named & e.matched_terms)]
            more_affirm = [e for e in pool if e.key != affirm.key and not _hedged_polarity(e)
                           and e.article.id != affirm.article.id and not same_voice(e, affirm)
                           and (not named or named & e.matched_terms)]
            return _disputed("the sources conflict", [affirm, *more_affirm[:1]],
                             [deny, *more_deny[:1]], chosen)
    return Decision(Verdict.ANSWERED, "answered from the sources", support=chosen)
