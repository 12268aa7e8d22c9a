"""Input sanitising, mention neutralising and question/claim routing."""

from __future__ import annotations

import pytest

from bot.discord.safety import neutralise_mentions, route, safe_text, sanitise_query


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
    assert sanitise_query(raw) == "what about the fire? x"


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("<@1> <@!2> @everyone @here who took X?", "who took X?"),
        ("is <#123456789012345678> the <@&42> channel?", "is the channel?"),
        ("did <:pog:123456789012345678> it <a:spin:123> burn?", "did it burn?"),
        ("try </ask:123456789012345678> please", "try please"),
        ("@\u200beveryone hides a mention", "hides a mention"),
        ("see <id:customize> here", "see here"),
        ("keep <this> and a@b.c", "keep <this> and a@b.c"),
    ],
)
def test_sanitise_removes_every_discord_token(raw: str, clean: str) -> None:
    assert sanitise_query(raw) == clean


def test_sanitise_empty() -> None:
    assert sanitise_query("\u200b\u200d\u2066 ``` ```") == ""
    assert sanitise_query("<@123> <:x:123> @here") == ""


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
