"""Query and export stages over a real on-disk store."""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from etl.build import build_graph
from etl.export import ExportError, export
from etl.load import StoreTarget, graph_iri, load_ontology
from etl.query import QueryError, parse_binding, query_store
from etl.resources import load_query
from etl.validate import validate_graph


@pytest.fixture
def loaded(small_extraction, store: Path) -> Path:
    target = StoreTarget.open(store)
    load_ontology(target)
    target.replace_graph(graph_iri(small_extraction.article.id),
                         build_graph(small_extraction).serialize(format="nt", encoding="utf-8"))
    target.close()
    return store


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_contract_queries_have_the_scorer_columns(loaded: Path) -> None:
    persons = _csv(query_store(loaded, load_query("persons"), "csv"))
    assert {r["name"] for r in persons} == {"Marta Varga", "Olek Brandt"}
    assert all(r["article"].endswith("/t001") for r in persons)
    meetings = _csv(query_store(loaded, load_query("meetings"), "csv"))
    assert [(r["participant"], r["date"], r["place"], r["status"]) for r in meetings] == [
        ("Marta Varga", "2024-03-08", "Geneva", "held"), ("Olek Brandt", "2024-03-08", "Geneva", "held")]
    weapons = _csv(query_store(loaded, load_query("weapon_systems"), "csv"))
    assert [(r["name"], r["wikidata"]) for r in weapons] == [("MIM-104 Patriot", "http://www.wikidata.org/entity/Q174968")]
    perms = _csv(query_store(loaded, load_query("permissions"), "csv"))
    assert [(r["grantor"], r["grantee"], r["granted"], r["scope"]) for r in perms] == [
        ("Ruritania", "Elbonia", "true", "border region")]


def test_formats(loaded: Path) -> None:
    q = "SELECT ?name WHERE { ?p a ng:Person ; ng:name ?name } ORDER BY ?name"
    assert query_store(loaded, q, "tsv").splitlines()[0] == "?name"
    data = json.loads(query_store(loaded, q, "json"))
    assert [b["name"]["value"] for b in data["results"]["bindings"]] == ["Marta Varga", "Olek Brandt"]
    table = query_store(loaded, q, "table")
    assert "Marta Varga" in table and table.rstrip().endswith("(2 rows)")
    iris = query_store(loaded, "SELECT ?p ?e WHERE { ?p a ng:Person ; ng:evidence ?e } ORDER BY ?p", "table")
    assert "ngid:person/m-varga" in iris and "https://" not in iris  # shortened for reading
    assert all(len(cell) <= 60 for line in iris.splitlines()[2:-1] for cell in line.split("  ") if cell)
    assert query_store(loaded, "ASK { ?p a ng:Person }", "table") == "true\n"
    ttl = query_store(loaded, "CONSTRUCT { ?p ng:name ?n } WHERE { ?p a ng:Person ; ng:name ?n }", "table")
    assert len(Graph().parse(data=ttl, format="turtle")) == 2


def test_bound_parameters_not_pasted(loaded: Path) -> None:
    q = "SELECT ?p ?name WHERE { ?p ng:name ?name }"
    out = _csv(query_store(loaded, q, "csv", dict([parse_binding("name=Olek Brandt")])))
    assert [r["p"] for r in out] == ["https://w3id.org/newsgraph/id/person/o-brandt"]
    # A value that would break a pasted query is just a literal that matches nothing.
    assert _csv(query_store(loaded, q, "csv", dict([parse_binding('name=x" } DROP ALL #')]))) == []
    with pytest.raises(QueryError, match="NAME=VALUE"):
        parse_binding("novalue")


def test_syntax_error_is_one_line(loaded: Path) -> None:
    with pytest.raises(QueryError, match="SPARQL syntax error") as exc:
        query_store(loaded, "SELEC ?x WHERE {")
    assert "\n" not in str(exc.value)


def test_turtle_export_parses_and_conforms(loaded: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.ttl"
    with out.open("wb") as fh:
        export(loaded, fh, "turtle")
    g = Graph().parse(out, format="turtle")
    assert validate_graph(g).conforms
    assert len(g) > 100  # the article graph plus the ontology graph's triples
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    nt = subprocess.run([oxigraph, "convert", "--from-file", str(out), "--to-format", "nt"],
                        capture_output=True, check=True).stdout
    assert len(Graph().parse(data=nt, format="nt")) == len(g)


def test_trig_keeps_named_graphs_and_article_export(loaded: Path, tmp_path: Path) -> None:
    buf = io.BytesIO()
    export(loaded, buf, "trig")
    ds = Dataset().parse(data=buf.getvalue(), format="trig")
    names = {str(g.identifier) for g in ds.graphs()}
    assert graph_iri("t001") in names
    one = io.BytesIO()
    export(loaded, one, "turtle", article="t001")
    assert len(Graph().parse(data=one.getvalue(), format="turtle")) == len(ds.graph(graph_iri("t001")))
    with pytest.raises(ExportError, match="no article"):
        export(loaded, io.BytesIO(), "turtle", article="nope")
    with pytest.raises(ExportError, match="unknown format"):
        export(loaded, io.BytesIO(), "docx")


def test_construct_export(loaded: Path) -> None:
    buf = io.BytesIO()
    export(loaded, buf, "nt", construct="CONSTRUCT { ?p ng:name ?n } WHERE { ?p a ng:Person ; ng:name ?n }")
    assert len(Graph().parse(data=buf.getvalue(), format="nt")) == 2
