"""Live news: articles added by link and new articles from followed feeds, written as files.

Both paths fetch through `index.fetch` (guarded), extract with trafilatura (`index.web`) and
write one `.jsonl` file per article into `<data dir>/uploads/feeds/`, named after the
canonical URL. The uploads folder is part of every build, so indexing is the normal
incremental, atomic build: `build_pending` runs one when files were written. Network work
is async (aiohttp); parsing, extraction and disk writes run in worker threads.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.feeds import Feed, FeedEntry, FeedError, FeedStore, parse_feed
from index.fetch import FEED_TYPES, HTML_TYPES, Fetcher, FetchError, FetchPolicy
from index.web import FEEDS_FOLDER, ExtractError, WebArticle, article_from_page, write_article

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

FEED_CONCURRENCY = 4


def news_folder(settings: Settings) -> Path:
    """Where article files from links and feeds are written (inside the uploads folder)."""
    from index.build import uploads_dir

    return uploads_dir(settings) / FEEDS_FOLDER


def feed_store(settings: Settings) -> FeedStore:
    return FeedStore(settings.data_dir)


@dataclass(frozen=True, slots=True)
class LinkOutcome:
    """What adding one link did: `state` is added / updated / unchanged, or `error` says why not."""

    url: str
    article: WebArticle | None = None
    state: str | None = None
    path: Path | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class FeedPoll:
    """One feed's poll: articles added / updated, entries failed, and the feed's own error."""

    feed: Feed
    added: int = 0
    updated: int = 0
    failed: list[str] = field(default_factory=list)
    error: str | None = None
    not_modified: bool = False

    def line(self) -> str:
        if self.error:
            return f"{self.feed.outlet} <{self.feed.url}>: failed: {self.error}"
        if self.not_modified:
            return f"{self.feed.outlet} <{self.feed.url}>: not modified"
        text = f"{self.feed.outlet} <{self.feed.url}>: {self.added} new, {self.updated} updated"
        if self.failed:
            text += f", {len(self.failed)} failed (first: {self.failed[0]})"
        return text


@dataclass(slots=True)
class PollReport:
    feeds: list[FeedPoll] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(p.added or p.updated for p in self.feeds)


async def fetch_article(
    fetcher: Fetcher,
    url: str,
    *,
    outlet: str | None = None,
    title: str | None = None,
    published: str | None = None,
) -> WebArticle:
    """Fetch an article page and extract it (extraction in a worker thread).

    Raises:
        FetchError: refused or failed fetch.
        ExtractError: no article text on the page.
    """
    result = await fetcher.get(url, HTML_TYPES)
    return await asyncio.to_thread(
        article_from_page, result, outlet=outlet, title=title, published=published
    )


async def add_links(
    urls: Sequence[str],
    settings: Settings,
    *,
    outlet: str | None = None,
    title: str | None = None,
    published: str | None = None,
) -> list[LinkOutcome]:
    """Fetch each link and write its article file; a bad link never stops the others.

    Args:
        urls: the links, in order.
        settings: data dir and fetch limits.
        outlet, title, published: what the moderator states (wins over the page).

    Returns:
        One outcome per link. Files written are recorded in the feed store's build counter;
        run `build_pending` (or any build) to index them.
    """
    policy = FetchPolicy.from_settings(settings)
    folder = news_folder(settings)
    store = await asyncio.to_thread(feed_store, settings)
    outcomes: list[LinkOutcome] = []
    async with Fetcher(policy) as fetcher:
        for url in urls:
            try:
                article = await fetch_article(
                    fetcher, url, outlet=outlet, title=title, published=published
                )
                path, state = await asyncio.to_thread(write_article, folder, article)
            except (FetchError, ExtractError) as err:
                log.info("link %s not added: %s", url, err)
                outcomes.append(LinkOutcome(url=url, error=str(err)))
                continue
            if state != "unchanged":
                await asyncio.to_thread(store.mark_written)
            outcomes.append(LinkOutcome(url=url, article=article, state=state, path=path))
    return outcomes


async def check_feed(url: str, settings: Settings) -> tuple[str, int]:
    """Fetch and parse a feed before following it.

    Returns:
        The feed's URL as fetched (after redirects) and its number of entries.

    Raises:
        FetchError: refused or failed fetch.
        FeedError: not an RSS or Atom feed.
    """
    async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        result = await fetcher.get(url, FEED_TYPES)
    parsed = await asyncio.to_thread(parse_feed, result.body, result.url, result.content_type)
    return result.url, len(parsed.entries)


async def poll_feeds(
    settings: Settings,
    store: FeedStore | None = None,
    feed_ids: Sequence[int] | None = None,
) -> PollReport:
    """Poll followed feeds once (all, or `feed_ids`); write new articles' files.

    Each feed is fetched conditionally (ETag / Last-Modified); a 304 costs nothing more.
    New entries (not yet indexed, fewer than `MAX_ATTEMPTS` failures) are fetched, at most
    `feeds_max_articles_per_poll` per feed, with the feed's outlet. A failing feed or
    article never stops the others; each feed's status is stored.
    """
    if store is None:
        store = await asyncio.to_thread(feed_store, settings)
    feeds = await asyncio.to_thread(store.feeds)
    if feed_ids is not None:
        feeds = [f for f in feeds if f.id in set(feed_ids)]
    policy = FetchPolicy.from_settings(settings)
    limit = asyncio.Semaphore(FEED_CONCURRENCY)
    async with Fetcher(policy) as fetcher:

        async def one(feed: Feed) -> FeedPoll:
            async with limit:
                return await _poll_one(feed, fetcher, store, settings)

        polls = await asyncio.gather(*(one(f) for f in feeds))
    return PollReport(feeds=list(polls))


async def _poll_one(
    feed: Feed, fetcher: Fetcher, store: FeedStore, settings: Settings
) -> FeedPoll:
    poll = FeedPoll(feed=feed)
    try:
        result = await fetcher.get(
            feed.url, FEED_TYPES, etag=feed.etag, last_modified=feed.last_modified
        )
        if result.not_modified:
            poll.not_modified = True
            await asyncio.to_thread(
                store.record_poll, feed.id, error=None, fetched=True,
                etag=result.etag or feed.etag,
                last_modified=result.last_modified or feed.last_modified,
            )
            return poll
        parsed = await asyncio.to_thread(
            parse_feed, result.body, result.url, result.content_type
        )
    except (FetchError, FeedError) as err:
        poll.error = str(err)
        log.info("feed %s failed: %s", feed.url, err)
        await asyncio.to_thread(store.record_poll, feed.id, error=poll.error, fetched=False)
        return poll
    except Exception as err:  # a broken feed must never stop the others
        log.exception("feed %s: unexpected error", feed.url)
        poll.error = f"unexpected error ({type(err).__name__})"
        await asyncio.to_thread(store.record_poll, feed.id, error=poll.error, fetched=False)
        return poll

    done = await asyncio.to_thread(store.done_keys, feed.id)
    fresh = [e for e in parsed.entries if e.key not in done]
    for entry in fresh[: settings.feeds_max_articles_per_poll]:
        await _take_entry(feed, entry, fetcher, store, settings, poll)
    await asyncio.to_thread(
        store.record_poll, feed.id, error=None, fetched=True, added=poll.added,
        etag=result.etag, last_modified=result.last_modified,
    )
    if poll.failed:
        await asyncio.to_thread(store.note_error, feed.id, poll.failed[-1])
    return poll


async def _take_entry(
    feed: Feed,
    entry: FeedEntry,
    fetcher: Fetcher,
    store: FeedStore,
    settings: Settings,
    poll: FeedPoll,
) -> None:
    if not entry.link:
        error = "the entry has no link"
    else:
        try:
            article = await fetch_article(fetcher, entry.link, outlet=feed.outlet)
            _, state = await asyncio.to_thread(write_article, news_folder(settings), article)
        except (FetchError, ExtractError) as err:
            error = str(err)
        except Exception as err:  # one broken page must never stop the poll
            log.exception("feed %s: entry %s", feed.url, entry.link)
            error = f"unexpected error ({type(err).__name__})"
        else:
            if state != "unchanged":
                await asyncio.to_thread(store.mark_written)
            poll.added += int(state == "added")
            poll.updated += int(state == "updated")
            await asyncio.to_thread(store.mark_entry, feed.id, entry, article_url=article.url)
            return
    poll.failed.append(f"{entry.link or entry.key}: {error}")
    await asyncio.to_thread(store.mark_entry, feed.id, entry, error=error)


def build_pending(
    settings: Settings,
    builder: Callable[..., Any] | None = None,
    progress: Callable[[Any], None] | None = None,
    *,
    force: bool = False,
) -> Any | None:
    """Run one build when article files were written since the last one (blocking).

    Args:
        settings: the settings.
        builder: a `build_index`-compatible callable (default: `index.build.build_index`).
        progress: passed to the builder.
        force: build even when nothing is pending.

    Returns:
        The builder's summary, or None when no build was needed.
    """
    store = feed_store(settings)
    if not force and not store.needs_build:
        return None
    if builder is None:
        from index.build import build_index

        builder = build_index
    mark = store.written_mark()
    summary = builder(None, settings, progress)
    store.mark_built(mark)
    return summary
