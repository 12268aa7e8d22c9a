"""Rendering a `Reply` for a phone, and its full list of sources: pure functions."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from bot.answer.types import Claim, Reply, Source, Verdict
from bot.discord.limits import Outgoing, check_message
from bot.discord.measure import displayed, message_size, text_size, wrapped_lines
from bot.discord.render import (
    MAX_QUOTES,
    TARGET,
    render_all_sources,
    render_reply,
    summary_sentence,
    verdict_line,
)
from bot.terminal import VERDICT_LABELS
from tests.discord.fakes import ARTICLE, make_reply, make_source

_ESCAPE = re.compile(r"\\([*_`~|>#\-\[\]()\\])")


class SidedClaim(Claim):
    """A claim that says which side it is on (what `render` reads from `Claim.side`)."""

    side: str | None = None


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text.replace("\u200b", ""))


def _description(messages: list[Outgoing]) -> str:
    return "\n".join(e.description or "" for m in messages for e in m.embeds)


def _quotes(messages: list[Outgoing]) -> list[str]:
    """The block quotes shown, each reassembled and unescaped."""
    quotes: list[str] = []
    current: list[str] | None = None
    for line in _description(messages).split("\n"):
        if line.startswith("> "):
            current = (current or []) + [line[2:]]
            continue
        if current is not None:
            quotes.append(_unescape("\n".join(current)))
            current = None
    if current is not None:
        quotes.append(_unescape("\n".join(current)))
    return quotes


def _source(i: int, quote: str, article: str | None = None, **kw) -> Source:  # noqa: ANN003
    source = make_source(i, quote, **kw)
    return source.model_copy(update={"article_id": article or f"art{i}"})


def _fits(messages: list[Outgoing]) -> None:
    assert messages
    for m in messages:
        assert check_message(m) == [], check_message(m)


@pytest.mark.parametrize("verdict", list(Verdict))
def test_verdict_line_uses_the_cli_words(verdict: Verdict) -> None:
    line = verdict_line(verdict)
    assert line.endswith(VERDICT_LABELS[verdict.value])
    reply = Reply(query="q?", mode="question", verdict=verdict, summary="s")
    assert render_reply(reply)[0].embeds[0].title == line


def test_a_typical_answer_is_short_and_shows_each_quote_once() -> None:
    quotes = [
        "The crane collapsed at 6 a.m. on Monday, the port authority said.",
        "Two workers were taken to hospital with minor injuries, police said.",
        "The union said it had warned about the crane in January.",
        "The mayor promised an inquiry.",
    ]
    reply = make_reply("When did the crane fall?", n_sources=4)
    reply.sources = [_source(i, q) for i, q in enumerate(quotes, 1)]
    reply.claims = [
        Claim(text=f"Outlet reports: {q}", sources=[i]) for i, q in enumerate(quotes, 1)
    ]
    messages = render_reply(reply)
    _fits(messages)
    assert len(messages) == 1 and len(messages[0].embeds) == 1
    size = message_size(messages[0])
    assert size.chars <= TARGET.chars and size.lines <= TARGET.lines
    shown = _quotes(messages)
    assert 1 <= len(shown) <= MAX_QUOTES and shown[0] == quotes[0]
    assert shown == [q for q in quotes if q in shown]  # in the core's order
    blob = str(messages[0].embeds[0].to_dict())
    for quote in quotes:
        assert blob.count(quote.split(",")[0]) <= 1  # never twice (no claim bullets)
    assert "Outlet reports" not in blob
    hidden = len(quotes) - len(shown)
    assert messages[0].embeds[0].footer.text.startswith(f"+{hidden} more quote")


def test_titles_link_to_the_quoted_words() -> None:
    quote = "The crane collapsed at 6 a.m. on Monday, the port authority said."
    reply = make_reply(n_sources=1)
    reply.sources = [_source(1, quote)]
    description = _description(render_reply(reply))
    [line] = [ln for ln in description.split("\n") if ln.startswith("— ")]
    assert line.startswith("— **Tarnholm Courier** · 12 Mar 2024 · [Article 1](")
    url = line[line.index("](") + 2 : -1]
    assert url.startswith("https://example.org/1#:~:text=")
    start, end = (unquote(term) for term in url.split("text=", 1)[1].split(","))
    assert quote.startswith(start) and quote.endswith(end)


@pytest.mark.parametrize(
    "url,linked",
    [
        (None, False),
        ("ftp://example.org/a", False),
        ("https://example.org/a b", False),
        ("https://example.org/@everyone", False),
        ("https://example.org/a_(b)", True),
    ],
)
def test_only_safe_urls_become_links(url: str | None, linked: bool) -> None:
    reply = make_reply(n_sources=1)
    reply.sources = [_source(1, "The crane fell.").model_copy(update={"url": url})]
    description = _description(render_reply(reply))
    assert ("](" in description) is linked
    if linked:
        assert "%28b%29" in description  # parentheses cannot end the link early
    else:
        assert "*Article 1*" in description


def test_summary_drops_what_the_message_already_shows() -> None:
    reply = make_reply(n_sources=2)
    reply.sources = [
        _source(1, "The port authority said the crane fell at 6 a.m.", outlet="Harbour Gazette"),
        _source(2, "Police said nobody died.", outlet="Valley Echo"),
    ]
    reply.summary = (
        "Disputed: Harbour Gazette (Harbour Gazette) says it: “The port authority said the "
        "crane…”; police say otherwise (Harbour Gazette, Valley Echo)."
    )
    assert summary_sentence(reply) == "Harbour Gazette says it; police say otherwise."
    reply.sources.append(_source(3, 'Kovač claimed that "more than 40" were hurt.'))
    reply.summary = (
        "Disputed: the sources give different figures: police (Valley Echo) “Police said "
        "nobody died.” vs Kovač (Harbour Gazette) “Kovač claimed that \"more than 40\" were …”."
    )
    assert summary_sentence(reply) == (
        "The sources give different figures: police (Valley Echo) vs Kovač (Harbour Gazette)."
    )
    reply.summary = "Not found: no source answers this."
    assert summary_sentence(reply) == "No source answers this."


def test_unknown_outlet_and_republisher_are_named() -> None:
    reply = make_reply(n_sources=2)
    reply.sources[0] = make_source(1, outlet=None)
    reply.sources[1] = make_source(2).model_copy(update={"republished_by": "Newswire Hub"})
    description = _description(render_reply(reply))
    assert "— *unknown outlet* · 12 Mar 2024" in description
    assert "**Tarnholm Courier (republished by Newswire Hub)**" in description


def test_one_article_quoted_three_times_is_named_once() -> None:
    quotes = ["The crane fell.", "Nobody died.", "An inquiry opens."]
    reply = make_reply(n_sources=3)
    reply.sources = [_source(i, q, article="same") for i, q in enumerate(quotes, 1)]
    messages = render_reply(reply)
    description = _description(messages)
    assert description.count("— **Tarnholm Courier**") == 1
    assert _quotes(messages) == ["\n".join(quotes)]  # one block, one source line under it
    assert messages[0].embeds[0].footer.text is None


def test_a_dispute_is_grouped_by_side_and_shows_both_sides() -> None:
    long = "The union said the crane had not been inspected for years, " * 6
    sources = [
        _source(1, long + "it said."),
        _source(2, "The port said the crane passed inspection in March."),
        _source(3, long + "a spokesman added."),
    ]
    claims = [
        SidedClaim(text="a", sources=[1], side="support"),
        SidedClaim(text="b", sources=[3], side="support"),
        SidedClaim(text="c", sources=[2], side="contra"),
    ]
    reply = Reply(query="The crane was never inspected.", mode="claim",
                  verdict=Verdict.DISPUTED, summary="s", claims=claims, sources=sources)
    messages = render_reply(reply)
    _fits(messages)
    description = _description(messages)
    backs, contradicts = description.index("**Backs the claim**"), description.index(
        "**Contradicts it**"
    )
    assert backs < contradicts
    shown = _quotes(messages)
    assert shown[0] == sources[0].quote and shown[-1] == sources[1].quote  # both sides


def test_without_sides_a_dispute_still_shows_two_voices() -> None:
    long = "The union said the crane had not been inspected for years, " * 6
    sources = [
        _source(1, long + "it said.", outlet="Harbour Gazette"),
        _source(2, long + "a spokesman added.", outlet="Harbour Gazette"),
        _source(3, "The port said the crane passed inspection in March.", outlet="Valley Echo"),
    ]
    reply = Reply(query="The crane was never inspected.", mode="claim",
                  verdict=Verdict.DISPUTED, summary="s", sources=sources,
                  claims=[Claim(text="x", sources=[i]) for i in (1, 2, 3)])
    messages = render_reply(reply)
    assert "Backs the claim" not in _description(messages)  # no sides to group by
    assert _quotes(messages) == [sources[0].quote, sources[2].quote]  # in the core's order
    reply.verdict = Verdict.REFUTED  # not a dispute: only the first is a must
    assert _quotes(render_reply(reply)) == [sources[0].quote]


def test_mentions_in_quotes_and_queries_are_neutralised() -> None:
    reply = make_reply("@everyone is the fire <@&1234567890123456789> out? @here", quote=ARTICLE,
                       n_sources=1)
    for query_label in (False, True):
        messages = render_reply(reply, query_label=query_label)
        blob = str([(m.content, [e.to_dict() for e in m.embeds]) for m in messages])
        assert "@everyone" not in blob and "@here" not in blob and "<@&" not in blob
        assert _quotes(messages) == [ARTICLE]  # still displayed verbatim


@pytest.mark.parametrize("length", [3000, 9000, 20000])
def test_a_huge_quote_is_split_never_cut(length: int) -> None:
    quote = ("The plant *fire* burned_for `hours` | " * 600)[:length]
    reply = make_reply(n_sources=1, quote=quote)
    messages = render_reply(reply)
    _fits(messages)
    assert " ".join(_quotes(messages)).split() == quote.split()


def test_not_found_renders_without_sources() -> None:
    reply = Reply(query="q?", mode="question", verdict=Verdict.NOT_FOUND,
                  summary="Not found: no source answers this.")
    [message] = render_reply(reply)
    assert message.embeds[0].title.startswith("🔍")
    assert message.embeds[0].description == "No source answers this."


def test_all_sources_show_every_quote_whole_with_its_number() -> None:
    reply = make_reply(n_sources=30, quote=ARTICLE * 3)
    reply.notes.append("2 claims dropped: quote not verbatim")
    pages = render_all_sources(reply)
    _fits(pages)
    assert len(pages) > 1 and all(p.content is None for p in pages)
    values = "\n".join(f.value for p in pages for e in p.embeds for f in e.fields)
    assert re.findall(r"\*\*\[(\d+)\]\*\*", values) == [str(i) for i in range(1, 31)]
    for page in pages:
        for embed in page.embeds:
            for field in embed.fields:
                quotes = [ln[2:] for ln in field.value.split("\n") if ln.startswith("> ")]
                assert not quotes or _unescape("\n".join(quotes)) == ARTICLE * 3
    assert pages[-1].embeds[-1].footer.text == "Note: 2 claims dropped: quote not verbatim"


def test_all_sources_skip_a_note_the_summary_says() -> None:
    reply = make_reply(n_sources=1)
    reply.notes.append("the fire started at 2 a.m.")
    pages = render_all_sources(reply)
    assert pages[-1].embeds[-1].footer.text is None


def test_measure_counts_what_a_phone_shows() -> None:
    assert displayed("**Bold** [Title](https://x.org/a#:~:text=b) \\*x\\*") == "Bold Title *x*"
    assert wrapped_lines("", 40) == 1
    assert wrapped_lines("word " * 20, 40) == 3  # 100 characters of words
    assert wrapped_lines("x" * 90, 40) == 3  # a long word is broken
    size = text_size("> " + "y " * 30 + "\nnext")
    assert size.lines == 3 and size.chars == len("y " * 30) + 4
