"""A fetched page -> article file: trafilatura extraction, declared metadata, canonical URL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.fetch import FetchResult
from index.loaders import load_file
from index.web import (
    ExtractError,
    article_filename,
    article_from_page,
    canonical_url,
    normalise_url,
    write_article,
)
from tests.news.server import article_html

PARAS = [
    "Flood barriers on the Lenna river held overnight, the regional water board said.",
    "Engineer Tomas Brek said the water peaked at 4.2 metres just after midnight.",
]


def _page(html: str, url: str = "https://news.example.org/a/flood?utm_source=x") -> FetchResult:
    return FetchResult(url=url, status=200, body=html.encode("utf-8"), charset="utf-8",
                       content_type="text/html")


def test_main_text_and_declared_metadata_are_kept() -> None:
    html = article_html("Lenna flood barriers hold", PARAS, site="Lenna Courier",
                        author="Ida Moor", published="2026-02-03T07:00:00Z",
                        canonical="https://news.example.org/a/flood")
    article = article_from_page(_page(html))
    assert article.outlet == "Lenna Courier" and article.title == "Lenna flood barriers hold"
    assert article.author == "Ida Moor" and article.published == "2026-02-03"
    assert article.url == "https://news.example.org/a/flood"
    assert PARAS[0] in article.text and PARAS[1] in article.text
    for junk in ("Home", "Sport", "document.cookie", "Subscribe"):
        assert junk not in article.text


def test_outlet_is_never_guessed_from_the_host_or_title() -> None:
    article = article_from_page(_page(article_html("Lenna flood barriers hold", PARAS)))
    assert article.outlet is None
    assert article.url == "https://news.example.org/a/flood"  # tracking parameter dropped


def test_moderator_values_win_over_the_page() -> None:
    html = article_html("Lenna flood barriers hold", PARAS, site="Lenna Courier")
    article = article_from_page(_page(html), outlet="Lenna Radio", title="Barriers hold",
                                published="2026-02-04")
    assert (article.outlet, article.title, article.published) == (
        "Lenna Radio", "Barriers hold", "2026-02-04")


def test_a_page_cannot_claim_another_sites_canonical_url() -> None:
    html = article_html("Lenna flood barriers hold", PARAS,
                        canonical="https://trusted.example.com/a/flood")
    assert article_from_page(_page(html)).url == "https://news.example.org/a/flood"
    assert canonical_url("https://www.example.org/x#top", "https://example.org/y") == (
        "https://www.example.org/x")
    assert canonical_url("/relative/path", "https://example.org/y") == (
        "https://example.org/relative/path")
    assert canonical_url("javascript:alert(1)", "https://example.org/y") == "https://example.org/y"


def test_empty_page_is_one_clear_error() -> None:
    html = "<html><body><nav>Home</nav><script>var x = 1;</script></body></html>"
    with pytest.raises(ExtractError, match="^no article text found on that page$"):
        article_from_page(_page(html))


def test_declared_and_undeclared_charsets_decode() -> None:
    html = article_html("Lenna flood barriers hold", ["Überschwemmung in Lenna: die Dämme hielten "
                                                      "in der Nacht, sagte der Wasserverband."])
    latin = FetchResult(url="https://news.example.org/b", status=200,
                        body=html.encode("latin-1"), charset="iso-8859-1")
    assert "Überschwemmung" in article_from_page(latin).text
    guessed = FetchResult(url="https://news.example.org/b", status=200,
                          body=html.encode("cp1252"), charset=None)
    assert "Dämme" in article_from_page(guessed).text


def test_normalise_url() -> None:
    assert normalise_url("HTTPS://News.Example.org:443/a?b=1&utm_medium=x&fbclid=y#c") == (
        "https://news.example.org/a?b=1")
    assert normalise_url("http://example.org:8080") == "http://example.org:8080/"


def test_file_is_named_by_canonical_url_and_rewritten_in_place(tmp_path: Path) -> None:
    html = article_html("Lenna flood barriers hold", PARAS, site="Lenna Courier")
    article = article_from_page(_page(html))
    name = article_filename(article.url)
    assert name.startswith("news-example-org-a-flood-") and name.endswith(".jsonl")
    path, state = write_article(tmp_path, article)
    assert state == "added" and path.name == name
    assert write_article(tmp_path, article) == (path, "unchanged")
    changed = article_from_page(_page(article_html("Lenna flood barriers hold",
                                                   [*PARAS, "The board lifted the alert."],
                                                   site="Lenna Courier")))
    assert write_article(tmp_path, changed) == (path, "updated")
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temp files left behind
    record = json.loads(path.read_text())
    assert record["url"] == article.url and record["outlet"] == "Lenna Courier"
    [doc] = load_file(path, 1_000_000)  # the normal loader reads it back
    assert doc.doc_meta.url == article.url and doc.doc_meta.outlet == "Lenna Courier"
    assert "The board lifted the alert." in doc.text


def test_a_refetch_without_an_outlet_keeps_the_one_given_before(tmp_path: Path) -> None:
    html = article_html("Lenna flood barriers hold", PARAS)
    path, _ = write_article(tmp_path, article_from_page(_page(html), outlet="Lenna Radio"))
    assert write_article(tmp_path, article_from_page(_page(html))) == (path, "unchanged")
    assert json.loads(path.read_text())["outlet"] == "Lenna Radio"
    renamed = article_from_page(_page(html), outlet="Lenna Courier")
    assert write_article(tmp_path, renamed) == (path, "updated")
    assert json.loads(path.read_text())["outlet"] == "Lenna Courier"
