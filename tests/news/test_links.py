"""Citation links with a text fragment that scrolls to the quoted words."""

from __future__ import annotations

from urllib.parse import unquote

from bot.links import quote_link, text_directive


def test_short_quote_is_matched_whole_and_encoded() -> None:
    link = quote_link("https://news.example.org/a#top", "Water peaked at 4.2 metres, 10% up")
    assert link == (
        "https://news.example.org/a#:~:text=Water%20peaked%20at%204.2%20metres%2C%2010%25%20up"
    )


def test_dashes_commas_and_ampersands_are_escaped() -> None:
    directive = text_directive("A well-known, fast & cheap fix")
    assert directive == "text=A%20well%2Dknown%2C%20fast%20%26%20cheap%20fix"


def test_long_or_multi_paragraph_quotes_use_start_and_end() -> None:
    quote = ("Flood barriers on the Lenna river held overnight, the regional water board "
             "said on Tuesday morning.")
    directive = text_directive(quote)
    assert directive is not None
    start, end = directive.removeprefix("text=").split(",")
    assert unquote(start) == "Flood barriers on the Lenna"
    assert unquote(end) == "board said on Tuesday morning."
    two = text_directive("First paragraph ends here.\n\nSecond one starts.")
    assert two == "text=First%20paragraph%20ends%20here.,Second%20one%20starts."


def test_no_link_without_an_http_url() -> None:
    assert quote_link(None, "x") is None
    assert quote_link("javascript:alert(1)", "x") is None
    assert quote_link("ftp://example.org/a", "x") is None
    assert quote_link("https://example.org/a", "") == "https://example.org/a"


def test_terminal_citations_link_to_the_quoted_words() -> None:
    from bot.answer.types import Claim, Reply, Source, Verdict
    from bot.terminal import render_reply

    quote = "Water peaked at 4.2 metres"
    sources = [
        Source(id=1, outlet="Lenna Courier", title="Barriers hold", published="2026-02-03",
               url="https://news.example.org/a", document="a.jsonl", quote=quote, start=0,
               end=len(quote), article_id="a"),
        Source(id=2, outlet=None, title=None, published=None, url=None, document="b.txt",
               quote=quote, start=0, end=len(quote), article_id="b"),
    ]
    reply = Reply(query="How high?", mode="question", verdict=Verdict.ANSWERED, summary="4.2 m",
                  claims=[Claim(text="It peaked at 4.2 metres.", sources=[1, 2])],
                  sources=sources)
    lines = render_reply(reply).splitlines()
    links = [line.strip() for line in lines if "#:~:text=" in line]
    assert links == ["https://news.example.org/a#:~:text=Water%20peaked%20at%204.2%20metres"]
