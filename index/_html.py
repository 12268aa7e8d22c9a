"""HTML pages: main text and metadata through trafilatura and lxml (no regexes over HTML).

The outlet is taken only from what the page states about itself (`og:site_name`,
`application-name`, a JSON-LD publisher): trafilatura's own site name may fall back to the
host name or the `<title>`, which would be a guess.
"""

from __future__ import annotations

import json
import logging
from copy import deepcopy

import trafilatura
from lxml import html as lxml_html
from trafilatura.settings import DEFAULT_CONFIG

from index.types import SourceMeta

log = logging.getLogger(__name__)

_CONFIG = deepcopy(DEFAULT_CONFIG)
# Short news pages are still articles: do not discard extractions under trafilatura's defaults.
_CONFIG.set("DEFAULT", "MIN_EXTRACTED_SIZE", "20")
_CONFIG.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")

_OUTLET_META = (
    ("property", "og:site_name"),
    ("name", "og:site_name"),
    ("name", "application-name"),
)


def extract_html(page: str) -> tuple[str, SourceMeta]:
    """Extract the main text and the page's own metadata.

    Args:
        page: the decoded HTML document.

    Returns:
        The main text (paragraphs on separate lines; scripts, styles, navigation and comments
        left out; empty when nothing was found) and the metadata the page declares.
    """
    try:
        doc = trafilatura.bare_extraction(
            page,
            include_comments=False,
            include_tables=True,
            with_metadata=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
            config=_CONFIG,
        )
    except Exception:  # trafilatura/lxml can fail on broken markup; report as "no text"
        log.warning("trafilatura could not parse an HTML page", exc_info=True)
        return "", SourceMeta()
    if doc is None:
        return "", SourceMeta(outlet=declared_outlet(page))
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = data.get("text") or ""
    meta = SourceMeta(
        outlet=declared_outlet(page),
        title=_clean(data.get("title")),
        published=_clean(data.get("date")),
        author=_clean(data.get("author")),
        url=_clean(data.get("url")),
    )
    return text, meta


def declared_outlet(page: str) -> str | None:
    """The outlet a page names itself: `og:site_name`, `application-name` or JSON-LD publisher."""
    try:
        tree = lxml_html.fromstring(page)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return None
    for attr, value in _OUTLET_META:
        for node in tree.iter("meta"):
            if (node.get(attr) or "").strip().lower() == value:
                content = _clean(node.get("content"))
                if content:
                    return content
    for node in tree.iter("script"):
        if (node.get("type") or "").strip().lower() == "application/ld+json":
            name = _jsonld_publisher(node.text or "")
            if name:
                return name
    return None


def _jsonld_publisher(raw: str) -> str | None:
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    items = data if isinstance(data, list) else [data]
    graph = [g for item in items if isinstance(item, dict) for g in item.get("@graph", [])]
    for item in [*items, *graph]:
        if not isinstance(item, dict):
            continue
        publisher = item.get("publisher")
        if isinstance(publisher, dict):
            name = _clean(publisher.get("name"))
            if name:
                return name
    return None


def _clean(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None
