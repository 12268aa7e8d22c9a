"""Exact figure and date comparison (`bot.answer.quantities`)."""

from __future__ import annotations

from bot.answer.quantities import date_conflict, figure_conflict, figures, figures_disagree


def test_figures_keep_thousands_decimals_percent_and_number_words() -> None:
    assert [(f.value, "percent" in f.unit) for f in figures("took 54.2% of the vote")] == \
        [(54.2, True)]
    assert figures("a crowd of 41,200 people")[0].value == 41200
    assert figures("three workers died")[0].value == 3
    assert figures("in 2024 the club") == []  # a year is a date, not a figure


def test_figure_conflict_needs_the_same_unit() -> None:
    assert figure_conflict("an 80-kilometre strip", "a 40-kilometre strip") == ("80", "40")
    assert figure_conflict("turnout was 2.4%", "turnout was 4.2 per cent") == ("2.4", "4.2")
    assert figure_conflict("a 40-kilometre strip", "a 40-kilometre strip") is None
    assert figure_conflict("40 people were hurt", "the 12 buses left") is None
    assert figures_disagree("4,210 people fled", "9,999 people fled")
    assert not figures_disagree("4,210 people fled", "4,210 people fled")


def test_date_conflict_compares_one_date_part_of_a_kind() -> None:
    assert date_conflict("held on 14 May 2025", "held on May 16, 2025") == ("14 May", "16 May")
    assert date_conflict("on Saturday", "on Sunday evening") == ("Saturday", "Sunday")
    assert date_conflict("in 2023", "in 2024") == ("2023", "2024")
    assert date_conflict("on 14 May 2025", "on May 14, 2025") is None
    # two years in the sentence: which one the claim means is not exact, so no conflict
    assert date_conflict("won in 2023", "founded in 1901, it won in 2024") is None
    assert date_conflict("the council may vote", "the vote was in June") is None
