"""The help shown for an empty mention: examples taken from the index being served.

`overview` runs in the core's worker thread (it reads the loaded articles); `help_text` is
pure. Example questions name what the index really holds (its outlets and its titles), so
they work on whatever corpus the bot serves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.discord.limits import ellipsize
from bot.discord.safety import safe_text

_WORD = re.compile(r"[\w'’-]+")
EXAMPLE_CHARS = 80


@dataclass(frozen=True)
class Overview:
    """What the index holds, for help: article count, named outlets, (title, published)."""

    articles: int
    outlets: list[str] = field(default_factory=list)
    titles: list[tuple[str, str | None]] = field(default_factory=list)


def overview(core: Any) -> Overview:
    """Read the index overview from the core (call it in the core's worker thread).

    Outlets come from `core.outlets()`; titles from the articles the core has loaded.
    """
    outlets = core.outlets()
    named = [o.outlet for o in sorted(outlets, key=lambda o: -o.articles) if o.outlet]
    articles = getattr(getattr(core, "reader", None), "articles", None) or {}
    titles = [(a.meta.title, a.meta.published) for a in articles.values() if a.meta.title]
    titles.sort(key=lambda t: t[1] or "", reverse=True)  # newest first
    return Overview(sum(o.articles for o in outlets), named, titles)


def topic_of(title: str) -> str:
    """What a headline is about: its longest run of capitalised words ("Northfield Cup"),
    else its first capitalised word after the first, else the whole headline."""
    runs: list[tuple[int, list[str]]] = []
    for i, word in enumerate(_WORD.findall(title)):
        if not word[:1].isupper():
            continue
        if runs and runs[-1][0] + len(runs[-1][1]) == i:
            runs[-1][1].append(word)
        else:
            runs.append((i, [word]))
    long = [words for _, words in runs if len(words) >= 2]
    if long:
        return " ".join(max(long, key=len))
    later = [words for start, words in runs if start > 0]
    return later[0][0] if later else title


def help_text(view: Overview | None, bot_name: str, slash_only: bool = False) -> str:
    """The help message (safe to send), with examples from the index when it has any."""
    how = (
        f"Mention me (**@{safe_text(bot_name)}**) with a question or a claim, or use `/ask` "
        "and `/factcheck`."
    )
    if slash_only:
        how = f"Mention me (**@{safe_text(bot_name)}**) or use `/ask` and `/factcheck`."
    if view is None:
        return f"{how}\nMy index cannot be read right now; please try again later."
    if not view.articles:
        return (
            f"{how}\nI have no articles indexed yet: a moderator can add some with `/ingest` "
            "or `/reindex`."
        )
    names = [safe_text(o) for o in view.outlets[:3]]
    more = len(view.outlets) - len(names)
    outlets = ", ".join(names) + (f" and {more} more" if more > 0 else "")
    lines = [
        f"I answer only from the {view.articles} article{'s' if view.articles != 1 else ''} "
        f"I have indexed" + (f", from {outlets}" if outlets else "") + ", with verbatim quotes.",
        how,
    ]
    if view.titles:
        topic = ellipsize(topic_of(view.titles[0][0]), EXAMPLE_CHARS)
        lines.append(f"• *what do the sources say about {safe_text(topic)}?*")
        claim = view.titles[1][0] if len(view.titles) > 1 else view.titles[0][0]
        lines.append(f"• *claim: {safe_text(ellipsize(claim, EXAMPLE_CHARS))}*")
    return "\n".join(lines)
