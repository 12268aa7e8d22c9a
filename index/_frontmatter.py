"""YAML front matter at the top of a Markdown file, read with PyYAML's safe loader.

    ---
    outlet: Example Gazette
    title: Quay reopens
    date: 2025-03-04
    ---
    Article text ...

Known keys are the metadata fields (`outlet`, `title`, `published`, `author`, `url`,
`republished_by`) and `date` as another name for `published`; other keys are warned about
once per file. A block that is not valid YAML is still removed from the text, with a warning.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

import yaml

from index.metadata import normalise_date
from index.types import SourceMeta

log = logging.getLogger(__name__)

FIELDS = ("outlet", "title", "published", "author", "url", "republished_by")
ALIASES = {"date": "published"}
_OPEN = re.compile(r"\A---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_MAX_FRONT_MATTER = 64_000


def split_front_matter(text: str, where: str) -> tuple[str, SourceMeta]:
    """Split YAML front matter from a Markdown text.

    Args:
        text: the normalised text (newlines are `\\n`).
        where: the file, for warnings.

    Returns:
        The body after the front matter (the whole text when there is none) and the metadata
        it declares.
    """
    opening = _OPEN.match(text)
    if not opening:
        return text, SourceMeta()
    closing = _CLOSE.search(text, opening.end())
    if closing is None or closing.start() - opening.end() > _MAX_FRONT_MATTER:
        return text, SourceMeta()
    block = text[opening.end() : closing.start()]
    body = text[closing.end() :].lstrip("\n")
    try:
        data = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" (line {mark.line + 2})" if mark is not None else ""
        log.warning("%s: front matter is not valid YAML%s; its metadata was ignored", where, at)
        return body, SourceMeta()
    if not isinstance(data, dict):
        log.warning("%s: front matter is not a mapping of keys to values; ignored", where)
        return body, SourceMeta()
    return body, _meta(data, where)


def _meta(data: dict, where: str) -> SourceMeta:
    values: dict[str, str | None] = {}
    unknown = []
    for raw_key, raw_value in data.items():
        key = str(raw_key).strip().lower().replace(" ", "_").replace("-", "_")
        name = ALIASES.get(key, key)
        if name not in FIELDS:
            unknown.append(str(raw_key))
            continue
        value = _text(raw_value)
        if value and not values.get(name):
            values[name] = value
    if unknown:
        log.warning("%s: ignored unknown front matter keys: %s", where, ", ".join(unknown[:10]))
    if values.get("published") and not normalise_date(values["published"]):
        log.warning("%s: the date %r cannot be read and was dropped", where, values["published"])
        values["published"] = None
    return SourceMeta(**values)


def _text(value: object) -> str | None:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, str):
        return " ".join(value.split()) or None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(" ".join(v.split()) for v in value if v.strip()) or None
    return None
