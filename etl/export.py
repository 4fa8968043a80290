"""Export stage: the store (or one article, or a CONSTRUCT) as Turtle, TriG, N-Quads...

pyoxigraph serializes (seconds where rdflib's serializer takes minutes on large
stores). Turtle and N-Triples merge the article graphs into one graph; TriG
and N-Quads keep one named graph per article.
"""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from .errors import UserError
from .load import graph_iri, read_store
from .namespaces import PREFIXES
from .query import QueryError, run_query

FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
_PREFIXES = {p: str(ns) for p, ns in PREFIXES.items()}
_SUFFIX_TO_RDFLIB = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".nq": "nquads", ".jsonld": "json-ld", ".rdf": "xml", ".owl": "xml", ".xml": "xml"}


class ExportError(UserError):
    """The export cannot be made; the message is one line for the user."""


def guess_format(path: Path) -> str:
    """rdflib's name for a file's RDF syntax, from its suffix (Turtle when unsure)."""
    return _SUFFIX_TO_RDFLIB.get(path.suffix.lower(), "turtle")


def export(store_path: Path, out: BinaryIO, fmt: str = "turtle", *, article: str | None = None,
           construct: str | None = None) -> None:
    """Stream the store (or one article's graph, or a CONSTRUCT result) to `out`.

    The whole store includes the ontology's own named graph, so the file opens
    in Protégé with its classes and labels.
    """
    rdf_format = FORMATS.get(fmt.lower())
    if rdf_format is None:
        raise ExportError(f"unknown format {fmt!r}; use one of: {', '.join(sorted(FORMATS))}")
    read_store(store_path, lambda store: _write(store, out, rdf_format, article, construct))


def _write(store: ox.Store, out: BinaryIO, rdf_format: ox.RdfFormat, article: str | None, construct: str | None) -> None:
    prefixes = _PREFIXES if rdf_format != ox.RdfFormat.N_TRIPLES else None
    if construct is not None:
        result = run_query(store, construct)
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("--construct needs a CONSTRUCT or DESCRIBE query")
        ox.serialize(result, out, format=rdf_format, prefixes=prefixes)
    elif article is not None:
        g = ox.NamedNode(graph_iri(article))
        if not store.contains_named_graph(g):
            raise ExportError(f"no article {article!r} in the store; `newsgraph query --name articles` lists them")
        store.dump(out, rdf_format, from_graph=g, prefixes=prefixes)
    elif rdf_format.supports_datasets:
        store.dump(out, rdf_format, prefixes=prefixes)
    else:
        # One graph out of many: a triple stated by several articles is written once per article,
        # which every RDF parser reads back as one triple; streaming keeps memory flat.
        ox.serialize((q.triple for q in store), out, format=rdf_format, prefixes=prefixes)
