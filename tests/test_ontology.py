"""The ontology: every term labelled and explained, and every ng: term used anywhere declared in it."""
from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS

from etl.namespaces import NG, ONTOLOGY
from etl.resources import ONTOLOGY_DIR, QUERIES_DIR, SHAPES_DIR

ROOT = Path(__file__).resolve().parent.parent


def _ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "newsgraph.ttl", format="turtle")


def _declared(g: Graph) -> set[str]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)
    return {str(s) for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(str(NG))}


def test_every_term_has_a_label_and_a_comment() -> None:
    g = _ontology()
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in g
    terms = _declared(g)
    assert {str(NG[c]) for c in ("Person", "Meeting", "WeaponSystem", "Permission", "Article", "Country")} <= terms
    for term in terms:
        node = NG[term.removeprefix(str(NG))]
        assert g.value(node, RDFS.label) is not None, term
        assert g.value(node, RDFS.comment) is not None, term


def test_every_ng_term_in_code_shapes_and_queries_is_declared() -> None:
    declared = {t.removeprefix(str(NG)) for t in _declared(_ontology())}
    used: set[str] = set()
    for path in [*ROOT.glob("etl/*.py"), *ROOT.glob("flows/*.py")]:
        used |= set(re.findall(r"\bNG\.(\w+)", path.read_text(encoding="utf-8")))
    for path in [*SHAPES_DIR.glob("*.ttl"), *QUERIES_DIR.glob("*.rq")]:
        used |= set(re.findall(r"\bng:(\w+)", path.read_text(encoding="utf-8")))
    assert used, "found no ng: terms at all"
    assert used - declared == set()


def test_aligned_to_standard_vocabularies() -> None:
    g = _ontology()
    links = (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentProperty, OWL.equivalentClass)
    targets = {str(o) for p in links for o in g.objects(None, p)}
    for vocab in ("https://schema.org/", "http://semanticweb.cs.vu.nl/2009/11/sem/",
                  "http://www.w3.org/ns/odrl/2/", "http://www.w3.org/ns/prov#"):
        assert any(t.startswith(vocab) for t in targets), vocab
