"""Weapon systems: lexicon entries with their variants, warship classes, named ships, and
model-number-like names the lexicon lacks.

All of it is regex over one sentence (no parse, it runs on every sentence). A lexicon alias
keeps its entry's node whatever designation follows it ("Gripen E", "SM-6 Block IA"; the
grammar is lexicons/weapon_forms.json). An ambiguous form ("Patriot" with no missile talk,
a bare "Mogami-class", a title-case headline) is kept only when the article names the same
system plainly elsewhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from etl.extract.lexicon import load, slug
from etl.records import WeaponSystem

# "the X air defence system", "X missiles", "GBU-31 bombs": X must carry a digit (model number).
_KIND_WORDS = {
    r"air[- ]defen[cs]e systems?": "air defence system",
    r"(?:cruise |ballistic |anti-ship |hypersonic )?missiles?": "missile",
    r"(?:fighter )?jets|fighter jets?|fighters|warplanes?": "fighter aircraft",
    r"bombers?": "bomber",
    r"helicopters?": "helicopter",
    r"tanks?": "tank",
    r"(?:self-propelled )?howitzers?": "howitzer",
    r"(?:multiple )?rocket launchers?|MLRS": "multiple rocket launcher",
    r"drones?|UAVs?": "drone",
    r"(?:armou?red |infantry fighting )vehicles?|IFVs?|APCs?": "armoured vehicle",
    r"(?:guided |artillery )?rockets?": "rocket",
    r"interceptors?": "interceptor",
    r"(?:glide |guided |bunker-buster |bunker-busting )?bombs?": "bomb",
    r"torpedo(?:es)?": "torpedo",
    r"loitering munitions?": "loitering munition",
}
_DIGIT = re.compile(r"\d")
_MEMBER = re.compile(r"-(?:\d{1,4}[A-Z]{0,2}|[IVX]{1,4})(?=s?$)")  # "-18", "-5B", "-V" after a family name
_WORDLIKE = re.compile(r"[A-Z]?[a-z'’]+(?:[ -][A-Z]?[a-z'’]+)*")  # "Patriot", "Black Hawks", "Carl Gustaf"
_MODEL = r"(?P<model>Type \d{2,3}[A-Z]{0,2}|(?:Mk|MK|Mark)\.? \d{1,3}[A-Z]?|[A-Z][A-Za-z]{0,10}-?\d{1,4}[A-Za-z0-9]{0,4}(?:[-/][A-Z0-9]{1,4})?)"
_NAME_WORD = r"(?:[A-Z][a-z]+(?:-[A-Z0-9]{1,3}|-[A-Z][a-z]+)?|[A-Z]{2,}|[A-Z]\.)"  # "Burke", "Buyan-M", "Arleigh-Burke", "ANZAC", "R."
_SHIP_WORD = r"(?:[A-Z][a-z'’]+(?:-(?:[a-z]{1,4}-)?[A-Z][a-z]+)?|[A-Z]\.)"  # "Moskva", "Rostov-on-Don", "D."
_PARTICLES = r"(?:of|de|da|del|la|the)"
_FUNCTION = r"(?:and|or|of|to|in|on|at|the|a|an|with|for|from|by|as|is|are|was|were|will|which|that)"
_SMALL = frozenset({"a", "an", "the", "of", "in", "on", "to", "for", "and", "with", "at", "by", "as", "or", "from"})


@dataclass(frozen=True)
class _Hit:
    key: str
    name: str
    kind: str | None
    wikidata: str | None
    mention: str
    start: int = 0
    end: int = 0
    sure: bool = True  # False: ambiguous here; kept only if the article confirms the key elsewhere
    rank: int = 0  # among one key's hits the highest rank names the node ("-class frigate" over "-class ships")
    naval: bool = False  # not sure, but sure enough in an article that talks about ships


@dataclass(frozen=True)
class _Rules:
    class_re: re.Pattern
    ship_re: re.Pattern
    # "the cruiser Moskva", "China's Fujian aircraft carrier" (not "the Hunter frigate": that is a class)
    noun_ship_re: re.Pattern
    plain_prefixes: frozenset[str]  # ship prefixes that name nothing else ("HMS"; not "JS", "INS")
    noun_before: re.Pattern  # a ship-type noun right before a ship's prefix: "the frigate JS ..."
    naval_nouns: tuple[tuple[re.Pattern, str], ...]  # specific noun -> its kind
    naval_context: re.Pattern
    unlisted: re.Pattern  # a model number, then a kind word in group k<i>
    unlisted_kinds: tuple[str, ...]  # the kind of group k<i>
    name_stop: frozenset[str]  # words a ship or class name never contains or starts after
    name_junk: frozenset[str]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    lex = load()
    forms = lex.weapon_forms
    nouns = [*forms["naval_nouns"].values(), forms["generic_ship_nouns"]]
    noun_alt = "|".join(f"(?:{n})" for n in nouns)
    class_re = re.compile(
        rf"(?<![\w.-])(?P<name>{_NAME_WORD}(?:\x20(?:{_NAME_WORD}|\d{{2,3}}[A-Z]{{0,2}})){{0,3}})[- ](?i:class)(?![\w-])"
        rf"(?:(?:\s+(?!(?i:{_FUNCTION})\b)[A-Za-z][a-z-]*){{0,3}}?\s+(?P<noun>(?i:{noun_alt})))?(?![\w-])")
    prefixes = "|".join(sorted(forms["ship_prefixes"] + forms["ambiguous_ship_prefixes"], key=len, reverse=True))
    ship_name = rf"{_SHIP_WORD}(?:\x20(?:{_PARTICLES}\x20)?{_SHIP_WORD}){{0,3}}"
    ship_re = re.compile(rf"(?<![\w.-])(?:{prefixes})\x20{ship_name}")
    one_ship = "|".join(f"(?:{n})" for n in forms["one_ship_nouns"])
    kinds = {**_KIND_WORDS, **{rx: kind for kind, rx in forms["naval_nouns"].items()}}
    kind_alt = "|".join(f"(?P<k{i}>{words})" for i, words in enumerate(kinds))
    stop = frozenset(forms["name_stop"]) | lex.stopwords | lex.calendar
    return _Rules(
        class_re=class_re,
        ship_re=ship_re,
        noun_ship_re=re.compile(
            rf"(?:\b[Tt]he|['’]s)\s+(?:(?:[A-Za-z-]+\s+){{0,3}}?(?P<noun>{one_ship})\s+(?P<name>{ship_name})"
            rf"|(?P<name2>{ship_name})\s+(?P<noun2>(?:aircraft|helicopter) carrier))(?![\w-])"),
        plain_prefixes=frozenset(forms["ship_prefixes"]),
        noun_before=re.compile(rf"(?i:(?P<noun>{noun_alt}))\s+(?:the\s+)?$"),
        naval_nouns=tuple((re.compile(rx, re.I), kind) for kind, rx in forms["naval_nouns"].items()),
        naval_context=re.compile(forms["naval_context"]),
        unlisted=re.compile(rf"(?<![\w-]){_MODEL}s?\s+(?:{kind_alt})\b"),
        unlisted_kinds=tuple(kinds.values()),
        name_stop=stop,
        name_junk=stop | frozenset(lex.countries) | frozenset(lex.demonyms) | lex.not_name,
    )


def _title_case(sentence: str) -> bool:
    """A headline in Title Case, where capitals no longer mark where a name starts or ends."""
    if sentence.rstrip().endswith((".", "!", "?", '"', "”")):
        return False  # prose, however many names it holds
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", sentence) if w.lower() not in _SMALL]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _ship_kind(noun: str | None) -> str | None:
    """The kind a ship-type noun names ("stealth frigates" -> frigate); None for ship/vessel/boat."""
    if noun:
        for rx, kind in _rules().naval_nouns:
            if rx.fullmatch(noun):
                return kind
    return None


def _overlaps(start: int, end: int, hits: list[_Hit]) -> bool:
    return any(h.start < end and start < h.end for h in hits)


def _member(alias: str, variant: str) -> str | None:
    """'Hwasong' + '-18' names its own missile; 'Mirage 2000' + '-5' or 'Iskander' + '-M' is a variant."""
    m = _MEMBER.fullmatch(variant) or _MEMBER.match(variant.removesuffix("s"))
    return alias + m.group(0) if m and alias[-1].isalpha() else None


def _lexicon_hits(sentence: str) -> list[_Hit]:
    """Aliases with their variant suffixes; "JAS 39 Gripen E" or "Standard Missile 6 (SM-6)" is one mention."""
    lex = load()
    spans: list[list] = []  # [start, end, entry, member of the entry's family or None]
    for m in lex.weapon_re.finditer(sentence):
        entry = lex.weapons[m.group("alias")]
        member = _member(m.group("alias"), m.group("variant"))
        last = spans[-1] if spans else None
        # "JAS 39" + "Gripen E": one mention, unless they name two members ("Hwasong-17/Hwasong-18")
        if last and last[2] is entry and (None in (last[3], member) or last[3] == member):
            gap = sentence[last[1]:m.start()]
            closed = gap == " (" and sentence.startswith(")", m.end())
            if gap in (" ", "/") or closed:
                last[1], last[3] = m.end() + closed, last[3] or member
                continue
        spans.append([m.start(), m.end(), entry, member])
    out = []
    for start, end, entry, member in spans:
        mention = sentence[start:end]
        # a designation ("SAMP/T", "Leopard 2A6", "Agni-V") is no ordinary word and needs no context
        sure = entry.context is None or not _WORDLIKE.fullmatch(mention) or bool(entry.context.search(sentence))
        name = member or entry.name
        out.append(_Hit(slug(name), name, entry.kind, None if member else entry.wikidata, mention, start, end, sure))
    return out


def _class_name(raw: str, title_case: bool) -> str:
    """'The Arleigh Burke' -> 'Arleigh Burke', 'Royal Australian Navy Hunter' -> 'Hunter'."""
    words = raw.split(" ")
    if title_case:  # only the word(s) touching "-class" are surely the name
        return " ".join(words[-2:] if words[-1][0].isdigit() else words[-1:])
    junk = _rules().name_junk
    cut = max((i + 1 for i, w in enumerate(words[:-1]) if w in junk), default=0)
    return " ".join(words[cut:])


def _class_hits(sentence: str, taken: list[_Hit]) -> list[_Hit]:
    """'<Name>-class frigates': a class node, lexicon entry or not."""
    if "lass" not in sentence:
        return []
    rules = _rules()
    title_case = _title_case(sentence)
    out = []
    for m in rules.class_re.finditer(sentence):
        if _overlaps(m.start(), m.end(), taken):
            continue
        name = _class_name(m.group("name"), title_case)
        if name in rules.name_stop or not name[0].isupper():
            continue
        noun = m.group("noun")
        kind = _ship_kind(noun)
        if kind:
            full, rank = f"{name}-class {kind}", 2
        elif noun:
            full, rank = f"{name}-class {noun.lower().removesuffix('s')}", 1
        else:
            full, rank = f"{name}-class", 0
        sure = not title_case and (noun is not None or bool(rules.naval_context.search(sentence)))
        mention = sentence[m.start("name") + m.group("name").rfind(name):m.end()]
        out.append(_Hit(slug(f"{name}-class"), full, f"{kind or 'warship'} class", None, mention,
                        m.start(), m.end(), sure, rank, naval=not title_case))
    return out


def _ship_hits(sentence: str, taken: list[_Hit]) -> list[_Hit]:
    """A ship by its navy prefix ('HMS Prince of Wales', 'BRP ...') or its type ('the cruiser Moskva')."""
    rules = _rules()
    title_case = None
    out = []
    for m in rules.ship_re.finditer(sentence):
        if _overlaps(m.start(), m.end(), taken):
            continue
        prefix, *words = m.group(0).split(" ")
        if title_case is None:
            title_case = _title_case(sentence)
        for i, w in enumerate(words):
            if w in rules.name_stop or (title_case and i > 0):
                words = words[:i]
                break
        words = [w.removesuffix("'s").removesuffix("’s") for w in words]
        while words and (re.fullmatch(_PARTICLES, words[-1]) or words[-1].endswith(".")):
            words.pop()
        if not words:
            continue
        name = " ".join([prefix, *words])
        before = rules.noun_before.search(sentence, max(0, m.start() - 60), m.start())  # a window: long input stays linear
        kind = _ship_kind(before.group("noun")) if before else None
        sure = not title_case and (prefix in rules.plain_prefixes or bool(rules.naval_context.search(sentence)))
        out.append(_Hit(slug(name), name, kind or "warship", None, name, m.start(), m.start() + len(name),
                        sure, 1 if kind else 0, naval=not title_case))
    for m in rules.noun_ship_re.finditer(sentence):
        name, noun = (m.group("name"), m.group("noun")) if m.group("name") else (m.group("name2"), m.group("noun2"))
        start = m.start("name") if m.group("name") else m.start("name2")
        name = name.removesuffix("'s").removesuffix("’s")
        words = name.split(" ")
        if (any(w in rules.name_junk for w in words) or words[0] in load().given_names
                or _overlaps(start, start + len(name), taken + out)):
            continue
        if title_case is None:
            title_case = _title_case(sentence)
        out.append(_Hit(slug(name), name, _ship_kind(noun) or "warship", None, name, start, start + len(name),
                        not title_case, 1))
    return out


def _unlisted_hits(sentence: str, taken: list[_Hit]) -> list[_Hit]:
    if not _DIGIT.search(sentence):
        return []  # every model name carries a digit
    rules = _rules()
    out = []
    for m in rules.unlisted.finditer(sentence):
        start, end = m.span("model")
        if _overlaps(start, end, taken):
            continue
        kind = rules.unlisted_kinds[int(m.lastgroup[1:])]
        out.append(_Hit(slug(m.group("model")), m.group("model"), kind, None, m.group("model"), start, end))
    return out


def _hits(sentence: str) -> list[_Hit]:
    """Every weapon-system form in a sentence, sure or not, in reading order."""
    hits = _lexicon_hits(sentence)
    hits += _class_hits(sentence, hits)
    hits += _ship_hits(sentence, hits)
    hits += _unlisted_hits(sentence, hits)
    return sorted(hits, key=lambda h: h.start)


def weapons_in(sentence: str) -> list[_Hit]:
    """Weapon systems one sentence names plainly, in reading order."""
    return [h for h in _hits(sentence) if h.sure]


def extract_weapons(sentences: tuple[str, ...]) -> list[WeaponSystem]:
    """One node per system: its highest-ranked sure hit names it, its first sure sentence is the evidence."""
    found: dict[str, list[tuple[str, _Hit]]] = {}
    for sentence in sentences:
        for hit in _hits(sentence):
            found.setdefault(hit.key, []).append((sentence, hit))
    _to_named_member(found)
    navy: bool | None = None  # does the article talk about ships? asked only when a hit needs it
    out = []
    for pairs in found.values():
        if navy is None and any(h.naval and not h.sure for _, h in pairs):
            navy = any(_rules().naval_context.search(s) for s in sentences)
        sure = [(s, h) for s, h in pairs if h.sure or (h.naval and navy)]
        if not sure:
            continue
        best = max(sure, key=lambda p: p[1].rank)[1]
        mentions = tuple(dict.fromkeys(h.mention for _, h in pairs))
        out.append(WeaponSystem(key=best.key, name=best.name, evidence=sure[0][0], mentions=mentions,
                                kind=best.kind, wikidata=best.wikidata))
    return out


def _family_word(hit: _Hit) -> str | None:
    """"Leopard" for a bare "Leopard(s)" hit of the entry "Leopard 2": the family name alone."""
    word = hit.mention[:-1] if hit.mention.endswith("s") and hit.mention[:-1] + " " in hit.name else hit.mention
    return word if hit.name.startswith(word + " ") else None


def _to_named_member(found: dict[str, list[tuple[str, _Hit]]]) -> None:
    """A bare family name ("the Leopard tanks") is the member of the family the article names
    ("Leopard 1"), when it names just one, not the entry the lexicon gives the bare name to."""
    for key, pairs in list(found.items()):
        for at, (sentence, hit) in enumerate(pairs):
            word = _family_word(hit)
            if word is None:
                continue
            named = {k: h for k, ps in found.items() if k != key for _, h in ps
                     if _family_word(h) is None and h.name.startswith(word + " ")}
            if len(named) != 1:
                continue
            member = next(iter(named.values()))
            pairs[at] = (sentence, replace(hit, key=member.key, name=member.name, kind=member.kind,
                                           wikidata=member.wikidata, rank=min(hit.rank, member.rank)))
        moved = [p for p in pairs if p[1].key != key]
        found[key] = [p for p in pairs if p[1].key == key]
        for sentence, hit in moved:
            found[hit.key].append((sentence, hit))
        if not found[key]:
            del found[key]
