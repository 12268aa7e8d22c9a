"""Invented news frames for generating judge training pairs (our own text, invented names).

A frame is one small story: facts, each stated by one or more premise sentences and checked
by hypotheses that are true paraphrases (entail when the premise states the fact), false
variants of a named contrast kind (contradict when the premise states the fact), hedged
variants, and questions the fact answers. A hypothesis about a fact the premise does not
state is neutral: same story, same names, a different aspect (the hard neutral case after
retrieval). `generate.py` turns frames into pairs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

FIRST = ("Anna Brecht", "Tomas Ilves", "Mara Quint", "Jonah Pell", "Ines Valdor", "Karl Osten",
         "Leona Farrant", "Dario Mensk", "Priya Holloway", "Felix Arndt", "Sofia Renn",
         "Mateo Grail", "Hana Lutz", "Oskar Vey", "Ruth Calder", "Emil Dorran", "Nadia Scholl",
         "Viktor Aune", "Greta Moss", "Samuel Orde", "Lena Whitcombe", "Ivo Tarrant",
         "Clara Benning", "Yusuf Amari", "Elin Hartveit", "Marco Sellis", "Bea Novak",
         "Aaron Linde", "Tessa Morrow", "Otto Kerner")
TEAMS = ("Harwick Rovers", "Dunmore United", "Castleford Athletic", "Port Ellin FC",
         "Westmarch Town", "Kellan City", "Ashby Wanderers", "Brennock Albion",
         "Lowgate Rangers", "Selby Harbour", "Redwater Hawks", "Orrin Valley")
CITIES = ("Harwick", "Dunmore", "Kellan", "Port Ellin", "Westmarch", "Brennock", "Lowgate",
          "Ashby", "Marlow Cross", "Fennick", "Orrin", "Saltby", "Corran", "Elsmere",
          "Hadley Bay", "Tiverbrook")
COMPANIES = ("Veltrix", "Calden Foods", "Northgate Mobile", "Orbis Freight", "Lumora Health",
             "Pellard Steel", "Quarry Lane Bank", "Sunvale Energy", "Arkwright Motors",
             "Helix Retail", "Brightmoor Pharma", "Tallis Software", "Kestrel Air",
             "Ferren Textiles")
PARTIES = ("the Civic Alliance", "the Green Forward party", "the Liberal Union",
           "the People's Reform party", "the Labour Bloc", "the Heritage party")
SPEAKERS = ("a police spokesperson", "the regional governor", "the club's chairman",
            "the company", "a union official", "the health ministry", "the prosecutor",
            "witnesses", "the mayor's office", "opposition politicians", "local residents",
            "an industry analyst", "the defence lawyer", "the transport authority")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PRODUCTS = ("smartwatch", "electric scooter", "budget phone", "home battery", "tablet",
            "fitness app", "cloud service", "delivery drone")
DISEASES = ("measles", "norovirus", "influenza", "whooping cough", "salmonella", "hepatitis A")
STORMS = ("Storm Ada", "Storm Briar", "Storm Colm", "Storm Delia", "Storm Ewan", "Storm Freya")


@dataclass
class Hyp:
    text: str
    kind: str  # "true" | "false:<contrast kind>" | "hedged"


@dataclass
class Fact:
    premises: list[str]  # sentences stating the fact in the outlet's voice
    true: list[str]  # faithful paraphrases (entail controls)
    false: dict[str, list[str]] = field(default_factory=dict)  # contrast kind -> claims
    hedged_premise: list[str] = field(default_factory=list)  # the fact only as possible
    hedged_true: list[str] = field(default_factory=list)  # claims hedged the same way
    questions: list[str] = field(default_factory=list)  # questions this fact answers
    group: str | None = None  # facts of one group imply each other: never cross-paired


def _other(rng: random.Random, pool: tuple[str, ...], *avoid: str) -> str:
    return rng.choice([p for p in pool if p not in avoid])


def _date(rng: random.Random) -> tuple[str, str]:
    """A date and a different date (changed day, month or year)."""
    day, month, year = rng.randint(1, 28), rng.randrange(12), rng.randint(2019, 2025)
    which = rng.randrange(3)
    if which == 0:
        other = (day + rng.randint(1, 9)) % 28 + 1, month, year
    elif which == 1:
        other = day, (month + rng.randint(1, 11)) % 12, year
    else:
        other = day, month, year + rng.choice((-2, -1, 1))
    fmt = rng.choice(("{d} {m} {y}", "{m} {d}, {y}"))
    return (fmt.format(d=day, m=MONTHS[month], y=year),
            fmt.format(d=other[0], m=MONTHS[other[1]], y=other[2]))


def _changed(rng: random.Random, value: int) -> int:
    options = [value + rng.randint(1, max(2, value // 3)), max(0, value - rng.randint(1, max(2, value // 3))),
               value * 10, max(1, value // 10)]
    options = [o for o in options if o != value]
    return rng.choice(options)


def _pct(rng: random.Random) -> tuple[str, str]:
    a, b = rng.randint(1, 9), rng.randint(0, 9)
    if a == b:
        b = (b + 1) % 10
    return f"{a}.{b}", rng.choice((f"{b}.{a}" if b else f"{a + 1}.{b}", f"{a + 2}.{b}"))


def match(rng: random.Random) -> list[Fact]:
    a_team, b_team = rng.sample(TEAMS, 2)
    hi, lo = rng.randint(2, 5), 0
    lo = rng.randint(0, hi - 1)
    comp = rng.choice(("cup", "league cup", "regional trophy", "play-off"))
    city = rng.choice(CITIES)
    crowd = rng.randint(8, 60) * 1000 + rng.choice((0, 200, 450, 800))
    scorer, other_scorer = rng.sample(FIRST, 2)
    day, other_day = _date(rng)
    coach = rng.choice(FIRST)
    return [
        Fact(premises=[f"{a_team} beat {b_team} {hi}-{lo} in the {comp} final in {city}.",
                       f"{b_team} were beaten {hi}-{lo} by {a_team} in the {comp} final.",
                       f"{a_team} won the {comp} final, defeating {b_team} {hi}-{lo}."],
             true=[f"{a_team} won the {comp} final.", f"{b_team} lost the {comp} final to {a_team}.",
                   f"{a_team} defeated {b_team} in the final.",
                   f"{b_team} were beaten by {a_team}."],
             false={"swap_roles": [f"{b_team} beat {a_team} in the {comp} final.",
                                   f"{a_team} were beaten by {b_team} in the final."],
                    "antonym": [f"{a_team} lost the {comp} final.",
                                f"{b_team} won the {comp} final."],
                    "number": [f"{a_team} beat {b_team} {hi + 1}-{lo} in the final.",
                               f"{a_team} won the final {hi}-{lo + 1}."],
                    "negation": [f"{a_team} did not win the {comp} final.",
                                 f"{b_team} were not beaten in the final."],
                    "debunk": [f"Reports that {a_team} won the {comp} final are false."],
                    "entity": [f"{_other(rng, TEAMS, a_team, b_team)} won the {comp} final."]},
             hedged_premise=[f"{a_team} are expected to beat {b_team} in the {comp} final.",
                             f"Bookmakers say {a_team} could beat {b_team} in the final."],
             hedged_true=[f"{a_team} may win the {comp} final."],
             questions=[f"Who won the {comp} final?", f"What was the score in the {comp} final?",
                        f"Did {b_team} lose the final?"]),
        Fact(premises=[f"A crowd of {crowd:,} watched the final.",
                       f"The final was played in front of {crowd:,} spectators."],
             true=[f"{crowd:,} people watched the final.", f"The final drew a crowd of {crowd:,}."],
             false={"number": [f"{_changed(rng, crowd):,} people watched the final."]},
             questions=["How many people watched the final?", "How big was the crowd?"]),
        Fact(premises=[f"{scorer} scored the winning goal in the 88th minute.",
                       f"The winner came from {scorer}, who scored two minutes from time."],
             true=[f"{scorer} scored the decisive goal.", f"The winning goal was scored by {scorer}."],
             false={"entity": [f"{other_scorer} scored the winning goal."],
                    "negation": [f"{scorer} did not score in the final."]},
             questions=["Who scored the winning goal?"]),
        Fact(premises=[f"The final was played on {day}.", f"The match took place on {day}."],
             true=[f"The final took place on {day}."],
             false={"date": [f"The final was played on {other_day}."]},
             questions=["When was the final played?"]),
        Fact(premises=[f"{a_team} coach {coach} refused to resign after the semi-final defeat.",
                       f"{coach} rejected calls to step down as {a_team} coach."],
             true=[f"{coach} did not resign.", f"{coach} stayed on as coach."],
             false={"antonym": [f"{coach} resigned as {a_team} coach.",
                                f"{coach} stepped down after the defeat."]},
             hedged_premise=[f"{coach} could resign as {a_team} coach, reports suggest."],
             hedged_true=[f"{coach} might step down."],
             questions=[f"Did {coach} resign?"]),
    ]


def election(rng: random.Random) -> list[Fact]:
    win, lose = rng.sample(FIRST, 2)
    city = rng.choice(CITIES)
    party = rng.choice(PARTIES)
    share, wrong = _pct(rng)
    share = f"5{share[0]}.{share[-1]}"
    turnout = rng.randint(31, 78)
    day, other_day = _date(rng)
    return [
        Fact(premises=[f"{win} won the {city} mayoral election, defeating {lose}.",
                       f"{lose} lost the race for mayor of {city} to {win}.",
                       f"{win} was elected mayor of {city}, beating {lose}."],
             true=[f"{win} became mayor of {city}.", f"{lose} was defeated by {win}.",
                   f"{win} beat {lose} in the election."],
             false={"swap_roles": [f"{lose} defeated {win} in the election.",
                                   f"{win} lost the race to {lose}."],
                    "antonym": [f"{win} lost the {city} mayoral election.",
                                f"{lose} won the {city} mayoral election."],
                    "negation": [f"{win} was not elected mayor."],
                    "entity": [f"{_other(rng, FIRST, win, lose)} won the {city} mayoral election."],
                    "debunk": [f"It is not true that {win} won the {city} election."]},
             hedged_premise=[f"Polls suggest {win} could win the {city} mayoral election."],
             hedged_true=[f"{win} could become mayor of {city}."],
             questions=[f"Who won the {city} mayoral election?", "Who is the new mayor?"],
             group="result"),
        Fact(premises=[f"{win} took {share}% of the vote.", f"{win} won with {share} per cent of votes cast."],
             true=[f"{win} received {share}% of the vote."],
             false={"number": [f"{win} won {share[::-1] if share[::-1] != share else '61.0'}% of the vote.",
                               f"{win} took {int(float(share)) - 12}% of the vote."]},
             questions=[f"What share of the vote did {win} get?"], group="result"),
        Fact(premises=[f"Turnout was {turnout}%, officials said.", f"Turnout stood at {turnout} per cent."],
             true=[f"{turnout}% of voters turned out."],
             false={"number": [f"Turnout was {turnout + rng.randint(3, 15)}%."]},
             questions=["What was the turnout?"]),
        Fact(premises=[f"{win} is a member of {party}.", f"{win} ran as the candidate of {party}."],
             true=[f"{win} represents {party}."],
             false={"entity": [f"{win} ran for {_other(rng, PARTIES, party)}."]},
             questions=[f"Which party does {win} belong to?"]),
        Fact(premises=[f"The vote was held on {day}."],
             true=[f"Voters went to the polls on {day}."],
             false={"date": [f"The election took place on {other_day}."]},
             questions=["When was the election held?"]),
    ]


def court(rng: random.Random) -> list[Fact]:
    defendant, judge_, victim = rng.sample(FIRST, 3)
    city = rng.choice(CITIES)
    years = rng.randint(2, 14)
    charge = rng.choice(("fraud", "bribery", "money laundering", "arson", "tax evasion",
                         "embezzlement"))
    company = rng.choice(COMPANIES)
    convicted = rng.random() < 0.5
    if convicted:
        verdict = [f"{defendant} was convicted of {charge} at {city} Crown Court.",
                   f"A jury found {defendant} guilty of {charge}."]
        true = [f"{defendant} was found guilty of {charge}.", f"The jury convicted {defendant}."]
        false = {"antonym": [f"{defendant} was acquitted of {charge}.",
                             f"{defendant} was cleared of {charge}."],
                 "negation": [f"{defendant} was not convicted of {charge}."],
                 "debunk": [f"Claims that {defendant} was convicted of {charge} are false."]}
    else:
        verdict = [f"{defendant} was acquitted of {charge} at {city} Crown Court.",
                   f"A jury found {defendant} not guilty of {charge}."]
        true = [f"{defendant} was cleared of {charge}.", f"The jury did not convict {defendant}."]
        false = {"antonym": [f"{defendant} was convicted of {charge}.",
                             f"{defendant} was found guilty of {charge}."],
                 "negation": [f"{defendant} was not acquitted."],
                 "debunk": [f"Reports that {defendant} was acquitted are a hoax."]}
    false["entity"] = [f"{_other(rng, FIRST, defendant, judge_, victim)} was "
                       f"{'convicted' if convicted else 'acquitted'} of {charge}."]
    facts = [
        Fact(premises=verdict, true=true, false=false,
             hedged_premise=[f"{defendant} could face a retrial on {charge} charges.",
                             f"Prosecutors say {defendant} may be charged with {charge}."],
             hedged_true=[f"{defendant} could be tried again."],
             questions=[f"Was {defendant} convicted?", f"What was the verdict in the {defendant} trial?"],
             group="verdict"),
        Fact(premises=[f"{defendant} was accused of defrauding {company} of £{years * 3} million."],
             true=[f"{defendant} was accused of defrauding {company}."],
             false={"swap_roles": [f"{company} was accused of defrauding {defendant}."],
                    "number": [f"{defendant} was accused of taking £{years * 3 + 5} million."],
                    "entity": [f"{defendant} was accused of defrauding {_other(rng, COMPANIES, company)}."]},
             questions=[f"Who did {defendant} defraud?"]),
        Fact(premises=[f"Judge {judge_} adjourned the hearing until next week."],
             true=[f"The hearing was adjourned by Judge {judge_}."],
             false={"antonym": [f"Judge {judge_} refused to adjourn the hearing."]},
             questions=["Who is the judge?"]),
    ]
    if convicted:
        facts.append(Fact(premises=[f"{defendant} was jailed for {years} years.",
                                    f"{defendant} was sentenced to {years} years in prison."],
                          true=[f"{defendant} received a {years}-year prison sentence."],
                          false={"number": [f"{defendant} was jailed for {years + rng.randint(1, 6)} years."],
                                 "negation": [f"{defendant} avoided prison."]},
                          questions=[f"How long was {defendant} jailed for?"], group="verdict"))
    return facts


def results(rng: random.Random) -> list[Fact]:
    company, rival = rng.sample(COMPANIES, 2)
    ceo, other = rng.sample(FIRST, 2)
    pct, wrong = _pct(rng)
    up = rng.random() < 0.5
    quarter = rng.choice(("first", "second", "third", "fourth"))
    revenue = rng.randint(120, 980)
    jobs = rng.randint(2, 40) * 50
    direction, opposite = ("rose", "fell") if up else ("fell", "rose")
    mv, mo = ("increase", "decrease") if up else ("decrease", "increase")
    return [
        Fact(premises=[f"{company}'s {quarter}-quarter revenue {direction} {pct}% to ${revenue} million.",
                       f"Revenue at {company} {direction} by {pct} per cent in the {quarter} quarter."],
             true=[f"{company} reported a {pct}% {mv} in revenue.",
                   f"{company}'s sales {'grew' if up else 'shrank'} in the {quarter} quarter."],
             false={"antonym": [f"{company}'s revenue {opposite} in the {quarter} quarter.",
                                f"{company} reported a {mo} in revenue."],
                    "number": [f"{company}'s revenue {direction} {wrong}%."],
                    "entity": [f"{rival}'s revenue {direction} {pct}% in the {quarter} quarter."]},
             hedged_premise=[f"Analysts expect {company}'s revenue to have {direction} in the {quarter} quarter."],
             hedged_true=[f"{company}'s revenue is expected to have {direction}."],
             questions=[f"How did {company}'s revenue change?", f"By how much did {company}'s revenue change?"]),
        Fact(premises=[f"{company} agreed to buy {rival} for ${revenue * 3} million.",
                       f"{rival} is being acquired by {company}."],
             true=[f"{company} is acquiring {rival}.", f"{rival} will be bought by {company}."],
             false={"swap_roles": [f"{rival} agreed to buy {company}.", f"{company} is being acquired by {rival}."],
                    "negation": [f"{company} has no plans to buy {rival}."],
                    "debunk": [f"The report that {company} is buying {rival} is fake."]},
             hedged_premise=[f"{company} is reportedly considering a bid for {rival}."],
             hedged_true=[f"{company} may bid for {rival}."],
             questions=[f"Who is buying {rival}?"]),
        Fact(premises=[f"Chief executive {ceo} resigned on Thursday.",
                       f"{ceo} stepped down as chief executive of {company}."],
             true=[f"{ceo} quit as {company}'s chief executive.", f"{ceo} is no longer chief executive."],
             false={"antonym": [f"{ceo} refused to resign.", f"{ceo} was reappointed as chief executive."],
                    "entity": [f"{other} resigned as chief executive of {company}."],
                    "negation": [f"{ceo} did not resign."]},
             questions=[f"Who resigned from {company}?", f"Did {ceo} resign?"]),
        Fact(premises=[f"{company} said it would cut {jobs} jobs.", f"{company} plans to shed {jobs} jobs."],
             true=[f"{company} plans {jobs} job cuts."],
             false={"number": [f"{company} will cut {_changed(rng, jobs)} jobs."],
                    "antonym": [f"{company} will create {jobs} jobs."]},
             questions=[f"How many jobs will {company} cut?"]),
    ]


def outbreak(rng: random.Random) -> list[Fact]:
    disease = rng.choice(DISEASES)
    city = rng.choice(CITIES)
    cases = rng.randint(12, 900)
    deaths = rng.randint(1, 9)
    official = rng.choice(FIRST)
    day, other_day = _date(rng)
    died, none_died = [Fact(premises=[f"{deaths} patients have died, officials said.",
                       f"The outbreak has killed {deaths} people."],
             true=[f"{deaths} people have died in the outbreak."],
             false={"number": [f"{deaths + rng.randint(2, 20)} people have died in the outbreak."],
                    "negation": ["No one has died in the outbreak."]},
             questions=["How many people have died?"]),
        Fact(premises=["No deaths have been reported in the outbreak.",
                       "Nobody has died, the health authority said."],
             true=["The outbreak has not killed anyone.", "There have been no deaths."],
             false={"negation": ["People have died in the outbreak."],
                    "number": [f"{deaths} people have died in the outbreak."]},
             questions=["Has anyone died?"])]
    deaths_fact = died if rng.random() < 0.5 else none_died
    return [
        Fact(premises=[f"Health officials confirmed {cases} cases of {disease} in {city}.",
                       f"The number of {disease} cases in {city} has reached {cases}."],
             true=[f"There are {cases} confirmed {disease} cases in {city}."],
             false={"number": [f"{_changed(rng, cases)} cases of {disease} were confirmed in {city}."],
                    "entity": [f"{cases} cases of {_other(rng, DISEASES, disease)} were confirmed in {city}."],
                    "debunk": [f"The {disease} outbreak in {city} is a hoax."]},
             hedged_premise=[f"Doctors fear the {disease} outbreak in {city} could spread."],
             hedged_true=[f"The {disease} outbreak may spread."],
             questions=[f"How many {disease} cases are there in {city}?"]),
        deaths_fact,
        Fact(premises=[f"The regulator approved the new {disease} vaccine on {day}."],
             true=[f"The {disease} vaccine was approved."],
             false={"antonym": [f"The regulator rejected the {disease} vaccine."],
                    "date": [f"The vaccine was approved on {other_day}."],
                    "negation": [f"The {disease} vaccine has not been approved."]},
             hedged_premise=[f"The regulator is expected to approve the {disease} vaccine."],
             hedged_true=[f"The {disease} vaccine may soon be approved."],
             questions=[f"Was the {disease} vaccine approved?"]),
        Fact(premises=[f"{official}, the region's chief medical officer, urged residents to get vaccinated."],
             true=[f"{official} called on residents to be vaccinated."],
             false={"antonym": [f"{official} advised residents not to get vaccinated."]},
             questions=["Who is the chief medical officer?"]),
    ]


def storm(rng: random.Random) -> list[Fact]:
    name = rng.choice(STORMS)
    region = rng.choice(CITIES)
    homes = rng.randint(3, 90) * 1000
    speed = rng.randint(70, 160)
    rain = rng.randint(40, 250)
    day, other_day = _date(rng)
    return [
        Fact(premises=[f"{name} left {homes:,} homes in {region} without power.",
                       f"About {homes:,} households lost electricity as {name} hit {region}."],
             true=[f"{homes:,} homes lost power during {name}."],
             false={"number": [f"{_changed(rng, homes):,} homes lost power during {name}."],
                    "entity": [f"{_other(rng, STORMS, name)} left {homes:,} homes without power."]},
             questions=["How many homes lost power?"]),
        Fact(premises=[f"Gusts reached {speed} km/h on the coast.", f"Winds of up to {speed} km/h were recorded."],
             true=[f"Wind speeds hit {speed} km/h."],
             false={"number": [f"Gusts reached {speed + rng.randint(20, 60)} km/h."]},
             questions=["How strong were the winds?"]),
        Fact(premises=[f"{name} made landfall on {day}."],
             true=[f"{name} hit land on {day}."],
             false={"date": [f"{name} made landfall on {other_day}."]},
             questions=[f"When did {name} make landfall?"]),
        Fact(premises=["No injuries were reported.", "Nobody was hurt, the fire service said."],
             true=["There were no injuries.", "No one was injured."],
             false={"negation": ["Several people were injured.", "People were hurt in the storm."]},
             questions=["Was anyone injured?"]),
        Fact(premises=[f"Schools in {region} reopened on Wednesday.", f"{region}'s schools opened again on Wednesday."],
             true=[f"Schools in {region} are open again."],
             false={"antonym": [f"Schools in {region} stayed closed on Wednesday."],
                    "negation": [f"Schools in {region} have not reopened."]},
             hedged_premise=[f"Schools in {region} may reopen on Wednesday."],
             hedged_true=[f"Schools in {region} could reopen."],
             questions=[f"Did schools in {region} reopen?"]),
        Fact(premises=[f"Up to {rain} mm of rain fell in 24 hours."],
             true=[f"{rain} mm of rain fell within a day."],
             false={"number": [f"Up to {rain * 2} mm of rain fell in 24 hours."]},
             questions=["How much rain fell?"]),
    ]


def tech(rng: random.Random) -> list[Fact]:
    company, rival = rng.sample(COMPANIES, 2)
    product = rng.choice(PRODUCTS)
    users = rng.randint(2, 90) * 100_000
    price = rng.randint(49, 999)
    boss = rng.choice(FIRST)
    day, other_day = _date(rng)
    return [
        Fact(premises=[f"{company} launched its first {product} on {day}.",
                       f"The new {product} from {company} went on sale on {day}."],
             true=[f"{company} released a {product}."],
             false={"date": [f"{company} launched its {product} on {other_day}."],
                    "entity": [f"{rival} launched the {product}."],
                    "antonym": [f"{company} cancelled its {product}."]},
             hedged_premise=[f"{company} is expected to launch a {product} next year."],
             hedged_true=[f"{company} may launch a {product}."],
             questions=[f"When did {company} launch the {product}?", f"What did {company} launch?"]),
        Fact(premises=[f"The {product} costs ${price}.", f"{company} priced the {product} at ${price}."],
             true=[f"The {product} sells for ${price}."],
             false={"number": [f"The {product} costs ${price + rng.randint(50, 300)}."]},
             questions=[f"How much does the {product} cost?"]),
        Fact(premises=[f"{company} confirmed that a data breach exposed the details of {users:,} customers.",
                       f"A breach at {company} affected {users:,} customer accounts, the firm said."],
             true=[f"{users:,} customers were affected by the {company} breach."],
             false={"antonym": [f"{company} denied that a data breach took place."],
                    "number": [f"The breach exposed {_changed(rng, users):,} customers."],
                    "negation": [f"No customer data was exposed at {company}."],
                    "swap_roles": [f"{rival} was hit by a breach at {company}."],
                    "debunk": [f"The {company} data breach is fake news."]},
             hedged_premise=[f"{company} may have suffered a data breach, researchers warned."],
             hedged_true=[f"{company} might have been breached."],
             questions=["How many customers were affected by the breach?", f"Was {company} hacked?"]),
        Fact(premises=[f"{boss} was named chief technology officer of {company}."],
             true=[f"{company} appointed {boss} as its technology chief."],
             false={"entity": [f"{_other(rng, FIRST, boss)} became {company}'s chief technology officer."]},
             questions=[f"Who took over as chief technology officer at {company}?"]),
    ]


def factory(rng: random.Random) -> list[Fact]:
    company = rng.choice(COMPANIES)
    city = rng.choice(CITIES)
    jobs = rng.randint(3, 60) * 20
    leader = rng.choice(FIRST)
    day, other_day = _date(rng)
    weeks = rng.randint(2, 12)
    return [
        Fact(premises=[f"{company} will close its {city} factory with the loss of {jobs} jobs.",
                       f"The {company} plant in {city} is to shut, putting {jobs} jobs at risk."],
             true=[f"{company}'s factory in {city} is closing.", f"{jobs} jobs will go at the {city} plant."],
             false={"antonym": [f"{company} will expand its {city} factory.", f"{company} is opening a factory in {city}."],
                    "number": [f"{_changed(rng, jobs)} jobs will be lost in {city}."],
                    "negation": [f"The {city} factory will not close."],
                    "entity": [f"{company} will close its {_other(rng, CITIES, city)} factory."]},
             hedged_premise=[f"{company} could close its {city} factory, the union fears."],
             hedged_true=[f"The {city} factory may close."],
             questions=[f"How many jobs will go in {city}?", f"Is the {city} factory closing?"]),
        Fact(premises=[f"Workers at the plant voted to strike from {day}.",
                       f"Staff will walk out on {day} after a strike vote."],
             true=[f"Workers will go on strike from {day}."],
             false={"date": [f"The strike starts on {other_day}."],
                    "antonym": ["Workers voted against strike action."]},
             questions=["When does the strike begin?"]),
        Fact(premises=[f"Union leader {leader} called the decision a betrayal."],
             true=[f"{leader} condemned the decision."],
             false={"antonym": [f"{leader} welcomed the decision."]},
             questions=["What did the union leader say?"]),
        Fact(premises=[f"The strike lasted {weeks} weeks."],
             true=[f"The walkout went on for {weeks} weeks."],
             false={"number": [f"The strike lasted {weeks + rng.randint(1, 5)} weeks."]},
             questions=["How long did the strike last?"]),
    ]


def space(rng: random.Random) -> list[Fact]:
    agency = rng.choice(("the Aldren Space Agency", "the Northern Space Institute",
                         "Corvex Aerospace", "the Meridian Observatory"))
    probe = rng.choice(("Lyra-2", "Tessel", "Kora", "Wayfinder-3", "Halcyon"))
    lead = rng.choice(FIRST)
    uni = f"the University of {rng.choice(CITIES)}"
    day, other_day = _date(rng)
    dist = rng.randint(12, 400)
    return [
        Fact(premises=[f"{agency} launched the {probe} probe on {day}."],
             true=[f"The {probe} probe was launched by {agency}."],
             false={"date": [f"{probe} was launched on {other_day}."],
                    "antonym": [f"The {probe} launch was scrubbed."],
                    "negation": [f"{probe} has not been launched."]},
             hedged_premise=[f"{agency} hopes to launch {probe} on {day}."],
             hedged_true=[f"{probe} could launch on {day}."],
             questions=[f"When was {probe} launched?"]),
        Fact(premises=[f"A team led by {lead} at {uni} discovered a planet {dist} light years away."],
             true=[f"Researchers at {uni} found a planet {dist} light years from Earth."],
             false={"number": [f"The planet is {dist * 3} light years away."],
                    "entity": [f"The planet was discovered by a team led by {_other(rng, FIRST, lead)}."]},
             questions=["Who discovered the planet?", "How far away is the planet?"]),
    ]


def transport(rng: random.Random) -> list[Fact]:
    city, other_city = rng.sample(CITIES, 2)
    injured = rng.randint(3, 60)
    hours = rng.randint(2, 30)
    minister = rng.choice(FIRST)
    return [
        Fact(premises=[f"{injured} passengers were injured when a train derailed near {city}.",
                       f"A derailment near {city} left {injured} people hurt."],
             true=[f"{injured} people were hurt in the derailment near {city}."],
             false={"number": [f"{_changed(rng, injured)} passengers were injured."],
                    "entity": [f"A train derailed near {other_city}, injuring {injured}."],
                    "negation": ["Nobody was injured in the derailment."]},
             questions=["How many passengers were injured?"]),
        Fact(premises=[f"The line reopened after {hours} hours."],
             true=[f"The line was closed for {hours} hours."],
             false={"number": [f"The line reopened after {hours + 12} hours."],
                    "antonym": ["The line remains closed."]},
             questions=["When did the line reopen?"]),
        Fact(premises=[f"Transport minister {minister} refused to resign over the crash.",
                       f"{minister} rejected calls to quit over the derailment."],
             true=[f"{minister} has not resigned."],
             false={"antonym": [f"{minister} resigned over the crash."],
                    "debunk": [f"It is false that {minister} refused to resign."]},
             questions=[f"Did {minister} resign?"]),
    ]


def council(rng: random.Random) -> list[Fact]:
    city = rng.choice(CITIES)
    budget = rng.randint(12, 300)
    votes_for, votes_against = rng.randint(20, 40), rng.randint(5, 19)
    leader = rng.choice(FIRST)
    approved = rng.random() < 0.5
    verb, opp = ("approved", "rejected") if approved else ("rejected", "approved")
    return [
        Fact(premises=[f"{city} council {verb} the £{budget} million budget by "
                       f"{votes_for if approved else votes_against} votes to "
                       f"{votes_against if approved else votes_for}."],
             true=[f"Councillors {verb} the budget."],
             false={"antonym": [f"{city} council {opp} the budget."],
                    "number": [f"The budget was worth £{budget + 40} million."],
                    "negation": [f"{city} council did not {'approve' if approved else 'reject'} the budget."]},
             hedged_premise=[f"{city} council is expected to approve the budget."],
             hedged_true=["The budget may be approved."],
             questions=[f"Did {city} council approve the budget?"]),
        Fact(premises=[f"Council leader {leader} said the plan would fund 40 new buses."],
             true=[f"According to {leader}, the plan would pay for 40 buses."],
             false={"number": ["The plan would fund 400 new buses, the council leader said."]},
             questions=["What will the plan fund?"]),
    ]


FRAMES = (match, election, court, results, outbreak, storm, tech, factory, space, transport,
          council)


# --- two-role relations: the role swap and entity contrasts, many verbs and shapes --------
# (active, passive-or-converse paraphrase, role types); {A} and {B} are the two roles.
RELATIONS = (
    ("{A} beat {B} {n}-{m}", "{B} were beaten {n}-{m} by {A}", "team"),
    ("{A} defeated {B} in the semi-final", "{B} lost the semi-final to {A}", "team"),
    ("{A} knocked {B} out of the cup", "{B} were knocked out of the cup by {A}", "team"),
    ("{A} finished ahead of {B} in the table", "{B} finished behind {A} in the table", "team"),
    ("{A} signed a striker from {B}", "{B} sold a striker to {A}", "team"),
    ("{A} sued {B} over unpaid invoices", "{B} is being sued by {A} over unpaid invoices",
     "company"),
    ("{A} agreed to acquire {B}", "{B} agreed to be acquired by {A}", "company"),
    ("{A} overtook {B} as the region's largest employer",
     "{B} was overtaken by {A} as the region's largest employer", "company"),
    ("{A} supplies parts to {B}", "{B} buys parts from {A}", "company"),
    ("{A} paid {B} £{n} million in damages", "{B} received £{n} million in damages from {A}",
     "company"),
    ("{A} replaced {B} as chief executive", "{B} was replaced as chief executive by {A}",
     "person"),
    ("{A} succeeded {B} as party leader", "{B} was succeeded as party leader by {A}", "person"),
    ("{A} accused {B} of lying to the committee", "{B} was accused by {A} of lying to the "
     "committee", "person"),
    ("{A} defeated {B} in the run-off", "{B} lost the run-off to {A}", "person"),
    ("{A} endorsed {B} for the nomination", "{B} won the endorsement of {A} for the nomination",
     "person"),
    ("{A} hired {B} as an adviser", "{B} was taken on as an adviser by {A}", "person"),
    ("{A} fired {B} on Friday", "{B} was dismissed by {A} on Friday", "person"),
    ("{A} trails {B} by {n} points in the latest poll",
     "{B} leads {A} by {n} points in the latest poll", "person"),
    ("{A} won the title ahead of {B}", "{B} finished behind {A} in the title race", "person"),
    ("{A} interviewed {B} for the documentary", "{B} was interviewed by {A} for the documentary",
     "person"),
    ("trains from {A} to {B} were cancelled", "services heading to {B} from {A} were cancelled",
     "city"),
    ("{A} overtook {B} as the country's second-largest city",
     "{B} fell behind {A} to become the country's third-largest city", "city"),
)
LEADS = ("", "On {day}, ", "Late on {day}, ", "In a surprise result, ", "As expected, ")
TAILS = ("", ", officials said", ", according to the league", " after months of talks",
         " in front of reporters", ", the club confirmed")


def relation_pairs(rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(premise, hypothesis, label, kind) for one relation: the swap, an entity change, the
    paraphrase control and the swapped paraphrase."""
    active, passive, kind = rng.choice(RELATIONS)
    pool = {"team": TEAMS, "company": COMPANIES, "person": FIRST, "city": CITIES}[kind]
    a, b, c = rng.sample(pool, 3)
    n, m = rng.randint(2, 9), rng.randint(0, 1)
    day = rng.choice(WEEKDAYS)

    def fill(t: str, x: str, y: str) -> str:
        s = t.format(A=x, B=y, n=n, m=m)
        return s[0].upper() + s[1:]

    lead = "" if "day" in active else rng.choice(LEADS).format(day=day)
    body = active.format(A=a, B=b, n=n, m=m)
    premise = (lead + body if lead else body[0].upper() + body[1:]) + rng.choice(TAILS) + "."
    out = [(premise, fill(active, b, a) + ".", "contradict", "swap_roles"),
           (premise, fill(passive, a, b) + ".", "entail", "control"),
           (premise, fill(passive, b, a) + ".", "contradict", "swap_roles"),
           (premise, fill(active, a, c) + ".", "contradict", "entity"),
           (premise, fill(active, a, b) + ".", "entail", "control")]
    return out
