"""End to end: votes, a burst of questions, a full queue, and running without the intent."""

from __future__ import annotations

import asyncio

import pytest

from bot.discord import messaging
from bot.settings import Settings
from tests.discord.conftest import Connect
from tests.discord.fakes import FakeCore
from tests.discord.helpers import answer_of, chat_posts, eventually, flags
from tests.fake_discord import FakeDiscord
from tests.fake_discord import payloads as p

EPHEMERAL = 64
MENTION = f"<@{p.BOT_ID}>"
MOD = {"author": p.user(p.USER_ID, "mod"), "roles": [p.MOD_ROLE_ID]}


def _answers(fake: FakeDiscord) -> list:
    return [r for r in fake.requests if chat_posts(r) and r.body.get("embeds")]


def _notices(fake: FakeDiscord) -> list:
    return [r for r in fake.requests if chat_posts(r) and not r.body.get("embeds")]


async def test_one_vote_per_user_and_answer_changeable(
    fake: FakeDiscord, connect: Connect
) -> None:
    bot = await connect()
    await fake.message_create(f"{MENTION} who owns the docks?")
    [reply] = await fake.wait_for(chat_posts)
    answer_id = int(reply.response["id"])
    await eventually(lambda: bot.store.answer(answer_id) is not None)
    for _ in range(5):
        await fake.click("factbot:fb:up", reply.response)
    thanks = await fake.wait_for(lambda r: r.path.endswith("/callback"), count=5)
    assert all(flags(t.body) & EPHEMERAL for t in thanks)
    texts = [t.body["data"]["content"] for t in thanks]
    assert texts[0].startswith("Thanks")
    assert texts[1:] == ["You already voted 👍 on this answer."] * 4
    assert bot.store.vote_counts(answer_id) == {"up": 1}
    await fake.click("factbot:fb:down", reply.response)
    await fake.wait_for(lambda r: "Changed your vote to 👎" in str(r.body))
    assert bot.store.vote_counts(answer_id) == {"down": 1}
    bob = p.user("1000000000000000099", "bob")
    await fake.click("factbot:fb:up", reply.response, author=bob)
    await fake.wait_for(lambda r: r.path.endswith("/callback"), count=7)
    assert bot.store.vote_counts(answer_id) == {"down": 1, "up": 1}


async def test_report_a_quote_through_the_gateway(fake: FakeDiscord, connect: Connect) -> None:
    bot = await connect()
    await fake.message_create(f"{MENTION} who owns the plant?")
    [reply] = await fake.wait_for(chat_posts)
    await eventually(lambda: bot.store.answer(int(reply.response["id"])) is not None)
    click = await fake.click("factbot:fb:report", reply.response)
    [offer] = await fake.wait_for(answer_of(click))
    assert flags(offer.body) & EPHEMERAL
    select = offer.body["data"]["components"][0]["components"][0]
    assert [o["value"] for o in select["options"]] == ["1", "2"]


async def test_a_burst_of_40_questions_gets_reactions_not_40_replies(
    fake: FakeDiscord, connect: Connect, e2e_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messaging, "NOTICE_LIFETIME", 0.5)
    settings = e2e_settings.model_copy(update={"command_cooldown_seconds": 10})
    core = FakeCore()
    await connect(core=core, settings=settings)
    users = [p.user(f"10000000000000001{i:02d}", f"user{i}") for i in range(4)]
    for n in range(40):
        await fake.message_create(f"{MENTION} question {n}?", author=users[n % 4])
    await fake.wait_for(lambda r: r.method == "PUT" and "/reactions/" in r.path, count=36)
    await fake.wait_for(chat_posts, count=5)
    await asyncio.sleep(0.3)
    assert len(_answers(fake)) == 4  # one per user; the rest are on cooldown
    [notice] = _notices(fake)  # one notice for the whole burst, which deletes itself
    assert notice.body["content"].startswith("⏳ marks questions I skipped")
    assert len(fake.reactions) == 36 and {e for _, e in fake.reactions} == {"⏳"}
    assert len(core.calls) == 4
    await eventually(lambda: notice.response["id"] in fake.deleted, timeout=5)


async def test_a_full_queue_gets_reactions_and_one_busy_notice(
    fake: FakeDiscord, connect: Connect, e2e_settings: Settings
) -> None:
    settings = e2e_settings.model_copy(update={"core_queue_limit": 2})
    core = FakeCore(delay=0.5)
    await connect(core=core, settings=settings)
    for n in range(6):
        await fake.message_create(f"{MENTION} question {n}?")
    await fake.wait_for(lambda r: r.method == "PUT" and "/reactions/" in r.path, count=4)
    await fake.wait_for(lambda r: chat_posts(r) and r.body.get("embeds"), count=2, timeout=10)
    await asyncio.sleep(0.2)
    assert len(_answers(fake)) == 2 and len(core.calls) == 2
    [notice] = _notices(fake)
    assert "busy" in notice.body["content"]


async def test_without_the_intent_mentions_and_ask_still_work(
    fake: FakeDiscord, connect: Connect, e2e_settings: Settings
) -> None:
    settings = e2e_settings.model_copy(
        update={"message_content_intent": False, "answer_channels": [int(p.CHANNEL_ID)]}
    )
    core = FakeCore()
    await connect(core=core, settings=settings)
    assert not fake.identify["intents"] & (1 << 15)
    await fake.message_create(f"{MENTION} who owns the docks?")
    [reply] = await fake.wait_for(chat_posts)
    assert core.calls == [("ask", "who owns the docks?", None)]
    # a reply without a ping, and a message in an answer channel: Discord sends no text
    await fake.message_create("and the cranes?", referenced=reply.response, reply_ping=False)
    await fake.message_create("who runs the port?")
    # a reply that pings the bot carries its text, like a mention
    await fake.message_create("what about the union?", referenced=reply.response)
    await fake.wait_for(chat_posts, count=2)
    await asyncio.sleep(0.3)
    assert [c[1] for c in core.calls] == ["who owns the docks?", "what about the union?"]
    interaction = await fake.slash("ask", {"question": "Who runs the port?"})
    [callback] = await fake.wait_for(answer_of(interaction))
    assert callback.body["type"] == 4 and callback.body["data"]["embeds"]
    refused = await fake.slash("answer-here", {"enabled": True}, **MOD)
    [callback] = await fake.wait_for(answer_of(refused))
    assert flags(callback.body) & EPHEMERAL
    assert "message content intent" in callback.body["data"]["content"]
