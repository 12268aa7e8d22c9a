"""CLI conventions (issue 9): --version, group help, one JSON object per lookup, logging."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from importlib.metadata import version

import pytest

from bot.cli import demo_corpus_path, main
from bot.logs import configure_logging, connected_line

PASSAGE_KEYS = {"outlet", "title", "published", "url", "document", "article_id", "text",
                "start", "end", "score", "speaker"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("conventions")
    assert main(["index", "build", str(demo_corpus_path()), "--data-dir", str(path)]) == 0
    return path


def _json(capsys, argv):
    code = main(argv)
    return code, json.loads(capsys.readouterr().out)


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"factbot {version('factbot')}\n"


@pytest.mark.parametrize("argv", [[], ["index"]])
def test_a_group_alone_prints_its_help(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: factbot")
    assert "index_command" not in err and "COMMAND" in err
    if argv == ["index"]:
        assert all(name in err for name in ("build", "status", "doctor"))


@pytest.mark.parametrize("argv", [["--help"], ["index", "--help"], ["index", "doctor", "--help"],
                                  ["outlets", "--help"], ["sources", "--help"]])
def test_every_group_and_command_has_help(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("usage: factbot")


def test_sources_json_is_one_object_with_query_and_sources(data_dir, capsys):
    code, body = _json(capsys, ["sources", "chlorine river", "--json", "--data-dir",
                                str(data_dir)])
    assert code == 0
    assert set(body) == {"query", "sources"} and body["query"] == "chlorine river"
    assert body["sources"] and all(set(p) == PASSAGE_KEYS for p in body["sources"])


def test_outlets_json_is_one_object(data_dir, capsys):
    code, body = _json(capsys, ["outlets", "--json", "--data-dir", str(data_dir)])
    assert code == 0 and set(body) == {"outlets"}
    assert sum(o["articles"] for o in body["outlets"]) == 7
    assert all(set(o) == {"outlet", "articles", "first_published", "last_published"}
               for o in body["outlets"])


def test_quote_and_status_json_are_objects(data_dir, capsys):
    code, body = _json(capsys, ["quote", "River Osk", "--json", "--data-dir", str(data_dir)])
    assert code == 0 and isinstance(body, dict) and {"text", "found", "passages"} <= set(body)
    code, body = _json(capsys, ["index", "status", "--json", "--data-dir", str(data_dir)])
    assert code == 0 and body["healthy"] is True and body["problems"] == []
    assert body["build"] and body["articles"] == 7


def test_doctor_on_a_healthy_index(data_dir, capsys):
    code, body = _json(capsys, ["index", "doctor", "--json", "--data-dir", str(data_dir)])
    assert code == 0 and body["healthy"] is True
    checks = [f["check"] for f in body["findings"]]
    assert checks == ["docstore", "unfinished builds", "vector store", "active build",
                      "unused collections", "segment folders", "free disk"]


def test_log_lines_have_timestamps_and_json_is_one_object_a_line(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "bad.txt").write_bytes(b"\x00\x01" * 10)
    (corpus / "ok.txt").write_text("Quay reopens\n\nThe north quay reopened on Friday, the "
                                   "port authority said.")
    base = [sys.executable, "-m", "bot.cli", "index", "build", str(corpus), "--no-progress"]
    text = subprocess.run([*base, "--data-dir", str(tmp_path / "d1")], capture_output=True,
                          text=True, timeout=300)
    assert text.returncode == 1
    line = next(x for x in text.stderr.splitlines() if "bad.txt" in x)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARNING index\.build: skipped ",
                    line), line
    js = subprocess.run([*base, "--data-dir", str(tmp_path / "d2"), "--log-format", "json",
                         "-v"], capture_output=True, text=True, timeout=300)
    records = [json.loads(x) for x in js.stderr.splitlines() if x.strip()]
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r["level"] == "INFO" and "active" in r["message"] for r in records)


def test_tracebacks_only_when_asked(capsys):
    log = logging.getLogger("factbot.test")
    configure_logging("INFO", "text", tracebacks=False)
    try:
        raise KeyError("boom")
    except KeyError:
        log.exception("it failed")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "(KeyError;" in err
    configure_logging("INFO", "json", tracebacks=True)
    try:
        raise KeyError("boom")
    except KeyError:
        log.exception("it failed")
    record = json.loads(capsys.readouterr().err)
    assert record["error"] == "KeyError" and "Traceback" in record["traceback"]


def test_connected_line():
    index = {"build": "20261121T100000-abc123", "articles": 7, "chunks": 31}
    assert connected_line("factbot#1234", 3, index) == (
        "connected as factbot#1234 to 3 guilds; index: 7 articles, 31 chunks, "
        "build 20261121T100000-abc123"
    )
    assert connected_line("bot", 1, {"build": None}).startswith(
        "connected as bot to 1 guild; index: no index built yet")
