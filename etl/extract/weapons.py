"""Weapon systems: lexicon aliases, plus a rule for model-number-like names the lexicon lacks."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from etl.extract.lexicon import load, slug
from etl.records import WeaponSystem

# "the X air defence system", "X missiles", "X fighter jets": X must carry a digit (model number).
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
}
_DIGIT = re.compile(r"\d")
_MODEL = r"(?P<model>[A-Z][A-Za-z]{0,10}-?\d{1,4}[A-Za-z0-9]{0,4}(?:[-/][A-Z0-9]{1,4})?)"


@dataclass(frozen=True)
class _Hit:
    key: str
    name: str
    kind: str | None
    wikidata: str | None
    mention: str


@lru_cache(maxsize=1)
def _unlisted_re() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(rf"(?<![\w-]){_MODEL}s?\s+(?:{words})\b"), kind) for words, kind in _KIND_WORDS.items()]


def _lexicon_hits(sentence: str) -> list[_Hit]:
    lex = load()
    out = []
    for m in lex.weapon_re.finditer(sentence):
        entry = lex.weapons[m.group(0)]
        if entry.context and not entry.context.search(sentence):
            continue
        out.append(_Hit(slug(entry.name), entry.name, entry.kind, entry.wikidata, m.group(0)))
    return out


def _unlisted_hits(sentence: str, known: set[str]) -> list[_Hit]:
    if not _DIGIT.search(sentence):
        return []  # every model name carries a digit
    out = []
    for rx, kind in _unlisted_re():
        for m in rx.finditer(sentence):
            model = m.group("model")
            if model in known or load().weapon_re.fullmatch(model):
                continue
            out.append(_Hit(slug(model), model, kind, None, model))
    return out


def weapons_in(sentence: str) -> list[_Hit]:
    """Weapon systems named in a sentence: lexicon aliases, then unlisted model numbers."""
    hits = _lexicon_hits(sentence)
    return hits + _unlisted_hits(sentence, {h.mention for h in hits})


def extract_weapons(sentences: tuple[str, ...]) -> list[WeaponSystem]:
    found: dict[str, tuple[_Hit, str, list[str]]] = {}
    for sentence in sentences:
        for hit in weapons_in(sentence):
            _, _, mentions = found.setdefault(hit.key, (hit, sentence, []))
            if hit.mention not in mentions:
                mentions.append(hit.mention)
    return [WeaponSystem(key=h.key, name=h.name, evidence=ev, mentions=tuple(ms), kind=h.kind, wikidata=h.wikidata)
            for h, ev, ms in found.values()]
