"""Lexicons under etl/extract/lexicons/, loaded once and indexed for the extract rules.

All world knowledge the extractor uses lives in those TSV/JSON files; this module
only parses them and precompiles the regexes built from them.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from etl.records import Country
from etl.resources import LEXICONS_DIR

# Letters NFKD cannot fold to ASCII (ø, ł, ß ...), so slugs need them spelled out.
_FOLD = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss",
                       "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th", "ð": "d"})


def ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(text: str) -> str:
    """IRI-safe slug: [a-z0-9-]."""
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")


def _rows(name: str) -> list[list[str]]:
    lines = (LEXICONS_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def _json(name: str) -> dict:
    return json.loads((LEXICONS_DIR / name).read_text(encoding="utf-8"))


def _split(cell: str) -> list[str]:
    return [x.strip() for x in cell.split("|") if x.strip()]


def alternation(phrases: list[str]) -> str:
    """Regex matching any of the literal phrases, longest first, factored as a trie.

    The trie keeps big lexicon alternations (hundreds of names) fast: the regex
    engine tries one branch per first letter instead of every phrase.
    """
    trie: dict = {}
    for phrase in set(phrases):
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


@dataclass(frozen=True)
class WeaponEntry:
    name: str
    kind: str
    wikidata: str | None
    aliases: tuple[str, ...]
    context: re.Pattern | None  # required in the sentence when the alias is ambiguous


@dataclass(frozen=True)
class Lexicon:
    countries: dict[str, Country]  # any surface form (name, alias, capital, institution) -> country
    capitals: frozenset[str]  # the forms of countries that are cities ("Kyiv", "Kiev")
    demonyms: dict[str, Country]  # "Swedish" -> Sweden
    country_re: re.Pattern  # names, aliases, capitals, institutions
    demonym_re: re.Pattern
    countryish: str  # regex alternation: anything that can precede a title ("US", "Swedish", "Ukraine's")
    titles: tuple[str, ...]
    plural_titles: tuple[str, ...]
    weapons: dict[str, WeaponEntry]  # alias -> entry
    weapon_re: re.Pattern  # groups 'alias' (a key of weapons) and 'variant'
    weapon_forms: dict  # variant grammar, ship nouns and prefixes around the weapon aliases
    meetings: dict
    permissions: dict
    permission_patterns: dict  # spaCy DependencyMatcher patterns, by family
    dates: dict
    names: dict
    junk: dict
    translit: tuple[tuple[re.Pattern, str], ...]
    stopwords: frozenset[str]
    calendar: frozenset[str]
    not_name: frozenset[str]
    titlewords: frozenset[str]
    title_abbreviations: frozenset[str]  # title words only ever written with a period ("Sen.", "Gen.")
    given_names: frozenset[str]
    honorifics: frozenset[str]  # find a name ("Mr. Wang") but are no role


def _countries() -> tuple[dict[str, Country], dict[str, Country]]:
    forms: dict[str, Country] = {}
    demonyms: dict[str, Country] = {}
    for row in _rows("countries.tsv"):
        row += [""] * (5 - len(row))
        name, qid, aliases, dems, capitals = row[:5]
        country = Country(key=slug(name), name=name, wikidata=qid or None)
        for form in [name, *_split(aliases), *_split(capitals)]:
            forms[form] = country
        for dem in _split(dems):
            demonyms[dem] = country
    by_name = {c.name: c for c in forms.values()}
    for inst, cname in _rows("institutions.tsv"):
        forms[inst] = by_name[cname]
    return forms, demonyms


def _weapons() -> dict[str, WeaponEntry]:
    out: dict[str, WeaponEntry] = {}
    for row in _rows("weapons.tsv"):
        row += [""] * (5 - len(row))
        name, kind, qid, aliases, context = row[:5]
        entry = WeaponEntry(name, kind, qid or None, tuple(_split(aliases)),
                            re.compile(context) if context.strip() else None)
        for alias in (name, *entry.aliases):
            out[alias] = entry
    return out


@lru_cache(maxsize=1)
def load() -> Lexicon:
    countries, demonyms = _countries()
    capitals = frozenset(c for row in _rows("countries.tsv") for c in _split((row + [""] * 5)[4]))
    title_rows = _rows("titles.tsv")
    titles = tuple(r[0].strip() for r in title_rows)
    plurals = tuple(r[1].strip() for r in title_rows if len(r) > 1 and r[1].strip())
    weapons = _weapons()
    names = _json("names.json")
    bound = r"(?<![\w.-])(?:{})(?![\w-])"
    country_re = re.compile(bound.format(alternation(list(countries))))
    demonym_re = re.compile(bound.format(alternation(list(demonyms))))
    weapon_forms = _json("weapon_forms.json")
    # an alias, then its designation/variant suffix ("Gripen" + " E", "SM-6" + " Block IA")
    weapon_re = re.compile(r"(?<![\w-])(?P<alias>{})(?P<variant>{})(?![\w-])".format(
        alternation(list(weapons)), weapon_forms["variant"]))
    titlewords = frozenset(w.lower().strip(".") for t in titles + plurals for w in t.split())
    written = [w for t in titles + plurals for w in t.split()]
    abbreviations = frozenset(w.lower().strip(".") for w in written if w.endswith(".")) - \
        frozenset(w.lower() for w in written if not w.endswith("."))
    return Lexicon(
        countries=countries, capitals=capitals, demonyms=demonyms, country_re=country_re, demonym_re=demonym_re,
        countryish=alternation(list(countries) + list(demonyms)),
        titles=titles, plural_titles=plurals, weapons=weapons, weapon_re=weapon_re, weapon_forms=weapon_forms,
        meetings=_json("meetings.json"), permissions=_json("permissions.json"),
        permission_patterns=_json("permission_patterns.json"), dates=_json("dates.json"),
        names=names, junk=_json("junk.json"),
        translit=tuple((re.compile(r[0]), r[1]) for r in _rows("translit.tsv")),
        stopwords=frozenset(names["stopwords"]), calendar=frozenset(names["calendar_words"]), not_name=frozenset(names["not_name_words"]),
        titlewords=titlewords, title_abbreviations=abbreviations, given_names=frozenset(names["given_names"]), honorifics=frozenset(names["honorifics"]),
    )


def country_of(text: str) -> Country | None:
    """The country a phrase names: a country form or a demonym anywhere in it."""
    lex = load()
    m = lex.country_re.search(text)
    if m:
        return lex.countries[m.group(0)]
    m = lex.demonym_re.search(text)
    return lex.demonyms[m.group(0)] if m else None
