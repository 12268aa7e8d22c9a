"""Feedback buttons store votes and bad-quote reports; moderators list the reports."""

from __future__ import annotations

import discord
import pytest

from bot.discord.app import FactBot
from bot.discord.checks import NotModerator
from bot.discord.views import FeedbackButton, ReportView
from tests.discord.fakes import make_reply
from tests.discord.helpers import mock_interaction, mock_member, mock_sent

MESSAGE_ID = 123_456_789_012_345_678


def _record(bot: FactBot) -> dict:
    reply = make_reply("Did @everyone die?", n_sources=2)
    data = reply.model_dump(mode="json")
    data["sources"] = [{**s, "article_id": f"art{s['id']}"} for s in data["sources"]]
    bot.store.record_answer(MESSAGE_ID, 1, 2, data)
    return data


def _clicked(bot: FactBot, user=None) -> discord.Interaction:  # noqa: ANN001
    interaction = mock_interaction(bot, user=user)
    interaction.message = mock_sent()
    interaction.message.id = MESSAGE_ID
    return interaction


async def test_votes_are_one_per_user_and_changeable(bot: FactBot) -> None:
    _record(bot)
    texts = []
    voter = mock_member()
    for kind in ("up", "up", "down"):
        interaction = _clicked(bot, voter)
        await FeedbackButton(kind).callback(interaction)
        assert interaction.response.send_message.await_args.kwargs["ephemeral"] is True
        texts.append(interaction.response.send_message.await_args.args[0])
    assert texts == [
        "Thanks for the feedback: 👍.",
        "You already voted 👍 on this answer.",
        "Changed your vote to 👎.",
    ]
    assert bot.store.vote_counts(MESSAGE_ID) == {"down": 1}
    assert bot.store.reports(kind=None) == []  # votes are not reports


def test_store_keeps_one_vote_per_user_and_answer(tmp_path) -> None:
    from bot.discord.store import BotStore

    store = BotStore(tmp_path / "d.sqlite3")
    assert store.vote(1, 10, "up", "q") is None
    assert store.vote(1, 10, "down", "q") == "up"
    assert store.vote(2, 10, "up", "q") is None
    assert store.vote(1, 11, "up", "q") is None
    assert store.vote_counts(10) == {"down": 1, "up": 1}
    assert store.vote_counts() == {"down": 1, "up": 2}
    store.close()
    reopened = BotStore(tmp_path / "d.sqlite3")  # survives a restart
    assert reopened.vote_counts(10) == {"down": 1, "up": 1}
    reopened.close()


async def test_report_picks_a_source(bot: FactBot) -> None:
    _record(bot)
    interaction = _clicked(bot)
    await FeedbackButton("report").callback(interaction)
    view = interaction.response.send_message.await_args.kwargs["view"]
    assert isinstance(view, ReportView)
    assert [o.value for o in view.select.options] == ["1", "2"]
    view.select._values = ["2"]  # what discord.py sets from the interaction's data
    picked = _clicked(bot)
    await view._picked(picked)
    report = bot.store.reports()[0]
    assert (report.source_id, report.article_id, report.claim) == (
        2,
        "art2",
        "Claim 2 from the articles.",
    )
    assert report.quote and report.question == "Did @everyone die?"


async def test_unknown_answer(bot: FactBot) -> None:
    interaction = _clicked(bot)
    await FeedbackButton("up").callback(interaction)
    assert "no longer know" in interaction.response.send_message.await_args.args[0]


async def test_dynamic_item_matches_custom_ids(bot: FactBot) -> None:
    assert FeedbackButton in bot._connection._view_store._dynamic_items.values()
    match = FeedbackButton.__discord_ui_compiled_template__.fullmatch("factbot:fb:report")
    item = await FeedbackButton.from_custom_id(mock_interaction(bot), None, match)
    assert item.kind == "report"


async def test_reports_listed_to_moderators_only(bot: FactBot) -> None:
    _record(bot)
    bot.store.add_feedback(5, MESSAGE_ID, "bad_quote", "Did @everyone die?", "c", 1, "art1", "q")
    cog = bot.get_cog("Feedback")
    with pytest.raises(NotModerator):
        await cog.reports._check_can_run(mock_interaction(bot))
    interaction = mock_interaction(bot, permissions=discord.Permissions(administrator=True))
    await cog.reports.callback(cog, interaction, count=5)
    text = interaction.response.send_message.await_args.args[0]
    assert "source [1]" in text and "@everyone" not in text
    assert text.startswith("Votes on answers: 👍 0 · 👎 0")
