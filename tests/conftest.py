"""Shared fixtures: the demo corpus shipped with the package and the seed corpus beside the repo."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED_CORPUS = REPO.parent / "shared" / "corpus"
DEMO_CORPUS = REPO / "index" / "demo_corpus"


@pytest.fixture(scope="session")
def seed_corpus() -> Path:
    """`../shared/corpus` (five real articles); tests using it skip where it is absent."""
    if not (SEED_CORPUS / "sources.csv").is_file():
        pytest.skip(f"seed corpus not found at {SEED_CORPUS} (it sits beside the repo on CI)")
    return SEED_CORPUS


@pytest.fixture(scope="session")
def demo_corpus() -> Path:
    """The invented demo corpus shipped in `index/demo_corpus`."""
    return DEMO_CORPUS
