"""Persons found by pattern, never from a list of known people.

Patterns: title/office (lexicon) + capitalised name ("Swedish Defense Minister Erik
Lindqvist"), plural titles with coordinated names ("Senators A B and C D"),
apposition ("A B, the Ukrainian foreign minister"), "Name said/told", and a
common first name (lexicon) + capitalised surname.
A surname alone resolves to the full name with that surname in the same article.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from etl.extract.lexicon import Lexicon, alternation, ascii_fold, country_of, load
from etl.extract.nlp import Parses
from etl.records import Country, Person

UPPER = "".join(chr(i) for i in range(0x41, 0x250) if chr(i).isupper())
# A capitalised word ("Løkke", "Jean-Yves", "O'Brien", not "Kyiv's") or initials ("J.D.").
NAME_TOKEN = rf"(?:(?:[{UPPER}]\.){{1,3}}(?=\s)|[{UPPER}][^\W\d_]*(?:-[{UPPER}]?[^\W\d_]+)*(?:['’](?!s\b)[^\W\d_]+)?)"
_TOKEN_RE = re.compile(rf"(?<![\w-]){NAME_TOKEN}")
_WORD_RE = re.compile(r"[^\W\d_]+")
_PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")


@dataclass(frozen=True)
class Patterns:
    role_name: re.Pattern
    plural: re.Pattern
    apposition: re.Pattern
    speech: re.Pattern
    given: re.Pattern
    name_in_list: re.Pattern


@dataclass(frozen=True)
class Mention:
    start: int  # offset of the surname in the sentence
    end: int
    key: str


@dataclass
class _Acc:
    """What the article says about one person, gathered mention by mention."""

    forms: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    country: Country | None = None
    evidence: str = ""


@lru_cache(maxsize=1)
def patterns() -> Patterns:
    lex = load()
    part = "|".join(lex.names["particles"])
    name = rf"{NAME_TOKEN}(?:\s+(?:(?:{part})\s+)*{NAME_TOKEN}){{0,3}}"
    full = rf"{NAME_TOKEN}(?:\s+(?:(?:{part})\s+)*{NAME_TOKEN}){{1,3}}"
    prefix = rf"(?:(?:{lex.countryish}|{alternation(lex.names['organisations'])})(?:['’]s)?\s+)?"
    mods = r"(?:(?i:deputy|vice|acting|special|former|first|senior|chief|top|interim|outgoing|incoming|presidential|then)\s+)*"
    title = rf"(?i:{alternation(list(lex.titles))})"
    plural = rf"(?i:{alternation(list(lex.plural_titles))})"
    office = rf"(?:\s+(?i:{alternation(lex.names['office_words'])})(?![\w'’-])){{0,4}}"
    of = rf"(?:\s+of\s+(?:the\s+)?(?:{lex.countryish}){office})?"
    rank = r"(?:\s+(?:General|Gen\.|Admiral|Colonel))?"
    speech = "|".join(re.escape(v) for v in lex.meetings["speech_verbs"])
    return Patterns(
        role_name=re.compile(rf"(?<![\w-])(?P<role>{prefix}{mods}{title}{of}{rank})(?![\w-]),?\s+(?P<name>{name})"),
        plural=re.compile(rf"(?<![\w-])(?P<role>{prefix}{mods}{plural})\s+(?P<names>{name}(?:\s*,\s*{name})*,?\s+and\s+{name})"),
        apposition=re.compile(rf"(?P<name>{full}),\s+(?P<role>(?:the\s+|an?\s+)?(?:(?:the\s+)?country['’]s\s+|his\s+|her\s+|{NAME_TOKEN}['’]s\s+)?{prefix}{mods}{title}{of})(?![\w-])"),
        speech=re.compile(rf"(?P<name>{name})\s+(?:{speech})\b|\b(?:said|says|told|added)\s+(?P<after>{full})(?=\s*[,.])"),
        given=re.compile(rf"(?<![\w-])(?:{alternation(lex.names['given_names'])})\s+{NAME_TOKEN}(?:\s+(?:(?:{part})\s+)*{NAME_TOKEN})?(?![\w-])"),
        name_in_list=re.compile(name),
    )


def _is_place_or_org(token: str, lex: Lexicon) -> bool:
    """A country, demonym or organisation word, or an acronym ("NATO", "RBC-Ukraine"; not initials "J.D.")."""
    if len(token) > 1 and token[1].isupper():
        return True
    parts = token.split("-")
    return any(p in lex.countries or p in lex.demonyms or p in lex.not_name for p in parts)


def _surname_like_a_country(kept: list[str], tok: str, *, last: bool, lex: Lexicon) -> bool:
    """"Luís Montenegro": a country's name ends a name only if it does not directly follow a lone
    known first name at the end of the match ("Prime Minister Luís Montenegro in Madrid")."""
    return (last and len(kept) == 1 and tok in lex.countries and tok not in lex.demonyms
            and ascii_fold(kept[0]) in lex.given_names)


def clean_name(raw: str) -> list[str]:
    """Name tokens with titles stripped in front and non-name words cut off at the end."""
    lex = load()
    tokens = raw.split()
    while tokens and (tokens[0] in lex.stopwords or tokens[0].lower().strip(".") in lex.titlewords):
        tokens.pop(0)
    kept: list[str] = []
    for i, tok in enumerate(tokens):
        if tok in lex.not_name:
            return []  # "Air Force", "General Staff": an organisation, not a person
        if _surname_like_a_country(kept, tok, last=i == len(tokens) - 1, lex=lex):
            kept.append(tok)
            break
        if tok in lex.stopwords or _is_place_or_org(tok, lex) or tok.lower().strip(".") in lex.titlewords:
            break
        kept.append(tok)
    while kept and (kept[-1][0].islower() or kept[-1] in lex.calendar):  # dangling particle or date
        kept.pop()
    return kept


@lru_cache(maxsize=4096)
def skeleton(token: str) -> str:
    """Spelling-variant-proof form of a name token: "Zaluzhnyi", "Zaluzhny", "Zaluzhniy" -> "zaluzhni"."""
    s = re.sub(r"[^a-z]", "", ascii_fold(token).lower())
    for rx, repl in load().translit:
        s = rx.sub(repl, s)
    return s


def person_key(tokens: list[str]) -> str:
    """first-initial-surname skeleton ("v-zaluzhni"), or the surname skeleton alone.

    A generational suffix ("Jr.") is not the surname: "Ferdinand Marcos Jr." -> "f-marcos".
    """
    suffixes = load().names["suffixes"]
    tokens = [t for t in tokens if t not in suffixes] or tokens
    surname = skeleton(tokens[-1])
    if len(tokens) == 1:
        return surname
    return f"{skeleton(tokens[0])[:1]}-{surname}"


def _raw_mentions(sentence: str) -> list[tuple[list[str], str | None]]:
    """(name tokens, role as written) for every pattern hit in one sentence."""
    pats, lex = patterns(), load()
    out: list[tuple[list[str], str | None]] = []
    for m in pats.role_name.finditer(sentence):
        out.append((clean_name(m.group("name")), m.group("role").strip()))
    if " and " in sentence:  # cheap guard: plural titles always coordinate names
        for m in pats.plural.finditer(sentence):
            for n in pats.name_in_list.finditer(m.group("names")):
                out.append((clean_name(n.group(0)), m.group("role").strip()))
    if ", " in sentence:
        for m in pats.apposition.finditer(sentence):
            out.append((clean_name(m.group("name")), m.group("role").strip()))
    for m in pats.speech.finditer(sentence):
        tokens = clean_name(m.group("name") or m.group("after"))
        if len(tokens) == 1 and (len(tokens[0]) < 3 or _is_place_or_org(tokens[0], lex)):
            continue
        out.append((tokens, None))
    for m in pats.given.finditer(sentence):  # "Olena Kovalenko" with no title: a known first name
        tokens = clean_name(m.group(0))
        if len(tokens) >= 2:
            out.append((tokens, None))
    return [(_fullest(t, out) if len(t) > 1 else t, r) for t, r in out if t]


def _fullest(tokens: list[str], found: list[tuple[list[str], str | None]]) -> list[str]:
    """The longest name found in the same sentence that contains these tokens: one pattern may
    see "José Manuel Albares" and another only "Manuel Albares"; both are one person. (A lone
    surname keeps its own form: it is found by surname later, and is one of the aliases.)"""
    text = f" {' '.join(tokens)} "
    return max((t for t, _ in found if text in f" {' '.join(t)} "), key=len, default=tokens)


class PersonIndex:
    """The persons of one article and where each is mentioned."""

    def __init__(self, sentences: tuple[str, ...], parses: Parses | None = None):
        self._acc: dict[str, _Acc] = {}
        self._mentions: dict[str, list[Mention]] = {}  # meetings and permissions ask per sentence
        singles: list[tuple[list[str], str | None, str]] = []
        for sentence in sentences:
            if _title_case(sentence):
                continue  # "Foreign Minister Says Talks Failed": every word looks like a name
            for tokens, role in _raw_mentions(sentence):
                if len(tokens) == 1 and len(tokens[0].strip(".")) < 3:
                    continue  # a lone initial is no name
                if len(tokens) == 1:
                    singles.append((tokens, role, sentence))
                else:
                    self._add(person_key(tokens), tokens, role, sentence)
        self._by_surname: dict[str, str] = {}
        for key, acc in self._acc.items():
            self._by_surname.setdefault(skeleton(acc.forms[0].split()[-1]), key)
        given = load().given_names
        for key, acc in self._acc.items():
            # "Wang Yi" ... "Mr. Wang": a two-part name that does not start with a known given
            # name may put the surname first (Chinese, Korean, Hungarian usage).
            first, *rest = acc.forms[0].split()
            if len(rest) == 1 and first not in given:
                self._by_surname.setdefault(skeleton(first), key)
        text = "\n".join(sentences)
        for tokens, role, sentence in singles:
            key = self._by_surname.get(skeleton(tokens[0]))
            if key is None and role is None and text.count(tokens[0]) < 2:
                continue  # "Meduza said" once: too weak to be a person without a title
            key = key or person_key(tokens)
            self._add(key, tokens, role, sentence)
            self._by_surname.setdefault(skeleton(tokens[0]), key)

    def _add(self, key: str, tokens: list[str], role: str | None, sentence: str) -> None:
        acc = self._acc.setdefault(key, _Acc(evidence=sentence))
        form = " ".join(tokens)
        if form not in acc.forms:
            acc.forms.append(form)
        if role and role not in acc.roles and role not in load().honorifics:
            acc.roles.append(role)
            acc.country = acc.country or country_of(role)

    def mentions(self, sentence: str) -> list[Mention]:
        """Surname mentions of known persons in a sentence, in order."""
        if sentence not in self._mentions:
            self._mentions[sentence] = [
                Mention(m.start(), m.end(), key) for m in _TOKEN_RE.finditer(sentence)
                if (key := self._by_surname.get(skeleton(m.group(0))))]
        return self._mentions[sentence]

    def country(self, key: str) -> Country | None:
        acc = self._acc.get(key)
        return acc.country if acc else None

    def persons(self) -> list[Person]:
        out = []
        for key, acc in self._acc.items():
            name = max(acc.forms, key=lambda f: len(f.split()))  # fullest form, first on ties
            aliases = tuple(f for f in acc.forms if f != name)
            out.append(Person(key=key, name=name, evidence=acc.evidence, aliases=aliases,
                              roles=tuple(acc.roles), country=acc.country))
        return out


def _title_case(sentence: str) -> bool:
    """A Title Case headline: no final stop, and nearly every longer word capitalised."""
    if sentence.rstrip().endswith((".", "!", "?", "\"", "”")):
        return False
    words = [w for w in _WORD_RE.findall(sentence) if len(w) > 3]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def has_pronoun(text: str) -> bool:
    return bool(_PRONOUN.search(text))
