"""Small display pieces shared by the renderers: dates, linked titles, source lines (pure)."""

from __future__ import annotations

import re
from datetime import date

from bot.answer.types import UNKNOWN_OUTLET
from bot.discord.limits import ellipsize
from bot.discord.safety import safe_text

TITLE_CHARS = 40  # a title is a label: shortened with an ellipsis so a source line stays short
MAX_LINK = 1000
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)


def display_date(published: str | None) -> str:
    """`2025-05-17` as `17 May 2025`; anything else as given; no date as "undated"."""
    if not published:
        return "undated"
    try:
        day = date.fromisoformat(published[:10])
    except ValueError:
        return safe_text(published)
    return f"{day.day} {day:%b} {day.year}"


def _link_target(link: str | None) -> str | None:
    """A URL safe inside a markdown link, or None (then the title is shown without a link)."""
    if not link or len(link) > MAX_LINK or any(c in link for c in '<>"\\'):
        return None
    if _MASS_MENTION.search(link) or any(c.isspace() for c in link):
        return None
    return link.replace("(", "%28").replace(")", "%29")


def title_link(title: str | None, link: str | None) -> str:
    """The article's title (shortened), as a masked link to `link` when there is one."""
    label = ellipsize(" ".join(title.split()), TITLE_CHARS) if title else ""
    target = _link_target(link)
    if target and "://" not in label:
        text = safe_text(label.replace("[", "(").replace("]", ")")) or "article"
        return f"[{text}]({target})"
    return f"*{safe_text(label)}*" if label else "untitled"


def outlet_name(outlet_label: str | None) -> str:
    """An outlet in bold, or *unknown outlet* in italics (an outlet is never guessed)."""
    if not outlet_label or outlet_label == UNKNOWN_OUTLET:
        return f"*{UNKNOWN_OUTLET}*"
    return f"**{safe_text(outlet_label)}**"


def source_line(
    outlet_label: str | None, published: str | None, title: str | None, link: str | None
) -> str:
    """`**Outlet** · 17 May 2025 · [Title](link)`: who published it, when, and what."""
    return " · ".join((outlet_name(outlet_label), display_date(published), title_link(title, link)))
