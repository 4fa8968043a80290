"""Meetings between persons: trigger phrase + who is before it (subjects) and after it (objects)."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from etl.extract.dates import Anchor, date_in
from etl.extract.persons import NAME_TOKEN, Mention, PersonIndex, has_pronoun
from etl.extract.lexicon import load
from etl.extract.nlp import Parses
from etl.records import Meeting, MeetingStatus

_CONNECTOR = re.compile(r"^[\s,]*(?:and|as well as|along with|together with|with|plus|&)\b", re.I)
# "KYIV, Ukraine -", "KYIV, March 14 (Reuters) -", "KHARKIV, Ukraine (AP) —"
_DATELINE = re.compile(rf"^(?P<place>{NAME_TOKEN}(?:\s+{NAME_TOKEN})?)(?:,\s+{NAME_TOKEN}(?:\s+\d{{1,2}})?)?"
                       r"(?:\s+\([^()]{1,30}\))?\s+[-–—]\s")
_MAX_GAP_WORDS = 8


@dataclass(frozen=True)
class Trigger:
    start: int
    end: int
    status: MeetingStatus
    collective: bool  # "at the start of their meeting": everyone named before it took part
    between: bool = False  # "talks between A and B": everyone named right after it took part
    prepositional: bool = False  # "after meeting with A, B said": the subject may follow


@dataclass(frozen=True)
class _Rules:
    planned: re.Pattern
    held: re.Pattern
    collective: re.Pattern
    prepositional: re.Pattern
    between: re.Pattern
    planned_cues: re.Pattern
    negation: re.Pattern
    followers: re.Pattern
    topic: re.Pattern
    place: re.Pattern
    speech: re.Pattern


def _any(fragments: list[str]) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(fragments) + r")\b", re.I)


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    m = load().meetings
    return _Rules(_any(m["planned"]), _any(m["held"]), _any(m["collective"]), _any(m["prepositional"]),
                  _any(m["between"]),
                  re.compile(m["planned_cues"], re.I), re.compile(m["negations"], re.I),
                  re.compile(m["subject_only_followers"], re.I), re.compile(m["topic_cues"], re.I),
                  re.compile(rf"\b{m['place_cues']}\s+(?:the\s+)?(?P<place>{NAME_TOKEN}(?:\s+{NAME_TOKEN})?)"),
                  re.compile(r"\b(?:" + "|".join(map(re.escape, m["speech_verbs"])) + r")\b"))


def triggers(sentence: str) -> list[Trigger]:
    """Meeting triggers, planned first so "is to meet" never also counts as "meet"; negated ones dropped."""
    rules = _rules()
    found = [Trigger(m.start(), m.end(), "planned", False) for m in rules.planned.finditer(sentence)]
    for m in rules.held.finditer(sentence):
        if not any(t.start < m.end() and m.start() < t.end for t in found):
            found.append(Trigger(m.start(), m.end(), "held", bool(rules.collective.fullmatch(m.group(0))),
                                 prepositional=bool(rules.prepositional.fullmatch(m.group(0)))))
    status: MeetingStatus = "planned" if rules.planned_cues.search(sentence) else "held"
    found += [Trigger(m.start(), m.end(), status, False, True) for m in rules.between.finditer(sentence)]
    return sorted((t for t in found if not rules.negation.search(sentence, 0, t.start)), key=lambda t: t.start)


def _words(text: str) -> int:
    return len(text.split())


def _objects(sentence: str, mentions: list[Mention], trig: Trigger, stop: int) -> tuple[list[str], int]:
    """Persons right after the trigger, then those joined to them by "and" / "as well as"; and where they end."""
    out: list[str] = []
    prev_end = trig.end
    for m in mentions:
        if m.start < trig.end or m.start >= stop:
            continue
        gap = sentence[prev_end:m.start]
        if out and not _CONNECTOR.match(gap) and (_words(gap) > 3 or trig.prepositional):
            break
        if _words(gap) > _MAX_GAP_WORDS:
            break
        if m.key not in out:
            out.append(m.key)
        prev_end = m.end
    return out, prev_end


def _subjects(sentence: str, mentions: list[Mention], trig: Trigger, taken: set[str],
              last_person: str | None) -> list[str]:
    """Persons before the trigger in its clause; "X said he met" resolves "he" to X."""
    speech = [m for m in _rules().speech.finditer(sentence, 0, trig.start)]
    window = speech[-1].end() if speech else 0
    subjects = [m.key for m in mentions if window <= m.start < trig.start and m.key not in taken]
    if subjects or not has_pronoun(sentence[window:trig.start]):
        return list(dict.fromkeys(subjects))
    before = [m.key for m in mentions if m.start < window]
    speaker = before[-1] if before else last_person
    return [speaker] if speaker else []


def _place(sentence: str, trig: Trigger) -> str | None:
    lex = load()
    after = [m for m in _rules().place.finditer(sentence, trig.start)]
    before = [m for m in _rules().place.finditer(sentence, 0, trig.start)]
    for m in after + before[::-1]:
        first = m.group("place").split()[0]
        if first in lex.stopwords or first in lex.calendar or first in lex.demonyms or first.lower() in lex.titlewords:
            continue
        return m.group("place")
    return None


def dateline(sentences: tuple[str, ...]) -> str | None:
    """"Kyiv, Ukraine - ..." at the start of the first body sentences."""
    for s in sentences[:4]:
        m = _DATELINE.match(s)
        if m:
            place = m.group("place")
            return place.title() if place.isupper() else place  # "KYIV, Ukraine -" names Kyiv
    return None


def _in_sentence(sentence: str, index: PersonIndex, anchor: Anchor | None,
                 last_person: str | None) -> list[Meeting]:
    mentions = index.mentions(sentence)
    trigs = triggers(sentence)
    out: list[Meeting] = []
    taken: set[str] = set()
    for i, trig in enumerate(trigs):
        stop = trigs[i + 1].start if i + 1 < len(trigs) else len(sentence)
        groups: list[list[str]]
        if trig.collective:
            groups = [list(dict.fromkeys(m.key for m in mentions if m.start < trig.start))]
        elif trig.between:
            groups = [_objects(sentence, mentions, trig, stop)[0]]
        else:
            objects, objects_end = _objects(sentence, mentions, trig, stop)
            subjects = _subjects(sentence, mentions, trig, taken, last_person)
            if not subjects and trig.prepositional:  # "After meeting with A, B said ..."
                subjects = [m.key for m in mentions if m.start >= objects_end and m.key not in objects][:1]
            taken.update(objects)
            if objects:
                groups = [list(dict.fromkeys(subjects + [o])) for o in objects]
            else:  # "A and B met in Kyiv" but not "A and B's plan met resistance"
                groups = [subjects] if _rules().followers.match(sentence[trig.end:]) else []
        when = date_in(sentence, anchor, planned=trig.status == "planned")
        where = _place(sentence, trig)
        topics = tuple(m.group("topic").strip() for m in _rules().topic.finditer(sentence, trig.start))
        out += [Meeting(tuple(g), trig.status, sentence, when, where, topics) for g in groups if len(g) >= 2]
    return out


def _merge(meetings: list[Meeting], headline: str | None, anchor: Anchor | None) -> list[Meeting]:
    """One meeting per participant set; a held report wins over a planned one.

    Meetings told in one sentence belong to the same trip, so one lacking a date or
    place takes it from a sibling ("met X in Stockholm hours before talks with Y").
    A held meeting in a present-tense headline ("X meets Y") with no date in the
    text happened on the publication day.
    """
    merged: dict[frozenset[str], Meeting] = {}
    told_in: dict[frozenset[str], set[str]] = {}
    for m in meetings:
        key = frozenset(m.participants)
        told_in.setdefault(key, set()).add(m.evidence)
        old = merged.get(key)
        if old is None:
            merged[key] = m
            continue
        base, other = (m, old) if m.status == "held" and old.status == "planned" else (old, m)
        merged[key] = replace(base, date=base.date or other.date, place=base.place or other.place,
                              topics=tuple(dict.fromkeys(base.topics + other.topics)))
    published = anchor.day if anchor and anchor.published else None
    out = []
    for key, m in merged.items():
        siblings = [merged[k] for k in merged if k != key and told_in[k] & told_in[key]]
        when = m.date or next((s.date for s in siblings if s.date), None)
        if when is None and m.status == "held" and headline in told_in[key]:
            when = published
        where = m.place or next((s.place for s in siblings if s.place), None)
        out.append(replace(m, date=when, place=where))
    return out


def extract_meetings(sentences: tuple[str, ...], headline: str | None, index: PersonIndex,
                     anchor: Anchor | None, parses: Parses | None = None) -> list[Meeting]:
    found: list[Meeting] = []
    last_person: str | None = None
    for sentence in sentences:
        found += _in_sentence(sentence, index, anchor, last_person)
        mentions = index.mentions(sentence)
        last_person = mentions[0].key if mentions else last_person
    home = dateline(sentences)
    return [replace(m, place=m.place or home) for m in _merge(found, headline, anchor)]
