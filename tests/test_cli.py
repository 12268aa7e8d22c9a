"""The `factbot` command end to end, over the demo corpus, with the real model and Chroma."""

from __future__ import annotations

import json
import socket

import pytest

from bot.cli import demo_corpus_path, main
from bot.settings import Settings
from index.store import docstore

SOURCE_KEYS = {"id", "outlet", "title", "published", "url", "document", "quote", "start", "end"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli-data")
    assert main(["index", "build", str(demo_corpus_path()), "--data-dir", str(path)]) == 0
    return path


def _json(capsys, argv):
    code = main(argv)
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_demo_corpus_is_shipped_with_the_package():
    assert (demo_corpus_path() / "sources.csv").is_file()


def test_status_counts_the_build(data_dir, capsys):
    code, status = _json(capsys, ["index", "status", "--json", "--data-dir", str(data_dir)])
    assert code == 0
    assert status["articles"] == 7 and status["chunks"] > 0 and status["outlets"] >= 4
    assert status["model"] == "all-MiniLM-L6-v2-int8" and status["last_build"]


@pytest.mark.parametrize("command", ["ask", "check"])
def test_json_shape_and_verbatim_quotes(data_dir, capsys, command):
    query = "How many people died in the fire?" if command == "ask" else "Four people died."
    code, reply = _json(capsys, [command, query, "--json", "--data-dir", str(data_dir)])
    assert code == 0
    assert set(reply) == {"query", "mode", "verdict", "summary", "claims", "sources"}
    assert reply["mode"] == ("question" if command == "ask" else "claim")
    assert reply["sources"], reply
    store = docstore(Settings(data_dir=data_dir))
    stored: dict[str, list[str]] = {}  # a .jsonl document holds several articles
    for article in store.articles(store.active_build().id).values():
        stored.setdefault(article.source_file, []).append(article.text)
    for source in reply["sources"]:
        assert set(source) == SOURCE_KEYS
        assert any(
            source["quote"] == text[source["start"] : source["end"]]
            for text in stored[source["document"]]
        ), source
    ids = {s["id"] for s in reply["sources"]}
    assert all(set(c["sources"]) <= ids and c["sources"] for c in reply["claims"])


def test_question_outside_the_corpus_is_not_found(data_dir, capsys):
    code, reply = _json(capsys, ["ask", "Who won the 1998 football world cup?", "--json",
                                 "--data-dir", str(data_dir)])
    assert code == 0 and reply["verdict"] == "not_found" and reply["sources"] == []


def test_build_with_bad_files_exits_1_and_names_them(tmp_path, capsys):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Quay reopens\n\nThe north quay reopened on Friday, the port "
                                   "authority said.")
    (corpus / "bad.txt").write_bytes(b"\x00\xff" * 50)
    code = main(["index", "build", str(corpus), "--data-dir", str(tmp_path / "d")])
    out = capsys.readouterr().out
    assert code == 1
    assert "added 1" in out and "failed 1" in out and "bad.txt" in out


def test_no_index_and_dead_server_give_one_line_errors(tmp_path, capsys, monkeypatch):
    assert main(["ask", "anything?", "--data-dir", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "factbot index build" in err

    with socket.socket() as sock:  # a port with nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(port))
    corpus = demo_corpus_path()
    assert main(["index", "build", str(corpus), "--data-dir", str(tmp_path / "d2")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"127.0.0.1:{port}" in err and "Traceback" not in err


def test_empty_and_huge_queries_are_refused(data_dir, capsys):
    assert main(["ask", "   ", "--data-dir", str(data_dir)]) == 2
    assert main(["ask", "x" * 5000, "--data-dir", str(data_dir)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err


def test_status_of_an_empty_data_dir_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "never-built"
    assert main(["index", "status", "--data-dir", str(missing)]) == 1
    assert "articles: 0" in capsys.readouterr().out
    assert not missing.exists()


def test_lookups_that_neither_embed_nor_judge_load_no_model(data_dir):
    """`outlets` and `quote` read the index only: no onnxruntime session is built."""
    import subprocess
    import sys

    code = (
        "import sys, bot.cli\n"
        "from bot.answer import judge\n"
        "from bot.settings import Settings\n"
        "from index.embeddings import get_embeddings\n"
        "for argv in (['outlets'], ['quote', 'people died']):\n"
        "    assert bot.cli.main([*argv, '--data-dir', sys.argv[1]]) == 0\n"
        "print(get_embeddings(Settings(data_dir=sys.argv[1]))._session is None, not judge._SHARED)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(data_dir)], capture_output=True,
                          text=True, check=True)
    assert done.stdout.split()[-2:] == ["True", "True"]


def test_one_shot_process_answers_as_the_in_process_call(data_dir, capsys):
    """`python -m bot.cli ask` (the process path: preloading, no cyclic GC) prints what
    `main([...])` prints."""
    import subprocess
    import sys

    argv = ["ask", "How many people died in the fire?", "--json", "--data-dir", str(data_dir)]
    code, expected = _json(capsys, argv)
    done = subprocess.run([sys.executable, "-m", "bot.cli", *argv], capture_output=True,
                          text=True, check=True)
    assert code == 0 and json.loads(done.stdout) == expected
