"""The invented demo corpus: shape, traps that other tests rely on, and no copied seed text."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from index.ingest import collect_articles

MAX = 5_000_000
COLUMNS = ["file", "outlet", "title", "published", "author", "url", "republished_by"]


def _articles(demo_corpus: Path) -> dict[str, str]:
    result = collect_articles([demo_corpus], MAX)
    return {a.source_key.rsplit("/", 1)[-1]: a.text for a in result.articles}


def test_files_and_formats(demo_corpus: Path) -> None:
    names = sorted(p.name for p in demo_corpus.iterdir())
    assert names == [
        "01_tarnholm_courier.txt",
        "02_northern_ledger.html",
        "03_newspulse_republish.txt",
        "04_unknown.txt",
        "05_meridian_daily.md",
        "06_coastline_radio.jsonl",
        "README.md",
        "sources.csv",
    ]


def test_sources_csv_columns_and_traps(demo_corpus: Path) -> None:
    with (demo_corpus / "sources.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0].keys()) == COLUMNS
    by_file = {r["file"]: r for r in rows}
    assert by_file["04_unknown.txt"]["outlet"] == ""  # the article with no known outlet
    assert by_file["03_newspulse_republish.txt"]["republished_by"] == "NewsPulse Hub"
    assert by_file["03_newspulse_republish.txt"]["outlet"] == "Northern Ledger"


def test_html_page_has_meta_and_script(demo_corpus: Path) -> None:
    page = (demo_corpus / "02_northern_ledger.html").read_text(encoding="utf-8")
    for needle in (
        'property="og:title"',
        'property="og:site_name"',
        'property="article:published_time"',
        "<script>",
    ):
        assert needle in page


def test_jsonl_records(demo_corpus: Path) -> None:
    lines = (demo_corpus / "06_coastline_radio.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 2
    assert all(set(r) == {"text", "outlet", "title", "published", "url"} for r in records)


def test_article_lengths(demo_corpus: Path) -> None:
    texts = _articles(demo_corpus)
    assert len(texts) == 7
    for key, text in texts.items():
        assert 120 <= len(text.split()) <= 500, key


def test_unknown_outlet_text_reveals_no_outlet(demo_corpus: Path) -> None:
    text = (demo_corpus / "04_unknown.txt").read_text(encoding="utf-8")
    outlets = [
        "Tarnholm Courier",
        "Northern Ledger",
        "NewsPulse",
        "Meridian Daily",
        "Coastline Radio",
        "Ledger Online",
    ]
    assert not any(outlet in text for outlet in outlets)


def test_conflicting_claims_are_present(demo_corpus: Path) -> None:
    texts = _articles(demo_corpus)
    everything = "\n".join(texts.values())
    for needle in (
        "12 kilometres",
        "30 kilometres",
        "two workers had died",
        "true toll is four",
        "third worker had died",
        "one of its employees had died",
        "denied",
        "lightning",
        "no thunderstorms",
        "remains in control of the site",
        "Police have taken control of the site",
        "army chemical defence unit",
    ):
        assert needle in everything, needle
    # spelling variants of the town appear in different outlets' articles
    assert "Tarnholme" in texts["04_unknown.txt"]
    assert "Tarnholme" in texts["06_coastline_radio.jsonl#L1"]
    assert "Tarnholme" not in texts["01_tarnholm_courier.txt"]
    assert re.search(r"\bTarnholm\b", texts["01_tarnholm_courier.txt"])


def test_readme_lists_questions(demo_corpus: Path) -> None:
    readme = (demo_corpus / "README.md").read_text(encoding="utf-8")
    assert "invented" in readme.lower()
    questions = re.findall(r"^\d+\. \*\*.+\?\*\*", readme, flags=re.MULTILINE)
    assert 6 <= len(questions) <= 10


def test_no_seed_text_is_copied(seed_corpus: Path, demo_corpus: Path) -> None:
    """No run of 7 words from a seed article's body appears in the demo corpus (licence rule).

    Page boilerplate ("Leave a Reply", "Listen to this article") is imitated on purpose, so the
    comparison uses the seed articles' cleaned text.
    """

    def shingles(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i : i + 7]) for i in range(len(words) - 6)}

    seed: set[tuple[str, ...]] = set()
    for article in collect_articles([seed_corpus], MAX).articles:
        seed |= shingles(article.text)
    for path in demo_corpus.iterdir():
        copied = shingles(path.read_text(encoding="utf-8")) & seed
        assert not copied, f"{path.name} shares text with the seed corpus: {sorted(copied)[:3]}"
