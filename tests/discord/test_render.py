"""Rendering and splitting: pure functions, no Discord connection."""

from __future__ import annotations

import re

import pytest

from bot.answer.types import (
    Claim,
    IndexStatus,
    OutletInfo,
    Passage,
    QuoteProvenance,
    Reply,
    Verdict,
)
from bot.discord.limits import CONTENT, FIELD_VALUE, Outgoing, Packer, check_message, split_text
from bot.discord.render import (
    UNKNOWN_OUTLET,
    render_outlets,
    render_passages,
    render_quote,
    render_reply,
    render_status,
)
from tests.discord.fakes import ARTICLE, make_reply, make_source

_ESCAPE = re.compile(r"\\([*_`~|>\\#\-\[\]()])")


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text.replace("\u200b", ""))


def _fields(messages: list[Outgoing]) -> list[tuple[str, str]]:
    return [(f.name, f.value) for m in messages for e in m.embeds for f in e.fields]


def _quote_of(messages: list[Outgoing], sid: int) -> str:
    """Reassemble source `sid`'s quote from its field(s)."""
    lines: list[str] = []
    for name, value in _fields(messages):
        if name.startswith(f"[{sid}] "):
            lines += [ln[2:] for ln in value.split("\n") if ln.startswith("> ")]
    return _unescape("\n".join(lines))


def _assert_fits(messages: list[Outgoing]) -> None:
    assert messages
    for m in messages:
        assert check_message(m) == [], check_message(m)


@pytest.mark.parametrize("limit", [1, 5, 80, 2000])
def test_split_text_keeps_every_character(limit: int) -> None:
    text = ("word " * 700 + "\n" + "x" * 4500 + "\nend").strip()
    pieces = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )


def test_short_reply_is_one_message_with_numbered_sources() -> None:
    messages = render_reply(make_reply())
    _assert_fits(messages)
    assert len(messages) == 1 and messages[0].content is None
    embed = messages[0].embeds[0]
    assert "Question:" in embed.description and "[1]" in embed.description
    names = [n for n, _ in _fields(messages)]
    assert names == ["[1] Tarnholm Courier", "[2] Tarnholm Courier"]
    value = _fields(messages)[0][1]
    assert "Article 1" in value and "2024-03-12" in value


def test_unknown_outlet_is_named() -> None:
    reply = make_reply()
    reply.sources[0] = make_source(1, outlet=None)
    names = [n for n, _ in _fields(render_reply(reply))]
    assert names[0] == f"[1] {UNKNOWN_OUTLET}"


def test_mentions_in_quotes_and_queries_are_neutralised() -> None:
    reply = make_reply("@everyone is the fire <@&1234567890123456789> out? @here", quote=ARTICLE)
    messages = render_reply(reply)
    blob = str([(m.content, [e.to_dict() for e in m.embeds]) for m in messages])
    assert "@everyone" not in blob and "@here" not in blob and "<@&" not in blob
    assert _quote_of(messages, 1) == ARTICLE  # still displayed verbatim


@pytest.mark.parametrize("n_sources,quote_len", [(30, 900), (12, 3000), (60, 200), (3, 9000)])
def test_long_replies_split_within_limits_without_renumbering(
    n_sources: int, quote_len: int
) -> None:
    quote = ("The plant *fire* burned_for `hours` | " * 400)[:quote_len]
    reply = make_reply("q " * 400, n_sources=n_sources, quote=quote)
    reply.summary = "Summary line with [1] and [2]. " * 300
    messages = render_reply(reply)
    _assert_fits(messages)
    assert len(messages) > 1
    assert [m.content for m in messages] == [
        f"-# part {i}/{len(messages)}" for i in range(1, len(messages) + 1)
    ]
    first_fields = []
    for name, _ in _fields(messages):
        sid = int(name[1 : name.index("]")])
        if not name.endswith("(cont.)"):
            first_fields.append(sid)
    assert first_fields == list(range(1, n_sources + 1))  # every source once, in order
    for sid in (1, n_sources):
        assert _quote_of(messages, sid).split() == quote.split()  # whole, words intact


def test_quote_with_many_newlines_fits_field() -> None:
    quote = "a\n" * 800
    messages = render_reply(make_reply(quote=quote, n_sources=1))
    _assert_fits(messages)
    assert all(len(v) <= FIELD_VALUE for _, v in _fields(messages))


def test_claims_keep_core_numbers() -> None:
    reply = Reply(
        query="q",
        mode="claim",
        verdict=Verdict.DISPUTED,
        summary="s",
        claims=[Claim(text="c", sources=[7, 9])],
        sources=[make_source(7), make_source(9)],
    )
    messages = render_reply(reply)
    assert "c [7][9]" in messages[0].embeds[0].description
    assert [n.split()[0] for n, _ in _fields(messages)] == ["[7]", "[9]"]


def test_not_found_reply_renders() -> None:
    reply = Reply(query="q?", mode="question", verdict=Verdict.NOT_FOUND, summary="Nothing.")
    messages = render_reply(reply)
    _assert_fits(messages)
    assert messages[0].embeds[0].title.startswith("🔍")


def test_notes_are_shown() -> None:
    reply = make_reply()
    reply.notes.append("1 claim dropped: quote not verbatim")
    assert "claim dropped" in render_reply(reply)[0].embeds[0].description


def test_passages_paginate_within_limits() -> None:
    passages = [
        Passage(
            outlet=f"O{i}",
            title="t",
            published=None,
            url=None,
            document="d",
            article_id="a",
            text=ARTICLE * 5,
            start=0,
            end=1,
            score=0.5,
        )
        for i in range(10)
    ]
    pages = render_passages("title", passages, "none")
    _assert_fits(pages)
    assert len(pages) > 1
    assert render_passages("title", [], "nothing here")[0].embeds[0].description == "nothing here"


def test_quote_found_and_not_found() -> None:
    found = QuoteProvenance(
        text="x",
        found=True,
        passages=[
            Passage(
                outlet=None,
                title=None,
                published=None,
                url=None,
                document="d",
                article_id="a",
                text="we evacuated",
                start=0,
                end=12,
                score=1,
                speaker="Mara Lind",
            )
        ],
    )
    page = render_quote(found)[0]
    assert "Mara Lind" in page.embeds[0].fields[0].value
    assert page.embeds[0].fields[0].name.endswith(UNKNOWN_OUTLET)
    missing = render_quote(QuoteProvenance(text="@everyone hi", found=False))[0]
    assert "@everyone" not in missing.embeds[0].description


def test_outlets_and_status() -> None:
    out = render_outlets(
        [
            OutletInfo(
                outlet=f"Outlet {i}", articles=i, first_published="2024-01-01", last_published=None
            )
            for i in range(400)
        ]
    )
    _assert_fits(out)
    assert render_outlets([])[0].content
    status = render_status(
        IndexStatus(articles=1, chunks=2, outlets=1, last_build=None, model=None, collection=None)
    )
    assert check_message(status) == []


def test_packer_respects_embed_count_and_total() -> None:
    packer = Packer()
    for i in range(300):
        packer.field(f"f{i}", "v" * 1000)
    messages = packer.finish()
    _assert_fits(messages)
    assert sum(len(e.fields) for m in messages for e in m.embeds) == 300


def test_content_limit_checked() -> None:
    assert check_message(Outgoing(content="x" * (CONTENT + 1)))
