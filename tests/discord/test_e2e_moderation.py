"""End to end: moderators' builds are private, honest about failures, and audited."""

from __future__ import annotations

import csv

import pytest

from bot.discord import builds
from bot.settings import Settings
from tests.discord.conftest import Connect
from tests.discord.fakes import FakeBuilder, FakeCore
from tests.discord.helpers import answer_of, chat_posts, eventually, flags, followups_of
from tests.fake_discord import FakeDiscord
from tests.fake_discord import payloads as p

EPHEMERAL = 64
MOD = {"author": p.user(p.USER_ID, "mod"), "roles": [p.MOD_ROLE_ID]}
MENTION = f"<@{p.BOT_ID}>"


def _edits(fake: FakeDiscord, token: str) -> list[str]:
    return [
        r.body["content"]
        for r in fake.requests
        if r.method == "PATCH" and f"/{token}/messages/" in r.path and r.status == 200
    ]


def _attach(fake: FakeDiscord, name: str, data: bytes) -> dict:
    fake.files[name] = data
    return {"attachment": p.attachment("1200000000000000001", name, f"{fake.base}/cdn/{name}",
                                       len(data))}


async def _finished(fake: FakeDiscord, interaction: dict, marks: tuple[str, ...]) -> str:
    """The result line shown to the moderator (the progress message's last state)."""
    token = interaction["token"]
    [done] = await fake.wait_for(
        lambda r: r.method in ("POST", "PATCH") and f"/{token}" in r.path
        and "/callback" not in r.path
        and str((r.body or {}).get("content", ""))[:1] in marks,
        timeout=15,
    )
    return done.body["content"]


async def test_reindex_is_shown_to_the_moderator_only(
    fake: FakeDiscord, connect: Connect, e2e_settings: Settings
) -> None:
    settings = e2e_settings.model_copy(update={"mod_log_channel": int(p.MODLOG_CHANNEL_ID)})
    core = FakeCore()
    builder = FakeBuilder(duration=0.3)
    bot = await connect(core=core, builder=builder, settings=settings)
    interaction = await fake.slash("reindex", {}, **MOD)
    [callback] = await fake.wait_for(answer_of(interaction))
    assert callback.body["type"] == 5 and flags(callback.body) & EPHEMERAL
    text = await _finished(fake, interaction, ("✅",))
    assert "added 1 · updated 0 · unchanged 0 · removed 0 · failed 0" in text
    assert core.reloads == 1
    # nothing in the channel; a copy in the mod log, edited from started to finished
    shown = fake.channel_messages()
    assert [m["channel_id"] for m in shown] == [p.MODLOG_CHANNEL_ID]
    await eventually(lambda: fake.channel_messages()[0]["content"].startswith("✅ Reindex"))
    assert "by mod" in fake.channel_messages()[0]["content"]
    for message in fake.ephemeral_messages(p.USER_ID):
        assert message["flags"] & EPHEMERAL
    await eventually(lambda: bot.store.audit_log() and bot.store.audit_log()[0].ok)


async def test_progress_is_edited_every_batch_and_every_two_seconds_of_work(
    fake: FakeDiscord, connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(builds, "EDIT_EVERY", 0.4)
    monkeypatch.setattr(builds, "MIN_EDIT_GAP", 0.05)
    monkeypatch.setattr(builds, "TICK", 0.02)
    builder = FakeBuilder(duration=1.6, steps=4, wait_for_release=True)
    await connect(builder=builder)
    interaction = await fake.slash("reindex", {}, **MOD)
    await fake.wait_for(followups_of(interaction))
    await fake.wait_for(lambda r: r.method == "PATCH" and "embedding chunks 3/4" in str(r.body),
                        timeout=10)
    # then a long stretch with no new batch (the builder waits): still edited, with the time
    await fake.wait_for(lambda r: r.method == "PATCH" and "embedding chunks 3/4" in str(r.body),
                        count=3, timeout=10)
    builder.release.set()
    await _finished(fake, interaction, ("✅",))
    edits = _edits(fake, interaction["token"])
    shown = [e for e in edits if e.startswith("⏳")]
    for batch in range(4):  # every batch was shown
        assert any(f"embedding chunks {batch}/4" in e for e in shown), shown
    times = [r.at for r in fake.requests if r.method == "PATCH"]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert max(gaps) < 0.4 + 0.3, gaps  # never more than EDIT_EVERY (+ scheduling slack)
    assert all("s" in e.rsplit("·", 1)[-1] for e in shown)  # elapsed time on every line


async def test_ingest_of_a_binary_file_fails_honestly_and_keeps_nothing(
    fake: FakeDiscord, connect: Connect, e2e_settings: Settings
) -> None:
    builder = FakeBuilder()
    bot = await connect(builder=builder)
    binary = bytes(range(256)) * 8
    interaction = await fake.slash("ingest", {"file": _attach(fake, "photo.txt", binary)}, **MOD)
    text = await _finished(fake, interaction, ("✅", "❌", "⚠"))
    assert text.startswith("❌ Ingest failed: `photo.txt` cannot be indexed")
    assert builder.calls == []  # refused before any build
    assert not (e2e_settings.data_dir / "uploads" / "photo.txt").exists()
    await eventually(lambda: bot.store.audit_log())
    [row] = bot.store.audit_log()
    assert (row.action, row.target, row.ok) == ("ingest", "photo.txt", False)
    assert row.result.startswith("❌")
    assert fake.channel_messages() == []


async def test_ingest_refused_by_the_build_is_removed_again(
    fake: FakeDiscord, connect: Connect, e2e_settings: Settings
) -> None:
    builder = FakeBuilder(failing=["odd.txt"])
    bot = await connect(builder=builder)
    interaction = await fake.slash(
        "ingest", {"file": _attach(fake, "odd.txt", b"Crane report text.")}, **MOD
    )
    text = await _finished(fake, interaction, ("✅", "❌", "⚠"))
    assert text.startswith("❌ Ingest failed: `odd.txt`: not valid UTF-8 text")
    assert "not kept" in text
    uploads = e2e_settings.data_dir / "uploads"
    assert not (uploads / "odd.txt").exists()
    assert "odd.txt" not in (uploads / "sources.csv").read_text()
    await eventually(lambda: bot.store.audit_log())
    assert not bot.store.audit_log()[0].ok


async def test_ingest_list_and_remove_uploads(
    fake: FakeDiscord, connect: Connect, e2e_settings: Settings
) -> None:
    builder = FakeBuilder()
    bot = await connect(builder=builder)
    empty = await fake.slash("uploads", {}, **MOD)
    [callback] = await fake.wait_for(answer_of(empty))
    assert flags(callback.body) & EPHEMERAL and "No uploaded articles" in str(callback.body)

    ingest = await fake.slash(
        "ingest",
        {"file": _attach(fake, "crane.md", b"# Crane\n\nThe crane fell on Monday, police said."),
         "outlet": "Harbour Gazette", "date": "2025-02-03"},
        **MOD,
    )
    text = await _finished(fake, ingest, ("✅", "❌", "⚠"))
    assert text.startswith("✅ Ingested `crane.md`")
    uploads = e2e_settings.data_dir / "uploads"
    rows = list(csv.DictReader((uploads / "sources.csv").open()))
    assert [(r["file"], r["outlet"], r["published"]) for r in rows] == [
        ("crane.md", "Harbour Gazette", "2025-02-03")
    ]

    listing = await fake.slash("uploads", {}, **MOD)
    [callback] = await fake.wait_for(answer_of(listing))
    assert "`crane.md` · Harbour Gazette" in callback.body["data"]["content"]

    removal = await fake.slash("uploads", {"remove": "crane.md"}, **MOD)
    text = await _finished(fake, removal, ("✅", "❌", "⚠"))
    assert text.startswith("✅ Removal of `crane.md` finished")
    assert not (uploads / "crane.md").exists() and len(builder.calls) == 2
    assert list(csv.DictReader((uploads / "sources.csv").open())) == []

    missing = await fake.slash("uploads", {"remove": "../../etc/passwd"}, **MOD)
    [callback] = await fake.wait_for(answer_of(missing))
    assert callback.body["type"] == 4 and "no uploaded article" in callback.body["data"]["content"]
    await eventually(lambda: len(bot.store.audit_log()) == 2)
    assert [r.action for r in bot.store.audit_log()] == ["remove", "ingest"]
    assert fake.channel_messages() == []


async def test_uploads_is_for_moderators_only(fake: FakeDiscord, connect: Connect) -> None:
    await connect()
    interaction = await fake.slash("uploads", {})
    [callback] = await fake.wait_for(answer_of(interaction))
    assert flags(callback.body) & EPHEMERAL and "Manage Server" in callback.body["data"]["content"]


async def test_answers_keep_coming_during_a_reindex(fake: FakeDiscord, connect: Connect) -> None:
    builder = FakeBuilder(wait_for_release=True)
    core = FakeCore()
    bot = await connect(core=core, builder=builder)
    interaction = await fake.slash("reindex", {}, **MOD)
    await eventually(bot.build_lock.locked)
    await fake.message_create(f"{MENTION} is the crane still up?")
    await fake.wait_for(chat_posts)
    assert bot.build_lock.locked()
    builder.release.set()
    await _finished(fake, interaction, ("✅",))
    assert core.reloads == 1


async def test_a_failed_build_is_reported_and_audited(
    fake: FakeDiscord, connect: Connect
) -> None:
    def broken(paths, settings, progress=None):  # noqa: ANN001, ANN202
        raise RuntimeError("disk on fire at /secret/path")

    core = FakeCore()
    bot = await connect(core=core, builder=broken)
    interaction = await fake.slash("reindex", {}, **MOD)
    text = await _finished(fake, interaction, ("✅", "❌", "⚠"))
    assert text == "❌ Reindex failed (RuntimeError); the previous index still serves."
    assert core.reloads == 0
    await eventually(lambda: bot.store.audit_log())
    row = bot.store.audit_log()[0]
    assert not row.ok and "secret" not in row.result


async def test_a_build_longer_than_the_token_reports_to_the_mod_log(
    fake: FakeDiscord, connect: Connect, e2e_settings: Settings
) -> None:
    fake.expected_codes = {50027}  # type: ignore[attr-defined]
    settings = e2e_settings.model_copy(update={"mod_log_channel": int(p.MODLOG_CHANNEL_ID)})
    builder = FakeBuilder(wait_for_release=True)
    await connect(builder=builder, settings=settings)
    interaction = await fake.slash("reindex", {}, **MOD)
    await fake.wait_for(followups_of(interaction))
    fake.expire(interaction["token"])  # as after 15 minutes
    builder.release.set()
    await eventually(lambda: fake.channel_messages()[0]["content"].startswith("✅ Reindex"))
    assert fake.channel_messages()[0]["channel_id"] == p.MODLOG_CHANNEL_ID
