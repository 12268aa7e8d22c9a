"""A deterministic invented newsroom archive of real-length chunks, for the scale benchmarks.

Each article has `paragraphs` paragraphs of roughly `chars` characters: about 200-250
cl100k tokens at the default 850 (invented names cost extra tokens), the size the real
chunker cuts. Each paragraph is one chunk, an exact slice of the article text
(`chunk.text == article.text[start:end]`), with no overlap. Articles are generated from
their own seed (`seed`, article number), so any block of articles can be generated again
alone, in any order, with the same texts and chunk ids: a writer can resume, and a later
step (the lexical index) sees exactly the same chunks.

The vocabulary is meant to be news-like for a keyword index, not just for the eye: a few
thousand invented towns, surnames and organisations (drawn with a skewed, Zipf-like
frequency), a few hundred topic words, figures, dates and ~50 sentence shapes. Posting lists
are therefore long for common words and short for names, as in a real archive.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from index.types import Article, Chunk, SourceMeta

_ONSETS = ["b", "br", "c", "d", "dr", "f", "g", "gr", "h", "k", "kl", "l", "m", "n", "p",
           "pr", "r", "s", "st", "t", "tr", "v", "w", "z", "sh", "ch", "th", "j"]
_VOWELS = ["a", "e", "i", "o", "u", "ae", "ei", "ou", "y", "ia"]
_CODAS = ["", "n", "r", "l", "s", "t", "m", "nd", "rk", "st", "ck", "x", "lm", "rn", "sk"]
_TOWN_ENDS = ["", "ton", "burg", "vale", "by", "ford", "heim", "wick", "stad", "mouth", "ridge",
              "field", "haven", "dorf", "ova", "ice"]


def _syllables(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
                   for _ in range(count))


def _names(seed: int, n: int, ends: list[str], lo: int = 1, hi: int = 3) -> list[str]:
    rng = random.Random(seed)
    seen: dict[str, None] = {}
    while len(seen) < n:
        name = (_syllables(rng, rng.randint(lo, hi)) + rng.choice(ends)).capitalize()
        if 3 <= len(name) <= 14:
            seen[name] = None
    return list(seen)


TOWNS = _names(101, 6000, _TOWN_ENDS)
SURNAMES = _names(102, 5000, ["", "er", "sen", "ov", "ez", "ini", "ak", "s", "mann"])
FIRST_NAMES = _names(103, 400, ["", "a", "o", "en", "ia"], 1, 2)
ORG_KINDS = ["Cooperative", "Holdings", "Logistics", "Energy", "Water Board", "Bank",
             "Transit Authority", "Hospital Trust", "Mining Company", "Dairy Union",
             "Shipping Line", "Telecom", "Chemicals", "Steelworks", "Grain Exchange"]
ORGS = [f"{t} {k}" for t, k in zip(_names(104, 3000, _TOWN_ENDS), ORG_KINDS * 200, strict=True)]
ROLES = ["the mayor", "a police spokesperson", "the regional governor", "a union leader",
         "the fire chief", "a ministry official", "the company", "an environmental group",
         "the health minister", "a court spokesperson", "the opposition leader",
         "the harbour master", "a hospital director", "the school board", "the prosecutor",
         "a council member", "the transport minister", "an independent auditor",
         "the central bank", "a farmers' association", "the weather service", "the army",
         "a residents' committee", "the interior ministry", "a local priest"]
EVENTS = ["flood", "fire", "strike", "blackout", "landslide", "protest", "bridge collapse",
          "chemical spill", "storm", "rail crash", "drought", "earthquake", "gas leak",
          "heatwave", "bus crash", "factory closure", "cyberattack", "water shortage",
          "election dispute", "hospital outbreak", "port blockade", "mine collapse",
          "wildfire", "tax protest", "dam breach", "ferry accident", "power cut",
          "corruption trial", "budget crisis", "teachers' strike"]
TOPICS = ["budget", "housing", "pensions", "road repairs", "school meals", "bus fares",
          "water prices", "rents", "tax rebates", "flood defences", "the new stadium",
          "fuel subsidies", "hospital waiting lists", "the ring road", "wind turbines",
          "the tram line", "grain exports", "fishing quotas", "mining licences", "the airport",
          "the pension fund", "police funding", "the recycling plant", "tourism", "the harbour",
          "child care", "broadband", "the cement works", "the border crossing", "vaccines",
          "the steel mill", "street lighting", "minimum wage", "the night train",
          "the public library", "farm subsidies", "the solar park", "refugee housing",
          "the old bridge", "parking fees", "the prison", "emergency services"]
VERBS_SAY = ["said", "told reporters", "claimed", "insisted", "argued", "announced",
             "warned", "confirmed", "admitted", "stated", "wrote in a statement",
             "told a press conference", "suggested", "acknowledged", "maintained"]
VERBS_DENY = ["denied", "rejected claims", "disputed reports", "dismissed suggestions",
              "refused to confirm"]
ADJS = ["serious", "minor", "unexpected", "long-awaited", "controversial", "costly",
        "temporary", "permanent", "unprecedented", "modest", "sharp", "gradual", "sudden",
        "widespread", "limited", "disputed", "official", "preliminary", "final", "revised"]
NOUNS = ["families", "residents", "workers", "pupils", "patients", "passengers", "farmers",
         "shops", "homes", "vehicles", "flights", "jobs", "households", "volunteers",
         "officers", "firefighters", "nurses", "drivers", "tenants", "pensioners"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
OUTLETS = ["Daily Vane", "Coast Herald", "Northern Post", "Valley Times", None, "Metro Wire",
           "Evening Ledger", "River Courier", "Plains Gazette", "Harbour Chronicle",
           "Capital Report", "Hill Country News", "Weekly Lantern", "Border Observer"]

TEMPLATES = [
    "{person}, {role}, {say} the {event} in {town} had forced {n} {noun} from their homes.",
    "{Role} {deny} that the {event} in {town} was caused by neglect.",
    "According to {role}, {n} people were treated in hospital after the {event} in {town}.",
    "The {event} began shortly after {h}:00 on {day} near the centre of {town}.",
    "{person} {say} that the damage in {town} would cost {n} million euros to repair.",
    "Residents of {town} said they had warned officials about the risk months ago.",
    "Officials set up a {n}-kilometre exclusion zone around {town} on {day}.",
    "{Role} confirmed that {n} {noun} were still missing in {town} on {day} evening.",
    "The {adj} decision on {topic} was taken by the council of {town} on {d} {month}.",
    "{org} {say} it would invest {n} million euros in {topic} over the next {m} years.",
    "{person} of {org} {deny} any link between the company and the {event} in {town}.",
    "In {month}, {n} {noun} in {town} signed a petition about {topic}.",
    "The {adj} report, published on {day}, put the number of affected {noun} at {n}.",
    "{Role} {say} that {topic} in {town} would be reviewed before the end of {month}.",
    "Critics said the plan for {topic} was {adj} and would hurt {noun} in {town}.",
    "{person} {say}: \"We have never seen anything like this in {town}.\"",
    "Police in {town} arrested {m} people after clashes during the {event} on {day}.",
    "The cost of {topic} in {town} has risen by {p} percent since {year}.",
    "{org} employs about {n} people in {town} and {town2}.",
    "Trains between {town} and {town2} were cancelled for {m} days after the {event}.",
    "{Role} blamed {org} for the delays, a charge the company {deny2}.",
    "A spokesperson for {org} {say} the figures were {adj} and would be corrected.",
    "The {event} in {town} was the worst since {year}, according to local records.",
    "Some {n} {noun} attended a meeting in {town} on {day} to discuss {topic}.",
    "{person}, who has lived in {town} for {m} years, said the town had been forgotten.",
    "Opposition politicians called for an inquiry into {topic} after the {event}.",
    "The regional assembly voted {n} to {m} to fund {topic} in {town}.",
    "Insurance claims after the {event} reached {n} million euros by {month}.",
    "{Role} said emergency funds of {n} million euros would reach {town} within {m} weeks.",
    "A court in {town2} is due to rule on {topic} on {d} {month}.",
    "Volunteers from {town2} travelled to {town} to help clear debris after the {event}.",
    "{person} resigned from {org} on {day}, citing the row over {topic}.",
    "Experts warned that a {adj} repeat of the {event} could not be ruled out.",
    "Prices for {topic} in {town} fell by {p} percent in {month}, official data showed.",
    "Schools in {town} stayed closed on {day} because of the {event}.",
    "{org} said {n} {noun} had been affected and offered compensation of {m} thousand euros.",
    "Journalists were not allowed into {town} until {h}:00 on {day}.",
    "The mayor of {town}, {person}, {say} that {topic} was her first priority.",
    "Satellite images showed {adj} damage along a {m}-kilometre stretch near {town}.",
    "A previous {event} in {town} in {year} left {n} {noun} without electricity.",
    "{person} {say} the figure of {n} was {adj} and {deny} reports of a cover-up.",
    "Talks between {org} and the unions in {town} broke down on {day}.",
    "Hospital staff in {town} worked {m}-hour shifts during the {event}.",
    "The ministry {say} that {p} percent of {noun} in {town} had received help.",
    "Local media in {town2} reported that {n} {noun} had left the area.",
    "{Role} promised a {adj} investigation into the {event} in {town}.",
    "The debate on {topic} lasted {m} hours and ended without a vote.",
    "Shops in the centre of {town} reopened on {day}, {m} days after the {event}.",
    "Figures from {org} suggest {n} {noun} lost income because of {topic}.",
    "Rescue teams recovered {m} bodies from the site near {town} on {day}.",
]


def _skewed(rng: random.Random, items: list[str], power: float = 2.5) -> str:
    """A Zipf-like draw: early items are far more frequent than late ones."""
    return items[int(len(items) * rng.random() ** power)]


def _sentence(rng: random.Random, town: str) -> str:
    role = rng.choice(ROLES)
    return rng.choice(TEMPLATES).format(
        person=f"{rng.choice(FIRST_NAMES)} {_skewed(rng, SURNAMES)}", role=role,
        Role=role[0].upper() + role[1:], say=rng.choice(VERBS_SAY),
        deny=rng.choice(VERBS_DENY), deny2=rng.choice(VERBS_DENY),
        event=rng.choice(EVENTS), town=town if rng.random() < 0.6 else _skewed(rng, TOWNS),
        town2=_skewed(rng, TOWNS), n=rng.randint(2, 4000), m=rng.randint(2, 60),
        p=rng.randint(1, 90), h=rng.randint(6, 23), d=rng.randint(1, 28),
        day=rng.choice(DAYS), month=rng.choice(MONTHS), year=rng.randint(1950, 2023),
        org=_skewed(rng, ORGS), topic=rng.choice(TOPICS), adj=rng.choice(ADJS),
        noun=rng.choice(NOUNS),
    )


def article(number: int, paragraphs: int = 8, chars: int = 850,
            seed: int = 7) -> tuple[Article, list[Chunk]]:
    """Article `number` of the archive and its chunks (one per paragraph, exact slices)."""
    rng = random.Random(seed * 1_000_003 + number)
    town = _skewed(rng, TOWNS, 1.8)
    paras = []
    for _ in range(paragraphs):
        target = int(chars * rng.uniform(0.9, 1.1))
        para = _sentence(rng, town)
        while len(para) < target:
            para += " " + _sentence(rng, town)
        paras.append(para)
    text = "\n\n".join(paras)
    meta = SourceMeta(
        outlet=rng.choice(OUTLETS), title=f"{rng.choice(EVENTS).capitalize()} in {town}",
        published=f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    )
    art = Article.make(text, f"archive_{number}.txt", f"archive/{number}", meta)
    chunks, pos = [], 0
    for i, para in enumerate(paras):
        chunks.append(Chunk(art.id, i, pos, pos + len(para), para))
        pos += len(para) + 2
    return art, chunks


def articles(first: int, count: int, paragraphs: int = 8, chars: int = 850,
             seed: int = 7) -> Iterator[tuple[Article, list[Chunk]]]:
    """Articles `first` .. `first + count - 1`, each with its chunks."""
    for number in range(first, first + count):
        yield article(number, paragraphs, chars, seed)


def queries(n: int, seed: int = 3) -> list[tuple[str, str]]:
    """(mode, text) pairs in the archive's vocabulary: claims to check, questions to ask."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        town, event = _skewed(rng, TOWNS, 1.8), rng.choice(EVENTS)
        if i % 2:
            out.append(("claim", f"The {event} in {town} forced {rng.randint(2, 4000)} "
                                 f"{rng.choice(NOUNS)} from their homes."))
        else:
            out.append(("question", f"How many people were treated in hospital after the "
                                    f"{event} in {town}?"))
    return out
