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


def _month_day(month: int, day: int, year: int | None, anchor: Anchor | None) -> date | None:
    if year:
        return _make(year, month, day)
    if not anchor:
        return None
    d = _make(anchor.day.year, month, day)
    # a year-less date well after the anchor belongs to the previous year
    if d and anchor.published and d > anchor.day + timedelta(days=60):
        d = _make(anchor.day.year - 1, month, day)
    return d


def date_in(sentence: str, anchor: Anchor | None, planned: bool = False) -> date | None:
    """The date a sentence gives for its fact; None when it gives none or it can't be resolved."""
    for rx in (_MONTH_DAY, _DAY_MONTH):
        m = rx.search(sentence)
        if m:
            year = int(m.group("year")) if m.group("year") else None
            return _month_day(MONTHS[m.group("mon").lower()[:3]], int(m.group("day")), year, anchor)
    if not anchor:
        return None
    m = _WEEKDAY.search(sentence)
    if m:
        mod = (m.group("mod") or "").lower() or None
        return _weekday(WEEKDAYS[m.group("wd").lower()], anchor, planned, mod)
    m = _RELATIVE.search(sentence)
    if m and anchor.published:
        shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[m.group("rel").lower()]
        return anchor.day + timedelta(days=shift)
    return None
