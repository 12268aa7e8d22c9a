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
