"""Lookups as Discord pages: passages, quote provenance, outlets, index status (pure).

Pages are meant for a pager (one message, ◀ ▶), so they carry no `part i/n` labels.
Quotes are shown whole (split over continuation fields when long, never cut), each with its
outlet (or *unknown outlet*), date and title, the title linking to the quoted words.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.answer.types import UNKNOWN_OUTLET, IndexStatus, OutletInfo, Passage, QuoteProvenance
from bot.discord.format import display_date, outlet_name, title_link
from bot.discord.limits import DESCRIPTION, FIELD_VALUE, Outgoing, Packer, split_text
from bot.discord.safety import safe_text
from bot.links import quote_link


def _quote_block(text: str) -> list[str]:
    """A quote as `> ` block-quote pieces that each fit a field value."""
    limit = FIELD_VALUE - 124
    while True:
        pieces = split_text(safe_text(text), limit)
        blocks = ["\n".join("> " + line for line in p.split("\n")) for p in pieces]
        if all(len(b) <= FIELD_VALUE for b in blocks):
            return blocks
        limit //= 2


def passage_fields(label: str, p: Passage) -> list[tuple[str, str]]:
    """Field (name, value) pairs showing one passage with outlet, date and linked title."""
    name = f"{label} {p.outlet or UNKNOWN_OUTLET}"
    meta = f"{display_date(p.published)} · {title_link(p.title, quote_link(p.url, p.text))}"
    if p.speaker:
        meta += f"\nsaid by **{safe_text(p.speaker)}**"
    atoms = split_text(meta, FIELD_VALUE) + _quote_block(p.text)
    values: list[str] = []
    for atom in atoms:
        if values and len(values[-1]) + 1 + len(atom) <= FIELD_VALUE:
            values[-1] += "\n" + atom
        else:
            values.append(atom)
    return [
        (safe_text(name) if i == 0 else f"{safe_text(name)} (cont.)", v)
        for i, v in enumerate(values)
    ]


def render_passages(title: str, passages: list[Passage], empty: str) -> list[Outgoing]:
    """Passages as numbered, outlet-labelled fields, as pages."""
    if not passages:
        return [Outgoing(embeds=[discord.Embed(title=title, description=empty)])]
    packer = Packer(colour=discord.Colour.blurple(), budget=3500)
    packer.embed(title)
    for i, p in enumerate(passages, 1):
        for name, value in passage_fields(f"{i}.", p):
            packer.field(name, value, continued_title=title)
    return packer.finish(label=False)


def render_quote(prov: QuoteProvenance) -> list[Outgoing]:
    """Where these exact words appear and who said or published them."""
    if not prov.found:
        text = safe_text(prov.text)
        desc = split_text(
            f"I could not find these exact words in the indexed articles:\n> {text}", DESCRIPTION
        )[0]
        return [Outgoing(embeds=[discord.Embed(title="🔍 Quote not found", description=desc)])]
    return render_passages("🗣️ Where these words appear", prov.passages, "")


@dataclass(frozen=True)
class OutletCounts:
    """Named outlets and the articles whose outlet is unknown, counted one way everywhere."""

    named: int
    articles: int
    unknown_articles: int

    @classmethod
    def of(cls, outlets: list[OutletInfo]) -> OutletCounts:
        unknown = sum(o.articles for o in outlets if not o.outlet)
        return cls(
            named=sum(1 for o in outlets if o.outlet),
            articles=sum(o.articles for o in outlets),
            unknown_articles=unknown,
        )

    def line(self) -> str:
        """`4 outlets · 22 articles (1 from an unknown outlet)`."""
        text = f"{self.named} outlet{'s' if self.named != 1 else ''} · {self.articles} " + (
            "article" if self.articles == 1 else "articles"
        )
        if self.unknown_articles:
            text += f" ({self.unknown_articles} from an {UNKNOWN_OUTLET})"
        return text


def _span(o: OutletInfo) -> str:
    first, last = o.first_published, o.last_published
    if not first and not last:
        return "undated"
    if first == last or not last or not first:
        return display_date(first or last)
    return f"{display_date(first)} → {display_date(last)}"


def render_outlets(outlets: list[OutletInfo]) -> list[Outgoing]:
    """Indexed outlets with article counts and date ranges; unknown outlet last."""
    if not outlets:
        return [Outgoing(content="The index is empty: no outlets yet.")]
    counts = OutletCounts.of(outlets)
    lines = []
    ordered = sorted(outlets, key=lambda o: (o.outlet is None, -o.articles, o.outlet or ""))
    for o in ordered:
        n = f"{o.articles} article{'s' if o.articles != 1 else ''}"
        lines.append(f"{outlet_name(o.outlet)} — {n} · {_span(o)}")
    packer = Packer(colour=discord.Colour.blurple(), budget=4500)
    for i, chunk in enumerate(split_text("\n".join(lines), DESCRIPTION)):
        packer.embed(f"📰 {counts.line()}" if i == 0 else None, chunk)
    return packer.finish(label=False)


def render_status(
    status: IndexStatus, outlets: list[OutletInfo], message_content: bool = True
) -> Outgoing:
    """The index status for `/about`, counting outlets exactly as `/outlets` does."""
    counts = OutletCounts.of(outlets)
    embed = discord.Embed(
        title="ℹ️ factbot",
        description="Answers only from the indexed news articles; every quote is verbatim "
        "and names its outlet.",
        colour=discord.Colour.blurple(),
    )
    embed.add_field(name="Articles", value=str(status.articles))
    outlets_value = str(counts.named)
    if counts.unknown_articles:
        outlets_value += f" (+{counts.unknown_articles} article from an {UNKNOWN_OUTLET})"
        if counts.unknown_articles != 1:
            outlets_value = outlets_value.replace(" article ", " articles ")
    embed.add_field(name="Outlets", value=outlets_value)
    embed.add_field(name="Chunks", value=str(status.chunks))
    embed.add_field(name="Last build", value=safe_text(status.last_build) or "never")
    embed.add_field(name="Model", value=safe_text(status.model) or "none")
    how = "mentions, replies, `/ask`" if message_content else "mentions and `/ask`"
    embed.add_field(name="Ask with", value=how)
    return Outgoing(embeds=[embed])
