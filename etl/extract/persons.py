"""Persons found by pattern and by the trained pipeline's PERSON entities, never from a list
of known people.

Patterns: title/office (lexicon) + capitalised name ("Swedish Defense Minister Erik
Lindqvist"), plural titles with coordinated names ("Senators A B and C D"),
apposition ("A B, the Ukrainian foreign minister"), "Name said/told", and a
common first name (lexicon) + capitalised surname. The pipeline's PERSON entities add the
names no pattern reaches ("talks with Tom Hale"), after the filters its errors need
(see `_entity_hits`); only sentences with a capitalised word the patterns left unexplained
are parsed for them.
Within an article, a name that is part of a longer one ("Kurbanov Bakhodir" of "Kurbanov
Bakhodir Nizamovich") is that person, and a surname alone ("Marcos", "De Croo") resolves to
the full name with that surname.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from etl.extract.lexicon import Lexicon, alternation, ascii_fold, country_of, load
from etl.extract.memo import ARTICLES, SENTENCES, per_batch
from etl.extract.nlp import Parses
from etl.records import Country, Person

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

UPPER = "".join(chr(i) for i in range(0x41, 0x250) if chr(i).isupper())
# A capitalised word ("Løkke", "Jean-Yves", "O'Brien", "al-Sudani" with the Arabic article,
# not "Kyiv's") or initials ("J.D.").
_ARTICLE = r"(?:al|el|ad|ash|as|az|ar)-"  # the Arabic article, assimilated forms included
NAME_TOKEN = rf"(?:(?:[{UPPER}]\.){{1,3}}(?=\s)|(?:{_ARTICLE})?[{UPPER}][^\W\d_]*(?:-[{UPPER}]?[^\W\d_]+)*(?:['’](?!s\b)[^\W\d_]+)?)"
_TOKEN_RE = re.compile(rf"(?<![\w-]){NAME_TOKEN}")
_WORD_RE = re.compile(r"[^\W\d_]+")
_PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")
_NAME_WORD = re.compile(rf"{NAME_TOKEN}\.?")
# "Mohammed bin Salman": a given name, then "son of" and the father's name
_PATRONYM = re.compile(rf"({NAME_TOKEN})\s+(?:bin|ibn|bint)\s+$")
_BEFORE_PATRONYM = re.compile(r"\s+(?:bin|ibn|bint)\s")
_POSSESSIVE = re.compile(r"['’]s?$")
_BRACKETS = str.maketrans("[]", "  ")  # "a meeting with [Tomas] Hale": an editor's insertion
_BRACKETED_REST = re.compile(rf"\]\s+{NAME_TOKEN}")  # "[Tomas] Hale": the entity may end at the bracket
# Capitalised words in a row, "of" between them allowed: one proper name ("Federation of American Scientists").
_RUN_RE = re.compile(rf"(?<![\w-]){NAME_TOKEN}(?:\s+(?:of\s+)?{NAME_TOKEN})*")
# A capital inside a word after a small letter, as brands write it ("BrahMos"); not "McCain", "DeSantis".
_BRAND = re.compile(r"^(?!Mc|Mac|De|Di|Da|La|Le|Van|Fitz)[A-Z][a-z]+[A-Z]")
_AFTER_NAME = re.compile(rf"{NAME_TOKEN},\s+(?:the\s+)?$")
_POSTED_TO = re.compile(r"\s+(?:to|for)\s.*$")
_FINAL = re.compile(r"[.!?…][\"'”’)]*\s*$")
# Entity words that open no name: "Although Trump", "Then Hale", "Earlier, Okafor".
_FUNCTION_POS = frozenset({"ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NUM", "PART", "PRON",
                           "PUNCT", "SCONJ", "SYM", "VERB"})

# Words that may stand before a title: "Deputy Prime Minister", "former President".
_MODIFIERS = ("deputy", "vice", "acting", "special", "former", "first", "senior", "chief", "top", "interim",
              "outgoing", "incoming", "presidential", "then", "current", "rotating")

Hit = tuple[list[str], str | None, bool]
"""(name tokens, role as written, sure): `sure` when a lone surname seen once may stand alone."""


@dataclass(frozen=True)
class Patterns:
    role_name: re.Pattern
    plural: re.Pattern
    apposition: re.Pattern
    speech: re.Pattern
    given: re.Pattern
    name_in_list: re.Pattern
    caption: re.Pattern


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
    # the next word of a name, particles before it; a month before a day number is a date
    # ("Ivanov May 5"), a month otherwise may be a name ("Theresa May", "Dong Jun")
    nxt = rf"\s+(?!(?:{alternation(list(lex.calendar))})\.?\s*\d)(?:(?:{part})\s+)*{NAME_TOKEN}"
    name = rf"{NAME_TOKEN}(?:{nxt}){{0,3}}"
    ranked = rf"{NAME_TOKEN}(?:{nxt}){{0,5}}"  # "Lieutenant General A B C"
    full = rf"{NAME_TOKEN}(?:{nxt}){{1,3}}"
    prefix = rf"(?:(?:{lex.countryish}|{alternation(lex.names['organisations'])})(?:['’]s)?\s+)?"
    # "Chinese Foreign Ministry spokesperson", "Egyptian intelligence chief": office words may
    # stand between the country and the title
    mods = rf"(?:(?i:{'|'.join(_MODIFIERS)}|{alternation(lex.names['office_words'])})\s+){{0,4}}"
    title = rf"(?i:{alternation(list(lex.titles))})"
    plural = rf"(?i:{alternation(list(lex.plural_titles))})"
    office = rf"(?:\s+(?i:{alternation(lex.names['office_words'])})(?![\w'’-])){{0,4}}"
    # "President of Ukraine", "Ambassador to the Philippines", "Special Envoy for Ukraine"
    of = rf"(?:\s+(?:of|to|for)\s+(?:the\s+)?(?:{lex.countryish}){office})?"
    rank = r"(?:\s+(?:General|Gen\.|Admiral|Colonel))?"
    speech = "|".join(re.escape(v) for v in lex.meetings["speech_verbs"])
    return Patterns(
        role_name=re.compile(rf"(?<![\w-])(?P<role>{prefix}{mods}{title}{of}{rank})(?![\w-]),?\s+(?P<name>{ranked})"),
        plural=re.compile(rf"(?<![\w-])(?P<role>{prefix}{mods}{plural})\s+(?P<names>{name}(?:\s*,\s*{name})*,?\s+and\s+{name})"),
        apposition=re.compile(rf"(?P<name>{full}),\s+(?P<role>(?:the\s+|an?\s+)?(?:(?:the\s+)?country['’]s\s+|his\s+|her\s+|{NAME_TOKEN}['’]s\s+)?{prefix}{mods}{title}{of})(?![\w-])"),
        speech=re.compile(rf"(?P<name>{name})\s+(?:{speech})\b|\b(?:said|says|told|added)\s+(?P<after>{full})(?=\s*[,.])"),
        given=re.compile(rf"(?<![\w-])(?:{alternation(lex.names['given_names'])})(?:{nxt}){{1,2}}(?![\w-])"),
        name_in_list=re.compile(name),
        caption=re.compile("|".join(lex.names["caption_markers"])),
    )


def _is_place_or_org(token: str, lex: Lexicon, *, initials: bool = False) -> bool:
    """A country, demonym or organisation word, or an acronym ("NATO", "RBC-Ukraine"; not initials
    "J.D.", nor "JD" where `initials` says a name follows)."""
    if initials and re.fullmatch(r"[A-Z]{2}", token) and token not in lex.countries and token not in lex.not_name \
            and token not in lex.names["organisations"] and token.lower() not in lex.titlewords:
        return False
    if len(token) > 1 and token[1].isupper():
        return True
    parts = token.split("-")
    return any(p in lex.countries or p in lex.demonyms or p in lex.not_name for p in parts)


def _surname_like_a_country(kept: list[str], tok: str, *, last: bool, lex: Lexicon) -> bool:
    """"Luís Montenegro": a country's name ends a name only if it does not directly follow a lone
    known first name at the end of the match ("Prime Minister Luís Montenegro in Madrid")."""
    return (last and len(kept) == 1 and tok in lex.countries and tok not in lex.demonyms
            and ascii_fold(kept[0]) in lex.given_names)


def clean_name(raw: str, *, country_first: bool = False) -> list[str]:
    """Name tokens with titles stripped in front and non-name words cut off at the end.

    `country_first`: the recognizer said the words are a person, or a title stands right before
    them, so a country's name may be a given name before another name ("Israel Katz", "Jordan
    Bardella", "Secretary Chad Wolf")."""
    lex = load()
    tokens = raw.split()
    while tokens and (tokens[0] in lex.stopwords or tokens[0].lower().strip(".") in lex.titlewords):
        tokens.pop(0)
    kept: list[str] = []
    for i, tok in enumerate(tokens):
        if (country_first and i == 0 and tok in lex.countries and len(tokens) > 1
                and not _is_place_or_org(tokens[1], lex) and tokens[1] not in lex.stopwords):
            kept.append(tok)
            continue
        if kept and tok in lex.names["surname_words"]:
            kept.append(tok)
            break
        if tok in lex.not_name:
            return []  # "Air Force", "General Staff": an organisation, not a person
        if _surname_like_a_country(kept, tok, last=i == len(tokens) - 1, lex=lex):
            kept.append(tok)
            break
        if kept and tok in lex.names["suffixes"]:  # "Abdullah II", "Marcos Jr.": no acronym
            kept.append(tok)
            continue
        name_follows = not kept and i + 1 < len(tokens) and tokens[i + 1][:1].isupper()
        word = tok.lower().strip(".")
        # "Hun Sen": after a name, a title abbreviation without its period ("Sen.") is a name
        title = word in lex.titlewords and not (kept and word in lex.title_abbreviations and not tok.endswith("."))
        if tok in lex.stopwords or _is_place_or_org(tok, lex, initials=name_follows) or title:
            break
        kept.append(tok)
    while kept and kept[-1] in lex.names["particles"]:  # a dangling particle
        kept.pop()
    return kept


@lru_cache(maxsize=4096)
def skeleton(token: str) -> str:
    """Spelling-variant-proof form of a name token: "Zaluzhnyi", "Zaluzhny", "Zaluzhniy" -> "zaluzhni";
    "al-Sudani", "Al-Sudani" and "Sudani" are one."""
    s = re.sub(r"[^a-z]", "", re.sub(rf"^(?i:{_ARTICLE})", "", ascii_fold(token)).lower())
    for rx, repl in load().translit:
        s = rx.sub(repl, s)
    return s


def split_name(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(given names, surname) of a name. A generational suffix ("Jr.") is neither; particles
    before the surname belong to it ("Dick van der Berg", "De Croo" with no given name); a
    three-part name ending in a patronymic puts the surname first ("Ivanov Sergei Petrovich")."""
    names = load().names
    core = [t for t in tokens if t not in names["suffixes"]] or list(tokens)
    if len(core) == 3 and core[2].lower().endswith(tuple(names["patronymic_endings"])):
        return [core[1]], [core[0]]
    i = len(core) - 1
    while i > 0 and (core[i - 1] in names["particles"] or core[i - 1] in names["surname_particles"]):
        i -= 1
    return core[:i], core[i:]


def person_key(tokens: list[str]) -> str:
    """first-initial-surname skeleton ("v-zaluzhni"), or the surname skeleton alone.

    A generational suffix ("Jr.") is not the surname: "Ferdinand Marcos Jr." -> "f-marcos".
    """
    given, surname = split_name(tokens)
    key = skeleton(surname[-1])
    return f"{skeleton(given[0])[:1]}-{key}" if given else key


def _surname_key(tokens: list[str]) -> str:
    return skeleton(split_name(tokens)[1][-1])


@per_batch(SENTENCES)
def _raw_mentions(sentence: str) -> tuple[Hit, ...]:
    """(name tokens, role as written, sure) for every pattern hit in one sentence."""
    pats, lex = patterns(), load()
    sentence = sentence.translate(_BRACKETS)
    out: list[Hit] = []
    for m in pats.role_name.finditer(sentence):
        # "Rustem Umierov, Ukraine's Defence Minister, General Valerii Zaluzhnyi": the role between
        # commas belongs to the name before it, not to the next one in the list
        listed = "," in sentence[m.end("role"):m.start("name")] and _AFTER_NAME.search(sentence, 0, m.start())
        out.append((clean_name(m.group("name"), country_first=True), None if listed else m.group("role").strip(), True))
    if " and " in sentence:  # cheap guard: plural titles always coordinate names
        for m in pats.plural.finditer(sentence):
            for n in pats.name_in_list.finditer(m.group("names")):
                out.append((clean_name(n.group(0)), m.group("role").strip(), True))
    if ", " in sentence:
        for m in pats.apposition.finditer(sentence):
            out.append((clean_name(m.group("name")), m.group("role").strip(), True))
    for m in pats.speech.finditer(sentence):
        tokens = clean_name(m.group("name") or m.group("after"))
        if len(tokens) == 1 and (len(tokens[0]) < 3 or _is_place_or_org(tokens[0], lex)):
            continue
        out.append((tokens, None, False))
    for m in pats.given.finditer(sentence):  # "Olena Kovalenko" with no title: a known first name
        tokens = clean_name(m.group(0))
        if len(tokens) >= 2 and not _inside_a_proper_name(sentence, m.start(), m.end(), lex):
            out.append((tokens, None, True))
    return tuple(h for h in out if h[0])


def _in_sentence(hits: list[Hit]) -> list[Hit]:
    """Hits of one sentence, each name at its fullest: one source may see "José Manuel Albares"
    and another only "Manuel Albares", or only "Tomas" of "Tomas Hale"; both are one person.
    (A lone surname keeps its own form: it is found by surname later, and is one of the aliases.)"""
    out: list[Hit] = []
    for tokens, role, sure in hits:
        fuller = _fullest(tokens, hits)
        if len(tokens) == 1 and fuller is not tokens and _surname_key(fuller) != skeleton(tokens[0]):
            continue  # a given or middle name of a fuller name in this sentence
        out.append((fuller if len(tokens) > 1 else tokens, role, sure))
    return out


def _fullest(tokens: list[str], found: list[Hit]) -> list[str]:
    """The longest name among `found` that contains these tokens."""
    text = f" {' '.join(tokens)} "
    return max((h[0] for h in found if text in f" {' '.join(h[0])} "), key=len, default=tokens)


@lru_cache(maxsize=1)
def _weapon_names() -> frozenset[str]:
    """Weapon names in lower case: the recognizer tags "Patriot", "Brahmos" as persons."""
    return frozenset(alias.lower() for alias in load().weapons)


def _entity_hits(doc: Doc, text: str, lowercase: set[str] | None = None) -> list[Hit]:
    """The pipeline's PERSON entities of one parsed sentence, with the junk a statistical tagger
    brings filtered out: words before the name ("Although Trump"), possessives, titles inside the
    entity ("President X": X with that role), ranks alone ("Maj"), ALL-CAPS datelines and
    bylines, photo credits ("Name/Agency"), parts of hyphenated words ("Hale-Okafor talks":
    the names are found elsewhere), places, organisations and weapons tagged PERSON
    (by lexicon, and by their place in the sentence: "near X", "Bakhmut and X"), groups ("the
    Houthis": a name takes no article).
    A lone word is `sure` only where a name can stand: not first in the sentence, not after an
    acronym ("JS Mikuma"), not before a number ("Mach 2"), not qualifying a noun ("the Brahmos
    missile"), not coordinated with a named thing, not cut off at the end of a page; else it
    needs a second mention in the article."""
    lex, sentence = load(), doc.text
    lowercase = _lowercase_words(text) if lowercase is None else lowercase
    out: list[Hit] = []
    for start, end in _person_spans(doc, lowercase):
        raw = _POSSESSIVE.sub("", sentence[start:end].translate(_BRACKETS))
        words = raw.split()
        if (not words or re.match(r"\s*/|-", sentence[end:]) or re.search(r"(?:/|\b[Tt]he)\s*$|-$", sentence[:start])
                or _inside_a_proper_name(sentence, start, end, lex) or _a_place(doc, start, end, lex)
                or not all(_NAME_WORD.fullmatch(w) or w in lex.names["particles"] for w in words)
                or any(_all_caps(w) for w in words[:-1] if not re.fullmatch(r"[A-Z]{2}", w)) or _all_caps(words[-1])
                or raw.lower() in _weapon_names()):
            continue
        tokens = clean_name(raw, country_first=True)
        if not tokens:
            continue
        lead = words[:words.index(tokens[0])]
        role = " ".join(lead) if any(w.lower().strip(".") in lex.titlewords for w in lead) else None
        before, after = sentence[:start], sentence[end:]
        lone_ok = (re.search(r"[^\W\d_]", before) is not None and not re.search(r"\b[A-Z]{2,}\s*$", before)
                   and not re.match(r"\s*\d", after) and (after.strip() or _FINAL.search(sentence))
                   and not _modifies_a_noun(doc, start, end) and not _beside_a_thing(doc, start, end))
        out.append((tokens, role, len(tokens) > 1 or bool(lone_ok) or _word_count(tokens[0], text) > 1))
    return out


def _person_spans(doc: Doc, lowercase: set[str]) -> list[tuple[int, int]]:
    """Character spans of the PERSON entities, leading function words dropped ("Although X", and
    a sentence's opening participle or common word: "Meeting X at ...", "Speaking alongside"),
    and entities apart only by an editor's brackets joined ("[Tomas] Hale")."""
    spans: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        words = [t for t in ent]
        while words and words[0].is_alpha and words[0].whitespace_ and (
                words[0].pos_ in _FUNCTION_POS and (words[0].is_sent_start or not words[0].is_title)
                or words[0].is_sent_start and len(words) > 1 and _common_word(words[0].text, lowercase)):
            words.pop(0)
        if not words:
            continue
        start, end = words[0].idx, ent.end_char
        if spans and not doc.text[spans[-1][1]:start].strip(" []"):
            start = spans.pop()[0]
        rest = _BRACKETED_REST.match(doc.text, end)
        spans.append((start, rest.end() if rest else end))
    return spans


def _inside_a_proper_name(sentence: str, start: int, end: int, lex: Lexicon) -> bool:
    """"USS Ronald Reagan", "Lockheed Martin", "Johns Hopkins University": a name that an acronym
    or an organisation word directly precedes or follows is part of a ship's, firm's or place's name."""
    before = re.search(r"(\S+)\s+$", sentence[:start])
    after = re.match(r"\s+(\S+)", sentence[end:])
    prev = before.group(1) if before else ""
    if prev.lower().strip(".") in lex.titlewords:
        return False  # "Lieutenant General Rakhimov", "Defense Secretary Hale"
    return (prev in lex.not_name or (len(prev) > 1 and prev.isupper() and prev.isalpha())
            or bool(after) and after.group(1) in lex.not_name)


def _a_place(doc: Doc, start: int, end: int, lex: Lexicon) -> bool:
    """"fighting near Avdiivka", "Bakhmut and Avdiivka", "the village of Kupiansk", "flew to Lindholm":
    a name after a preposition of place, a place noun's "of" or a verb of travel's "to", or
    coordinated with a place the recognizer knows, is a place."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    root = span.root
    if root.dep_ == "pobj" and root.head.lower_ in lex.names["place_prepositions"]:
        return True
    if root.dep_ == "pobj" and root.head.lower_ == "of" and root.head.head.lower_ in lex.names["place_nouns"]:
        return True  # "the truce village of X"
    if root.dep_ == "pobj" and root.head.lower_ == "to" and root.head.head.lower_ in lex.names["motion_verbs"]:
        return True  # "flew to X to meet Y"
    return any(t.ent_type_ in ("GPE", "LOC", "FAC") for t in _coordinated(root))


def _coordinated(token: Token) -> list[Token]:
    """The words a word is coordinated with ("Bucha and Kramatorsk")."""
    return ([token.head] if token.dep_ == "conj" else []) + [t for t in token.children if t.dep_ == "conj"]


def _beside_a_thing(doc: Doc, start: int, end: int) -> bool:
    """"after Bucha and Kramatorsk" (a PRODUCT to the recognizer): a lone word coordinated with a
    named thing that is no person is likely no person either."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return span is not None and any(t.ent_type_ not in ("", "PERSON") for t in _coordinated(span.root))


def _modifies_a_noun(doc: Doc, start: int, end: int) -> bool:
    """"the Brahmos missile": a word that qualifies a common noun names a thing, not a person."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return span is not None and span.root.dep_ == "compound" and span.root.head.pos_ == "NOUN"


def _common_word(word: str, lowercase: set[str]) -> bool:
    """A capitalised word that is a common one: the article writes it in lower case too, or it is
    a participle ("Meeting", "Speaking") that is no known given name."""
    return (word.lower() in lowercase or word.endswith("ing") and word not in load().given_names)


def _lowercase_words(text: str) -> set[str]:
    return set(re.findall(r"\b[a-z][a-z-]+\b", text))


def _all_caps(word: str) -> bool:
    """"MANILA", "MAYUKO": a dateline or byline, not a name in prose (initials "J.D." and "II" aside)."""
    letters = word.replace(".", "").replace("-", "")
    return len(letters) > 1 and letters.isupper() and "." not in word and word not in load().names["suffixes"]


def _initial(word: str) -> bool:
    """"J.", "J.D.", "K": initials; "Xi", "Ng", "Wu" are names."""
    return len(word.strip(".")) < 2 or "." in word or word.isupper() and len(word) <= 3


def _word_count(word: str, text: str) -> int:
    return len(re.findall(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text))


def _unexplained(sentence: str, known: set[str], lowercase: set[str]) -> bool:
    """A capitalised word past the first that nothing explains: not part of a name a pattern
    found, nor a place, country, weapon, title, lexicon word, region, brand ("BrahMos"), nor a
    word the article also writes in lower case ("Joint", "Cooperation" in names of things), nor
    a word of a proper name with an organisation or place word in it ("Shanghai Cooperation
    Organisation", "Black Sea"). Only such sentences are worth the pipeline's entities."""
    lex = load()
    blanked = lex.weapon_re.sub(_blank, lex.country_re.sub(_blank, sentence))
    first = re.search(r"[^\W\d_]", sentence)
    for run in _RUN_RE.finditer(blanked):
        words = run.group(0).split()
        if any(w in lex.not_name for w in words):
            continue
        for m in _TOKEN_RE.finditer(blanked, run.start(), run.end()):
            if m.start() == first.start():
                continue
            parts = m.group(0).split("-")  # "Trump-Putin talks"
            if not all(_explained(p, known, lowercase, lex) for p in parts):
                return True
    return False


def _blank(m: re.Match) -> str:
    return " " * len(m.group(0))


def _explained(tok: str, known: set[str], lowercase: set[str], lex: Lexicon) -> bool:
    return (not tok or skeleton(tok) in known or tok.lower() in lowercase or _is_place_or_org(tok, lex)
            or tok in lex.stopwords or tok in lex.calendar or tok.lower().strip(".") in lex.titlewords
            or tok.lower() in _MODIFIERS or tok in lex.names["region_words"] or _BRAND.search(tok) is not None)


def _article_fullest(forms: list[list[str]]) -> dict[tuple[str, ...], list[str]]:
    """Each multi-part name -> the longest name of the article it is a contiguous part of."""
    distinct = list(dict.fromkeys(tuple(f) for f in forms))  # a name said 1,000 times is one form
    padded = [(f, f" {' '.join(f)} ") for f in distinct]
    return {tokens: list(max((f for f, text in padded if f" {' '.join(tokens)} " in text), key=len))
            for tokens in distinct}


class PersonIndex:
    """The persons of one article and where each is mentioned."""

    def __init__(self, sentences: tuple[str, ...], parses: Parses | None = None):
        self._acc: dict[str, _Acc] = {}
        self._mentions: dict[str, list[Mention]] = {}  # meetings and permissions ask per sentence
        usable = _usable(sentences)
        hits = {s: list(_raw_mentions(s)) for s in usable}
        text = "\n".join(sentences)
        if parses is not None:
            lowercase = _lowercase_words(text)
            for s in parse_named(parses, entity_sentences(sentences)):
                hits[s] = hits[s] + _entity_hits(parses(s), text, lowercase)
        singles: list[tuple[list[str], str | None, bool, str]] = []
        multi: list[tuple[list[str], str | None, str]] = []
        for sentence in usable:
            for tokens, role, sure in _in_sentence(hits[sentence]):
                if len(tokens) == 1 and _initial(tokens[0]):
                    continue  # a lone initial is no name ("Xi", "Ng" are)
                if split_name(tokens)[0]:
                    multi.append((tokens, role, sentence))
                else:
                    singles.append((tokens, role, sure, sentence))
        fullest = _article_fullest([t for t, _, _ in multi])
        for tokens, role, sentence in multi:
            self._add(person_key(fullest[tuple(tokens)]), tokens, role, sentence)
        self._by_surname: dict[str, str] = {}
        # "Mohammed bin Salman": "Salman" alone is his father, the king; he is found by the whole
        # "Mohammed bin Salman", or by "Mohammed" when no one else of the article is called so
        self._patronyms: dict[tuple[str, str], str] = {}
        for key, acc in self._acc.items():
            name = self._name(acc).split()
            if len(name) > 2 and name[-2] in load().names["patronymic_particles"]:
                self._patronyms[(skeleton(name[-3]), skeleton(name[-1]))] = key
            else:
                self._by_surname.setdefault(_surname_key(name), key)
        given = load().given_names
        by_given: dict[str, list[str]] = {}
        for key, acc in self._acc.items():
            # "Wang Yi" ... "Mr. Wang", "Yoon Suk Yeol" ... "Yoon": a name that does not start
            # with a known given name may put the surname first (Chinese, Korean, Hungarian usage).
            first, *rest = self._name(acc).split()
            if len(rest) in (1, 2) and first not in given:
                self._by_surname.setdefault(skeleton(first), key)
            by_given.setdefault(skeleton(first), []).append(key)
        for key in self._patronyms.values():
            first = skeleton(self._name(self._acc[key]).split()[0])
            if len(by_given[first]) == 1:
                self._by_surname.setdefault(first, key)
        for key, acc in self._acc.items():
            # "Moussa Faki Mahamat" ... "Faki", "Luiz Inácio Lula da Silva" ... "Lula": a middle
            # name that is no known given name may be the one the article calls them by
            for middle in self._name(acc).split()[1:-1]:
                if middle[:1].isupper() and middle not in given and middle not in load().names["surname_particles"]:
                    self._by_surname.setdefault(skeleton(middle), key)
        for tokens, role, sure, sentence in singles:
            surname = _surname_key(tokens)
            key = self._by_surname.get(surname)
            if key is None and len(by_given.get(surname, ())) == 1:
                key = by_given[surname][0]  # "Crown Prince Saad bin Khalid" ... "Prince Saad"
            if key is None and role is None and not sure and _word_count(tokens[-1], text) < 2:
                continue  # "Meduza said" once: too weak to be a person without a title
            key = key or surname
            self._add(key, tokens, role, sentence)
            self._by_surname.setdefault(surname, key)

    def _add(self, key: str, tokens: list[str], role: str | None, sentence: str) -> None:
        acc = self._acc.setdefault(key, _Acc(evidence=sentence))
        form = " ".join(tokens)
        if form not in acc.forms:
            acc.forms.append(form)
        if role and role not in acc.roles and role not in load().honorifics:
            acc.roles.append(role)
            # "Canadian Ambassador to Japan": the country posted to is not the person's
            acc.country = acc.country or country_of(_POSTED_TO.sub("", role))

    @staticmethod
    def _name(acc: _Acc) -> str:
        return max(acc.forms, key=lambda f: len(f.split()))  # fullest form, first on ties

    def mentions(self, sentence: str) -> list[Mention]:
        """Surname mentions of known persons in a sentence, in order."""
        if sentence not in self._mentions:
            self._mentions[sentence] = [Mention(m.start(), m.end(), key) for m in _TOKEN_RE.finditer(sentence)
                                        if (key := self._key_at(sentence, m))]
        return self._mentions[sentence]

    def _key_at(self, sentence: str, m: re.Match) -> str | None:
        """The person a name word stands for; "X bin Y" is the person of that whole name."""
        if _BEFORE_PATRONYM.match(sentence, m.end()):
            return None  # the "X" of "X bin Y": told at "Y"
        given = _PATRONYM.search(sentence, 0, m.start())
        if given:
            return self._patronyms.get((skeleton(given.group(1)), skeleton(m.group(0))))
        return self._by_surname.get(skeleton(m.group(0)))

    def country(self, key: str) -> Country | None:
        acc = self._acc.get(key)
        return acc.country if acc else None

    def persons(self) -> list[Person]:
        out = []
        for key, acc in self._acc.items():
            name = self._name(acc)
            aliases = tuple(f for f in acc.forms if f != name)
            out.append(Person(key=key, name=name, evidence=acc.evidence, aliases=aliases,
                              roles=tuple(acc.roles), country=acc.country))
        return out


def _usable(sentences: Iterable[str]) -> list[str]:
    """"Foreign Minister Says Talks Failed": every word looks like a name; a photo caption
    names people the article does not report on."""
    caption = patterns().caption
    return [s for s in sentences if not _title_case(s) and not caption.search(s)]


@per_batch(ARTICLES)
def entity_sentences(sentences: tuple[str, ...]) -> tuple[str, ...]:
    """The sentences of one article whose entities PersonIndex reads: those with a capitalised
    word the patterns leave unexplained, each once (a sentence said twice is parsed, and its
    entities added, once)."""
    usable = _usable(sentences)
    known = {skeleton(t) for s in usable for tokens, _, _ in _raw_mentions(s) for t in tokens}
    lowercase = _lowercase_words("\n".join(sentences))
    return tuple(s for s in dict.fromkeys(usable) if _unexplained(s, known, lowercase))


def parse_named(parses: Parses, wanted: Sequence[str]) -> list[str]:
    """Parse these sentences for their entities (the cheap part), then fully those with a PERSON,
    whose parse the entity filters read; returns those."""
    parses.parse_all(wanted, entities_only=True)
    named = [s for s in wanted if any(e.label_ == "PERSON" for e in parses.entities(s).ents)]
    parses.parse_all(named)
    return named


def _title_case(sentence: str) -> bool:
    """A Title Case headline: no final stop, and nearly every longer word capitalised."""
    if sentence.rstrip().endswith((".", "!", "?", "\"", "”")):
        return False
    words = [w for w in _WORD_RE.findall(sentence) if len(w) > 3]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def has_pronoun(text: str) -> bool:
    return bool(_PRONOUN.search(text))
