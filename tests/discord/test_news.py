"""Live news through Discord, end to end: the real discord.py client against the fake Discord,
articles and feeds served by a real HTTP server on 127.0.0.1, the real index build."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.settings import Settings
from index.build import build_index
from index.live import feed_store, news_folder
from index.store import docstore
from tests.discord.conftest import Connect
from tests.discord.fakes import FakeBuilder, FakeCore
from tests.discord.helpers import eventually
from tests.fake_discord import FakeDiscord
from tests.fake_discord import payloads as p
from tests.fake_discord.interactions import Interaction
from tests.news.server import NewsServer, Page, article_html, conditional, rss

_ids = itertools.count(1_300_000_000_000_000_000)
PARAS = [
    "The harbour ferry to Olsund resumed service on Friday, the harbour master said.",
    "Ferry operator chief Lin Aro said two extra crossings will run on weekends.",
]


@pytest.fixture
def server() -> Iterator[NewsServer]:
    with NewsServer() as running:
        yield running


@pytest.fixture
def news_settings(e2e_settings: Settings) -> Settings:
    return e2e_settings.model_copy(update={
        "fetch_allow_loopback": True, "fetch_timeout_seconds": 3.0, "feeds_poll_minutes": 0,
    })


async def feeds(fake: FakeDiscord, sub: str, options: dict[str, Any] | None = None,
                **kwargs: Any) -> dict:
    """Inject `/feeds <sub>` (a subcommand of the `feeds` group)."""
    data = p.slash_interaction(str(next(_ids)), "feeds", options or {}, **kwargs)
    data["data"]["options"] = [{"type": 1, "name": sub, "options": data["data"]["options"]}]
    user_id = data["member"]["user"]["id"]  # known to the fake, as `fake.slash` does
    fake.interactions[data["token"]] = Interaction(data["id"], data["token"], user_id)
    await fake.dispatch("INTERACTION_CREATE", data)
    return data


def _texts(fake: FakeDiscord) -> list[str]:
    out = []
    for r in fake.requests:
        body = r.message_body() or {}
        if body.get("content"):
            out.append(body["content"])
    return out


async def _text_with(fake: FakeDiscord, needle: str, timeout: float = 30) -> str:
    found = await fake.wait_for(
        lambda r: needle in json.dumps(r.message_body() or {}, ensure_ascii=False), timeout
    )
    return (found[-1].message_body() or {}).get("content", "")


def _articles(settings: Settings) -> list:
    store = docstore(settings)
    build = store.active_build()
    return list(store.articles(build.id).values()) if build else []


MOD = {"permissions": p.MANAGE_GUILD}


async def test_ingest_url_fetches_indexes_and_refetch_updates(
    fake: FakeDiscord, connect: Connect, server: NewsServer, news_settings: Settings
) -> None:
    server.routes["/news/ferry"] = Page(article_html(
        "Olsund ferry resumes", PARAS, site="Olsund Post", canonical="/news/ferry"))
    server.routes["/s/1"] = Page(status=302, headers={"Location": "/news/ferry?utm_source=d"},
                                 content_type=None)
    core = FakeCore()
    bot = await connect(core=core, builder=build_index, settings=news_settings)
    await fake.slash("ingest", {"url": server.url("/s/1")}, **MOD)
    done = await _text_with(fake, "Ingest of the link finished")
    assert done.startswith("✅")
    assert "added 1 · updated 0 · unchanged 0 · removed 0 · failed 0" in done
    canonical = server.url("/news/ferry")
    [article] = _articles(news_settings)
    assert article.meta.url == canonical and article.meta.outlet == "Olsund Post"
    assert core.reloads == 1

    server.routes["/news/ferry"] = Page(article_html(
        "Olsund ferry resumes", [*PARAS, "Tickets cost the same as before."],
        site="Olsund Post", canonical="/news/ferry"))
    await fake.slash("ingest", {"url": canonical, "outlet": "Olsund Radio"}, **MOD)
    await fake.wait_for(lambda r: "updated 1" in json.dumps(r.message_body() or {}), 30)
    [article] = _articles(news_settings)  # one article, refreshed, never a duplicate
    assert article.meta.outlet == "Olsund Radio" and "Tickets cost" in article.text
    assert len(list(news_folder(news_settings).glob("*.jsonl"))) == 1
    await eventually(lambda: [r.target for r in bot.store.audit_log()] == [canonical] * 2)


async def test_ingest_url_refusals_are_one_line_and_nothing_is_built(
    fake: FakeDiscord, connect: Connect, server: NewsServer, news_settings: Settings
) -> None:
    server.routes["/evil"] = Page(status=302, headers={"Location": "http://10.9.8.7/"},
                                  content_type=None)
    server.routes["/big"] = Page("<p>" + "x" * 10, length=50_000_000)
    server.routes["/menu"] = Page("<html><body><nav>Home</nav></body></html>")
    builder = FakeBuilder()
    await connect(builder=builder, settings=news_settings)
    expected = {
        server.url("/evil"): "❌ I did not add that link: refused: 10.9.8.7 is a private address",
        server.url("/big"): "❌ I did not add that link: refused: larger than 5,000,000 bytes",
        server.url("/menu"): "❌ I did not add that link: no article text found on that page",
        "ftp://example.org/a": "❌ I did not add that link: refused: only http and https links, "
                               "not ftp",
    }
    for url, line in expected.items():
        await fake.slash("ingest", {"url": url}, **MOD)
        assert await _text_with(fake, line) == line
    await fake.slash("ingest", {"outlet": "Nobody"}, **MOD)
    await _text_with(fake, "Attach a file or give a url (one of the two).")
    await asyncio.sleep(0.2)
    assert builder.calls == []
    assert not news_folder(news_settings).exists() or not any(news_folder(news_settings).iterdir())


async def test_ingest_url_is_for_moderators_only(
    fake: FakeDiscord, connect: Connect, server: NewsServer, news_settings: Settings
) -> None:
    server.routes["/a"] = Page(article_html("Olsund ferry resumes", PARAS))
    await connect(settings=news_settings)
    await fake.slash("ingest", {"url": server.url("/a")}, permissions=0)
    await _text_with(fake, "Manage Server")
    await feeds(fake, "add", {"url": server.url("/feed"), "outlet": "X"}, permissions=0)
    await feeds(fake, "list", permissions=0)
    await fake.wait_for(lambda r: "Manage Server" in json.dumps(r.body or {}), count=3)
    assert server.requests == []


async def test_feeds_add_poll_list_remove(
    fake: FakeDiscord, connect: Connect, server: NewsServer, news_settings: Settings
) -> None:
    items = []
    for n in (1, 2):
        server.routes[f"/s/{n}"] = Page(article_html(
            f"Olsund harbour story {n}",
            [f"The Olsund harbour board approved berth plan {n} on Tuesday, the chair said.",
             f"Work on berth {n} starts in the autumn, officials added."]))
        items.append((f"urn:{n}", server.url(f"/s/{n}"), f"Story {n}"))
    server.routes["/feed"] = conditional(Page(rss(items), content_type="application/rss+xml"),
                                         '"v1"')
    server.routes["/page"] = Page(article_html("Not a feed", PARAS))
    core = FakeCore()
    bot = await connect(core=core, builder=build_index, settings=news_settings)

    await feeds(fake, "add", {"url": server.url("/page"), "outlet": "X"}, **MOD)
    line = "I did not follow that feed: refused: wrong content type (text/html)"
    assert await _text_with(fake, line) == line

    outlet = "@everyone Harbour <@&123456789012345678>"  # never pings anyone
    await feeds(fake, "add", {"url": server.url("/feed"), "outlet": outlet}, roles=[p.MOD_ROLE_ID])
    added = await _text_with(fake, "Following")
    assert "(2 entries)" in added and "/feeds poll" in added  # scheduled polls are off here

    await feeds(fake, "poll", **MOD)
    polled = await _text_with(fake, "Indexed:")
    assert ": 2 new, 0 updated" in polled and "✅ Indexed: added 2 · updated 0" in polled
    assert len(_articles(news_settings)) == 2 and core.reloads == 1

    await feeds(fake, "poll", **MOD)
    await fake.wait_for(lambda r: "not modified" in json.dumps(r.message_body() or {}), 30)
    assert core.reloads == 1  # nothing new: no build, no reload

    await feeds(fake, "list", **MOD)
    listed = await _text_with(fake, "feed(s)")
    assert "[1]" in listed and "2 article(s) added" in listed and "ok · last success" in listed
    assert "scheduled polls are off" in listed

    await feeds(fake, "remove", {"feed": "1"}, **MOD)
    await _text_with(fake, "Stopped following")
    assert feed_store(news_settings).feeds() == []
    assert len(_articles(news_settings)) == 2  # indexed articles stay
    actions = [r.action for r in bot.store.audit_log()]
    assert actions[:4] == ["feeds remove", "feeds poll", "feeds poll", "feeds add"]


async def test_scheduled_polls_index_new_articles_without_blocking_the_bot(
    fake: FakeDiscord, connect: Connect, server: NewsServer, news_settings: Settings
) -> None:
    server.routes["/s/1"] = Page(article_html("Olsund harbour story", [
        "The Olsund harbour board approved the berth plan on Tuesday, the chair said."]))
    server.routes["/feed"] = Page(rss([("urn:1", server.url("/s/1"), "S")]),
                                  content_type="text/xml")
    server.routes["/slow"] = Page(rss([]), content_type="text/xml", delay=2.5)
    settings = news_settings.model_copy(update={"feeds_poll_minutes": 0.02})  # 1.2 s
    store = feed_store(settings)
    store.add(server.url("/slow"), "Slow Times")
    store.add(server.url("/feed"), "Harbour News")
    builder = FakeBuilder()
    core = FakeCore()
    started = time.monotonic()
    bot = await connect(core=core, builder=builder, settings=settings)
    # while the slow feed is being fetched, commands are answered at once
    await feeds(fake, "list", **MOD)
    await _text_with(fake, "feed(s)", timeout=2)
    assert time.monotonic() - started < 2.5
    await eventually(lambda: builder.calls == [None], timeout=10)
    await eventually(lambda: core.reloads == 1)
    await eventually(lambda: any(r.user_name == "scheduled feed poll"
                                 for r in bot.store.audit_log()))
    await eventually(lambda: sum(1 for s in server.paths() if s == "/feed") >= 2, timeout=10)
    assert server.paths().count("/s/1") == 1  # the entry is fetched once, not every poll
    assert builder.calls == [None]  # later polls find nothing new: no more builds
    assert [f.articles_added for f in feed_store(settings).feeds()] == [0, 1]
