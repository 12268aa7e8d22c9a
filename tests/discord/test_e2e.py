"""End to end: the real discord.py client against the fake Discord on 127.0.0.1.

Answers: mentions and /ask, the phone layout, clean queries, help from the index, lookups.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from bot.discord import interactions
from tests.discord.conftest import Connect
from tests.discord.fakes import ARTICLE, FakeCore
from tests.discord.helpers import answer_of, buttons, chat_posts, eventually, flags, followups_of
from tests.fake_discord import FakeDiscord
from tests.fake_discord import payloads as p

MENTION = f"<@{p.BOT_ID}>"
EPHEMERAL = 64


async def test_startup_identifies_with_explicit_intents_and_no_sync(
    fake: FakeDiscord, connect: Connect
) -> None:
    bot = await connect()
    intents = fake.identify["intents"]
    assert intents & (1 << 15) and intents & 1 and intents & (1 << 9)  # content, guilds, messages
    assert not intents & (1 << 1) and not intents & (1 << 8)  # no members, no presences
    assert bot.get_guild(int(p.GUILD_ID)) is not None
    assert not [r for r in fake.requests if r.method == "PUT"]  # no sync unless asked
    assert {"Chat", "Lookup", "Moderation", "Feedback"} <= set(bot.cogs)
    assert fake.requests[0].headers.get("Authorization") == f"Bot {fake.token}"


async def test_sync_flag_puts_commands(fake: FakeDiscord, connect: Connect) -> None:
    await connect(sync=True)
    names = {c["name"]: c for c in fake.commands}
    assert {"ask", "factcheck", "sources", "quote", "outlets", "about"} <= set(names)
    assert {"reindex", "ingest", "uploads", "answer-here", "audit", "reports"} <= set(names)
    assert int(names["reindex"]["default_member_permissions"]) == p.MANAGE_GUILD
    assert int(names["uploads"]["default_member_permissions"]) == p.MANAGE_GUILD
    assert names["ask"]["default_member_permissions"] is None


async def test_mention_gets_one_short_reply_with_buttons(
    fake: FakeDiscord, connect: Connect
) -> None:
    core = FakeCore(quote_text=ARTICLE[:90])
    bot = await connect(core=core)
    sent = await fake.message_create(f"{MENTION} when did the fire start?")
    [reply] = await fake.wait_for(chat_posts)
    assert any(r.path.endswith("/typing") for r in fake.requests)
    body = reply.body
    assert str(body["message_reference"]["message_id"]) == sent["id"]
    assert body["allowed_mentions"]["replied_user"] is False
    [embed] = body["embeds"]
    assert embed["title"] == "💬 ANSWERED"  # the CLI's word
    description = embed["description"]
    # two sources from two articles with the same 90-character quote: shown under each
    assert description.count("— **Tarnholm Courier** · 12 Mar 2024 · [Article ") == 2
    assert "#:~:text=" in description  # the title links to the quoted words
    assert "Claim 1 from the articles" not in description  # no second copy of each quote
    assert buttons(body) == ["factbot:all", "factbot:fb:up", "factbot:fb:down", "factbot:fb:report"]
    await eventually(lambda: bot.store.answer(int(reply.response["id"])) is not None)


async def test_mentions_and_emoji_are_not_words_of_the_query(
    fake: FakeDiscord, connect: Connect
) -> None:
    core = FakeCore()
    await connect(core=core)
    await fake.message_create(
        f"{MENTION} @everyone @here <@{p.USER_ID}> <@&{p.MOD_ROLE_ID}> <#{p.CHANNEL_ID}> "
        "<:pog:1234567890123456789> who took the crane keys <a:spin:1234567890123456789>?"
    )
    await fake.wait_for(chat_posts)
    assert core.calls == [("ask", "who took the crane keys?", None)]


async def test_ask_slash_command_answers_at_once_in_public(
    fake: FakeDiscord, connect: Connect
) -> None:
    core = FakeCore()
    bot = await connect(core=core)
    interaction = await fake.slash("ask", {"question": "Who owns the docks? <@123456789012345678>"})
    [callback] = await fake.wait_for(answer_of(interaction))
    assert callback.body["type"] == 4 and not flags(callback.body) & EPHEMERAL  # no "thinking"
    assert core.calls == [("ask", "Who owns the docks?", None)]
    data = callback.body["data"]
    assert data["embeds"][0]["description"].startswith("**Question:** Who owns the docks?")
    assert "factbot:all" in buttons(data)
    [shown] = fake.channel_messages()
    message_id = int(shown["id"])
    await eventually(lambda: bot.store.answer(message_id) is not None)


async def test_slow_answer_defers_publicly_then_replaces_the_thinking_message(
    fake: FakeDiscord, connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(interactions, "FAST_ANSWER_SECONDS", 0.2)
    core = FakeCore(delay=0.6)
    await connect(core=core)
    interaction = await fake.slash("factcheck", {"claim": "Four workers died."})
    [callback] = await fake.wait_for(answer_of(interaction))
    [followup] = await fake.wait_for(followups_of(interaction))
    assert callback.body["type"] == 5 and not flags(callback.body) & EPHEMERAL
    assert callback.at < core.finished[0] < followup.at  # deferred before the work ended
    [shown] = fake.channel_messages()  # the answer took the thinking message's place
    assert shown["embeds"][0]["title"] == "✅ SUPPORTED"
    assert core.calls == [("check", "Four workers died.")]


async def test_work_never_misses_the_three_second_deadline(
    fake: FakeDiscord, connect: Connect
) -> None:
    core = FakeCore(delay=2.5)  # longer than the fast window, shorter than the deadline
    await connect(core=core)
    started = time.monotonic()
    interaction = await fake.slash("ask", {"question": "Is the crane safe?"})
    [callback] = await fake.wait_for(answer_of(interaction))
    assert callback.status == 200 and callback.body["type"] == 5
    assert callback.at - started < interactions.FAST_ANSWER_SECONDS + 0.5
    await fake.wait_for(followups_of(interaction))


async def test_empty_mention_gets_help_from_the_loaded_index(
    fake: FakeDiscord, connect: Connect
) -> None:
    core = FakeCore()
    await connect(core=core)
    await fake.message_create(f"{MENTION}  \u200b ``` ```")
    [reply] = await fake.wait_for(chat_posts)
    text = reply.body["content"]
    assert "4 articles" in text and "Harbour Gazette" in text and "Valley Echo" in text
    assert "Pellmont" in text  # a topic from the newest headline
    assert "Marlow Shipping" in text  # a claim from another headline
    for demo_word in ("fire", "Tarnholm", "Brightwater", "river"):
        assert demo_word not in text
    assert "/ask" in text


async def test_help_on_an_empty_index(fake: FakeDiscord, connect: Connect) -> None:
    core = FakeCore()
    core.articles.clear()
    await connect(core=core)
    await fake.message_create(MENTION)
    [reply] = await fake.wait_for(chat_posts)
    assert "no articles indexed yet" in reply.body["content"]


async def test_long_answer_stays_short_and_all_sources_are_one_tap_away(
    fake: FakeDiscord, connect: Connect
) -> None:
    core = FakeCore(n_sources=30, quote_text=ARTICLE * 8)
    await connect(core=core)
    await fake.message_create(f"{MENTION} tell me everything about the crane?")
    [reply] = await fake.wait_for(chat_posts)
    await asyncio.sleep(0.2)
    assert len([r for r in fake.requests if chat_posts(r)]) == 1  # one message, not a wall
    embed = reply.body["embeds"][0]
    assert embed["footer"]["text"].startswith("+29 more quotes")
    other = p.user("1000000000000000099", "bob")
    click = await fake.click("factbot:all", reply.response, author=other)
    [shown] = await fake.wait_for(answer_of(click))
    assert shown.body["type"] == 4 and flags(shown.body) & EPHEMERAL  # only bob sees it
    page = shown.body["data"]
    assert page["embeds"][0]["title"] == "📚 All sources (30)"
    assert "◀" in json.dumps(page["components"], ensure_ascii=False)  # a pager
    assert not page.get("content")  # no "part 1/n" beside the pager's counter


async def test_lookups_are_private_unless_shared(fake: FakeDiscord, connect: Connect) -> None:
    core = FakeCore()
    await connect(core=core)
    private = await fake.slash("sources", {"query": "crane"})
    [callback] = await fake.wait_for(answer_of(private))
    assert flags(callback.body) & EPHEMERAL
    assert callback.body["data"]["embeds"][0]["title"].startswith("📚 Passages about")
    assert not callback.body["data"].get("content")
    assert "1/" in json.dumps(callback.body["data"]["components"])
    assert fake.channel_messages() == []

    shared = await fake.slash("sources", {"query": "crane", "share": True})
    [callback] = await fake.wait_for(answer_of(shared))
    assert not flags(callback.body) & EPHEMERAL
    [public] = fake.channel_messages()
    next_button = callback.body["data"]["components"][0]["components"][2]["custom_id"]
    # someone else who sees it flips it: they get their own copy, the shared one stays put
    other = await fake.click(next_button, public, author=p.user("1000000000000000098", "eve"))
    [copy] = await fake.wait_for(answer_of(other))
    assert copy.body["type"] == 4 and flags(copy.body) & EPHEMERAL
    assert '"label": "2/' in json.dumps(copy.body["data"]["components"])
    # the one who shared it flips the message itself
    owner = await fake.click(next_button, public)
    [flip] = await fake.wait_for(answer_of(owner))
    assert flip.body["type"] == 7


async def test_outlets_and_about_count_alike(fake: FakeDiscord, connect: Connect) -> None:
    await connect()
    outlets = await fake.slash("outlets")
    about = await fake.slash("about")
    [a] = await fake.wait_for(answer_of(outlets))
    [b] = await fake.wait_for(answer_of(about))
    assert flags(a.body) & EPHEMERAL and flags(b.body) & EPHEMERAL
    listing = a.body["data"]["embeds"][0]
    assert listing["title"] == "📰 2 outlets · 4 articles (1 from an unknown outlet)"
    assert "*unknown outlet* — 1 article · undated" in listing["description"]
    assert "3 Feb 2025 → 4 Feb 2025" in listing["description"]
    assert "?" not in listing["description"]
    fields = {f["name"]: f["value"] for f in b.body["data"]["embeds"][0]["fields"]}
    assert fields["Outlets"] == "2 (+1 article from an unknown outlet)"
    assert fields["Articles"] == "4"


async def test_heartbeats_flow_while_the_core_works(fake: FakeDiscord, connect: Connect) -> None:
    core = FakeCore(delay=2.0)
    await connect(core=core)
    lags: list[float] = []

    async def probe() -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.05)
            lags.append(time.monotonic() - before - 0.05)

    probing = asyncio.create_task(probe())
    start = time.monotonic()
    await fake.message_create(f"{MENTION} first slow question?")
    await fake.wait_for(chat_posts)
    probing.cancel()
    busy = [t for t in fake.heartbeats if t > start]
    assert time.monotonic() - start >= 2.0
    assert len(busy) >= 5, busy  # 250 ms interval over >= 2 s of blocking work
    assert max(lags) < 1.0  # the 2 s of work never blocked the loop


async def test_rate_limited_send_is_retried(fake: FakeDiscord, connect: Connect) -> None:
    await connect()
    fake.rate_limit("POST", r"^/channels/\d+/messages$", times=1, retry_after=0.3)
    await fake.message_create(f"{MENTION} who owns the plant?")
    await fake.wait_for(chat_posts)
    statuses = [r.status for r in fake.requests if chat_posts(r) or r.status == 429]
    assert statuses == [429, 200]
