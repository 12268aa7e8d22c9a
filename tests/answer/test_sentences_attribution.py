"""Point 2: sentence-level evidence with offsets; speakers and reporting verbs are kept."""

from __future__ import annotations

from bot.answer.attribution import Cue, attribute, attribute_in_article, display_name
from bot.answer.sentences import is_citable, split_sentences
from tests.answer.helpers import article

BODY = (
    "Harbour town counts the cost of the storm\n\n"
    "Dr. Ana Ruiz, the harbour master, said the pier “will not reopen before May”. "
    "She added that 12 boats sank.\n"
    "Read more: Storm hits coast again\n"
    "Local bakery wins prize for its rye bread\n"
    "He denied claims by the council that the pier was unsafe.\n"
    "The council said in a statement that repairs would cost 3 million euros.\n"
    "Fishermen expect a difficult season, and prices are rising…\n"
)


def test_sentences_are_exact_slices_with_offsets() -> None:
    art = article(BODY, title="Harbour town counts the cost of the storm")
    sentences = split_sentences(art)
    assert all(art.text[s.start:s.end] == s.text for s in sentences)
    texts = [s.text for s in sentences]
    assert any(t.startswith("Dr. Ana Ruiz") for t in texts)  # no split after "Dr."
    assert "She added that 12 boats sank." in texts


def test_headlines_teasers_and_read_more_are_not_citable() -> None:
    art = article(BODY, title="Harbour town counts the cost of the storm")
    citable = {s.text for s in split_sentences(art) if s.citable}
    assert "Harbour town counts the cost of the storm" not in citable
    assert not any("Read more" in t or "rye bread" in t for t in citable)
    assert not any(t.endswith("…") for t in citable)
    assert is_citable("The council said in a statement that repairs would cost a lot.")
    assert not is_citable("Too short.")


def test_speaker_and_verb() -> None:
    found = attribute("Kremlin spokesman Dmitry Peskov said the talks had ended.")
    assert (found.speaker, found.verb, found.cue) == ("Dmitry Peskov", "said", Cue.CLAIM)
    quoted = attribute("“It is over,” presidential adviser Jan Novak tweeted.")
    assert quoted.speaker == "Jan Novak"
    inverted = attribute("Nobody was hurt, claimed the governor.")
    assert inverted.speaker == "governor"
    assert attribute("According to Reuters, the bridge fell.").speaker == "Reuters"
    assert attribute("The ship was declared lost in March.").verb is None  # passive report
    assert attribute("Its claims were false.").verb is None  # "claims" as a noun


def test_pronoun_resolved_to_earlier_speaker_and_denial_cue() -> None:
    art = article(BODY)
    sentence = next(s for s in split_sentences(art) if s.text.startswith("He denied"))
    found = attribute_in_article(sentence, art)
    assert found.speaker == "Dr. Ana Ruiz" and found.pronoun and found.cue is Cue.DENIAL


def test_display_name() -> None:
    assert display_name("Belgorod regional governor Vyacheslav Gladkov") == "Vyacheslav Gladkov"
    assert display_name("Russian sources") == "Russian sources"
    assert display_name("fighters serving in the Armed Forces") == \
        "fighters serving in the Armed Forces"
