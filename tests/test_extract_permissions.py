"""Permissions on invented sentences, one test per pattern family (people and weapons made up,
countries from the lexicon, phrasings of several theatres and wire styles)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from etl.build import build_graph
from etl.extract import extract
from etl.extract import permissions
from etl.extract.lexicon import load
from etl.load import StoreTarget, graph_iri, load_ontology
from etl.query import query_store
from etl.records import Article, Extraction
from etl.resources import load_query
from etl.validate import validate_graph

# Sentences that name no grantee of their own take the article's: a lead sentence names it.
LEAD = "Kenya has asked its partners for more help."


def run(text: str) -> Extraction:
    return extract(Article(id="t", source="test", text=text, sha256=""))


def found(text: str) -> set[tuple[str | None, str, str]]:
    """(grantor, grantee, status) of each permission."""
    return {(p.grantor.name if p.grantor else None, p.grantee.name, p.status) for p in run(text).permissions}


def kinds(text: str) -> set[tuple[str | None, str, str, str, str | None]]:
    """(grantor, grantee, status, kind, recipient) of each permission."""
    return {(p.grantor.name if p.grantor else None, p.grantee.name, p.status, p.kind,
             p.recipient.name if p.recipient else None) for p in run(text).permissions}


def person_of(x: Extraction, grantor: str) -> str | None:
    names = {p.key: p.name for p in x.persons}
    return next(names.get(p.grantor_person) for p in x.permissions if p.grantor and p.grantor.name == grantor)


# --- several grantors (coordination) ------------------------------------------------------------

@pytest.mark.parametrize("sentence, grantors", [
    ("Norway, Denmark and the Netherlands have also allowed Kenya to strike targets in Somalia with their weapons.",
     {"Norway", "Denmark", "Netherlands"}),
    ("Spain and Portugal gave Nairobi permission to use their missiles against militant camps in Somalia.",
     {"Spain", "Portugal"}),
    ("Greece, Cyprus and Malta have dropped bans on their weapons being used to hit targets in Somalia.",
     {"Greece", "Cyprus", "Malta"}),
    ("Both Ireland and Iceland lifted restrictions on the use of their drones by Kenya.", {"Ireland", "Iceland"}),
    ("Chile, Peru and Colombia said they would allow Kenya to use their long-range rockets inside Somalia.",
     {"Chile", "Peru", "Colombia"}),
    ("The move came after a decision by several allies, notably Poland and Romania, to allow Kenya to hit "
     "militant bases with the rockets they supplied.", {"Poland", "Romania"}),
])
def test_each_of_several_grantors_is_a_permission(sentence, grantors):
    assert found(f"{LEAD}\n\n{sentence}") == {(g, "Kenya", "granted") for g in grantors}


@pytest.mark.parametrize("sentence, status", [
    ("The United States approved the transfer of F-16s by Denmark and the Netherlands to Ukraine.", "granted"),
    ("The United States has repeatedly blocked requests from Denmark and the Netherlands to re-export F-16s to "
     "Ukraine.", "refused"),
])
def test_several_grantees_of_a_retransfer(sentence, status):
    assert kinds(sentence) == {("United States", "Denmark", status, "retransfer", "Ukraine"),
                               ("United States", "Netherlands", status, "retransfer", "Ukraine")}


# --- sale approvals (supply) --------------------------------------------------------------------

@pytest.mark.parametrize("sentence, buyer", [
    ("The State Department approved a possible Foreign Military Sale to Saudi Arabia of Patriot interceptors "
     "worth $3 billion.", "Saudi Arabia"),
    ("The US State Department has cleared a potential $1.5 billion sale of F-16 upgrades to the Philippines, "
     "the Pentagon said.", "Philippines"),
    ("Washington gave the green light on Tuesday to a $2 billion sale of Harpoon missiles to Taiwan.", "Taiwan"),
    ("The Pentagon notified Congress on Tuesday of a proposed $3.5 billion sale of Patriot missiles to Qatar.", "Qatar"),
    ("Congress was notified of the possible sale of 40 F-35 jets to Kuwait, the agency said.", "Kuwait"),
    ("The sale of 12 F-16 jets to Jordan was approved by the State Department on Monday.", "Jordan"),
    ("The US approved Taiwan's purchase of 66 F-16V jets.", "Taiwan"),
    ("The State Department has made a determination approving a possible Foreign Military Sale to the Government "
     "of Bahrain of Harpoon missiles.", "Bahrain"),
    ("Washington has approved the export of 155mm artillery shells to Poland, which will send them on to Ukraine.",
     "Poland"),  # the buyer, not where its relative clause sends them
    ("Washington gave the OK for the sale of 40 F-16 jets to Turkey.", "Turkey"),
    ("The United States cleared the way for Poland to buy 32 F-35 fighter jets.", "Poland"),
    ("The United States agreed to sell 40 F-16 fighter jets to Turkey.", "Turkey"),
])
def test_sale_approvals_are_supply_permissions(sentence, buyer):
    assert kinds(sentence) == {("United States", buyer, "granted", "supply", None)}


def test_a_sale_without_its_buyer_takes_the_article_grantee():
    text = ("Japan wants longer-range missiles.\n\nThe State Department said it was approving the $1 billion "
            "sale that includes 200 Harpoon missiles.\n\nThe sale will improve Japan's capabilities, it said.")
    assert kinds(text) == {("United States", "Japan", "granted", "supply", None)}


def test_a_sale_of_no_weapon_is_no_arms_sale():
    assert run("The sale of the steel company to Japan was approved by the United States on Monday.").permissions == []


# --- re-export approvals (retransfer) -----------------------------------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("The U.S. has given Poland the go-ahead to transfer its MiG-29 fighter jets to Ukraine.",
     ("United States", "Poland", "granted", "retransfer", "Ukraine")),
    ("Berlin approved Poland's request to re-export Leopard tanks to Ukraine.",
     ("Germany", "Poland", "granted", "retransfer", "Ukraine")),
    ("Washington has greenlighted the re-export of US-made weapons by Israel to Morocco.",
     ("United States", "Israel", "granted", "retransfer", "Morocco")),
    ("Switzerland refused to allow Germany to re-export Swiss-made ammunition to Ukraine.",
     ("Switzerland", "Germany", "refused", "retransfer", "Ukraine")),
    ("Switzerland has blocked Denmark from re-exporting Piranha armoured vehicles to Ukraine.",
     ("Switzerland", "Denmark", "refused", "retransfer", "Ukraine")),
    ("Seoul has not yet decided whether to let Poland re-export K9 howitzers to Ukraine.",
     ("South Korea", "Poland", "refused", "retransfer", "Ukraine")),
    ("Washington signed off on Israel's sale of the Arrow 3 system to Germany.",
     ("United States", "Israel", "granted", "retransfer", "Germany")),
    ("Germany gave Poland the nod to send Leopard tanks to Ukraine.",
     ("Germany", "Poland", "granted", "retransfer", "Ukraine")),
    ("Ankara has granted a waiver allowing Qatar to re-export Turkish drones to Libya.",
     ("Turkey", "Qatar", "granted", "retransfer", "Libya")),
])
def test_reexport_approvals_are_retransfers_with_a_recipient(sentence, expected):
    assert kinds(sentence) == {expected}


# --- refusals and non-decisions -----------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("Germany has refused to send Taurus cruise missiles to Ukraine.", ("Germany", "Ukraine", "refused", "supply")),
    ("Canada ruled out supplying howitzers to Peru.", ("Canada", "Peru", "refused", "supply")),
    ("Washington declined to approve the sale of F-35 jets to Turkey.", ("United States", "Turkey", "refused", "supply")),
    ("The US has not yet decided whether to provide ATACMS to Ukraine.", ("United States", "Ukraine", "refused", "supply")),
    ("Italy has so far refused to lift the ban on the use of its weapons against targets in Libya by Tunisia.",
     ("Italy", "Tunisia", "refused", "use")),
    ("Germany blocked the sale of Eurofighter Typhoon jets to Saudi Arabia.",
     ("Germany", "Saudi Arabia", "refused", "supply")),
    ("Chile rejected Peru's request for Harpoon missiles.", ("Chile", "Peru", "refused", "supply")),
    ("Peru was refused permission by Chile to fire the missiles into Bolivia.", ("Chile", "Peru", "refused", "use")),
    ("Canada halted arms exports to Turkey over its offensive in Syria.", ("Canada", "Turkey", "refused", "supply")),
    ("The government of Spain banned arms exports to Israel last year.", ("Spain", "Israel", "restricted", "supply")),
    ("Washington has paused a shipment of 2,000-pound bombs to Israel.", ("United States", "Israel", "refused", "supply")),
    ("Britain suspended 30 arms export licences to Israel.", ("United Kingdom", "Israel", "refused", "supply")),
    ("Canada will no longer sell arms to Israel.", ("Canada", "Israel", "refused", "supply")),
    ("In 2019, Germany extended its ban on arms sales to Saudi Arabia.", ("Germany", "Saudi Arabia", "restricted", "supply")),
    ("The Netherlands was ordered by a court to halt the export of F-35 parts to Israel.",
     ("Netherlands", "Israel", "refused", "supply")),
    ("Lawmakers in Washington have put a hold on the sale of F-16s to Turkey.",
     ("United States", "Turkey", "restricted", "supply")),
    ("In 2014, the annexation of Crimea led Germany to halt arms deliveries to Moscow.",
     ("Germany", "Russia", "refused", "supply")),  # the object of "led" halts them
])
def test_refusals_and_non_decisions_are_not_granted(sentence, expected):
    assert {k[:4] for k in kinds(sentence)} == {expected}


def test_a_leader_who_will_not_provide_the_weapons_refuses_for_the_country():
    x = run("Kenya seeks Egyptian drones\n\nKenyan President Ruth Achieng met Egyptian President Omar Fathy in Cairo "
            "to ask for drones for Kenya. The talks were tense, with Fathy indicating that he would not provide the "
            "drones at least for now.")
    assert {(p.grantor.name, p.grantee.name, p.status, p.kind) for p in x.permissions} == {
        ("Egypt", "Kenya", "refused", "supply")}
    assert person_of(x, "Egypt") == "Omar Fathy"


# --- negation -----------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, status", [
    ("France has not authorized Kenya to use its missiles inside Somalia.", "refused"),
    ("France will not allow its weapons to be used in Somalia, Foreign Minister Luc Marchand said.", "refused"),
    ("France never approved the delivery of Rafale jets to Kenya.", "refused"),
    ("France does not permit Nairobi to fire its rockets into Somalia.", "refused"),
    ("France no longer restricts Kenya's use of its drones.", "granted"),
    ("France would not stop Kenya from using French-supplied weapons against targets in Somalia.", "granted"),
    ("France places no limits on how Kenya uses the drones it has received.", "granted"),
    ("France does not object to Kenya's use of its missiles against targets inside Somalia.", "granted"),
])
def test_negation_turns_a_grant_into_a_refusal_and_a_restriction_into_a_grant(sentence, status):
    assert found(f"{LEAD}\n\n{sentence}") == {("France", "Kenya", status)}


def test_a_negated_subject_negates_and_a_contrast_keeps_each_its_own():
    assert found(f"{LEAD}\n\nNeither France nor Italy has allowed Kenya to strike Somalia with their weapons.") == {
        ("France", "Kenya", "refused"), ("Italy", "Kenya", "refused")}
    assert found(f"{LEAD}\n\nFrance allowed Kenya to use its missiles, but Italy refused to allow the use of its "
                 "drones by Kenya.") == {("France", "Kenya", "granted"), ("Italy", "Kenya", "refused")}


# --- passives -----------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, grantor", [
    ("Kenya has been allowed by Norway to use Norwegian missiles against targets inside Somalia.", "Norway"),
    ("Nairobi was given permission by Paris to use French missiles on Somali soil.", "France"),
    ("Permission to strike targets in Somalia was granted to Kenya by Sweden.", "Sweden"),
    ("Kenya has received the go-ahead from Finland to strike militant airfields with its missiles.", "Finland"),
    ("Kenya was authorized to use the rockets inside Somalia, Italian officials said.", "Italy"),
])
def test_a_passive_grantor_is_its_agent_or_the_official_who_says_so(sentence, grantor):
    assert found(sentence) == {(grantor, "Kenya", "granted")}


def test_a_passive_with_no_agent_and_a_speaker_of_no_country_grants_nothing():
    assert found("Kenya was authorized to use the rockets inside Somalia, analyst Tom Reed said.") == set()


# --- a leader or minister announces for the country -----------------------------------------------

@pytest.mark.parametrize("sentence, country, person", [
    ("Polish Defence Minister Jan Wolski said Warsaw had given Kyiv the green light to strike Russian airfields "
     "with Polish-made drones.", "Poland", "Jan Wolski"),
    ("\"We have authorized Ukraine to use these weapons against military targets in Russia,\" Dutch Foreign "
     "Minister Eva Mulder told reporters.", "Netherlands", "Eva Mulder"),
    ("Finland's president, Mikko Salo, said his country places no restrictions on how Ukraine uses Finnish "
     "weapons.", "Finland", "Mikko Salo"),
    ("Chilean Defence Minister Ana Torres justified her country's decision to allow Ukraine strike Russia with "
     "Chilean weapons.", "Chile", "Ana Torres"),
    ("Estonian Prime Minister Kaja Tamm announced that Estonia would allow Ukraine to use its Javelin missiles "
     "against targets in Russia.", "Estonia", "Kaja Tamm"),
    ("Ukraine asked for long-range arms. US Secretary of State Ann Gray said President Paul Hart has approved the "
     "use of American weapons against Russian forces.", "United States", "Paul Hart"),
])
def test_grantor_is_the_country_and_grantor_person_who_announced_it(sentence, country, person):
    x = run(sentence)
    assert {(p.grantor.name, p.grantee.name, p.status) for p in x.permissions} == {(country, "Ukraine", "granted")}
    assert person_of(x, country) == person


# --- speakers' claims: can use, the right to, able to, only -------------------------------------

@pytest.mark.parametrize("sentence, status", [
    ("Kenya can use Turkish drones against targets in Somalia, Turkish Defence Minister Ali Kaya said.", "granted"),
    ("Kenya has the right to strike militant camps in Somalia, the Turkish president said.", "granted"),
    ("Kenya would be able to use Turkish jets to strike targets in Somalia, Turkish officials said.", "granted"),
    ("Turkey supports Kenya's right to use Turkish weapons against targets in Somalia.", "granted"),
    ("Kenya can use Turkish drones only on Kenyan territory, the Turkish president says.", "restricted"),
    ("Turkish weapons cannot be used in Somalia, Foreign Minister Ali Kaya reiterated.", "restricted"),
    ("Turkish military drones could only be deployed in Kenya, Defence Minister Ali Kaya stated.", "restricted"),
    ("Turkish arms, which are to be supplied under the deal, are intended for use only on Kenyan territory, "
     "Prime Minister Ali Kaya said.", "restricted"),
])
def test_a_speakers_claim_is_the_speakers_countrys_permission(sentence, status):
    assert found(f"{LEAD}\n\n{sentence}") == {("Turkey", "Kenya", status)}


def test_weapons_supplied_by_a_capital_name_the_grantor_when_the_speaker_does_not():
    text = f"{LEAD}\n\nA government spokesperson said Kenya can use the drones supplied by Ankara in Somalia."
    assert found(text) == {("Turkey", "Kenya", "granted")}


# --- bans lifted, imposed or standing -----------------------------------------------------------

@pytest.mark.parametrize("sentence, status", [
    ("The Netherlands has lifted all restrictions on Kenya's use of its F-16s.", "granted"),
    ("The Netherlands eased its ban on Kenya striking Somali territory with Dutch weapons.", "granted"),
    ("The Netherlands has scrapped limits on how Nairobi can use its rockets.", "granted"),
    ("The Netherlands continues to restrict Kenya's ability to use the weapons it has been given.", "restricted"),
    ("The Netherlands placed restrictions on how Kenya uses the drones it supplied.", "restricted"),
    ("The Dutch ban on using its missiles inside Somalia remains in place, a Dutch spokesman said.", "restricted"),
    ("Another Dutch official says the Netherlands' policy of prohibiting long-range strikes in Somalia has not "
     "changed.", "restricted"),
])
def test_bans(sentence, status):
    assert found(f"{LEAD}\n\n{sentence}") == {("Netherlands", "Kenya", status)}


@pytest.mark.parametrize("sentence, expected", [
    ("Britain lifted its arms embargo on Vietnam in 2016.", ("United Kingdom", "Vietnam", "granted", "supply", None)),
    ("The United States lifted a decades-old ban on selling lethal weapons to Vietnam.",
     ("United States", "Vietnam", "granted", "supply", None)),
    ("Germany resumed arms exports to Saudi Arabia.", ("Germany", "Saudi Arabia", "granted", "supply", None)),
    ("The US approved a $1.1 billion arms package for Taiwan.", ("United States", "Taiwan", "granted", "supply", None)),
    ("Lithuania lifted restrictions on Poland re-exporting its howitzers to Ukraine.",
     ("Lithuania", "Poland", "granted", "retransfer", "Ukraine")),
])
def test_bans_on_sales_lifted_and_sales_resumed(sentence, expected):
    assert kinds(sentence) == {expected}


# --- nominal permissions: the approval, the go-ahead, the decision -------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("Kenya welcomed Spain's approval of the sale of 20 armoured vehicles to Nairobi.",
     ("Spain", "Kenya", "granted", "supply")),
    ("After Washington's go-ahead for Kyiv to strike Russian airfields with ATACMS, attacks increased.",
     ("United States", "Ukraine", "granted", "use")),
    ("The Spanish authorization for Kenya to use the drones against militant camps came on Monday.",
     ("Spain", "Kenya", "granted", "use")),
    ("Germany's decision to let Kenya use its missiles against militants was welcomed in Nairobi.",
     ("Germany", "Kenya", "granted", "use")),
])
def test_an_owned_approval_or_decision_is_its_owners_permission(sentence, expected):
    assert {k[:4] for k in kinds(sentence)} == {expected}


# --- the story goes on: "followed suit", "signed off on the plan" --------------------------------

@pytest.mark.parametrize("follow_up", [
    "Chile followed suit on Tuesday.",
    "Chile did the same a day later.",
    "Chile took a similar step.",
    "In addition to Peru, Chile also signed off on the plan.",
])
def test_a_follow_up_copies_the_grantee_of_the_permission_told_just_before(follow_up):
    text = f"{LEAD}\n\nPeru allowed Kenya to use its rockets against militant camps in Somalia. {follow_up}"
    assert found(text) >= {("Peru", "Kenya", "granted"), ("Chile", "Kenya", "granted")}


def test_a_follow_up_far_from_any_permission_is_nothing():
    text = (f"{LEAD}\n\nPeru allowed Kenya to use its rockets against militant camps in Somalia. The rains came. "
            "Markets fell. Talks stalled. Nobody spoke. Chile followed suit on Tuesday.")
    assert found(text) == {("Peru", "Kenya", "granted")}


# --- no decision: advocacy, requests, hypotheticals, targets ------------------------------------

@pytest.mark.parametrize("sentence", [
    "Kenya asked Germany for permission to use its drones against militants.",
    "The president urged allies to lift restrictions on strikes inside Somalia with Western weapons.",
    "Analysts say Washington could soon allow Nairobi to strike deeper into Somalia with its rockets.",
    "Ethiopia warned that partners risk escalation if they allow Kenya to use their weapons against it.",
    "The parliament called on the government to allow Kenya to use the missiles against Somalia.",
    "Officials said Italy should allow Kenya to use its weapons on Somali territory.",
    "Germany is reluctant to allow Kenya to use its missiles.",
    "There is a growing debate about whether to allow Kenya to strike Somalia with German weapons.",
    "Germany warned that allowing Kenya to strike Somalia with its missiles could lead to escalation.",
    "Germany is considering allowing Kenya to fire its missiles at militant camps.",
    "Germany plans to approve the sale of 20 Harpoon missiles to Kenya.",
    "Some in Congress want to block the sale of F-35 jets to Turkey.",
    "Kenya has long sought permission from Washington to fire its rockets into Somalia.",
    "Russia allowed Belarus to host its nuclear weapons.",
    "The ministry allowed journalists to visit the missile factory in Poland.",
    "The United States has provided Kenya with Javelin missiles.",
    "China has refused to sell rare earth metals to Japan.",
    "Somalia can strike any target in Kenya with its missiles, Somali President Abdi Warsame said.",
    "Ethiopia's strikes have not stopped Kenya from launching drones at militant camps.",  # no agent's decision
    "Heavy rain prevented Kenya from using its drones for three days.",
    "The deal allows Japan to buy more F-35 jets from the United States.",  # the deal allows, no country
    "Russia approved a new military doctrine allowing the use of nuclear weapons.",  # the doctrine allows
    "Washington allowed its ally to buy the jets.",  # a grantee that is no country: no guess
    "The army can use the new rifles from next year, the Polish defence minister said.",
    "Iran has the right to defend itself with its missiles, its foreign minister said.",
    "Officials did not say whether Washington would approve the sale of F-35 jets to Turkey.",
    "Turkey wants the United States to approve the sale of F-16 jets.",
    "The court refused to allow the sale of the weapons factory to a Chinese firm.",
    "The decision cleared the way for Poland to buy 32 F-35 fighter jets.",  # a decision is no country
    "Germany agreed to send Leopard tanks to Kenya.",  # a donation is no permission; a refusal to send is a refusal
    "Washington has not ruled out allowing Kenya to use its rockets inside Somalia.",  # still open
    "Poland approved the purchase of 96 Apache helicopters from the United States.",  # the buyer's own decision
    "Japan approved a deal to buy 100 F-35 jets.",
])
def test_no_decision_is_no_permission(sentence):
    assert run(f"{LEAD}\n\n{sentence}").permissions == []


def test_a_country_struck_is_never_the_grantee():
    assert found(f"{LEAD}\n\nPeru has allowed its weapons to be used against targets deep into the heart of "
                 "Bolivia.") == {("Peru", "Kenya", "granted")}


# --- what is parsed ---------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, parsed", [
    ("Chile allowed Peru to use its missiles.", True),
    ("The State Department approved a possible sale of 40 Javelin missiles to Kenya.", True),
    ("Chile allowed journalists into the building.", False),  # no weapon talk
    ("Peru can use the jets, the minister said.", True),
    ("Peru can use the jets.", False),  # no speaker, no supplier: nobody to grant it
    ("He would not provide details of the missile program.", True),
    ("Markets rallied on Friday.", False),
])
def test_only_candidate_sentences_are_parsed(sentence, parsed):
    assert permissions.is_candidate(sentence) is parsed


def test_every_pattern_is_a_valid_dependency_matcher_pattern_over_known_word_classes():
    from spacy.matcher import DependencyMatcher

    from etl.extract.nlp import pipeline

    lex = load()
    classes = set(lex.permissions["words"])
    for entry in lex.permission_patterns["patterns"]:
        used = {c for node in json.dumps(entry["pattern"]).split('"@')[1:] for c in node.split('"')[0].split("+")}
        assert used <= classes, entry["family"]
        assert entry["pattern"][0]["RIGHT_ID"] == "trigger"
    for i, pattern in enumerate(permissions._rules().patterns):
        DependencyMatcher(pipeline().vocab).add(f"p{i}", pattern)  # raises on a malformed pattern


# --- the whole flow: SHACL accepts each kind, permissions.rq shows it -----------------------------

def test_sales_reexports_and_refusals_pass_the_shapes_and_the_query(store: Path):
    text = ("Arms for Kenya\n\n"
            "The State Department approved a possible Foreign Military Sale to Kenya of 12 Javelin missiles.\n\n"
            "Germany has given Poland permission to send its Leopard 2 tanks to Kenya.\n\n"
            "French President Luc Marchand said France would not allow Kenya to use its missiles inside Somalia.")
    x = extract(Article(id="t-perm", source="t-perm.txt", text=text, sha256="0" * 64))
    graph = build_graph(x)
    report = validate_graph(graph)
    assert report.conforms, report.violations
    target = StoreTarget.open(store)
    load_ontology(target)
    target.replace_graph(graph_iri("t-perm"), graph.serialize(format="nt", encoding="utf-8"))
    target.close()
    rows = list(csv.DictReader(io.StringIO(query_store(store, load_query("permissions"), "csv"))))
    assert {(r["grantor"], r["grantee"], r["actionType"], r["recipient"], r["granted"], r["grantorPerson"])
            for r in rows} == {
        ("United States", "Kenya", "supply", "", "true", ""),
        ("Germany", "Poland", "retransfer", "Kenya", "true", ""),
        ("France", "Kenya", "use", "", "false", "Luc Marchand")}
