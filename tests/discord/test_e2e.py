"""End to end: the real discord.py client against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable

from tests.discord.conftest import Connect
from tests.discord.fakes import ARTICLE, FakeBuilder, FakeCore
from tests.discord.helpers import eventually
from tests.fake_discord import FakeDiscord
from tests.fake_discord import payloads as p

MENTION = f"<@{p.BOT_ID}>"


def _posts(fake: FakeDiscord) -> Callable:
    """Matches messages the bot posted in a channel (chat replies), successfully."""
    return lambda r: (
        r.method == "POST" and re.fullmatch(r"/channels/\d+/messages", r.path) and r.status == 200
    )


async def test_startup_identifies_with_explicit_intents_and_no_sync(
    fake: FakeDiscord, connect: Connect
) -> None:
    bot = await connect()
    intents = fake.identify["intents"]
    assert intents & (1 << 15) and intents & 1 and intents & (1 << 9)  # content, guilds, messages
    assert not intents & (1 << 1) and not intents & (1 << 8)  # no members, no presences
    assert bot.get_guild(int(p.GUILD_ID)) is not None
    assert not [r for r in fake.requests if r.method == "PUT"]  # no sync unless asked
    assert len(bot.cogs) == 5
    auth = [r.headers.get("Authorization") for r in fake.requests]
    assert auth[0] == f"Bot {fake.token}"


async def test_sync_flag_puts_commands(fake: FakeDiscord, connect: Connect) -> None:
    await connect(sync=True)
    names = {c["name"]: c for c in fake.commands}
    assert {"factcheck", "sources", "quote", "outlets", "about", "reindex", "ingest"} <= set(names)
    assert int(names["reindex"]["default_member_permissions"]) == p.MANAGE_GUILD
    assert names["factcheck"]["default_member_permissions"] is None


async def test_mention_gets_a_cited_reply(fake: FakeDiscord, connect: Connect) -> None:
    core = FakeCore(quote_text=ARTICLE)
    await connect(core=core)
    sent = await fake.message_create(f"{MENTION} when did the fire start? @everyone")
    [reply] = await fake.wait_for(_posts(fake))
    assert core.calls == [("ask", "when did the fire start? everyone", None)]
    assert any(r.path.endswith("/typing") for r in fake.requests)
    body = reply.body
    assert str(body["message_reference"]["message_id"]) == sent["id"]
    assert body["allowed_mentions"]["replied_user"] is False
    fields = body["embeds"][0]["fields"]
    assert fields[0]["name"] == "[1] Tarnholm Courier" and "2024-03-12" in fields[0]["value"]
    assert body["components"][0]["components"][0]["custom_id"] == "factbot:fb:up"


async def test_factcheck_defers_then_follows_up(fake: FakeDiscord, connect: Connect) -> None:
    core = FakeCore(delay=1.0)
    await connect(core=core)
    interaction = await fake.slash("factcheck", {"claim": "Four workers died."})
    [callback] = await fake.wait_for(lambda r: r.path.endswith("/callback"))
    token = interaction["token"]
    [followup] = await fake.wait_for(
        lambda r: r.method == "POST" and r.path.startswith(f"/webhooks/{p.APP_ID}/{token}")
    )
    assert callback.body["type"] == 5  # deferred, "thinking"
    assert callback.at < core.finished[0] < followup.at  # deferred before the work ended
    assert followup.body["embeds"][0]["title"].startswith("✅")
    assert core.calls == [("check", "Four workers died.")]


async def test_reindex_refused_without_permission(fake: FakeDiscord, connect: Connect) -> None:
    builder = FakeBuilder()
    await connect(builder=builder)
    await fake.slash("reindex", {}, permissions=0)
    [callback] = await fake.wait_for(lambda r: r.path.endswith("/callback"))
    assert callback.body["type"] == 4 and callback.body["data"]["flags"] & 64  # ephemeral
    assert "Manage Server" in callback.body["data"]["content"]
    await asyncio.sleep(0.2)
    assert builder.calls == []


async def test_reindex_accepted_and_answers_served_meanwhile(
    fake: FakeDiscord, connect: Connect, monkeypatch
) -> None:
    import sys

    builder = FakeBuilder(duration=0.3, wait_for_release=True)
    core = FakeCore()
    bot = await connect(core=core, builder=builder)
    monkeypatch.setattr(sys.modules["bot.discord.cogs.moderation"], "EDIT_EVERY", 0.1)
    await fake.slash("reindex", {}, author=p.user(p.USER_ID, "mod"), roles=[p.MOD_ROLE_ID])
    await fake.wait_for(
        lambda r: r.method == "PATCH" and "Reindexing" in (r.body or {}).get("content", "")
    )
    assert bot.build_lock.locked()
    # a question during the build is answered from the previous index
    await fake.message_create(f"{MENTION} is the plant still burning?")
    await fake.wait_for(_posts(fake))
    assert bot.build_lock.locked()
    # a second reindex (Manage Server this time) is told one is running
    await fake.slash("reindex", {}, permissions=p.MANAGE_GUILD)
    await fake.wait_for(lambda r: "already running" in json.dumps(r.body or {}))
    builder.release.set()
    [done] = await fake.wait_for(
        lambda r: r.method == "PATCH" and "Reindex finished" in (r.body or {}).get("content", "")
    )
    assert "added 1 · updated 0 · unchanged 0 · removed 0 · failed 0" in done.body["content"]
    assert core.reloads == 1 and len(builder.calls) == 1
    await eventually(lambda: bot.store.audit_log()[0].user_name.startswith("mod"))


async def test_rate_limited_send_is_retried(fake: FakeDiscord, connect: Connect) -> None:
    await connect()
    fake.rate_limit("POST", r"^/channels/\d+/messages$", times=1, retry_after=0.3)
    await fake.message_create(f"{MENTION} who owns the plant?")
    await fake.wait_for(_posts(fake))
    statuses = [r.status for r in fake.requests if _posts(fake)(r) or r.status == 429]
    assert statuses == [429, 200]


async def test_long_answer_split_within_limits(fake: FakeDiscord, connect: Connect) -> None:
    core = FakeCore(n_sources=30, quote_text=ARTICLE * 8)
    await connect(core=core)
    await fake.message_create(f"{MENTION} tell me everything about the fire?")
    found = await fake.wait_for(_posts(fake), count=3)
    await asyncio.sleep(0.3)
    posts = [r for r in fake.requests if _posts(fake)(r)]
    assert len(posts) >= 3 and found
    names = [f["name"] for r in posts for e in r.body["embeds"] for f in e.get("fields", [])]
    firsts = [n.split()[0] for n in names if not n.endswith("(cont.)")]
    assert firsts == [f"[{i}]" for i in range(1, 31)]
    assert "components" in posts[-1].body and not posts[0].body.get("components")


async def test_bad_input_gets_short_replies(fake: FakeDiscord, connect: Connect) -> None:
    core = FakeCore()
    await connect(core=core)
    await fake.message_create(MENTION)
    await fake.message_create(f"{MENTION} " + "why " * 1000)
    await fake.message_create(f"{MENTION} ```py\nprint('x')``` \u200b\u202e <@&{p.MOD_ROLE_ID}> ?")
    replies = await fake.wait_for(_posts(fake), count=3)
    texts = [r.body.get("content") or "" for r in replies]
    assert any("Ask me" in t for t in texts) and any("under 1000" in t for t in texts)
    assert [c[1] for c in core.calls] == ["print('x') ?"]


async def test_dead_chroma_is_a_short_reply(fake: FakeDiscord, connect: Connect) -> None:
    await connect(core=FakeCore(dead=True))
    await fake.slash("about")
    [followup] = await fake.wait_for(lambda r: r.path.startswith("/webhooks/"))
    assert followup.body["content"].startswith("Sorry, the search index cannot be reached")


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
    await fake.slash("sources", {"query": "fire"})
    await fake.wait_for(_posts(fake))
    probing.cancel()
    busy = [t for t in fake.heartbeats if t > start]
    assert time.monotonic() - start >= 2.0
    assert len(busy) >= 5, busy  # 250 ms interval over >= 2 s of blocking work
    assert max(lags) < 1.0  # the 2 s of work never blocked the loop


async def test_feedback_buttons_work_through_the_gateway(
    fake: FakeDiscord, connect: Connect
) -> None:
    bot = await connect()
    await fake.message_create(f"{MENTION} who owns the plant?")
    [reply] = await fake.wait_for(_posts(fake))
    await eventually(lambda: bot.store._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0])
    answer = reply.response  # the message object Discord returned for the answer
    await fake.click("factbot:fb:up", answer)
    [thanks] = await fake.wait_for(lambda r: r.path.endswith("/callback"))
    assert thanks.body["type"] == 4 and thanks.body["data"]["flags"] & 64
    await fake.click("factbot:fb:report", answer)
    [_, offer] = await fake.wait_for(lambda r: r.path.endswith("/callback"), count=2)
    select = offer.body["data"]["components"][0]["components"][0]
    assert [o["value"] for o in select["options"]] == ["1", "2"]
    assert [r.kind for r in bot.store.reports(kind=None)] == ["up"]
