"""Validate stage: real pySHACL against shapes/."""
from __future__ import annotations

from pathlib import Path

from rdflib import Literal

from etl.build import build_graph, meeting_iri, person_iri
from etl.namespaces import NG
from etl.validate import validate_file, validate_graph


def test_a_well_formed_article_conforms(small_extraction) -> None:
    report = validate_graph(build_graph(small_extraction))
    assert report.conforms, report.violations


def test_missing_evidence_is_reported_readably(small_extraction) -> None:
    g = build_graph(small_extraction)
    g.remove((person_iri("m-varga"), NG.evidence, None))
    report = validate_graph(g)
    assert not report.conforms
    assert [str(v) for v in report.violations] == [
        "ngid:person/m-varga (ng:evidence): Every fact must carry its evidence sentence (ng:evidence)."
    ]


def test_meeting_needs_two_participants_and_a_real_date(small_extraction) -> None:
    g = build_graph(small_extraction)
    m = meeting_iri(small_extraction.article, small_extraction.meetings[0])
    g.remove((m, NG.participant, person_iri("o-brandt")))
    g.set((m, NG.date, Literal("last Tuesday")))
    messages = {v.message for v in validate_graph(g).violations}
    assert "A meeting needs two or more participants, each an ng:Person." in messages
    assert "A meeting has at most one date, an xsd:date." in messages


def test_extra_shapes_can_be_given(small_extraction, tmp_path: Path) -> None:
    strict = tmp_path / "strict.ttl"
    strict.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ng: <https://w3id.org/newsgraph/ontology#> .\n"
        "[] a sh:NodeShape ; sh:targetClass ng:Person ; sh:property [ sh:path ng:role ; sh:minCount 1 ;"
        " sh:message \"every person needs a role\" ] .\n"
    )
    report = validate_graph(build_graph(small_extraction), strict)
    assert [v.message for v in report.violations] == ["every person needs a role"]


def test_validate_file(small_extraction, tmp_path: Path) -> None:
    f = tmp_path / "a.ttl"
    build_graph(small_extraction).serialize(f, format="turtle")
    assert validate_file(f).conforms
