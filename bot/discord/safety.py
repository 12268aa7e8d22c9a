"""Mention neutralising and input sanitising: pure functions, no Discord calls.

Every send also carries `AllowedMentions.none()`; neutralising the text is defence in depth,
so that a quote or a question containing `@everyone` can never ping anyone even if a send
forgot its allowed mentions.
"""

from __future__ import annotations

import re
import unicodedata

from discord.utils import escape_markdown

ZWSP = "\u200b"

# zero-width, bidi embedding/override/isolate marks, BOM, soft hyphen, word joiner
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
_ID_MENTION = re.compile(r"<(@[!&]?|#)(\d{15,25})>")
# what Discord's client turns into pills: user, role and channel mentions, custom (animated)
# emoji, slash-command mentions and guild navigation; none of it is words of a question
_DISCORD_TOKEN = re.compile(
    r"<(?:@[!&]?\d{1,25}|#\d{1,25}|a?:\w{1,32}:\d{1,25}|/[^<>:]{1,100}:\d{1,25}|id:\w{1,20})>"
)
_CODE_FENCE = re.compile(r"```[a-zA-Z0-9_+-]*\n|```")
_WHITESPACE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([?!.,;:])")

_QUESTION_WORDS = (
    "who whom whose what which when where why how is are was were do does did can could "
    "should would will has have had may might tell explain show find list summarise summarize"
)
QUESTION_WORDS = frozenset(_QUESTION_WORDS.split())
CLAIM_PREFIXES = ("claim:", "check:", "fact-check:", "factcheck:", "fact check:")


def neutralise_mentions(text: str) -> str:
    """Break `@everyone`, `@here` and `<@id>`/`<@&id>`/`<#id>` tokens with a zero-width space.

    Args:
        text: any text that will be sent to Discord.

    Returns:
        The text, displayed the same, that Discord can no longer parse as a mention.
    """
    text = _MASS_MENTION.sub(lambda m: "@" + ZWSP + m.group(1), text)
    return _ID_MENTION.sub(lambda m: "<" + ZWSP + m.group(1) + m.group(2) + ">", text)


def safe_text(text: str | None, *, markdown: bool = True) -> str:
    """Text from users or articles made safe to display: mentions broken, markdown escaped.

    Escaping keeps the displayed characters identical, so a verbatim quote stays verbatim.
    """
    if not text:
        return ""
    if markdown:
        text = escape_markdown(text)
    return neutralise_mentions(text)


def sanitise_query(text: str) -> str:
    """Clean a question or claim typed in Discord before it reaches the core.

    Removes invisible and bidi control characters, code fences and inline-code backticks,
    every user, role, channel and mass mention and every custom emoji (none of them are
    words of the question: "@bot @everyone <@123> who took X?" is asked as "who took X?"),
    and collapses whitespace.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _CODE_FENCE.sub(" ", text).replace("`", "")
    text = _DISCORD_TOKEN.sub(" ", text)
    text = _MASS_MENTION.sub(" ", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    text = _WHITESPACE.sub(" ", text).strip()
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text)


def route(text: str) -> tuple[str, str]:
    """Decide whether chat text is a question (`ask`) or a statement to fact-check (`check`).

    A leading `claim:`/`check:` prefix forces a check; text ending in `?` or starting with a
    question word is a question; any other sentence is treated as a claim.

    Returns:
        `("ask" | "check", text without the prefix)`.
    """
    lowered = text.lower()
    for prefix in CLAIM_PREFIXES:
        if lowered.startswith(prefix):
            return "check", text[len(prefix) :].strip()
    first = lowered.split(" ", 1)[0].strip(",.:;!")
    if text.rstrip().endswith("?") or first in QUESTION_WORDS:
        return "ask", text
    return "check", text
