"""Persons within one article: patterns plus the trained pipeline's PERSON entities.

Every sentence here is invented. Filters of the entity path are tested twice: on what the real
model tags (through extract()), and on hand-made Docs whose entities are set by the test, so a
filter is checked even where the installed model happens to tag a sentence differently.
"""
from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from etl.extract import extract
from etl.extract.nlp import Parses
from etl.extract.persons import PersonIndex, _entity_hits, person_key, skeleton, split_name
from etl.records import Article, Extraction


def run(text: str) -> Extraction:
    return extract(Article(id="t", source="test", text=text, sha256=""))


def by_name(x: Extraction) -> dict:
    return {p.name: p for p in x.persons}


@pytest.fixture(scope="module")
def vocab():
    return spacy.blank("en").vocab


def doc(vocab, text: str, ents: list[str], pos: list[str] | None = None,
        heads: list[int] | None = None, deps: list[str] | None = None) -> Doc:
    """A Doc of whitespace-separated words with the given BIO entity tags (and parts of speech)."""
    words = text.split()
    return Doc(vocab, words=words, ents=ents, pos=pos or ["PROPN"] * len(words),
               heads=heads, deps=deps)


def names_of(hits) -> list[str]:
    return [" ".join(tokens) for tokens, _, _ in hits]


# --- both sources, one person per key -------------------------------------------------------------

def test_entity_finds_an_untitled_name_that_no_pattern_reaches():
    x = run("Tamar Okafor, who leads the delegation, said the talks would continue.\n")
    assert set(by_name(x)) == {"Tamar Okafor"}


def test_surname_alone_joins_the_full_name_found_by_either_source():
    x = run("The minister said talks with Tamar Okafor went on for hours.\n\n"
            "Okafor's visit to Lisbon is planned for April, and Okafor will speak there.\n")
    assert [(p.name, p.aliases) for p in x.persons] == [("Tamar Okafor", ("Okafor",))]


def test_mentions_return_persons_found_only_by_the_entity_recognizer():
    sentences = ("The minister said talks with Tamar Okafor went on for hours.", "Later Okafor left for Oslo.")
    index = PersonIndex(sentences, Parses())
    key = person_key(["Tamar", "Okafor"])
    assert [p.key for p in index.persons()] == [key]
    mention, = index.mentions(sentences[1])
    assert (mention.key, sentences[1][mention.start:mention.end]) == (key, "Okafor")


def test_only_sentences_with_an_unexplained_capitalised_word_are_parsed():
    sentences = ("Foreign Minister Ana Lima met Defence Minister Karl Brandt in Lisbon.",
                 "Lima said the talks with Brandt went well.",
                 "Then the delegation met Tamar Okafor.")
    parses = Parses()
    index = PersonIndex(sentences, parses)
    assert len(parses) == 1  # only the third: "Tamar", "Okafor" are explained by nothing else
    assert {p.name for p in index.persons()} == {"Ana Lima", "Karl Brandt", "Tamar Okafor"}


def test_without_a_parser_the_patterns_still_work():
    index = PersonIndex(("Foreign Minister Ana Lima met Tamar Okafor.",))
    assert [p.name for p in index.persons()] == ["Ana Lima"]


# --- names with particles, suffixes, surname first -------------------------------------------------

def test_capitalised_particle_starts_a_surname_not_a_given_name():
    x = run("Belgian Prime Minister Anton De Vries spoke in Ghent on Monday.\n\n"
            "\"We will help,\" De Vries said. De Vries's plan was welcomed.\n")
    assert [(p.name, p.key) for p in x.persons] == [("Anton De Vries", "a-vries")]
    assert split_name(["De", "Vries"]) == ([], ["De", "Vries"])


def test_generational_suffix_is_not_the_surname():
    x = run("Philippine President Ramon Alcaraz Jr. arrived in Hanoi on Tuesday.\n\n"
            "Alcaraz said the pact would help both countries.\n")
    assert len(x.persons) == 1 and x.persons[0].key == "r-alcaraz"


def test_royal_title_particles_and_a_given_name_alone():
    x = run("Crown Prince Faisal bin Tariq received the envoy in the capital on Monday.\n\n"
            "Prince Faisal thanked the envoy for the visit.\n")
    assert [p.name for p in x.persons] == ["Faisal bin Tariq"]
    assert x.persons[0].roles[0] == "Crown Prince"


def test_patronymic_puts_the_surname_first_and_a_shorter_form_is_the_same_person():
    x = run("The minister met his counterpart, Lieutenant General Rakhimov Dilshod Akmalovich, in Tashkent.\n\n"
            "Rakhimov Dilshod said the talks were useful. Rakhimov added that more would follow.\n")
    assert [(p.name, p.key) for p in x.persons] == [("Rakhimov Dilshod Akmalovich", person_key(["Dilshod", "Rakhimov"]))]


def test_arabic_article_belongs_to_the_surname_and_not_to_its_key():
    x = run("Iraqi Prime Minister Karim al-Zubaidi met the envoy in Baghdad.\n\nZubaidi said more talks would follow.\n")
    assert [(p.name, p.key) for p in x.persons] == [("Karim al-Zubaidi", "k-zubaidi")]
    assert skeleton("Al-Zubaidi") == skeleton("al-Zubaidi") == skeleton("Zubaidi")


def test_surname_first_three_part_name_resolves_its_first_word():
    x = run("South Korean President Choi Min Ho met the envoy in Seoul.\n\nChoi said the alliance was strong.\n")
    assert [p.name for p in x.persons] == ["Choi Min Ho"]


def test_editor_brackets_join_a_name():
    x = run("\"Today there will be a meeting with [Darius] Okonkwo to continue the talks,\" the minister said.\n\n"
            "Okonkwo arrived on Monday.\n")
    assert "Darius Okonkwo" in by_name(x) and "Darius" not in by_name(x)


def test_ambassador_to_a_country_is_a_title():
    x = run("He was accompanied by Canadian Ambassador to Japan Colin Mercer-Hay.\n")
    assert by_name(x)["Colin Mercer-Hay"].country.name == "Canada"


# --- junk the entity path must drop -----------------------------------------------------------------

def test_bylines_captions_and_photo_credits_give_no_persons():
    x = run("Ministers meet in Lisbon\n\nBy JANE ROE and PAUL STONE\n\n"
            "Defence Minister Karl Brandt met Foreign Minister Ana Lima in Lisbon on Monday.\n\n"
            "Deputy Minister Olga Brenner (L) is also seen. (Photo by Ivo Marsh/AFP via Getty Images)\n\n"
            "Reporting by Ruth Campbell; Editing by Omar Haddad\n")
    assert set(by_name(x)) == {"Karl Brandt", "Ana Lima"}


def test_leading_function_words_are_not_part_of_the_name(vocab):
    d = doc(vocab, "Although Hale urged restraint , the talks failed .",
            ["B-PERSON", "I-PERSON", "O", "O", "O", "O", "O", "O", "O"],
            pos=["SCONJ", "PROPN", "VERB", "NOUN", "PUNCT", "DET", "NOUN", "VERB", "PUNCT"])
    assert names_of(_entity_hits(d, d.text)) == ["Hale"]


def test_title_inside_the_entity_becomes_the_role(vocab):
    d = doc(vocab, "Talks with President Tamar Okafor ended .", ["O", "O", "B-PERSON", "I-PERSON", "I-PERSON", "O", "O"])
    hit, = _entity_hits(d, d.text)
    assert (hit[0], hit[1]) == (["Tamar", "Okafor"], "President")


@pytest.mark.parametrize("text,ents", [
    ("The talks with Maj. ended .", ["O", "O", "O", "B-PERSON", "O", "O"]),  # a rank alone
    ("He spoke to MARTA ROSS today .", ["O", "O", "O", "B-PERSON", "I-PERSON", "O", "O"]),  # ALL CAPS byline
    ("Sirens sounded in Kyiv again .", ["O", "O", "O", "B-PERSON", "O", "O"]),  # a place
    ("The Houthis fired again .", ["O", "B-PERSON", "O", "O", "O"]),  # a group takes an article
    ("Analysts at Lockheed Martin agreed .", ["O", "O", "O", "B-PERSON", "O", "O"]),  # a firm
    ("The crew of USS Henry Clay waited .", ["O", "O", "O", "O", "B-PERSON", "I-PERSON", "O", "O"]),  # a ship
    ("We saw Patriot batteries .", ["O", "O", "B-PERSON", "O", "O"]),  # a weapon
    ("Photo : Ivo Marsh /AFP", ["O", "O", "B-PERSON", "I-PERSON", "O"]),  # a credit
])
def test_entities_that_are_no_persons(vocab, text, ents):
    d = doc(vocab, text, ents)
    assert _entity_hits(d, d.text) == []


def test_possessive_is_cut_from_the_name(vocab):
    d = Doc(vocab, words=["Talks", "on", "Hale", "'s", "plan", "."], spaces=[True, True, False, True, False, False],
            ents=["O", "O", "B-PERSON", "I-PERSON", "O", "O"], pos=["NOUN", "ADP", "PROPN", "PART", "NOUN", "PUNCT"])
    assert names_of(_entity_hits(d, d.text)) == ["Hale"]


@pytest.mark.parametrize("text,ents,heads,deps", [
    ("Rammstein opened on Monday .", ["B-PERSON", "O", "O", "O", "O"], None, None),  # first in the sentence
    ("It flies at Mach 3 .", ["O", "O", "O", "B-PERSON", "O", "O"], None, None),  # before a number
    ("Its Brahvos missile flew .", ["O", "B-PERSON", "O", "O", "O"], [2, 2, 3, 3, 3],
     ["det", "compound", "nsubj", "ROOT", "punct"]),  # qualifies a common noun
    ("The talks with Russi", ["O", "O", "O", "B-PERSON"], None, None),  # cut off at the end of the page
    ("Aid came after Vorkuta and Irbitsk .", ["O", "O", "O", "B-PERSON", "O", "B-PRODUCT", "O"],
     [1, 1, 1, 2, 3, 3, 1], ["nsubj", "ROOT", "prep", "pobj", "cc", "conj", "punct"]),  # beside a named thing
])
def test_a_lone_word_seen_once_needs_a_place_where_a_name_stands(vocab, text, ents, heads, deps):
    pos = ["PROPN"] * len(text.split())
    if deps and len(pos) == 5:
        pos = ["DET", "PROPN", "NOUN", "VERB", "PUNCT"]
    d = doc(vocab, text, ents, pos=pos, heads=heads, deps=deps)
    (tokens, _, sure), = _entity_hits(d, d.text)
    assert len(tokens) == 1 and not sure
    d2 = doc(vocab, "The talks with Okafor ended .", ["O", "O", "O", "B-PERSON", "O", "O"])
    assert _entity_hits(d2, d2.text)[0][2]  # the same word where a name stands is enough


def test_a_lone_word_seen_once_and_not_sure_is_dropped():
    x = run("Analysts expect the Brahvos missile to fly again in spring, officials in Delhi said.\n")
    assert x.persons == []


def test_a_name_after_a_preposition_of_place_or_beside_a_place_is_a_place(vocab):
    near = doc(vocab, "Fighting continued near Vorkuta .", ["O", "O", "O", "B-PERSON", "O"],
               pos=["NOUN", "VERB", "ADP", "PROPN", "PUNCT"], heads=[1, 1, 1, 2, 1],
               deps=["nsubj", "ROOT", "prep", "pobj", "punct"])
    beside = doc(vocab, "Shelling hit Vorkuta and Irbitsk .", ["O", "O", "B-GPE", "O", "B-PERSON", "O"],
                 pos=["NOUN", "VERB", "PROPN", "CCONJ", "PROPN", "PUNCT"], heads=[1, 1, 1, 2, 2, 1],
                 deps=["nsubj", "ROOT", "dobj", "cc", "conj", "punct"])
    with_person = doc(vocab, "Talks continued with Okafor .", ["O", "O", "O", "B-PERSON", "O"],
                      pos=["NOUN", "VERB", "ADP", "PROPN", "PUNCT"], heads=[1, 1, 1, 2, 1],
                      deps=["nsubj", "ROOT", "prep", "pobj", "punct"])
    assert _entity_hits(near, near.text) == [] and _entity_hits(beside, beside.text) == []
    assert names_of(_entity_hits(with_person, with_person.text)) == ["Okafor"]


def test_initials_without_dots_and_parts_of_hyphenated_words():
    x = run("The minister welcomed Vice President TJ Harlow on Monday.\n\n"
            "It began with a Okafor-Lind meeting, and Harlow spoke after that.\n")
    assert [p.name for p in x.persons] == ["TJ Harlow"]


def test_a_country_may_be_a_given_name_where_the_recognizer_sees_a_person(vocab):
    d = doc(vocab, "Talks with Jordan Okafor ended .", ["O", "O", "B-PERSON", "I-PERSON", "O", "O"])
    assert names_of(_entity_hits(d, d.text)) == ["Jordan Okafor"]
    alone = doc(vocab, "Talks with Jordan ended .", ["O", "O", "B-PERSON", "O", "O"])
    assert _entity_hits(alone, alone.text) == []


def test_bill_is_a_given_name():
    x = run("The minister met CIA Director Bill Okafor in Vienna on Monday.\n")
    assert [p.name for p in x.persons] == ["Bill Okafor"]


def test_an_opening_participle_is_no_given_name(vocab):
    d = doc(vocab, "Meeting Okafor in Lagos , Hale said more .",
            ["B-PERSON", "I-PERSON", "O", "O", "O", "O", "O", "O", "O"])
    assert names_of(_entity_hits(d, d.text)) == ["Okafor"]


def test_a_role_between_commas_belongs_to_the_name_before_it():
    x = run("Karl Brandt, Germany's Defence Minister, General Tamar Okafor, and others visited the front.\n")
    people = by_name(x)
    assert people["Karl Brandt"].roles == ("Germany's Defence Minister",)
    assert "Germany's Defence Minister" not in people["Tamar Okafor"].roles


def test_a_weapon_word_inside_a_name_is_no_weapon(vocab):
    person = doc(vocab, "Talks with Tamar Abrams ended .", ["O", "O", "B-PERSON", "I-PERSON", "O", "O"])
    weapon = doc(vocab, "Talks on Abrams ended .", ["O", "O", "B-PERSON", "O", "O"])
    assert names_of(_entity_hits(person, person.text)) == ["Tamar Abrams"]
    assert _entity_hits(weapon, weapon.text) == []


@pytest.mark.parametrize("sentence,name", [
    ("Defence Minister Liang Jun met the envoy in Hanoi.", "Liang Jun"),  # a month's abbreviation
    ("Prime Minister Clara May met the envoy in Hanoi.", "Clara May"),  # a month's name
    ("The caption read: Foreign Minister Ana Lima May 5, 2024, in Hanoi.", "Ana Lima"),  # a date
])
def test_a_month_ends_a_name_only_before_a_day_number(sentence, name):
    assert [p.name for p in run(sentence + "\n").persons] == [name]


def test_two_letter_surnames_are_names_and_initials_are_not():
    x = run("Chinese Foreign Ministry spokesperson Wu Tao spoke on Monday.\n\nLater, Mr. Wu said talks would go on.\n\n"
            "Singapore's Minister for Defence Ng Kok Wah arrived. Dr Ng met the envoy.\n")
    people = by_name(x)
    assert set(people) == {"Wu Tao", "Ng Kok Wah"}
    assert "Ng" in people["Ng Kok Wah"].aliases and people["Wu Tao"].country.name == "China"
