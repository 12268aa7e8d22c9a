"""Feeds: parsing RSS and Atom, the feed store, and polls against a real local server."""

from __future__ import annotations

import json

import pytest

from bot.settings import Settings
from index.feeds import MAX_ATTEMPTS, FeedError, FeedStore, parse_feed
from index.live import check_feed, feed_store, news_folder, poll_feeds
from tests.news.server import NewsServer, Page, article_html, atom, conditional, rss

RSS_TYPE = "application/rss+xml; charset=utf-8"


def story(n: int, extra: str = "") -> str:
    return article_html(
        f"Council story number {n}",
        [f"The town council approved plan number {n} on Tuesday, the mayor said.{extra}",
         f"Residents will be consulted on plan {n} before the summer, officials added."],
        site="Page Says Otherwise",
    )


def serve_stories(server: NewsServer, *numbers: int) -> list[tuple[str, str, str]]:
    items = []
    for n in numbers:
        server.routes[f"/story/{n}"] = Page(story(n))
        items.append((f"urn:story:{n}", server.url(f"/story/{n}"), f"Story {n}"))
    return items


def files(settings: Settings) -> dict[str, dict]:
    folder = news_folder(settings)
    return {p.name: json.loads(p.read_text()) for p in sorted(folder.glob("*.jsonl"))}


def test_parse_rss_and_atom() -> None:
    items = [("urn:1", "https://example.org/1", "One"), ("urn:2", "/2", "Two")]
    parsed = parse_feed(rss(items, "Daily").encode(), "https://example.org/feed.xml",
                        "application/rss+xml")
    assert parsed.title == "Daily"
    assert [(e.key, e.link) for e in parsed.entries] == [
        ("urn:1", "https://example.org/1"), ("urn:2", "https://example.org/2")]
    parsed = parse_feed(atom(items).encode(), "https://example.org/atom", "application/atom+xml")
    assert [e.link for e in parsed.entries] == ["https://example.org/1", "https://example.org/2"]
    with pytest.raises(FeedError, match="^not an RSS or Atom feed"):
        parse_feed(b"<html><body>hello</body></html>", "https://example.org/", "text/xml")


def test_parse_never_reads_files_or_urls(tmp_path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_text(rss([("urn:s", "https://example.org/s", "S")]))
    with pytest.raises(FeedError):
        parse_feed(str(secret).encode(), "https://example.org/", "text/xml")


def test_store_add_find_remove(tmp_path) -> None:
    store = FeedStore(tmp_path)
    feed = store.add("https://example.org/feed", "  Example   Daily ", added_by="mod")
    assert feed.outlet == "Example Daily" and feed.status_line().startswith("never polled")
    with pytest.raises(FeedError, match="already followed"):
        store.add("https://example.org/feed", "Other")
    with pytest.raises(FeedError, match="outlet"):
        store.add("https://example.org/other", " ")
    assert store.find(str(feed.id)) == feed == store.find("https://example.org/feed")
    store.remove(feed.id)
    assert store.feeds() == [] and store.find("1") is None


async def test_check_feed_refuses_pages_that_are_not_feeds(
    server: NewsServer, news_settings: Settings
) -> None:
    server.routes["/feed"] = Page(rss(serve_stories(server, 1)), content_type=RSS_TYPE)
    server.routes["/page"] = Page(story(1))
    server.routes["/fake.xml"] = Page("<html><p>hi</p></html>", content_type="text/xml")
    assert await check_feed(server.url("/feed"), news_settings) == (server.url("/feed"), 1)
    with pytest.raises(Exception, match="wrong content type"):
        await check_feed(server.url("/page"), news_settings)
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        await check_feed(server.url("/fake.xml"), news_settings)


async def test_feed_that_changes_between_polls_and_then_answers_304(
    server: NewsServer, news_settings: Settings
) -> None:
    store = feed_store(news_settings)
    items = serve_stories(server, 1, 2)
    server.routes["/feed"] = conditional(Page(rss(items), content_type=RSS_TYPE), '"v1"')
    feed = store.add(server.url("/feed"), "Town Crier")

    first = await poll_feeds(news_settings, store)
    [poll] = first.feeds
    assert (poll.added, poll.updated, poll.failed, poll.error) == (2, 0, [], None)
    assert first.changed and store.needs_build
    written = files(news_settings)
    assert len(written) == 2
    assert {r["outlet"] for r in written.values()} == {"Town Crier"}  # the feed's outlet wins
    assert {r["url"] for r in written.values()} == {server.url("/story/1"),
                                                    server.url("/story/2")}

    # the feed changes: a new entry, and the first story's page is updated
    items = serve_stories(server, 3, 1, 2)
    server.routes["/story/1"] = Page(story(1, " The vote was unanimous."))
    server.routes["/feed"] = conditional(Page(rss(items), content_type=RSS_TYPE), '"v2"')
    server.requests.clear()
    [poll] = (await poll_feeds(news_settings, store)).feeds
    assert (poll.added, poll.updated) == (1, 0)
    assert server.paths() == ["/feed", "/story/3"]  # seen entries are not fetched again
    assert server.requests[0].headers["if-none-match"] == '"v1"'
    assert len(files(news_settings)) == 3

    server.requests.clear()
    [poll] = (await poll_feeds(news_settings, store)).feeds
    assert poll.not_modified and server.paths() == ["/feed"]
    assert server.requests[0].headers["if-none-match"] == '"v2"'
    status = store.get(feed.id)
    assert status is not None and status.articles_added == 3 and status.last_added == 0
    assert status.last_success and not status.failing


async def test_last_modified_is_sent_back(server: NewsServer, news_settings: Settings) -> None:
    stamp = "Tue, 12 Mar 2024 08:00:00 GMT"

    def route(headers: dict[str, str]) -> Page:
        if headers.get("if-modified-since") == stamp:
            return Page(b"", status=304, content_type=None)
        return Page(rss([]), content_type=RSS_TYPE, headers={"Last-Modified": stamp})

    server.routes["/feed"] = route
    store = feed_store(news_settings)
    store.add(server.url("/feed"), "Town Crier")
    assert not (await poll_feeds(news_settings, store)).feeds[0].not_modified
    assert (await poll_feeds(news_settings, store)).feeds[0].not_modified


async def test_a_failing_feed_never_stops_the_others(
    server: NewsServer, news_settings: Settings
) -> None:
    store = feed_store(news_settings)
    server.routes["/good"] = Page(rss(serve_stories(server, 1)), content_type=RSS_TYPE)
    server.routes["/gone"] = Page("gone", status=410, content_type="text/plain")
    server.routes["/private"] = Page(status=302, headers={"Location": "http://10.0.0.7/feed"},
                                     content_type=None)
    server.routes["/slow"] = Page(rss([]), content_type=RSS_TYPE, delay=5)
    server.routes["/broken"] = Page("{\"this is\": \"json\"}", content_type=RSS_TYPE)
    for path in ("/gone", "/private", "/slow", "/broken", "/good"):
        store.add(server.url(path), "Outlet " + path)
    report = await poll_feeds(news_settings, store)
    errors = {p.feed.url.rsplit("/", 1)[1]: p.error for p in report.feeds}
    assert errors["good"] is None and report.feeds[-1].added == 1
    assert errors["gone"] == "the server answered 410 Gone"
    assert errors["private"] == "refused: 10.0.0.7 is a private address"
    assert errors["slow"] == "gave up: no complete answer within 2 s"
    assert errors["broken"] is not None and errors["broken"].startswith("not an RSS or Atom")
    for feed in store.feeds():
        bad = not feed.url.endswith("/good")
        assert feed.failing == bad and (feed.last_error is not None) == bad
        assert (feed.last_success is None) == bad


async def test_bad_articles_are_retried_then_given_up_and_do_not_stop_the_feed(
    server: NewsServer, news_settings: Settings
) -> None:
    store = feed_store(news_settings)
    items = serve_stories(server, 1)
    items += [("urn:pdf", server.url("/report.pdf"), "PDF"),
              ("urn:meta", "http://169.254.169.254/latest/meta-data/", "Metadata"),
              ("urn:nolink", "", "No link")]
    server.routes["/report.pdf"] = Page(b"%PDF", content_type="application/pdf")
    server.routes["/feed"] = Page(rss(items), content_type=RSS_TYPE)
    feed = store.add(server.url("/feed"), "Town Crier")
    for _ in range(MAX_ATTEMPTS + 1):
        [poll] = (await poll_feeds(news_settings, store)).feeds
    assert poll.failed == [] and poll.error is None  # given up after MAX_ATTEMPTS
    entries = {e["key"]: e for e in store.entries(feed.id)}
    assert entries["urn:story:1"]["status"] == "ok" and entries["urn:story:1"]["attempts"] == 1
    assert entries["urn:pdf"]["attempts"] == MAX_ATTEMPTS
    assert entries["urn:pdf"]["error"] == "refused: wrong content type (application/pdf)"
    assert entries["urn:meta"]["error"] == "refused: 169.254.169.254 is a link-local address"
    status = store.get(feed.id)
    assert status is not None and not status.failing and status.articles_added == 1
    assert server.paths().count("/story/1") == 1


async def test_new_articles_per_poll_are_capped(
    server: NewsServer, news_settings: Settings
) -> None:
    settings = news_settings.model_copy(update={"feeds_max_articles_per_poll": 2})
    store = feed_store(settings)
    server.routes["/feed"] = Page(rss(serve_stories(server, 1, 2, 3, 4, 5)),
                                  content_type=RSS_TYPE)
    store.add(server.url("/feed"), "Town Crier")
    added = [(await poll_feeds(settings, store)).feeds[0].added for _ in range(4)]
    assert added == [2, 2, 1, 0]


async def test_same_article_through_two_feeds_is_one_file(
    server: NewsServer, news_settings: Settings
) -> None:
    store = feed_store(news_settings)
    items = serve_stories(server, 1)
    server.routes["/a"] = Page(rss(items), content_type=RSS_TYPE)
    server.routes["/b"] = Page(atom([("urn:other-id", items[0][1] + "?utm_source=b", "S")]),
                               content_type="application/atom+xml")
    store.add(server.url("/a"), "Town Crier")
    store.add(server.url("/b"), "Town Crier")
    report = await poll_feeds(news_settings, store)
    assert sorted((p.added, p.updated) for p in report.feeds) == [(0, 0), (1, 0)]
    assert len(files(news_settings)) == 1
