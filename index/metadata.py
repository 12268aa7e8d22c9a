"""Article metadata: `sources.csv`, then the document itself, then careful text heuristics.

Priority per field: a `sources.csv` row in the file's folder, then what the document declares
(HTML meta tags, JSON fields), then heuristics over the text (title, date, author only). An
empty cell or missing value means unknown and falls through to the next layer. The outlet is
never guessed from the text: with no csv outlet and no declared outlet it stays `None`.

`sources.csv` is checked as it is read, and every problem is one warning per file: unknown
columns, duplicate rows (the first row for a file wins), rows for files that are not in the
folder, dates that cannot be read (dropped). `date` is accepted as another name for the
`published` column. A value that starts like a spreadsheet formula (`=`, `+`, `-`, `@`) loses
those leading characters, and `csv_safe` neutralises values written to a csv, so no stored or
written value can run as a formula when the file is opened in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path

from index.types import LoadFailure, SourceMeta

log = logging.getLogger(__name__)

SOURCES_CSV = "sources.csv"
CSV_COLUMNS = ("file", "outlet", "title", "published", "author", "url", "republished_by")
COLUMN_ALIASES = {"date": "published"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_CSV_BYTES = 5_000_000

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)(?!\d)"),
    re.compile(
        r"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b",
        re.IGNORECASE,
    ),
    re.compile(
        _MONTH + r"\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b",
        re.IGNORECASE,
    ),
)
_BYLINE = re.compile(r"^\s*by\s+(?P<rest>\S.*)$", re.IGNORECASE)
_AUTHORS_LINE = re.compile(r"^\s*authors?\s*:\s*(?P<rest>\S.*)$", re.IGNORECASE)
_HEADER_LINES = 12


@dataclass(slots=True)
class SourcesTable:
    """The rows of one folder's `sources.csv`, by file name, and a failure if it was unusable."""

    rows: dict[str, SourceMeta] = field(default_factory=dict)
    failure: LoadFailure | None = None
    warnings: list[str] = field(default_factory=list)

    def lookup(self, file_name: str) -> SourceMeta | None:
        """The row for a file name (exact, then case-insensitive), or None."""
        if file_name in self.rows:
            return self.rows[file_name]
        lowered = file_name.lower()
        for name, meta in self.rows.items():
            if name.lower() == lowered:
                return meta
        return None


def read_sources_csv(path: Path) -> SourcesTable:
    """Read a `sources.csv`; tolerant of a BOM, UTF-16, missing, extra or reordered columns.

    Args:
        path: the csv file.

    Returns:
        The rows keyed by the `file` column, with `warnings` (each also logged). A file that
        cannot be read or parsed, or that has no `file` column, gives an empty table with a
        `failure` (never an exception).
    """
    from index.loaders import LoadError, decode_text

    try:
        if path.stat().st_size > _MAX_CSV_BYTES:
            return _csv_failure(path, f"sources.csv too large (limit {_MAX_CSV_BYTES:,} bytes)")
        raw = path.read_bytes()
    except OSError as err:
        return _csv_failure(path, f"cannot read sources.csv ({err.strerror or err})")
    try:
        text = decode_text(raw, path)
    except LoadError as err:
        return _csv_failure(path, "sources.csv: " + err.failure.reason)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as err:
        return _csv_failure(path, f"malformed sources.csv ({err})")
    numbered = [(n, r) for n, r in enumerate(records, start=1) if any(c.strip() for c in r)]
    if not numbered:
        return SourcesTable()
    header = [cell.strip().lower().replace(" ", "_") for cell in numbered[0][1]]
    header = [COLUMN_ALIASES.get(name, name) for name in header]
    if "file" not in header:
        return _csv_failure(path, "sources.csv has no 'file' column in its header row")
    table = SourcesTable()
    unknown = [n for n in header if n and n not in CSV_COLUMNS]
    if unknown:
        table.warnings.append(f"unknown columns ignored: {', '.join(unknown)} "
                              f"(known: {', '.join(CSV_COLUMNS)}, date)")
    index = {name: header.index(name) for name in CSV_COLUMNS if name in header}
    first_line: dict[str, int] = {}
    bad_dates: list[str] = []
    formulas: list[str] = []
    for number, record in numbered[1:]:
        name = _cell(record, index["file"])
        if not name:
            continue
        if name.startswith("'") and name[1:].startswith(FORMULA_START):
            name = name[1:]  # a file name escaped by `csv_safe`
        if name.lower() in first_line:
            table.warnings.append(f"duplicate row for {name} on line {number} ignored "
                                  f"(first on line {first_line[name.lower()]})")
            continue
        first_line[name.lower()] = number
        values = {}
        for column, position in index.items():
            if column == "file":
                continue
            value = _cell(record, position)
            if value and _formula_like(value):
                formulas.append(f"{column} on line {number}")
                value = value.lstrip("=+-@ \t\r'") or None
            values[column] = value
        if values.get("published"):
            parsed = normalise_date(values["published"])
            if parsed is None:
                bad_dates.append(f"{values['published']!r} on line {number}")
            values["published"] = parsed
        table.rows[name] = SourceMeta(**values)
    if bad_dates:
        table.warnings.append("dates that cannot be read were dropped: " + _few(bad_dates))
    if formulas:
        table.warnings.append("formula-like values neutralised: " + _few(formulas))
    missing = _missing_files(path.parent, table.rows)
    if missing:
        table.warnings.append("rows for files that are not in the folder: " + _few(missing))
    for warning in table.warnings:
        log.warning("%s: %s", path, warning)
    return table


def _formula_like(value: str) -> bool:
    return value.startswith(FORMULA_START) or (
        value.startswith("'") and value[1:].startswith(FORMULA_START)
    )


def csv_safe(value: str | None) -> str:
    """A value safe to write into a csv cell: one that would start a spreadsheet formula
    (`=`, `+`, `-`, `@`, tab, carriage return) is prefixed with `'`; None becomes ``."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_START) else value


def _few(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _missing_files(folder: Path, rows: dict[str, SourceMeta]) -> list[str]:
    try:
        present = {entry.name.lower() for entry in folder.iterdir()}
    except OSError:
        return []
    return sorted(name for name in rows if name.lower() not in present)


def _cell(record: list[str], column: int) -> str | None:
    if column >= len(record):
        return None
    value = " ".join(record[column].split())
    return value or None


def _csv_failure(path: Path, reason: str) -> SourcesTable:
    log.warning("%s: %s", path, reason)
    return SourcesTable(failure=LoadFailure(path=str(path), reason=reason))


def normalise_date(value: str | None) -> str | None:
    """An ISO date `YYYY-MM-DD` for the first date found in `value`, or None.

    Understands `2023-05-22` (also inside ISO timestamps), `22 May 2023`, `March 19, 2024`.
    """
    if not value:
        return None
    found = find_date(value)
    return found.isoformat() if found else None


def find_date(text: str) -> date | None:
    """The earliest valid date written in `text` in one of the understood forms, or None."""
    best: tuple[int, date] | None = None
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            parsed = _to_date(match)
            if parsed is not None:
                if best is None or match.start() < best[0]:
                    best = (match.start(), parsed)
                break
    return best[1] if best else None


def _to_date(match: re.Match[str]) -> date | None:
    parts = match.groupdict()
    month = int(parts["mnum"]) if parts.get("mnum") else _MONTHS[parts["month"].lower()]
    try:
        return date(int(parts["year"]), month, int(parts["day"]))
    except ValueError:
        return None


def heuristic_meta(raw_text: str, cleaned_text: str) -> SourceMeta:
    """Title, date and author guessed from the text; the outlet is never guessed.

    Args:
        raw_text: the loaded text (page header lines with dates and bylines still present).
        cleaned_text: the cleaned article text (its first heading-like line is the title).

    Returns:
        A `SourceMeta` with at most `title`, `published` and `author` set.
    """
    header = [line.strip() for line in raw_text.split("\n") if line.strip()][:_HEADER_LINES]
    published = None
    for line in header:
        found = find_date(line)
        if found:
            published = found.isoformat()
            break
    return SourceMeta(
        title=guess_title(cleaned_text),
        published=published,
        author=guess_author(header, raw_text),
    )


def guess_title(cleaned_text: str) -> str | None:
    """The first paragraph of the cleaned text when it looks like a headline.

    A headline is a single line of 3 to 30 words, at most 200 characters, that does not end
    like a sentence (`.`, `,`, `;`, `:`).
    """
    first = cleaned_text.strip().split("\n\n", 1)[0].strip()
    if not first or "\n" in first:
        return None
    words = first.split()
    if not 3 <= len(words) <= 30 or len(first) > 200 or first[-1] in ".,;:":
        return None
    return first


def guess_author(header_lines: list[str], raw_text: str) -> str | None:
    """A name from a "By NAME" line in the page header, else from an "Authors: ..." line."""
    for line in header_lines:
        match = _BYLINE.match(line)
        if match:
            name = _name_part(match.group("rest"))
            if name:
                return name
    for line in raw_text.split("\n"):
        match = _AUTHORS_LINE.match(line)
        if match:
            name = _name_part(match.group("rest"))
            if name:
                return name
    return None


def _name_part(rest: str) -> str | None:
    cut = len(rest)
    for pattern in _DATE_PATTERNS:
        match = pattern.search(rest)
        if match:
            cut = min(cut, match.start())
    for sep in (" | ", ",", "•", " - ", " – ", "\t"):
        pos = rest.find(sep)
        if pos != -1:
            cut = min(cut, pos)
    digit = re.search(r"\d", rest)
    if digit:
        cut = min(cut, digit.start())
    name = rest[:cut].strip(" ,;:-–|")
    words = name.split()
    if not 1 <= len(words) <= 10 or not name[0].isupper():
        return None
    return name


def merge_meta(*layers: SourceMeta | None) -> SourceMeta:
    """Field by field, the first known value among the layers (highest priority first).

    `published` is the first value that reads as a date, normalised to ISO `YYYY-MM-DD`; a
    value that cannot be read is skipped (never shown as a date).
    """
    values: dict[str, str | None] = {}
    for f in fields(SourceMeta):
        if f.name == "published":
            dates = (normalise_date(layer.published) for layer in layers if layer)
            values[f.name] = next((d for d in dates if d), None)
            continue
        values[f.name] = next(
            (getattr(layer, f.name) for layer in layers if layer and getattr(layer, f.name)),
            None,
        )
    return SourceMeta(**values)


def article_meta(
    csv_row: SourceMeta | None,
    doc_meta: SourceMeta,
    heuristics: SourceMeta,
    *,
    document_first: bool = False,
) -> SourceMeta:
    """Merge the three layers; the heuristic layer can never supply an outlet.

    Args:
        csv_row: the file's `sources.csv` row, if any.
        doc_meta: what the document declares about itself.
        heuristics: guesses from the text (see `heuristic_meta`).
        document_first: let the document win over the csv row (JSON Lines files hold many
            articles, so a file-level csv row only fills gaps).
    """
    guesses = replace(heuristics, outlet=None, republished_by=None, url=None)
    if document_first:
        return merge_meta(doc_meta, csv_row, guesses)
    return merge_meta(csv_row, doc_meta, guesses)
