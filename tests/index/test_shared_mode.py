"""Shared mode: texts and builds in a real PostgreSQL, vectors in a real `chroma run` server.

The PostgreSQL server is started by `tests.pg_server` (loopback, password login); the Chroma
server by `tests.index.test_server`. First `PgDocStore` itself against the real server, then
two factbot processes with data dirs of their own serving one index.
"""

from __future__ import annotations

import threading
import time

import pytest

from bot.settings import Settings
from index.docstore import BuildInfo, DocStore
from index.errors import StoreError
from index.types import Article, Chunk, SourceMeta
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
        with psycopg.connect(pg_url, autocommit=True) as reader:
            assert reader.execute(
                "SELECT value FROM factbot_meta WHERE key='active_build'").fetchone()[0] == "b1"
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
