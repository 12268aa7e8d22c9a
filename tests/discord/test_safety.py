"""Input sanitising, mention neutralising and question/claim routing."""

from __future__ import annotations

import pytest

from bot.discord.safety import (
    neutralise_mentions,
    route,
    safe_text,
    sanitise_query,
    strip_leading_mention,
)


@pytest.mark.parametrize(
    "text",
    [
        "@everyone",
        "@here",
        "@EVERYONE",
        "<@&123456789012345678>",
        "<@123456789012345678>",
        "<@!123456789012345678>",
    ],
)
def test_neutralise_breaks_every_mention(text: str) -> None:
    out = neutralise_mentions(f"hi {text} there")
    assert text not in out
    assert out.replace("\u200b", "") == f"hi {text} there"


def test_sanitise_strips_invisible_code_and_mentions() -> None:
    raw = (
        "```py\nwhat\u200b about \u202ethe fire\u202c?``` `x` @everyone <@&123456789012345678>\x00"
    )
    assert sanitise_query(raw) == "what about the fire? x everyone"


def test_sanitise_empty() -> None:
    assert sanitise_query("\u200b\u200d\u2066 ``` ```") == ""


def test_strip_leading_mention() -> None:
    assert strip_leading_mention("<@42> hi <@!42>", 42).split() == ["hi"]


@pytest.mark.parametrize(
    "text,mode",
    [
        ("Did the fire reach the river?", "ask"),
        ("how many died", "ask"),
        ("The fire killed four workers.", "check"),
        ("claim: four died", "check"),
        ("tell me about the fire", "ask"),
    ],
)
def test_route(text: str, mode: str) -> None:
    assert route(text)[0] == mode


def test_route_strips_prefix() -> None:
    assert route("Check: four died") == ("check", "four died")


def test_safe_text_escapes_markdown() -> None:
    assert safe_text("*bold* @here") == "\\*bold\\* @\u200bhere"
