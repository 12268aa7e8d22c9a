"""End to end with the REAL core and index builder over the demo corpus, via the fake Discord."""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
from pathlib import Path

from bot.discord.app import FactBot
from bot.settings import Settings
from tests.discord.conftest import Connect
from tests.discord.helpers import eventually
from tests.discord.test_e2e import MENTION, _posts
from tests.fake_discord import FakeDiscord
from tests.fake_discord import payloads as p

_ESCAPE = re.compile(r"\\([*_`~|>\\#\-\[\]()])")


def _shown_quotes(embeds: list[dict]) -> dict[int, str]:
    quotes: dict[int, list[str]] = {}
    for embed in embeds:
        for f in embed.get("fields", []):
            sid = int(f["name"][1 : f["name"].index("]")])
            lines = [ln[2:] for ln in f["value"].split("\n") if ln.startswith("> ")]
            quotes.setdefault(sid, []).extend(lines)
    return {k: _ESCAPE.sub(r"\1", "\n".join(v).replace("\u200b", "")) for k, v in quotes.items()}


async def test_mention_answered_by_the_real_core(
    fake: FakeDiscord, connect: Connect, real_core, real_settings: Settings
) -> None:
    question = "How many people died in the Tarnholm plant fire?"
    await connect(core=real_core, settings=real_settings)
    await fake.message_create(f"{MENTION} {question}")
    posts = await fake.wait_for(_posts(fake), timeout=60)
    expected = await asyncio.to_thread(real_core.ask, question)
    embeds = [e for r in posts for e in r.body["embeds"]]
    assert expected.sources and embeds[0]["title"]
    shown = _shown_quotes(embeds)
    for source in expected.sources:  # every quote shown is the core's verified quote
        assert shown[source.id].split() == source.quote.split()
    names = [f["name"] for e in embeds for f in e.get("fields", [])]
    outlets = {s.outlet_label for s in expected.sources}
    assert {n.split("] ", 1)[1] for n in names if "(cont.)" not in n} == outlets


async def test_factcheck_by_the_real_core(
    fake: FakeDiscord, connect: Connect, real_core, real_settings: Settings
) -> None:
    await connect(core=real_core, settings=real_settings)
    interaction = await fake.slash("factcheck", {"claim": "The fire was caused by lightning."})
    [callback] = await fake.wait_for(lambda r: r.path.endswith("/callback"))
    assert callback.body["type"] == 5
    [followup] = await fake.wait_for(
        lambda r: r.path.startswith(f"/webhooks/{p.APP_ID}/{interaction['token']}"), timeout=60
    )
    embed = followup.body["embeds"][0]
    assert "lightning" in embed["description"]
    names = [f["name"] for f in embed.get("fields", [])]
    assert any(n.endswith("unknown outlet") for n in names)  # 04_unknown.txt has no outlet


async def test_real_ingest_and_reload(
    fake: FakeDiscord, connect: Connect, tmp_path: Path, demo_corpus: Path, monkeypatch
) -> None:
    from bot.answer.core import FactChecker
    from index.build import build_index

    corpus = tmp_path / "corpus"
    shutil.copytree(demo_corpus, corpus)
    settings = Settings(
        data_dir=tmp_path / "data",
        discord_token=None,
        command_cooldown_seconds=0,
        reindex_sources=[f"demo={corpus}"],
    )
    await asyncio.to_thread(build_index, [corpus], settings)
    core = await asyncio.to_thread(FactChecker, settings)
    bot: FactBot = await connect(core=core, builder=build_index, settings=settings)
    monkeypatch.setattr(sys.modules["bot.discord.cogs.moderation"], "EDIT_EVERY", 0.2)

    article = (
        b"Harbour ferry resumes after Tarnholm fire\n\nThe Osk ferry resumed service on "
        b'Friday, harbour master Ilse Varga said. "The river is safe again," she said.'
    )
    fake.files["ferry.txt"] = article
    attachment = p.attachment(
        "1200000000000000001", "ferry.txt", f"{fake.base}/cdn/ferry.txt", len(article)
    )
    await fake.slash(
        "ingest",
        {
            "file": {"attachment": attachment},
            "outlet": "Osk Herald",
            "title": "Ferry resumes",
            "date": "2024-03-15",
        },
        permissions=p.MANAGE_GUILD,
    )
    [done] = await fake.wait_for(
        lambda r: "Reindex finished" in str((r.body or {}).get("content")), timeout=60
    )
    assert "added 1 · updated 0 · unchanged 7 · removed 0 · failed 0" in done.body["content"]
    assert (settings.data_dir / "uploads" / "ferry.txt").read_bytes() == article

    await fake.message_create(f"{MENTION} When did the Osk ferry resume service?")
    posts = await fake.wait_for(_posts(fake), timeout=60)
    names = [f["name"] for r in posts for e in r.body["embeds"] for f in e.get("fields", [])]
    assert any("Osk Herald" in n for n in names), names

    await fake.slash("reindex", {"source": "demo"}, permissions=p.MANAGE_GUILD)
    await fake.wait_for(lambda r: "unchanged 8" in str((r.body or {}).get("content")), timeout=60)
    await eventually(lambda: [r.action for r in bot.store.audit_log()] == ["reindex", "ingest"])
