"""Dates in invented sentences, resolved against an anchor: one test per family of expressions."""
from __future__ import annotations

from datetime import date

import pytest

from etl.extract.dates import Anchor, date_in, day_shift, vague_time

WEDNESDAY = Anchor(date(2024, 5, 15), published=True)
INFERRED = Anchor(date(2024, 5, 15), published=False)  # the latest date in a page without its own


@pytest.mark.parametrize(("sentence", "day"), [
    ("The ministers met yesterday in Porto.", date(2024, 5, 14)),
    ("The ministers met late last night in Porto.", date(2024, 5, 14)),
    ("The ministers met the day before yesterday in Porto.", date(2024, 5, 13)),
    ("The ministers met two days ago in Porto.", date(2024, 5, 13)),
    ("The ministers met 3 days ago in Porto.", date(2024, 5, 12)),
    ("The ministers will meet tonight in Porto.", date(2024, 5, 15)),
    ("The ministers met earlier today in Porto.", date(2024, 5, 15)),
    ("The ministers will meet the day after tomorrow in Porto.", date(2024, 5, 17)),
])
def test_days_counted_from_the_publication_day(sentence, day):
    assert date_in(sentence, WEDNESDAY, planned="will" in sentence) == day


def test_days_counted_from_an_inferred_anchor_stay_unknown():
    assert date_in("The ministers met yesterday in Porto.", INFERRED) is None


def test_a_relative_word_in_a_name_is_no_day():
    assert date_in("Metro Today reported that the ministers met in Porto.", WEDNESDAY) is None
    assert date_in("Today the ministers met in Porto.", WEDNESDAY) == date(2024, 5, 15)


@pytest.mark.parametrize(("sentence", "planned", "day"), [
    ("They met on Monday.", False, date(2024, 5, 13)),
    ("They met on Wednesday.", False, date(2024, 5, 15)),  # the publication day itself
    ("They met last Wednesday.", False, date(2024, 5, 8)),  # never the anchor's own day
    ("They will meet on Friday.", True, date(2024, 5, 17)),
    ("They will meet next Wednesday.", True, date(2024, 5, 22)),
    ("They will meet this coming Monday.", True, date(2024, 5, 20)),
    ("Japanese and Korean ministers to meet on Sun.", True, date(2024, 5, 19)),
])
def test_weekdays_resolve_by_tense_and_modifier(sentence, planned, day):
    assert date_in(sentence, WEDNESDAY, planned=planned) == day


@pytest.mark.parametrize(("sentence", "day"), [
    ("They met on the 14th of May.", date(2024, 5, 14)),
    ("They met on 14.05.2024 in Porto.", date(2024, 5, 14)),
    ("They met on 2024-05-14 in Porto.", date(2024, 5, 14)),
    ("They met on Tuesday, 14th May in Porto.", date(2024, 5, 14)),
    ("They met on 21st October, 2022 in Porto.", date(2022, 10, 21)),
])
def test_explicit_dates_in_other_formats(sentence, day):
    assert date_in(sentence, WEDNESDAY) == day


def test_a_yearless_date_takes_the_year_its_tense_asks():
    late_in_year = Anchor(date(2024, 12, 20), published=True)
    assert date_in("They will meet on January 10.", late_in_year, planned=True) == date(2025, 1, 10)
    early_in_year = Anchor(date(2025, 1, 3), published=True)
    assert date_in("They met on December 28.", early_in_year) == date(2024, 12, 28)
    assert date_in("They met on December 28.", None) is None  # no anchor, no year


@pytest.mark.parametrize(("sentence", "shift"), [
    ("The next day, they met again.", 1),
    ("Two days later, they met again.", 2),
    ("A day earlier, they had met in Porto.", -1),
    ("The evening before, they had dinner.", -1),
    ("They met again.", None),
])
def test_day_counts_from_the_fact_told_before(sentence, shift):
    assert day_shift(sentence) == shift


@pytest.mark.parametrize(("sentence", "vague"), [
    ("They met two days ago.", False),
    ("They met several days ago.", True),
    ("They met days ago.", True),
    ("They met weeks ago.", True),
    ("They met earlier this month.", True),
    ("They will meet later this year.", True),
    ("They met in recent days.", True),
    ("They met on June 4.", False),
    ("They met a month after the vote.", False),  # a gap to another event, not a time of its own
])
def test_times_that_are_no_day(sentence, vague):
    assert vague_time(sentence) is vague
