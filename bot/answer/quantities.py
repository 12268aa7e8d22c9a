"""Figures and dates in text, compared exactly: the part of judging that needs no model.

A figure is a number (digits with thousands separators and decimals, or a number word)
with the content words that follow it, its "unit" ("41,200 people", "2.4% of the vote").
Two texts conflict on a figure when they give different values for the same unit. A date
is a weekday, a day of a month, a month or a year; two texts conflict on a date when each
names one of the same granularity and they differ.

These checks only say that two texts give different figures or dates; whether both speak
of the same thing is left to the judge (the verdict rules ask it first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.search import STOPWORDS, fold, lexical_tokens

_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\d,])")
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "thousand": 1000, "dozen": 12,
}
_WORD = re.compile(r"[a-z]+")
_YEAR = re.compile(r"^(1[89]|20)\d\d$")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_RE = "|".join(m.capitalize() for m in MONTHS)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTH_RE})\b"
                        rf"|\b({_MONTH_RE}) (\d{{1,2}})(?:st|nd|rd|th)?\b")
_MONTH_WORD = re.compile(rf"\b({_MONTH_RE})\b")
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_YEAR_WORD = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
UNIT_WORDS = 3


@dataclass(frozen=True)
class Figure:
    value: float
    unit: frozenset[str]


def _unit(after: str) -> frozenset[str]:
    text = after.lstrip()
    if text.startswith("%") or re.match(r"per ?cent\b", text, re.IGNORECASE):
        return frozenset({"percent"})
    return frozenset(t for t in lexical_tokens(text)[:UNIT_WORDS]
                     if t not in STOPWORDS and not t[:1].isdigit())


def figures(text: str) -> list[Figure]:
    """The figures of a text, years left out (they are dates)."""
    out = []
    for m in _NUMBER.finditer(text):
        whole, decimals = m.group(1), m.group(2)
        if _YEAR.match(whole) and not decimals:
            continue
        value = float(whole.replace(",", "") + (f".{decimals}" if decimals else ""))
        out.append(Figure(value, _unit(text[m.end():m.end() + 60])))
    folded = fold(text)
    for m in _WORD.finditer(folded):
        if m.group(0) in _NUMBER_WORDS:
            out.append(Figure(float(_NUMBER_WORDS[m.group(0)]),
                              _unit(folded[m.end():m.end() + 60])))
    return out


def figure_conflict(claim: str, sentence: str) -> tuple[str, str] | None:
    """(claimed, reported) when both give a different value for the same unit."""
    theirs = figures(sentence)
    values = {f.value for f in theirs}
    for mine in figures(claim):
        if mine.value in values or not mine.unit:
            continue
        for other in theirs:
            if other.value != mine.value and mine.unit & other.unit:
                return _show(mine.value), _show(other.value)
    return None


def figures_disagree(a: str, b: str) -> bool:
    """Two texts give two values for the same unit ("4,210 people" vs "9,999 people")."""
    return any(fa.value != fb.value and fa.unit & fb.unit
               for fa in figures(a) for fb in figures(b))


def _show(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


@dataclass(frozen=True)
class Dates:
    """The date parts a text names, each as the set of values it gives."""

    days: frozenset[tuple[int, int]]  # (month, day)
    months: frozenset[int]
    weekdays: frozenset[int]
    years: frozenset[int]


def dates(text: str) -> Dates:
    days = set()
    for m in _DAY_MONTH.finditer(text):
        day, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        days.add((MONTHS.index(month.lower()) + 1, int(day)))
    months = {MONTHS.index(m.lower()) + 1 for m in _MONTH_WORD.findall(text)
              if not (m == "May" and not _is_month_may(text))}
    weekdays = {WEEKDAYS.index(w.lower()) for w in _WEEKDAY.findall(text)}
    years = {int(y) for y in _YEAR_WORD.findall(text)}
    return Dates(frozenset(days), frozenset(months), frozenset(weekdays), frozenset(years))


def _is_month_may(text: str) -> bool:
    """"May" is a month next to a day number or a year, not the verb."""
    return bool(re.search(r"\d\s*May\b|\bMay\s+\d", text))


def date_conflict(claim: str, sentence: str) -> tuple[str, str] | None:
    """(claimed, reported) when both name exactly one date part of a kind and they differ."""
    a, b = dates(claim), dates(sentence)
    for name, mine, theirs in (("day", a.days, b.days), ("weekday", a.weekdays, b.weekdays),
                               ("year", a.years, b.years), ("month", a.months, b.months)):
        if len(mine) == 1 and len(theirs) == 1 and mine != theirs:
            return _date_text(name, next(iter(mine))), _date_text(name, next(iter(theirs)))
    return None


def _date_text(kind: str, value: object) -> str:
    if kind == "day":
        month, day = value  # type: ignore[misc]
        return f"{day} {MONTHS[month - 1].capitalize()}"
    if kind == "weekday":
        return WEEKDAYS[value].capitalize()  # type: ignore[index]
    if kind == "month":
        return MONTHS[value - 1].capitalize()  # type: ignore[operator]
    return str(value)
