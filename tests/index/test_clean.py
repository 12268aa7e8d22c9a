"""Cleaning page junk: line-by-line keep/drop lists for the seed and demo corpora, and rules.

Seed articles are third-party text: they are referred to by line number only (1-based line of
the raw file); the expected text is read from the file at test time.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from index.clean import clean_text, explain_clean, is_prose
from index.loaders import load_file

MAX = 5_000_000

# file -> (lines that must survive, lines that must go). Together they cover every non-blank
# line of the file (checked below), so no junk line goes unexamined.
SEED_LINES: dict[str, tuple[list[int], list[int]]] = {
    "000_10ac64a31bd1628e.txt": (
        [3, 7, 9, 11, 13, 17, 19],
        # section label, "Issued on", read-more x2, source credit, donation, republisher name
        # and self-description, related header, comment form, back-to-top
        [1, 5, 15, 21, 23, 25, 27, 29, 31, 33, 35, 37],
    ),
    "001_043ac7210efe0f4d.txt": (
        [3, 8, 12, 18, 20, 22, 24, 26, 30, 32, 34, 36, 40, 42, 44, 46, 48, 50, 52, 54, 56, 58, 60],
        # "Exclusive", dateline, caption printed twice (first copy), byline, audio x2,
        # podcast ad, read-more, then the "More Latest News" block of unrelated headlines
        [1, 5, 7, 10, 14, 16, 28, 38, *range(62, 129, 2)],
    ),
    "002_311be6bcf7b6cb24.txt": (
        # line 28 is the article's own subheading; 34-38 an embedded post with attribution
        [4, 6, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 42, 44],
        # breadcrumb x2, embedded unrelated teaser (headline + cut summary), "see more",
        # comment form with Akismet
        [1, 2, 8, 10, 12, 46, 48],
    ),
    "003_af2395a67663be8b.txt": (
        # line 7 is a photo caption that carries facts
        [4, 7, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30],
        # tag list, "Edit post", byline, AI-audio note, authors credit, "Comments",
        # "Editors' Picks"
        [1, 2, 6, 8, 32, 33, 35],
    ),
    "004_be0d90aa579888f6.txt": (
        # 14-15: photo caption block (facts); 23: the outlet's own "developing story" note
        [3, 8, 10, 12, 14, 15, 17, 19, 21, 23],
        # date line, empty byline, category strip, copyright
        [1, 5, 6, 25],
    ),
}

DEMO_LINES: dict[str, tuple[list[int], list[int]]] = {
    "01_tarnholm_courier.txt": (
        [3, 14, 16, 18, 20, 22, 24, 26, 28, 30],
        [1, 5, 7, 9, 11, 13, *range(32, 51, 2)],
    ),
    "03_newspulse_republish.txt": (
        [3, 7, 9, 11, 13, 17, 19],
        [1, 5, 15, 21, 23, 25, 27, 29, 31, 33, 35],
    ),
    "04_unknown.txt": (
        [4, 6, 14, 16, 18, 20, 22, 24],
        [1, 2, 8, 10, 12, 26, 28],
    ),
    "05_meridian_daily.md": (
        [4, 7, 10, 12, 14, 16, 18, 20],
        [1, 2, 6, 8, 22, 23, 25, 27],
    ),
}


def _expected(raw_line: str, fmt: str) -> str:
    line = raw_line.strip()
    return re.sub(r"^#{1,6}\s+", "", line) if fmt == "md" else line


def _check_lines(path: Path, keep: list[int], drop: list[int]) -> None:
    [doc] = load_file(path, MAX)
    raw_lines = doc.text.split("\n")
    cleaned = clean_text(doc.text, doc.format)
    cleaned_lines = cleaned.split("\n")
    non_blank = {n for n, line in enumerate(raw_lines, start=1) if line.strip()}
    assert set(keep) | set(drop) == non_blank, "keep/drop lists must cover every line"
    assert not set(keep) & set(drop)
    for n in keep:
        line = _expected(raw_lines[n - 1], doc.format)
        assert line in cleaned_lines, f"{path.name} line {n} should survive"
    for n in drop:
        line = _expected(raw_lines[n - 1], doc.format)
        assert line not in cleaned_lines, f"{path.name} line {n} should be removed"
        if len(line.split()) >= 4:
            # a long junk line may not hide inside a kept line either, except as the start of
            # the longer copy of a caption printed twice
            inside = [kept for kept in cleaned_lines if line in kept]
            assert all(kept.startswith(line) for kept in inside), f"{path.name} line {n}"


@pytest.mark.parametrize("name", sorted(SEED_LINES))
def test_seed_article_keep_and_drop(seed_corpus: Path, name: str) -> None:
    keep, drop = SEED_LINES[name]
    _check_lines(seed_corpus / name, keep, drop)


@pytest.mark.parametrize("name", sorted(DEMO_LINES))
def test_demo_article_keep_and_drop(demo_corpus: Path, name: str) -> None:
    keep, drop = DEMO_LINES[name]
    _check_lines(demo_corpus / name, keep, drop)


def test_demo_html_cleaned(demo_corpus: Path) -> None:
    [doc] = load_file(demo_corpus / "02_northern_ledger.html", MAX)
    cleaned = clean_text(doc.text, doc.format)
    for junk in (
        "TRACKING_SCRIPT_SHOULD_NOT_LEAK",
        "STYLE_SHOULD_NOT_LEAK",
        "cookies",
        "Share this article",
        "©",
        "All rights reserved",
        "dataLayer",
    ):
        assert junk not in cleaned
    paragraphs = cleaned.split("\n\n")
    assert (
        paragraphs[0] == "Two dead in Tarnholm chemical plant fire, ministry denies chlorine leak"
    )
    assert len(paragraphs) == 8
    assert all("\n" not in p for p in paragraphs)
    assert any(p.startswith("The environment ministry denied") for p in paragraphs)


def test_demo_jsonl_cleaned(demo_corpus: Path) -> None:
    docs = load_file(demo_corpus / "06_coastline_radio.jsonl", MAX)
    assert len(docs) == 2
    for doc in docs:
        cleaned = clean_text(doc.text, doc.format)
        raw_paragraphs = [p.strip() for p in doc.text.split("\n\n") if p.strip()]
        for paragraph in raw_paragraphs:
            if paragraph.startswith("Listen and subscribe"):
                assert paragraph not in cleaned
            else:
                assert paragraph in cleaned.split("\n\n")


# --- properties over all corpora ------------------------------------------------------------


def _all_docs(*folders: Path) -> list[tuple[str, str, str]]:
    out = []
    for folder in folders:
        for path in sorted(folder.iterdir()):
            if path.suffix in {".txt", ".md", ".html", ".jsonl"} and path.name != "README.md":
                out.extend((path.name, d.text, d.format) for d in load_file(path, MAX))
    return out


def test_cleaned_lines_are_original_characters(seed_corpus: Path, demo_corpus: Path) -> None:
    for name, text, fmt in _all_docs(seed_corpus, demo_corpus):
        raw = {_expected(line, fmt) for line in text.split("\n")}
        cleaned = clean_text(text, fmt)
        assert cleaned, name
        for line in cleaned.split("\n"):
            assert line == "" or line in raw, f"{name}: {line[:40]!r} is not an original line"
        assert "\n\n\n" not in cleaned
        assert cleaned == cleaned.strip()


def test_cleaning_is_idempotent(seed_corpus: Path, demo_corpus: Path) -> None:
    for name, text, fmt in _all_docs(seed_corpus, demo_corpus):
        once = clean_text(text, fmt)
        assert clean_text(once, fmt) == once, name


# --- rules on invented snippets ----------------------------------------------------------------

BODY = "The council said the bridge would reopen on Friday after repairs were finished."
BODY2 = "Engineers found no structural damage during the inspection on Thursday morning."


def _clean(*lines: str, fmt: str = "txt") -> str:
    return clean_text("\n\n".join(lines), fmt)


@pytest.mark.parametrize(
    ("junk", "rule"),
    [
        ("Listen to this article", "audio"),
        ("Loading audio...", "audio"),
        ("This audio is created with AI assistance", "audio"),
        ("Listen and subscribe to The Morning Pod on Example Radio", "audio"),
        ("Read more: Mayor opens new bus station", "read-more"),
        (">> Read more: Mayor opens new bus station", "read-more"),
        ("Donate to the Friends of Example Foundation", "donation"),
        ("Your email address will not be published. Required fields are marked *", "comment-form"),
        ("This site uses Akismet to reduce spam.", "comment-form"),
        ("Back to top button", "back-to-top"),
        ("Edit post", "edit-post"),
        ("Home > News > Bridge to reopen", "breadcrumb"),
        ("You are here", "breadcrumb"),
        ("see more", "see-more"),
        ("© 2024 Example Media Ltd", "copyright"),
        ("Copyright 2024 Example Media", "copyright"),
        ("Tags: bridge, council, repairs", "tag-list"),
        ("Bridges, Council, Roads and transport, Weather, Local news", "tag-list"),
        ("Source: Example Wire", "source-credit"),
        ("Authors: Ann Lee, Bo Chan", "authors-credit"),
        ("Share this article", "share-cookie-subscribe"),
        ("Share on Facebook", "share-cookie-subscribe"),
        ("Share", "share-cookie-subscribe"),
        ("We use cookies to improve your experience.", "share-cookie-subscribe"),
        ("Subscribe to our newsletter", "share-cookie-subscribe"),
    ],
)
def test_single_line_rules(junk: str, rule: str) -> None:
    text = "\n\n".join(["Bridge to reopen after repairs", BODY, junk, BODY2])
    decisions = {d.text: d for d in explain_clean(text, "txt")}
    assert decisions[junk].kept is False
    assert decisions[junk].rule == rule
    assert clean_text(text, "txt") == "\n\n".join(["Bridge to reopen after repairs", BODY, BODY2])


@pytest.mark.parametrize(
    "sentence",
    [
        "The charity said the donation would be returned to the company.",
        "Residents were asked to share the road with emergency vehicles.",
        "The bakery sells cookies shaped like the harbour cranes.",
        "Read the full report, the council said on Friday.",
        "Share prices of the plant's owner fell sharply on Tuesday.",
    ],
)
def test_sentences_that_mention_junk_words_are_kept(sentence: str) -> None:
    assert _clean("Bridge to reopen after repairs", BODY, sentence).endswith(sentence)


def test_related_block_drops_headlines_until_prose() -> None:
    cleaned = _clean(
        BODY,
        "Related Articles",
        "Mayor opens new bus station",
        "Harbour festival returns this summer?",
        BODY2,
    )
    assert cleaned == f"{BODY}\n\n{BODY2}"


@pytest.mark.parametrize(
    "header",
    [
        "More Latest News",
        "See more More Latest News",
        "Editors' Picks",
        "Editors’ Picks",
        "Most Read",
        "You may also like",
        "More from Example Gazette",
    ],
)
def test_related_headers(header: str) -> None:
    assert _clean(BODY, header, "Unrelated headline about a cat show") == BODY


def test_comment_header_ends_the_article() -> None:
    cleaned = _clean(BODY, "Leave a Reply", "Great article, thanks for sharing this news today.")
    assert cleaned == BODY
    assert _clean(BODY, "Comments", BODY2) == BODY


def test_teaser_with_cut_summary_is_dropped() -> None:
    cleaned = _clean(
        BODY,
        "Ferry company cancels winter timetable",
        "The ferry company said on Tuesday that it would not run its usual…",
        "see more",
        BODY2,
    )
    assert cleaned == f"{BODY}\n\n{BODY2}"


def test_truncated_quote_after_a_sentence_is_kept() -> None:
    quote = '"We will keep the bridge open for everyone," the mayor wrote, before adding…'
    intro = "The mayor published a statement on her channel."
    assert _clean(BODY, intro, quote) == f"{BODY}\n\n{intro}\n\n{quote}"


def test_duplicate_caption_keeps_the_longer_copy() -> None:
    text = (
        "Bridge to reopen after repairs\n\n"
        "Workers inspect the bridge deck on Thursday\n"
        "Workers inspect the bridge deck on Thursday. Picture: Example Gazette\n\n"
        f"{BODY}"
    )
    assert clean_text(text, "txt") == (
        "Bridge to reopen after repairs\n\n"
        "Workers inspect the bridge deck on Thursday. Picture: Example Gazette\n\n"
        f"{BODY}"
    )


def test_header_chrome_byline_and_dateline() -> None:
    text = "\n\n".join(
        [
            "Local",
            "Bridge to reopen after repairs",
            "3 May 2024, 10:12 | Updated: 3 May 2024",
            "By Ann Lee",
            "Roads Council Bridges",
            BODY,
            "By the evening, traffic was moving again.",
        ]
    )
    assert clean_text(text, "txt") == "\n\n".join(
        [
            "Bridge to reopen after repairs",
            BODY,
            "By the evening, traffic was moving again.",
        ]
    )


def test_short_body_lines_are_kept_after_the_header() -> None:
    assert _clean(BODY, "Bridge works", BODY2) == f"{BODY}\n\nBridge works\n\n{BODY2}"


def test_photo_caption_with_facts_is_kept() -> None:
    caption = "Workers inspect the bridge deck in Example Town on 3 May 2024. (Photo by Ann Lee)"
    assert _clean("Bridge to reopen after repairs", caption, BODY) == (
        f"Bridge to reopen after repairs\n\n{caption}\n\n{BODY}"
    )


def test_republisher_self_description_and_name() -> None:
    cleaned = _clean(
        BODY,
        "Example Hub",
        "Example Hub is a news sharing website that brings stories together.",
        BODY2,
    )
    assert cleaned == f"{BODY}\n\n{BODY2}"


def test_paragraph_lines_stay_together_and_whitespace_is_stripped() -> None:
    text = "  First line of a paragraph.  \nsecond line of it.\n\n\n\n   \nNext paragraph here.  "
    assert clean_text(text, "txt") == (
        "First line of a paragraph.\nsecond line of it.\n\nNext paragraph here."
    )


def test_html_lines_are_paragraphs() -> None:
    assert clean_text(f"Title of the page\n{BODY}\n{BODY2}", "html") == (
        f"Title of the page\n\n{BODY}\n\n{BODY2}"
    )


def test_markdown_heading_marks_are_removed() -> None:
    assert _clean("## Bridge to reopen after repairs", BODY, fmt="md") == (
        f"Bridge to reopen after repairs\n\n{BODY}"
    )


def test_words_are_never_rewritten() -> None:
    text = "Ünïcödé “quotes” — dashes…  and   spaces inside.\n\nSecond paragraph stays."
    assert clean_text(text, "txt") == text


def test_only_junk_gives_empty_text() -> None:
    assert clean_text("Listen to this article\n\nLeave a Reply\n\nComments", "txt") == ""
    assert clean_text("", "txt") == ""


def test_explain_reports_every_line() -> None:
    text = "Title of the story here\n\nListen to this article\n\n" + BODY
    decisions = explain_clean(text, "txt")
    assert [d.number for d in decisions] == [1, 2, 3, 4, 5]
    assert decisions[2].rule == "audio"
    assert decisions[4].kept


def test_is_prose() -> None:
    assert is_prose(BODY)
    assert is_prose('He said: "It will reopen on Friday as planned."')
    assert not is_prose("Mayor opens new bus station")
    assert not is_prose("Too short.")


def test_jsonl_text_is_cleaned_like_txt() -> None:
    record = json.dumps({"text": f"Listen to this article\n\n{BODY}"})
    assert clean_text(json.loads(record)["text"], "jsonl") == BODY
