"""Lookups as pages: passages, quote provenance, outlets and status (pure functions)."""

from __future__ import annotations

import pytest

from bot.answer.types import UNKNOWN_OUTLET, IndexStatus, OutletInfo, Passage, QuoteProvenance
from bot.discord.limits import CONTENT, Outgoing, Packer, check_message, split_text
from bot.discord.render_lookup import (
    OutletCounts,
    render_outlets,
    render_passages,
    render_quote,
    render_status,
)
from tests.discord.fakes import ARTICLE


def _passage(i: int, **kw) -> Passage:  # noqa: ANN003
    base = dict(outlet=f"O{i}", title="t", published=None, url=None, document="d",
                article_id="a", text=ARTICLE * 5, start=0, end=1, score=0.5)
    return Passage(**{**base, **kw})


def _fits(pages: list[Outgoing]) -> None:
    for page in pages:
        assert check_message(page) == []


@pytest.mark.parametrize("limit", [1, 5, 80, 2000])
def test_split_text_keeps_every_character(limit: int) -> None:
    text = ("word " * 700 + "\n" + "x" * 4500 + "\nend").strip()
    pieces = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    squash = text.replace(" ", "").replace("\n", "")
    assert "".join(pieces).replace(" ", "").replace("\n", "") == squash


def test_passages_paginate_within_limits_without_part_labels() -> None:
    pages = render_passages("title", [_passage(i) for i in range(10)], "none")
    _fits(pages)
    assert len(pages) > 1 and all(p.content is None for p in pages)
    assert render_passages("title", [], "nothing here")[0].embeds[0].description == "nothing here"


def test_passage_links_to_the_quoted_words_and_names_undated() -> None:
    page = render_passages("t", [_passage(1, url="https://x.example/a", text="We left.")], "")[0]
    value = page.embeds[0].fields[0].value
    assert value.startswith("undated · [t](https://x.example/a#:~:text=We%20left.)")


def test_quote_found_and_not_found() -> None:
    found = QuoteProvenance(
        text="x",
        found=True,
        passages=[_passage(1, outlet=None, text="we evacuated", speaker="Mara Lind")],
    )
    page = render_quote(found)[0]
    assert "Mara Lind" in page.embeds[0].fields[0].value
    assert page.embeds[0].fields[0].name.endswith(UNKNOWN_OUTLET)
    missing = render_quote(QuoteProvenance(text="@everyone hi", found=False))[0]
    assert "@everyone" not in missing.embeds[0].description


def test_outlets_count_named_ones_and_say_undated() -> None:
    outlets = [
        OutletInfo(outlet="A", articles=2, first_published="2024-01-01",
                   last_published="2024-02-01"),
        OutletInfo(outlet="B", articles=1, first_published="2024-03-05",
                   last_published="2024-03-05"),
        OutletInfo(outlet="C", articles=1, first_published=None, last_published=None),
        OutletInfo(outlet=None, articles=3, first_published=None, last_published=None),
    ]
    [page] = render_outlets(outlets)
    embed = page.embeds[0]
    assert embed.title == "📰 3 outlets · 7 articles (3 from an unknown outlet)"
    lines = embed.description.split("\n")
    assert lines == [
        "**A** — 2 articles · 1 Jan 2024 → 1 Feb 2024",
        "**B** — 1 article · 5 Mar 2024",
        "**C** — 1 article · undated",
        "*unknown outlet* — 3 articles · undated",
    ]
    status = IndexStatus(articles=7, chunks=2, outlets=3, last_build=None, model=None,
                         collection=None)
    fields = {f.name: f.value for f in render_status(status, outlets).embeds[0].fields}
    assert fields["Outlets"] == "3 (+3 articles from an unknown outlet)"
    assert OutletCounts.of(outlets).named == status.outlets


def test_many_outlets_fit() -> None:
    out = render_outlets(
        [OutletInfo(outlet=f"Outlet {i}", articles=i, first_published="2024-01-01",
                    last_published=None) for i in range(400)]
    )
    _fits(out)
    assert render_outlets([])[0].content


def test_packer_respects_embed_count_and_total() -> None:
    packer = Packer()
    for i in range(300):
        packer.field(f"f{i}", "v" * 1000)
    messages = packer.finish()
    _fits(messages)
    assert sum(len(e.fields) for m in messages for e in m.embeds) == 300
    assert check_message(Outgoing(content="x" * (CONTENT + 1)))
