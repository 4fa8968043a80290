"""Meetings between persons: trigger phrase + who is before it (subjects) and after it (objects).

The cheap path reads participants around a trigger phrase (lexicons/meetings.json). A trigger
sentence whose objects that path cannot reach ("met separately in recent days on the
sidelines of a summit in X with A and B") is parsed, and the objects are read from the
dependency tree: the trigger's direct object and its "with"/"between" phrases, conj chains
included. Across sentences, an article keeps telling one meeting: "the two leaders" are the
participants of the meeting just told, "X also attended the meeting" and "he was accompanied
by Y" add people to it, "The visit included ... on July 8" gives it its day, and a meeting
without a date or place in its own sentence takes them from the sentence that just told the same
person's trip. A multilateral meeting is told by who chairs it and who is there ("chaired by A,
and B is also present"). A meeting's day is the one its own words give: not a day of another
event in the sentence ("ahead of the summit on Friday"), nor the day a plan was announced.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

from etl.extract.dates import (Anchor, Found, date_in, dateline_anchor, dates_in, day_shift, other_event_pattern,
                                pick, vague_time)
from etl.extract.persons import NAME_TOKEN, Mention, PersonIndex, has_pronoun
from etl.extract.lexicon import alternation, load
from etl.extract.nlp import Parses, verbal
from etl.records import Meeting, MeetingStatus

_CONNECTOR = re.compile(r"^[\s,]*(?:and|as well as|along with|together with|with|plus|&)\b", re.I)
# "KYIV, Ukraine -", "KYIV, March 14 (Reuters) -", "KHARKIV, Ukraine (AP) —", "SEOUL, Jan. 31 (Yonhap) --"
_DATELINE = re.compile(rf"^(?P<place>{NAME_TOKEN}(?:\s+{NAME_TOKEN})?)(?:,\s+{NAME_TOKEN}\.?(?:\s+\d{{1,2}})?)?"
                       r"(?:\s+\([^()]{1,30}\))?(?:\s+(?:--|[-–—])\s|(?<=\))\s+(?=[A-Z]))")
# "New Delhi: Defence Minister ..." — only a known capital or an all-caps word, not "Source:" or "Quote:"
_COLON_DATELINE = re.compile(rf"^(?P<place>{NAME_TOKEN}(?:\s+{NAME_TOKEN})?):\s")
_NEXT_WORD = re.compile(r"\s+(\w+)")
_SPACE = re.compile(r"\s*")
_PAIR = re.compile(r"\b[A-Z]\w+(?:-[A-Z]\w+)+\b")  # "the Hale-Okafor meeting"
_MAX_GAP_WORDS = 8
_POSSESSIVE = re.compile(r"['’]s?\b")
# what stands between "visited" and the person: titles and given names, "his Indian counterpart,"
_TITLE_GAP = re.compile(
    r"(?:[\s,]+(?:his|her|their|the|of|for|and|counterpart|colleague|host|(?-i:[A-Z])[\w.'’-]*))*[\s,]*")
_LEAD_WORDS = 8
# Forms that tell a meeting that happened, whatever else the sentence plans.
_PAST = re.compile(r"(?:had |has |have )?met\b|hosted|held|had\b|has had|have had|(?:after|following) ", re.I)
_EARLIER = re.compile(r"\b(?:already|previously|earlier|before that|last time)\b", re.I)
_TIMES = re.compile(r"\b(?:several|many|multiple|\d+|two|three|four|five) times\b", re.I)
_PRONOUN = re.compile(r"\b(?:he|she|his|her)\b", re.I)
_DATELINE_SENTENCES = 6  # the dateline opens the body, after a headline and photo captions
_CONTEXT_SENTENCES = 2  # how far back a meeting looks for its trip's date and place
_FOLLOW_SENTENCES = 3  # how far "the two leaders" or "X also attended the meeting" reach back
_OBJECT_DEPS = ("dobj", "pobj", "attr", "dative")
_CLAUSE_DEPS = ("relcl", "advcl", "ccomp", "parataxis", "acl")
# Capitalised words with the small words of titles and names between them: a title and given names.
_TITLE_RUN = re.compile(rf"\s*(?:(?:{NAME_TOKEN}(?:['’]s)?|of|for|the|to|and|bin|bint|ibn|al|el|de|da|van|von)\s+)*")
_WHO = re.compile(r",\s+who\b")
_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|whom|whose|which|where)\b")
_TIME_AFTER_OPENER = re.compile(r"\s+(?:\d|noon|midnight|dawn|dusk|nightfall)")  # "since 2019": a time, no event
_NEXT_CLAUSE = re.compile(r",\s*(?:and|but|while|whereas)\b|;")  # not ", where": "arrived on Monday, where she will meet"
_SUBORDINATE = re.compile(r"(?:^|,\s*)(?:who|whom|whose|which|when|while|as|because|although|though|if|once|where)\b", re.I)


@dataclass(frozen=True)
class Trigger:
    start: int
    end: int
    status: MeetingStatus
    collective: bool  # "at the start of their meeting": everyone named before it took part
    between: bool = False  # "talks between A and B": everyone named right after it took part
    prepositional: bool = False  # "after meeting with A, B said": the subject may follow
    existential: bool = False  # "there will be a meeting with A": the speaker is the subject
    joint: bool = False  # "A and B signed the agreement": the coordinated subjects met
    extending: bool = False  # "his meeting with A, and later a trilateral meeting including B"
    direct: bool = False  # "visited A": a meeting only with a person named right after it


@dataclass(frozen=True)
class _Rules:
    planned: re.Pattern
    held: re.Pattern
    collective: re.Pattern
    direct: re.Pattern
    prepositional: re.Pattern
    between: re.Pattern
    extending: re.Pattern
    joint: re.Pattern
    planned_cues: re.Pattern
    planned_after: re.Pattern
    negation: re.Pattern
    remote: re.Pattern
    followers: re.Pattern
    topic: re.Pattern
    place: re.Pattern
    speech: re.Pattern
    anaphora: re.Pattern
    attended: re.Pattern
    accompanied: re.Pattern
    meeting_place: re.Pattern
    back_reference: re.Pattern
    trip_span: re.Pattern
    chaired_by: re.Pattern
    chairs: re.Pattern
    present: re.Pattern
    other_event_re: re.Pattern
    seats: dict[str, str]
    section_labels: frozenset[str]
    building_words: frozenset[str]
    regions: frozenset[str]
    likewise: re.Pattern


def _any(fragments: list[str], fill: dict[str, str]) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(f.replace("{mods}", fill["mods"]).replace("{talks}", fill["talks"])
                                          for f in fragments) + r")\b", re.I)


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    m = load().meetings
    # as tries: tried at every "at ", "held ", "a " of every sentence, a flat list of 40 words is slow
    fill = {"mods": "(?:" + alternation(m["mods"]) + ")", "talks": alternation(m["talks_nouns"])}
    place = (rf"\b{m['place_cues']}\s+(?:the\s+{NAME_TOKEN}\s+capital,?\s+|(?P<the>the\s+))?"
             rf"(?P<place>(?:{alternation(m['long_cities'])})(?![\w-])|{NAME_TOKEN}(?:\s+{NAME_TOKEN})?)")
    return _Rules(_any(m["planned"], fill), _any(m["held"], fill), _any(m["collective"], fill),
                  _any(m["direct"], fill), _any(m["prepositional"], fill), _any(m["between"], fill), _any(m["extending"], fill),
                  re.compile(rf"\b{m['joint']}\b", re.I),
                  re.compile(m["planned_cues"], re.I), re.compile(m["planned_after"], re.I),
                  re.compile(m["negations"], re.I), re.compile(m["remote"], re.I),
                  re.compile(m["subject_only_followers"], re.I), re.compile(m["topic_cues"], re.I),
                  re.compile(place),
                  re.compile(r"\b(?:" + "|".join(map(re.escape, m["speech_verbs"])) + r")\b"),
                  re.compile(m["group_anaphora"], re.I),
                  re.compile(m["joiners"]["attended"], re.I), re.compile(m["joiners"]["accompanied"], re.I),
                  re.compile(m["meeting_place"]), re.compile(m["back_reference"], re.I),
                  re.compile(m["trip_span"], re.I), re.compile(m["gathering"]["chaired_by"], re.I),
                  re.compile(m["gathering"]["chairs"], re.I), re.compile(m["gathering"]["present"], re.I),
                  other_event_pattern(), m["seats"], frozenset(m["section_labels"]), frozenset(m["building_words"]),
                  frozenset(m["regions"]), re.compile(m["joiners"]["likewise"], re.I))


def _clause(sentence: str, start: int, end: int) -> str:
    """The stretch of the sentence between the punctuation around a trigger."""
    left = max(sentence.rfind(c, 0, start) for c in ",;:(")
    rights = [i for i in (sentence.find(c, end) for c in ",;:)") if i >= 0]
    return sentence[left + 1:min(rights) if rights else len(sentence)]


def _lead(sentence: str, start: int, end: int) -> str:
    """A noun trigger and the few words before it ("preparations were underway for his meeting with")."""
    return " ".join(sentence[:start].split()[-_LEAD_WORDS:]) + " " + sentence[start:end]


def triggers(sentence: str) -> list[Trigger]:
    """Meeting triggers, planned first so "is to meet" never also counts as "meet"; negated and
    remote ones ("held talks by phone") dropped."""
    rules = _rules()
    found = [Trigger(m.start(), m.end(), "planned", False, existential=m.group(0).lower().startswith("there"))
             for m in rules.planned.finditer(sentence)]
    for m in rules.held.finditer(sentence):
        if not any(t.start < m.end() and m.start() < t.end for t in found):
            status: MeetingStatus = "held"
            if not _PAST.match(m.group(0)) and (rules.planned_cues.search(_lead(sentence, m.start(), m.end()))
                                                or rules.planned_after.search(_clause(sentence, m.end(), m.end()))):
                status = "planned"  # a noun or present form: the words around it decide
            found.append(Trigger(m.start(), m.end(), status, bool(rules.collective.fullmatch(m.group(0))),
                                 prepositional=bool(rules.prepositional.fullmatch(m.group(0))),
                                 direct=_matches_whole(rules.direct, sentence, m),
                                 existential=m.group(0).lower().startswith("there")))
    status = "planned" if rules.planned_cues.search(sentence) else "held"
    found += [Trigger(m.start(), m.end(), status, False, True) for m in rules.between.finditer(sentence)
              if not any(t.start < m.end() and m.start() < t.end for t in found)]
    found = [t for t in found if not any(t.start < m.end() and m.start() < t.end
                                         for m in rules.extending.finditer(sentence))]
    found += [Trigger(m.start(), m.end(), status, False, extending=True) for m in rules.extending.finditer(sentence)]
    found += [Trigger(m.start(), m.end(), "held", False, joint=True) for m in rules.joint.finditer(sentence)]
    return sorted((t for t in found if not rules.negation.search(sentence, 0, t.start)
                   and not rules.remote.search(_clause(sentence, t.start, t.end))), key=lambda t: t.start)


def _matches_whole(rx: re.Pattern, sentence: str, m: re.Match) -> bool:
    """Whether rx matches exactly m's text where it stands (its lookaheads see what follows)."""
    found = rx.match(sentence, m.start())
    return bool(found) and found.end() == m.end()


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
        listed = trig.between and gap.lstrip().startswith(",")  # "brought together A, B and C"
        if out and not (listed or _CONNECTOR.match(gap)) and (_words(gap) > 3 or trig.prepositional):
            break
        if _words(gap) > _MAX_GAP_WORDS:
            break
        if trig.direct and not out and not (gap.strip(" ,") and _TITLE_GAP.fullmatch(gap)):
            break  # "visited Lindholm, where A ...": a place, not a person
        if _POSSESSIVE.match(sentence, m.end):  # "met Brandt's envoy Ana Silva": the envoy, not Brandt
            prev_end = m.end
            continue
        if _rules().speech.match(sentence, _SPACE.match(sentence, m.end).end()):
            break  # "A and B held talks at the palace, minister C said": the speaker
        if m.key not in out:
            out.append(m.key)
        prev_end = m.end
    return out, prev_end


def _trigger_word(doc, trig: Trigger):
    """The trigger's last verb or noun ("met", "talks" of "held informal talks with"), or None."""
    words = [t for t in doc if trig.start <= t.idx < trig.end and (verbal(t) or t.tag_ in ("NN", "NNS"))]
    return words[-1] if words else None


def _phrase_spans(node, clauses: tuple[str, ...] = _CLAUSE_DEPS) -> list[tuple[int, int]]:
    """Character spans of a phrase's words (conj chains included), its own clauses left out."""
    skip = {s.i for t in node.subtree if t.dep_ in clauses and t.i != node.i for s in t.subtree}
    return [(t.idx, t.idx + len(t)) for t in node.subtree if t.i not in skip]


def _parsed_objects(doc, mentions: list[Mention], trig: Trigger) -> list[str]:
    """Objects from the dependency tree: persons in the subtrees of the trigger word's direct object
    and of its "with"/"between" phrases (conj chains included), relative clauses left out."""
    head = _trigger_word(doc, trig)
    if head is None:
        return []
    heads = [head] + ([head.head] if head.dep_ in _OBJECT_DEPS else [])
    if any(t.dep_ == "neg" for h in heads for t in h.children):
        return []
    args = [c for h in heads for c in h.children if c.dep_ in ("dobj", "dative") and c.i != head.i]
    # "with" may hang from a noun of the trigger's own phrases ("met on the sidelines of a summit
    # with A"): follow prep/pobj links down, never into a clause of its own
    todo = list(heads)
    while todo:
        node = todo.pop()
        for child in node.children:
            if child.dep_ == "prep" and child.lower_ in ("with", "between"):
                args += [g for g in child.children if g.dep_ == "pobj"]
            elif child.dep_ in ("prep", "pobj"):
                todo.append(child)
    spans = [span for arg in args for span in _phrase_spans(arg)]
    return list(dict.fromkeys(m.key for m in mentions if any(a <= m.start < b for a, b in spans)))


def _parsed_subjects(doc, mentions: list[Mention], trig: Trigger, keys: list[str]) -> list[str]:
    """Of the persons named before the trigger, those in the subject of its verb (conj chains and
    "a delegation led by A and B" included, relative clauses not): "A, whom B criticised, met C"."""
    verb = _trigger_word(doc, trig)
    if verb is None:
        return keys
    while not verbal(verb) and verb.head.i != verb.i:
        verb = verb.head
    spans = []
    # "is to meet", "plans to meet": the subject hangs from the verb that governs the infinitive
    for head in [verb] + ([verb.head] if verb.dep_ in ("xcomp", "conj") else []):
        for subj in (c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")):
            spans += _phrase_spans(subj, tuple(d for d in _CLAUSE_DEPS if d != "acl"))
        if spans:
            break
    found = [m.key for m in mentions if m.key in keys and any(a <= m.start < b for a, b in spans)]
    return list(dict.fromkeys(found)) or keys  # a parse that finds none is no reason to drop them


def _own_dates(sentence: str, found: list[Found], start: int, end: int, planned: bool,
               parses: Parses | None) -> list[Found]:
    """Of a sentence's dates, those of the fact told at sentence[start:end]: not a date inside a
    phrase about another event ("A met B ahead of the summit on Friday", "after the strike on
    Monday, A met B") or in a clause of its own ("A, who arrived on Monday, met B"; "A met B, who
    arrived on Monday"), nor for a plan the day it was announced ("A said on Friday he will meet B").
    The words around a date tell most of it. A date that would count, before the fact's words
    and after a word that may open a clause ("A, who ... on Monday, met B"), is checked on the
    parse (parsed only then): only the tree tells a clause of its own from the main one.
    """
    kept = [f for f in found if not _elsewhere(sentence, f, end, planned)]
    if parses is None or any(f.start >= end for f in kept) or not any(
            f.start < start and _SUBORDINATE.search(sentence, 0, f.start) for f in kept):
        return kept
    doc = parses.structure(sentence)
    words = [t for t in doc if start <= t.idx < end and (verbal(t) or t.tag_.startswith("NN"))]
    if not words:
        return kept
    fact = words[-1]
    chain = {t.i for t in [fact, *fact.ancestors]}
    out = []
    for f in kept:
        inside = [t for t in doc if f.start <= t.idx < f.end]
        if f.start >= start or not inside:
            out.append(f)
            continue
        # from the date's own head word up to the first word the fact's word also hangs from
        path = [next((t for t in inside if not f.start <= t.head.idx < f.end), inside[0])]
        while path[-1].i not in chain and path[-1].head.i != path[-1].i:
            path.append(path[-1].head)
        if path[-1].i not in chain or not any(
                t.dep_ in _CLAUSE_DEPS or _rules().other_event_re.match(sentence, t.idx) for t in path[:-1]):
            out.append(f)
    return out


def _elsewhere(sentence: str, f: Found, end: int, planned: bool) -> bool:
    """The words before a date make it another event's: an "after"/"ahead of" phrase or a relative
    clause opened since the fact's words (or the sentence start) with no comma closing it; for a
    plan, a speech verb just before ("said on Friday") or a clause of its own ("A spoke to B on
    Monday, and both agreed to meet")."""
    since = end if f.start >= end else 0
    between = sentence[since:f.start]
    if _RELATIVE_CLAUSE.search(between) and since:
        return True
    opener = [o for o in _rules().other_event_re.finditer(between) if not _TIME_AFTER_OPENER.match(between, o.end())]
    if opener and not re.search(r"[,;]", between[opener[-1].start():]):
        return True
    if not planned:
        return False
    if f.start < end and _NEXT_CLAUSE.search(sentence, f.end, end):  # "spoke on Monday, and both agreed to meet"
        return True
    said = list(_rules().speech.finditer(sentence, 0, f.start))  # "..., her office said on Tuesday"
    return bool(said) and _words(sentence[said[-1].end():f.start]) <= 2


def _subjects(sentence: str, mentions: list[Mention], trig: Trigger, taken: set[str],
              last_person: str | None, last_group: tuple[str, ...]) -> list[str]:
    """Persons before the trigger in its clause; "X said he met" resolves "he" to X, and
    "the two leaders" to the two persons just named in the sentence ("a call between A and B,
    where both sides indicated plans for a summit") or else to the meeting told just before."""
    speech = [m for m in _rules().speech.finditer(sentence, 0, trig.start)]
    window = speech[-1].end() if speech else 0
    group = list(_rules().anaphora.finditer(sentence, window, trig.start))
    if group and not any(group[-1].end() <= m.start < trig.start for m in mentions):
        pair = list(dict.fromkeys(m.key for m in reversed(mentions) if m.start < group[-1].start()))[:2]
        if len(pair) == 2:
            return pair[::-1]
    # "B, who also held talks with C": the relative clause's subject is the person it follows
    who = list(_WHO.finditer(sentence, window, trig.start))
    if who and not any(who[-1].end() <= m.start < trig.start for m in mentions):
        antecedent = [m.key for m in mentions if window <= m.start < who[-1].start() and m.key not in taken]
        if antecedent:
            return antecedent[-1:]
    subjects = [m.key for m in mentions if window <= m.start < trig.start and m.key not in taken]
    if subjects:
        return list(dict.fromkeys(subjects))
    if last_group and _rules().anaphora.search(sentence, window, trig.start):
        return list(last_group)
    if trig.existential or _PRONOUN.search(sentence, window, trig.end):
        speaker = _speaker(mentions, window) or last_person
        return [speaker] if speaker else []
    return []


def _speaker(mentions: list[Mention], window: int) -> str | None:
    """The last person named before the speech verb that opens the trigger's clause."""
    before = [m.key for m in mentions if m.start < window]
    return before[-1] if before else None


def _joint_subjects(sentence: str, mentions: list[Mention], trig: Trigger) -> list[str]:
    """"A and President B signed": the persons coordinated right before the verb."""
    out: list[str] = []
    end = trig.start
    for m in reversed([m for m in mentions if m.end <= trig.start]):
        gap = sentence[m.end:end]
        joiner = list(re.finditer(r"\band\b|,", gap))
        if out and not joiner:
            break
        # "A and Qatar's Minister of State for Defence Affairs B signed": the next one's title is
        # no gap, however long
        if _words(gap) > 4 and not (joiner and _words(gap[:joiner[-1].start()]) <= 1
                                    and _TITLE_RUN.fullmatch(gap[joiner[-1].end():])):
            break
        out.insert(0, m.key)
        end = m.start
    return list(dict.fromkeys(out))


def _city(raw: str, the: bool) -> str:
    """The city a place phrase names: a seat of government resolves to its city; a country, an
    institution or a building names no city ("")."""
    lex, rules = load(), _rules()
    first = raw.split()[0]
    for form in (raw, first):
        if form in rules.seats:
            return rules.seats[form]
    if raw in lex.capitals:
        return raw
    if raw in lex.countries or first in lex.countries or raw in rules.regions or first in rules.regions \
            or the or rules.building_words & set(raw.split()):
        return ""
    return raw


def _place(sentence: str, trig: Trigger | None) -> str | None:
    """The city of the meeting; "" when the sentence gives only a country or a building."""
    lex = load()
    at = trig.start if trig else 0
    after = [m for m in _rules().place.finditer(sentence, at)]
    before = [m for m in _rules().place.finditer(sentence, 0, at)]
    # "at Al Husseiniya Palace": a name that runs on into a building word is that building's
    buildings = _rules().building_words
    cities = ["" if _next_word(sentence, m.end()) in buildings else _city(m.group("place"), bool(m.group("the")))
              for m in after + before[::-1]
              if (first := m.group("place").split()[0]) not in lex.stopwords and first not in lex.calendar
              and first not in lex.demonyms and first.lower() not in lex.titlewords]
    # "at the truce village of X": when nothing else names a city
    cities += [_city(m.group("place"), False) for m in _place_of().finditer(sentence)]
    # a city anywhere beats a country or building nearer the trigger ("arrived in Kyiv and met X,
    # his first trip to Ukraine")
    return next((c for c in cities if c), "" if cities else None)


@lru_cache(maxsize=1)
def _place_of() -> re.Pattern:
    return re.compile(rf"\b(?:{alternation(load().names['place_nouns'])}) of (?P<place>{NAME_TOKEN}(?:\s+{NAME_TOKEN})?)")


def _next_word(sentence: str, at: int) -> str:
    m = _NEXT_WORD.match(sentence, at)
    return m.group(1) if m else ""


def _dateline_match(sentences: tuple[str, ...]) -> re.Match | None:
    """"Kyiv, Ukraine - ..." or "New Delhi: ..." at the start of the first body sentences."""
    for s in sentences[:_DATELINE_SENTENCES]:
        m = _DATELINE.match(s)
        colon = _COLON_DATELINE.match(s)
        if not m and colon and (colon.group("place") in load().capitals or colon.group("place").isupper()):
            m = colon
        if m:
            return m
    return None


_CAPS_LINE = re.compile(  # "NEW DELHI", "YOKOSUKA, Japan —"
    r"(?P<place>[A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]+){0,2})(?:,\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)?\s*[-–—:]?")


def _line_dateline(page: str | None, lead: str | None) -> str | None:
    """"NEW DELHI" alone on the line before the lead: a wire dateline the page printed apart."""
    if not page or not lead:
        return None
    lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
    at = next((i for i, ln in enumerate(lines) if ln.startswith(lead[:40])), 0)
    m = _CAPS_LINE.fullmatch(lines[at - 1]) if at else None
    if not m or m["place"] in _rules().section_labels:
        return None
    return _city(m["place"].title(), False) or None


def dateline(sentences: tuple[str, ...]) -> str | None:
    """The dateline's city: "KYIV, Ukraine -" names Kyiv."""
    m = _dateline_match(sentences)
    if not m:
        return None
    place = m.group("place")
    return place.title() if place.isupper() else place


def _headline_place(headline: str | None) -> str | None:
    """"Rammstein opened in Brussels": the headline's city, when it names one."""
    return _place(headline, None) or None if headline else None


@dataclass
class _Gathering:
    """A multilateral meeting being told: who chairs it, who else is there."""

    people: list[str]
    evidence: str
    status: MeetingStatus
    when: date | None = None
    where: str | None = None
    since: int = 0  # sentences since it last grew

    def meeting(self) -> Meeting | None:
        return Meeting(tuple(self.people), self.status, self.evidence, self.when, self.where, ()) \
            if len(self.people) > 1 else None


@dataclass
class _Story:
    """What the article has told so far: the last person named, the meetings, recent sentences."""

    anchor: Anchor | None
    last_person: str | None = None
    found: list[Meeting] = field(default_factory=list)
    # (sentence, persons named) of the latest sentences that told no meeting of their own: a
    # meeting's sentence keeps its date and place for that meeting
    recent: list[tuple[str, set[str]]] = field(default_factory=list)
    since_told: int = 0  # sentences since the last meeting was told
    gatherings: list[_Gathering] = field(default_factory=list)

    @property
    def last_group(self) -> tuple[str, ...]:
        """Who met in the meeting told just before, if it was told recently enough to be meant."""
        return self.found[-1].participants if self.found and self.since_told <= _FOLLOW_SENTENCES else ()

    def context(self, participants: tuple[str, ...]) -> tuple:
        """Date and place of the latest recent sentence about one of the participants."""
        for sentence, keys in reversed(self.recent[-_CONTEXT_SENTENCES:]):
            if keys & set(participants):
                return date_in(sentence, self.anchor), _place(sentence, None) or None  # a city only
        return None, None


def _groups(sentence: str, mentions: list[Mention], trig: Trigger, stop: int, taken: set[str],
            story: _Story, parses: Parses | None, told: list[Meeting]) -> list[list[str]]:
    if trig.collective:
        before = list(dict.fromkeys(m.key for m in mentions if m.start < trig.start))
        if not before and story.last_group and _rules().anaphora.search(sentence, 0, trig.start):
            before = list(story.last_group)
        return [before]
    if trig.joint:
        return [_joint_subjects(sentence, mentions, trig)]
    objects, objects_end = _objects(sentence, mentions, trig, stop)
    # parse only when a person follows the trigger that the cheap path could not reach
    if not objects and not trig.direct and parses is not None and any(trig.end <= m.start < stop for m in mentions):
        objects = [k for k in _parsed_objects(parses.structure(sentence), mentions, trig)]
    if trig.between:
        return [objects]
    if trig.extending:
        return [list(dict.fromkeys(told[-1].participants + tuple(objects)))] if told and objects else []
    subjects = _subjects(sentence, mentions, trig, taken | set(objects), story.last_person, story.last_group)
    if len(subjects) > 1 and parses is not None and not trig.prepositional:  # which of them is the subject?
        subjects = _parsed_subjects(parses.structure(sentence), mentions, trig, subjects)
    if not subjects and trig.prepositional and _words(sentence[:trig.start]) <= 3:  # "After meeting with A, B said"
        subjects = [m.key for m in mentions if m.start >= objects_end and m.key not in objects][:1]
    if not subjects and trig.prepositional:  # "A told reporters after meeting B"
        speech = list(_rules().speech.finditer(sentence, 0, trig.start))
        speaker = _speaker(mentions, speech[-1].end()) if speech else None
        subjects = [speaker] if speaker and speaker not in objects else []
    taken.update(objects)
    if len(subjects) > 1 and len(objects) > 1:  # "A and B met C and D": one meeting of four
        return [list(dict.fromkeys(subjects + objects))]
    if objects:  # "A met B and C": a meeting with each
        return [list(dict.fromkeys(subjects + [o])) for o in objects]
    # "A and B met in Kyiv" but not "A and B's plan met resistance"
    return [subjects] if _rules().followers.match(sentence[trig.end:]) else []


def _names(sentence: str, mentions: list[Mention]) -> list[Mention]:
    """One mention per written name: "De Croo" or "Kurbanov Bakhodir Nizamovich" may match a
    person at each word; the last word (the surname) names them."""
    out: list[Mention] = []
    for m in mentions:
        if out and not sentence[out[-1].end:m.start].strip():
            out[-1] = Mention(out[-1].start, m.end, m.key)
        else:
            out.append(m)
    return out


def _in_sentence(sentence: str, index: PersonIndex, story: _Story, parses: Parses | None) -> list[Meeting]:
    mentions = _names(sentence, index.mentions(sentence))
    trigs = triggers(sentence)
    out: list[Meeting] = []
    taken: set[str] = set()
    for i, trig in enumerate(trigs):
        stop = trigs[i + 1].start if i + 1 < len(trigs) else len(sentence)
        groups = _groups(sentence, mentions, trig, stop, taken, story, parses, out)
        planned = trig.status == "planned"
        found = dates_in(sentence, story.anchor, planned)
        own = _own_dates(sentence, found, trig.start, trig.end, planned, parses)
        when = pick(own, trig.start)  # a date inside the trigger counts: "will travel to Oslo on Friday for talks with"
        shift = day_shift(sentence) if when is None else None
        # "The next day, A met C": counted from the latest meeting told with a day
        last_day = next((m.date for m in reversed(story.found) if m.date), None) if shift is not None else None
        if last_day:
            when = last_day + timedelta(days=shift)
        where = _place(sentence, trig)
        topics = tuple(m.group("topic").strip() for m in _rules().topic.finditer(sentence, trig.start))
        for g in groups:
            if len(g) < 2:
                continue
            c_when, c_where = story.context(tuple(g)) if when is None or where is None else (None, None)
            # no other sentence's day for a meeting dated vaguely, by another event, or within a trip
            c_when = None if vague_time(sentence) or found or _rules().trip_span.search(sentence) else c_when
            out.append(Meeting(tuple(g), trig.status, sentence, when or c_when,
                               where if where is not None else c_where, topics))
    return out


def _joins(sentence: str, index: PersonIndex, story: _Story, parses: Parses | None) -> None:
    """"X also attended the meeting", "He was accompanied by Y": more people at the last meeting;
    "The meeting took place in Washington": its place; "The visit included a handshake between
    the two leaders on July 8": its day."""
    if not story.last_group:
        return
    rules = _rules()
    last = story.found[-1]
    mentions = index.mentions(sentence)
    more: list[str] = []
    attended = rules.attended.search(sentence)
    accompanied = rules.accompanied.search(sentence)
    if attended:
        more = [m.key for m in mentions if m.start < attended.start()]
        likewise = rules.likewise.search(sentence, attended.end())  # "..., as did Y"
        more += [m.key for m in mentions if likewise and m.start >= likewise.end()]
    elif accompanied:
        more = _companions(sentence, mentions, story, accompanied)
    at = _named_meeting(attended.group(0), index, story) if attended else len(story.found) - 1
    more = [k for k in dict.fromkeys(more) if k not in story.found[at].participants]
    if more:
        story.found[at] = replace(story.found[at], participants=story.found[at].participants + tuple(more))
    placed = rules.meeting_place.match(sentence)
    if placed and last.place in (None, ""):
        where = _place(sentence[placed.start():], None)
        if where:
            story.found[-1] = replace(story.found[-1], place=where)
    ref = None if last.date else rules.back_reference.search(sentence) or rules.anaphora.search(sentence)
    if ref and not vague_time(sentence):
        planned = last.status == "planned"
        found = dates_in(sentence, story.anchor, planned)
        when = pick(_own_dates(sentence, found, ref.start(), ref.end(), planned, parses), ref.end())
        if when and _fits(when, planned, story.anchor):
            story.found[-1] = replace(story.found[-1], date=when)


def _named_meeting(phrase: str, index: PersonIndex, story: _Story) -> int:
    """The meeting "the Hale-Okafor meeting" names: the latest of those people, else the last one."""
    names = [w for m in _PAIR.finditer(phrase) for w in m.group(0).split("-")]
    keys = {k.key for k in index.mentions(" ".join(names))}
    last = len(story.found) - 1
    if len(keys) < 2:
        return last
    return next((i for i in range(last, -1, -1) if keys <= set(story.found[i].participants)), last)


def _companions(sentence: str, mentions: list[Mention], story: _Story, accompanied: re.Match) -> list[str]:
    """"He was accompanied by Y": Y joins the last meeting when "he" took part in it; a relative
    clause after Y ("Y, who also met Z") tells a meeting of its own, not more companions."""
    before = [m.key for m in mentions if m.start < accompanied.start()]
    who = before or ([story.last_person] if has_pronoun(sentence[:accompanied.start()]) else [])
    if not story.found or not set(who) & set(story.found[-1].participants):
        return []
    clause = _RELATIVE_CLAUSE.search(sentence, accompanied.end())
    stop = clause.start() if clause else len(sentence)
    return [m.key for m in mentions if accompanied.end() <= m.start < stop]


def _fits(day, planned: bool, anchor: Anchor | None) -> bool:
    """A held meeting's day is not after the publication day, a planned one's not before it."""
    if anchor is None or not anchor.published:
        return True
    return day >= anchor.day if planned else day <= anchor.day


def _gather(sentence: str, index: PersonIndex, story: _Story) -> bool:
    """"The meeting was chaired by A, and B is also present", "C has also arrived at the summit":
    a multilateral meeting grows by who chairs it and who is there. True when the sentence told
    the latest gathering someone, so it adds no one to a two-person meeting told before it."""
    rules = _rules()
    for g in story.gatherings:
        g.since += 1
    by = rules.chaired_by.search(sentence)
    chairs = None if by else rules.chairs.search(sentence)
    present = list(rules.present.finditer(sentence))
    if not (by or chairs or present):
        return False
    mentions = _names(sentence, index.mentions(sentence))
    chair = ([m.key for m in mentions if m.start >= by.end()][:1] if by
             else [m.key for m in mentions if m.end <= chairs.start()][-1:] if chairs else [])
    here = list(dict.fromkeys(chair + [ms[-1] for p in present
                                       if (ms := [m.key for m in mentions if m.end <= p.start()])]))
    last = story.gatherings[-1] if story.gatherings else None
    if chair and (last is None or last.since > _FOLLOW_SENTENCES or not set(chair) & set(last.people)):
        status: MeetingStatus = "planned" if rules.planned_cues.search(_clause(sentence, *(by or chairs).span())) else "held"
        last = _Gathering([], sentence, status)
        story.gatherings.append(last)
    if not here or last is None or last.since > _FOLLOW_SENTENCES:
        return False
    last.people += [k for k in here if k not in last.people]
    last.since = 0
    last.when = last.when or date_in(sentence, story.anchor, planned=last.status == "planned")
    # "The meeting of the group has begun in Oslo. The meeting was chaired by A": the sentence before may place it
    before = story.recent[-1][0] if story.recent and last.evidence == sentence else None
    last.where = last.where or _place(sentence, None) or (before and _place(before, None)) or None
    return True


def _merge(meetings: list[Meeting], headline: str | None, lead: str | None, anchor: Anchor | None) -> list[Meeting]:
    """One meeting per participant set; a held report takes in a planned one of the same people
    unless the planned one is dated after the article's day or placed elsewhere (a second meeting).

    A headline's meeting of some of the people of a meeting the body tells is that meeting.
    Meetings told in one sentence belong to the same trip, so one lacking a date or
    place takes it from a sibling ("met X in Stockholm hours before talks with Y").
    A held meeting in a present-tense headline ("X meets Y") or in the lead ("X met Y in
    Kyiv") with no date in the text happened on the publication day: that is the news, unless
    the lead tells it as earlier ("have met several times", "in June").
    """
    published = anchor.day if anchor and anchor.published else None
    # a day the lead dates another event by ("the summit, which opened on Monday") is no news of the day
    news = {s for s in (headline, lead)
            if s and not (_EARLIER.search(s) or _TIMES.search(s) or vague_time(s) or dates_in(s, anchor))}
    merged: dict[tuple[frozenset[str], str], Meeting] = {}
    told_in: dict[tuple[frozenset[str], str], set[str]] = {}

    def apart(people: frozenset[str]) -> bool:
        """Held and planned reports of these people are two meetings: the held one is told as
        earlier ("have already held talks", "In June, A met B"), the planned one is dated after
        the article's day, or the two are placed in different cities."""
        held = [m for m in meetings if m.status == "held" and frozenset(m.participants) == people]
        planned = [m for m in meetings if m.status == "planned" and frozenset(m.participants) == people]
        if not held or not planned:
            return False
        places = {m.place for m in held + planned if m.place is not None}
        return (any(_EARLIER.search(m.evidence) or vague_time(m.evidence) for m in held) or len(places) > 1
                or any(m.date is not None and published is not None and m.date > published for m in planned))

    # "A meets B" in the headline is the meeting the body tells with more people ("C was also present")
    meetings = [m for m in meetings if not (headline and m.evidence == headline and any(
        o.status == m.status and o.evidence != headline and set(m.participants) < set(o.participants)
        for o in meetings))]
    # "A told B at the start of the meeting", after "A and C held talks with B": some of the people
    # of a meeting told before, referring back to it with no day of its own, are that meeting
    back = _rules().back_reference
    meetings = [m for i, m in enumerate(meetings) if not (m.date is None and back.search(m.evidence) and any(
        o.status == m.status and o.evidence != m.evidence and set(m.participants) < set(o.participants)
        for o in meetings[:i]))]
    split = {people for people in {frozenset(m.participants) for m in meetings} if apart(people)}
    for m in meetings:
        people = frozenset(m.participants)
        key = (people, m.status if people in split else "any")
        told_in.setdefault(key, set()).add(m.evidence)
        old = merged.get(key)
        if old is None:
            merged[key] = m
            continue
        base, other = (m, old) if m.status == "held" and old.status == "planned" else (old, m)
        merged[key] = replace(base, date=base.date or other.date,
                              place=base.place if base.place is not None else other.place,
                              topics=tuple(dict.fromkeys(base.topics + other.topics)))
    out = []
    for key, m in merged.items():
        siblings = [merged[k] for k in merged if k != key and told_in[k] & told_in[key]]
        when = m.date or next((s.date for s in siblings if s.date), None)
        if when is None and m.status == "held" and told_in[key] & news:
            when = published
        where = m.place if m.place is not None else next((s.place for s in siblings if s.place), None)
        out.append(replace(m, date=when, place=where))
    return out


def extract_meetings(sentences: tuple[str, ...], headline: str | None, index: PersonIndex,
                     anchor: Anchor | None, parses: Parses | None = None, page: str | None = None) -> list[Meeting]:
    """The article's meetings; `page` (its text as read) shows a dateline printed on a line of its own."""
    line = _dateline_match(sentences)
    story = _Story(dateline_anchor(line.group(0), anchor) if line else anchor)
    first = story.anchor
    for sentence in sentences:
        # a later paragraph's own wire dateline ("PARIS, May 15 (AFP) -") anchors its weekdays
        later = None if line and sentence == line.string else _DATELINE.match(sentence)
        if later and (day := dateline_anchor(later.group(0), anchor)) != anchor:
            story.anchor = day
        found = _in_sentence(sentence, index, story, parses)
        if found:
            # "A was accompanied by B, who also met C": B joins the last meeting, then C's is told
            accompanied = _rules().accompanied.search(sentence)
            told_after = accompanied and _RELATIVE_CLAUSE.search(sentence, accompanied.end())
            more = _companions(sentence, index.mentions(sentence), story, accompanied) if told_after else []
            if more := [k for k in dict.fromkeys(more) if k not in story.found[-1].participants]:
                story.found[-1] = replace(story.found[-1], participants=story.found[-1].participants + tuple(more))
            story.found += found
            story.since_told = 0
        else:
            story.since_told += 1
            if not _gather(sentence, index, story):
                _joins(sentence, index, story, parses)
        mentions = index.mentions(sentence)
        story.recent.append((sentence, set() if found else {m.key for m in mentions}))
        story.last_person = mentions[0].key if mentions else story.last_person
    told = story.found + [m for g in story.gatherings if (m := g.meeting())]
    lead = _first_body_sentence(sentences, headline)
    home = dateline(sentences) or _line_dateline(page, lead) or _headline_place(headline)
    return [replace(m, place=(m.place if m.place is not None else home) or None)
            for m in _merge(told, headline, lead, first)]


def _first_body_sentence(sentences: tuple[str, ...], headline: str | None) -> str | None:
    """The first sentence of the body: it tells the news of the day."""
    return next((s for s in sentences if s != headline), None)
