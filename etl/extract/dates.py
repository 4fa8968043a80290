"""Dates written in news text, resolved against an anchor date.

Two kinds of anchor:
- the publication date (Article.published), or the day of a wire dateline a few days before
  it: a weekday in a past-tense fact is the latest such day on or before it; in a planned
  fact, the next on or after it. "Yesterday", "tonight", "two days ago" count from it.
- an inferred anchor when the page gives no publication date: the latest full
  explicit date in the text ("Dec. 1, 2021" in a photo caption). The article was
  written on or after it, so a weekday is the first such day on or after it. It is
  used only to resolve weekday names and year-less dates, never as a fact's date, and
  days counted from the publication day ("yesterday") stay unresolved.

The words are data (lexicons/dates.json); the full-date grammar is etl.datetext's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from etl.datetext import ORDINAL, WEEKDAYS, YEAR, full_dates, make, month, month_number
from etl.extract.lexicon import alternation, load

_DAY = rf"(?P<day>\d{{1,2}}){ORDINAL}"
# year-less: "May 30", "30 May", "30th of May" (a year after them makes them full dates)
_MONTH_DAY = re.compile(rf"\b{month()}\s+{_DAY}\b(?:,?\s+(?P<year>{YEAR})\b)?")
_DAY_MONTH = re.compile(rf"\b{_DAY}(?:\s+of)?\s+{month()}(?:,?\s+(?P<year>{YEAR})\b)?")
_WEEKDAY_NAMES = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_WEEKDAY = re.compile(rf"\b(?P<wd>{_WEEKDAY_NAMES})\b")  # news capitalises them; a case-blind scan costs 3x
# "on Sun." in a headline: short forms only after "on", where they can be nothing else
_SHORT_WEEKDAY = re.compile(r"\b[Oo]n\s+(?P<wd>Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)\.")
_WEEKDAY_DATE = re.compile(  # "Friday, May 30", "Sunday (December 7)", "Wednesday, 4 September"
    rf"\b(?P<wd>{_WEEKDAY_NAMES}),?\s*\(?\s*"
    rf"(?:{month()}\s+(?P<day>\d{{1,2}}){ORDINAL}|(?P<day2>\d{{1,2}}){ORDINAL}(?:\s+of)?\s+{month('mon2')})"
    rf"\b(?:,?\s+(?P<year>{YEAR})\b)?")
_SHORT_WEEKDAYS = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
                   "fri": 4, "sat": 5, "sun": 6}
_DIGIT = re.compile(r"\d")
_MODIFIER_CHARS = 14  # "this coming " and a space or two
_WEEKDAY_CYCLE_YEARS = 12  # a month/day falls on every weekday within this many years
_YEAR_WINDOW = timedelta(days=60)  # a year-less date this far on the other side of the anchor is another year's


@dataclass(frozen=True)
class Anchor:
    day: date
    published: bool  # True: the publication date; False: inferred lower bound


@dataclass(frozen=True)
class Found:
    """A date expression in a sentence and the day it resolves to."""

    start: int
    end: int
    day: date


@dataclass(frozen=True)
class _Rules:
    modifier: re.Pattern
    before: frozenset[str]
    after: frozenset[str]
    relative: re.Pattern
    offsets: dict[str, int]
    ago: re.Pattern
    counts: dict[str, int]
    shift: re.Pattern
    vague: re.Pattern
    other_event: re.Pattern


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    d = load().dates
    counts = {k.lower(): v for k, v in d["counts"].items()}
    count = rf"(?P<n>{alternation(list(counts))}|\d)"
    mods = alternation(d["weekday_before"] + d["weekday_after"] + ["on", "this", "early", "late"])
    shift = {kind: "|".join(f.replace("{count}", count.replace("?P<n>", f"?P<{kind}_n>")) for f in forms)
             for kind, forms in d["day_shift"].items()}
    return _Rules(
        modifier=re.compile(rf"\b(?P<mod>{mods})\s+$", re.I),
        before=frozenset(d["weekday_before"]), after=frozenset(d["weekday_after"]),
        relative=re.compile(rf"\b(?:{alternation(list(d['relative_days']))})\b", re.I),
        offsets={k.lower(): v for k, v in d["relative_days"].items()},
        ago=re.compile(rf"\b{count}\s+days?\s+ago\b", re.I), counts=counts,
        shift=re.compile(rf"\b(?:(?P<later>{shift['later']})|(?P<earlier>{shift['earlier']}))\b", re.I),
        vague=re.compile(r"\b(?:" + "|".join(d["vague"]) + r")\b", re.I),
        other_event=re.compile(rf"\b(?:{alternation(d['other_event'])})\b", re.I),
    )


def explicit_dates(text: str) -> list[date]:
    """Every full date with a year ("Dec. 1, 2021", "14 May, 2024", "15.07.2024")."""
    return [day for _, _, day in full_dates(text)]


def anchor_for(published: date | None, text: str) -> Anchor | None:
    if published:
        return Anchor(published, True)
    found = explicit_dates(text)
    return Anchor(max(found), False) if found else None


def _weekday(wd: int, anchor: Anchor, planned: bool, mod: str | None) -> date:
    day, rules = anchor.day, _rules()
    if mod in rules.before:  # "last Friday": a Friday before the anchor's, never its own day
        return day - timedelta(days=(day.weekday() - wd - 1) % 7 + 1)
    if mod in rules.after:
        return day + timedelta(days=(wd - day.weekday() - 1) % 7 + 1)
    if planned or not anchor.published:
        return day + timedelta(days=(wd - day.weekday()) % 7)
    return day - timedelta(days=(day.weekday() - wd) % 7)


def _month_day(month_: int, day: int, year: int | None, anchor: Anchor | None, planned: bool = False,
               weekday: int | None = None) -> date | None:
    if year:
        return make(year, month_, day)
    if weekday is not None:  # "Friday, May 30": the weekday fixes the year
        return _year_of_weekday(month_, day, weekday, anchor)
    if not anchor:
        return None
    d = make(anchor.day.year, month_, day)
    if d and anchor.published:
        # a year-less date well after the anchor is last year's; well before it, a plan's next year's
        if not planned and d > anchor.day + _YEAR_WINDOW:
            d = make(anchor.day.year - 1, month_, day)
        elif planned and d < anchor.day - _YEAR_WINDOW:
            d = make(anchor.day.year + 1, month_, day)
    return d


def _year_of_weekday(month_: int, day: int, weekday: int, anchor: Anchor | None) -> date | None:
    """The year in which month/day falls on that weekday: the one nearest the anchor (a year either
    side), or without an anchor the latest one not after this year, since news is read after it is
    written. A weekday that fits no such year is a typo: the date stays unresolved."""
    if anchor:
        years = [anchor.day.year, anchor.day.year - 1, anchor.day.year + 1]
    else:
        years = list(range(date.today().year, date.today().year - _WEEKDAY_CYCLE_YEARS, -1))
    for year in years:
        d = make(year, month_, day)
        if d and d.weekday() == weekday:
            return d
    return None


def _named(sentence: str, start: int) -> bool:
    """"USA Today", "Ukraine Today": a capitalised relative word after a capitalised word is a name."""
    before = sentence[:start].split()
    return sentence[start].isupper() and bool(before) and before[-1][:1].isupper() and not before[-1].endswith((".", ":"))


def dates_in(sentence: str, anchor: Anchor | None, planned: bool = False) -> list[Found]:
    """Every resolvable date expression in the sentence, in order."""
    return list(_dates_in(sentence, anchor, planned))


@lru_cache(maxsize=256)  # a sentence with several triggers is read once
def _dates_in(sentence: str, anchor: Anchor | None, planned: bool) -> tuple[Found, ...]:
    rules = _rules()
    out: list[Found] = []
    covered: list[tuple[int, int]] = []

    def add(start: int, end: int, day: date | None) -> None:
        covered.append((start, end))
        if day:
            out.append(Found(start, end, day))

    def free(start: int) -> bool:
        return not any(a <= start < b for a, b in covered)

    numbered = bool(_DIGIT.search(sentence))  # all but weekday names and relative words have a day number
    for m in (_WEEKDAY_DATE.finditer(sentence) if numbered else ()):
        year = int(m["year"]) if m["year"] else None
        mon, day = m["mon"] or m["mon2"], m["day"] or m["day2"]
        add(m.start(), m.end(), _month_day(month_number(mon), int(day), year, anchor, planned,
                                           WEEKDAYS[m["wd"].lower()]))
    for start, end, day in full_dates(sentence):
        if free(start):
            add(start, end, day)
    for rx in ((_MONTH_DAY, _DAY_MONTH) if numbered else ()):
        for m in rx.finditer(sentence):
            if free(m.start()):
                add(m.start(), m.end(), _month_day(month_number(m["mon"]), int(m["day"]), None, anchor, planned))
    if anchor:
        for m in _WEEKDAY.finditer(sentence):
            if free(m.start()):
                # "last Friday", "this coming Monday": the words just before say which one
                mod = rules.modifier.search(sentence, max(0, m.start() - _MODIFIER_CHARS), m.start())
                start = mod.start() if mod else m.start()
                day = _weekday(WEEKDAYS[m["wd"].lower()], anchor, planned, mod["mod"].lower() if mod else None)
                add(start, m.end(), day)
        for m in _SHORT_WEEKDAY.finditer(sentence):
            if free(m.start("wd")):
                add(m.start(), m.end(), _weekday(_SHORT_WEEKDAYS[m["wd"].lower()], anchor, planned, None))
    if anchor and anchor.published:
        for m in rules.relative.finditer(sentence):
            if free(m.start()) and not _named(sentence, m.start()):
                add(m.start(), m.end(), anchor.day + timedelta(days=rules.offsets[" ".join(m[0].lower().split())]))
        for m in (rules.ago.finditer(sentence) if " ago" in sentence else ()):
            if free(m.start()):
                add(m.start(), m.end(), anchor.day - timedelta(days=_count(m["n"])))
    return tuple(sorted(out, key=lambda f: f.start))


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _rules().counts[word.lower()]


def pick(found: list[Found], at: int | None) -> date | None:
    """The fact's date among a sentence's dates. With `at` (where the fact's trigger ends), the
    first date after it wins, else the last one before it: "said on Friday he will meet X on
    Sunday" is a meeting on Sunday."""
    if not found:
        return None
    if at is None:
        return found[0].day
    after = [f.day for f in found if f.start >= at]
    return after[0] if after else found[-1].day


def date_in(sentence: str, anchor: Anchor | None, planned: bool = False, at: int | None = None) -> date | None:
    """The date a sentence gives for its fact; None when it gives none or it can't be resolved."""
    return pick(dates_in(sentence, anchor, planned), at)


def vague_time(sentence: str) -> bool:
    """The sentence gives its fact a time that is no day ("next month", "in June", "weeks ago"):
    another sentence's day must not be lent to it."""
    return bool(_rules().vague.search(sentence))


def day_shift(sentence: str) -> int | None:
    """Days counted from the day of the fact told just before: +1 for "the next day", +2 for "two
    days later", -1 for "the day before"; None when the sentence counts none."""
    m = _rules().shift.search(sentence)
    if not m:
        return None
    sign = 1 if m["later"] else -1
    n = m["later_n"] if m["later"] else m["earlier_n"]
    return sign * (_count(n) if n else 1)


def other_event_pattern() -> re.Pattern:
    """Words opening a phrase about another event ("after", "ahead of"), case-insensitive."""
    return _rules().other_event


_DATELINE_DAY_WINDOW = timedelta(days=7)


def dateline_anchor(dateline: str, anchor: Anchor | None) -> Anchor | None:
    """A wire dateline's day ("WASHINGTON, Nov 17 (AFP) -") anchors its story's weekdays and
    "yesterday" better than a publication date a day or two later; the anchor's year completes it.
    A dateline day far from the anchor is someone else's date: the anchor stays."""
    m = _MONTH_DAY.search(dateline) or _DAY_MONTH.search(dateline)
    if not m or not anchor:
        return anchor
    year = int(m["year"]) if m["year"] else None
    day = _month_day(month_number(m["mon"]), int(m["day"]), year, anchor)
    if day is None or not timedelta(0) <= anchor.day - day <= _DATELINE_DAY_WINDOW:
        return anchor
    return Anchor(day, anchor.published)

