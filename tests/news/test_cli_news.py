"""`factbot index add-url` and `factbot feeds ...` end to end: local server, real build."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings
from index.store import docstore
from tests.news.server import NewsServer, Page, article_html, conditional, rss

FIRE = [
    "A fire broke out at a grain warehouse in Velmora on Sunday night, the fire brigade said.",
    "Chief officer Dana Reyes said the blaze was under control by 4 a.m. on Monday.",
]
UPDATE = "Investigators said on Tuesday that a faulty conveyor motor started the fire."


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FACTBOT_FETCH_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("FACTBOT_FETCH_TIMEOUT_SECONDS", "3")
    return tmp_path / "data"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _articles(data_dir: Path) -> list:
    store = docstore(Settings(data_dir=data_dir))
    build = store.active_build()
    return list(store.articles(build.id).values()) if build else []


def test_add_url_indexes_it_and_a_refetch_updates_instead_of_duplicating(
    server: NewsServer, data_dir: Path, capsys
) -> None:
    page = article_html("Fire at Velmora grain warehouse", FIRE, site="Velmora Gazette",
                        canonical="/news/fire", published="2026-03-01")
    server.routes["/news/fire"] = Page(page)
    server.routes["/short/1"] = Page(status=301, headers={"Location": "/news/fire?utm_source=x"},
                                     content_type=None)
    code, out, err = _run(capsys, "index", "add-url", server.url("/short/1"),
                          "--data-dir", str(data_dir))
    assert code == 0, err
    canonical = server.url("/news/fire")
    assert out.splitlines()[0] == (
        f"added: Fire at Velmora grain warehouse (Velmora Gazette, 2026-03-01) <{canonical}>")
    assert "index: added 1 · updated 0" in out
    [article] = _articles(data_dir)
    assert article.meta.url == canonical and article.meta.outlet == "Velmora Gazette"
    assert FIRE[1] in article.text

    server.routes["/news/fire"] = Page(article_html(
        "Fire at Velmora grain warehouse", [*FIRE, UPDATE], site="Velmora Gazette",
        canonical="/news/fire", published="2026-03-01"))
    code, out, _ = _run(capsys, "index", "add-url", canonical + "#comments",
                        "--data-dir", str(data_dir))
    assert code == 0 and out.startswith("updated: ")
    assert "index: added 0 · updated 1 · unchanged 0 · removed 0" in out
    [article] = _articles(data_dir)  # still one article, with the new text
    assert UPDATE in article.text

    code, out, _ = _run(capsys, "index", "add-url", canonical, "--data-dir", str(data_dir))
    assert code == 0 and out.startswith("unchanged: ") and "index unchanged" in out

    # every citation links to the page, with a text fragment for the quoted words
    code, out, _ = _run(capsys, "sources", "faulty conveyor motor fire",
                        "--data-dir", str(data_dir))
    assert code == 0
    assert f"{canonical}#:~:text=Investigators%20said%20on%20Tuesday%20that," in out


def test_refused_links_are_one_line_each_and_the_others_are_indexed(
    server: NewsServer, data_dir: Path, capsys
) -> None:
    server.routes["/ok"] = Page(article_html("Fire at Velmora grain warehouse", FIRE))
    server.routes["/to-private"] = Page(status=302, headers={"Location": "http://10.1.1.1/"},
                                        content_type=None)
    server.routes["/pdf"] = Page(b"%PDF", content_type="application/pdf")
    code, out, err = _run(capsys, "index", "add-url", server.url("/to-private"),
                          server.url("/ok"), server.url("/pdf"), "file:///etc/passwd",
                          "--data-dir", str(data_dir))
    assert code == 1
    assert err.splitlines() == [
        f"factbot: {server.url('/to-private')}: refused: 10.1.1.1 is a private address",
        f"factbot: {server.url('/pdf')}: refused: wrong content type (application/pdf)",
        "factbot: file:///etc/passwd: refused: only http and https links, not file",
    ]
    assert "index: added 1 ·" in out
    [article] = _articles(data_dir)
    assert article.meta.outlet is None  # the page declares none: never guessed


def test_loopback_is_refused_without_the_setting(
    server: NewsServer, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.delenv("FACTBOT_FETCH_ALLOW_LOOPBACK", raising=False)
    server.routes["/ok"] = Page(article_html("Fire at Velmora grain warehouse", FIRE))
    code, out, err = _run(capsys, "index", "add-url", server.url("/ok"),
                          "--data-dir", str(tmp_path / "d"))
    assert code == 1 and out == ""
    assert err == f"factbot: {server.url('/ok')}: refused: 127.0.0.1 is a loopback address\n"
    assert server.requests == []


def test_feeds_add_list_poll_remove(server: NewsServer, data_dir: Path, capsys) -> None:
    def story(n: int) -> Page:
        return Page(article_html(f"Velmora council story {n}", [
            f"The Velmora council approved harbour plan number {n} on Tuesday, the mayor said.",
            f"Residents will be consulted on harbour plan {n} before the summer.",
        ]))

    items = []
    for n in (1, 2):
        server.routes[f"/s/{n}"] = story(n)
        items.append((f"urn:{n}", server.url(f"/s/{n}"), f"Story {n}"))
    server.routes["/feed"] = conditional(Page(rss(items), content_type="application/rss+xml"),
                                         '"one"')
    server.routes["/not-a-feed"] = Page(article_html("Fire", FIRE))
    d = str(data_dir)

    code, _, err = _run(capsys, "feeds", "add", server.url("/not-a-feed"), "--outlet", "X",
                        "--data-dir", d)
    assert code == 2 and err.endswith("refused: wrong content type (text/html)\n")
    code, out, _ = _run(capsys, "feeds", "add", server.url("/feed"), "--outlet", "Harbour News",
                        "--data-dir", d)
    assert code == 0 and out.startswith("following feed 1: Harbour News") and "2 entries" in out
    code, out, err = _run(capsys, "feeds", "add", server.url("/feed"), "--outlet", "Again",
                          "--data-dir", d)
    assert code == 2 and "already followed" in err

    code, out, _ = _run(capsys, "feeds", "poll", "--data-dir", d)
    assert code == 0
    assert f"Harbour News <{server.url('/feed')}>: 2 new, 0 updated" in out
    assert "index: added 2 · updated 0" in out
    assert {a.meta.outlet for a in _articles(data_dir)} == {"Harbour News"}

    server.routes["/s/3"] = story(3)
    items.insert(0, ("urn:3", server.url("/s/3"), "Story 3"))
    server.routes["/feed"] = conditional(Page(rss(items), content_type="application/rss+xml"),
                                         '"two"')
    code, out, _ = _run(capsys, "feeds", "poll", "--data-dir", d)
    assert "1 new, 0 updated" in out and "index: added 1 · updated 0 · unchanged 2" in out

    code, out, _ = _run(capsys, "feeds", "poll", "--data-dir", d)
    assert ": not modified" in out and "index unchanged" in out
    assert len(_articles(data_dir)) == 3

    code, out, _ = _run(capsys, "feeds", "list", "--data-dir", d)
    assert "[1] Harbour News" in out and "3 article(s) added (0 in the last poll)" in out
    assert "ok · last success 20" in out
    code, out, _ = _run(capsys, "feeds", "remove", "1", "--data-dir", d)
    assert code == 0 and "its indexed articles stay" in out
    code, out, _ = _run(capsys, "feeds", "list", "--data-dir", d)
    assert out.startswith("no feeds followed")
    code, _, err = _run(capsys, "feeds", "remove", "1", "--data-dir", d)
    assert code == 2 and "no followed feed" in err


def test_a_failing_feed_makes_poll_exit_1_but_the_others_are_indexed(
    server: NewsServer, data_dir: Path, capsys
) -> None:
    from index.live import feed_store

    settings = Settings(data_dir=data_dir)
    server.routes["/s/1"] = Page(article_html("Velmora council story", [
        "The Velmora council approved the harbour plan on Tuesday, the mayor said."]))
    server.routes["/feed"] = Page(rss([("urn:1", server.url("/s/1"), "S")]),
                                  content_type="text/xml")
    store = feed_store(settings)
    store.add(server.url("/gone"), "Gone Daily")
    store.add(server.url("/feed"), "Harbour News")
    code, out, _ = _run(capsys, "feeds", "poll", "--data-dir", str(data_dir))
    assert code == 1
    assert f"Gone Daily <{server.url('/gone')}>: failed: the server answered 404 Not Found" in out
    assert "index: added 1" in out
