"""Fixtures of the answering-core tests: real indexes (real model, real Chroma) built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer.core import FactChecker
from bot.settings import Settings


def _build(tmp: Path, corpus: Path) -> Settings:
    from index.build import build_index

    settings = Settings(data_dir=tmp)
    summary = build_index([corpus], settings)
    if summary.failed:
        pytest.fail(f"index build failed: {summary.line()}")
    return settings


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory, seed_corpus: Path) -> Settings:
    """Settings of a data dir holding a real index of the seed corpus."""
    return _build(tmp_path_factory.mktemp("seed-index"), seed_corpus)


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory, demo_corpus: Path) -> Settings:
    """Settings of a data dir holding a real index of the demo corpus."""
    return _build(tmp_path_factory.mktemp("demo-index"), demo_corpus)


@pytest.fixture(scope="session")
def seed_checker(seed_settings: Settings) -> FactChecker:
    return FactChecker(seed_settings)


@pytest.fixture(scope="session")
def demo_checker(demo_settings: Settings) -> FactChecker:
    return FactChecker(demo_settings)



EVAL_CORPORA = Path(__file__).resolve().parents[2] / "evals"


@pytest.fixture(scope="session")
def unseen_checker(tmp_path_factory: pytest.TempPathFactory) -> FactChecker:
    """A real index of the frozen unseen-topics corpus (`evals/unseen/`)."""
    return FactChecker(_build(tmp_path_factory.mktemp("unseen-index"), EVAL_CORPORA / "unseen"))


@pytest.fixture(scope="session")
def tuning_checker(tmp_path_factory: pytest.TempPathFactory) -> FactChecker:
    """A real index of the tuning corpus (`evals/tuning/`)."""
    return FactChecker(_build(tmp_path_factory.mktemp("tuning-index"), EVAL_CORPORA / "tuning"))
