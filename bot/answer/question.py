"""What a question asks: yes/no, a quantity ("how many ..."), who said something, or other.

Rules on the wording only, so every verdict stays explainable:

- a *quantity* question is answered only by sentences that give a figure (a number, "a
  single", "dozens" ...) and, for "how many N", that mention N;
- an *attribution* question ("who said ...", "what did X say ...", "which outlet ...") asks
  who stated something, which the sources answer even when the statement itself is disputed;
- a *yes/no* question ("did ...", "was ...", "is it true that ...") asks whether a
  proposition holds, so a source that affirms it and one that denies it make it disputed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.search import lexical_tokens, words

_YES_NO = re.compile(
    r"^\s*(?:is it (?:true|right|correct|a fact)\b|(?:did|does|do|was|were|is|are|has|have|had|"
    r"can|could|will|would)\b)", re.IGNORECASE)
_QUANTITY = re.compile(
    r"\bhow (many|much|large|big|far|long|high|old|often)\b|"
    r"\bwhat (?:number|percentage|share|size|figure)\b|\bdeath toll\b", re.IGNORECASE)
_ATTRIBUTION = re.compile(
    r"^\s*(?:who\s+(?:said|says|claimed|claims|called|calls|announced|announces|told|tweeted|"
    r"described|denied|denies|stated|reported|warned|accused|blamed|blames)\b|"
    r"what (?:did|does|has|have|do) .{1,80}? (?:say|said|claim|tell|announce|tweet|deny|"
    r"write|report)\b|which (?:outlet|source|newspaper|site|paper|media|publication)s?\b)",
    re.IGNORECASE)
_NUMBER_WORDS = frozenset(words(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty "
    "fifty sixty seventy eighty ninety hundred hundreds thousand thousands million millions "
    "dozen dozens single several few none"))
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class QuestionKind:
    """The kind of a question and, for "how many N", the counted term N (normalised)."""

    yes_no: bool = False
    quantity: bool = False
    attribution: bool = False
    counted: str | None = None


def question_kind(question: str) -> QuestionKind:
    """Classify a question by its wording (see the module docstring)."""
    attribution = bool(_ATTRIBUTION.search(question))
    quantity = _QUANTITY.search(question)
    counted = None
    if quantity and quantity.group(1) in ("many", "much"):
        after = lexical_tokens(question[quantity.end():])
        counted = after[0] if after else None
    return QuestionKind(yes_no=bool(_YES_NO.search(question)) and not attribution,
                        quantity=bool(quantity) and not attribution,
                        attribution=attribution, counted=counted)


def has_quantity(text: str) -> bool:
    """True when the text gives a figure: digits or a number word ("a single", "dozens")."""
    if _DIGIT.search(text):
        return True
    return bool(_NUMBER_WORDS & set(re.findall(r"[a-z]+", text.lower())))


_TRUE_THAT = re.compile(r"^\s*is it (?:true|right|correct|a fact) that\s+", re.IGNORECASE)
_DO_AUX = re.compile(r"^\s*(?:did|does|do)\s+", re.IGNORECASE)
_BE_AUX = re.compile(r"^\s*(was|were|is|are|has|have|had|can|could|will|would)\s+",
                     re.IGNORECASE)


def as_statement(question: str) -> str:
    """The proposition a yes/no question asks about, as a statement the judge can weigh.

    "Is it true that X?" -> "X."; "Did water stations run out?" -> "Water stations run
    out." (the base verb reads as a statement to the judge); "Was the alarm faulty?" -> "The
    alarm was faulty." when the auxiliary can go after a short subject, else the question
    without its auxiliary. Not a parser: the judge reads meaning, not grammar.
    """
    text = question.strip().rstrip("?").strip()
    m = _TRUE_THAT.match(text)
    if m or (m := _DO_AUX.match(text)) is not None:
        text = text[m.end():]
    elif (m := _BE_AUX.match(text)) is not None:
        aux, rest = m.group(1).lower(), text[m.end():]
        words_ = rest.split()
        # the subject: up to the first word after which a predicate usually starts
        cut = next((i for i, w in enumerate(words_[1:], 1)
                    if w.lower() in _PREDICATE_START or w.lower().endswith(("ed", "ing"))),
                   None)
        text = " ".join([*words_[:cut], aux, *words_[cut:]]) if cut else rest
    return (text[:1].upper() + text[1:] + ".") if text else question


_PREDICATE_START = frozenset(words(
    "faulty true false closed open responsible involved injured killed arrested guilty "
    "innocent cancelled "
    "delayed safe dead alive able allowed"))

