"""Help for an empty mention: examples come from the loaded index."""

from __future__ import annotations

import pytest

from bot.discord.help import Overview, help_text, overview, topic_of
from tests.discord.fakes import FakeCore


@pytest.mark.parametrize(
    "title,topic",
    [
        ("Ribeiro double as Kelvey Town win Westmarch Cup", "Kelvey Town"),
        ("Families flee as Brightwater plant fire sends smoke", "Brightwater"),
        ("Storm Elsbeth Floods Marrow Bay", "Storm Elsbeth Floods Marrow Bay"),
        ("fire is out", "fire is out"),
    ],
)
def test_topic_of_a_headline(title: str, topic: str) -> None:
    assert topic_of(title) == topic


def test_overview_reads_outlets_and_titles_newest_first() -> None:
    view = overview(FakeCore())
    assert view.articles == 4
    assert view.outlets == ["Harbour Gazette", "Valley Echo"]
    assert view.titles[0][0] == "Pellmont mayor promises inquiry into the crane collapse"


def test_help_names_what_the_index_holds() -> None:
    text = help_text(overview(FakeCore()), "factbot")
    assert "4 articles I have indexed, from Harbour Gazette, Valley Echo" in text
    assert "*what do the sources say about Pellmont mayor promises inquiry into the crane" in text
    assert "*claim: Dock union blames Marlow Shipping for crane failure*" in text


def test_help_without_an_index_or_articles() -> None:
    assert "cannot be read" in help_text(None, "factbot")
    assert "no articles indexed yet" in help_text(Overview(0), "factbot")


def test_help_is_safe_to_send() -> None:
    view = Overview(1, ["@everyone News"], [("<@&123456789012345678> *wins*", None)])
    text = help_text(view, "@here bot")
    assert "@everyone" not in text and "@here" not in text and "<@&" not in text
