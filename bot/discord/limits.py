"""Discord's message and embed limits, text splitting and embed packing (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass, field

import discord

CONTENT = 2000
TITLE = 256
DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FIELDS = 25
FOOTER = 2048
TOTAL = 6000
EMBEDS = 10


@dataclass
class Outgoing:
    """One Discord message to send: content and embeds, within all limits."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)


def split_text(text: str, limit: int) -> list[str]:
    """Split text into pieces of at most `limit` characters, never dropping a character.

    Splits at line breaks where possible, then at spaces, then anywhere. Joining the pieces
    with the separators they were split at gives the text back (whitespace at a cut may move).
    """
    if limit < 1:
        raise ValueError(f"limit must be positive, got {limit}")
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            pieces.append(rest[:limit])
            rest = rest[limit:]
            continue
        pieces.append(rest[:cut])
        rest = rest[cut + 1 :]
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def ellipsize(text: str, limit: int) -> str:
    """Shorten a label (never a quote) to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def embed_size(embed: discord.Embed) -> int:
    """Characters Discord counts toward the 6000 total of a message's embeds."""
    return len(embed)


def check_message(message: Outgoing) -> list[str]:
    """Every limit `message` breaks, as readable strings (empty when it fits)."""
    problems: list[str] = []
    if message.content and len(message.content) > CONTENT:
        problems.append(f"content {len(message.content)} > {CONTENT}")
    if len(message.embeds) > EMBEDS:
        problems.append(f"{len(message.embeds)} embeds > {EMBEDS}")
    total = 0
    for i, embed in enumerate(message.embeds):
        total += embed_size(embed)
        if embed.title and len(embed.title) > TITLE:
            problems.append(f"embed {i} title > {TITLE}")
        if embed.description and len(embed.description) > DESCRIPTION:
            problems.append(f"embed {i} description {len(embed.description)} > {DESCRIPTION}")
        if len(embed.fields) > FIELDS:
            problems.append(f"embed {i} has {len(embed.fields)} fields > {FIELDS}")
        for f in embed.fields:
            if len(f.name or "") > FIELD_NAME or not f.name:
                problems.append(f"embed {i} field name length {len(f.name or '')}")
            if len(f.value or "") > FIELD_VALUE or not f.value:
                problems.append(f"embed {i} field value length {len(f.value or '')}")
        if embed.footer.text and len(embed.footer.text) > FOOTER:
            problems.append(f"embed {i} footer > {FOOTER}")
    if total > TOTAL:
        problems.append(f"embeds total {total} > {TOTAL}")
    if not message.content and not message.embeds:
        problems.append("empty message")
    return problems


class Packer:
    """Packs description blocks and fields into embeds and messages within every limit."""

    def __init__(self, colour: discord.Colour | None = None, budget: int = TOTAL - 100) -> None:
        self.colour = colour
        self.budget = budget  # room left for a footer and "part i/n" labels
        self.messages: list[list[discord.Embed]] = [[]]
        self._total = 0

    def _room(self, size: int) -> None:
        current = self.messages[-1]
        if current and (len(current) >= EMBEDS or self._total + size > self.budget):
            self.messages.append([])
            self._total = 0

    def embed(self, title: str | None = None, description: str | None = None) -> discord.Embed:
        """Start a new embed (in a new message when this one is full)."""
        title = ellipsize(title, TITLE) if title else None
        size = len(title or "") + len(description or "")
        self._room(size)
        embed = discord.Embed(title=title, description=description, colour=self.colour)
        self.messages[-1].append(embed)
        self._total += size
        return embed

    def field(self, name: str, value: str, continued_title: str | None = None) -> None:
        """Add a field to the current embed, opening a new embed or message when needed."""
        name = ellipsize(name, FIELD_NAME)
        size = len(name) + len(value)
        current = self.messages[-1]
        if not current or len(current[-1].fields) >= FIELDS or self._total + size > self.budget:
            title = ellipsize(continued_title, TITLE) if continued_title else None
            self._room(size + len(title or ""))
            self.messages[-1].append(discord.Embed(title=title, colour=self.colour))
            self._total += len(title or "")
        self.messages[-1][-1].add_field(name=name, value=value, inline=False)
        self._total += size

    def finish(self, footer: str | None = None, label: bool = True) -> list[Outgoing]:
        """The packed messages.

        Args:
            footer: a short note on the last embed (the budget keeps 100 characters for it).
            label: give each message a `part i/n` content label when there are several
                (False for pages shown one at a time by a pager, which has its own counter).
        """
        messages = [m for m in self.messages if m]
        if footer and messages:
            messages[-1][-1].set_footer(text=ellipsize(footer, 100))
        n = len(messages)
        return [
            Outgoing(content=f"-# part {i}/{n}" if n > 1 and label else None, embeds=embeds)
            for i, embeds in enumerate(messages, 1)
        ]
