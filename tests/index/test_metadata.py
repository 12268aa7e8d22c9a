"""Metadata: sources.csv parsing, date normalisation, heuristics and the priority order."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest import collect_articles
from index.metadata import (
    article_meta,
    guess_title,
    heuristic_meta,
    merge_meta,
    normalise_date,
    read_sources_csv,
)
from index.types import SourceMeta

MAX = 5_000_000


def _csv(tmp_path: Path, data: str | bytes) -> Path:
    path = tmp_path / "sources.csv"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


# --- sources.csv ---------------------------------------------------------------------------


def test_full_csv(tmp_path: Path) -> None:
    table = read_sources_csv(
        _csv(
            tmp_path,
            (
                "file,outlet,title,published,author,url,republished_by\n"
                "a.txt,Gazette,A title,22 May 2023,Ann Lee,https://g.example/a,Hub\n"
                'b.txt,,"Title, with comma",,,,\n'
            ),
        )
    )
    assert table.failure is None
    assert table.lookup("a.txt") == SourceMeta(
        outlet="Gazette",
        title="A title",
        published="2023-05-22",
        author="Ann Lee",
        url="https://g.example/a",
        republished_by="Hub",
    )
    assert table.lookup("b.txt") == SourceMeta(title="Title, with comma")
    assert table.lookup("c.txt") is None


def test_csv_with_bom_missing_extra_and_reordered_columns(tmp_path: Path) -> None:
    data = "\ufeffOutlet, File ,Extra\nGazette,a.txt,ignored\n,b.txt\n\nShort".encode()
    table = read_sources_csv(_csv(tmp_path, data))
    assert table.failure is None
    assert table.lookup("a.txt") == SourceMeta(outlet="Gazette")
    assert table.lookup("b.txt") == SourceMeta()
    assert table.lookup("A.TXT") == SourceMeta(outlet="Gazette")  # case-insensitive fallback


def test_csv_drops_unparseable_dates_with_a_warning(tmp_path: Path, caplog) -> None:
    (tmp_path / "a.txt").write_text("x")
    table = read_sources_csv(_csv(tmp_path, "file,published\na.txt,spring 2023\n"))
    assert table.lookup("a.txt") == SourceMeta(published=None)
    assert table.warnings == ["dates that cannot be read were dropped: 'spring 2023' on line 2"]
    assert "spring 2023" in caplog.text


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ('file,outlet\na.txt,"Gazette"x\n', "malformed sources.csv"),
        ("outlet,title\nGazette,T\n", "no 'file' column"),
        (b"file,outlet\na.txt,Caf\xe9\n", "not valid UTF-8"),
        (b"file\x00,outlet\n", "binary"),
    ],
)
def test_bad_csv_is_reported_not_raised(tmp_path: Path, data: str | bytes, fragment: str) -> None:
    table = read_sources_csv(_csv(tmp_path, data))
    assert table.rows == {}
    assert table.failure is not None
    assert fragment in table.failure.reason
    assert "\n" not in table.failure.reason


def test_empty_csv(tmp_path: Path) -> None:
    table = read_sources_csv(_csv(tmp_path, ""))
    assert table.rows == {} and table.failure is None


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-05-22", "2023-05-22"),
        (" date 2023-05-22 World", "2023-05-22"),
        ("2024-03-12T14:05:00+00:00", "2024-03-12"),
        ("2024-03-11T23:50:00Z", "2024-03-11"),
        ("22 May 2023, 19:29 | Updated: 23 May 2023", "2023-05-22"),
        ("March 19, 2024 5:31 PM", "2024-03-19"),
        ("by Someone Sept. 3rd, 2021", "2021-09-03"),
        ("1st Dec 2020", "2020-12-01"),
        ("31 February 2023", None),
        ("no date here", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_date(value: str | None, expected: str | None) -> None:
    assert normalise_date(value) == expected


# --- heuristics ----------------------------------------------------------------------------


def test_heuristics_title_date_author_never_outlet() -> None:
    raw = (
        "World\n\nBridge to reopen after repairs\n\n12 March 2024, 08:15\n\nBy Ann Lee\n\n"
        "Source: Example Wire\n\nExample Gazette reports that the bridge will reopen.\n"
    )
    cleaned = "Bridge to reopen after repairs\n\nExample Gazette reports that the bridge..."
    meta = heuristic_meta(raw, cleaned)
    assert meta == SourceMeta(
        title="Bridge to reopen after repairs", published="2024-03-12", author="Ann Lee"
    )
    assert meta.outlet is None


def test_heuristic_author_from_long_byline_and_authors_line() -> None:
    raw = "Title here now\nby Ann Lee and the Example news desk March 19, 2024 5:31 PM\nBody."
    assert heuristic_meta(raw, "").author == "Ann Lee and the Example news desk"
    assert heuristic_meta("Body text.\n\nAuthors: Bo Chan, Desk", "").author == "Bo Chan"
    assert heuristic_meta("By\n\nBody text.", "").author is None
    assert heuristic_meta("by the river the town flooded. " * 2, "").author is None


def test_heuristic_date_only_from_the_page_header() -> None:
    raw = "\n".join(
        ["Title of the story"]
        + [f"Paragraph {i} of the body." for i in range(20)]
        + ["Posted 22 May 2023"]
    )
    assert heuristic_meta(raw, "").published is None


@pytest.mark.parametrize(
    ("cleaned", "title"),
    [
        ("Bridge to reopen after repairs\n\nBody.", "Bridge to reopen after repairs"),
        ("Will the bridge reopen?\n\nBody.", "Will the bridge reopen?"),
        ("The council said the bridge would reopen.\n\nBody.", None),
        ("Two words\n\nBody.", None),
        ("Caption line one\nline two\n\nBody.", None),
        ("", None),
    ],
)
def test_guess_title(cleaned: str, title: str | None) -> None:
    assert guess_title(cleaned) == title


# --- priority ------------------------------------------------------------------------------

CSV = SourceMeta(outlet="Csv Outlet", title="Csv title", published=None)
DOC = SourceMeta(
    outlet="Doc Outlet", title="Doc title", published="2024-03-12T14:05:00Z", author="Doc Author"
)
GUESS = SourceMeta(title="Guessed title", published="2020-01-01", author="Guessed Author")


def test_csv_beats_document_beats_heuristics() -> None:
    meta = article_meta(CSV, DOC, GUESS)
    assert meta.outlet == "Csv Outlet"
    assert meta.title == "Csv title"
    assert meta.published == "2024-03-12"  # from the document, normalised
    assert meta.author == "Doc Author"


def test_heuristics_fill_the_remaining_gaps_but_never_the_outlet() -> None:
    sneaky = SourceMeta(outlet="Guessed Outlet", title="Guessed", republished_by="Guessed Hub")
    meta = article_meta(None, SourceMeta(), sneaky)
    assert meta == SourceMeta(title="Guessed")


def test_empty_csv_outlet_falls_through_to_the_document() -> None:
    assert article_meta(SourceMeta(title="T"), DOC, GUESS).outlet == "Doc Outlet"
    assert article_meta(SourceMeta(title="T"), SourceMeta(), GUESS).outlet is None


def test_document_first_for_json_lines() -> None:
    meta = article_meta(CSV, DOC, GUESS, document_first=True)
    assert meta.outlet == "Doc Outlet" and meta.title == "Doc title"
    meta = article_meta(CSV, SourceMeta(), GUESS, document_first=True)
    assert meta.outlet == "Csv Outlet"


def test_merge_meta_never_shows_an_unparseable_date() -> None:
    assert merge_meta(SourceMeta(published="spring 2023")).published is None
    # an unreadable date in a higher layer gives way to a readable one below it
    layers = (SourceMeta(published="not-a-date"), SourceMeta(published="4 March 2025"))
    assert merge_meta(*layers).published == "2025-03-04"
    assert merge_meta(None, SourceMeta(title="x")).title == "x"


# --- the corpora ---------------------------------------------------------------------------

SEED_OUTLETS = {
    "000_10ac64a31bd1628e.txt": "France 24",
    "001_043ac7210efe0f4d.txt": "LBC",
    "002_311be6bcf7b6cb24.txt": None,
    "003_af2395a67663be8b.txt": "The Kyiv Independent",
    "004_be0d90aa579888f6.txt": "Newsweek",
}


def test_seed_metadata(seed_corpus: Path) -> None:
    result = collect_articles([seed_corpus], MAX)
    assert result.failures == []
    by_file = {a.source_file: a.meta for a in result.articles}
    assert {name: m.outlet for name, m in by_file.items()} == SEED_OUTLETS
    # the republication: outlet stays the original; "Source: ..." in the text changes nothing
    assert by_file["000_10ac64a31bd1628e.txt"].republished_by == "Global NewsX"
    assert all(m.republished_by is None for n, m in by_file.items() if not n.startswith("000"))
    assert by_file["000_10ac64a31bd1628e.txt"].published is None
    assert by_file["001_043ac7210efe0f4d.txt"].published == "2023-05-22"
    assert by_file["003_af2395a67663be8b.txt"].published == "2024-03-19"
    assert by_file["001_043ac7210efe0f4d.txt"].author == "Will Taylor"
    assert all(m.title for m in by_file.values())


def test_seed_unknown_outlet_stays_unknown_without_csv(seed_corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes((seed_corpus / "000_10ac64a31bd1628e.txt").read_bytes())
    (tmp_path / "b.txt").write_bytes((seed_corpus / "002_311be6bcf7b6cb24.txt").read_bytes())
    result = collect_articles([tmp_path], MAX)
    assert [a.meta.outlet for a in result.articles] == [None, None]
    assert result.articles[0].meta.republished_by is None
    # heuristics still find the headline and (for b.txt) nothing that is not there
    assert result.articles[1].meta.title is not None


DEMO_META = {
    "01_tarnholm_courier.txt": ("Tarnholm Courier", "2024-03-12", "Hanna Ostrova", None),
    "02_northern_ledger.html": ("Northern Ledger", "2024-03-12", "Tomas Reinholt", None),
    "03_newspulse_republish.txt": ("Northern Ledger", "2024-03-13", None, "NewsPulse Hub"),
    "04_unknown.txt": (None, "2024-03-12", None, None),
    "05_meridian_daily.md": ("Meridian Daily", "2024-03-13", "Lena Sato", None),
}


def test_demo_metadata(demo_corpus: Path) -> None:
    result = collect_articles([demo_corpus], MAX)
    assert result.failures == []
    for article in result.articles:
        meta = article.meta
        if article.source_file.endswith(".jsonl"):
            assert meta.outlet == "Coastline Radio News"
            assert meta.published in {"2024-03-11", "2024-03-14"}
            assert meta.url and meta.url.startswith("https://coastline-radio.example/")
            continue
        expected = DEMO_META[article.source_file]
        assert (meta.outlet, meta.published, meta.author, meta.republished_by) == expected
        assert meta.title
