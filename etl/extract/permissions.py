"""Permissions to use weapons: who lets whom use what, where, with status granted/restricted/refused.

Three trigger families (etl/extract/lexicons/permissions.json):
- grantor first: "<grantor> authorized Ukraine to strike ...", "<A, B and C> gave permission ...";
  the grantor is the person or countries in the clause before the trigger.
- speaker: "<speaker> said that Ukraine has the right to use ..."; the grantor is the speaker.
- grantor after: "Ukraine has been given permission by <grantor> to ..."; the grantor follows.
Advocacy and hypotheticals ("called on ... to allow", "should allow", "may not allow") are skipped.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from etl.extract.dates import Anchor, date_in
from etl.extract.persons import PersonIndex, has_pronoun
from etl.extract.weapons import weapons_in
from etl.extract.lexicon import alternation, country_of, load
from etl.extract.nlp import Parses
from etl.records import Country, Permission, PermissionStatus

# A parenthetical ", however," does not start a new clause: "France, however, has not allowed ..."
_CLAUSE_START = re.compile(r"\bthat\b|;|:|\bbut\b|\bwhile\b|\bwhereas\b|\bhowever\b(?!,)", re.I)
_NEGATED: dict[PermissionStatus, PermissionStatus] = {"granted": "refused", "restricted": "granted"}
_ACTION = re.compile(r"\bto\s+((?:use|strike|hit|fire|attack|launch|target|retaliate)\b[^,;.\"”]*)")
_LIST_GAP = re.compile(r"^\s*,?\s*(?:and\s+|or\s+)?(?:the\s+)?$")
_TARGET_WORD = re.compile(r"(?:\b(?:in|inside|into|on|against|at|strike|hit|of|targets|deep)\s+(?:the\s+)?)$")


@dataclass(frozen=True)
class _Trigger:
    start: int
    end: int
    status: PermissionStatus
    family: str  # where the grantor is: grantor_first, speaker or grantor_after
    grantee: Country | None


@dataclass(frozen=True)
class _Rules:
    triggers: tuple[tuple[re.Pattern, re.Pattern | None, PermissionStatus, str], ...]  # (trigger, gate, status, family)
    blockers: re.Pattern
    negation: re.Pattern
    context: re.Pattern
    weapon_phrase: re.Pattern
    scopes: tuple[re.Pattern, ...]
    government: re.Pattern
    speaker_refs: re.Pattern
    same_day: re.Pattern
    speech: re.Pattern
    trailing_speaker: re.Pattern


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    lex = load()
    p = lex.permissions
    speech = "|".join(map(re.escape, lex.meetings["speech_verbs"]))
    countries = alternation(list(lex.countries))
    demonyms = alternation(list(lex.demonyms))
    grantee = rf"(?P<g>(?:the\s+)?(?:{countries})|(?:{demonyms})\s+{p['grantee_forces']})"
    triggers = []
    def rx(pat: str) -> re.Pattern:
        return re.compile(pat.replace("{G}", grantee).replace("{D}", demonyms))

    for family in ("grantor_first", "speaker", "grantor_after"):
        for status, patterns in p[family].items():
            for pat in patterns:
                # "{G} has been given ...": searching for the long country alternation at every
                # position is slow; the part after it is a cheap, exact test first.
                gate = rx(pat[len("{G} "):]) if pat.startswith("{G} ") else None
                triggers.append((rx(r"\b" + pat), gate, status, family))
    return _Rules(
        triggers=tuple(triggers),
        blockers=re.compile(p["blockers"], re.I),
        negation=re.compile(p["negation"], re.I),
        context=re.compile(p["context"], re.I),
        weapon_phrase=re.compile(p["weapon_phrase"].replace("{D}", demonyms + "|" + countries)),
        scopes=tuple(re.compile(s.replace("{D}", demonyms).replace("{C}", countries)) for s in p["scope"]),
        government=re.compile(rf"\b(?:{demonyms})\s+{p['government_words']}\b", re.I),
        speaker_refs=re.compile(p["speaker_country_refs"], re.I),
        same_day=re.compile(p["same_day"], re.I),
        speech=re.compile(rf"\b(?:{speech})\b"),
        # ", the Pentagon said." / ", a French official told AFP." closing the sentence
        trailing_speaker=re.compile(rf",\s+(?P<who>[^,]{{2,80}}?)\s+(?:{speech})\b[^,]*$"),
    )


def _triggers(sentence: str) -> list[_Trigger]:
    lex = load()
    out: list[_Trigger] = []
    for rx, gate, status, family in _rules().triggers:
        if gate is not None and not gate.search(sentence):
            continue
        for m in rx.finditer(sentence):
            if any(t.start < m.end() and m.start() < t.end for t in out):
                continue
            g = m.groupdict().get("g")
            grantee = (lex.countries.get(g) or country_of(g)) if g else None
            # "has not allowed Ukraine to ..." is a refusal; "would not restrict Ukraine's use", a grant
            negated = status in _NEGATED and _rules().negation.search(sentence, 0, m.start())
            out.append(_Trigger(m.start(), m.end(), _NEGATED[status] if negated else status, family, grantee))
    return sorted(out, key=lambda t: t.start)


def _countries_in(text: str) -> list[Country]:
    lex = load()
    found = [lex.countries[m.group(0)] for m in lex.country_re.finditer(text)]
    found += [country_of(m.group(0)) for m in _rules().government.finditer(text)]
    return list(dict.fromkeys(c for c in found if c))


@dataclass(frozen=True)
class _Party:
    country: Country | None
    person: str | None


def _speaker(sentence: str, trig: _Trigger, index: PersonIndex, last_person: str | None) -> list[_Party]:
    """Who said the sentence: the person or country just before the last speech verb before the
    trigger, else the attribution after it ("Ukraine can use ATACMS, the Pentagon said")."""
    verbs = list(_rules().speech.finditer(sentence, 0, trig.start))
    if verbs:
        before = sentence[:verbs[-1].start()]
    elif (after := _rules().trailing_speaker.search(sentence, trig.end)) is not None:
        before = after.group("who")
    else:
        return []
    people = [m.key for m in index.mentions(before)]
    if people:
        return [_Party(index.country(people[-1]), people[-1])]
    countries = _countries_in(before)
    if countries:
        return [_Party(countries[-1], None)]
    if has_pronoun(before) and last_person:
        return [_Party(index.country(last_person), last_person)]
    return []


def _subject_countries(clause: str) -> list[Country]:
    """The last country named in the clause and those listed with it ("A, B, the C and D")."""
    lex = load()
    found = list(lex.country_re.finditer(clause))
    if not found:
        return _countries_in(clause)[-1:]
    listed = [found[-1]]
    for prev in reversed(found[:-1]):
        if not _LIST_GAP.match(clause[prev.end():listed[0].start()]):
            break
        listed.insert(0, prev)
    return list(dict.fromkeys(lex.countries[m.group(0)] for m in listed))


def _grantors(sentence: str, trig: _Trigger, clause_start: int, index: PersonIndex,
              last_person: str | None) -> list[_Party]:
    clause = sentence[clause_start:trig.start]
    people = [m.key for m in index.mentions(clause)]
    countries = _subject_countries(clause)
    if people:
        return [_Party(index.country(people[-1]) or (countries[-1] if countries else None), people[-1])]
    if countries:
        return [_Party(c, None) for c in countries]
    if _rules().speaker_refs.search(clause):
        return _speaker(sentence, trig, index, last_person)
    return []


def _grantors_after(sentence: str, trig: _Trigger, index: PersonIndex) -> list[_Party]:
    """The person or country named first after a passive trigger ("given permission by Norway")."""
    lex = load()
    country = lex.country_re.search(sentence, trig.end)
    person = next((m for m in index.mentions(sentence) if m.start >= trig.end), None)
    if person and (country is None or person.start < country.start()):
        return [_Party(index.country(person.key), person.key)]
    return [_Party(lex.countries[country.group(0)], None)] if country else []


def _weapon(sentence: str, trig: _Trigger) -> tuple[str | None, str | None]:
    """(weapon as written, weapon-system key) — a named system first, else "US weapons"-like phrases."""
    hits = weapons_in(sentence[trig.start:]) or weapons_in(sentence)
    if hits:
        return hits[0].mention, hits[0].key
    rx = _rules().weapon_phrase
    m = rx.search(sentence, trig.start) or rx.search(sentence)
    return (m.group(0).strip(), None) if m else (None, None)


def _scope(sentence: str, trig: _Trigger) -> str | None:
    """The scope phrase nearest after the trigger, else the first one before it."""
    after = [m for rx in _rules().scopes if (m := rx.search(sentence, trig.start))]
    if after:
        return min(after, key=lambda m: m.start()).group("s")
    before = [m for rx in _rules().scopes if (m := rx.search(sentence))]
    return min(before, key=lambda m: m.start()).group("s") if before else None


def _grantee_after(sentence: str, trig: _Trigger, grantors: set[str]) -> Country | None:
    """A country named after the trigger that is not a target ("in Russia") nor a grantor."""
    lex = load()
    for m in lex.country_re.finditer(sentence, trig.end):
        country = lex.countries[m.group(0)]
        if country.key not in grantors and not _TARGET_WORD.search(sentence[:m.start()]):
            return country
    return None


def _in_sentence(sentence: str, trigs: list[_Trigger], index: PersonIndex, when: date | None,
                 last_person: str | None, defaults: list[Country]) -> list[Permission]:
    rules = _rules()
    out: list[Permission] = []
    for trig in trigs:
        bounds = [*_CLAUSE_START.finditer(sentence, 0, trig.start), *rules.speech.finditer(sentence, 0, trig.start)]
        clause_start = max([m.end() for m in bounds], default=0)
        if rules.blockers.search(sentence, clause_start, trig.start):
            continue
        if trig.family == "speaker":
            parties = _speaker(sentence, trig, index, last_person)
        elif trig.family == "grantor_after":
            parties = _grantors_after(sentence, trig, index)
        else:
            parties = _grantors(sentence, trig, clause_start, index, last_person)
        weapon, system = _weapon(sentence, trig)
        keys = {p.country.key for p in parties if p.country}
        grantee = (trig.grantee or _grantee_after(sentence, trig, keys)
                   or next((c for c in defaults if c.key not in keys), None))
        action = _ACTION.search(sentence, trig.start)
        scope = _scope(sentence, trig)
        target = country_of(scope) if scope else None
        for party in parties:
            # the supplier of "US weapons" is the one who lets them be used
            country = party.country or (country_of(weapon.replace("-", " ")) if weapon else None)
            # a speaker without a known country ("analyst X said Ukraine can use") grants nothing
            if grantee is None or country is None and (trig.family == "speaker" or party.person is None):
                continue
            if country and (grantee.key == country.key or target and target.key == country.key):
                continue  # nobody permits itself, nor strikes on itself (", Russian officials said")
            out.append(Permission(
                grantee=grantee, status=trig.status, evidence=sentence, grantor=country,
                grantor_person=party.person, weapon=weapon, weapon_system=system,
                action=action.group(1).strip() if action else None, scope=scope, date=when))
    return out


def _merge(perms: list[Permission]) -> list[Permission]:
    """One permission per (grantor, grantee, status); later reports fill what earlier ones lacked."""
    merged: dict[tuple, Permission] = {}
    for p in perms:
        key = (p.grantor.key if p.grantor else p.grantor_person, p.grantee.key, p.status)
        old = merged.get(key)
        if old is None:
            merged[key] = p
            continue
        merged[key] = replace(old, **{f: getattr(p, f) for f in
                                      ("grantor_person", "weapon", "weapon_system", "action", "scope", "date")
                                      if getattr(old, f) is None and getattr(p, f) is not None})
    return list(merged.values())


def _default_grantees(explicit: list[Country], sentences: tuple[str, ...]) -> list[Country]:
    """Who the article's permissions are for, most likely first: the explicit grantees, else its
    countries by how often they are named (the first that is not the grantor is taken)."""
    if explicit:
        return [c for c, _ in Counter(explicit).most_common()]
    lex = load()
    # "strike targets in Russia": a target is not who is allowed to strike it
    named = Counter(lex.countries[m.group(0)] for s in sentences for m in lex.country_re.finditer(s)
                    if not _TARGET_WORD.search(s, 0, m.start()))
    return [c for c, _ in named.most_common()]


def extract_permissions(sentences: tuple[str, ...], index: PersonIndex, anchor: Anchor | None,
                        parses: Parses | None = None) -> list[Permission]:
    rules = _rules()
    plan: list[tuple[str, list[_Trigger], date | None, str | None]] = []
    last_date: date | None = None
    last_person: str | None = None
    for sentence in sentences:
        when = date_in(sentence, anchor) or (last_date if rules.same_day.search(sentence) else None)
        last_date = when or last_date
        weapon_talk = rules.context.search(sentence) or weapons_in(sentence)
        trigs = _triggers(sentence) if weapon_talk else []
        plan.append((sentence, trigs, when, last_person))
        mentions = index.mentions(sentence)
        last_person = mentions[0].key if mentions else last_person
    explicit = [t.grantee for _, ts, _, _ in plan for t in ts if t.grantee]
    needs_default = any(t.grantee is None for _, ts, _, _ in plan for t in ts)
    defaults = _default_grantees(explicit, sentences) if needs_default else []
    found: list[Permission] = []
    for sentence, trigs, when, speaker in plan:
        found += _in_sentence(sentence, trigs, index, when, speaker, defaults)
    return _merge(found)
