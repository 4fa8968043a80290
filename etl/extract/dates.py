"""Dates written in news text, resolved against an anchor date.

Two kinds of anchor:
- the publication date (Article.published): a weekday in a past-tense fact is the
  latest such day on or before it; in a planned fact, the next on or after it.
- an inferred anchor when the page gives no publication date: the latest full
  explicit date in the text ("Dec. 1, 2021" in a photo caption). The article was
  written on or after it, so a weekday is the first such day on or after it. It is
  used only to resolve weekday names and year-less dates, never as a fact's date.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {m: i for i, names in enumerate(
    ["jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
     "aug august", "sep sept september", "oct october", "nov november", "dec december"], start=1)
    for m in names.split()}
WEEKDAYS = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}

_MON = r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_MONTH_DAY = re.compile(rf"\b{_MON}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?")
_DAY_MONTH = re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON}\b(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?")
_DOTTED = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.((?:19|20)\d\d)\b")  # day.month.year, as European sites write it
_WEEKDAY = re.compile(r"\b(?:(?P<mod>this|next|last|on|early|late)\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_WEEKDAY_DATE = re.compile(  # "Friday, May 30", "Sunday (December 7)", "Wednesday, 4 September"
    r"\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s*\(?\s*"
    rf"(?:{_MON}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON.replace('mon>', 'mon2>')})"
    r"\b(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?")
_RELATIVE = re.compile(r"\b(?P<rel>today|yesterday|tomorrow)\b", re.I)


@dataclass(frozen=True)
class Anchor:
    day: date
    published: bool  # True: the publication date; False: inferred lower bound


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def explicit_dates(text: str) -> list[date]:
    """Every full date with a year ("Dec. 1, 2021", "14 May, 2024", "15.07.2024")."""
    out = [d for m in _DOTTED.finditer(text)
           if (d := _make(int(m.group(3)), int(m.group(2)), int(m.group(1))))]
    for rx in (_MONTH_DAY, _DAY_MONTH):
        for m in rx.finditer(text):
            if m.group("year"):
                d = _make(int(m.group("year")), MONTHS[m.group("mon").lower()[:3]], int(m.group("day")))
                if d:
                    out.append(d)
    return out


def anchor_for(published: date | None, text: str) -> Anchor | None:
    if published:
        return Anchor(published, True)
    found = explicit_dates(text)
    return Anchor(max(found), False) if found else None


def _weekday(wd: int, anchor: Anchor, planned: bool, mod: str | None) -> date:
    day = anchor.day
    forward = mod == "next" or (mod != "last" and (planned or not anchor.published))
    if forward:
        return day + timedelta(days=(wd - day.weekday()) % 7)
    return day - timedelta(days=(day.weekday() - wd) % 7)


def _month_day(month: int, day: int, year: int | None, anchor: Anchor | None,
               weekday: int | None = None) -> date | None:
    if year:
        return _make(year, month, day)
    if weekday is not None:  # "Friday, May 30": the weekday fixes the year
        return _year_of_weekday(month, day, weekday, anchor)
    if not anchor:
        return None
    d = _make(anchor.day.year, month, day)
    # a year-less date well after the anchor belongs to the previous year
    if d and anchor.published and d > anchor.day + timedelta(days=60):
        d = _make(anchor.day.year - 1, month, day)
    return d


def _year_of_weekday(month: int, day: int, weekday: int, anchor: Anchor | None) -> date | None:
    """The year in which month/day falls on that weekday: the one nearest the anchor (a year either
    side), or without an anchor the latest one not after this year, since news is read after it is
    written. A weekday that fits no such year is a typo: the date stays unresolved."""
    if anchor:
        years = [anchor.day.year, anchor.day.year - 1, anchor.day.year + 1]
    else:
        years = list(range(date.today().year, date.today().year - _WEEKDAY_CYCLE_YEARS, -1))
    for year in years:
        d = _make(year, month, day)
        if d and d.weekday() == weekday:
            return d
    return None


_WEEKDAY_CYCLE_YEARS = 12  # a month/day falls on every weekday within this many years


def _candidates(sentence: str, anchor: Anchor | None, planned: bool) -> list[tuple[int, date]]:
    """(offset, date) of every resolvable date expression in the sentence, in order."""
    out: list[tuple[int, date]] = []
    covered: list[tuple[int, int]] = []
    for m in _WEEKDAY_DATE.finditer(sentence):
        year = int(m.group("year")) if m.group("year") else None
        mon, day = m.group("mon") or m.group("mon2"), m.group("day") or m.group("day2")
        d = _month_day(MONTHS[mon.lower()[:3]], int(day), year, anchor, WEEKDAYS[m.group("wd").lower()])
        covered.append((m.start(), m.end()))
        if d:
            out.append((m.start(), d))
    for rx in (_MONTH_DAY, _DAY_MONTH):
        for m in rx.finditer(sentence):
            if any(a <= m.start() < b for a, b in covered):
                continue
            year = int(m.group("year")) if m.group("year") else None
            d = _month_day(MONTHS[m.group("mon").lower()[:3]], int(m.group("day")), year, anchor)
            covered.append((m.start(), m.end()))
            if d:
                out.append((m.start(), d))
    if anchor:
        for m in _WEEKDAY.finditer(sentence):
            if not any(a <= m.start() < b for a, b in covered):
                mod = (m.group("mod") or "").lower() or None
                out.append((m.start(), _weekday(WEEKDAYS[m.group("wd").lower()], anchor, planned, mod)))
    if anchor and anchor.published:
        for m in _RELATIVE.finditer(sentence):
            shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[m.group("rel").lower()]
            out.append((m.start(), anchor.day + timedelta(days=shift)))
    return sorted(out, key=lambda c: c[0])


def date_in(sentence: str, anchor: Anchor | None, planned: bool = False, at: int | None = None) -> date | None:
    """The date a sentence gives for its fact; None when it gives none or it can't be resolved.

    With `at` (where the fact's trigger ends), the first date after it wins, else the last one
    before it: "said on Friday he will meet X on Sunday" is a meeting on Sunday."""
    found = _candidates(sentence, anchor, planned)
    if not found:
        return None
    if at is None:
        return found[0][1]
    after = [d for pos, d in found if pos >= at]
    return after[0] if after else found[-1][1]


_VAGUE = re.compile(
    r"\b(?:(?:next|last|this|past|coming|previous|following)\s+(?:week|weekend|month|year|spring|summer|autumn|fall|winter)"
    r"|(?:later|earlier)\s+(?:this|that|in the)\s+\w+|in\s+(?:early|mid-?|late\s+)?"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\b(?!\s+\d)"
    r"|in\s+(?:19|20)\d\d|(?:weeks|months|days|years)\s+(?:ago|earlier|later|before|after))\b", re.I)


def vague_time(sentence: str) -> bool:
    """The sentence gives its fact a time that is no day ("next month", "in June", "weeks ago"):
    another sentence's day must not be lent to it."""
    return bool(_VAGUE.search(sentence))


_DAY_SHIFT = re.compile(r"\b(?:(?P<next>(?:the\s+)?(?:next|following)\s+day|a\s+day\s+later)"
                        r"|(?P<prev>the\s+(?:day|evening)\s+before|(?:a|one)\s+day\s+(?:earlier|before)))\b", re.I)


def day_shift(sentence: str) -> int | None:
    """+1 for "the next day" / "a day later", -1 for "the day before": a day counted from the
    day of the fact told just before; None when the sentence says neither."""
    m = _DAY_SHIFT.search(sentence)
    return None if not m else (1 if m.group("next") else -1)


_DATELINE_DAY_WINDOW = timedelta(days=7)


def dateline_anchor(dateline: str, anchor: Anchor | None) -> Anchor | None:
    """A wire dateline's day ("WASHINGTON, Nov 17 (AFP) -") anchors its story's weekdays and
    "yesterday" better than a publication date a day or two later; the anchor's year completes it.
    A dateline day far from the anchor is someone else's date: the anchor stays."""
    m = _MONTH_DAY.search(dateline) or _DAY_MONTH.search(dateline)
    if not m or not anchor:
        return anchor
    year = int(m.group("year")) if m.group("year") else None
    day = _month_day(MONTHS[m.group("mon").lower()[:3]], int(m.group("day")), year, anchor)
    if day is None or not timedelta(0) <= anchor.day - day <= _DATELINE_DAY_WINDOW:
        return anchor
    return Anchor(day, anchor.published)
