"""Plain-text rendering of the core's results for the terminal (the CLI's face)."""

from __future__ import annotations

from bot.answer.types import (
    IndexStatus,
    OutletInfo,
    Passage,
    QuoteProvenance,
    Reply,
    Source,
    show_outlet,
)
from bot.links import quote_link

VERDICT_LABELS = {
    "answered": "ANSWERED",
    "supported": "SUPPORTED",
    "refuted": "REFUTED",
    "unverified": "UNVERIFIED",
    "disputed": "DISPUTED — the sources conflict",
    "not_found": "NOT FOUND in the indexed sources",
}



def source_line(source: Source) -> str:
    parts = [source.outlet_label]
    if source.title:
        parts.append(f"“{source.title}”")
    parts.append(source.published or "undated")
    return f"[{source.id}] " + ", ".join(parts) + f" ({source.document})"


def render_reply(reply: Reply) -> str:
    """A reply as readable text: verdict, summary, claims with [n] citations, then sources."""
    lines = [f"{VERDICT_LABELS.get(reply.verdict.value, reply.verdict.value)}", reply.summary, ""]
    for claim in reply.claims:
        cites = "".join(f"[{n}]" for n in claim.sources)
        lines.append(f"• {claim.text} {cites}".rstrip())
    if reply.sources:
        lines += ["", "Sources:"]
        for source in reply.sources:
            lines.append(source_line(source))
            lines.append(f"    “{source.quote}”")
            link = quote_link(source.url, source.quote)
            if link:
                lines.append(f"    {link}")
    return "\n".join(lines).rstrip() + "\n"


def render_passages(passages: list[Passage]) -> str:
    if not passages:
        return "No matching passages in the indexed sources.\n"
    lines = []
    for n, p in enumerate(passages, 1):
        title, date = p.title or "untitled", p.published or "undated"
        head = f"[{n}] {show_outlet(p.outlet)}, {title}, {date}"
        if p.speaker:
            head += f" — speaker: {p.speaker}"
        lines += [f"{head} ({p.document})", f"    “{p.text}”"]
        link = quote_link(p.url, p.text)
        if link:
            lines.append(f"    {link}")
    return "\n".join(lines) + "\n"


def render_provenance(result: QuoteProvenance) -> str:
    if not result.found:
        return f"“{result.text}” was not found in the indexed sources.\n"
    return f"“{result.text}” appears in:\n" + render_passages(result.passages)


def render_outlets(outlets: list[OutletInfo]) -> str:
    lines = []
    for o in outlets:
        span = " – ".join(d for d in (o.first_published, o.last_published) if d) or "undated"
        lines.append(f"{show_outlet(o.outlet)}: {o.articles} article(s), {span}")
    return "\n".join(lines) + "\n"


def render_status(status: IndexStatus) -> str:
    return (
        f"articles: {status.articles}\nchunks: {status.chunks}\noutlets: {status.outlets}\n"
        f"last build: {status.last_build or 'never'}\nmodel: {status.model or '-'}\n"
    )
