"""A real PostgreSQL server on 127.0.0.1 for shared-mode tests.

`pg_server` (session-wide) runs the PostgreSQL 15 server binaries of the machine in a
temporary folder, on a free loopback port, with password (SCRAM) login over TCP so that URLs
carry a real password. `pg_url` gives each test a fresh empty database on it. The Chroma
server is `tests.index.test_server.chroma_server`. Tests skip, saying why, when the binaries
are absent.

`initdb` and `postgres` refuse to run as root (CI runs as root): the server then runs as the
`postgres` system user, in a folder that user owns.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN_DIRS = [Path(p) for p in os.environ.get("FACTBOT_TEST_PG_BIN", "").split(":") if p] + [
    Path(f"/usr/lib/postgresql/{v}/bin") for v in (17, 16, 15, 14, 13)
]
PG_USER = "factbot_test"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bin() -> Path | None:
    """The folder with `initdb`, `pg_ctl` and `postgres`, or None when not installed."""
    for folder in PG_BIN_DIRS:
        if all((folder / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb") and shutil.which("postgres"):
        return Path(found).parent
    return None


@dataclass
class PgServer:
    """A running PostgreSQL: where it listens and how to log in."""

    host: str
    port: int
    user: str
    password: str
    data: Path

    def url(self, database: str = "postgres", password: str | None = None) -> str:
        """A `postgresql://` URL for `database` (with the real password unless one is given)."""
        secret = self.password if password is None else password
        return f"postgresql://{self.user}:{secret}@{self.host}:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its name."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _as_server_user(command: list[str]) -> tuple[list[str], str | None]:
    """`command` run as the `postgres` user when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return command, None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no `postgres` user to run PostgreSQL as")
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *command], "postgres"
    setpriv = shutil.which("setpriv")
    if setpriv:
        entry = pwd.getpwnam("postgres")
        return [setpriv, f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups",
                "--", *command], "postgres"
    pytest.skip("running as root without runuser or setpriv to start PostgreSQL unprivileged")


def _run(command: list[str], env: dict[str, str]) -> None:
    wrapped, _user = _as_server_user(command)
    done = subprocess.run(wrapped, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-800:]}")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A real PostgreSQL on 127.0.0.1 (password login over TCP), stopped after the session."""
    folder = pg_bin()
    if folder is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl, postgres) are not installed")
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[test]')")
    base = Path(tempfile.mkdtemp(prefix="factbot-pg-"))  # not under pytest's 0700 tmp folders
    _wrapped, user = _as_server_user(["true"])
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    data = base / "data"
    password = secrets.token_urlsafe(18)
    pwfile = base / "pw"
    pwfile.write_text(password + "\n")
    if user is not None:
        os.chown(pwfile, entry.pw_uid, entry.pw_gid)
    os.chmod(pwfile, 0o600)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}
    port = free_port()
    try:
        _run([str(folder / "initdb"), "-D", str(data), "-U", PG_USER, f"--pwfile={pwfile}",
              "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8",
              "--no-sync"], env)
        pwfile.unlink()
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='' "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=100 -c shared_buffers=32MB")
        try:
            _run([str(folder / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"),
                  "-w", "-t", "60", "-o", options, "start"], env)
        except RuntimeError as exc:
            log = base / "server.log"
            tail = log.read_text(errors="replace")[-800:] if log.is_file() else ""
            raise RuntimeError(f"{exc}\nserver log:\n{tail}") from None
        server = PgServer("127.0.0.1", port, PG_USER, password, data)
        try:
            yield server
        finally:
            _run([str(folder / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], env)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """The URL (with its password) of a fresh empty database, dropped after the test."""
    name = pg_server.create_database()
    try:
        yield pg_server.url(name)
    finally:
        from index.pgstore import close_connections

        close_connections()
        pg_server.drop_database(name)
