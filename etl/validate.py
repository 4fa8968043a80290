"""Validate stage: an article's graph against shapes/ with pySHACL.

Articles that break the shapes are not loaded; the run reports their
violation messages and goes on with the rest.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph
from rdflib.namespace import RDF, RDFS

from .namespaces import ONTOLOGY, PREFIXES, RESOLUTION, SH
from .resources import ONTOLOGY_DIR, SHAPES_DIR


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.focus}{where}: {self.message}"


@dataclass(frozen=True)
class Report:
    conforms: bool
    violations: tuple[Violation, ...]


@cache
def shapes_graph(source: Path = SHAPES_DIR) -> Graph:
    """The shapes in a .ttl file or a folder of them (default: shapes/)."""
    g = Graph()
    for path in sorted(source.glob("*.ttl")) if source.is_dir() else [source]:
        g.parse(path, format="turtle")
    return g


@cache
def ontology_graph() -> Graph:
    """The ontology's class hierarchy: all that sh:class checks need from it.

    pySHACL copies ont_graph into every data graph it checks; the whole ontology
    (labels, comments) made validation ~40% slower for nothing.
    """
    full = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        full.parse(path, format="turtle")
    g = Graph()
    for triple in full.triples((None, RDFS.subClassOf, None)):
        g.add(triple)
    return g


def validate_graph(data: Graph, shapes: Path = SHAPES_DIR, *, scratch: bool = False) -> Report:
    """Check `data`; with `scratch`, the caller will not use it again and pySHACL may add to it.

    The ontology's class hierarchy is mixed into the data graph (a Country is a Place for
    sh:class); into a scratch graph in place, otherwise into a copy (a quarter of the cost).
    """
    conforms, results, _ = shacl_validate(
        data,
        shacl_graph=shapes_graph(shapes),
        ont_graph=ontology_graph(),
        inference="none",
        allow_warnings=True,
        inplace=scratch,
    )
    return Report(bool(conforms), tuple(_violations(results)))


def validate_file(path: Path, shapes: Path = SHAPES_DIR) -> Report:
    from .export import guess_format

    data = Graph()
    data.parse(path, format=guess_format(path))
    return validate_graph(data, shapes, scratch=True)


def short_iri(term: object) -> str:
    """ng:evidence rather than the full IRI: reports are read by people."""
    text = str(term)
    for prefix, ns in PREFIXES.items():
        if text.startswith(base := str(ns)):
            return f"{prefix}:{text[len(base):]}"
    return text


def _violations(results: Graph) -> list[Violation]:
    out = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        path = results.value(result, SH.resultPath)
        out.append(Violation(
            focus=short_iri(results.value(result, SH.focusNode)),
            path=short_iri(path) if path is not None else None,
            message=str(results.value(result, SH.resultMessage) or "constraint violated"),
        ))
    return sorted(out, key=lambda v: (v.focus, v.path or "", v.message))


def validate_store(path: Path, shapes: Path = SHAPES_DIR) -> dict[str, Report]:
    """Each article graph in the store, checked on its own (as it was before loading)."""
    import pyoxigraph as ox

    from .load import read_store

    def check(store: ox.Store) -> dict[str, Report]:
        reports = {}
        for name in sorted((g for g in store.named_graphs() if g.value not in (str(ONTOLOGY), str(RESOLUTION))),
                           key=str):
            data = Graph()
            data.parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name), format="nt")
            reports[name.value] = validate_graph(data, shapes, scratch=True)
        return reports

    return read_store(path, check)
