"""A synthetic news corpus: the sample articles with their facts varied.

Each article is one sample (examples/articles/) with its people replaced by
invented ones, its countries, capitals and weapon systems shuffled from
etl/extract/lexicons/, its months and years moved, and a few paragraphs dropped.
Article i depends only on (seed, i), so a 1,000-article corpus is the first
1,000 of the 10,000 one; articles are written one at a time, never held together.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from etl.resources import LEXICONS_DIR

SAMPLES = Path(__file__).resolve().parent.parent / "examples" / "articles"

# Common given names (none of them a sample person's) and surname syllables: the
# invented people must be found by the same rules as real ones, never be real sample people.
GIVEN = ("Anna", "Maria", "Peter", "Ivan", "Laura", "Daniel", "Elena", "Martin", "Sofia", "Thomas",
         "Clara", "Jonas", "Petra", "Oscar", "Nina", "Marek", "Eva", "Adam", "Julia", "Viktor")
SYLLABLES = ("var", "lo", "mek", "dra", "sen", "tor", "bal", "ni", "kov", "ris", "ta", "hel", "mun", "dor",
             "ve", "sal", "gri", "pen", "os", "lu")
SURNAME_ENDINGS = ("", "ski", "enko", "son", "ov", "er", "ic")
MONTHS = ("January", "March", "May", "July", "August", "October", "December")  # 31 days: any day number stays valid
ALL_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")
_MONTH_NEAR_DIGIT = re.compile(
    r"(?<=\d )(?P<a>%s)\b|\b(?P<b>%s)(?=\.?,? \d)" % ("|".join(ALL_MONTHS), "|".join(ALL_MONTHS)))
_YEAR = re.compile(r"\b20[12]\d\b")


@dataclass(frozen=True)
class Template:
    """A sample article and the surface forms of the sample people in it."""

    name: str
    paragraphs: tuple[str, ...]
    people: tuple[tuple[str, ...], ...]  # each person's forms as written, longest first


@dataclass(frozen=True)
class Lexicon:
    """Countries and weapon systems as written, each form mapped to (entry index, kind)."""

    countries: tuple[dict[str, list[str]], ...]  # per country: kind -> forms
    weapons: tuple[tuple[str, ...], ...]  # per weapon system: aliases
    country_forms: dict[str, tuple[int, str]]
    weapon_forms: dict[str, int]
    country_re: re.Pattern[str]
    weapon_re: re.Pattern[str]


def _rows(name: str) -> list[list[str]]:
    lines = (LEXICONS_DIR / name).read_text(encoding="utf-8").splitlines()
    return [ln.split("\t") for ln in lines if ln.strip() and not ln.startswith("#")]


def _cells(row: list[str], i: int) -> list[str]:
    return [x for x in row[i].split("|") if x] if i < len(row) else []


def _words(forms: list[str]) -> re.Pattern[str]:
    # Longest first, so "the United States" wins over "United States"; case-sensitive like the lexicons.
    alts = "|".join(re.escape(f) for f in sorted(set(forms), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])")


@cache
def lexicon() -> Lexicon:
    countries, country_forms = [], {}
    for row in _rows("countries.tsv"):
        kinds = {"name": [row[0], *_cells(row, 2)], "demonym": _cells(row, 3), "capital": _cells(row, 4)}
        for kind, forms in kinds.items():
            for form in forms:
                country_forms.setdefault(form, (len(countries), kind))
        countries.append(kinds)
    weapons, weapon_forms = [], {}
    for row in _rows("weapons.tsv"):
        aliases = (row[0], *_cells(row, 3))
        for form in aliases:
            weapon_forms.setdefault(form, len(weapons))
        weapons.append(aliases)
    return Lexicon(tuple(countries), tuple(weapons), country_forms, weapon_forms,
                   _words(list(country_forms)), _words(list(weapon_forms)))


@cache
def templates() -> tuple[Template, ...]:
    """The samples, with their people found by newsgraph's own extractor (once per process)."""
    from etl.extract import extract
    from etl.read import read_article

    out = []
    for path in sorted(SAMPLES.glob("*.txt")):
        article = read_article(path)
        people = tuple(tuple(sorted({p.name, *p.aliases}, key=len, reverse=True)) for p in extract(article).persons)
        out.append(Template(path.stem, tuple(article.text.split("\n\n")), people))
    return tuple(out)


def invented_name(rng: random.Random) -> tuple[str, str]:
    surname = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))) + rng.choice(SURNAME_ENDINGS)
    return rng.choice(GIVEN), surname.capitalize()


def _person_map(t: Template, rng: random.Random) -> dict[str, str]:
    """Every form of every sample person -> the same form of one invented person."""
    out: dict[str, str] = {}
    for forms in t.people:
        given, surname = invented_name(rng)
        for form in forms:
            out.setdefault(form, f"{given} {surname}" if " " in form else surname)
    return out


def _country_form(kinds: dict[str, list[str]], kind: str, plural: bool) -> str:
    forms = kinds[kind] or kinds["name"]
    if plural and kind == "demonym":
        return next((f for f in forms if f.endswith("s")), forms[0])
    return forms[0]


def _vary(text: str, t: Template, rng: random.Random) -> str:
    lex = lexicon()
    people = _person_map(t, rng)
    if people:
        text = _words(list(people)).sub(lambda m: people[m[0]], text)
    order = rng.sample(range(len(lex.countries)), len(lex.countries))  # a permutation: distinct stays distinct

    def country(m: re.Match[str]) -> str:
        index, kind = lex.country_forms[m[0]]
        return _country_form(lex.countries[order[index]], kind, m[0].endswith("s"))

    text = lex.country_re.sub(country, text)
    weapons = rng.sample(range(len(lex.weapons)), len(lex.weapons))
    text = lex.weapon_re.sub(lambda m: lex.weapons[weapons[lex.weapon_forms[m[0]]]][0], text)
    month = {name: rng.choice(MONTHS) for name in ALL_MONTHS}
    text = _MONTH_NEAR_DIGIT.sub(lambda m: month[m[0]], text)
    shift = rng.randint(-4, 1)
    return _YEAR.sub(lambda m: str(int(m[0]) + shift), text)


def article_text(seed: int, i: int) -> str:
    """Article i of the corpus for `seed`: one sample, varied, some body paragraphs dropped."""
    rng = random.Random(f"{seed}:{i}")
    t = rng.choice(templates())
    head, body = t.paragraphs[:3], t.paragraphs[3:]  # the header (title, dateline) always stays
    kept = [p for p in body if rng.random() > 0.15]
    return _vary("\n\n".join((*head, *kept)), t, rng)


def write_corpus(dest: Path, size: int, seed: int = 0) -> Path:
    """Write `size` articles as dest/NNNNNN_sSEED.txt, one at a time; returns dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for i in range(size):
        (dest / f"{i:06d}_s{seed}.txt").write_text(article_text(seed, i), encoding="utf-8")
    return dest

