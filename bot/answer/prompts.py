"""Prompt templates: plain text files in the `prompts` package, loaded by name."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


class PromptNotFoundError(LookupError):
    """No template file `prompts/<name>.txt`."""


@lru_cache(maxsize=32)
def load_prompt(name: str) -> str:
    """The text of `prompts/<name>.txt`.

    Raises:
        PromptNotFoundError: there is no such template.
    """
    path = resources.files("prompts") / f"{name}.txt"
    if not path.is_file():
        raise PromptNotFoundError(f"no prompt template named {name!r}")
    return path.read_text(encoding="utf-8")


def render_prompt(name: str, **values: object) -> str:
    """A template with `{placeholders}` filled (plain `str.format`)."""
    return load_prompt(name).format(**values)
