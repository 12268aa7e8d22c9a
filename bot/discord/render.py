"""Render the core's replies into Discord messages within every limit (pure functions).

Source numbers are the core's own `Source.id`s and are never renumbered: when a reply is
split over several embeds or messages, `[3]` in a claim is always the field named `[3]`.
Quotes are shown whole (split over continuation fields when long, never truncated), each
with its outlet (or "unknown outlet"), title and date.
"""

from __future__ import annotations

import re

import discord

from bot.answer.types import (
    UNKNOWN_OUTLET,
    IndexStatus,
    OutletInfo,
    Passage,
    QuoteProvenance,
    Reply,
    Verdict,
)
from bot.discord.limits import DESCRIPTION, FIELD_VALUE, Outgoing, Packer, split_text
from bot.discord.safety import safe_text

_URL = re.compile(r"^https?://[^\s()<>]+$")

VERDICTS: dict[Verdict, tuple[str, str, discord.Colour]] = {
    Verdict.ANSWERED: ("💬", "Answer", discord.Colour.blurple()),
    Verdict.SUPPORTED: ("✅", "Supported by the sources", discord.Colour.green()),
    Verdict.REFUTED: ("❌", "Contradicted by the sources", discord.Colour.red()),
    Verdict.UNVERIFIED: ("❔", "Not verified by the sources", discord.Colour.light_grey()),
    Verdict.DISPUTED: ("⚖️", "Sources disagree", discord.Colour.orange()),
    Verdict.NOT_FOUND: ("🔍", "Nothing found in the indexed articles", discord.Colour.dark_grey()),
}


def _quote_block(text: str) -> list[str]:
    """A quote as `> ` block-quote pieces that each fit a field value."""
    limit = FIELD_VALUE - 124
    while True:
        pieces = split_text(text, limit)
        blocks = ["\n".join("> " + line for line in p.split("\n")) for p in pieces]
        if all(len(b) <= FIELD_VALUE for b in blocks):
            return blocks
        limit //= 2


def source_fields(
    label: str,
    outlet: str | None,
    title: str | None,
    published: str | None,
    url: str | None,
    quote: str,
    speaker: str | None = None,
) -> list[tuple[str, str]]:
    """Field (name, value) pairs showing one verified quote with outlet, title and date."""
    name = f"{label} {safe_text(outlet) or UNKNOWN_OUTLET}"
    meta = f"*{safe_text(title) or 'untitled'}* · {safe_text(published) or 'undated'}"
    if url and _URL.match(url):
        meta += f" · [link]({url})"
    if speaker:
        meta += f"\nsaid by **{safe_text(speaker)}**"
    atoms = split_text(meta, FIELD_VALUE) + _quote_block(safe_text(quote))
    values: list[str] = []
    for atom in atoms:
        if values and len(values[-1]) + 1 + len(atom) <= FIELD_VALUE:
            values[-1] += "\n" + atom
        else:
            values.append(atom)
    return [(name if i == 0 else f"{name} (cont.)", v) for i, v in enumerate(values)]


def render_reply(reply: Reply) -> list[Outgoing]:
    """A `Reply` as messages: verdict, summary and cited claims, then the numbered sources."""
    emoji, label, colour = VERDICTS.get(reply.verdict, ("💬", str(reply.verdict), None))
    kind = "Claim" if reply.mode == "claim" else "Question"
    lines = [f"**{kind}:** {safe_text(reply.query)}", "", safe_text(reply.summary)]
    if reply.claims:
        lines.append("")
        for claim in reply.claims:
            cites = "".join(f"[{n}]" for n in claim.sources)
            lines.append(f"• {safe_text(claim.text)} {cites}".rstrip())
    for note in reply.notes:
        lines.append(f"-# {safe_text(note)}")
    packer = Packer(colour=colour)
    for i, chunk in enumerate(split_text("\n".join(lines).strip(), DESCRIPTION)):
        packer.embed(f"{emoji} {label}" if i == 0 else None, chunk)
    for source in reply.sources:
        fields = source_fields(
            f"[{source.id}]",
            source.outlet_label,
            source.title,
            source.published,
            source.url,
            source.quote,
        )
        for name, value in fields:
            packer.field(name, value, continued_title="Sources (continued)")
    count = len(reply.sources)
    footer = f"{count} verified quote{'s' if count != 1 else ''}" if count else None
    return packer.finish(footer)


def render_passages(title: str, passages: list[Passage], empty: str) -> list[Outgoing]:
    """Passages as numbered, outlet-labelled fields, one list of messages (one per page)."""
    if not passages:
        return [Outgoing(embeds=[discord.Embed(title=title, description=empty)])]
    packer = Packer(colour=discord.Colour.blurple(), budget=3500)
    packer.embed(title)
    for i, p in enumerate(passages, 1):
        for name, value in source_fields(
            f"{i}.", p.outlet, p.title, p.published, p.url, p.text, p.speaker
        ):
            packer.field(name, value, continued_title=title)
    return packer.finish()


def render_quote(prov: QuoteProvenance) -> list[Outgoing]:
    """Where these exact words appear and who said or published them."""
    if not prov.found:
        text = safe_text(prov.text)
        desc = split_text(
            f"I could not find these exact words in the indexed articles:\n> {text}", DESCRIPTION
        )[0]
        return [Outgoing(embeds=[discord.Embed(title="🔍 Quote not found", description=desc)])]
    return render_passages("🗣️ Where these words appear", prov.passages, "")


def render_outlets(outlets: list[OutletInfo]) -> list[Outgoing]:
    """Indexed outlets with article counts and date ranges."""
    if not outlets:
        return [Outgoing(content="The index is empty: no outlets yet.")]
    lines = []
    for o in sorted(outlets, key=lambda o: (-o.articles, o.outlet or "")):
        span = f"{o.first_published or '?'} → {o.last_published or '?'}"
        name = safe_text(o.outlet) or f"*{UNKNOWN_OUTLET}*"
        lines.append(f"**{name}** — {o.articles} article{'s' if o.articles != 1 else ''} · {span}")
    packer = Packer(colour=discord.Colour.blurple(), budget=4500)
    for i, chunk in enumerate(split_text("\n".join(lines), DESCRIPTION)):
        packer.embed(f"📰 Indexed outlets ({len(outlets)})" if i == 0 else None, chunk)
    return packer.finish()


def render_status(status: IndexStatus) -> Outgoing:
    """The index status for `/about`."""
    embed = discord.Embed(
        title="ℹ️ factbot",
        description="Answers only from the indexed news articles; every quote is verbatim "
        "and names its outlet.",
        colour=discord.Colour.blurple(),
    )
    embed.add_field(name="Articles", value=str(status.articles))
    embed.add_field(name="Chunks", value=str(status.chunks))
    embed.add_field(name="Outlets", value=str(status.outlets))
    embed.add_field(name="Last build", value=safe_text(status.last_build) or "never")
    embed.add_field(name="Model", value=safe_text(status.model) or "none")
    return Outgoing(embeds=[embed])


def plain(text: str) -> list[Outgoing]:
    """Plain text (already safe) as messages of at most 2000 characters."""
    return [Outgoing(content=piece) for piece in split_text(text, 2000)]
