"""Deployment files: what the Dockerfile, compose file and systemd unit promise, checked
against the real commands they run (a real `chroma run` server, a real index)."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml

from index.build import build_index
from tests.index.conftest import mini_corpus, settings  # noqa: F401 - fixtures
from tests.index.test_server import chroma_server  # noqa: F401 - a real server fixture

REPO = Path(__file__).resolve().parents[1]
FACTBOT = [sys.executable, "-m", "bot.cli"]


def _dockerfile() -> list[str]:
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip()
            and not line.lstrip().startswith("#")]


def test_dockerfile_is_multi_stage_non_root_with_volume_and_healthcheck():
    lines = _dockerfile()
    assert sum(line.startswith("FROM ") for line in lines) == 2
    [user] = [line for line in lines if line.startswith("USER ")]
    assert user.split()[1].split(":")[0] not in ("0", "root")
    assert 'VOLUME ["/data"]' in lines and "ENV PATH=/opt/factbot/bin:$PATH" in " ".join(lines)
    [health] = [line for line in lines if line.startswith("HEALTHCHECK ")]
    assert health.endswith('CMD ["factbot", "index", "status", "--quiet"]')
    assert 'ENTRYPOINT ["factbot"]' in lines and 'CMD ["serve"]' in lines
    # the model is checked into the image at build time, offline
    assert any("HF_HUB_OFFLINE=1" in line and "embed_query" in line for line in lines)


def test_dockerignore_keeps_secrets_and_data_out_of_the_build_context():
    rules = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert rules[0] == "*"  # everything out, then only what the image needs back in
    assert {"!pyproject.toml", "!README.md", "!bot/", "!index/", "!prompts/"} <= set(rules)


def test_compose_runs_the_bot_against_a_healthy_chroma_server():
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    chroma, bot = compose["services"]["chroma"], compose["services"]["factbot"]
    assert chroma["entrypoint"][:2] == ["chroma", "run"] and "/chroma" in chroma["entrypoint"]
    assert bot["depends_on"]["chroma"]["condition"] == "service_healthy"
    assert bot["environment"]["CHROMA_HOST"] == "chroma"
    assert bot["environment"]["CHROMA_PORT"] == chroma["entrypoint"][5]
    assert "factbot-data:/data" in bot["volumes"] and set(compose["volumes"]) == {
        "chroma-data", "factbot-data"}
    assert bot["command"] == ["serve"] and bot["restart"] == "unless-stopped"


@pytest.mark.server
def test_the_compose_chroma_healthcheck_url_answers_on_a_real_server(chroma_server):  # noqa: F811
    port, _proc = chroma_server
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    probe = compose["services"]["chroma"]["healthcheck"]["test"][-1]
    url = re.search(r"'(http://[^']+)'", probe).group(1).replace(":8000", f":{port}")
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200 and b"heartbeat" in response.read()


def test_the_image_healthcheck_command_tells_healthy_from_not(mini_corpus, settings):  # noqa: F811
    env = {"PATH": "/usr/bin:/bin", "FACTBOT_DATA_DIR": str(settings.data_dir)}
    check = [*FACTBOT, "index", "status", "--quiet"]
    run = lambda: subprocess.run(check, env=env, capture_output=True, timeout=300)  # noqa: E731
    assert run().returncode == 1  # nothing built yet
    build_index([mini_corpus], settings)
    done = run()
    assert done.returncode == 0 and done.stdout == b"" and done.stderr == b""


def test_systemd_unit_runs_the_bot_unprivileged():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # keys are case-sensitive
    unit.read_string((REPO / "deploy" / "factbot.service").read_text())
    service = unit["Service"]
    assert service["ExecStart"].endswith("factbot serve")
    assert service["User"] == "factbot" and service["NoNewPrivileges"] == "yes"
    assert service["Environment"]  # the data dir is set
    assert service["EnvironmentFile"].startswith("/etc/factbot/")
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_license_file_matches_the_declared_license():
    import tomllib

    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["license"]
    assert declared == {"text": "MIT"}
    assert (REPO / "LICENSE").read_text().startswith("MIT License")
