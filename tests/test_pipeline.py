"""The stages in order: batch validation is exactly per-article validation."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rdflib import Graph

from etl.build import build_graph
from etl.load import graph_iri
from etl.pipeline import disjoint_union, prepare_batch
from etl.read import content_hash
from etl.validate import validate_graph

NEEDS_ROLE = (
    "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ng: <https://w3id.org/newsgraph/ontology#> .\n"
    "[] a sh:NodeShape ; sh:targetClass ng:Person ; sh:property [ sh:path ng:role ; sh:minCount 1 ] .\n"
)


def test_one_article_cannot_cover_for_another(small_extraction, tmp_path: Path) -> None:
    shapes = tmp_path / "role.ttl"
    shapes.write_text(NEEDS_ROLE)
    with_roles = replace(small_extraction, persons=[replace(p, roles=("Minister",)) for p in small_extraction.persons])
    other = replace(small_extraction, article=replace(small_extraction.article, id="t002"))  # o-brandt has no role
    good, bad = build_graph(with_roles), build_graph(other)
    assert validate_graph(good, shapes).conforms and not validate_graph(bad, shapes).conforms
    naive = Graph()
    for g in (good, bad):
        naive += g
    assert validate_graph(naive, shapes).conforms  # shared person nodes: the good article hides the bad one
    assert not validate_graph(disjoint_union([good, bad]), shapes).conforms


def test_batch_reports_each_article(samples: Path, tmp_path: Path) -> None:
    dated = tmp_path / "dated.ttl"
    dated.write_text(NEEDS_ROLE.replace("ng:Person", "ng:Article").replace("ng:role", "ng:datePublished"))
    paths = sorted(samples.glob("*.txt"))
    outcomes = [p.outcome for p in prepare_batch(paths, dated)]
    assert outcomes == ["ready", "rejected", "rejected", "rejected", "ready"]
    assert [p.outcome for p in prepare_batch(paths)] == ["ready"] * 5


def test_stamp_covers_the_modules_that_build_graphs() -> None:
    import etl
    from etl.pipeline import GRAPH_MODULES

    for module in GRAPH_MODULES:
        assert (Path(etl.__file__).parent / f"{module}.py").is_file(), module


def test_a_bad_load_fails_only_its_article(samples: Path, tmp_path: Path) -> None:
    from etl.load import StoreTarget
    from etl.pipeline import load_prepared

    batch = prepare_batch(sorted(samples.glob("*.txt")))
    broken = replace(batch[1], ntriples=batch[1].ntriples + b'<http://a> <http://b> "unterminated .\n')
    target = StoreTarget.open(tmp_path / "store")
    results = load_prepared(target, [batch[0], broken, *batch[2:]])
    assert [(p.outcome, loaded) for p, loaded in results] == [("ready", True), ("failed", False)] + [("ready", True)] * 3
    assert "load failed" in results[1][0].reasons[0]
    assert len(target.graph_names()) == 4 and len(target.store) == sum(p.triples for p in batch) - batch[1].triples
    target.close()


def test_two_files_with_one_id_never_replace_each_other(samples: Path, tmp_path: Path) -> None:
    from etl.load import StoreTarget
    from etl.pipeline import run_local

    one = sorted(samples.glob("*.txt"))[0]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / one.name, tmp_path / "b" / one.name
    first.write_bytes(one.read_bytes())
    second.write_text("Another story entirely.\n\nNothing here.\n")
    target = StoreTarget.open(tmp_path / "store")
    summary = run_local([first, second], target)
    assert (summary.loaded, summary.failed) == (1, 1)
    assert "same article id" in summary.held_back[str(second)][0]
    assert target.versions()[graph_iri(one.stem)][0] == content_hash(first.read_bytes())
    target.close()


def test_a_batch_parses_its_articles_together_or_each_its_own(samples: Path, monkeypatch) -> None:
    """Parsing a batch ahead only saves time: the same graphs come out when it fails and each
    article parses its own sentences."""
    import etl.extract

    paths = sorted(samples.glob("*.txt"))
    together = prepare_batch(paths)

    def broken(articles):
        raise MemoryError("no room for the batch")

    monkeypatch.setattr(etl.extract, "parse_ahead", broken)
    alone = prepare_batch(paths)
    assert [p.outcome for p in alone] == ["ready"] * 5
    assert [p.ntriples for p in alone] == [p.ntriples for p in together]


def test_loads_grow_with_the_run_up_to_the_cap() -> None:
    from etl.pipeline import LOAD_CAP_TRIPLES, Prepared, load_groups

    per_batch = 5_000  # 50 articles of 100 triples, about what the generated corpus makes
    batches = [[Prepared(f"{b}-{i}", "ready", f"a{b}-{i}", triples=100) for i in range(50)] for b in range(400)]
    groups = list(load_groups(iter(batches)))
    assert [p for g in groups for p in g] == [p for b in batches for p in b]  # each article once, in order
    sizes = [sum(p.triples for p in g) for g in groups]
    assert sizes[0] == per_batch  # the first batch is not held back
    for i, size in enumerate(sizes[1:-1], 1):
        assert size >= min(LOAD_CAP_TRIPLES, sum(sizes[:i]) // 2)
        assert size < min(LOAD_CAP_TRIPLES, sum(sizes[:i]) // 2) + per_batch  # loaded as soon as due
    assert len(groups) < len(batches) // 10  # 2M triples in far fewer loads than batches
    skipped = [[Prepared(f"s{i}", "skipped", f"s{i}")] for i in range(3)]
    assert list(load_groups(iter(skipped))) == skipped  # nothing to load: nothing waits
