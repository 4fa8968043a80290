"""Load stage: one named graph per article, swapped atomically, in the real Oxigraph store."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from etl.build import build_graph
from etl.load import StoreError, StoreTarget, exclusive, graph_iri, load_ontology, open_store, read_store
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


def test_a_reader_never_holds_the_store_against_a_writer(store: Path) -> None:
    StoreTarget.open(store).close()

    def write_meanwhile(view: ox.Store) -> int:
        # A scheduled ETL starting while someone queries must not fail with "in use".
        target = StoreTarget.open(store)
        target.replace_graph(graph_iri("x"), b"<http://a> <http://b> <http://c> .\n")
        target.close()
        return len(view)  # a view is the store as it was when opened

    assert read_store(store, write_meanwhile) == 0
    assert read_store(store, len) == 1


def test_a_read_is_redone_when_a_writer_deleted_a_file_under_it(store: Path) -> None:
    StoreTarget.open(store).close()
    views: list[ox.Store] = []

    def read(view: ox.Store) -> str:
        views.append(view)
        if len(views) < 3:  # what RocksDB says when compaction removed a file the view had not opened yet
            raise RuntimeError("Corruption: IO error: No such file or directory: While open a file for random read")
        return "read"

    assert read_store(store, read) == "read"
    assert len(views) == 3 and len({id(v) for v in views}) == 3  # each try on a fresh view


def test_a_store_that_keeps_changing_gives_one_line_and_other_errors_are_not_retried(
        store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    StoreTarget.open(store).close()
    monkeypatch.setattr("etl.load.READ_ATTEMPTS", 2)
    tries = []

    def vanishing(view: ox.Store) -> None:
        tries.append(1)
        raise OSError("IO error: No such file or directory")

    with pytest.raises(StoreError, match="kept changing while being read"):
        read_store(store, vanishing)
    assert len(tries) == 2

    def broken(view: ox.Store) -> None:
        tries.append(1)
        raise RuntimeError("some other failure")

    with pytest.raises(RuntimeError, match="some other failure"):
        read_store(store, broken)
    assert len(tries) == 3
