"""`factbot index add-url` and `factbot feeds add|list|remove|poll` (registered by `bot.cli`).

asyncio and the fetching machinery are imported by the commands that use them, not at start-up.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.settings import Settings


def add_index_commands(index_sub: Any, common: argparse.ArgumentParser) -> None:
    """`index add-url URL...` under the `index` command."""
    add = index_sub.add_parser(
        "add-url", help="fetch articles by link and index them", parents=[common]
    )
    add.add_argument("urls", nargs="+", metavar="URL", help="http(s) links to news articles")
    add.add_argument("--outlet", help="who published it (default: what the page declares)")
    add.add_argument("--title", help="the article's title (one link only)")
    add.add_argument("--date", help="publication date YYYY-MM-DD (one link only)")
    add.add_argument("--no-build", action="store_true", help="write the files, index later")


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """The `feeds` command and its subcommands."""
    feeds = sub.add_parser(
        "feeds", help="follow outlets' RSS/Atom feeds", parents=[common],
        description="Follow outlets' RSS and Atom feeds: their new articles are fetched and "
        "indexed by `feeds poll` and, while the bot runs, every FACTBOT_FEEDS_POLL_MINUTES.",
    )
    feeds.set_defaults(group_help=feeds.format_help)
    feeds_sub = feeds.add_subparsers(dest="feeds_command", metavar="COMMAND")
    add = feeds_sub.add_parser("add", help="follow a feed", parents=[common])
    add.add_argument("url", help="the RSS or Atom feed's URL")
    add.add_argument("--outlet", required=True, help="the outlet that publishes the feed")
    listing = feeds_sub.add_parser("list", help="followed feeds and their status",
                                   parents=[common])
    listing.add_argument("--json", action="store_true")
    remove = feeds_sub.add_parser("remove", help="stop following a feed", parents=[common])
    remove.add_argument("feed", help="the feed's number (from `feeds list`) or URL")
    poll = feeds_sub.add_parser("poll", help="fetch new articles from every feed and index them",
                                parents=[common])
    poll.add_argument("--no-build", action="store_true", help="write the files, index later")


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _err(text: str) -> None:
    sys.stderr.write(f"factbot: {text}\n")


def _check_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValueError(f"--date must look like 2024-03-12, not {value!r}") from None


def _build(settings: Settings, no_build: bool) -> None:
    """Index written files unless told not to, and print the build line."""
    from index.live import build_pending

    if no_build:
        _out("not indexed yet (--no-build): the next build or poll indexes the files\n")
        return
    summary = build_pending(settings)
    if summary is None:
        _out("index unchanged\n")
        return
    _out(f"index: {summary.line()}  ({summary.chunks} chunks, {summary.seconds:.1f}s)\n")
    for failure in summary.failed:
        _out(f"  failed: {failure.path}: {failure.reason}\n")


def _add_url(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from index.live import add_links

    if len(args.urls) > 1 and (args.title or args.date):
        _err("--title and --date describe one article: give one link with them")
        return 2
    published = _check_date(args.date)
    outcomes = asyncio.run(
        add_links(args.urls, settings, outlet=args.outlet, title=args.title, published=published)
    )
    for outcome in outcomes:
        if outcome.error:
            _err(f"{outcome.url}: {outcome.error}")
            continue
        article = outcome.article
        if article is None:  # pragma: no cover - set whenever there is no error
            continue
        details = ", ".join(
            part for part in (article.outlet or "unknown outlet", article.published) if part
        )
        _out(f"{outcome.state}: {article.title or 'untitled'} ({details}) <{article.url}>\n")
    if any(o.ok for o in outcomes) or not outcomes:
        _build(settings, args.no_build)
    return 0 if all(o.ok for o in outcomes) else 1


def _feeds(args: argparse.Namespace, settings: Settings) -> int:
    if args.feeds_command is None:  # the group alone: show its help
        sys.stderr.write(args.group_help())
        return 2
    return _FEEDS[args.feeds_command](args, settings)


def _feeds_add(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from index.fetch import FetchError
    from index.live import check_feed, feed_store

    try:
        url, entries = asyncio.run(check_feed(args.url, settings))
    except FetchError as err:
        _err(f"{args.url}: {err}")
        return 2
    feed = feed_store(settings).add(url, args.outlet, added_by="cli")
    _out(f"following feed {feed.id}: {feed.outlet} <{feed.url}> ({entries} entries now); "
         "`factbot feeds poll` fetches its articles\n")
    return 0


def _feeds_list(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from index.live import feed_store

    feeds = feed_store(settings).feeds()
    if args.json:
        _out(json.dumps([asdict(f) for f in feeds], ensure_ascii=False) + "\n")
        return 0
    if not feeds:
        _out("no feeds followed (add one with `factbot feeds add URL --outlet NAME`)\n")
        return 0
    minutes = settings.feeds_poll_minutes
    when = f"every {minutes:g} min while the bot runs" if minutes else "only by `feeds poll`"
    _out(f"{len(feeds)} feed(s), polled {when}\n")
    for feed in feeds:
        _out(f"[{feed.id}] {feed.outlet} <{feed.url}>\n    {feed.status_line()}\n")
    return 0


def _feeds_remove(args: argparse.Namespace, settings: Settings) -> int:
    from index.live import feed_store

    store = feed_store(settings)
    feed = store.find(args.feed)
    if feed is None:
        _err(f"no followed feed {args.feed!r} (see `factbot feeds list`)")
        return 2
    store.remove(feed.id)
    _out(f"stopped following {feed.outlet} <{feed.url}>; its indexed articles stay\n")
    return 0


def _feeds_poll(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from index.live import feed_store, poll_feeds

    store = feed_store(settings)
    report = asyncio.run(poll_feeds(settings, store))
    if not report.feeds:
        _out("no feeds followed\n")
    for poll in report.feeds:
        _out(poll.line() + "\n")
    _build(settings, args.no_build)
    return 1 if any(p.error for p in report.feeds) else 0


_FEEDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "add": _feeds_add,
    "list": _feeds_list,
    "remove": _feeds_remove,
    "poll": _feeds_poll,
}

COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "index_add-url": _add_url,
    "feeds": _feeds,
}
"""Handlers by the key `bot.cli.main` looks up (`index_<sub>` for index subcommands)."""
