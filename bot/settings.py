"""The one settings object, read from the environment and an optional `.env` file.

Every setting is documented in `.env.example`. Secrets (`DISCORD_TOKEN`, `FACTBOT_LLM_API_KEY`)
are `SecretStr`, have no default and are never logged.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

EmbeddingModelName = Literal["minilm", "e5", "openai", "ollama"]


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """All configuration of factbot: index, answering, Discord."""

    model_config = SettingsConfigDict(
        env_prefix="FACTBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # --- index -------------------------------------------------------------------------------
    data_dir: Path = Field(default=Path("factbot-data"))
    embedding_model: EmbeddingModelName = "minilm"
    # texts per embedding-model call, when indexing and when answering: 16 embedded chunks
    # ~1.2x faster than 32 and ~1.4x faster than 64 on 2 cores (benchmarks/threads.py)
    embedding_batch_size: int = Field(default=16, ge=1, le=512)
    # intra-op threads of the local embedding model (None: one per core). With idle threads
    # sleeping, one per core indexed 1.5x faster than 1 thread on 2 cores with a core free,
    # and 1.14x slower with both cores busy (benchmarks/threads.py); 1 suits a shared box.
    onnx_threads: int | None = Field(default=None, ge=1, le=64)
    chunk_tokens: int = Field(default=200, ge=32, le=2048)
    chunk_overlap: int = Field(default=40, ge=0, le=512)
    max_file_bytes: int = Field(default=5_000_000, ge=1_000)
    chroma_host: str | None = Field(
        default=None, validation_alias=AliasChoices("CHROMA_HOST", "FACTBOT_CHROMA_HOST")
    )
    chroma_port: int | None = Field(
        default=None, validation_alias=AliasChoices("CHROMA_PORT", "FACTBOT_CHROMA_PORT")
    )
    # Shared mode: article texts and the build registry in PostgreSQL, so processes on several
    # hosts serve one index (with CHROMA_HOST). A secret: it may hold a password.
    database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "FACTBOT_DATABASE_URL")
    )

    # --- logging -----------------------------------------------------------------------------
    log_level: Literal["debug", "info", "warning", "error"] | None = None
    log_format: Literal["text", "json"] = "text"

    # --- optional network providers (never used unless selected) -----------------------------
    openai_base_url: str | None = None
    openai_embedding_model: str = "text-embedding-3-small"
    ollama_base_url: str = "http://127.0.0.1:11434"
    ollama_embedding_model: str = "nomic-embed-text"

    # --- answering ---------------------------------------------------------------------------
    composer: Literal["extractive", "llm"] = "extractive"
    llm_provider: Literal["openai", "ollama"] = "openai"
    llm_model: str = "gpt-4o-mini"
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_max_retries: int = Field(default=2, ge=0, le=5)
    llm_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    retrieval_k: int = Field(default=8, ge=1, le=50)
    # the claim judge: the shipped cross-encoder ("model") or the chat model above ("llm")
    judge: Literal["model", "llm"] = "model"
    judge_threads: int | None = Field(default=None, ge=1, le=64)
    max_query_chars: int = Field(default=1000, ge=50)

    # --- Discord -----------------------------------------------------------------------------
    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN", "FACTBOT_DISCORD_TOKEN")
    )
    answer_channels: Annotated[list[int], NoDecode] = Field(default_factory=list)
    moderator_roles: Annotated[list[int], NoDecode] = Field(default_factory=list)
    reindex_sources: Annotated[list[str], NoDecode] = Field(default_factory=list)
    command_cooldown_seconds: float = Field(default=10.0, ge=0)
    sync_commands: bool = False
    # false: run without the privileged intent (mentions and /ask only, no answer channels)
    message_content_intent: bool = True
    mod_log_channel: int | None = None  # a copy of every moderator operation's result
    core_queue_limit: int = Field(default=16, ge=1, le=1000)  # questions waiting, then "busy"

    # --- live news: articles by link, followed feeds ----------------------------------------
    feeds_poll_minutes: float = Field(default=30.0, ge=0)  # 0: only `factbot feeds poll`
    feeds_max_articles_per_poll: int = Field(default=20, ge=1, le=500)  # per feed
    fetch_timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    fetch_max_bytes: int = Field(default=5_000_000, ge=1_000)
    fetch_max_redirects: int = Field(default=5, ge=0, le=20)
    fetch_allow_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    fetch_allow_loopback: bool = False
    fetch_user_agent: str = "factbot/0.1 (Discord fact-check bot; fetches pages moderators add)"

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() or None if isinstance(value, str) else value

    @field_validator("onnx_threads", "judge_threads", mode="before")
    @classmethod
    def _empty_threads(cls, value: object) -> object:
        """An empty value (`FACTBOT_ONNX_THREADS=`) means onnxruntime's default."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("answer_channels", "moderator_roles", "reindex_sources", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("fetch_allow_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: object) -> object:
        return _split_csv(value)

    @cached_property
    def named_sources(self) -> dict[str, Path]:
        """`reindex_sources` entries of the form `name=path`, as a mapping."""
        out: dict[str, Path] = {}
        for entry in self.reindex_sources:
            name, sep, path = entry.partition("=")
            if sep and name.strip() and path.strip():
                out[name.strip()] = Path(path.strip())
        return out

    @property
    def chroma_is_remote(self) -> bool:
        return bool(self.chroma_host)

    @property
    def shared_store(self) -> bool:
        """True when texts and builds live in PostgreSQL (`DATABASE_URL`), not in SQLite."""
        return self.database_url is not None and bool(self.database_url.get_secret_value())

    @property
    def tiktoken_cache_dir(self) -> Path:
        return self.data_dir / "tiktoken"


def load_settings(**overrides: object) -> Settings:
    """Read the settings from the environment, with explicit overrides (e.g. CLI flags)."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
