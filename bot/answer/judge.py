"""The judge seam: how an evidence sentence stands towards a claim or a question.

One small interface, `Judge.judge(pairs) -> [Scores]`: given a claim (or a question) and an
evidence sentence with its context, probabilities for entail / contradict / neutral. For a
question, `entail` means "this sentence answers it". Verdict aggregation (`verdict.py`) sits
above the seam and knows nothing of how the scores were made.

Implementations:
- `OnnxJudge` (default): the cross-encoder this project trains (`training/`), shipped as an
  int8 ONNX file inside the package, its sha256 checked at load, run with onnxruntime and the
  `tokenizers` library. All pairs of one query go through in one batched call; the model is
  loaded once per process and shared.
- `bot.answer.llm_judge.LLMJudge` (optional): any LangChain chat model, asked for structured
  output (see that module).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

MODEL_PACKAGE = "bot.answer.models"
MODEL_DIR = "judge"
# Pairs per onnxruntime call: one query's pairs go in one call when they fit.
MAX_BATCH = 64


class JudgeModelError(RuntimeError):
    """The judge model could not be loaded (missing file, wrong hash)."""


@dataclass(frozen=True, slots=True)
class JudgePair:
    """One thing to judge: a claim or question against an evidence sentence in context.

    `context` is the text the sentence leans on (the previous sentence when it refers back,
    or the headline); `speaker` and `verb` say who states it ("the ministry", "denied").
    """

    query: str
    sentence: str
    context: str | None = None
    speaker: str | None = None
    verb: str | None = None

    @property
    def premise(self) -> str:
        """The sentence as the model reads it: its context first, when it has one."""
        return f"{self.context} {self.sentence}" if self.context else self.sentence


@dataclass(frozen=True, slots=True)
class Scores:
    """Probabilities (summing to 1) that a sentence entails, contradicts or does not settle
    a claim. For a question, `entail` is the probability that the sentence answers it."""

    entail: float
    contradict: float
    neutral: float

    @property
    def label(self) -> str:
        best = max(self.entail, self.contradict, self.neutral)
        if best == self.entail:
            return "entail"
        return "contradict" if best == self.contradict else "neutral"


class Judge(Protocol):
    """Anything that scores pairs; `name` appears in reports."""

    name: str

    def judge(self, pairs: Sequence[JudgePair]) -> list[Scores]: ...


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_dir() -> Path:
    """Where the shipped judge lies inside the installed package."""
    return Path(str(resources.files(MODEL_PACKAGE) / MODEL_DIR))


class OnnxJudge:
    """The shipped cross-encoder: int8 ONNX + WordPiece tokenizer, checked by sha256."""

    name = "onnx-minilm-judge"

    def __init__(self, directory: Path | None = None, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        directory = directory or model_dir()
        card_path = directory / "judge.json"
        if not card_path.exists():
            raise JudgeModelError(f"judge model card missing: {card_path}")
        card = json.loads(card_path.read_text(encoding="utf-8"))
        for name, expected in card["sha256"].items():
            path = directory / name
            if not path.exists():
                raise JudgeModelError(f"judge model file missing: {path}")
            if file_sha256(path) != expected:
                raise JudgeModelError(f"judge model file {name} failed its sha256 check")
        self.labels: list[str] = card["labels"]
        self.max_length: int = card["max_length"]
        self.card = card
        tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=self.max_length, strategy="only_first")
        tokenizer.enable_padding()
        self._tokenizer = tokenizer
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # idle worker threads sleep instead of spinning: on a busy 2-core machine a batch of
        # 12 pairs took 280 ms with spinning threads and 97 ms without (benchmarks/threads.py)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(directory / "model.onnx"), options,
                                             providers=["CPUExecutionProvider"])
        self._order = [self.labels.index(k) for k in ("entail", "contradict", "neutral")]

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Raw logits (in the card's label order) for (premise, hypothesis) pairs."""
        out = []
        for start in range(0, len(pairs), MAX_BATCH):
            batch = list(pairs[start : start + MAX_BATCH])
            encodings = self._tokenizer.encode_batch(batch)
            feeds = {
                "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings],
                                           dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
            }
            out.append(self._session.run(["logits"], feeds)[0])
        return np.concatenate(out) if out else np.zeros((0, len(self.labels)), np.float32)

    def judge(self, pairs: Sequence[JudgePair]) -> list[Scores]:
        if not pairs:
            return []
        logits = self.logits([(p.premise, p.query) for p in pairs]).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        e, c, n = self._order
        return [Scores(float(row[e]), float(row[c]), float(row[n])) for row in probs]


_SHARED: dict[tuple[str, int | None], OnnxJudge] = {}
_SHARED_LOCK = threading.Lock()


def shared_judge(threads: int | None = None) -> OnnxJudge:
    """The shipped judge, loaded once per process (the second query pays no load)."""
    key = (str(model_dir()), threads)
    with _SHARED_LOCK:
        judge = _SHARED.get(key)
        if judge is None:
            judge = _SHARED[key] = OnnxJudge(threads=threads)
            log.info("judge model loaded (%s)", judge.name)
        return judge
