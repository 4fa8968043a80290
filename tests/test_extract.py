"""etl.extract on invented articles (tests/data/extract/) and on the sample articles."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from etl.extract import extract, parse_ahead, sentences_of
from etl.extract.persons import person_key
from etl.records import Article, Extraction
from etl.extract.text import split_sentences

DATA = Path(__file__).parent / "data" / "extract"
SAMPLES = Path(__file__).resolve().parent.parent / "examples" / "articles"
KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def run(text: str, published: date | None = None) -> Extraction:
    return extract(Article(id="t", source="test", text=text, sha256="", published=published))


def run_file(name: str, published: date | None = None) -> Extraction:
    return run((DATA / name).read_text(encoding="utf-8"), published)


def names(x: Extraction) -> set[str]:
    return {p.name for p in x.persons}


def meeting_of(x: Extraction, *surnames: str):
    by_key = {p.key: p.name for p in x.persons}
    for m in x.meetings:
        who = {by_key[k].split()[-1] for k in m.participants}
        if who == set(surnames):
            return m
    raise AssertionError(f"no meeting of {surnames} in {[m.participants for m in x.meetings]}")


# --- persons -------------------------------------------------------------------------------------

def test_unseen_names_with_titles_get_role_and_country():
    x = run_file("meetings.txt")
    people = {p.name: p for p in x.persons}
    umerov = people["Rustem Umerov"]
    assert umerov.roles == ("Ukrainian Defense Minister",)
    assert umerov.country is not None and umerov.country.name == "Ukraine"
    assert people["Erik Lindqvist"].country.name == "Sweden"
    assert people["Tomasz Wrobel"].country.name == "Poland"


def test_senators_plural_title_yields_each_name_without_the_title():
    x = run("The bill is led by Senators Maria Lopez and Thomas Becker, who want more aid.")
    assert names(x) == {"Maria Lopez", "Thomas Becker"}
    assert all(p.roles == ("Senators",) for p in x.persons)


def test_apposition_and_speech_patterns():
    x = run("Marta Kowalczyk, the Polish foreign minister, arrived on Monday. "
            "\"We will help,\" Kowalczyk said. Jonas Weber said the plan was sound. Weber added more.")
    people = {p.name: p for p in x.persons}
    assert people["Marta Kowalczyk"].country.name == "Poland"
    assert "Kowalczyk" in people["Marta Kowalczyk"].aliases
    assert "Jonas Weber" in people


def test_generic_mentions_are_no_persons():
    x = run("A senior US official told reporters the talks went well. The Defense Minister said nothing. "
            "The General Staff said 40 drones were shot down.")
    assert x.persons == []


def test_non_ascii_and_multi_part_names():
    x = run("Danish Foreign Minister Lars Løkke Rasmussen met with Dutch Prime Minister Dick van der Berg in Copenhagen.")
    assert {"Lars Løkke Rasmussen", "Dick van der Berg"} <= names(x)
    assert all(KEY.match(p.key) for p in x.persons)


def test_surname_first_names_and_honorifics():
    x = run("Vietnam's foreign minister, Bui Thanh Son, met his Chinese counterpart, Zhao Lei, in Hanoi. "
            "Mr. Zhao told Ms. Lind, the Swedish envoy, that talks would go on.")
    assert {p.name for p in x.persons} >= {"Zhao Lei", "Bui Thanh Son"} and "Zhao" not in names(x)
    zhao = next(p for p in x.persons if p.name == "Zhao Lei")
    assert zhao.roles == ("Chinese counterpart",)  # "Mr." finds the name but is no role


def test_spelling_variants_share_one_key():
    assert person_key(["Anthony", "Blinken"]) == person_key(["Antony", "Blinken"])
    assert len({person_key(["Volodymyr", s]) for s in ("Zelensky", "Zelenskyy", "Zelenskiy")}) == 1
    assert person_key(["Serhii", "Nykyforov"]) == person_key(["Serhiy", "Nikiforov"])
    assert person_key(["Anthony", "Blinken"]) != person_key(["Donald", "Blinken"])
    assert person_key(["Ferdinand", "Marcos", "Jr."]) == person_key(["Ferdinand", "Marcos"])


def test_surname_alone_resolves_to_full_name_even_when_spelled_differently():
    x = run("Presidential adviser Mykhailo Podolyak spoke on Monday. Later, Podoliak said talks had stalled.")
    assert len(x.persons) == 1
    assert x.persons[0].name == "Mykhailo Podolyak"
    assert "Podoliak" in x.persons[0].aliases


# --- meetings ------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence,status", [
    ("Foreign Minister Ana Silva is to meet Foreign Minister Karl Brandt.", "planned"),
    ("Foreign Minister Ana Silva plans to meet Foreign Minister Karl Brandt.", "planned"),
    ("Foreign Minister Ana Silva is scheduled to meet Foreign Minister Karl Brandt.", "planned"),
    ("Foreign Minister Ana Silva met Foreign Minister Karl Brandt.", "held"),
    ("Foreign Minister Ana Silva held talks with Foreign Minister Karl Brandt.", "held"),
    ("Foreign Minister Ana Silva greeted Foreign Minister Karl Brandt at the start of their meeting.", "held"),
])
def test_meeting_status_follows_the_trigger(sentence, status):
    x = run(sentence)
    assert [m.status for m in x.meetings] == [status]
    assert set(meeting_of(x, "Silva", "Brandt").participants) == {p.key for p in x.persons}


def test_weekdays_resolve_against_publication_date():
    x = run_file("meetings.txt", published=date(2024, 5, 15))  # a Wednesday
    assert meeting_of(x, "Umerov", "Lindqvist").date == date(2024, 5, 14)  # "met ... on Tuesday"
    assert meeting_of(x, "Ozols", "Petrauskas").date == date(2024, 5, 17)  # "is to meet ... on Friday"
    assert meeting_of(x, "Petrauskas", "Virtanen").date is None  # "next month"


def test_unknown_date_stays_none():
    x = run_file("meetings.txt")
    assert x.meetings and all(m.date is None for m in x.meetings)


def test_meeting_place_and_counts():
    x = run_file("meetings.txt", published=date(2024, 5, 15))
    assert meeting_of(x, "Umerov", "Lindqvist").place == "Stockholm"
    assert meeting_of(x, "Umerov", "Lindqvist").topics == ("air defence",)
    assert meeting_of(x, "Virtanen", "Tamm").place == "Tallinn"
    assert meeting_of(x, "Virtanen", "Tamm").status == "held"
    assert meeting_of(x, "Ozols", "Wrobel").status == "planned"
    assert len(x.meetings) == 5  # "refused to meet" is no meeting


def test_place_in_geneva():
    x = run("This Friday, US Secretary of State Mark Hill also plans to meet Russian Foreign Minister Ivan Popov for talks in Geneva.")
    assert meeting_of(x, "Hill", "Popov").place == "Geneva"


def test_place_of_a_planned_trip():
    x = run("Finnish Prime Minister Aino Lehto will travel to Ottawa next week to meet Canadian Prime Minister Paul Roy.")
    assert meeting_of(x, "Lehto", "Roy").place == "Ottawa"


def test_place_where_they_met_beats_a_later_mention():
    x = run("NATO Secretary General Jan Berg arrived in Kyiv and met Ukrainian President Ivan Koval, his first trip to Ukraine.")
    assert meeting_of(x, "Berg", "Koval").place == "Kyiv"


def test_sat_down_with_and_an_upper_case_dateline():
    x = run("RIGA, Latvia — Estonian Foreign Minister Kadri Saar arrived on Monday. Saar sat down with Latvian "
            "Prime Minister Ilze Berzina.")
    assert meeting_of(x, "Saar", "Berzina").place == "Riga"


def test_meeting_participants_are_persons():
    for path in sorted(SAMPLES.glob("*.txt")) + sorted(DATA.glob("*.txt")):
        x = run(path.read_text(encoding="utf-8"))
        keys = {p.key for p in x.persons}
        for m in x.meetings:
            assert len(m.participants) >= 2 and set(m.participants) <= keys


# --- weapons -------------------------------------------------------------------------------------

def test_weapon_alias_maps_to_canonical():
    x = run("Two Patriots and more F-16s will arrive, while Kyiv also asked for the Patriot system.")
    weapons = {w.name: w for w in x.weapons}
    assert set(weapons) == {"MIM-104 Patriot", "F-16 Fighting Falcon"}
    assert weapons["MIM-104 Patriot"].wikidata == "Q174968"
    assert set(weapons["MIM-104 Patriot"].mentions) == {"Patriots", "Patriot"}
    assert weapons["MIM-104 Patriot"].key == "mim-104-patriot"


def test_unlisted_weapon_needs_model_number_and_kind_word():
    x = run("Germany will send the new Skyranger-30 air defence systems and Zeus-7 missiles by summer.")
    kinds = {w.name: w.kind for w in x.weapons}
    assert kinds == {"Skyranger-30": "air defence system", "Zeus-7": "missile"}
    assert run("The Falcon air defence system and Thunder missiles were shown.").weapons == []


def test_ambiguous_alias_needs_context():
    assert run("Former general Creighton Abrams was honoured.").weapons == []
    assert [w.name for w in run("Poland received more Abrams tanks.").weapons] == ["M1 Abrams"]


# --- permissions ---------------------------------------------------------------------------------

def _perms(x: Extraction) -> dict[str, str]:
    return {p.grantor.name: p.status for p in x.permissions if p.grantor}


def test_reported_permission_yields_one_per_grantor():
    x = run_file("permissions.txt", published=date(2024, 5, 31))
    perms = _perms(x)
    for country in ("Slovenia", "Croatia", "Portugal"):
        assert perms[country] == "granted"
    assert all(p.grantee.name == "Ukraine" for p in x.permissions)


def test_speaker_grants_and_statuses():
    x = run_file("permissions.txt", published=date(2024, 5, 31))
    perms = _perms(x)
    assert perms["Norway"] == "granted"
    norway = next(p for p in x.permissions if p.grantor and p.grantor.name == "Norway")
    assert norway.grantor_person == next(p.key for p in x.persons if p.name == "Lars Haugen")
    assert norway.date == date(2024, 5, 2)
    assert norway.weapon == "Norwegian weapons"
    assert perms["Germany"] == "restricted"
    assert perms["Italy"] == "refused"


def test_calls_and_hypotheticals_are_no_permissions():
    x = run_file("permissions.txt", published=date(2024, 5, 31))
    assert "Hungary" not in _perms(x)
    assert len(x.permissions) == 6


def test_named_system_and_scope():
    x = run("Britain has given Ukraine permission to use Storm Shadow missiles against targets in the Kursk region.")
    (p,) = x.permissions
    assert (p.grantor.name, p.grantee.name, p.status) == ("United Kingdom", "Ukraine", "granted")
    assert p.weapon_system == "storm-shadow"
    assert p.scope == "Kursk region"


@pytest.mark.parametrize("sentence, status", [
    ("Belgium, however, has not allowed Ukraine to use its missiles against targets inside Russia.", "refused"),
    ("Belgium, for its part, has allowed Ukraine to use its missiles against targets inside Russia.", "granted"),
    ("Belgium said it would not restrict Ukraine's use of the jets it is supplying.", "granted"),
    ("Belgium continues to restrict Ukraine's use of the jets it is supplying.", "restricted"),
    ("Belgium said it had no objection to Ukraine using the jets to strike targets in Russia.", "granted"),
    ("Belgium does not object to Ukraine's use of its missiles against targets inside Russia.", "granted"),
    ("Belgium has removed range restrictions on Ukraine's use of the missiles it supplied.", "granted"),
    ("Belgium does not restrict how Ukraine uses the weapons it provides, its minister said.", "granted"),
    ("Belgium still restricts where Ukraine can use the missiles it supplied.", "restricted"),
    ("Belgium places no range restrictions on how Ukraine uses the jets it has received.", "granted"),
    ("Belgium would not stop Ukraine from using Belgian-supplied weapons against targets in Russia.", "granted"),
    ("Belgium has blocked Ukraine from using its missiles against targets in Russia.", "restricted"),
])
def test_interrupted_and_negated_permissions(sentence, status):
    (p,) = run(sentence).permissions
    assert (p.grantor.name, p.grantee.name, p.status) == ("Belgium", "Ukraine", status)


def test_speaker_restricts_their_own_weapons():
    x = run("Ukraine wants more help. Belgian Foreign Minister Paul Claes reiterated that Belgian weapons cannot be used "
            "on Russian territory.")
    (p,) = x.permissions
    assert (p.grantor.name, p.grantee.name, p.status, p.scope) == ("Belgium", "Ukraine", "restricted", "Russian territory")




# --- page junk -----------------------------------------------------------------------------------

def test_sidebar_after_marker_yields_nothing():
    x = run_file("sidebar.txt")
    assert names(x) == {"Andriy Kovalenko"}
    assert x.meetings == [] and x.permissions == [] and x.weapons == []


def test_page_of_only_junk_yields_nothing():
    x = run_file("junk_only.txt")
    assert (x.persons, x.meetings, x.weapons, x.permissions) == ([], [], [], [])


def test_duplicated_caption_is_dropped_but_headline_kept():
    text = ("Silva, Brandt Meet Amid Border Tensions\n\n"
            "Chancellor Hans Ritter visits a factory in Munich, May 3, 2024.\n"
            "Chancellor Hans Ritter visits a factory in Munich, May 3, 2024. © IMAGO / SNA\n\n"
            "Foreign Minister Ana Silva spoke with reporters. Foreign Minister Karl Brandt said little.\n")
    x = run(text)
    assert names(x) == {"Ana Silva", "Karl Brandt"}
    assert meeting_of(x, "Silva", "Brandt").status == "held"
    assert meeting_of(x, "Silva", "Brandt").evidence == "Silva, Brandt Meet Amid Border Tensions"


def test_sentence_splitter_keeps_abbreviations():
    text = "U.S. Secretary of State Anna Gray spoke in Riga, Latvia, Dec. 1, 2021. She left. Then Mr. Lee came."
    assert split_sentences(text) == ["U.S. Secretary of State Anna Gray spoke in Riga, Latvia, Dec. 1, 2021.",
                                     "She left.", "Then Mr. Lee came."]


# --- the sample articles -------------------------------------------------------------------------

def sample(stem: str, published: date | None = None) -> Extraction:
    path = next(SAMPLES.glob(f"{stem}_*.txt"))
    return extract(Article(id=path.stem, source=str(path), text=path.read_text(encoding="utf-8"),
                           sha256="", published=published))


def test_sample_meeting_in_kyiv_on_publication_day():
    x = sample("000", published=date(2024, 5, 14))
    m = meeting_of(x, "Zelenskyy", "Blinken")
    assert (m.status, m.date, m.place) == ("held", date(2024, 5, 14), "Kyiv")
    assert "Paulius Saudargas" not in names(x)  # sidebar
    assert [w.name for w in x.weapons] == ["MIM-104 Patriot"]


def test_sample_planned_meetings_and_caption_junk():
    x = sample("002")
    assert {m.status for m in x.meetings} == {"planned"}
    assert meeting_of(x, "Blinken", "Lavrov").place == "Geneva"
    assert "Jill Stein" not in names(x) and "Kamala Harris" not in names(x)


def test_sample_weekday_resolved_from_caption_date():
    x = sample("003")
    assert meeting_of(x, "Blinken", "Kuleba").date == date(2021, 12, 2)
    assert meeting_of(x, "Blinken", "Lavrov").status == "held"


def test_sample_permissions():
    x = sample("004", published=date(2024, 5, 31))
    perms = {(p.grantor.name, p.status) for p in x.permissions}
    assert ("United States", "granted") in perms and ("United States", "restricted") in perms
    assert ("Denmark", "granted") in perms and ("Norway", "granted") not in perms
    danish = next(p for p in x.permissions if p.grantor.name == "Denmark")
    assert danish.weapon_system == "f-16-fighting-falcon" and danish.date == date(2024, 5, 30)
    assert len(x.permissions) == 14


def test_sample_evidence_is_copied_from_the_text_and_output_is_deterministic():
    for path in sorted(SAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        article = Article(id=path.stem, source=str(path), text=text, sha256="")
        x = extract(article)
        flat = " ".join(text.split())
        for fact in [*x.persons, *x.meetings, *x.weapons, *x.permissions]:
            assert " ".join(fact.evidence.split()) in flat
        assert extract(article) == x
        assert all(KEY.match(p.key) for p in x.persons)
        assert sentences_of(article)


def test_title_case_headline_makes_no_persons_but_resolves_known_ones():
    x = run("Foreign Minister Says Talks With Moscow Failed\n\n"
            "Foreign Minister Ana Silva spoke on Monday. Silva said the talks failed.\n")
    assert names(x) == {"Ana Silva"}


def test_common_first_name_finds_untitled_person():
    x = run("The report was written by Olena Kovalchuk and presented on Monday.")
    assert names(x) == {"Olena Kovalchuk"}
    assert run("The Kharkiv Region Council met on Monday.").persons == []


def test_file_photo_date_does_not_anchor_weekdays():
    text = ("Foreign Minister Ana Silva will meet Foreign Minister Karl Brandt on Friday.\n"
            "FILE - Foreign Minister Ana Silva speaks in Lisbon, March 21, 2019.\n")
    assert run(text).meetings[0].date is None


def test_month_is_no_place():
    x = run("Foreign Minister Ana Silva met Foreign Minister Karl Brandt in March.")
    assert x.meetings[0].place is None


def test_negated_and_reluctant_grants():
    x = run("The US has not allowed Ukraine to use ATACMS against targets in Russia, officials said. "
            "Germany has been reluctant to allow Ukraine to use Taurus missiles.")
    assert [(p.grantor.name, p.status) for p in x.permissions] == [("United States", "refused")]


def test_inline_related_link_is_dropped_but_article_goes_on():
    text = ("Leaders meet in Warsaw\n\n"
            "Related: Foreign Minister Karl Brandt met with Foreign Minister Ana Silva in Paris\n\n"
            "Ukrainian President Oleksandr Melnyk met Polish President Jan Nowak in Warsaw.\n\n"
            "Oleksandr Melnyk and Jan Nowak in Warsaw. Photograph: Tobias Braun/AFP/Getty Images\n")
    x = run(text)
    assert names(x) == {"Oleksandr Melnyk", "Jan Nowak"}
    (m,) = x.meetings
    assert m.place == "Warsaw" and m.evidence.startswith("Ukrainian President")


def test_initials_in_names():
    x = run("Vice President J.D. Vance met with Ukrainian President Oleksandr Melnyk in Munich.")
    assert names(x) == {"J.D. Vance", "Oleksandr Melnyk"}
    assert meeting_of(x, "Vance", "Melnyk").place == "Munich"


def test_single_paragraph_article_is_split_into_sentences():
    text = ("Ukrainian Defense Minister Rustem Umerov met with Swedish Defence Minister Erik Lindqvist in "
            "Stockholm to discuss air defence. They agreed on more aid. Umerov said more IRIS-T systems would come.")
    art = Article(id="t", source="test", text=text, sha256="")
    assert len(sentences_of(art)) == 3
    assert len(extract(art).meetings) == 1


def test_media_and_acronyms_are_no_persons():
    x = run("Der Spiegel said the talks failed. Al Jazeera said more. RBC-Ukraine said so. RBC-Ukraine said again.")
    assert x.persons == []


def test_text_after_a_bare_marker_is_cut():
    text = ("Foreign Minister Ana Silva met Foreign Minister Karl Brandt in Lisbon.\n\n"
            "Read also:\n\n"
            "Defense Minister Pavel Novak held talks with Prime Minister Ivo Horvat in Zagreb on Monday.\n")
    x = run(text)
    assert names(x) == {"Ana Silva", "Karl Brandt"}
    assert len(x.meetings) == 1


def test_a_role_goes_on_past_the_country_to_the_office():
    x = run("Olena Hrytsenko, head of the Ukrainian presidential office, said talks went well. "
            "Chief of the Polish General Staff Tomasz Wrona told reporters the army was ready. "
            "The head of the Danish armed forces, Mette Lund, agreed.")
    roles = {p.name: p.roles for p in x.persons}
    assert roles == {"Olena Hrytsenko": ("head of the Ukrainian presidential office",),
                     "Tomasz Wrona": ("Chief of the Polish General Staff",),
                     "Mette Lund": ("head of the Danish armed forces",)}


def test_received_and_welcomed_are_meetings_only_with_a_person_after_them():
    x = run("Turkish President Kemal Aydin received Hungarian Prime Minister Laszlo Farkas in Ankara on Tuesday. "
            "Italian Prime Minister Chiara Conti welcomed Japanese Prime Minister Kenji Mori to Rome. "
            "Aydin later received a phone call from French President Luc Moreau. "
            "Conti welcomed the decision by German Chancellor Otto Weber. Aydin received Moreau's call on Friday.")
    assert meeting_of(x, "Aydin", "Farkas").place == "Ankara"
    assert meeting_of(x, "Conti", "Mori").status == "held"
    assert len(x.meetings) == 2


def test_the_place_of_a_visit_is_where_the_meeting_was():
    x = run("Swedish Defence Minister Erik Lind visited Kyiv on Wednesday, where he met Ukrainian Defence Minister "
            "Taras Bondar.")
    assert meeting_of(x, "Lind", "Bondar").place == "Kyiv"


def test_a_name_seen_whole_and_in_part_in_one_sentence_is_one_person():
    x = run("Spanish Foreign Minister José Manuel Ortega and his Greek counterpart Nikos Pappas met in Athens.")
    assert names(x) == {"José Manuel Ortega", "Nikos Pappas"}


def test_organisations_stand_before_titles_but_are_no_country():
    x = run("NATO Secretary General Lars Holm met Ukrainian President Ivan Bondar in Brussels. "
            "Anna Berg, the EU's foreign policy chief, said the bloc would keep up its support.")
    people = {p.name: p for p in x.persons}
    assert people["Lars Holm"].roles == ("NATO Secretary General",) and people["Lars Holm"].country is None
    assert people["Anna Berg"].roles == ("the EU's foreign policy chief",) and people["Anna Berg"].country is None
    assert set(people) == {"Lars Holm", "Ivan Bondar", "Anna Berg"}


@pytest.mark.parametrize("sentence, grantor, status", [
    ("Ukraine has been given permission by Norway to use Norwegian-made missiles on Russian territory.", "Norway", "granted"),
    ("Kyiv has also received the go-ahead from Finland to strike Russian airfields with its missiles.", "Finland", "granted"),
    ("Ukraine was refused permission by Austria to fire the missiles into Russia.", "Austria", "refused"),
    ("Ukraine needs more arms. Sweden has allowed its weapons to be used against targets in Russia.", "Sweden", "granted"),
    ("Ukraine thanked Sweden for its help. Sweden has not allowed its weapons to be used against targets in Russia, "
     "deep inside Russia.", "Sweden", "refused"),  # the most named country is the grantor, and Russia a target
    ("Ukraine needs more arms. Spain, by contrast, says its weapons may only be used on Ukrainian territory.", "Spain", "restricted"),
])
def test_passive_and_implied_grantee_permissions(sentence, grantor, status):
    (p,) = run(sentence).permissions
    assert (p.grantor.name, p.grantee.name, p.status) == (grantor, "Ukraine", status)


def test_travelling_for_talks_is_a_meeting_there():
    x = run("British Prime Minister Tom Hale will travel to Ottawa next week for talks with Canadian Prime Minister "
            "Anne Leduc. Leduc flew to Rome on Monday for talks with Italian President Carlo Neri.")
    planned, held = meeting_of(x, "Hale", "Leduc"), meeting_of(x, "Leduc", "Neri")
    assert (planned.status, planned.place) == ("planned", "Ottawa")
    assert (held.status, held.place) == ("held", "Rome")


def test_an_ambiguous_weapon_name_needs_weapon_talk():
    assert [w.name for w in run("France supplied Mistral missiles to Ukraine.").weapons] == ["Mistral"]
    assert run("The Mistral wind battered the coast of France on Monday.").weapons == []


def test_meetings_in_progress_and_qualified_meetings():
    x = run("Ukrainian President Taras Melnyk is meeting Danish Prime Minister Freja Holm in Copenhagen today. "
            "Melnyk held a bilateral meeting with Norwegian Prime Minister Lars Dahl. "
            "The cabinet held a meeting on Monday.")
    assert meeting_of(x, "Melnyk", "Holm").place == "Copenhagen"
    assert meeting_of(x, "Melnyk", "Dahl").status == "held"
    assert len(x.meetings) == 2


def test_a_surname_that_is_a_country_name():
    x = run("Spanish Prime Minister Pedro Sanz met Portuguese Prime Minister Luís Montenegro in Madrid. "
            "Ukrainian President Taras Melnyk thanked Montenegro for its support.")
    assert names(x) == {"Pedro Sanz", "Luís Montenegro", "Taras Melnyk"}
    assert meeting_of(x, "Sanz", "Montenegro").place == "Madrid"


@pytest.mark.parametrize("sentence, grantor, status", [
    ("Ukraine can now use ATACMS to strike targets inside Russia, the Pentagon said on Tuesday.", "United States", "granted"),
    ("Ukraine still cannot use the Storm Shadow missiles against Russia, British officials said.", "United Kingdom", "restricted"),
    ("German Chancellor Olaf Brandt has repeatedly ruled out allowing Kyiv to use Taurus missiles against Russia.",
     "Germany", "refused"),
])
def test_attribution_after_the_claim_and_ruling_out(sentence, grantor, status):
    (p,) = run(sentence).permissions
    assert (p.grantor.name, p.grantee.name, p.status) == (grantor, "Ukraine", status)


def test_a_trailing_speaker_with_no_country_grants_nothing():
    assert run("Ukraine can now use ATACMS against Russia, analyst Jan Novak said.").permissions == []


@pytest.mark.parametrize("dateline", ["KYIV, March 14 (Reuters) - ", "KYIV, Ukraine (AP) — ", "KYIV (Reuters) - "])
def test_wire_datelines_place_a_meeting_with_no_place_of_its_own(dateline):
    x = run(f"{dateline}Allies gathered on Friday.\n\nTaras Melnyk met British Defence Secretary Tom Hale, his office said.")
    assert meeting_of(x, "Melnyk", "Hale").place == "Kyiv"


def test_the_target_country_grants_nothing():
    x = run("Ukraine can now use ATACMS against targets in Russia, Russian officials said on Monday.")
    assert x.permissions == []


def _samples() -> list[Article]:
    return [Article(id=p.stem, source=str(p), text=p.read_text(encoding="utf-8"), sha256="")
            for p in sorted(SAMPLES.glob("*.txt"))]


def test_parsing_a_batch_ahead_changes_no_fact() -> None:
    articles = _samples()
    parses = parse_ahead(articles)
    assert [extract(a, parses) for a in articles] == [extract(a) for a in articles]


def test_a_batch_is_parsed_in_one_spacy_call_per_kind(monkeypatch) -> None:
    """Entities, the full parse of the sentences with a person, the structure of permission
    candidates: three calls for the whole batch, where article by article makes several each."""
    from spacy.language import Language

    articles = _samples()
    calls: list[int] = []
    real_pipe = Language.pipe

    def counted(self, texts, **kw):
        texts = list(texts)
        calls.append(len(texts))
        return real_pipe(self, texts, **kw)

    monkeypatch.setattr(Language, "pipe", counted)
    parses = parse_ahead(articles)
    assert len(calls) <= 3 and sum(calls) == len(parses) > len(articles)
    calls.clear()
    for a in articles:
        extract(a)
    assert len(calls) > 3


def test_a_batch_of_huge_pages_is_parsed_ahead_only_up_to_a_bound() -> None:
    """The first pages, up to the bound, are parsed ahead; the others parse their own."""
    pages = [Article(id=f"p{i}", source="test", sha256="", text=" ".join(
        f"Norway allowed Chile to use its tanks against targets in Peru, officials said in note {i}-{j}."
        for j in range(4))) for i in range(3)]
    parses = parse_ahead(pages, most=5)
    assert len(parses) == 4  # the second page would pass the bound
    assert [len(x.permissions) for x in (extract(a, parses) for a in pages)] == [1, 1, 1]
    assert len(parses) == 12


def test_what_a_batch_keeps_is_forgotten_with_the_next() -> None:
    from etl.extract.text import clean

    parse_ahead(_samples())
    assert clean.cache_info().currsize == len(_samples())  # extract reads them again, not cleans them again
    parse_ahead([])
    assert clean.cache_info().currsize == 0
