"""`run_bot`: a missing or rejected token is one log line and an exit code, never a traceback."""

from __future__ import annotations

import logging

import pytest

from bot.discord.app import run_bot
from bot.settings import Settings
from tests.discord.fakes import FakeCore
from tests.fake_discord import serve_in_thread


@pytest.fixture
def no_real_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """run_bot builds its own bot: give it the fake core instead of loading the real one."""
    from bot.discord import app

    original = app.create_bot
    monkeypatch.setattr(
        app,
        "create_bot",
        lambda settings, sync=False: original(
            settings,
            core=FakeCore(),
            builder=lambda *a, **k: None,
            sync=sync,
            guild_ready_timeout=0.05,
        ),
    )


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_missing_token(tmp_path, caplog) -> None:
    assert run_bot(Settings(data_dir=tmp_path, discord_token=None)) == 2
    [record] = _errors(caplog)
    assert "DISCORD_TOKEN is not set" in record.getMessage() and record.exc_info is None


def test_rejected_token_is_one_line(tmp_path, caplog, capsys, no_real_core) -> None:
    secret = "MTIz.wrong-secret-token.abc"
    caplog.set_level(logging.DEBUG)
    with serve_in_thread() as fake:
        code = run_bot(Settings(data_dir=tmp_path, discord_token=secret))
        assert [r.status for r in fake.requests] == [401]
    assert code == 1
    [record] = _errors(caplog)
    assert record.getMessage().startswith("Discord rejected DISCORD_TOKEN")
    assert "\n" not in record.getMessage() and record.exc_info is None
    everything = caplog.text + "".join(capsys.readouterr())
    assert secret not in everything and "Traceback" not in everything


def test_message_content_intent_refused(tmp_path, caplog, no_real_core) -> None:
    with serve_in_thread(allow_message_content=False) as fake:
        code = run_bot(Settings(data_dir=tmp_path, discord_token=fake.token))
    assert code == 1
    [record] = _errors(caplog)
    assert "message content intent" in record.getMessage()
