"""Load stage: one named graph per article, swapped atomically, in the real Oxigraph store."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from etl.build import build_graph
from etl.load import StoreError, StoreTarget, graph_iri, load_ontology, open_store, read_store
from etl.store import exclusive
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


def _articles(extraction, n: int) -> dict[str, bytes]:
    """n distinct article graphs (the same facts under other article ids)."""
    nt = _nt(extraction)
    aid = extraction.article.id.encode()
    return {graph_iri(f"a{i}"): nt.replace(aid, f"a{i}".encode()) for i in range(n)}


def test_a_batch_lands_as_one_graph_per_article(small_extraction, tmp_path: Path) -> None:
    batch = _articles(small_extraction, 5)
    one_by_one = StoreTarget.open(tmp_path / "one")
    for g, nt in batch.items():
        one_by_one.replace_graph(g, nt)
    together = StoreTarget.open(tmp_path / "batch")
    together.replace_graphs(batch)
    assert {str(q) for q in together.store} == {str(q) for q in one_by_one.store}
    assert together.graph_names() == set(batch)
    assert not list(together.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    one_by_one.close()
    together.close()


def test_a_batch_replaces_changed_articles_and_adds_new_ones(small_extraction, store: Path) -> None:
    batch = _articles(small_extraction, 3)
    target = StoreTarget.open(store)
    first = next(iter(batch))
    target.replace_graph(first, b"<http://example.org/old> <http://example.org/p> <http://example.org/o> .\n")
    target.replace_graphs(batch)
    quads = {str(q) for q in target.store}
    assert not any("example.org/old" in q for q in quads)
    assert len(quads) == 3 * len(build_graph(small_extraction))
    target.close()


def test_a_broken_article_keeps_its_whole_batch_out(small_extraction, store: Path) -> None:
    batch = _articles(small_extraction, 3)
    batch[graph_iri("broken")] = b'<http://a> <http://b> "unterminated .\n'
    target = StoreTarget.open(store)
    with pytest.raises(SyntaxError):
        target.replace_graphs(batch)
    assert len(target.store) == 0 and target.graph_names() == set()
    target.close()


def test_hand_written_ntriples_never_reach_the_default_graph(store: Path) -> None:
    # Valid N-Triples the fast path cannot rewrite line by line: no space before the dot, a comment.
    odd = b"# a comment\n<http://a> <http://b> <http://c>.\n<http://a> <http://b> \"x .\\n y\" ."
    target = StoreTarget.open(store)
    target.replace_graphs({graph_iri("odd"): odd})
    assert {q.graph_name.value for q in target.store} == {graph_iri("odd")}
    assert len(target.store) == 2
    target.close()


def test_files_of_a_killed_bulk_load_are_removed_on_open(store: Path) -> None:
    StoreTarget.open(store).close()
    leftover = store / "bulk-123.sst"
    leftover.write_bytes(b"half written")
    StoreTarget.open(store).close()
    assert not leftover.exists()


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
    with pytest.raises(StoreError, match="no store at"):
        read_store(tmp_path / "nope", len)


def test_readers_and_a_writer_take_turns(store: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    StoreTarget.open(store).close()
    order: list[str] = []

    def slow_read(view: ox.Store) -> int:
        order.append("read")
        time.sleep(1.0)
        order.append("read done")
        return len(view)

    reader = threading.Thread(target=read_store, args=(store, slow_read))
    reader.start()
    while not order:
        time.sleep(0.01)
    target = StoreTarget.open(store)  # waits for the query in progress
    order.append("write")
    target.replace_graph(graph_iri("x"), b"<http://a> <http://b> <http://c> .\n")
    monkeypatch.setattr("etl.store.READ_WAIT_S", 0.3)
    with pytest.raises(StoreError, match="an ETL run has been loading into"):
        read_store(store, len)  # a query waits for the writer (here only 0.3 s)
    target.close()
    reader.join()
    assert order == ["read", "read done", "write"]
    assert read_store(store, len) == 1
    assert "waiting for the queries reading" in capsys.readouterr().err


def test_a_writer_gives_up_with_one_line_on_a_query_that_never_ends(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    StoreTarget.open(store).close()
    monkeypatch.setattr("etl.store.WRITE_WAIT_S", 0.3)
    with pytest.raises(StoreError, match="a query or export has been reading"):
        read_store(store, lambda view: StoreTarget.open(store))
    StoreTarget.open(store).close()  # nothing left locked
