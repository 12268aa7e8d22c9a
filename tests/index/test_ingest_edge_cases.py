"""Ingest edge cases (issue 9): encodings, front matter, csv checks, symlinks, teasers."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from pathlib import Path

import pytest

from index.clean import clean_text, explain_clean
from index.ingest import collect_articles
from index.loaders import load_file
from index.metadata import FORMULA_START, csv_safe, read_sources_csv

MAX = 5_000_000
BODY = ("The council voted on Thursday to close the old library on Mill Street, "
        "and the reading room will move to the town hall in May.")


def _articles(folder: Path) -> dict[str, object]:
    result = collect_articles([folder], MAX)
    return {a.source_file: a for a in result.articles}


# --- encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_utf16_and_bom_files_are_decoded(tmp_path: Path, encoding: str) -> None:
    text = f"Library to close\n\n{BODY} Café owners said “it is a pity”."
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode(encoding))  # "utf-16" writes a BOM, -le/-be do not
    [doc] = load_file(path, MAX)
    assert doc.text == text


@pytest.mark.parametrize("data", [bytes(range(256)) * 4, b"\x00\xff" * 50, b"\x01\x00" * 64,
                                  b"\x00\x01\x02\x03"])
def test_real_binary_data_is_still_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "b.txt"
    path.write_bytes(data)
    failures = collect_articles([path], MAX).failures
    assert [f.reason for f in failures] == ["binary file (contains NUL bytes), not text"]


def test_sources_csv_in_utf16_is_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"Library to close\n\n{BODY}")
    (tmp_path / "sources.csv").write_bytes("file,outlet\na.txt,Mill Gazette\n".encode("utf-16"))
    assert _articles(tmp_path)["a.txt"].meta.outlet == "Mill Gazette"


# --- Markdown front matter -----------------------------------------------------------------


def test_front_matter_gives_metadata_and_is_not_article_text(tmp_path: Path, caplog) -> None:
    (tmp_path / "story.md").write_text(
        "---\noutlet: Mill Gazette\ntitle: \"Library to close: council vote\"\n"
        "date: 2025-03-04\nauthor: [Ann Lee, Bo Chan]\nlayout: post\n---\n"
        f"# Library to close\n\n{BODY}\n"
    )
    with caplog.at_level(logging.WARNING):
        article = _articles(tmp_path)["story.md"]
    assert article.meta.outlet == "Mill Gazette"
    assert article.meta.title == "Library to close: council vote"
    assert article.meta.published == "2025-03-04"
    assert article.meta.author == "Ann Lee, Bo Chan"
    assert "outlet:" not in article.text and "---" not in article.text
    assert article.text.startswith("Library to close")
    assert caplog.text.count("unknown front matter keys: layout") == 1


def test_bad_front_matter_is_removed_with_a_warning(tmp_path: Path, caplog) -> None:
    (tmp_path / "s.md").write_text(f"---\noutlet: [unclosed\n---\n{BODY}\n")
    with caplog.at_level(logging.WARNING):
        article = _articles(tmp_path)["s.md"]
    assert article.meta.outlet is None and article.text == BODY
    assert "not valid YAML" in caplog.text


def test_markdown_rule_that_is_not_front_matter_is_kept(tmp_path: Path) -> None:
    (tmp_path / "s.md").write_text(f"{BODY}\n\n---\n\nSecond part: {BODY}\n")
    assert "Second part" in _articles(tmp_path)["s.md"].text


# --- date alias, unknown fields -------------------------------------------------------------


def test_date_is_an_alias_of_published_in_json_and_csv(tmp_path: Path, caplog) -> None:
    lines = [{"text": BODY, "date": "4 March 2025", "lang": "en"},
             {"text": BODY + " Again.", "published": "2025-03-05", "date": "2020-01-01",
              "lang": "en", "id": 7}]
    (tmp_path / "feed.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    (tmp_path / "a.txt").write_text(f"Library to close\n\n{BODY}")
    (tmp_path / "sources.csv").write_text("file,Date,colour\na.txt,2025-02-01,blue\n")
    with caplog.at_level(logging.WARNING):
        result = collect_articles([tmp_path], MAX)
    dates = sorted(a.meta.published for a in result.articles)
    assert dates == ["2025-02-01", "2025-03-04", "2025-03-05"]  # published wins over date
    assert caplog.text.count("ignored unknown JSON fields: id, lang") == 1
    assert caplog.text.count("unknown columns ignored: colour") == 1


# --- sources.csv checks --------------------------------------------------------------------


def test_sources_csv_problems_are_warned_once_each(tmp_path: Path, caplog) -> None:
    (tmp_path / "a.txt").write_text(f"Library to close\n\n{BODY}")
    (tmp_path / "b.txt").write_text(f"Library to close\n\n{BODY} More.")
    (tmp_path / "sources.csv").write_text(
        "file,outlet,title,published\n"
        "a.txt,Mill Gazette,First title,not-a-date\n"
        "a.txt,Other Outlet,Second title,2025-01-01\n"
        'b.txt,"=HYPERLINK(""http://x.example"",""click"")",@SUM(1),2025-01-02\n'
        "gone.txt,Mill Gazette,,\n"
    )
    with caplog.at_level(logging.WARNING):
        articles = _articles(tmp_path)
    a, b = articles["a.txt"].meta, articles["b.txt"].meta
    assert (a.outlet, a.title, a.published) == ("Mill Gazette", "First title", None)
    assert not b.outlet.startswith(FORMULA_START) and b.outlet.startswith("HYPERLINK")
    assert b.title == "SUM(1)"
    log = caplog.text
    assert log.count("duplicate row for a.txt on line 3 ignored (first on line 2)") == 1
    assert log.count("dates that cannot be read were dropped: 'not-a-date' on line 2") == 1
    assert log.count("formula-like values neutralised: outlet on line 4, title on line 4") == 1
    assert log.count("rows for files that are not in the folder: gone.txt") == 1


@pytest.mark.parametrize("value", ["=1+1", "+44 News", "-minus", "@handle", "'=x", "\tTab"])
def test_values_written_to_csv_never_start_a_formula(tmp_path: Path, value: str) -> None:
    out = io.StringIO()
    csv.writer(out).writerow(["a.txt", csv_safe(value)])
    cell = next(csv.reader(io.StringIO(out.getvalue())))[1]
    assert not cell.startswith(FORMULA_START)
    # and what a file written that way reads back as is never formula-like either
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "sources.csv").write_text("file,outlet\n" + out.getvalue())
    outlet = read_sources_csv(tmp_path / "sources.csv").lookup("a.txt").outlet
    assert outlet is None or not outlet.startswith(FORMULA_START)


def test_a_file_name_escaped_on_writing_is_found_on_reading(tmp_path: Path) -> None:
    (tmp_path / "-minus.txt").write_text(f"Library to close\n\n{BODY}")
    (tmp_path / "sources.csv").write_text(f"file,outlet\n{csv_safe('-minus.txt')},Mill Gazette\n")
    assert _articles(tmp_path)["-minus.txt"].meta.outlet == "Mill Gazette"


def test_ordinary_values_are_written_unchanged() -> None:
    assert csv_safe("Mill Gazette") == "Mill Gazette"
    assert csv_safe(None) == ""


# --- symlinks ------------------------------------------------------------------------------


def test_symlink_loop_is_one_failure_and_the_rest_is_indexed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.txt").write_text(f"Library to close\n\n{BODY}")
    (corpus / "sub" / "b.txt").write_text(f"Reading room moves\n\n{BODY} Later.")
    os.symlink("..", corpus / "sub" / "up")  # a folder link back to its parent
    os.symlink("self", corpus / "self")  # a link to itself: cannot be followed
    result = collect_articles([corpus], MAX)
    assert sorted(a.source_file for a in result.articles) == ["a.txt", "b.txt"]
    reasons = {Path(f.path).name: f.reason for f in result.failures}
    assert reasons == {
        "up": f"symbolic link loop (points back to {corpus.resolve()})",
        "self": "symbolic link loop (the link cannot be followed)",
    }


def test_folders_and_files_reached_twice_are_read_once(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.txt").write_text(f"Library to close\n\n{BODY}")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    os.symlink(real, corpus / "link1")
    os.symlink(real, corpus / "link2")
    os.symlink(real / "a.txt", corpus / "same.txt")
    os.symlink(tmp_path / "missing.txt", corpus / "dangling.txt")
    result = collect_articles([corpus, real], MAX)
    assert [a.source_file for a in result.articles] == ["a.txt"]
    assert [(Path(f.path).name, f.reason) for f in result.failures] == [
        ("dangling.txt", "broken symbolic link")
    ]


# --- cleaning keeps body text --------------------------------------------------------------

TEASER_PAGE = (
    "Council closes library\n\n"
    "The council voted on Thursday to close the old library on Mill Street.\n\n"
    "Bridge repairs to start next week: engineers\n\n"
    "Engineers working on the river bridge say the repairs will take longer than the "
    "council had hoped and that traffic will be\u2026\n\n"
    "The reading room will move to the town hall in May, a spokesperson said.\n"
)


def test_a_real_teaser_is_still_dropped() -> None:
    cleaned = clean_text(TEASER_PAGE, "txt")
    assert "Bridge repairs" not in cleaned and "traffic will be" not in cleaned
    assert "reading room will move" in cleaned
    rules = {d.text[:20]: d.rule for d in explain_clean(TEASER_PAGE, "txt") if d.text}
    assert rules["Bridge repairs to st"] == rules["Engineers working on"] == "teaser"


@pytest.mark.parametrize(
    "text",
    [
        # an article of two sentences that both trail off
        "The mayor said the library would stay open for now\u2026\n\n"
        "Residents were told the decision could change after the budget vote...",
        # a body line after a stray opening quote
        "Library to close\n\n\u201cWe did what we could for the building\n\n"
        "The council had said the repairs would cost more than the town could pay...",
        # a paragraph of several lines, the last trailing off
        "Library to close\n\nThe vote was close.\nCouncillors argued for an hour\n"
        "and in the end the motion passed by one vote, with the chair saying that...",
        # a quoted remark that trails off, after a short line
        "Library to close\n\nWhat the chair said\n\n"
        "\u201cWe will see what the budget allows, and then we will decide\u2026\u201d",
    ],
)
def test_body_text_ending_in_an_ellipsis_is_kept(text: str) -> None:
    cleaned = clean_text(text, "txt")
    for line in text.split("\n"):
        if line.strip() and line.strip() != "Library to close":
            assert line.strip() in cleaned, line


def test_two_trailing_sentences_become_an_article(tmp_path: Path) -> None:
    (tmp_path / "short.txt").write_text(
        "The mayor said the library would stay open for now\u2026\n\n"
        "Residents were told the decision could change after the budget vote\u2026\n"
    )
    result = collect_articles([tmp_path], MAX)
    assert not result.failures and len(result.articles) == 1
