"""Cross-article person resolution (etl/resolve.py): one node per person, in real stores and real flows."""
from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL

from etl.build import build_graph, person_iri
from etl.export import export
from etl.load import StoreTarget, graph_iri, load_ontology
from etl.namespaces import RESOLUTION
from etl.query import query_store
from etl.records import Article, Country, Extraction, Meeting, Permission, Person
from etl.extract.lexicon import load as load_lexicon
from etl.extract.persons import person_key
from etl.resolve import PersonNode, office, person_nodes, resolve, same_as
from etl.resources import load_query
from etl.validate import validate_store
from helpers import store_quads

RURITANIA = Country("ruritania", "Ruritania")
ELBONIA = Country("elbonia", "Elbonia")
SAID = "Invented evidence sentence."


def _article(aid: str, persons: list[Person], meetings: tuple[Meeting, ...] = (),
             permissions: tuple[Permission, ...] = ()) -> Extraction:
    art = Article(id=aid, source=f"{aid}.txt", text="...", sha256=hashlib.sha256(aid.encode()).hexdigest(), published=date(2025, 5, 1))
    return Extraction(art, persons=persons, meetings=list(meetings), permissions=list(permissions))


MARTA = Person("m-varga", "Marta Varga", SAID, ("Varga",), ("Ruritanian Foreign Minister",), RURITANIA)
OLEK = Person("o-brandt", "Olek Brandt", SAID, (), ("President",), ELBONIA)
IVAN = Person("i-varga", "Ivan Varga", SAID, (), ("Elbonian President",), ELBONIA)
FULL = _article("a-full", [MARTA, OLEK], (Meeting(("m-varga", "o-brandt"), "held", SAID),))
# Another article names both by surname alone, and Varga grants a permission.
SHORT = _article(
    "b-short",
    [Person("varga", "Varga", SAID, (), ("Foreign Minister",)), Person("brandt", "Brandt", SAID)],
    (Meeting(("varga", "brandt"), "held", SAID),),
    (Permission(ELBONIA, "granted", SAID, grantor=RURITANIA, grantor_person="varga", weapon="its rockets"),
     Permission(RURITANIA, "refused", SAID, grantor=ELBONIA)),
)
OTHER_VARGA = _article("c-other", [IVAN])


def _load(store: Path, *articles: Extraction) -> dict[str, str]:
    """Load articles into the store as one ETL run would, then resolve: the run's links."""
    target = StoreTarget.open(store)
    try:
        load_ontology(target)
        for x in articles:
            target.replace_graph(graph_iri(x.article.id), build_graph(x).serialize(format="nt", encoding="utf-8"))
        return resolve(target)
    finally:
        target.close()


def _remove(store: Path, article: Extraction) -> dict[str, str]:
    target = StoreTarget.open(store)
    try:
        target.remove_graph(graph_iri(article.article.id))
        return resolve(target)
    finally:
        target.close()


def _rows(store: Path, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(query_store(store, load_query(name), "csv"))))


def _in_resolution(store: Path) -> set[str]:
    return {q for q in store_quads(store) if q.endswith(f" <{RESOLUTION}>")}


def iri(key: str) -> str:
    return str(person_iri(key))


# --- the rules -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role, expected", [
    ("U.S. Secretary of State", "secretary"), ("Secretary of Defense", "secretary"),
    ("Ruritania’s President", "president"), ("President of Elbonia", "president"),
    ("Senators", "senator"), ("Polish Deputy Defense Minister", "deputy minister"),
    ("Vice President", "vice president"), ("his Ruritanian counterpart", None), ("", None),
])
def test_office_of_a_role(role: str, expected: str | None) -> None:
    assert office(role) == expected


def _node(key: str, countries: set[str] = set(), offices: set[str] = set()) -> PersonNode:
    surname = key.split("-")[-1]
    return PersonNode(iri(key), surname, "-" in key, frozenset(countries), frozenset(offices))


def test_one_compatible_full_name_gets_the_link() -> None:
    assert same_as([_node("m-varga"), _node("varga"), _node("brandt")]) == {iri("varga"): iri("m-varga")}


def test_two_compatible_full_names_leave_the_surname_apart() -> None:
    assert same_as([_node("m-varga"), _node("i-varga"), _node("varga")]) == {}


def test_a_country_or_office_picks_the_one_that_fits() -> None:
    nodes = [_node("m-varga", {"ruritania"}, {"minister"}), _node("i-varga", {"elbonia"}, {"president"})]
    assert same_as([*nodes, _node("varga", {"elbonia"})]) == {iri("varga"): iri("i-varga")}
    assert same_as([*nodes, _node("varga", offices={"minister"})]) == {iri("varga"): iri("m-varga")}
    # A conflict with the only candidate is no link either; a vice president is not the president.
    assert same_as([nodes[1], _node("varga", {"ruritania"})]) == {}
    assert same_as([nodes[1], _node("varga", offices={"vice president"})]) == {}


def test_full_names_are_never_merged_with_each_other() -> None:
    # Different initials are different persons (and a full name is never a variant).
    assert same_as([_node("m-varga"), _node("i-varga")]) == {}


def _facts(*names: str, role: str = "") -> list[dict[str, str]]:
    """person_facts.rq rows for persons named so (keyed as extraction keys them)."""
    return [{"person": iri(person_key(n.split())), "names": n, "roles": role} for n in names]


def test_a_name_that_may_put_the_surname_first() -> None:
    # "Chen Lian" may be surname first; "Chen" alone is that person when no "X Chen" fits...
    variant = iri(person_key(["Chen"]))
    assert same_as(person_nodes(_facts("Chen Lian", "Chen"))) == {variant: iri(person_key(["Chen", "Lian"]))}
    # ...names in the usual order come first...
    assert same_as(person_nodes(_facts("Chen Lian", "Mira Chen", "Chen"))) == {
        variant: iri(person_key(["Mira", "Chen"]))}
    # ...and a first part that is a known given name is never a surname.
    given = sorted(load_lexicon().given_names)[0]
    assert same_as(person_nodes(_facts(f"{given} Lian", given))) == {}
    assert same_as(person_nodes(_facts("Chen Lian Wei", "Chen"))) == {}  # three parts: not this rule


# --- in a real store -----------------------------------------------------------------------------

def test_load_order_does_not_matter(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    _load(one, FULL)
    first = _load(one, SHORT)
    _load(two, SHORT)  # alone, the surname-only nodes have nothing to resolve to
    assert _load(two, FULL) == first == {iri("varga"): iri("m-varga"), iri("brandt"): iri("o-brandt")}
    assert store_quads(one) == store_quads(two)


def test_a_rerun_changes_nothing(store: Path) -> None:
    _load(store, FULL, SHORT)
    before = store_quads(store)
    assert len(_in_resolution(store)) == 2
    _load(store, FULL, SHORT)
    assert store_quads(store) == before


def test_the_links_follow_the_whole_store(store: Path) -> None:
    both = {iri("varga"): iri("m-varga"), iri("brandt"): iri("o-brandt")}
    assert _load(store, FULL, SHORT) == both
    assert _load(store, OTHER_VARGA) == both  # Ivan Varga is a president, this Varga a minister
    assert _remove(store, FULL) == {}  # Ivan alone conflicts; Brandt's full name left with the article
    assert _in_resolution(store) == set()  # no links: no graph
    assert _load(store, FULL) == both


def test_ambiguous_surnames_stay_apart(store: Path) -> None:
    bare = _article("d-bare", [Person("varga", "Varga", SAID)])
    assert _load(store, FULL, OTHER_VARGA, bare) == {}
    assert {r["person"] for r in _rows(store, "persons")} == {iri("m-varga"), iri("o-brandt"), iri("i-varga"),
                                                              iri("varga")}


def test_shipped_queries_see_one_person(store: Path) -> None:
    _load(store, FULL, SHORT)
    persons = _rows(store, "persons")
    assert sorted((r["article"].rsplit("/", 1)[1], r["name"], r["person"]) for r in persons) == [
        ("a-full", "Marta Varga", iri("m-varga")), ("a-full", "Olek Brandt", iri("o-brandt")),
        ("b-short", "Brandt", iri("o-brandt")), ("b-short", "Varga", iri("m-varga"))]
    meetings = _rows(store, "meetings")
    assert {r["participant"] for r in meetings} == {"Marta Varga", "Olek Brandt", "Varga", "Brandt"}
    assert {r["person"] for r in meetings} == {iri("m-varga"), iri("o-brandt")}
    per_person = _rows(store, "meetings_per_person")
    assert sorted((r["person"], r["name"], r["meetings"]) for r in per_person) == [
        (iri("m-varga"), "Marta Varga", "2"), (iri("o-brandt"), "Olek Brandt", "2")]
    permissions = {r["status"]: r for r in _rows(store, "permissions")}
    assert (permissions["granted"]["grantorPerson"], permissions["granted"]["grantorPersonNode"]) == (
        "Varga", iri("m-varga"))
    assert permissions["refused"]["grantorPersonNode"] == ""  # no person: no node, not some link


def test_without_links_the_queries_keep_each_node(store: Path) -> None:
    _load(store, SHORT)
    assert {r["person"] for r in _rows(store, "persons")} == {iri("varga"), iri("brandt")}


def test_export_carries_the_links_and_validate_passes(store: Path, tmp_path: Path) -> None:
    _load(store, FULL, SHORT)
    link = (URIRef(iri("varga")), OWL.sameAs, URIRef(iri("m-varga")))
    ttl = tmp_path / "graph.ttl"
    with ttl.open("wb") as out:
        export(store, out, "turtle")
    assert link in Graph().parse(ttl, format="turtle")
    trig = tmp_path / "graph.trig"
    with trig.open("wb") as out:
        export(store, out, "trig")
    assert link in Dataset().parse(trig, format="trig").graph(URIRef(str(RESOLUTION)))  # in its own graph
    reports = validate_store(store)
    assert set(reports) == {graph_iri("a-full"), graph_iri("b-short")}  # article graphs only
    assert all(r.conforms for r in reports.values())


def test_through_a_writable_server(tmp_path: Path) -> None:
    """`newsgraph serve --writable`: the ETL's target is the server's Graph Store endpoint."""
    from etl.serve.graphstore import EndpointTarget, target_for
    from test_serve import serve

    store = tmp_path / "store"
    StoreTarget.open(store).close()
    s = serve(store, writable=True)
    try:
        target = target_for(store)
        assert isinstance(target, EndpointTarget)
        for x in (SHORT, FULL):
            target.replace_graph(graph_iri(x.article.id), build_graph(x).serialize(format="nt", encoding="utf-8"))
        assert resolve(target) == {iri("varga"): iri("m-varga"), iri("brandt"): iri("o-brandt")}
        assert resolve(target) == {iri("varga"): iri("m-varga"), iri("brandt"): iri("o-brandt")}
        assert {r["person"] for r in target.select(load_query("persons"))} == {iri("m-varga"), iri("o-brandt")}
        assert str(RESOLUTION) in target.graph_names()
    finally:
        assert s.stop() == 0


# --- in a real flow ------------------------------------------------------------------------------

FULL_TEXT = ("Ruritanian Foreign Minister Marta Varga met Elbonian President Olek Brandt in Geneva on Monday.\n\n"
             "Marta Varga said the talks were useful.\n")
SHORT_TEXT = ("Foreign Minister Varga met President Brandt again in Geneva on Tuesday.\n\n"
              "Varga said the second round went well, and Brandt agreed.\n")


@pytest.mark.usefixtures("prefect_harness")
def test_the_flow_resolves_after_loading_in_any_order(tmp_path: Path) -> None:
    from flows.etl import etl_flow

    src = tmp_path / "articles"
    src.mkdir()
    (src / "full.txt").write_text(FULL_TEXT, encoding="utf-8")
    (src / "short.txt").write_text(SHORT_TEXT, encoding="utf-8")
    files = [str(src / "full.txt"), str(src / "short.txt")]
    one, two = tmp_path / "one", tmp_path / "two"
    for store, order in ((one, files), (two, files[::-1])):
        for path in order:
            assert etl_flow(str(src), ("store", str(store)), only=[path]).loaded == 1
    summary = etl_flow(str(src), ("store", str(one)))
    assert (summary.loaded, summary.skipped, summary.resolved) == (0, 2, 2)
    assert "2 person(s) named by surname alone linked" in summary.render()
    assert store_quads(one) == store_quads(two)
    persons = {r["name"]: r["person"] for r in _rows(one, "persons")}
    assert persons["Varga"] == persons["Marta Varga"] == iri("m-varga")
    assert persons["Brandt"] == persons["Olek Brandt"] == iri("o-brandt")
