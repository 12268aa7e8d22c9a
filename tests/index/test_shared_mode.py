"""Shared mode: texts and builds in a real PostgreSQL, vectors in a real `chroma run` server.

The PostgreSQL server is started by `tests.pg_server` (loopback, password login); the Chroma
server by `tests.index.test_server`. First `PgDocStore` itself against the real server, then
two factbot processes with data dirs of their own serving one index.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.settings import Settings
from index.docstore import BuildInfo, DocStore
from index.errors import StoreError
from index.types import Article, Chunk, SourceMeta
from tests.index.test_server import chroma_server  # noqa: F401 - a real Chroma server
from tests.pg_server import PgServer, free_port

psycopg = pytest.importorskip("psycopg")
pgstore = pytest.importorskip("index.pgstore")

pytestmark = pytest.mark.server


def _build_in_progress_error() -> type[Exception]:
    """The error a refused build raises (in `index.errors`, formerly in `index.build`)."""
    import index.errors

    found = getattr(index.errors, "BuildInProgressError", None)
    if found is None:
        from index.build import BuildInProgressError as found
    return found


def _build(build_id: str, status: str = "building") -> BuildInfo:
    return BuildInfo(id=build_id, collection=f"factbot-{build_id}", created_at="2026-01-01",
                     model="m", signature="m|200|40", roots=["/corpus"], status=status)


def _article(name: str, text: str, outlet: str | None = "Gazette") -> Article:
    return Article.make(text, f"{name}.txt", f"/corpus/{name}.txt",
                        SourceMeta(outlet=outlet, title=name.title()))


ARTICLES = [
    _article("a", "Dock workers stayed off the job. The union said 1,200 joined."),
    _article("b", "The port authority said cranes were working.", outlet="Post"),
    _article("c", "Ferries leave from the south pier.", outlet=None),
]


def _chunks(article: Article) -> list[Chunk]:
    half = len(article.text) // 2
    return [Chunk(article.id, 0, 0, half, article.text[:half]),
            Chunk(article.id, 1, half, len(article.text), article.text[half:])]


def _fill(store, build_id: str, articles: list[Article] = ARTICLES) -> None:  # noqa: ANN001
    store.start_build(_build(build_id))
    store.add_articles(build_id, articles)
    store.add_chunks(build_id, [c for a in articles for c in _chunks(a)])


# --- PgDocStore against the real server -----------------------------------------------------
def test_every_public_docstore_method_has_its_twin_with_the_same_parameters():
    import inspect

    for name, method in vars(DocStore).items():
        if name.startswith("_") or not callable(method):
            continue
        twin = getattr(pgstore.PgDocStore, name, None)
        assert twin is not None, f"PgDocStore lacks {name}"
        assert list(inspect.signature(twin).parameters) == list(
            inspect.signature(method).parameters), name


def test_reading_an_empty_database_creates_nothing(pg_url):
    store = pgstore.PgDocStore(pg_url)
    assert not store.exists() and store.check() == [] and store.writable()
    assert store.active_build() is None and store.builds() == []
    assert store.articles("x") == {} and store.counts("x") == (0, 0, 0)
    assert store.chunks("x", {}) == []
    with psycopg.connect(pg_url) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'factbot%'").fetchone()[0] == 0


def test_the_same_rows_and_answers_as_the_sqlite_docstore(pg_url, tmp_path):
    shared, local = pgstore.PgDocStore(pg_url), DocStore(tmp_path / "docstore.sqlite")
    for store in (shared, local):
        _fill(store, "b1")
        assert store.active_build() is None  # written but not switched to
        assert store.activate("b1", {"added": 3}) is None
    assert shared.exists() and shared.check() == []
    assert shared.active_build() == local.active_build()
    assert shared.active_build().summary == {"added": 3}
    assert shared.builds() == local.builds() and shared.builds("active") == local.builds("active")
    assert shared.counts("b1") == local.counts("b1") == (3, 6, 2)
    assert shared.articles("b1") == local.articles("b1")
    assert list(shared.articles("b1")) == list(local.articles("b1"))  # source-key order
    articles = shared.articles("b1")
    assert shared.chunks("b1", articles) == local.chunks("b1", articles)
    assert all(c.text == articles[c.article_id].text[c.start:c.end]
               for c in shared.chunks("b1", articles))
    # the reads a reader makes without loading the build
    assert sorted(shared.outlet_rows("b1"), key=str) == sorted(local.outlet_rows("b1"), key=str)
    ids = [ARTICLES[2].id, "nope", ARTICLES[0].id, ARTICLES[0].id]
    assert shared.get_articles("b1", ids) == local.get_articles("b1", ids)
    assert set(shared.get_articles("b1", ids)) == {ARTICLES[0].id, ARTICLES[2].id}
    assert shared.get_articles("b1", []) == {} and shared.get_articles("b2", ids) == {}
    assert sorted(shared.iter_articles("b1"), key=lambda a: a.id) == sorted(
        local.iter_articles("b1"), key=lambda a: a.id)
    assert shared.article_keys("b1") == local.article_keys("b1")
    assert sorted(shared.chunk_rows("b1")) == sorted(local.chunk_rows("b1"))


def test_streaming_a_build_pages_through_every_article(pg_url, monkeypatch):
    monkeypatch.setattr(pgstore, "STREAM_BATCH", 7)
    store = pgstore.PgDocStore(pg_url)
    many = [_article(f"n{i:03d}", f"Text number {i}.") for i in range(50)]
    _fill(store, "b1", many)
    _fill(store, "b2", many[:3])
    streamed = list(store.iter_articles("b1"))
    assert len(streamed) == 50 and {a.id for a in streamed} == {a.id for a in many}
    assert [a.id for a in streamed] == sorted(a.id for a in many)
    assert len(list(store.iter_articles("b2"))) == 3 and list(store.iter_articles("x")) == []
    assert list(store.articles("b1")) == [a.id for a in sorted(many, key=lambda a: a.source_key)]


def test_storing_an_article_again_replaces_it(pg_url):
    store = pgstore.PgDocStore(pg_url)
    _fill(store, "b1")
    changed = _article("a", "A corrected text.")
    store.add_articles("b1", [changed, changed])
    store.add_chunks("b1", [Chunk(changed.id, 0, 0, 3, "A c")])
    assert store.articles("b1")[changed.id].text == "A corrected text."
    assert store.counts("b1") == (3, 6, 2)


def test_activate_flips_the_pointer_and_keeps_one_previous(pg_url):
    store = pgstore.PgDocStore(pg_url)
    _fill(store, "b1")
    store.activate("b1", {})
    _fill(store, "b2", ARTICLES[:2])
    assert store.active_build().id == "b1"
    assert [b.id for b in store.builds("building")] == ["b2"]
    assert store.activate("b2", {"n": 2}) == "b1"
    assert store.active_build().id == "b2"
    assert {b.id: b.status for b in store.builds()} == {"b1": "previous", "b2": "active"}
    store.drop_build("b1")
    assert [b.id for b in store.builds()] == ["b2"]
    assert store.counts("b1") == (0, 0, 0) and store.articles("b1") == {}
    assert store.counts("b2") == (2, 4, 2)


def test_activate_is_one_transaction(pg_url):
    """A failure half-way through `activate` leaves the old build active and untouched."""
    store = pgstore.PgDocStore(pg_url)
    _fill(store, "b1")
    store.activate("b1", {})
    _fill(store, "b2")
    with pytest.raises(StoreError, match="not registered"):
        store.activate("missing", {})
    assert store.active_build().id == "b1"
    assert {b.id: b.status for b in store.builds()} == {"b1": "active", "b2": "building"}
    # readers on another connection never see a half-done switch: it waits on the row lock
    with psycopg.connect(pg_url, autocommit=False) as other:
        other.execute("SELECT value FROM factbot_meta WHERE key='active_build' FOR UPDATE")
        done = threading.Event()
        switcher = threading.Thread(target=lambda: (store.activate("b2", {}), done.set()))
        switcher.start()
        time.sleep(0.5)
        assert not done.is_set()
        # the same store still reads meanwhile: a write never holds up its reads
        assert store.active_build().id == "b1" and store.counts("b2") == (3, 6, 2)
        other.rollback()
    switcher.join(10)
    assert done.is_set() and store.active_build().id == "b2"


def test_two_hosts_creating_the_tables_at_once_do_not_race(pg_url):
    errors: list[BaseException] = []

    def first_write(build_id: str) -> None:
        try:
            pgstore.PgDocStore(pg_url + "?application_name=" + build_id).start_build(
                _build(build_id))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_write, args=(f"b{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(pgstore.PgDocStore(pg_url).builds("building")) == 4


def test_a_select_only_user_serves_and_a_user_without_create_builds(pg_url, pg_server):
    store = pgstore.PgDocStore(pg_url)
    _fill(store, "b1")
    store.activate("b1", {})
    database = pg_url.rsplit("/", 1)[1]
    role = "reader_" + database
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'read-only-pw'")
        conn.execute(f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {role}")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    try:
        reader = pgstore.PgDocStore(
            f"postgresql://{role}:read-only-pw@{pg_server.host}:{pg_server.port}/{database}")
        assert reader.active_build().id == "b1" and reader.check() == []
        assert reader.counts("b1") == (3, 6, 2) and len(list(reader.iter_articles("b1"))) == 3
        assert reader.get_articles("b1", [ARTICLES[0].id])[ARTICLES[0].id] == ARTICLES[0]
        assert not reader.writable()
        with pytest.raises(pgstore.DatabaseError, match="cannot be written"):
            reader.start_build(_build("b2"))
        assert "read-only-pw" not in reader.path
        # a user with the table rights but no CREATE builds in tables an administrator made
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        writer = pgstore.PgDocStore(reader._url)
        assert writer.writable()
        _fill(writer, "b2", ARTICLES[:1])
        assert writer.activate("b2", {}) == "b1" and store.active_build().id == "b2"
    finally:
        pgstore.close_connections()
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


def test_check_names_missing_tables(pg_url):
    store = pgstore.PgDocStore(pg_url)
    _fill(store, "b1")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP TABLE factbot_chunks")
    assert store.check() == ["missing tables: chunks"]
    assert store.missing_tables() == ["chunks"]
    assert store.path.name == store.path  # answers `.name` like DocStore's Path
    assert store.repair() == ["chunks"]
    assert store.check() == [] and store.repair() == []
    assert store.counts("b1") == (3, 0, 2)  # the rows are gone: a build makes them again
    empty = pgstore.PgDocStore(pg_url.rsplit("/", 1)[0] + "/postgres")
    assert empty.repair() == [] and empty.missing_tables() == list(pgstore.TABLES)


def test_a_dropped_connection_is_opened_again(pg_url, pg_server):
    store = pgstore.PgDocStore(pg_url)
    _fill(store, "b1")
    with psycopg.connect(pg_server.url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE application_name='factbot' AND datname=%s",
                      (pg_url.rsplit("/", 1)[1],))
    assert store.counts("b1") == (3, 6, 2)


def test_unreachable_server_and_wrong_password_say_so_without_the_password(pg_server):
    secret, port = "s3cr3t-Pa55word", free_port()
    down = pgstore.PgDocStore(f"postgresql://factbot:{secret}@127.0.0.1:{port}/factbot")
    assert secret not in repr(down) and down.path == f"postgresql://factbot@127.0.0.1:{port}/factbot"
    with pytest.raises(pgstore.DatabaseUnavailableError) as raised:
        down.active_build()
    message = str(raised.value)
    assert "is not answering" in message and secret not in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert isinstance(raised.value, StoreError)

    wrong = pgstore.PgDocStore(pg_server.url(password=secret))
    with pytest.raises(pgstore.DatabaseUnavailableError, match="refused the login") as raised:
        wrong.builds()
    assert secret not in str(raised.value) and pg_server.password not in str(raised.value)
    right = pgstore.PgDocStore(pg_server.url())
    assert pg_server.password not in right.path and pg_server.password not in repr(right)


def test_a_malformed_url_is_not_echoed():
    with pytest.raises(StoreError, match="not a valid PostgreSQL") as raised:
        pgstore.PgDocStore("postgresql://u:pw-secret@host:notaport/db =x")
    assert "pw-secret" not in str(raised.value)


def test_from_settings_reads_database_url_and_never_shows_it(pg_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", pg_url)
    settings = Settings()
    assert settings.shared_store
    store = pgstore.PgDocStore.from_settings(settings)
    password = pg_url.split(":")[2].split("@")[0]
    assert password not in store.path and store.path.endswith(pg_url.rsplit("/", 1)[1])
    with pytest.raises(StoreError, match="DATABASE_URL"):
        pgstore.PgDocStore.from_settings(Settings(_env_file=None, database_url=None))


def test_the_advisory_lock_admits_one_build_across_processes(pg_url):
    BuildInProgressError = _build_in_progress_error()  # noqa: N806

    settings = Settings(database_url=pg_url)
    assert not pgstore.build_lock_held(settings)
    with pgstore.advisory_lock(settings):
        assert pgstore.build_lock_held(settings)
        with pytest.raises(BuildInProgressError, match="already running"):  # noqa: SIM117
            with pgstore.advisory_lock(settings):
                pass
    assert not pgstore.build_lock_held(settings)
    with pgstore.advisory_lock(settings):  # released: it can be taken again
        pass


def test_the_advisory_lock_is_released_when_its_holder_dies(pg_url, pg_server: PgServer):
    BuildInProgressError = _build_in_progress_error()  # noqa: N806

    settings = Settings(database_url=pg_url)
    with pgstore.advisory_lock(settings):
        with psycopg.connect(pg_server.url(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(l.pid) FROM pg_locks l "
                          "WHERE l.locktype='advisory' AND l.granted")
        deadline = time.monotonic() + 10
        while pgstore.build_lock_held(settings) and time.monotonic() < deadline:
            time.sleep(0.1)
        with pgstore.advisory_lock(settings):  # the dead holder's lock is gone
            pass
    with pytest.raises(BuildInProgressError):  # noqa: SIM117 - sanity: still exclusive
        with pgstore.advisory_lock(settings), pgstore.advisory_lock(settings):
            pass


# --- two hosts, one index -------------------------------------------------------------------
# A "host" is a process with a data dir of its own; both share one Chroma server and one
# PostgreSQL database. Host B serves questions on stdin, one JSON command a line.
HOST_B = r"""
import json, sys
from bot.settings import load_settings
from bot.answer.core import FactChecker
from index.build import build_index
from index.store import docstore

settings = load_settings()
checker = FactChecker(settings)
print(json.dumps({"ready": checker.reader.build.id}), flush=True)
for line in sys.stdin:
    command = json.loads(line)
    op = command["op"]
    try:
        if op == "ask":
            reply = checker.ask(command["q"])
            out = {"build": checker.reader.build.id, "verdict": str(reply.verdict),
                   "sources": [{"article_id": s.article_id, "document": s.document,
                                "quote": s.quote, "start": s.start, "end": s.end}
                               for s in reply.sources]}
        elif op == "reload":
            out = {"reloaded": checker.reload(), "build": checker.reader.build.id}
        elif op == "active":
            out = {"active": docstore(settings).active_build().id}
        elif op == "build":
            out = {"summary": build_index(None, settings).line()}
    except Exception as exc:
        out = {"error": type(exc).__name__, "message": str(exc)}
    print(json.dumps(out), flush=True)
"""

# Host A rebuilds; at the switch (everything written, nothing activated yet) it says so and
# waits for a line on stdin, so the test can look at both hosts mid-build.
HOST_A_REBUILD = r"""
import json, sys
from pathlib import Path
from bot.settings import load_settings
from index.build import build_index

def progress(p):
    if p.stage == "load":
        print(json.dumps({"event": "started"}), flush=True)
    if p.stage == "switch":
        print(json.dumps({"event": "switching"}), flush=True)
        sys.stdin.readline()

summary = build_index([Path(sys.argv[1])], load_settings(), progress)
print(json.dumps({"event": "done", "build": summary.build_id, "added": summary.added,
                  "embedded": summary.embedded_chunks}), flush=True)
"""

NEW_ARTICLE = (
    "Orlen opens its footbridge over the River Vask\n\n"
    "The new footbridge over the River Vask in Orlen opened to walkers on Saturday morning.\n\n"
    "The town council said the bridge is 412 metres long and took two years to build. "
    "Cyclists will be allowed on it from next month, the council added.\n"
)
OLD_QUESTION = "How many people died in the Tarnholm plant fire?"
NEW_QUESTION = "When did the footbridge over the River Vask open?"


class _Host:
    """A factbot process speaking JSON lines; its output read by a thread into a queue."""

    def __init__(self, script: str, env: dict[str, str], cwd: Path, *args: str) -> None:
        self.lines: queue.Queue[dict] = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", script, *args], env=env, cwd=cwd, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self._stderr: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=lambda: self._stderr.extend(self.proc.stderr), daemon=True
                         ).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            if line.startswith("{"):
                self.lines.put(json.loads(line))

    def read(self, timeout: float = 300) -> dict:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no answer from the host; its stderr:\n"
                                 + "".join(self._stderr)[-3000:]) from None

    def send(self, **command: str) -> dict:
        self.proc.stdin.write(json.dumps(command) + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        return self.read()

    def stderr(self) -> str:
        return "".join(self._stderr)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()  # type: ignore[union-attr]
            try:
                self.proc.wait(30)
            except Exception:  # noqa: BLE001 - make sure it is gone
                self.proc.kill()
                self.proc.wait(30)


def _host_env(data_dir: Path, chroma_port: int, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FACTBOT_", "CHROMA_", "DATABASE_URL", "DISCORD_"))}
    env.update(FACTBOT_DATA_DIR=str(data_dir), CHROMA_HOST="127.0.0.1",
               CHROMA_PORT=str(chroma_port), DATABASE_URL=url, HF_HUB_OFFLINE="1",
               FACTBOT_LOG_LEVEL="info")
    return env


def _assert_verified(answer: dict, store, build_id: str) -> None:  # noqa: ANN001
    """Every quote of `answer` is the stored text of its article in `build_id` (PostgreSQL)."""
    assert answer["build"] == build_id, answer
    assert answer["sources"], answer
    texts = store.get_articles(build_id, [s["article_id"] for s in answer["sources"]])
    for source in answer["sources"]:
        assert texts[source["article_id"]].text[source["start"]:source["end"]] == source["quote"]


@pytest.mark.slow
def test_two_hosts_serve_one_index_while_one_rebuilds(
    tmp_path, pg_url, chroma_server, demo_corpus  # noqa: F811
):
    from index.buildfiles import build_dir

    port, _chroma = chroma_server
    corpus = tmp_path / "corpus"
    shutil.copytree(demo_corpus, corpus)
    host_a, host_b = tmp_path / "host-a", tmp_path / "host-b"
    for host in (host_a, host_b):
        host.mkdir()  # each host's data dir (a volume in a deployment)
    env_a, env_b = _host_env(host_a, port, pg_url), _host_env(host_b, port, pg_url)
    store = pgstore.PgDocStore(pg_url)
    lock_settings = Settings(_env_file=None, database_url=pg_url)

    # host A builds with the real CLI
    built = subprocess.run([sys.executable, "-m", "bot.cli", "index", "build", str(corpus)],
                           env=env_a, cwd=tmp_path, capture_output=True, text=True,
                           timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    first = store.active_build()
    assert first is not None and store.counts(first.id)[0] == 7

    # host B serves that build: quotes verified against the texts in PostgreSQL
    b = _Host(HOST_B, env_b, tmp_path)
    try:
        assert b.read() == {"ready": first.id}
        assert build_dir(host_b, first.id).is_dir()  # B's own local files, made from the DB
        answer = b.send(op="ask", q=OLD_QUESTION)
        assert answer["verdict"] == "answered"
        _assert_verified(answer, store, first.id)
        assert b.send(op="active") == {"active": first.id}

        # host A rebuilds with one article more while B keeps answering
        (corpus / "07_orlen_bridge.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        a = _Host(HOST_A_REBUILD, env_a, tmp_path, str(corpus))
        assert a.read() == {"event": "started"}
        assert pgstore.build_lock_held(lock_settings)
        served_during_build, deadline = 0, time.monotonic() + 600
        # B answers from the first build (at least once) until A reaches the switch
        while served_during_build == 0 or (
            a.lines.empty() and a.proc.poll() is None and time.monotonic() < deadline
        ):
            answer = b.send(op="ask", q=OLD_QUESTION)
            _assert_verified(answer, store, first.id)
            served_during_build += 1
        assert a.read(timeout=60) == {"event": "switching"}, a.stderr()[-3000:]
        # mid-build: the new build is written but not active; B's own build is refused
        refused = b.send(op="build")
        assert refused["error"] == "BuildInProgressError", refused
        assert "already running" in refused["message"]
        assert b.send(op="active") == {"active": first.id}
        assert store.active_build().id == first.id
        assert [x.id for x in store.builds("building")] != []
        _assert_verified(b.send(op="ask", q=OLD_QUESTION), store, first.id)
        served_during_build += 1
        a.proc.stdin.write("go\n")
        a.proc.stdin.flush()
        done = a.read()
        assert done["event"] == "done", a.stderr()[-3000:]
        assert a.proc.wait(60) == 0, a.stderr()[-3000:]
        assert done["added"] == [str((corpus / "07_orlen_bridge.txt").resolve())]
        assert 0 < done["embedded"] < 30  # only the new article was embedded
        second = done["build"]
        assert not pgstore.build_lock_held(lock_settings)

        # both hosts agree on the active build; B serves the old one until it reloads
        assert store.active_build().id == second
        assert b.send(op="active") == {"active": second}
        still = b.send(op="ask", q=NEW_QUESTION)
        assert still["build"] == first.id
        assert "07_orlen_bridge.txt" not in {s["document"] for s in still["sources"]}
        assert b.send(op="reload") == {"reloaded": True, "build": second}
        assert build_dir(host_b, second).is_dir()
        found = b.send(op="ask", q=NEW_QUESTION)
        assert found["verdict"] == "answered", found
        _assert_verified(found, store, second)
        assert "07_orlen_bridge.txt" in {s["document"] for s in found["sources"]}
        _assert_verified(b.send(op="ask", q=OLD_QUESTION), store, second)
        assert served_during_build >= 2

        # now that nothing builds, B may rebuild too (its lock is the same database lock)
        assert "unchanged 8" in b.send(op="build")["summary"]
        assert b.send(op="active")["active"] not in (first.id, second)
    finally:
        b.stop()
        if "a" in locals():
            a.stop()
    # the texts live only in PostgreSQL: no host has a docstore file or an embedded store
    for host in (host_a, host_b):
        assert not (host / "docstore.sqlite").exists()
        assert not (host / "chroma").exists()
    # the database password is in no log line of either host
    password = pg_url.split(":")[2].split("@")[0]
    logs = built.stderr + a.stderr() + b.stderr()
    assert "build" in logs and password not in logs


# --- the deployment of shared mode ----------------------------------------------------------
REPO = Path(__file__).resolve().parents[2]
PASSWORD_VAR = "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}"


def test_the_shared_compose_file_adds_postgres_and_wires_the_bot(pg_server):
    import yaml

    from tests.pg_server import pg_bin

    base = yaml.safe_load((REPO / "compose.yaml").read_text())
    shared = yaml.safe_load((REPO / "compose.shared.yaml").read_text())
    assert set(shared["services"]) - {"postgres"} <= set(base["services"])
    postgres, bot = shared["services"]["postgres"], shared["services"]["factbot"]
    env = postgres["environment"]
    assert env["POSTGRES_PASSWORD"] == PASSWORD_VAR  # required, from .env, never a default
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert "postgres-data" in shared["volumes"]
    # published on loopback unless SHARED_BIND names this host's private address
    assert all(p.startswith("${SHARED_BIND:-127.0.0.1}:") for s in ("postgres", "chroma")
               for p in shared["services"][s]["ports"])
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    url = bot["environment"]["DATABASE_URL"]
    assert PASSWORD_VAR in url
    assert pgstore.describe_url(url.replace(PASSWORD_VAR, "pw")) == (
        f"postgresql://{env['POSTGRES_USER']}@postgres:5432/{env['POSTGRES_DB']}")
    assert base["services"]["factbot"]["environment"]["CHROMA_HOST"] == "chroma"
    # the healthcheck command tells a running server from none (a real server, a dead port)
    probe = postgres["healthcheck"]["test"]
    assert probe[0] == "CMD"
    if pg_bin() is None or not (pg_bin() / probe[1]).is_file():
        pytest.skip(f"no {probe[1]} to run")
    command = [str(pg_bin() / probe[1]), *probe[2:]]
    up = subprocess.run([*command, "--port", str(pg_server.port)], capture_output=True,
                        timeout=30)
    down = subprocess.run([*command, "--port", str(free_port())], capture_output=True,
                          timeout=30)
    assert up.returncode == 0 and down.returncode != 0


def test_the_cli_says_in_one_line_that_the_database_is_down(tmp_path):
    secret, port = "TopSecret9", free_port()
    env = _host_env(tmp_path / "host", free_port(), f"postgresql://factbot:{secret}@127.0.0.1:"
                    f"{port}/factbot")
    del env["FACTBOT_LOG_LEVEL"]  # each command's own default: a failure is one line
    for command in (["index", "status"], ["index", "build", str(tmp_path)]):
        done = subprocess.run([sys.executable, "-m", "bot.cli", *command], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 2, done.stderr
        assert f"postgresql://factbot@127.0.0.1:{port}/factbot is not answering" in done.stderr
        assert secret not in done.stdout + done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
