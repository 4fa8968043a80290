"""Meetings on invented sentences, one test per pattern family (people, places and days made up)."""
from __future__ import annotations

from datetime import date

import pytest

from etl.extract import extract
from etl.extract.dates import date_in, vague_time
from etl.records import Article, Extraction

WEDNESDAY = date(2024, 5, 15)


def run(text: str, published: date | None = None) -> Extraction:
    return extract(Article(id="t", source="test", text=text, sha256="", published=published))


def story(*paragraphs: str, published: date | None = None) -> Extraction:
    """An article: a headline, then one paragraph per argument (each its own sentence or more)."""
    return run("\n\n".join(["Leaders hold talks on regional security", *paragraphs]), published)


def groups(x: Extraction) -> list[set[str]]:
    """Each meeting's participants by surname."""
    surname = {p.key: p.name.split()[-1] for p in x.persons}
    return [{surname[k] for k in m.participants} for m in x.meetings]


def meeting_of(x: Extraction, *surnames: str):
    surname = {p.key: p.name.split()[-1] for p in x.persons}
    found = [m for m in x.meetings if {surname[k] for k in m.participants} == set(surnames)]
    assert found, f"no meeting of {surnames} in {groups(x)}"
    return found[0]


# --- coordination --------------------------------------------------------------------------------

def test_several_subjects_and_one_counterpart_are_one_meeting():
    x = run("Chancellor Anna Weber, Prime Minister Lars Holm and President Marta Ruiz met "
            "President Oleh Ivanenko in Kyiv.")
    assert groups(x) == [{"Weber", "Holm", "Ruiz", "Ivanenko"}]
    assert x.meetings[0].place == "Kyiv"


def test_one_subject_meeting_several_people_is_one_meeting_each():
    x = run("Foreign Minister Ana Silva met Foreign Minister Karl Brandt and Defence Minister Jonas Pereira.")
    assert sorted(map(sorted, groups(x))) == [["Brandt", "Silva"], ["Pereira", "Silva"]]


def test_objects_far_from_the_verb_are_read_from_the_parse():
    x = run("President Mei Tanaka met separately in recent days on the sidelines of a regional summit "
            "in Lima with President Karl Brandt and Prime Minister Ana Silva.")
    assert sorted(map(sorted, groups(x))) == [["Brandt", "Tanaka"], ["Silva", "Tanaka"]]
    assert {m.place for m in x.meetings} == {"Lima"}


def test_coordinated_subjects_of_a_joint_act_met():
    x = run("Prime Minister Ana Silva and President Karl Brandt signed the security agreement in Riga on May 3.",
            published=WEDNESDAY)
    m = meeting_of(x, "Silva", "Brandt")
    assert (m.status, m.place, m.date) == ("held", "Riga", date(2024, 5, 3))


# --- nominal and light-verb meetings -------------------------------------------------------------

@pytest.mark.parametrize("sentence, status", [
    ("Foreign Minister Ana Silva held informal talks with Foreign Minister Karl Brandt in Lisbon.", "held"),
    ("Foreign Minister Ana Silva had a lengthy meeting with Foreign Minister Karl Brandt in Lisbon.", "held"),
    ("Foreign Minister Ana Silva will have one-on-one talks with Foreign Minister Karl Brandt in Lisbon.", "planned"),
    ("Foreign Minister Ana Silva will hold bilateral talks with Foreign Minister Karl Brandt in Lisbon.", "planned"),
    ("President Karl Brandt hosted Foreign Minister Ana Silva in Lisbon.", "held"),
    ("Talks between Foreign Minister Ana Silva and Foreign Minister Karl Brandt took place in Lisbon.", "held"),
])
def test_nouns_and_other_verbs_tell_meetings(sentence, status):
    x = run(sentence)
    m = meeting_of(x, "Silva", "Brandt")
    assert (m.status, m.place) == (status, "Lisbon")
    assert len(x.meetings) == 1


def test_a_meeting_being_prepared_is_planned():
    x = run("President Karl Brandt confirmed that preparations were underway for his meeting with "
            "President Mei Tanaka.")
    assert meeting_of(x, "Brandt", "Tanaka").status == "planned"


def test_there_will_be_a_meeting_takes_the_speaker_as_subject():
    x = story("President Karl Brandt spoke to reporters in Oslo.",
              "\"Today there will be a meeting with Prime Minister Ana Silva,\" he said.")
    assert meeting_of(x, "Brandt", "Silva").status == "planned"


# --- later sentences about the same meeting ------------------------------------------------------

def test_a_pronoun_subject_gives_a_second_meeting():
    x = story("President Karl Brandt met Prime Minister Ana Silva in Vienna.",
              "He also met Foreign Minister Jonas Pereira.")
    assert sorted(map(sorted, groups(x))) == [["Brandt", "Pereira"], ["Brandt", "Silva"]]


def test_the_two_leaders_are_the_last_meetings_participants():
    x = story("Prime Minister Ana Silva will have talks with President Karl Brandt in Lima on Friday.",
              "The two leaders have already held informal talks at a summit dinner in Quito.",
              published=WEDNESDAY)
    assert sorted((m.status, m.place) for m in x.meetings) == [("held", "Quito"), ("planned", "Lima")]
    assert all(g == {"Silva", "Brandt"} for g in groups(x))


def test_companions_and_attendees_join_the_last_meeting():
    x = story("Defence Minister Ana Silva met Defence Minister Karl Brandt in Canberra on Friday.",
              "She was accompanied by Ambassador Jonas Pereira. Foreign Minister Lena Holm also attended the meeting.")
    assert groups(x) == [{"Silva", "Brandt", "Pereira", "Holm"}]


def test_the_meeting_took_place_in_gives_the_place():
    x = story("Foreign Minister Ana Silva and Foreign Minister Karl Brandt concluded their meeting without a deal.",
              "The meeting, which took place in Geneva, was tense.")
    assert meeting_of(x, "Silva", "Brandt").place == "Geneva"


def test_the_trip_told_just_before_gives_day_and_place():
    x = story("Prime Minister Ana Silva arrived in the Latvian capital, Riga, on Tuesday.",
              "Silva met President Karl Brandt as protests went on outside.", published=WEDNESDAY)
    m = meeting_of(x, "Silva", "Brandt")
    assert (m.date, m.place) == (date(2024, 5, 14), "Riga")


# --- negation and remote talks -------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "President Karl Brandt did not meet Prime Minister Ana Silva in Oslo.",
    "President Karl Brandt refused to hold talks with Prime Minister Ana Silva.",
    "President Karl Brandt requested a meeting with Prime Minister Ana Silva.",
    "President Karl Brandt called for a meeting with Prime Minister Ana Silva.",
    "President Karl Brandt held talks by phone with Prime Minister Ana Silva.",
    "President Karl Brandt held a virtual meeting with Prime Minister Ana Silva.",
    "The meeting came after a phone call between President Karl Brandt and Prime Minister Ana Silva.",
])
def test_negated_requested_and_remote_talks_are_no_meetings(sentence):
    assert run(sentence).meetings == []


# --- places --------------------------------------------------------------------------------------

def test_a_country_or_a_building_is_no_place_and_a_seat_gives_its_city():
    assert meeting_of(run("President Karl Brandt met Prime Minister Ana Silva in Italy."), "Brandt", "Silva").place is None
    assert meeting_of(run("President Karl Brandt received Prime Minister Ana Silva at the Pentagon."),
                      "Brandt", "Silva").place is None
    assert meeting_of(run("President Karl Brandt received Prime Minister Ana Silva at the White House."),
                      "Brandt", "Silva").place == "Washington"


def test_a_colon_dateline_of_a_capital_gives_the_place():
    head = "Defence ministers hold talks on regional security\n\n"
    x = run(head + "New Delhi: Defence Minister Ana Silva held talks with Defence Minister Karl Brandt.")
    assert meeting_of(x, "Silva", "Brandt").place == "New Delhi"
    x = run(head + "Briefing: Defence Minister Ana Silva held talks with Defence Minister Karl Brandt.")
    assert meeting_of(x, "Silva", "Brandt").place is None


# --- dates ---------------------------------------------------------------------------------------

def test_the_date_after_the_trigger_is_the_meetings():
    x = run("Defence Minister Ana Silva said on Friday (December 5) she will meet Defence Minister Karl Brandt "
            "in Tokyo on Sunday (December 7).", published=date(2025, 12, 5))
    assert meeting_of(x, "Silva", "Brandt").date == date(2025, 12, 7)


def test_a_weekday_beside_a_date_fixes_its_year():
    assert date_in("On Friday, May 30, in Kyiv, they met.", None).weekday() == 4
    assert date_in("On Friday, May 30, they met.", None) <= date.today()
    assert date_in("On Wednesday, 4 September, they met.", None).weekday() == 2


def test_a_vague_time_borrows_no_other_sentences_day():
    assert vague_time("They will meet next month.") and vague_time("In June, they met in Rome.")
    assert not vague_time("They met on June 4.")
    x = story("Prime Minister Ana Silva arrived in Riga on Tuesday. "
              "Silva is expected to meet President Karl Brandt next month.", published=WEDNESDAY)
    assert meeting_of(x, "Silva", "Brandt").date is None


def test_a_trilateral_meeting_adds_its_new_member_to_the_one_just_told():
    x = run("President Karl Brandt confirmed that preparations were underway for his meeting with President "
            "Mei Tanaka, and later a trilateral meeting including Prime Minister Ana Silva.")
    assert sorted(map(sorted, groups(x))) == [["Brandt", "Silva", "Tanaka"], ["Brandt", "Tanaka"]]
    assert {m.status for m in x.meetings} == {"planned"}


# --- passives, speakers, delegations, day counts -------------------------------------------------

def test_a_passive_meeting_has_both_sides():
    x = run("Prime Minister Ana Silva was received by President Karl Brandt in Vienna on Monday.", published=WEDNESDAY)
    m = meeting_of(x, "Silva", "Brandt")
    assert (m.status, m.date, m.place) == ("held", date(2024, 5, 13), "Vienna")


def test_the_speaker_is_the_subject_of_after_meeting():
    x = run("Foreign Minister Ana Silva told reporters after meeting Foreign Minister Karl Brandt that talks went well.")
    assert groups(x) == [{"Silva", "Brandt"}]


def test_a_delegation_led_by_named_people_meets_with_them():
    x = run("A delegation led by Defence Minister Taras Bondar and Foreign Minister Oleh Koval met "
            "US envoy Mark Hill in Miami.")
    assert groups(x) == [{"Bondar", "Koval", "Hill"}]


def test_after_a_phone_call_the_two_agree_to_meet():
    x = run("Defence Minister Taras Bondar spoke by phone with Defence Minister Karl Brandt, "
            "and the two agreed to meet next week.")
    assert [(g, m.status) for g, m in zip(groups(x), x.meetings)] == [({"Bondar", "Brandt"}, "planned")]


def test_the_next_day_counts_from_the_meeting_told_before():
    x = story("Prime Minister Ana Silva and President Karl Brandt met on Monday.",
              "The next day, Silva met Foreign Minister Jonas Pereira.", published=WEDNESDAY)
    assert meeting_of(x, "Silva", "Brandt").date == date(2024, 5, 13)
    assert meeting_of(x, "Silva", "Pereira").date == date(2024, 5, 14)


def test_criticism_and_possessives_are_no_meetings():
    assert run("The proposal met with criticism from Foreign Minister Karl Brandt and Prime Minister Ana Silva.").meetings == []
    assert run("Foreign Minister Karl Brandt said the meeting with Prime Minister Ana Silva would be pointless.").meetings == []


def test_two_on_each_side_is_one_meeting_of_four():
    x = run("Secretary of State Mark Hill and Defense Secretary Paul Roy met Foreign Minister Mei Tanaka "
            "and Defence Minister Ken Sato in Tokyo.")
    assert groups(x) == [{"Hill", "Roy", "Tanaka", "Sato"}]


def test_regions_and_venues_are_no_city():
    for where in ("in Europe", "at Camp David", "in the Middle East"):
        x = run(f"President Karl Brandt met Prime Minister Ana Silva {where}.")
        assert meeting_of(x, "Brandt", "Silva").place is None, where


def test_a_joint_letter_is_no_meeting_and_the_ministers_far_later_are_no_anaphora():
    assert run("Foreign Minister Ana Silva and Foreign Minister Karl Brandt signed a joint letter to the council.").meetings == []
    x = story("Foreign Minister Ana Silva met Foreign Minister Karl Brandt in Oslo.",
              "Trade rose.", "Prices fell.", "Markets calmed.", "Exports grew.",
              "The two ministers held talks in Bergen.")
    assert [m.place for m in x.meetings] == ["Oslo"]


def test_a_person_in_a_relative_clause_is_not_a_subject():
    x = run("President Karl Brandt, whom Prime Minister Ana Silva criticised last week, met Foreign Minister "
            "Jonas Pereira in Rome.")
    assert groups(x) == [{"Brandt", "Pereira"}]


def test_a_meeting_that_will_take_place_is_planned():
    x = run("President Karl Brandt's meeting with Prime Minister Ana Silva will take place in Oslo on Friday.",
            published=WEDNESDAY)
    m = meeting_of(x, "Brandt", "Silva")
    assert (m.status, m.place, m.date) == ("planned", "Oslo", date(2024, 5, 17))


def test_a_wire_dateline_day_anchors_yesterday_and_weekdays():
    text = ("Leaders hold talks on regional security\n\n"
            "KYIV, March 14 (Reuters) - President Karl Brandt met Prime Minister Ana Silva yesterday.")
    assert meeting_of(run(text, published=date(2024, 3, 16)), "Brandt", "Silva").date == date(2024, 3, 13)
    # a dateline day long before publication is no anchor: "yesterday" is the day before publication
    far = text.replace("March 14", "January 2")
    assert meeting_of(run(far, published=date(2024, 3, 16)), "Brandt", "Silva").date == date(2024, 3, 15)


# --- whose date: the meeting's, another event's, a later sentence's, the day's news ---------------

@pytest.mark.parametrize("sentence", [
    "After the missile strike on Monday, President Karl Brandt met Prime Minister Ana Silva in Riga.",
    "President Karl Brandt, who arrived in Riga on Monday, met Prime Minister Ana Silva.",
    "President Karl Brandt met Prime Minister Ana Silva in Riga ahead of the donor summit on Friday.",
    "President Karl Brandt met Prime Minister Ana Silva on the sidelines of the summit, which opened on Monday.",
    "President Karl Brandt met Prime Minister Ana Silva in Riga, where the summit opens on Friday.",
    "Since taking office on Monday, President Karl Brandt has met Prime Minister Ana Silva.",
])
@pytest.mark.parametrize("lead", [True, False])
def test_a_date_of_another_event_is_not_the_meetings(sentence, lead):
    # nor, in the lead, is the meeting then the day's news: the sentence dates something else
    x = story(sentence, published=WEDNESDAY) if lead else story("Markets were calm.", sentence, published=WEDNESDAY)
    assert meeting_of(x, "Brandt", "Silva").date is None


def test_a_time_after_since_is_no_other_event():
    x = run("President Karl Brandt and Prime Minister Ana Silva met for the first time since 2019 on Tuesday.",
            published=WEDNESDAY)
    assert meeting_of(x, "Brandt", "Silva").date == date(2024, 5, 14)


def test_the_meetings_own_date_beside_another_events():
    x = run("President Karl Brandt met Prime Minister Ana Silva in Riga on Tuesday, a day after the "
            "missile strike on Monday.", published=WEDNESDAY)
    assert meeting_of(x, "Brandt", "Silva").date == date(2024, 5, 14)


def test_a_plan_is_not_dated_by_the_day_it_was_announced():
    x = story("Markets were calm.", "President Karl Brandt said on Monday he will meet Prime Minister Ana Silva "
              "in Riga.", published=WEDNESDAY)
    assert meeting_of(x, "Brandt", "Silva").date is None
    x = story("Markets were calm.", "President Karl Brandt said on Monday he will meet Prime Minister Ana Silva "
              "in Riga on Friday.", published=WEDNESDAY)
    assert meeting_of(x, "Brandt", "Silva").date == date(2024, 5, 17)


def test_a_later_sentence_about_the_visit_gives_its_day():
    x = story("Markets were calm.", "Weeks earlier, President Karl Brandt travelled to Riga, where he held talks with "
              "Prime Minister Ana Silva.",
              "The visit included a much-criticised embrace between the two leaders on May 8, hours after "
              "a storm hit the coast.", published=WEDNESDAY)
    assert meeting_of(x, "Brandt", "Silva").date == date(2024, 5, 8)


def test_a_later_sentence_lends_no_day_of_another_event_or_of_the_future():
    x = story("Markets were calm.", "President Karl Brandt held talks with Prime Minister Ana Silva in Riga.",
              "The talks came two days after the storm on May 8.", published=WEDNESDAY)
    assert meeting_of(x, "Brandt", "Silva").date is None
    x = story("Markets were calm.", "President Karl Brandt held talks with Prime Minister Ana Silva in Riga.",
              "Their talks will resume on May 30.", published=WEDNESDAY)
    assert meeting_of(x, "Brandt", "Silva").date is None


def test_a_meeting_in_the_lead_with_no_day_is_the_days_news():
    x = story("President Karl Brandt met Prime Minister Ana Silva in Riga.", published=WEDNESDAY)
    assert meeting_of(x, "Brandt", "Silva").date == WEDNESDAY
    told_as_earlier = story("President Karl Brandt has met Prime Minister Ana Silva several times.",
                            published=WEDNESDAY)
    assert meeting_of(told_as_earlier, "Brandt", "Silva").date is None
    later_in_the_story = story("Markets were calm.", "President Karl Brandt met Prime Minister Ana Silva in Riga.",
                               published=WEDNESDAY)
    assert meeting_of(later_in_the_story, "Brandt", "Silva").date is None
    assert meeting_of(run("Leaders hold talks on regional security\n\nPresident Karl Brandt met Prime Minister "
                          "Ana Silva in Riga."), "Brandt", "Silva").date is None  # no publication date


def test_each_paragraphs_wire_dateline_anchors_its_own_weekdays():
    text = ("Leaders hold talks on regional security\n\n"
            "RIGA, May 13 (Wire) - President Karl Brandt met Prime Minister Ana Silva yesterday.\n\n"
            "VILNIUS, May 15 (Wire) - Foreign Minister Jonas Pereira met Foreign Minister Lena Holm yesterday.")
    x = run(text, published=date(2024, 5, 16))
    assert meeting_of(x, "Brandt", "Silva").date == date(2024, 5, 12)
    assert meeting_of(x, "Pereira", "Holm").date == date(2024, 5, 14)


def test_a_meeting_during_a_trip_takes_no_day_from_its_start():
    x = story("Foreign Minister Jonas Pereira is to arrive in Riga today for a four-day visit.",
              "During his visit, he will hold talks with Prime Minister Ana Silva.", published=WEDNESDAY)
    assert meeting_of(x, "Pereira", "Silva").date is None


# --- more ways to tell a meeting -----------------------------------------------------------------

def test_people_who_discussed_something_during_a_meeting_met():
    x = run("President Karl Brandt and Prime Minister Ana Silva discussed the ceasefire during a meeting "
            "in Ankara on Monday.", published=WEDNESDAY)
    m = meeting_of(x, "Brandt", "Silva")
    assert (m.place, m.date) == ("Ankara", date(2024, 5, 13))
    assert run("President Karl Brandt said during a meeting in Ankara that the ceasefire holds.").meetings == []


def test_a_summit_that_brought_people_together_is_one_meeting_of_all():
    x = run("The summit in Oslo brought together President Karl Brandt, Prime Minister Ana Silva and "
            "Chancellor Lena Holm.")
    assert groups(x) == [{"Brandt", "Silva", "Holm"}]


@pytest.mark.parametrize("sentence", [
    "Prime Minister Ana Silva visited President Karl Brandt in Oslo.",
    "Prime Minister Ana Silva paid a courtesy call on her Norwegian counterpart, Karl Brandt, in Oslo.",
])
def test_visiting_a_person_is_meeting_them(sentence):
    x = run(sentence)
    assert groups(x) == [{"Silva", "Brandt"}] and x.meetings[0].place == "Oslo"


@pytest.mark.parametrize("sentence", [
    "Prime Minister Ana Silva visited Lindholm, where President Karl Brandt laid a wreath last year.",
    "Prime Minister Ana Silva visited the port of Lindholm before President Karl Brandt arrived.",
])
def test_visiting_a_place_is_no_meeting_with_someone_named_after_it(sentence):
    assert run(sentence).meetings == []


def test_a_chaired_meeting_with_others_present_is_one_meeting_of_all():
    x = story("The regular meeting of the coastal defence group has begun in Oslo.",
              "The meeting was chaired for the first time by Defence Minister Karl Brandt, and the new "
              "defence secretary, Ana Silva, is also present.",
              "The Estonian defence minister, Lena Holm, has also arrived at the meeting.")
    m = meeting_of(x, "Brandt", "Silva", "Holm")
    assert (m.status, m.place) == ("held", "Oslo")
    assert run("President Karl Brandt chaired a meeting of the security council in Oslo.").meetings == []


def test_both_sides_of_a_call_who_plan_a_summit_are_its_participants():
    x = run("The talks came after a phone call between President Karl Brandt and Prime Minister Ana Silva, "
            "where both sides indicated plans for a summit in Vienna.")
    m = meeting_of(x, "Brandt", "Silva")
    assert (m.status, m.place) == ("planned", "Vienna")
    x = run("President Karl Brandt spoke by phone with Prime Minister Ana Silva on Monday, and both sides "
            "indicated plans for a summit in Vienna.", published=WEDNESDAY)
    assert meeting_of(x, "Brandt", "Silva").date is None  # Monday was the call's


def test_a_plan_told_where_a_trip_arrives_takes_the_arrivals_day():
    x = run("Prime Minister Ana Silva arrived in Riga on Thursday, where she will hold talks with President "
            "Karl Brandt.", published=date(2024, 5, 16))
    m = meeting_of(x, "Silva", "Brandt")
    assert (m.status, m.date, m.place) == ("planned", date(2024, 5, 16), "Riga")


def test_a_dateline_printed_on_its_own_line_places_the_meetings():
    page = ("Ministers hold talks on coastal defence\n\nBy Lena Ortiz\nLINDHOLM\n\n"
            "Defence Minister Ana Silva on Friday toured a frigate.\n\n"
            "Defence Minister Karl Brandt hosted Silva for the visit aboard the ship.\n")
    assert meeting_of(run(page), "Silva", "Brandt").place == "Lindholm"
    label = page.replace("LINDHOLM", "POLITICS")
    assert meeting_of(run(label), "Silva", "Brandt").place is None


def test_a_day_inside_a_travel_for_talks_trigger_and_not_the_announcements():
    x = run("Prime Minister Ana Silva will travel to Vilnius on Friday for talks with President Karl Brandt, "
            "her office said on Tuesday.", published=WEDNESDAY)
    m = meeting_of(x, "Silva", "Brandt")
    assert (m.status, m.date, m.place) == ("planned", date(2024, 5, 17), "Vilnius")


def test_an_agency_dateline_without_a_dash_places_the_meeting():
    x = run("Ministers discuss maritime security\n\nLindholm, June 5 (Wire) Defence Minister Arvind Rao on "
            "Monday held talks with his visiting counterpart Tom Hale.")
    assert meeting_of(x, "Rao", "Hale").place == "Lindholm"


def test_a_possessive_before_the_person_met_is_not_met():
    x = run("President Marta Ruiz met King Frederik's adviser Anne Sorensen in Aarhus.")
    assert groups(x) == [{"Ruiz", "Sorensen"}]


def test_the_day_before_counts_from_the_latest_dated_meeting():
    x = story("Prime Minister Lars Holm welcomed President Marta Ruiz yesterday.",
              "Ruiz and Holm signed a hydrogen agreement at the residence.",
              "The day before, Ruiz met Foreign Minister Anne Sorensen in Aarhus.", published=WEDNESDAY)
    assert meeting_of(x, "Ruiz", "Sorensen").date == date(2024, 5, 13)
