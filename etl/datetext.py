"""Calendar dates as news pages write them: month names and the full dates (with a year).

Shared by the read stage (a page's own date in its header) and extraction (the dates of
facts), so both read "21st October, 2022", "Dec. 1, 2021", "14.05.2025" and "2025-05-14"
alike. Pure regex, no state; it imports nothing of newsgraph.
"""
from __future__ import annotations

import re
from datetime import date

MONTHS = {m: i for i, names in enumerate(
    ["jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
     "aug august", "sep sept september", "oct october", "nov november", "dec december"], start=1)
    for m in names.split()}
WEEKDAYS = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}

_MONTH_NAMES = (r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
                r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?")
ORDINAL = r"(?:st|nd|rd|th)?"
YEAR = r"(?:19|20)\d\d"


def month(group: str = "mon") -> str:
    """A month name or its abbreviation ("Sept."), captured as `group`."""
    return rf"(?P<{group}>{_MONTH_NAMES})\.?"


def month_number(name: str) -> int:
    return MONTHS[name.lower()[:3]]


def make(year: int, month_: int, day: int) -> date | None:
    """The date, or None when there is no such day (a typo, "31 June")."""
    try:
        return date(year, month_, day)
    except ValueError:
        return None


# "May 14, 2025", "Dec. 1 2021", "May 14th, 2025"
_MDY = re.compile(rf"\b{month()}\s+(?P<day>\d{{1,2}}){ORDINAL},?\s+(?P<year>{YEAR})\b")
# "14 May 2025", "14 May, 2025", "21st October, 2022", "14th of May 2025"
_DMY = re.compile(rf"\b(?P<day>\d{{1,2}}){ORDINAL}(?:\s+of)?\s+{month()},?\s+(?P<year>{YEAR})\b")
# "2025-05-14" (also inside "2025-05-14T10:32Z"), "2025/05/14"
_ISO = re.compile(rf"(?<![\w/.-])(?P<year>{YEAR})([-/])(?P<month>\d{{1,2}})\2(?P<day>\d{{1,2}})(?![\d/]|[-.]\d)")
# "14.05.2025" (day first, as European sites print it), "14/05/2025", "5/14/2025", "14-02-2023"
_NUMERIC = re.compile(rf"(?<![\w/.-])(?P<a>\d{{1,2}})([./-])(?P<b>\d{{1,2}})\2(?P<year>{YEAR})(?![\d/-])")


_DIGIT = re.compile(r"\d")


def full_dates(text: str) -> list[tuple[int, int, date]]:
    """(start, end, day) of every full date with a year in the text, in order of place.

    Slashed and dashed numbers are read only when the order of day and month is plain (a part
    above 12): "05/06/2025" is 5 June in London and May 6 in Washington. Dotted numbers are day
    first.
    """
    out: list[tuple[int, int, date]] = []
    if not _DIGIT.search(text):  # most sentences: four scans saved
        return out
    for rx in (_MDY, _DMY):
        for m in rx.finditer(text):
            if d := make(int(m["year"]), month_number(m["mon"]), int(m["day"])):
                out.append((m.start(), m.end(), d))
    for m in _ISO.finditer(text):
        if d := make(int(m["year"]), int(m["month"]), int(m["day"])):
            out.append((m.start(), m.end(), d))
    for m in _NUMERIC.finditer(text):
        a, b = int(m["a"]), int(m["b"])
        if m.group(2) in "/-" and a <= 12 and b <= 12 and a != b:
            continue
        day, mon = (b, a) if m.group(2) in "/-" and b > 12 else (a, b)
        if d := make(int(m["year"]), mon, day):
            out.append((m.start(), m.end(), d))
    return sorted(out, key=lambda x: x[0])
