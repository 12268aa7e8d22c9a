"""Ingest: walking folders, merging metadata, cleaning, and surviving every bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import index.ingest as ingest
from index.ingest import EMPTY_AFTER_CLEANING, IngestResult, collect_articles
from index.types import Article

MAX = 5_000_000
BODY = "The council said the bridge would reopen on Friday after repairs were finished."


def _reasons(result: IngestResult) -> dict[str, str]:
    return {Path(f.path).name: f.reason for f in result.failures}


def test_demo_corpus_ingests_cleanly(demo_corpus: Path) -> None:
    result = collect_articles([demo_corpus], MAX)
    assert result.failures == []
    names = [a.source_file for a in result.articles]
    assert names == [
        "01_tarnholm_courier.txt",
        "02_northern_ledger.html",
        "03_newspulse_republish.txt",
        "04_unknown.txt",
        "05_meridian_daily.md",
        "06_coastline_radio.jsonl",
        "06_coastline_radio.jsonl",
    ]  # README.md and sources.csv are skipped
    keys = [a.source_key for a in result.articles]
    assert len(set(keys)) == len(keys)
    assert keys[-1].endswith("06_coastline_radio.jsonl#L2")
    assert all(isinstance(a, Article) and a.text and a.content_hash for a in result.articles)


def test_seed_corpus_ingests_cleanly(seed_corpus: Path) -> None:
    result = collect_articles([seed_corpus], MAX)
    assert result.failures == []
    assert len(result.articles) == 5
    for article in result.articles:
        assert "Leave a Reply" not in article.text
        assert "More Latest News" not in article.text


def test_ids_are_stable_across_runs(demo_corpus: Path) -> None:
    first = collect_articles([demo_corpus], MAX)
    second = collect_articles([demo_corpus], MAX)
    assert [(a.id, a.content_hash) for a in first.articles] == [
        (a.id, a.content_hash) for a in second.articles
    ]


def test_bad_files_are_reported_and_the_rest_completes(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(f"Bridge to reopen after repairs\n\n{BODY}\n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "latin1.txt").write_bytes("Caf\u00e9".encode("latin-1"))
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "notes").write_text("no extension")
    with (tmp_path / "huge.txt").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (tmp_path / "junk.txt").write_text("Listen to this article\n\nLeave a Reply\n")
    (tmp_path / "feed.jsonl").write_text(
        json.dumps({"text": BODY, "outlet": "Feed"}) + "\n{oops\n" + json.dumps({"x": 1}) + "\n"
    )
    (tmp_path / "script.html").write_text(
        "<html><head><script>var LEAK = 'SCRIPT_LEAK';</script></head><body><article>"
        f"<p>{BODY}</p></article></body></html>"
    )
    (tmp_path / ".hidden.txt").write_text(BODY)
    hidden_dir = tmp_path / ".git"
    hidden_dir.mkdir()
    (hidden_dir / "x.txt").write_text(BODY)
    nested = tmp_path / "sub" / "deeper"
    nested.mkdir(parents=True)
    (nested / "nested.md").write_text(f"# Nested story about the bridge\n\n{BODY}\n")

    result = collect_articles([tmp_path], MAX)

    assert [a.source_file for a in result.articles] == [
        "feed.jsonl",
        "good.txt",
        "script.html",
        "nested.md",
    ]
    assert all("SCRIPT_LEAK" not in a.text for a in result.articles)
    assert result.articles[0].meta.outlet == "Feed"
    reasons = _reasons(result)
    assert reasons["binary.txt"].startswith("binary file")
    assert reasons["empty.md"] == "empty file"
    assert reasons["latin1.txt"] == "not valid UTF-8 text (byte 3)"
    assert reasons["report.pdf"] == "unsupported file type .pdf"
    assert reasons["notes"] == "unsupported file type (no file extension)"
    assert reasons["huge.txt"].startswith("file too large")
    assert reasons["junk.txt"] == EMPTY_AFTER_CLEANING
    assert reasons["feed.jsonl#L2"].startswith("line 2: malformed JSON")
    assert "text" in reasons["feed.jsonl#L3"]
    assert ".hidden.txt" not in reasons and "x.txt" not in reasons
    assert all("\n" not in f.reason for f in result.failures)


def test_readme_rule(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "sources.csv").write_text("file,outlet\na.txt,Gazette\n")
    (corpus / "a.txt").write_text(BODY)
    (corpus / "README.md").write_text(f"# About this corpus\n\n{BODY}\n")
    listed = tmp_path / "listed"
    listed.mkdir()
    (listed / "sources.csv").write_text("file,outlet\nREADME.md,Docs Weekly\n")
    (listed / "README.md").write_text(f"# A listed article\n\n{BODY}\n")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "README.md").write_text(f"# No csv here\n\n{BODY}\n")

    result = collect_articles([corpus, listed, plain], MAX)
    assert result.failures == []
    got = [(Path(a.source_key).parent.name, a.source_file, a.meta.outlet) for a in result.articles]
    assert got == [
        ("corpus", "a.txt", "Gazette"),
        ("listed", "README.md", "Docs Weekly"),
        ("plain", "README.md", None),
    ]


def test_readme_given_as_a_file_is_taken(tmp_path: Path) -> None:
    (tmp_path / "sources.csv").write_text("file,outlet\na.txt,Gazette\n")
    (tmp_path / "README.md").write_text(f"# Notes\n\n{BODY}\n")
    result = collect_articles([tmp_path / "README.md"], MAX)
    assert [a.source_file for a in result.articles] == ["README.md"]


def test_files_are_taken_as_given_and_duplicates_dropped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(BODY)
    (tmp_path / "b.pdf").write_text("x")
    result = collect_articles(
        [tmp_path / "a.txt", tmp_path, tmp_path / "a.txt", tmp_path / "b.pdf"], MAX
    )
    assert [a.source_file for a in result.articles] == ["a.txt"]
    assert [f.reason for f in result.failures] == ["unsupported file type .pdf"]


def test_missing_path(tmp_path: Path) -> None:
    result = collect_articles([tmp_path / "nope"], MAX)
    assert result.articles == []
    assert [f.reason for f in result.failures] == ["no such file or folder"]


def test_malformed_csv_is_reported_once_and_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "sources.csv").write_text('file,outlet\na.txt,"Gazette"x\n')
    (tmp_path / "a.txt").write_text(f"Bridge to reopen after repairs\n\n{BODY}\n")
    (tmp_path / "b.txt").write_text(BODY)
    result = collect_articles([tmp_path], MAX)
    assert [a.source_file for a in result.articles] == ["a.txt", "b.txt"]
    assert all(a.meta.outlet is None for a in result.articles)
    assert len(result.failures) == 1
    assert result.failures[0].path.endswith("sources.csv")
    assert "malformed sources.csv" in result.failures[0].reason


def test_unexpected_error_in_one_file_does_not_stop_the_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_text("BOOM " + BODY)
    (tmp_path / "b.txt").write_text(BODY)
    real = ingest.clean_text

    def flaky(text: str, fmt: str) -> str:
        if text.startswith("BOOM"):
            raise RuntimeError("cleaner exploded\nsecond line")
        return real(text, fmt)

    monkeypatch.setattr(ingest, "clean_text", flaky)
    result = collect_articles([tmp_path], MAX)
    assert [a.source_file for a in result.articles] == ["b.txt"]
    assert _reasons(result) == {"a.txt": "unexpected error: RuntimeError: cleaner exploded"}


def test_article_text_is_the_cleaned_text(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        f"Local\n\nBridge to reopen after repairs\n\nListen to this article\n\n{BODY}\n"
        "\nRelated Articles\n\nCat show draws record crowd\n"
    )
    [article] = collect_articles([tmp_path], MAX).articles
    assert article.text == f"Bridge to reopen after repairs\n\n{BODY}"
    assert article.meta.title == "Bridge to reopen after repairs"
    assert article.source_key == str((tmp_path / "a.txt").resolve())
    assert article == Article.make(article.text, "a.txt", article.source_key, article.meta)
