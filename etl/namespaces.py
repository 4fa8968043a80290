"""Every IRI newsgraph writes, declared once (mirrors ontology/newsgraph.ttl).

Modelled on pySHACL's consts: code imports names from here and never spells an
IRI as a string literal.
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD

ONTOLOGY = URIRef("https://w3id.org/newsgraph/ontology")
"""The ontology itself; also the named graph it is loaded into, beside the article graphs."""

NG = Namespace(ONTOLOGY + "#")
"""The newsgraph ontology (classes and properties)."""

ID = Namespace("https://w3id.org/newsgraph/id/")
"""Things newsgraph mints IRIs for: persons, countries, weapons, meetings, permissions, articles."""

GRAPH = Namespace("https://w3id.org/newsgraph/graph/")
"""One named graph per article: GRAPH[article_id]."""

RESOLUTION = URIRef("https://w3id.org/newsgraph/resolution")
"""The named graph of owl:sameAs links between person nodes, rebuilt from the whole store after
each ETL run (etl/resolve.py). Outside GRAPH, so no article id can take it and pruning never drops it."""

SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
WD = Namespace("http://www.wikidata.org/entity/")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES: dict[str, Namespace] = {
    "ng": NG,
    "ngid": ID,
    "ngg": GRAPH,
    "schema": SDO,
    "sem": SEM,
    "odrl": ODRL,
    "prov": PROV,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "wd": WD,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "sh": SH,
}


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above (used by `newsgraph query` for inline queries)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
