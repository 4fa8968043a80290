"""Load stage: one named graph per article, swapped atomically, in the real Oxigraph store."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from etl.build import build_graph
from etl.load import StoreError, StoreTarget, exclusive, graph_iri, load_ontology, open_store
from etl.namespaces import ONTOLOGY


def _nt(extraction) -> bytes:
    return build_graph(extraction).serialize(format="nt", encoding="utf-8")



def test_replace_is_idempotent(small_extraction, store: Path) -> None:
    target = StoreTarget.open(store)
    g = graph_iri(small_extraction.article.id)
    target.replace_graph(g, _nt(small_extraction))
    first = {str(q) for q in target.store}
    target.replace_graph(g, _nt(small_extraction))
    assert {str(q) for q in target.store} == first
    assert len(first) == len(build_graph(small_extraction))
    assert target.graph_names() == {g}
    target.close()


def test_a_failed_replace_keeps_the_old_graph(small_extraction, store: Path) -> None:
    target = StoreTarget.open(store)
    g = graph_iri(small_extraction.article.id)
    target.replace_graph(g, _nt(small_extraction))
    before = {str(q) for q in target.store}
    with pytest.raises(SyntaxError):
        target.replace_graph(g, b'<http://a> <http://b> "unterminated .\n')
    assert {str(q) for q in target.store} == before
    target.close()


def test_a_failed_first_load_writes_nothing(small_extraction, store: Path) -> None:
    target = StoreTarget.open(store)
    good = _nt(small_extraction)
    with pytest.raises(SyntaxError):
        target.replace_graph(graph_iri("new"), good + b'<http://a> <http://b> "unterminated .\n')
    assert len(target.store) == 0 and target.graph_names() == set()
    target.close()


def test_ontology_graph(store: Path) -> None:
    target = StoreTarget.open(store)
    load_ontology(target)
    load_ontology(target)
    assert target.graph_names() == {str(ONTOLOGY)}
    assert len(target.store) > 100
    target.close()


def test_second_writer_gets_one_clear_line(store: Path) -> None:
    held = open_store(store)
    with pytest.raises(StoreError, match="in use by another process"):
        # A second handle in the same process hits the same RocksDB lock another process would.
        open_store(store)
    del held


def test_two_etl_runs_do_not_interleave(store: Path) -> None:
    with exclusive(store):
        with pytest.raises(StoreError, match="another `newsgraph etl`"):
            with exclusive(store):
                pass
    with exclusive(store):  # released again
        pass


def test_missing_store_for_reading(tmp_path: Path) -> None:
    from etl.load import open_store_read_only

    with pytest.raises(StoreError, match="no store at"):
        open_store_read_only(tmp_path / "nope")
