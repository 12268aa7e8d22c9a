"""Loading files: formats, normalisation and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.loaders import LoadError, RawDocument, load_documents, load_file, read_text

MAX = 5_000_000


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8", newline="")
    return path


def _only_failure(path: Path, max_bytes: int = MAX) -> str:
    result = load_documents(path, max_bytes)
    assert result.documents == []
    assert len(result.failures) == 1
    failure = result.failures[0]
    assert failure.path == str(path)
    assert "\n" not in failure.reason
    return failure.reason


# --- formats -------------------------------------------------------------------------------


def test_txt_is_loaded_with_newlines_and_unicode_normalised(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "Title line\r\n\r\nCafe\u0301 opened.\rEnd\n")
    [doc] = load_file(path, MAX)
    assert isinstance(doc, RawDocument)
    assert doc.text == "Title line\n\nCaf\u00e9 opened.\nEnd\n"
    assert doc.source_file == "a.txt"
    assert doc.source_key == str(path.resolve())
    assert doc.format == "txt"
    assert doc.doc_meta.outlet is None


def test_utf8_bom_is_accepted_and_dropped(tmp_path: Path) -> None:
    path = _write(tmp_path, "bom.txt", b"\xef\xbb\xbfHello world")
    [doc] = load_file(path, MAX)
    assert doc.text == "Hello world"


@pytest.mark.parametrize("name", ["a.md", "b.markdown", "C.MD"])
def test_markdown_extensions(tmp_path: Path, name: str) -> None:
    [doc] = load_file(_write(tmp_path, name, "# Heading\n\nBody text here."), MAX)
    assert doc.format == "md"
    assert "# Heading" in doc.text


HTML = """<!DOCTYPE html><html><head>
<meta property="og:title" content="Harbour crane toppled in storm">
<meta property="og:site_name" content="Example Gazette">
<meta property="article:published_time" content="2024-02-03T10:00:00+01:00">
<meta name="author" content="Ana Field">
<title>Crane | Example Gazette</title>
<script>var SECRET_SCRIPT_TEXT = "must not leak";</script>
<style>.x { color: red } /* SECRET_STYLE_TEXT */</style>
</head><body>
<nav>Home News Sport</nav>
<article><h1>Harbour crane toppled in storm</h1>
<p>A harbour crane fell into the water during a storm on Saturday, the port authority said.</p>
<p>Nobody was hurt, according to a spokesperson, and the quay will reopen on Monday.</p>
</article>
<script>document.write("SECRET_TRAILING_SCRIPT")</script>
</body></html>"""


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    [doc] = load_file(_write(tmp_path, "page.html", HTML), MAX)
    assert doc.format == "html"
    assert "A harbour crane fell into the water during a storm on Saturday" in doc.text
    assert "the quay will reopen on Monday." in doc.text
    for secret in (
        "SECRET_SCRIPT_TEXT",
        "must not leak",
        "SECRET_STYLE_TEXT",
        "SECRET_TRAILING_SCRIPT",
        "color: red",
        "<p>",
        "<script",
    ):
        assert secret not in doc.text
    assert doc.doc_meta.outlet == "Example Gazette"
    assert doc.doc_meta.title == "Harbour crane toppled in storm"
    assert doc.doc_meta.published is not None
    assert doc.doc_meta.published.startswith("2024-02-03")
    assert doc.doc_meta.author == "Ana Field"


def test_html_outlet_is_not_guessed_from_title_or_host(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Story | Some Site</title>"
        '<link rel="canonical" href="https://some-site.example/story"></head>'
        "<body><article><p>A plain paragraph of article text that is long enough to keep."
        "</p></article></body></html>"
    )
    [doc] = load_file(_write(tmp_path, "p.htm", page), MAX)
    assert doc.doc_meta.outlet is None


def test_html_outlet_from_json_ld_publisher(tmp_path: Path) -> None:
    ld = {"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": "LD Times"}}
    page = (
        f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head>'
        "<body><article><p>Some article text that is long enough to be extracted.</p>"
        "</article></body></html>"
    )
    [doc] = load_file(_write(tmp_path, "ld.html", page), MAX)
    assert doc.doc_meta.outlet == "LD Times"
    assert "NewsArticle" not in doc.text


def test_html_without_text_is_a_failure(tmp_path: Path) -> None:
    path = _write(tmp_path, "empty.html", "<html><head><script>x=1</script></head><body></body>")
    assert _only_failure(path) == "no article text found in the HTML page"


def test_jsonl_good_lines_load_and_bad_lines_are_reported(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "text": "First article.",
                "outlet": "One",
                "title": "T1",
                "published": "2024-01-02",
                "url": "https://one.example/1",
            }
        ),
        "",
        "{not json",
        json.dumps({"title": "no text here"}),
        json.dumps(["a", "list"]),
        json.dumps({"text": "Second\r\narticle.", "outlet": " ", "author": 7}),
        json.dumps({"text": "   "}),
    ]
    path = _write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")
    result = load_documents(path, MAX)
    assert [d.text for d in result.documents] == ["First article.", "Second\narticle."]
    first, second = result.documents
    assert first.source_key == f"{path.resolve()}#L1"
    assert second.source_key == f"{path.resolve()}#L6"
    assert first.source_file == "feed.jsonl"
    assert first.format == "jsonl"
    assert first.doc_meta.outlet == "One"
    assert first.doc_meta.title == "T1"
    assert first.doc_meta.url == "https://one.example/1"
    assert second.doc_meta.outlet is None  # blank string = unknown
    assert second.doc_meta.author is None  # not a string
    reasons = {f.path: f.reason for f in result.failures}
    assert set(reasons) == {f"{path}#L3", f"{path}#L4", f"{path}#L5", f"{path}#L7"}
    assert reasons[f"{path}#L3"].startswith("line 3: malformed JSON")
    assert 'no "text" field' in reasons[f"{path}#L4"]
    assert "object" in reasons[f"{path}#L5"]
    assert "empty" in reasons[f"{path}#L7"]
    assert all("\n" not in r for r in reasons.values())


def test_load_file_is_strict_about_bad_json_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "feed.jsonl", '{"text": "ok"}\n{broken\n')
    with pytest.raises(LoadError) as info:
        load_file(path, MAX)
    assert info.value.failure.path == f"{path}#L2"


# --- bad inputs ----------------------------------------------------------------------------


def test_binary_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert _only_failure(path).startswith("binary file")


def test_empty_file(tmp_path: Path) -> None:
    assert _only_failure(_write(tmp_path, "e.txt", b"")) == "empty file"


@pytest.mark.parametrize("name", ["w.txt", "w.md", "w.jsonl", "w.html"])
def test_whitespace_only_file(tmp_path: Path, name: str) -> None:
    assert _only_failure(_write(tmp_path, name, " \n\t\r\n  ")).startswith("empty file")


def test_invalid_utf8_names_the_byte(tmp_path: Path) -> None:
    path = _write(tmp_path, "latin1.txt", "Caf\u00e9 opened".encode("latin-1"))
    assert _only_failure(path) == "not valid UTF-8 text (byte 3)"


def test_invalid_utf8_after_bom_counts_the_bom(tmp_path: Path) -> None:
    path = _write(tmp_path, "b.txt", b"\xef\xbb\xbfab\xffcd")
    assert _only_failure(path) == "not valid UTF-8 text (byte 5)"


def test_too_large_file_is_refused_without_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: instant, takes no disk space

    def no_read(self: Path) -> bytes:
        raise AssertionError(f"{self} must not be read")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    reason = _only_failure(path, max_bytes=5_000_000)
    assert reason.startswith("file too large (52,428,800 bytes")
    assert "5,000,000" in reason


def test_file_at_the_limit_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, "edge.txt", "x" * 1000)
    assert load_file(path, 1000)[0].text == "x" * 1000


@pytest.mark.parametrize(
    ("name", "ext"), [("doc.pdf", ".pdf"), ("x.DOCX", ".docx"), ("noext", "(no file extension)")]
)
def test_unsupported_extension(tmp_path: Path, name: str, ext: str) -> None:
    path = _write(tmp_path, name, "some text")
    assert _only_failure(path) == f"unsupported file type {ext}"


def test_missing_file(tmp_path: Path) -> None:
    assert _only_failure(tmp_path / "gone.txt") == "no such file"


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "dir.txt"
    folder.mkdir()
    assert _only_failure(folder) == "not a regular file"


def test_load_file_raises_load_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.txt", b"")
    with pytest.raises(LoadError) as info:
        load_file(path, MAX)
    assert info.value.failure.reason == "empty file"
    assert str(path) in str(info.value)


def test_read_text_normalises(tmp_path: Path) -> None:
    path = _write(tmp_path, "n.txt", "A\r\nB\u0041\u030a")
    assert read_text(path, MAX) == "A\nB\u00c5"
