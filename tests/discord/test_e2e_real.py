"""End to end with the REAL core and index builder over the demo corpus, via the fake Discord."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

from bot.discord.app import FactBot
from bot.settings import Settings
from bot.terminal import VERDICT_LABELS
from tests.discord.conftest import Connect
from tests.discord.helpers import chat_posts, eventually
from tests.discord.test_e2e import MENTION
from tests.fake_discord import FakeDiscord
from tests.fake_discord import payloads as p


def _posts(fake: FakeDiscord):  # noqa: ANN202
    return chat_posts

_ESCAPE = re.compile(r"\\([*_`~|>#\-\[\]()\\])")


def _shown_quotes(description: str) -> list[str]:
    """The block quotes of an answer, reassembled (one per run of `> ` lines), unescaped."""
    quotes: list[str] = []
    run: list[str] = []
    for line in description.split("\n") + [""]:
        if line.startswith("> "):
            run.append(line[2:])
        elif run:
            quotes.append(_ESCAPE.sub(r"\1", "\n".join(run).replace("\u200b", "")))
            run = []
    return quotes


async def test_mention_answered_by_the_real_core(
    fake: FakeDiscord, connect: Connect, real_core, real_settings: Settings
) -> None:
    question = "How many people died in the Tarnholm plant fire?"
    await connect(core=real_core, settings=real_settings)
    await fake.message_create(f"{MENTION} {question}")
    [post] = await fake.wait_for(_posts(fake), timeout=60)
    expected = await asyncio.to_thread(real_core.ask, question)
    [embed] = post.body["embeds"]
    assert expected.sources and embed["title"]
    quotes = {s.quote for s in expected.sources}
    shown = _shown_quotes(embed["description"])
    assert 1 <= len(shown) <= 3
    for block in shown:  # every quote shown is one (or, from one article, several) verified
        assert all(any(q.split() == part.split() for q in quotes) for part in block.split("\n")
                   ) or block in quotes
    outlets = {s.outlet_label for s in expected.sources}
    named = re.findall(r"^— \*\*(.+?)\*\* · ", embed["description"], re.M)
    assert named and set(named) <= outlets


async def test_factcheck_by_the_real_core(
    fake: FakeDiscord, connect: Connect, real_core, real_settings: Settings
) -> None:
    await connect(core=real_core, settings=real_settings)
    await fake.slash("factcheck", {"claim": "The fire was caused by lightning."})
    # answered at once, or (on a slow machine) deferred and then followed up: either way
    # the answer is one public message in the channel
    await fake.wait_for(lambda r: r.path.endswith("/callback"), timeout=60)
    await eventually(lambda: any(m["embeds"] for m in fake.channel_messages()), timeout=60)
    [message] = fake.channel_messages()
    embed = message["embeds"][0]
    assert "lightning" in embed["description"]
    assert embed["title"].split(" ", 1)[1] in VERDICT_LABELS.values()


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
        lambda r: "Ingested `ferry.txt`" in str((r.body or {}).get("content")), timeout=60
    )
    assert "added 1 · updated 0 · unchanged 7 · removed 0 · failed 0" in done.body["content"]
    assert (settings.data_dir / "uploads" / "ferry.txt").read_bytes() == article

    await fake.message_create(f"{MENTION} When did the Osk ferry resume service?")
    posts = await fake.wait_for(_posts(fake), timeout=60)
    description = posts[0].body["embeds"][0]["description"]
    assert "— **Osk Herald** · 15 Mar 2024 · *Ferry resumes*" in description

    await fake.slash("reindex", {"source": "demo"}, permissions=p.MANAGE_GUILD)
    await fake.wait_for(lambda r: "unchanged 8" in str((r.body or {}).get("content")), timeout=60)
    await eventually(lambda: [r.action for r in bot.store.audit_log()] == ["reindex", "ingest"])
