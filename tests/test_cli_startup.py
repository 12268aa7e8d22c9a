"""What `factbot` costs before a command runs: start-up imports only what parsing needs
(`--help` and `--version` answer without pydantic, the models, Chroma or rich)."""

from __future__ import annotations

import subprocess
import sys


def test_cli_start_up_imports_no_heavy_machinery() -> None:
    heavy = ("chromadb", "onnxruntime", "tokenizers", "numpy", "rich", "discord",
             "trafilatura", "feedparser", "langchain_core", "langchain_chroma", "bm25s",
             "pydantic", "bot.settings", "bot.answer.core", "index.store")
    code = ("import sys, bot.cli; print(' '.join(m for m in sys.argv[1:] if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, *heavy], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == []
