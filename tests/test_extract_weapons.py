"""Weapon systems, with invented sentences per family: variants and designations of a lexicon
entry, warship classes, named ships, ambiguous aliases and generic phrases."""
from __future__ import annotations

import pytest

from etl.extract import extract, sentences_of
from etl.extract.weapons import extract_weapons, weapons_in
from etl.records import Article, WeaponSystem


def article(text: str) -> Article:
    return Article(id="t", source="test", text=text, sha256="", published=None)


def weapons(text: str) -> dict[str, WeaponSystem]:
    return {w.name: w for w in extract_weapons(sentences_of(article(text)))}


# --- variants and designations keep their entry's node -------------------------------------------

@pytest.mark.parametrize("sentence,name,mention", [
    ("Sweden offered JAS 39 Gripen E jets to Colombia.", "Saab JAS 39 Gripen", "JAS 39 Gripen E"),
    ("The air force flies Gripen C/D fighters.", "Saab JAS 39 Gripen", "Gripen C/D"),
    ("Paris sent more SCALP-EG missiles.", "Storm Shadow", "SCALP-EG"),
    ("Greece retired its Mirage 2000-5 fighters.", "Dassault Mirage 2000", "Mirage 2000-5"),
    ("Qatar flies the Mirage 2000-5F.", "Dassault Mirage 2000", "Mirage 2000-5F"),
    ("Berlin again refused to send the KEPD 350.", "Taurus KEPD 350", "KEPD 350"),
    ("The navy fired an SM-6 Block IA interceptor.", "SM-6", "SM-6 Block IA"),
    ("Canberra ordered Tomahawk Block V missiles.", "BGM-109 Tomahawk", "Tomahawk Block V"),
    ("Oslo will hand over F-16AM/BM jets.", "F-16 Fighting Falcon", "F-16AM/BM"),
    ("Kyiv received Patriot PAC-3 MSE interceptors.", "MIM-104 Patriot", "Patriot PAC-3 MSE"),
    ("The army tested the Agni-P missile.", "Agni", "Agni-P"),
    ("Moscow fired Iskander-M missiles.", "9K720 Iskander", "Iskander-M"),
    ("Warsaw bought Leopard 2A7 tanks.", "Leopard 2", "Leopard 2A7"),
    ("Taipei deployed Hsiung Feng III missiles on the coast.", "Hsiung Feng", "Hsiung Feng III"),
    ("India inducted the Tejas Mk1A fighter.", "HAL Tejas", "Tejas Mk1A"),
    ("Berlin ordered IRIS-T SLX batteries.", "IRIS-T", "IRIS-T SLX"),
])
def test_variant_suffix_keeps_the_entry(sentence, name, mention):
    found = weapons(sentence)
    assert list(found) == [name]
    assert found[name].mentions == (mention,)


def test_designations_and_variants_of_one_system_make_one_node():
    found = weapons("Denmark delivered F-16s. The F-16AM jets and two F-16BM trainers arrived. "
                    "Pilots trained on the F-16 Block 50 in Arizona.")
    assert list(found) == ["F-16 Fighting Falcon"]
    assert found["F-16 Fighting Falcon"].mentions == ("F-16s", "F-16AM", "F-16BM", "F-16 Block 50")


def test_a_family_name_with_a_number_is_its_own_system():
    # after a family name the number picks a missile; after a model number it is a variant
    found = weapons("Pyongyang fired a Hwasong-18, two Hwasong-19s and Mirage 2000-5 jets flew over a Hwasong.")
    assert set(found) == {"Hwasong-18", "Hwasong-19", "Hwasong", "Dassault Mirage 2000"}
    assert found["Hwasong-19"].mentions == ("Hwasong-19s",)
    assert found["Hwasong-18"].kind == found["Hwasong"].kind == "ballistic missile"


def test_spelled_out_name_with_its_abbreviation_is_one_mention():
    found = weapons("Tokyo may buy Standard Missile 6 (SM-6) Block I missiles.")
    assert found["SM-6"].mentions == ("Standard Missile 6 (SM-6)",)


def test_extended_range_jassm_is_its_own_system():
    # JASSM-ER (AGM-158B) has its own designation, unlike a Block or a sub-type letter
    found = weapons("The sale covers JASSM-ER missiles; older JASSM stocks stay in Europe.")
    assert set(found) == {"AGM-158B JASSM-ER", "AGM-158 JASSM"}


def test_unlisted_model_numbers_with_a_kind_word():
    found = weapons("Jets dropped GBU-31 bombs, a submarine fired Mk-50 torpedoes and militants launched M-75 rockets "
                    "at Type 26 frigates.")
    assert {n: w.kind for n, w in found.items()} == {
        "GBU-31": "bomb", "Mk-50": "torpedo", "M-75": "rocket", "Type 26": "frigate"}
    assert weapons("Apollo 11 rockets and Falcon 9 rockets flew; 2024 bombs fell.") == {}


def test_variant_needs_a_word_boundary():
    assert weapons("The Patriot-style system and the F-16-ish jet were mocked up.") == {}


# --- warship classes and named ships ----------------------------------------------------------

def test_class_with_a_ship_noun_is_a_class_node_lexicon_or_not():
    found = weapons("The navy chose Vardan-class stealth frigates to replace its Tolmo-class warships.")
    assert found["Vardan-class frigate"].kind == "frigate class"
    assert found["Tolmo-class warship"].kind == "warship class"
    assert found["Vardan-class frigate"].key == "vardan-class"


def test_class_mentions_merge_and_the_specific_noun_names_it():
    found = weapons("Canberra picked the Vardan-class ships. The Vardan-class frigates will be built locally. "
                    "The Vardan-class was the cheaper offer.")
    assert list(found) == ["Vardan-class frigate"]
    assert found["Vardan-class frigate"].mentions == ("Vardan-class ships", "Vardan-class frigates", "Vardan-class")


def test_multiword_class_names_lose_leading_determiners_and_demonyms():
    found = weapons("The Arleigh Burke-class destroyers escorted Japanese Hollen-class submarines.")
    assert set(found) == {"Arleigh Burke-class destroyer", "Hollen-class submarine"}


def test_class_name_spellings_make_one_node():
    found = weapons("Class talk\n\nThe Arleigh Burke-class destroyer left. An Arleigh-Burke class destroyer followed, "
                    "then an Arleigh-Burke Class destroyer.")
    assert list(found) == ["Arleigh Burke-class destroyer"]
    assert len(found["Arleigh Burke-class destroyer"].mentions) == 3


def test_lexicon_designation_with_class_stays_the_lexicon_entry():
    found = weapons("Two Type 052D-class destroyers sailed past the island.")
    assert list(found) == ["Type 052D destroyer"]


def test_bare_class_word_is_no_weapon_without_naval_talk():
    assert weapons("The Delmar-class of 2024 graduated on Friday.") == {}
    assert weapons("World-class facilities were opened at the naval base.") == {}
    assert weapons("Middle-class families paid more for business-class tickets.") == {}


def test_named_ships_by_navy_prefix():
    found = weapons("The frigate HMS Prince of Wales sailed with the USS Carl Vinson Strike Group "
                    "and the patrol ship BRP Ambo Dalisay on Tuesday.")
    assert set(found) == {"HMS Prince of Wales", "USS Carl Vinson", "BRP Ambo Dalisay"}
    assert found["HMS Prince of Wales"].kind == "frigate"
    assert found["USS Carl Vinson"].kind == "warship"


def test_ambiguous_ship_prefix_needs_naval_context():
    assert "JS Kirisame" in weapons("Officials toured the destroyer JS Kirisame at the base.")
    assert weapons("JS Foundation released a new framework on Monday.") == {}


def test_ship_named_by_its_type_without_prefix():
    found = weapons("A drone hit the cruiser Moskva, and the Kilo-class submarine Rostov-on-Don was damaged. "
                    "China's Fujian aircraft carrier sailed.")
    assert {n: w.kind for n, w in found.items()} == {
        "Moskva": "cruiser", "Kilo-class submarine": "submarine class", "Rostov-on-Don": "submarine",
        "Fujian": "aircraft carrier"}


@pytest.mark.parametrize("sentence", [
    "The frigate Australia chose is Japanese-built.",
    "The low-cost carrier Ryanair cut flights.",
    "Samsung's flagship Galaxy phone sold well.",
    "The Hunter frigate programme is late.",
])
def test_no_ship_name(sentence):
    assert weapons(sentence) == {}


def test_ambiguous_ship_prefix_confirmed_by_naval_talk_in_the_article():
    text = "Test flight\n\nIndia test-fired a missile from INS Kolvar on Monday. The navy called it a success."
    assert "INS Kolvar" in weapons(text)
    assert weapons("Test flight\n\nThe report came from INS Kolvar on Monday. It was a success.") == {}


def test_class_and_its_ship_are_two_nodes():
    found = weapons("The minister went aboard the Vardan-class frigate JS Tolmo in the port.")
    assert set(found) == {"Vardan-class frigate", "JS Tolmo"}
    assert found["JS Tolmo"].kind == "frigate"


def test_title_case_headline_names_only_what_the_body_confirms():
    found = weapons("Navy Picks Vardan-class Frigates Over Rival Bid\n\n"
                    "The navy picked the Vardan-class frigates on Monday.")
    assert list(found) == ["Vardan-class frigate"]
    assert weapons("Navy Picks Vardan-class Frigates Over Rival Bid\n\nThe decision was made on Monday.") == {}


# --- ambiguous aliases and generic phrases ----------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "The Patriot Act was renewed by Congress.",
    "She won gold in the Javelin at the national championships.",
    "Harpoon fishing is banned in the bay.",
    "Akash Mehta chaired the meeting of investors.",
    "Fighter jets, long-range missiles and American weapons were sent to the front.",
    "Ukraine asked for more air defence systems and cruise missiles.",
    "The Mistral wind battered the coast.",
])
def test_no_weapon_system(sentence):
    assert weapons(sentence) == {}


@pytest.mark.parametrize("sentence,name", [
    ("Germany will send a third Patriot battery.", "MIM-104 Patriot"),
    ("The army fired Javelin missiles at the column.", "FGM-148 Javelin"),
    ("Coastal Harpoon batteries guard the strait.", "Harpoon"),
    ("India tested the Akash surface-to-air missile.", "Akash"),
    ("Rome will send a second SAMP/T battery.", "SAMP/T"),  # a designation, no word: needs no context
])
def test_ambiguous_alias_with_context(sentence, name):
    assert list(weapons(sentence)) == [name]


def test_ambiguous_alias_confirmed_elsewhere_in_the_article():
    found = weapons("Air defence for the east\n\nKyiv wants more Patriot systems. Two Patriots for the east would save lives.")
    assert found["MIM-104 Patriot"].mentions == ("Patriot", "Patriots")
    assert found["MIM-104 Patriot"].evidence == "Kyiv wants more Patriot systems."


def test_weapons_in_reads_one_sentence_in_reading_order():
    hits = weapons_in("Norway sent NASAMS, then the frigate HMS Iron Duke, then Zeus-7 missiles.")
    assert [h.name for h in hits] == ["NASAMS", "HMS Iron Duke", "Zeus-7"]
    assert weapons_in("Two Patriots for the east would save lives.") == []


def test_permission_names_the_variant_as_written_and_links_the_node():
    x = extract(article("The United States has allowed Ukraine to use ATACMS Block 1A missiles against targets in Russia."))
    assert [w.name for w in x.weapons] == ["MGM-140 ATACMS"]
    assert [(p.weapon, p.weapon_system) for p in x.permissions] == [("ATACMS Block 1A", "mgm-140-atacms")]
