"""Uploaded files: checked with the index's own loader before they are kept; list, remove."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.answer.errors import UserFacingError
from bot.discord.uploads import check_article, list_uploads, remove_upload, save_upload

LIMIT = 100_000


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("a.txt", bytes(range(256)), "binary"),
        ("a.txt", "caf\u00e9".encode("latin-1") + b" ok text", "UTF-8"),
        ("a.txt", b"", "empty"),
        ("a.html", b"<html><body><script>x()</script></body></html>", "no article text"),
        ("a.jsonl", b'{"text": 5}\n', "a.jsonl"),
        ("a.txt", b"x" * (LIMIT + 1), "too large"),
    ],
)
def test_files_a_build_would_refuse_are_refused(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(UserFacingError) as raised:
        check_article(name, data, None, None, None, LIMIT)
    message = str(raised.value)
    assert message.startswith(f"`{name}`") and reason.lower() in message.lower()
    assert "/tmp" not in message and "factbot-upload" not in message


def test_a_good_article_passes() -> None:
    check_article("a.md", b"# Crane\n\nThe crane fell on Monday, police said.", "Gazette",
                  "Crane falls", "2025-02-03", LIMIT)


def test_save_list_and_remove(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    save_upload(uploads, "a.txt", b"Text one.", "Gazette", "One", "2025-02-03")
    save_upload(uploads, "b.md", b"Text two.", None, None, None)
    (uploads / "feeds").mkdir()  # articles from feeds live in a subfolder: not uploads
    assert [(u.name, u.outlet, u.published) for u in list_uploads(uploads)] == [
        ("a.txt", "Gazette", "2025-02-03"),
        ("b.md", None, None),
    ]
    assert not remove_upload(uploads, "../a.txt")
    assert not remove_upload(uploads, "sources.csv")
    assert remove_upload(uploads, "a.txt") and not (uploads / "a.txt").exists()
    rows = list(csv.DictReader((uploads / "sources.csv").open()))
    assert [r["file"] for r in rows] == ["b.md"]
    assert not remove_upload(uploads, "a.txt")
