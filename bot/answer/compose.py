"""The extractive composer (default, no LLM): verdict line, attributed claims, numbered sources.

Claims keep attribution: a sentence that reports someone's statement is shown with the
speaker and the outlet ("Vance (Daily Post) claimed ..."); a sentence in the outlet's own
voice is shown as the outlet's report ("Daily Post reports: ..."). Nothing is ever stated as
a bare fact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer.attribution import speaker_label
from bot.answer.evidence import Evidence
from bot.answer.types import Claim, Reply, Source, Verdict, show_outlet
from bot.answer.verdict import Decision

_LEADING_DET = re.compile(r"^\s*(?:the|a|an)\s*$", re.IGNORECASE)

_LABELS = {
    Verdict.ANSWERED: "Answered",
    Verdict.DISPUTED: "Disputed",
    Verdict.NOT_FOUND: "Not found",
    Verdict.SUPPORTED: "Supported",
    Verdict.REFUTED: "Refuted",
    Verdict.UNVERIFIED: "Unverified",
}


def outlet_name(evidence: Evidence) -> str:
    """The outlet to show: the article's outlet, or "unknown outlet"."""
    return show_outlet(evidence.article.meta.outlet)


def _flat(text: str) -> str:
    return " ".join(text.split())


def attributed_claim(evidence: Evidence) -> str:
    """The claim text for one evidence sentence, with speaker and outlet kept.

    Examples: "Vance (Daily Post) claimed the club ...", "Daily Post reports: ...",
    "unknown outlet reports, quoting Ian Moor: ...".
    """
    outlet = outlet_name(evidence)
    text = evidence.sentence.text
    at = evidence.attribution
    if at.speaker and at.speaker_start >= 0:
        lead = text[: at.speaker_start]
        if not lead.strip() or _LEADING_DET.match(lead):
            rest = _flat(text[at.speaker_end :])
            joiner = "" if rest[:1] in ",.;:" else " "
            lead = lead.strip()
            name = f"{lead} {at.speaker}" if lead and not at.pronoun \
                else speaker_label(at.speaker)
            return f"{name[:1].upper()}{name[1:]} ({outlet}){joiner}{rest}"
        return f"{outlet} reports, quoting {speaker_label(at.speaker)}: {_flat(text)}"
    if at.verb:
        return f"{outlet} reports that a source stated: {_flat(text)}"
    return f"{outlet} reports: {_flat(text)}"


def to_source(number: int, evidence: Evidence) -> Source:
    """A numbered source quoting the evidence sentence (offsets into the stored text)."""
    meta = evidence.article.meta
    return Source(
        id=number,
        outlet=meta.outlet,
        title=meta.title,
        published=meta.published,
        url=meta.url,
        document=evidence.article.source_file,
        quote=evidence.sentence.text,
        start=evidence.sentence.start,
        end=evidence.sentence.end,
        article_id=evidence.article.id,
        author=meta.author,
        republished_by=meta.republished_by,
    )


def _outlets(evidence: Sequence[Evidence]) -> str:
    return ", ".join(dict.fromkeys(outlet_name(e) for e in evidence))


def summary_line(decision: Decision) -> str:
    """One line: the verdict and why, naming the sentences (and outlets) that decided it."""
    label = _LABELS[decision.verdict]
    shown = decision.evidence
    reason = decision.reason.rstrip(".")
    if decision.verdict is Verdict.NOT_FOUND or not shown:
        return f"{label}: {reason}."
    if decision.support or decision.contra:
        return f"{label}: {reason}."  # the reason names who said what
    return f"{label}: {reason} ({_outlets(shown)})."


def compose_extractive(query: str, mode: str, decision: Decision) -> Reply:
    """Build the reply: one claim per evidence sentence, each citing its numbered source.

    Args:
        query: the cleaned question or claim.
        mode: "question" or "claim".
        decision: verdict and evidence from `bot.answer.verdict`.

    Returns:
        The reply (not yet verified: `bot.answer.verify.verify_reply` runs after).
    """
    sources: list[Source] = []
    claims: list[Claim] = []
    numbers: dict[tuple[str, int], int] = {}
    if decision.verdict is not Verdict.NOT_FOUND:
        sides = {e.key: "support" for e in decision.support} | \
            {e.key: "contra" for e in decision.contra}
        for evidence in decision.evidence:
            if evidence.key not in numbers:
                numbers[evidence.key] = len(sources) + 1
                sources.append(to_source(numbers[evidence.key], evidence))
            claims.append(Claim(text=attributed_claim(evidence),
                                sources=[numbers[evidence.key]],
                                side=sides.get(evidence.key)))
    return Reply(
        query=query,
        mode=mode,  # type: ignore[arg-type]
        verdict=decision.verdict,
        summary=summary_line(decision),
        claims=claims,
        sources=sources,
        notes=[decision.reason],
    )
