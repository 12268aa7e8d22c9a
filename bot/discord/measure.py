"""How long a message looks on a phone: displayed characters and wrapped lines (pure).

Discord's mobile client shows an embed's description about 40 characters wide on a
390-point-wide phone (14-pixel text in a column narrowed by the avatar, the embed's colour
bar and its padding). `PHONE_COLUMNS` is that width; a block quote loses two columns to its
bar. Lines are counted by greedy word wrapping, as the client wraps, and characters are
counted as displayed: link targets, markdown markers and escapes are not shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import discord

from bot.discord.limits import Outgoing

PHONE_COLUMNS = 40
_LINK = re.compile(r"\[([^\]]*)\]\((?:<)?[^)\s]+(?:>)?\)")
_PAIRS = ("**", "__", "~~", "||")  # bold, underline, strike-through, spoiler markers
_SUBTEXT = re.compile(r"^-# ")


@dataclass(frozen=True)
class Size:
    """Displayed characters and lines on a narrow screen."""

    chars: int
    lines: int

    def __add__(self, other: Size) -> Size:
        return Size(self.chars + other.chars, self.lines + other.lines)


def displayed(markdown: str) -> str:
    """The characters a reader sees for Discord markdown (links as their label)."""
    text = _LINK.sub(r"\1", markdown)
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        following = text[i + 1] if i + 1 < len(text) else ""
        if char == "\\" and following and not following.isalnum() and not following.isspace():
            out.append(following)  # an escaped character is shown as itself
            i += 2
        elif text.startswith(_PAIRS, i):
            i += 2
        elif char == "*":
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out).replace("\u200b", "")


def wrapped_lines(line: str, columns: int) -> int:
    """Lines one displayed line takes when word-wrapped at `columns` (at least 1)."""
    count, used = 1, 0
    for word in line.split(" "):
        size = len(word)
        need = size if used == 0 else used + 1 + size
        if need <= columns:
            used = need
            continue
        if used:
            count, used = count + 1, 0
        while size > columns:  # a word longer than the line is broken anywhere
            count, size = count + 1, size - columns
        used = size
    return count


def text_size(markdown: str, columns: int = PHONE_COLUMNS) -> Size:
    """Size of a block of Discord markdown (a description, a field value, content)."""
    chars = lines = 0
    for raw in markdown.split("\n"):
        width = columns
        if raw.startswith("> "):
            raw, width = raw[2:], columns - 2
        raw = _SUBTEXT.sub("", raw)
        shown = displayed(raw)
        chars += len(shown)
        lines += wrapped_lines(shown, width)
    return Size(chars, lines)


def embed_size(embed: discord.Embed, columns: int = PHONE_COLUMNS) -> Size:
    """Size of an embed: title, author, description, fields and footer."""
    size = Size(0, 0)
    for part in (embed.author.name, embed.title, embed.description):
        if part:
            size += text_size(part, columns)
    for field in embed.fields:
        size += text_size(field.name or "", columns) + text_size(field.value or "", columns)
    if embed.footer.text:
        size += text_size(embed.footer.text, columns)
    return size


def message_size(message: Outgoing, columns: int = PHONE_COLUMNS) -> Size:
    """Size of one message: its content and every embed (buttons are not counted)."""
    size = text_size(message.content, columns) if message.content else Size(0, 0)
    for embed in message.embeds:
        size += embed_size(embed, columns)
    return size
