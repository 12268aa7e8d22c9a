"""The models loaded ahead of the first query, and warmed with the shapes real queries use.

onnxruntime builds its session (and hashes the model file) with the GIL released, so loading
the embedding model and the judge in a thread overlaps the seconds of imports and index
opening that a fresh process spends on one core; on two cores a cold `factbot ask` then
pays almost nothing for them. The first runs of a session also pay for allocating buffers of
each new shape (~60 ms on 2 cores): warming with a query, a sentence batch of the evidence
size and a judge batch of the pool size moves that off the first answer.

Each model object is warmed once per process; a second caller waits for the first.
Importing this module imports nothing heavy: the loader thread imports the models.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from bot.settings import Settings

log = logging.getLogger(__name__)

# A question and an evidence sentence of typical length (news prose, ~20 and ~35 tokens).
WARM_QUERY = "How many people did the regional officials say were injured in the fire?"
WARM_SENTENCE = ("The regional governor said on Tuesday that 12 people had been taken to "
                 "hospital after the fire, and that the plant would stay closed until May.")

_EMBEDDINGS_LOCK = threading.Lock()
_JUDGE_LOCK = threading.Lock()
_warmed: dict[int, object] = {}  # id -> the warmed model (kept, so the id is never reused)


def _once(lock: threading.Lock, model: object, warm: Callable[[], None]) -> None:
    with lock:  # held while warming: a second caller waits for the first to finish
        if id(model) in _warmed:
            return
        warm()
        _warmed[id(model)] = model


def warm_embeddings(embeddings: Any) -> None:
    """Load a local embedding model and run it once on a query and once on a sentence
    batch of `evidence.SENTENCE_EMBED_TOP` (once per model; network models: not at all).

    Args:
        embeddings: an `Embeddings`, possibly wrapped in `evidence.MemoEmbeddings`.
    """
    from index.embeddings import E5Embeddings, MiniLMEmbeddings

    model = getattr(embeddings, "inner", embeddings)
    if not isinstance(model, MiniLMEmbeddings | E5Embeddings):
        return  # a network model: a warm-up would be a request, and there is nothing to warm

    def warm() -> None:
        from bot.answer.evidence import SENTENCE_EMBED_TOP

        model.load()
        model.embed_query(WARM_QUERY)
        model.embed_documents([WARM_SENTENCE] * SENTENCE_EMBED_TOP)

    _once(_EMBEDDINGS_LOCK, model, warm)


def warm_judge(judge: Any) -> None:
    """Run the shipped judge once on a batch of `verdict.JUDGE_POOL` pairs (once per judge;
    an LLM judge is never called: that would be a paid request)."""
    from bot.answer.judge import JudgePair, OnnxJudge

    if not isinstance(judge, OnnxJudge):
        return

    def warm() -> None:
        from bot.answer.verdict import JUDGE_POOL

        judge.judge([JudgePair(WARM_QUERY, WARM_SENTENCE)] * JUDGE_POOL)

    _once(_JUDGE_LOCK, judge, warm)


def load_models(settings: Settings, judge: bool = True) -> None:
    """Load the embedding model and (with `judge`) the shipped judge, then warm both.

    Errors are logged, not raised: the query path loads the models again and reports them.
    """
    try:
        from index.embeddings import get_embeddings

        embeddings = get_embeddings(settings)
        load = getattr(embeddings, "load", None)
        if load is not None:
            load()
        onnx_judge = None
        if judge and settings.judge == "model":
            from bot.answer.judge import shared_judge

            onnx_judge = shared_judge(settings.judge_threads)
        warm_embeddings(embeddings)
        if onnx_judge is not None:
            warm_judge(onnx_judge)
    except Exception as exc:  # noqa: BLE001 - reported again where the models are used
        log.debug("preloading the models failed: %s", exc, exc_info=True)


_PRELOADS: dict[tuple, threading.Thread] = {}
_PRELOADS_LOCK = threading.Lock()


def preload_models(settings: Settings, judge: bool = True) -> threading.Thread:
    """Start `load_models` in a background (daemon) thread and return it at once.

    Once per process and model settings: a second call (the CLI starts it before importing
    the core, the core when it is created) returns the thread already started.
    """
    key = (settings.embedding_model, settings.embedding_batch_size, settings.onnx_threads,
           judge and settings.judge == "model", settings.judge_threads)
    with _PRELOADS_LOCK:
        thread = _PRELOADS.get(key)
        if thread is None:
            thread = _PRELOADS[key] = threading.Thread(
                target=load_models, args=(settings, judge), daemon=True,
                name="factbot-preload")
            thread.start()
        return thread
