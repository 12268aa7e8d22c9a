"""A `Reply` as one short message for a phone, and its full list of sources (pure functions).

The answer message: the verdict line (the CLI's words), one sentence of summary, then at most
`MAX_QUOTES` verbatim quotes, each shown once under its outlet · date · title, the title
linking to the article with a text fragment that scrolls to the quote. A disputed reply
groups its quotes by side when the core says which side each claim is on (`Claim.side`,
"support" or "contra"). Quotes are added while the message stays within `TARGET` on a phone
(`measure.py`). Some are shown whatever the length, and never cut: the first quote, and for
a dispute the first of each side (or, without sides, the first from another outlet), so a
dispute always shows two voices. Everything else is one tap away, in the "All sources" view
(`render_all_sources`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.answer.types import Reply, Source, Verdict
from bot.discord.format import display_date, source_line, title_link
from bot.discord.limits import CONTENT, DESCRIPTION, TOTAL, Outgoing, Packer, ellipsize, split_text
from bot.discord.measure import Size, message_size
from bot.discord.safety import safe_text
from bot.links import quote_link
from bot.terminal import VERDICT_LABELS

MAX_QUOTES = 3
TARGET = Size(chars=900, lines=15)
QUERY_ECHO = 70  # characters of the question echoed above a slash-command answer (2 lines)

STYLE: dict[Verdict, tuple[str, discord.Colour]] = {
    Verdict.ANSWERED: ("💬", discord.Colour.blurple()),
    Verdict.SUPPORTED: ("✅", discord.Colour.green()),
    Verdict.REFUTED: ("❌", discord.Colour.red()),
    Verdict.UNVERIFIED: ("❔", discord.Colour.light_grey()),
    Verdict.DISPUTED: ("⚖️", discord.Colour.orange()),
    Verdict.NOT_FOUND: ("🔍", discord.Colour.dark_grey()),
}
SUPPORT, CONTRA = "support", "contra"
SIDE_HEADERS = {
    "claim": {SUPPORT: "Backs the claim", CONTRA: "Contradicts it"},
    "question": {SUPPORT: "One account", CONTRA: "Another account"},
}

_LABEL_PREFIX = re.compile(
    r"^(?:answered|supported|refuted|unverified|disputed|not found)\s*[:—–-]\s*", re.IGNORECASE
)
_EXCERPT = re.compile(r":?\s*“([^”]{4,})”")  # the core quotes excerpts in curly quotes
_OUTLET_LIST = re.compile(r"\s*\(([^()]+)\)(?=\s*[.;]?\s*$)")


def verdict_line(verdict: Verdict) -> str:
    """The verdict as people read it at a glance: an emoji and the CLI's words."""
    emoji = STYLE.get(verdict, ("💬", None))[0]
    return f"{emoji} {VERDICT_LABELS.get(verdict.value, verdict.value)}"


def _squash(text: str) -> str:
    return " ".join(text.split())


def summary_sentence(reply: Reply) -> str:
    """The core's summary as one plain sentence for people (not yet markdown-escaped).

    Drops what the message already shows: the verdict word in front ("Disputed: ..."), an
    outlet repeated as its own speaker ("X (X)"), excerpts of the quotes and a closing list
    of the outlets quoted ("(A, B)"): each quote names its outlet.
    """
    text = _LABEL_PREFIX.sub("", _squash(reply.summary))
    for source in reply.sources:
        outlet = source.outlet_label
        text = text.replace(f"{outlet} ({outlet})", outlet)
    quotes = [_squash(s.quote) for s in reply.sources]

    def _drop(match: re.Match[str]) -> str:
        excerpt = _squash(match[1]).strip("…. ")
        return "" if excerpt and any(excerpt in q for q in quotes) else match[0]

    text = _EXCERPT.sub(_drop, text)
    outlets = {s.outlet_label for s in reply.sources}

    def _drop_outlets(match: re.Match[str]) -> str:
        names = {n.strip() for n in match[1].split(",")}
        return "" if names and names <= outlets else match[0]

    if text.count("(") == 1:  # else the closing "(X)" names the last speaker's outlet
        text = _OUTLET_LIST.sub(_drop_outlets, text)
    text = re.sub(r"\s+([;,.])", r"\1", text).strip(" ;,")
    if text and not text.endswith((".", "?", "!")):
        text += "."
    return text[:1].upper() + text[1:]


def _sides(reply: Reply) -> dict[int, str | None]:
    """Which side each source is on, as the core's claims say (`Claim.side`, when it has one)."""
    sides: dict[int, str | None] = {}
    for claim in reply.claims:
        side = getattr(claim, "side", None)
        for number in claim.sources:
            sides.setdefault(number, side if side in (SUPPORT, CONTRA) else None)
    return sides


@dataclass(frozen=True)
class _Pick:
    source: Source
    side: str | None
    forced: bool  # shown even over the length target (see the module docstring)


def _candidates(reply: Reply) -> list[_Pick]:
    """Sources in the order to try them: for a dispute, the first of each side comes first."""
    sides = _sides(reply)
    grouped = reply.verdict is Verdict.DISPUTED and {SUPPORT, CONTRA} <= set(sides.values())
    if not grouped:
        forced = {reply.sources[0].id} if reply.sources else set()
        if reply.verdict is Verdict.DISPUTED and reply.sources:
            # without sides from the core, a dispute still shows two voices: the first quote
            # and the first from another outlet (or at least another article)
            first = reply.sources[0]
            other = next(
                (s for s in reply.sources if s.outlet_label != first.outlet_label),
                next((s for s in reply.sources if s.article_id != first.article_id), None),
            )
            if other is not None:
                forced.add(other.id)
        picks = [_Pick(s, None, s.id in forced) for s in reply.sources]
        return sorted(picks, key=lambda p: not p.forced)
    seen: set[str | None] = set()
    picks = []
    for source in reply.sources:
        side = sides.get(source.id)
        picks.append(_Pick(source, side, side is not None and side not in seen))
        seen.add(side)
    return sorted(picks, key=lambda p: not p.forced)


def _quote_lines(text: str) -> list[str]:
    """A quote as `> ` lines; a very long line is broken at spaces (never cut) so that every
    piece of a split description still starts as a block quote."""
    lines: list[str] = []
    for line in safe_text(text).split("\n"):
        for piece in split_text(line, 1000) if line.strip() else ["\u200b"]:
            lines.append("> " + piece)
    return lines


def _article_block(sources: Sequence[Source]) -> list[str]:
    """Quotes from one article, then one line naming it (title linked to the first quote)."""
    lines: list[str] = []
    for source in sources:
        lines += _quote_lines(source.quote)
    first = sources[0]
    link = quote_link(first.url, first.quote)
    lines.append("— " + source_line(first.outlet_label, first.published, first.title, link))
    return lines


def _body(reply: Reply, picks: Sequence[_Pick]) -> list[str]:
    """The quotes part of the description: by side (when grouped), then by article."""
    lines: list[str] = []
    headers = SIDE_HEADERS["claim" if reply.mode == "claim" else "question"]
    for side in (SUPPORT, CONTRA, None):
        in_side = [p.source for p in picks if p.side == side]
        if not in_side:
            continue
        lines.append("")
        if side is not None:
            lines.append(f"**{headers[side]}**")
        articles: dict[str, list[Source]] = {}
        for source in in_side:
            articles.setdefault(source.article_id, []).append(source)
        for block in articles.values():
            lines += _article_block(block)
    return lines


def _message(
    reply: Reply, head: list[str], picks: Sequence[_Pick], hidden: int
) -> list[Outgoing]:
    """Build the message(s); a description too long for one embed is split, never cut."""
    emoji_colour = STYLE.get(reply.verdict, ("💬", discord.Colour.blurple()))
    description = "\n".join(head + _body(reply, picks)).strip()
    footer = None
    if hidden:
        footer = f"+{hidden} more quote{'s' if hidden != 1 else ''} under “All sources”"
    pieces = split_text(description, DESCRIPTION) if description else [""]
    if len(pieces) == 1:
        embed = discord.Embed(
            title=verdict_line(reply.verdict), description=pieces[0] or None,
            colour=emoji_colour[1],
        )
        if footer:
            embed.set_footer(text=footer)
        return [Outgoing(embeds=[embed])]
    packer = Packer(colour=emoji_colour[1], budget=TOTAL - 200)
    for i, piece in enumerate(pieces):
        packer.embed(verdict_line(reply.verdict) if i == 0 else None, piece)
    return packer.finish(footer)


@dataclass(frozen=True)
class Layout:
    """A rendered reply and which quotes it shows."""

    messages: list[Outgoing]
    shown: list[Source]
    forced: int  # how many were shown whatever the length (the first, the first of a side)


def layout(reply: Reply, query_label: bool = False) -> Layout:
    """Choose the quotes to show within `TARGET` and render them (see the module docstring).

    Args:
        reply: the core's verified reply.
        query_label: echo the question or claim on top (slash commands, where the client
            does not show what was typed).
    """
    head: list[str] = []
    if query_label:
        kind = "Claim" if reply.mode == "claim" else "Question"
        head.append(f"**{kind}:** {safe_text(ellipsize(_squash(reply.query), QUERY_ECHO))}")
    summary = summary_sentence(reply)
    if summary:
        head.append(safe_text(summary))
    chosen: list[_Pick] = []
    candidates = _candidates(reply)
    for pick in candidates:
        if len(chosen) >= MAX_QUOTES:
            break
        trial = chosen + [pick]
        hidden = len(reply.sources) - len(trial)
        size = sum((message_size(m) for m in _message(reply, head, trial, hidden)), Size(0, 0))
        if pick.forced or (size.chars <= TARGET.chars and size.lines <= TARGET.lines):
            chosen = trial
    order = {s.id: i for i, s in enumerate(reply.sources)}
    chosen.sort(key=lambda p: order[p.source.id])  # shown in the core's order
    messages = _message(reply, head, chosen, len(reply.sources) - len(chosen))
    return Layout(messages, [p.source for p in chosen], sum(p.forced for p in chosen))


def render_reply(reply: Reply, query_label: bool = False) -> list[Outgoing]:
    """A reply as one short message (more only for a quote too long for one embed)."""
    return layout(reply, query_label).messages


def render_all_sources(reply: Reply) -> list[Outgoing]:
    """Every source of a reply, grouped by article, each quote whole with its own link.

    Returns pages (for a pager, so without `part i/n` labels).
    """
    emoji_colour = STYLE.get(reply.verdict, ("💬", discord.Colour.blurple()))
    count = len(reply.sources)
    packer = Packer(colour=emoji_colour[1], budget=3500)
    intro = [verdict_line(reply.verdict), safe_text(_squash(reply.summary))]
    packer.embed(f"📚 All sources ({count})", "\n".join(intro))
    articles: dict[str, list[Source]] = {}
    for source in reply.sources:
        articles.setdefault(source.article_id, []).append(source)
    for block in articles.values():
        first = block[0]
        name = f"{first.outlet_label} · {display_date(first.published)}"
        head = title_link(first.title, quote_link(first.url, None))
        atoms = [head]
        for source in block:
            link = quote_link(source.url, source.quote)
            label = f"**[{source.id}]**" + (f" · [jump to the quote]({link})" if link else "")
            atoms.append(label)
            atoms += _fit_quote(source.quote)
        for i, value in enumerate(_pack_atoms(atoms)):
            packer.field(safe_text(name) + (" (cont.)" if i else ""), value,
                         continued_title="📚 All sources (continued)")
    notes = [n for n in reply.notes if _squash(n).lower() not in _squash(reply.summary).lower()]
    footer = ("Note: " + "; ".join(safe_text(n) for n in notes)) if notes else None
    return packer.finish(footer, label=False)


def _fit_quote(text: str) -> list[str]:
    """A quote as block-quote pieces that each fit a field value (1024), split, never cut."""
    limit = 900
    while True:
        pieces = ["\n".join(_quote_lines(p)) for p in split_text(text, limit)]
        if all(len(p) <= 1024 for p in pieces):
            return pieces
        limit //= 2


def _pack_atoms(atoms: list[str]) -> list[str]:
    values: list[str] = []
    for atom in atoms:
        if values and len(values[-1]) + 1 + len(atom) <= 1024:
            values[-1] += "\n" + atom
        else:
            values.append(atom)
    return values


def plain(text: str) -> list[Outgoing]:
    """Plain text (already safe) as messages of at most 2000 characters."""
    return [Outgoing(content=piece) for piece in split_text(text, CONTENT)]
