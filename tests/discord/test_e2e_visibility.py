"""End to end: who sees errors. Never the channel, whatever the command had done before.

The fake Discord applies Discord's rule that the first followup after a defer takes the
defer's visibility (see `tests/fake_discord/interactions.py`), so an error sent "ephemeral"
after a public defer shows up in `channel_messages()` here exactly as it would on Discord.
"""

from __future__ import annotations

import pytest
from discord import app_commands

from bot.discord import interactions
from tests.discord.conftest import Connect
from tests.discord.fakes import FakeBuilder, FakeCore
from tests.discord.helpers import answer_of, eventually, flags, followups_of
from tests.fake_discord import FakeDiscord
from tests.fake_discord import payloads as p

EPHEMERAL = 64
MOD = {"author": p.user(p.USER_ID, "mod"), "roles": [p.MOD_ROLE_ID]}


def _private_answer(callback) -> str:  # noqa: ANN001 - a Captured callback
    assert callback.status == 200
    assert callback.body["type"] == 4, "refused before deferring, as the first response"
    assert flags(callback.body) & EPHEMERAL
    return callback.body["data"]["content"]


@pytest.mark.parametrize(
    "command,options,expected",
    [
        ("factcheck", {"claim": "word " * 800}, "too long"),
        ("factcheck", {"claim": "```py\nprint(1)``` ``` ```".replace("print(1)", "")}, "nothing"),
        ("ask", {"question": "<@123456789012345678> <:x:123456789012345678>"}, "nothing"),
        ("sources", {"query": "`` ``", "share": True}, "nothing"),
        ("quote", {"text": "x" * 3000}, "too long"),
    ],
)
async def test_bad_input_is_refused_privately_before_anything_is_shown(
    fake: FakeDiscord, connect: Connect, command: str, options: dict, expected: str
) -> None:
    core = FakeCore()
    await connect(core=core)
    interaction = await fake.slash(command, options)
    [callback] = await fake.wait_for(answer_of(interaction))
    assert expected in _private_answer(callback).lower()
    assert fake.channel_messages() == [] and core.calls == []


async def test_index_down_is_a_private_error(fake: FakeDiscord, connect: Connect) -> None:
    await connect(core=FakeCore(dead=True))
    interaction = await fake.slash("ask", {"question": "Is the crane safe?"})
    [callback] = await fake.wait_for(answer_of(interaction))
    assert _private_answer(callback).startswith("Sorry, the search index cannot be reached")
    assert fake.channel_messages() == []


async def test_error_after_a_public_defer_stays_private(
    fake: FakeDiscord, connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(interactions, "FAST_ANSWER_SECONDS", 0.2)
    await connect(core=FakeCore(delay=0.5, dead=True))
    interaction = await fake.slash("factcheck", {"claim": "The crane fell twice."})
    [callback] = await fake.wait_for(answer_of(interaction))
    assert callback.body["type"] == 5 and not flags(callback.body) & EPHEMERAL  # public thinking
    [error] = await fake.wait_for(followups_of(interaction))
    deleted = [r for r in fake.requests if r.method == "DELETE" and "@original" in r.path]
    assert deleted and deleted[0].at < error.at  # the thinking message went first
    assert fake.channel_messages() == []  # nobody else saw anything
    [private] = fake.ephemeral_messages(p.USER_ID)
    assert "search index cannot be reached" in private["content"]


async def test_an_unexpected_crash_is_private_and_logged(
    fake: FakeDiscord, connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    core = FakeCore()
    core.check = lambda claim: {}["secret /etc/path"]  # type: ignore[method-assign]
    await connect(core=core)
    interaction = await fake.slash("factcheck", {"claim": "The crane fell."})
    [callback] = await fake.wait_for(answer_of(interaction))
    text = _private_answer(callback)
    assert "went wrong" in text and "secret" not in text
    assert "secret /etc/path" in caplog.text
    assert fake.channel_messages() == []


async def test_cooldown_and_busy_answers_are_private(
    fake: FakeDiscord, connect: Connect, e2e_settings
) -> None:
    settings = e2e_settings.model_copy(update={"command_cooldown_seconds": 30})
    await connect(settings=settings)
    first = await fake.slash("ask", {"question": "Who owns the docks?"})
    await fake.wait_for(answer_of(first))
    second = await fake.slash("ask", {"question": "And the cranes?"})
    [callback] = await fake.wait_for(answer_of(second))
    assert "try again in" in _private_answer(callback)
    assert len(fake.channel_messages()) == 1  # the first answer only


async def test_busy_core_is_a_private_answer(
    fake: FakeDiscord, connect: Connect, e2e_settings
) -> None:
    settings = e2e_settings.model_copy(update={"core_queue_limit": 1})
    bot = await connect(core=FakeCore(delay=1.0), settings=settings)
    first = await fake.slash("ask", {"question": "Who owns the docks?"})
    await eventually(lambda: bot.core_waiting == 1)  # the first call reached the core
    second = await fake.slash("ask", {"question": "And the cranes?"})
    [callback] = await fake.wait_for(answer_of(second))
    assert "busy" in _private_answer(callback)
    await fake.wait_for(answer_of(first))


async def test_ingest_during_a_build_is_refused_privately(
    fake: FakeDiscord, connect: Connect
) -> None:
    builder = FakeBuilder(wait_for_release=True)
    bot = await connect(builder=builder)
    reindex = await fake.slash("reindex", {}, **MOD)
    await fake.wait_for(answer_of(reindex))
    await eventually(bot.build_lock.locked)
    fake.files["a.txt"] = b"An article about the crane."
    attachment = p.attachment("1200000000000000002", "a.txt", f"{fake.base}/cdn/a.txt", 27)
    ingest = await fake.slash("ingest", {"file": {"attachment": attachment}}, **MOD)
    [callback] = await fake.wait_for(answer_of(ingest))
    assert "already running" in _private_answer(callback)
    builder.release.set()
    await fake.wait_for(lambda r: "Reindex finished" in str((r.body or {}).get("content")))
    assert fake.channel_messages() == []
    assert len(builder.calls) == 1


async def test_reindex_outside_the_sources_is_refused_privately(
    fake: FakeDiscord, connect: Connect
) -> None:
    builder = FakeBuilder()
    await connect(builder=builder)
    interaction = await fake.slash("reindex", {"source": "/etc"}, **MOD)
    [callback] = await fake.wait_for(answer_of(interaction))
    assert "source name" in _private_answer(callback)
    assert builder.calls == [] and fake.channel_messages() == []


async def test_reindex_refused_without_permission(fake: FakeDiscord, connect: Connect) -> None:
    builder = FakeBuilder()
    await connect(builder=builder)
    interaction = await fake.slash("reindex", {}, permissions=0)
    [callback] = await fake.wait_for(answer_of(interaction))
    assert "Manage Server" in _private_answer(callback)
    assert builder.calls == []


async def test_the_fake_catches_an_ephemeral_followup_after_a_public_defer(
    fake: FakeDiscord, connect: Connect
) -> None:
    """The regression the visibility rules prevent: the fake makes it visible, as Discord does."""
    bot = await connect()

    @app_commands.command(name="leaky", description="defers publicly, then errs 'ephemerally'")
    async def leaky(interaction) -> None:  # noqa: ANN001
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("secret error", ephemeral=True)
        await interaction.followup.send("second one", ephemeral=True)

    bot.tree.add_command(leaky)
    interaction = await fake.slash("leaky")
    await fake.wait_for(followups_of(interaction), count=2)
    public = [m["content"] for m in fake.channel_messages()]
    assert public == ["secret error"]  # the first followup took the defer's visibility
    assert [m["content"] for m in fake.ephemeral_messages()] == ["second one"]
