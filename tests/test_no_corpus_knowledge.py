"""Library code knows nothing of our sample articles: their names belong in tests only.

The names are read from the corpora themselves: capitalised words that neither the corpus
nor the library ever writes in lower case (so ordinary words that open a sentence, such as
"Reply" or "Whether", are left out). They are then searched as whole words in every library
source file. Benchmarks and tests may use them.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("index").rglob("*.py"),
           *ROOT.joinpath("prompts").rglob("*.txt")]
# Capitalised words too common to be knowledge of a corpus (titles, days, months, roles).
COMMON = frozenset((
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Sources", "Source", "Picture", "Read", "Listen",
    "Related", "Share", "Advertisement", "English", "News", "Daily", "Radio", "Police",
    "Minister", "President", "Governor", "Ministry", "Service", "Chemical", "Union",
    "Alliance", "Local", "Updated", "Loading", "Comments", "Copyright", "National",
    "Safety", "Agency", "Defence", "Fire", "River", "Works", "Hall", "Town", "Council",
    "Army", "Court", "Rovers", "Gazette",
))


def _names(folder: Path) -> set[str]:
    text = " ".join(p.read_text(encoding="utf-8", errors="ignore") for p in folder.rglob("*")
                    if p.is_file() and p.suffix in (".txt", ".md", ".html", ".jsonl", ".csv"))
    text = re.sub(r"https?://\S+", " ", text)  # URL slugs write names in lower case
    lower = {w.lower() for w in re.findall(r"\b[a-z][a-z]+\b", text)}
    capitalised = set(re.findall(r"\b[A-Z][a-z]{4,}\b", text))
    return {w for w in capitalised if w.lower() not in lower and w not in COMMON}


def _offenders(names: set[str]) -> dict[str, list[str]]:
    code = " ".join(p.read_text(encoding="utf-8") for p in LIBRARY)
    lower_words = set(re.findall(r"\b[a-z]+\b", code))
    names = {n for n in names if n.lower() not in lower_words}
    pattern = re.compile(r"\b(" + "|".join(sorted(names)) + r")\b")
    found: dict[str, list[str]] = {}
    for path in LIBRARY:
        if "demo_corpus" in path.parts:
            continue
        hits = sorted(set(pattern.findall(path.read_text(encoding="utf-8"))))
        if hits:
            found[str(path.relative_to(ROOT))] = hits
    return found


def test_demo_corpus_names_are_not_in_library_code(demo_corpus: Path) -> None:
    names = _names(demo_corpus)
    assert len(names) > 10  # the detector finds the corpus's names at all
    assert _offenders(names) == {}


def test_seed_corpus_names_are_not_in_library_code(seed_corpus: Path) -> None:
    names = _names(seed_corpus)
    assert len(names) > 10
    assert _offenders(names) == {}


def test_eval_corpora_names_are_not_in_library_code() -> None:
    for corpus in ("unseen", "tuning"):
        names = _names(ROOT / "evals" / corpus)
        assert len(names) > 10
        assert _offenders(names) == {}, corpus
