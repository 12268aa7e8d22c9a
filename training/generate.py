"""Generate judge training pairs: contrasts, entail controls, hard neutrals, question pairs.

    python -m training.generate --out training/data/generated.jsonl.gz

Sources (never the seed or demo articles):
- `frames.py`: invented stories; every contrast kind with its entail control, hedged and
  attributed variants, and same-story neutrals (a claim about another fact of the story);
- the judge data's train-split premises, perturbed (figures, years, negation, attribution,
  denial, hedges, added details) — dev-split text is never used;
- RAMDocs passages of the questions whose hash puts them in the training half
  (`ramdocs_half(q) == 0`): same-document neutrals and question/answer-sentence pairs. The
  other half is left for evaluation.

Each pair: {"premise", "hypothesis", "label", "source": "gen:<kind>"}.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from collections import Counter
from pathlib import Path

from bot.answer.ramdocs import ramdocs_half
from training.common import JUDGE_DATA, RAMDOCS
from training.frames import FRAMES, SPEAKERS, Fact, relation_pairs

_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
_AUX = re.compile(r"\b(is|was|were|are|has|had|will|can|would|could|does|did)\b (?!not\b)")
_NUM = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w,]*\d)")
_YEAR = re.compile(r"\b(1[89]\d\d|20[0-4]\d)\b")
_MONTH = re.compile(r"\b(January|February|March|April|May|June|July|August|September|"
                    r"October|November|December)\b")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
ADDITIONS = ("for the first time", "after months of delays", "despite strong opposition",
             "in a record time", "because of rising costs", "following a public outcry",
             "with the support of the government", "at the second attempt",
             "in secret talks", "under pressure from investors", "as part of a wider deal")
HEDGE_WRAPS = ("Some reports suggest that {s}", "It is unclear whether {s}",
               "Officials are investigating whether {s}", "Rumours spread online that {s}",
               "It remains to be confirmed that {s}", "{S_} could happen, analysts said",
               "There is speculation that {s}")
SAY_WRAPS = ("{who} said that {s}", "According to {who}, {s}", "{who} told reporters that {s}",
             "{who} confirmed that {s}", "{who} claimed that {s}")
DENY_WRAPS = ("{who} denied that {s}", "{who} rejected claims that {s}",
              "{who} dismissed reports that {s} as false", "{who} said it was untrue that {s}")
# Tails with denial or negation words that leave the sentence's fact standing: the judge
# must not read "rejected" or "denied" anywhere in a sentence as a contradiction.
DISTRACTOR_TAILS = (", a decision {who} rejected", ", which {who} criticised",
                    ", although {who} denied any wrongdoing", ", despite objections from {who}",
                    ", a move {who} did not welcome", ", and {who} dismissed calls for an inquiry",
                    ", which {who} refused to comment on", ", though {who} disputed the timing")
DEBUNK_HYPS = ("It is false that {s}.", "Reports that {s} are a hoax.", "It is not true that {s}.",
               "Claims that {s} are fake.")


def clause(sentence: str) -> str:
    """A sentence made embeddable after "that": no final stop, lower-case article first."""
    s = sentence.strip().rstrip(".")
    first = s.split(" ", 1)[0]
    if first in ("The", "A", "An", "Its", "His", "Her", "Their", "No", "Nobody", "Up",
                 "Some", "Several", "About", "Schools", "Workers", "Staff", "Gusts", "Winds",
                 "Revenue", "Turnout", "Voters", "Councillors", "Health", "Researchers",
                 "There", "People", "Bookmakers", "Doctors", "Analysts", "Polls",
                 "Prosecutors", "Chief"):
        s = s[0].lower() + s[1:]
    return s


def pair(premise: str, hypothesis: str, label: str, kind: str) -> dict:
    return {"premise": premise, "hypothesis": hypothesis, "label": label,
            "source": f"gen:{kind}"}


# --- frames ---------------------------------------------------------------------------------
def from_story(rng: random.Random, facts: list[Fact], n: int,
               distractors: bool = False) -> list[dict]:
    out: list[dict] = []
    for _ in range(n):
        fact = rng.choice(facts)
        premise = rng.choice(fact.premises)
        others = [f for f in facts if f is not fact and (f.group is None or f.group != fact.group)]
        wrap = rng.random()
        r = rng.random()
        if wrap < 0.12 and fact.hedged_premise:
            hedged = rng.choice(fact.hedged_premise)
            if r < 0.3 and fact.hedged_true:
                out.append(pair(hedged, rng.choice(fact.hedged_true), "entail", "hedge_control"))
            else:
                pool = fact.true + [h for hs in fact.false.values() for h in hs
                                    if "hoax" not in h and "fake" not in h and "false" not in h]
                out.append(pair(hedged, rng.choice(pool), "neutral", "hedge"))
            continue
        if wrap < 0.22:  # reported speech: content judged as stated
            who = rng.choice(SPEAKERS)
            text = rng.choice(SAY_WRAPS).format(who=who, s=clause(premise))
            premise = text[0].upper() + text[1:] + "."
        elif wrap < 0.28:  # an explicit denial flips the fact
            who = rng.choice(SPEAKERS)
            text = rng.choice(DENY_WRAPS).format(who=who, s=clause(premise))
            denied = text[0].upper() + text[1:] + "."
            if r < 0.6:
                out.append(pair(denied, rng.choice(fact.true), "contradict", "denial"))
            elif fact.false.get("negation"):
                out.append(pair(denied, rng.choice(fact.false["negation"]), "entail",
                                "denial_control"))
            continue
        if distractors and rng.random() < 0.25:
            tail = rng.choice(DISTRACTOR_TAILS).format(who=rng.choice(SPEAKERS))
            premise = premise.rstrip(".") + tail + "."
        if rng.random() < 0.2 and others:  # a consistent previous sentence as context
            context = rng.choice(others)
            premise = f"{rng.choice(context.premises)} {premise}"
            others = [f for f in others if f is not context]
        if r < 0.28:
            out.append(pair(premise, rng.choice(fact.true), "entail", "control"))
        elif r < 0.58 and fact.false:
            kinds = list(fact.false)
            # role swaps are rarer in the frames: take them whenever a fact has one
            kind = "swap_roles" if "swap_roles" in kinds and rng.random() < 0.4 \
                else rng.choice(kinds)
            hyp = rng.choice(fact.false[kind])
            if rng.random() < 0.15 and kind != "debunk":
                # a debunked false claim is true: "It is not true that <false claim>"
                debunked = rng.choice(DEBUNK_HYPS).format(s=clause(hyp))
                out.append(pair(premise, debunked, "entail", "debunk_control"))
            else:
                out.append(pair(premise, hyp, "contradict", kind))
        elif r < 0.64:
            debunk = rng.choice(DEBUNK_HYPS).format(s=clause(rng.choice(fact.true)))
            out.append(pair(premise, debunk, "contradict", "debunk"))
        elif r < 0.88 and others:
            other = rng.choice(others)
            hyps = other.true + [h for k, hs in other.false.items() if k != "debunk" for h in hs]
            if hyps:
                out.append(pair(premise, rng.choice(hyps), "neutral", "same_story"))
        elif fact.questions:
            if rng.random() < 0.5 or not others:
                out.append(pair(premise, rng.choice(fact.questions), "entail", "answers"))
            else:
                other = rng.choice([o for o in others if o.questions] or others)
                if other.questions:
                    out.append(pair(premise, rng.choice(other.questions), "neutral",
                                    "not_answer"))
    return out


def role_swaps(rng: random.Random, facts: list[Fact]) -> list[dict]:
    """One role swap and its control per story that has one: the hardest contrast for a
    small model, rare in the random draw."""
    out = []
    for fact in facts:
        swaps = fact.false.get("swap_roles")
        if swaps:
            premise = rng.choice(fact.premises)
            out.append(pair(premise, rng.choice(swaps), "contradict", "swap_roles"))
            out.append(pair(premise, rng.choice(fact.true), "entail", "control"))
            break
    return out


# --- real sentences -------------------------------------------------------------------------
def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(text) if 8 <= len(s.split()) <= 45]


def change_number(rng: random.Random, s: str) -> str | None:
    found = list(_NUM.finditer(s))
    found = [m for m in found if not _YEAR.fullmatch(m.group(1))]
    if not found:
        return None
    m = rng.choice(found)
    raw = m.group(1)
    if "." in raw:
        a, b = raw.split(".", 1)
        swapped, bumped = f"{b[:len(a)] or '1'}.{a}", f"{int(a) + rng.randint(1, 5)}.{b}"
        new = swapped if rng.random() < 0.5 else bumped
        if new == raw:
            new = f"{int(a) + 2}.{b}"
    else:
        value = int(raw.replace(",", ""))
        new_value = value + max(1, int(value * rng.uniform(0.15, 0.9))) * rng.choice((1, -1))
        if new_value <= 0 or new_value == value:
            new_value = value * 3 + 1
        new = f"{new_value:,}" if "," in raw else str(new_value)
    return s[: m.start(1)] + new + s[m.end(1):]


def change_date(rng: random.Random, s: str) -> str | None:
    years = list(_YEAR.finditer(s))
    months = list(_MONTH.finditer(s))
    if years and (not months or rng.random() < 0.5):
        m = rng.choice(years)
        new = str(int(m.group(1)) + rng.choice((-3, -2, -1, 1, 2, 4)))
        return s[: m.start(1)] + new + s[m.end(1):]
    if months:
        m = rng.choice(months)
        new = rng.choice([x for x in MONTHS if x != m.group(1)])
        return s[: m.start(1)] + new + s[m.end(1):]
    return None


def negate(s: str) -> str | None:
    m = _AUX.search(s)
    if not m or m.start() > 80:
        return None
    return s[: m.end(1)] + " not" + s[m.end(1):]


def shorten(s: str) -> str:
    """A faithful shorter version: a leading or trailing clause after a comma dropped (the
    sentence itself when it has none). Keeps every figure and negation of the main clause."""
    head, sep, tail = s.partition(", ")
    if sep and len(tail.split()) >= 5 and len(head.split()) <= 6 and not _NUM.search(head):
        return tail[0].upper() + tail[1:]
    body, sep, rest = s.rpartition(", ")
    if sep and len(body.split()) >= 6 and not _NUM.search(rest) and "not" not in rest:
        return body.rstrip(".") + "."
    return s


def from_sentence(rng: random.Random, s: str, controls: bool = False) -> list[dict]:
    """One perturbed pair of a real sentence; with `controls`, also its entail control (the
    same facts, a clause shorter), so a changed figure or negation is the only difference
    the model can learn from."""
    out: list[dict] = []
    r = rng.random()
    if r < 0.22:
        changed = change_number(rng, s) or change_date(rng, s)
        if changed and changed != s:
            out.append(pair(s, changed, "contradict", "real_number"))
            if controls:
                out.append(pair(s, shorten(s), "entail", "real_control"))
                tail = rng.choice(DISTRACTOR_TAILS).format(who=rng.choice(SPEAKERS))
                out.append(pair(s.rstrip(".") + tail + ".", shorten(s), "entail",
                                "real_distractor_control"))
    elif r < 0.36:
        changed = negate(s)
        if changed:
            if rng.random() < 0.5:
                out.append(pair(s, changed, "contradict", "real_negation"))
                if controls:
                    out.append(pair(s, shorten(s), "entail", "real_control"))
            else:  # negation removed: the negated sentence as premise
                out.append(pair(changed, s, "contradict", "real_negation"))
                if controls:
                    debunked = rng.choice(DEBUNK_HYPS).format(s=clause(s))
                    out.append(pair(changed, debunked, "entail", "real_debunk_control"))
    elif r < 0.5:
        wrap = rng.choice(HEDGE_WRAPS)
        body = clause(s)
        text = wrap.format(s=body, S_=body[0].upper() + body[1:])
        out.append(pair(text[0].upper() + text[1:] + ".", s, "neutral", "real_hedge"))
    elif r < 0.64:
        extra = rng.choice(ADDITIONS)
        out.append(pair(s, f"{s.rstrip('.')} {extra}.", "neutral", "real_addition"))
    elif r < 0.78:
        who = rng.choice(SPEAKERS)
        text = rng.choice(SAY_WRAPS).format(who=who, s=clause(s))
        out.append(pair(text[0].upper() + text[1:] + ".", s, "entail", "real_attributed"))
    elif r < 0.88:
        who = rng.choice(SPEAKERS)
        text = rng.choice(DENY_WRAPS).format(who=who, s=clause(s))
        out.append(pair(text[0].upper() + text[1:] + ".", s, "contradict", "real_denial"))
    else:
        out.append(pair(s, rng.choice(DEBUNK_HYPS).format(s=clause(s)), "contradict",
                        "real_debunk"))
    return out


def _words(s: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", s.lower()))


def ramdocs_pairs(rng: random.Random, path: Path, limit_docs: int) -> list[dict]:
    """Same-document neutrals and question/answer-sentence pairs from the training half."""
    out: list[dict] = []
    if not path.exists():
        return out
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    rows = [r for r in rows if ramdocs_half(r["question"]) == 0]
    used = 0
    for row in rows:
        question = row["question"]
        for doc in row["documents"]:
            if used >= limit_docs:
                return out
            sents = sentences(doc["text"])
            if len(sents) < 3:
                continue
            used += 1
            answer = (doc.get("answer") or "").strip()
            if answer and doc["type"] in ("correct", "misinfo"):
                hits = [s for s in sents if answer.lower() in s.lower()]
                misses = [s for s in sents if answer.lower() not in s.lower()]
                if hits:
                    out.append(pair(rng.choice(hits), question, "entail", "answers"))
                if misses:
                    # prefer a sentence sharing the question's words: the hard case
                    qw = _words(question)
                    misses.sort(key=lambda s: -len(qw & _words(s)))
                    out.append(pair(rng.choice(misses[:3]), question, "neutral", "not_answer"))
            i, j = rng.sample(range(len(sents)), 2)
            a, b = sents[i], sents[j]
            wa, wb = _words(a), _words(b)
            if len(wb - wa) >= 4:  # the premise does not contain the hypothesis
                out.append(pair(a, b, "neutral", "same_doc"))
            out.extend(from_sentence(rng, b))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stories", type=int, default=1900)
    parser.add_argument("--per-story", type=int, default=8)
    parser.add_argument("--real", type=int, default=5000, help="perturbed judge-data premises")
    parser.add_argument("--ramdocs-docs", type=int, default=1500)
    parser.add_argument("--controls", action="store_true",
                        help="an entail control for every perturbed real sentence, and "
                             "denial words in tails that leave a fact standing")
    parser.add_argument("--relations", type=int, default=0,
                        help="two-role relation draws (5 pairs each: swaps, entity, controls)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out: list[dict] = []
    for i in range(args.stories):
        frame = FRAMES[i % len(FRAMES)]
        facts = frame(rng)
        out.extend(from_story(rng, facts, args.per_story, args.controls))
        out.extend(role_swaps(rng, facts))
    for _ in range(args.relations):
        out.extend(pair(p, h, label, kind) for p, h, label, kind in relation_pairs(rng))
    with gzip.open(JUDGE_DATA, "rt", encoding="utf-8") as fh:
        premises = sorted({json.loads(line)["premise"] for line in fh
                           if '"split": "train"' in line})
    pool = [s for p in premises for s in sentences(p)]
    rng.shuffle(pool)
    for s in pool[: args.real]:
        out.extend(from_sentence(rng, s, args.controls))
    out.extend(ramdocs_pairs(rng, RAMDOCS, args.ramdocs_docs))
    rng.shuffle(out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", encoding="utf-8") as fh:
        for row in out:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    labels = Counter(r["label"] for r in out)
    kinds = Counter(r["source"] for r in out)
    print(json.dumps({"pairs": len(out), "labels": labels, "kinds": kinds}, indent=1))


if __name__ == "__main__":
    main()
