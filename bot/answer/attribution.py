"""Who says so: speakers, reporting verbs, denial and hedge cues in a sentence.

Rules, not a model: a reporting verb from a fixed list ("claimed", "said", "denied",
"according to", ...) marks a sentence as someone's statement rather than the outlet's own
report. The speaker is the noun phrase just before the verb (after the last comma or quote
mark), or the name after "according to" / an inverted "said X". Pronouns are resolved to an
earlier speaker of the same article (he/she: a named one; it/they: an organisation or group);
when none fits, the speaker is dropped rather than shown as "It". A sentence that continues
a quotation ("“As you know, ...”" after "“...,” Vance tweeted.") keeps the quote's speaker.

Both are pure: `attribute` is cached by sentence text, `attribute_in_article` by article (id
and content hash) and sentence offsets, in bounded LRU caches shared by all threads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from bot.answer.lru import BoundedCache
from bot.answer.sentences import Sentence, article_key, article_sentences
from index.search import words
from index.types import Article


class Cue(StrEnum):
    """The kind of a reporting verb."""

    CLAIM = "claim"  # said, claimed, told, insisted ... someone's assertion
    DENIAL = "denial"  # denied, rejected ... someone's denial
    CONCESSION = "concession"  # acknowledged, conceded, admitted, confirmed


_VERBS: dict[str, Cue] = {
    **dict.fromkeys(
        words("said says say claimed claims claim told tells insisted insists predicted predicts "
        "announced announces tweeted stated states alleged alleges declared described warned "
        "warns added adds argued argues noted reported reports accused vowed vow boasted "
        "suggested asserted wrote repeated repeats maintained maintains stressed stresses "
        "explained explains estimated estimates"),
        Cue.CLAIM,
    ),
    **dict.fromkeys(words("denied denies deny rejected rejects dismissed disputed disputes "
                    "refuted"), Cue.DENIAL),
    **dict.fromkeys(words("acknowledged acknowledges conceded concedes admitted admits confirmed "
                    "confirms"), Cue.CONCESSION),
}
_VERB_RE = re.compile(r"\b(" + "|".join(sorted(_VERBS, key=len, reverse=True)) + r")\b")
_ACCORDING = re.compile(r"\b(?i:according to) ((?:[A-Z][\w'’.-]*\s?)+)")
# "rejected/dismissed/disputed X" is a denial only when X is a statement.
_REJECTS_A_STATEMENT = re.compile(
    r"\s+(?:the\s+|these\s+|those\s+|any\s+|such\s+|all\s+|earlier\s+|media\s+)*"
    r"(?:claims?|reports?|allegations?|accusations?|suggestions?|assertions?|rumou?rs?|"
    r"charges?|criticism|accounts?|figures?|that|as\b)", re.IGNORECASE)
_NOUN_CONTEXT = frozenset(
    words("the its their his her of though these those by a an such no any our your this that "
    "unverified earlier")
)
_PASSIVE = frozenset(words("was were been being is are be"))
_RELATIVE = frozenset(words("who which that whom whose where when"))
PRONOUNS = frozenset(words("he she they it we i"))
_DETERMINERS = ("the ", "a ", "an ")
_NP_BOUNDARY = re.compile(r"[,;:“”\"‘(–—]|\s-\s|\b(?:that|and|while|but|though|as|after|when)\s")
_FILLERS = frozenset(words("also both all has have had exclusively previously later earlier then "
                     "now repeatedly again"))
_OPENERS = frozenset(words("asked speaking earlier nevertheless no there it this however but "
                     "meanwhile"))
_TIME_LEAD = re.compile(r"^(?:(?:this|on|last|early|earlier|later) \w+,? )", re.IGNORECASE)
_PREPOSITIONS = frozenset(words("in of at from on for with by to the into near"))
MAX_SPEAKER_WORDS = 8
ATTRIBUTION_CACHE_SIZE = 65_536  # sentences whose attribution is kept (each cache)

HEDGE_RE = re.compile(
    r"\b(?:allegedly|reportedly|purportedly|apparently|unverified|unconfirmed|"
    r"(?:have|has|had|could) not been (?:independently )?(?:verified|confirmed)|"
    r"said to be|claimed to)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Attribution:
    """The attribution of one sentence.

    Attributes:
        speaker: display name of who is quoted or reported (None when not stated).
        verb: the reporting verb as written ("claimed"), or "according to".
        cue: claim, denial or concession.
        speaker_start: offset of the speaker phrase in the sentence (-1 when not in it).
        speaker_end: end offset of the speaker phrase in the sentence.
        pronoun: True when the sentence names the speaker only by a pronoun (resolved).
        hedged: the sentence itself hedges ("allegedly", "have not been verified").
    """

    speaker: str | None
    verb: str | None
    cue: Cue | None
    speaker_start: int = -1
    speaker_end: int = -1
    pronoun: bool = False
    hedged: bool = False

    @property
    def attributed(self) -> bool:
        """True when the sentence reports someone's statement, not the outlet's own facts."""
        return self.verb is not None or self.hedged


def _clean_np(phrase: str) -> str:
    words = phrase.strip().split()
    while words and (words[-1].lower() in _FILLERS or words[-1].lower().endswith("ly")):
        words.pop()
    words = words[-MAX_SPEAKER_WORDS:]
    text = _TIME_LEAD.sub("", " ".join(words))
    for det in _DETERMINERS:
        if text.lower().startswith(det):
            text = text[len(det):]
    return text.strip(" ,")


def display_name(phrase: str) -> str:
    """The name part of a speaker phrase: "Club spokesman Ian Moor" -> "Ian Moor".

    A trailing run of capitalised words (allowing "of") is the name; a phrase ending in a
    lower-case word ("local sources", "the region's governor") is kept whole.
    """
    words = phrase.split()
    if not words or not words[-1][:1].isupper():
        return phrase
    run: list[str] = []
    for word in reversed(words):
        if word[:1].isupper() or (word == "of" and run):
            run.append(word)
        else:
            break
    while run and run[-1] == "of":
        run.pop()
    rest = words[: len(words) - len(run)]
    if rest and rest[-1].lower() in _PREPOSITIONS:
        return phrase  # "players serving in the National Guard": keep it whole
    return " ".join(reversed(run)) or phrase


def _opening_np(text: str) -> tuple[str, int] | None:
    """The sentence-opening noun phrase before an apposition ("Maria Lenz, ..., said")."""
    match = re.match(r"\s*([A-Z][^,;:“”\"–—()]{0,80}?)\s*(?:,|\s[–—-]\s|[–—])", text)
    if not match:
        return None
    phrase = match.group(1)
    words = phrase.split()
    if len(words) > MAX_SPEAKER_WORDS or words[0].lower().endswith("ing") \
            or words[0].lower() in _FILLERS | _OPENERS:
        return None
    name = _clean_np(phrase)
    return name, text.find(name, match.start(1))


def speaker_label(speaker: str) -> str:
    """A speaker as shown: a common-noun phrase gets its article back ("the company")."""
    return f"the {speaker}" if speaker[:1].islower() and not speaker.startswith("the ") \
        else speaker


@lru_cache(maxsize=ATTRIBUTION_CACHE_SIZE)
def attribute(text: str) -> Attribution:
    """Find the reporting verb and speaker of one sentence (cached by text).

    Args:
        text: the sentence.

    Returns:
        The attribution; `verb` is None when the sentence states something in the
        outlet's own voice.
    """
    hedged = bool(HEDGE_RE.search(text))
    according = _ACCORDING.search(text)
    for match in _VERB_RE.finditer(text):
        verb = match.group(1)
        before = text[: match.start()]
        prev_words = before.split()
        raw_prev = prev_words[-1] if prev_words else ""
        prev = raw_prev.lower().strip("“”\"'‘’,")
        if verb.startswith("claim") and (prev in _NOUN_CONTEXT or prev.endswith(("’s", "'s"))):
            continue  # "claims by local authorities", "its claimed win": a noun
        if prev in _PASSIVE:
            continue  # "was declared a terrorist organization": the outlet's report
        if _VERBS[verb] is Cue.DENIAL and not verb.startswith("den") and \
                not _REJECTS_A_STATEMENT.match(text[match.end():]):
            continue  # "voters rejected the budget": an action, not a denial
        cut = 0
        for boundary in _NP_BOUNDARY.finditer(before):
            cut = boundary.end()
        phrase = before[cut:]
        np = _clean_np(phrase)
        first = np.split()[0].lower() if np.split() else ""
        if first in _RELATIVE:
            continue
        if not np:
            after = text[match.end():]
            inverted = re.match(r"\s+((?:the\s+)?(?:[\w'’-]+\s?){1,5}?)\s*[.!]?[\"”’]?\s*$",
                                after)
            if inverted and raw_prev.endswith(("”", '"', ",", "’")):
                name = _clean_np(inverted.group(1))
                s = text.find(name, match.end())
                return Attribution(display_name(name), verb, _VERBS[verb], s, s + len(name),
                                   hedged=hedged)
            opening = _opening_np(text)
            if opening:
                name, s = opening
                return Attribution(display_name(name), verb, _VERBS[verb], s, s + len(name),
                                   hedged=hedged)
            return Attribution(None, verb, _VERBS[verb], hedged=hedged)
        start = text.rfind(np, 0, match.start())
        is_pronoun = np.lower() in PRONOUNS
        name = np if is_pronoun else display_name(np)
        return Attribution(name, verb, _VERBS[verb], start, start + len(np),
                           pronoun=is_pronoun, hedged=hedged)
    if according:
        name = according.group(1).strip()
        s = according.start(1)
        return Attribution(name, "according to", Cue.CLAIM, s, s + len(name), hedged=hedged)
    return Attribution(None, None, None, hedged=hedged)


def attribute_in_article(sentence: Sentence, article: Article) -> Attribution:
    """Attribution of a sentence with pronoun speakers resolved from earlier sentences.

    "He denied claims ..." after "Vance claimed ..." gets speaker "Vance"; "It said
    ..." after "the company said ..." gets "company"; an unresolved pronoun is dropped (the
    sentence stays attributed, to an unnamed source). A quotation continued from the previous
    sentence keeps that sentence's speaker. Cached by article and sentence offsets.
    """
    key = (article_key(article), sentence.start, sentence.end)
    return _IN_ARTICLE.get(key, lambda: _attribute_in_article(sentence, article))


def _attribute_in_article(sentence: Sentence, article: Article) -> Attribution:
    found = attribute(sentence.text)
    if found.verb is None and sentence.text.lstrip()[:1] in _OPEN_QUOTES:
        previous = _earlier(sentence, article)[-1:]
        if previous:
            other = attribute(previous[0].text)
            if other.speaker and not other.pronoun and _ends_quote_attribution(previous[0].text):
                return Attribution(other.speaker, other.verb, other.cue, pronoun=True,
                                   hedged=found.hedged or other.hedged)
        return found
    if not found.pronoun or found.speaker is None:
        return found
    word = found.speaker.lower()
    fits = _is_person if word in ("he", "she") else _is_group
    for earlier in reversed(_earlier(sentence, article)[-8:]):
        other = attribute(earlier.text)
        if other.speaker and not other.pronoun and fits(other.speaker):
            return Attribution(other.speaker, found.verb, found.cue, found.speaker_start,
                               found.speaker_end, pronoun=True, hedged=found.hedged)
    return Attribution(None, found.verb, found.cue, hedged=found.hedged)


_IN_ARTICLE: BoundedCache[tuple, Attribution] = BoundedCache(ATTRIBUTION_CACHE_SIZE)
_OPEN_QUOTES = ("“", '"', "‘")
_GROUP_WORDS = frozenset(words(
    "company firm group ministry government authority authorities agency service union "
    "alliance corps police army council office committee court "
    "organisation organization party movement department team battalion regiment forces "
    "industries ltd inc plc"))


def _earlier(sentence: Sentence, article: Article) -> list[Sentence]:
    return [s for s in article_sentences(article) if s.end <= sentence.start and s.citable]


def _ends_quote_attribution(text: str) -> bool:
    """True for `“...,” X said.`: a quotation followed by its speaker and verb."""
    return bool(re.search(r"[”\"’],?\s+[^“”\"]{0,80}$", text.rstrip()))


def _is_person(speaker: str) -> bool:
    lowered = set(speaker.lower().split())
    return _is_singular(speaker) and not lowered & _GROUP_WORDS


def _is_group(speaker: str) -> bool:
    return bool(set(speaker.lower().split()) & _GROUP_WORDS)


def _is_singular(speaker: str) -> bool:
    last = speaker.split()[-1]
    return last[:1].isupper() or not last.endswith("s")


