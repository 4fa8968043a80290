"""Build stage: records -> RDF, compared with a golden file by graph isomorphism."""
from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph
from rdflib.compare import isomorphic, graph_diff, to_isomorphic

from etl.build import build_graph, slug
from etl.namespaces import NG

GOLDEN = Path(__file__).parent / "golden" / "small_extraction.ttl"


def test_matches_golden_file(small_extraction) -> None:
    built = build_graph(small_extraction)
    golden = Graph().parse(GOLDEN, format="turtle")
    if not isomorphic(built, golden):
        _, only_built, only_golden = graph_diff(to_isomorphic(built), to_isomorphic(golden))
        raise AssertionError(f"only built:\n{only_built.serialize(format='nt')}\nonly golden:\n{only_golden.serialize(format='nt')}")


def test_same_input_same_triples_and_no_blank_nodes(small_extraction) -> None:
    a, b = build_graph(small_extraction), build_graph(small_extraction)
    assert set(a) == set(b)
    assert not any(isinstance(t, BNode) for triple in a for t in triple)


def test_every_fact_points_to_its_article(small_extraction) -> None:
    g = build_graph(small_extraction)
    for cls in (NG.Person, NG.Meeting, NG.WeaponSystem, NG.Permission):
        for node in g.subjects(predicate=None, object=cls):
            assert g.value(node, NG.sourceArticle) is not None
            assert g.value(node, NG.evidence) is not None


def test_slug() -> None:
    assert slug("Lars Løkke Rasmussen") == "lars-lokke-rasmussen"
    assert slug("MIM-104 Patriot") == "mim-104-patriot"
    assert slug("!!!") == "x"
