"""The lexicons under etl/extract/lexicons/ load, have the expected shape and resolve what rules ask of them."""
from __future__ import annotations

import re

import pytest

from etl.extract.lexicon import alternation, country_of, load, slug
from etl.resources import LEXICONS_DIR

KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def test_every_lexicon_file_loads():
    lex = load()
    assert len({c.key for c in lex.countries.values()}) >= 100
    assert len({w.name for w in lex.weapons.values()}) >= 80
    assert len(lex.titles) >= 40
    assert {"planned", "held", "speech_verbs"} <= set(lex.meetings)
    assert {"words", "gate", "anaphora_gate"} <= set(lex.permissions)
    assert lex.permission_patterns["patterns"]
    files = {p.name for p in LEXICONS_DIR.iterdir() if p.suffix in {".tsv", ".json"}}
    assert {"countries.tsv", "weapons.tsv", "titles.tsv", "meetings.json", "permissions.json", "junk.json"} <= files


def test_patriot_resolves_to_canonical_with_wikidata():
    lex = load()
    for alias in ("Patriot", "Patriots", "MIM-104"):
        entry = lex.weapons[alias]
        assert entry.name == "MIM-104 Patriot"
        assert entry.wikidata == "Q174968"
        assert entry.kind == "air defence system"


def test_every_weapon_has_kind_and_wellformed_wikidata():
    for entry in set(load().weapons.values()):
        assert entry.kind, entry.name
        assert entry.wikidata is None or re.fullmatch(r"Q\d+", entry.wikidata), entry.name
        assert KEY.match(slug(entry.name)), entry.name


@pytest.mark.parametrize("text,name,qid", [
    ("U.S.", "United States", "Q30"),
    ("Swedish", "Sweden", "Q34"),
    ("Ukraine’s", "Ukraine", "Q212"),
    ("the Czech Republic", "Czech Republic", "Q213"),
    ("Kremlin spokesman", "Russia", "Q159"),
    ("provided by Stockholm", "Sweden", "Q34"),
])
def test_country_forms_resolve(text, name, qid):
    country = country_of(text)
    assert country is not None and country.name == name and country.wikidata == qid
    assert KEY.match(country.key)


def test_country_of_unknown_is_none():
    assert country_of("a senior official") is None


def test_alternation_prefers_longest_phrase():
    rx = re.compile(alternation(["US", "USA", "U.S.", "Ukraine", "Ukrainian"]))
    assert [m.group(0) for m in rx.finditer("USA US U.S. Ukrainian Ukraine")] == ["USA", "US", "U.S.", "Ukrainian", "Ukraine"]


def test_translit_rules_compile_and_apply():
    lex = load()
    assert lex.translit
    for rx, _ in lex.translit:
        assert isinstance(rx, re.Pattern)


def test_no_weapon_alias_belongs_to_two_entries():
    owner: dict[str, str] = {}
    for line in (LEXICONS_DIR / "weapons.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, _, aliases, *_ = line.split("\t") + [""] * 4
        for alias in {name, *filter(None, (a.strip() for a in aliases.split("|")))}:
            assert owner.setdefault(alias, name) == name, f"{alias!r}: {owner[alias]} and {name}"


def test_every_weapon_alias_is_found_as_written():
    lex = load()
    for alias, entry in lex.weapons.items():
        m = lex.weapon_re.search(f"They sent {alias} to the front.")
        assert m and m.group(0) == alias and lex.weapons[m.group("alias")] is entry, alias
