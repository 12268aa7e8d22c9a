"""Point 5: quotes are verified verbatim (whitespace and typographic marks aside), always."""

from __future__ import annotations

from bot.answer.types import Claim, Reply, Source, Verdict
from bot.answer.verify import (
    all_quotes_verbatim,
    anchor_source,
    locate_quote,
    normalise,
    verify_reply,
)
from tests.answer.helpers import article

TEXT = "The mayor said: “We will rebuild (all of it)\u00a0by  June” – and left.\nNext line."


def _source(art, quote: str, sid: int = 1, start: int = 0, end: int = 0) -> Source:
    return Source(id=sid, outlet=art.meta.outlet, title=None, published=None, url=None,
                  document=art.source_file, quote=quote, start=start, end=end,
                  article_id=art.id)


def test_normalise_maps_offsets_back() -> None:
    norm = normalise("a\u00a0 “b”\n–c")
    assert norm.text == 'a "b" -c'
    assert [norm.offsets[i] for i in range(len(norm.text))] == [0, 1, 3, 4, 5, 6, 7, 8]


def test_typographic_quotes_dashes_and_whitespace_match() -> None:
    span = locate_quote('"We will rebuild (all of it) by June" - and', TEXT)
    assert span is not None
    start, end = span
    assert TEXT[start:end].startswith("“We will rebuild (all of it)\u00a0by  June”")


def test_regex_characters_in_quote_are_plain_text() -> None:
    assert locate_quote("(all of it)", TEXT) is not None
    assert locate_quote("(all of it", TEXT) is not None
    assert locate_quote(".*", TEXT) is None


def test_not_fuzzy() -> None:
    assert locate_quote("We will rebuild (all of them)", TEXT) is None
    assert locate_quote("we will rebuild", TEXT) is None  # case matters


def test_anchor_replaces_quote_with_exact_slice() -> None:
    art = article(TEXT)
    anchored = anchor_source(_source(art, "We will rebuild (all of it) by June"), art)
    assert anchored is not None
    assert anchored.quote == art.text[anchored.start:anchored.end]


def test_verify_reply_drops_fabricated_quotes_and_orphan_claims() -> None:
    art = article(TEXT)
    good = _source(art, "We will rebuild (all of it) by June", sid=1)
    bad = _source(art, "We will never rebuild", sid=2)
    reply = Reply(query="q", mode="question", verdict=Verdict.ANSWERED, summary="s",
                  claims=[Claim(text="good", sources=[1]), Claim(text="bad", sources=[2]),
                          Claim(text="mixed", sources=[2, 1])],
                  sources=[good, bad])
    out = verify_reply(reply, {art.id: art})
    assert [s.id for s in out.sources] == [1]
    assert [c.text for c in out.claims] == ["good", "mixed"]
    assert all(c.sources == [1] for c in out.claims)
    assert all_quotes_verbatim(out, {art.id: art})
    assert any("not verbatim" in n for n in out.notes)


def test_unknown_article_is_dropped() -> None:
    art = article(TEXT)
    reply = Reply(query="q", mode="claim", verdict=Verdict.SUPPORTED, summary="s",
                  claims=[Claim(text="c", sources=[1])],
                  sources=[_source(art, "Next line.").model_copy(update={"article_id": "x"})])
    assert verify_reply(reply, {art.id: art}).sources == []


def test_outlet_label_names_unknown_outlets_and_republishers() -> None:
    from bot.answer.types import Source

    base = dict(id=1, title="t", published=None, url=None, document="d.txt", quote="q",
                start=0, end=1, article_id="a")
    assert Source(outlet=None, **base).outlet_label == "unknown outlet"
    assert Source(outlet="Ledger", **base).outlet_label == "Ledger"
    assert (Source(outlet="Ledger", republished_by="Hub", **base).outlet_label
            == "Ledger (republished by Hub)")
