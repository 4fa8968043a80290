"""The ETL as a real Prefect flow run (prefect_test_harness), into the real store."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from helpers import store_quads

pytestmark = pytest.mark.usefixtures("prefect_harness")



def _run(source: Path, store: Path, **kw):
    from flows.etl import etl_flow

    return etl_flow(str(source), ("store", str(store)), **kw)


def test_samples_load_and_a_rerun_changes_nothing(samples: Path, store: Path) -> None:
    summary = _run(samples, store, batch_size=2)
    assert (summary.read, summary.loaded, summary.problems) == (5, 5, [])
    assert summary.counts["persons"] >= 5 and summary.counts["meetings"] >= 3
    first = store_quads(store)
    assert summary.triples > 100
    again = _run(samples, store)
    assert (again.loaded, again.skipped) == (0, 5)
    forced = _run(samples, store, force=True)
    assert (forced.loaded, forced.skipped) == (5, 0)
    assert store_quads(store) == first


def test_changed_article_is_replaced_and_deleted_one_pruned(sample_copy: Path, store: Path) -> None:
    assert _run(sample_copy, store).loaded == 5
    changed = sample_copy / "002_20ad466d803281f7.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Geneva", "Vienna"), encoding="utf-8")
    (sample_copy / "003_4a37522199f6be1e.txt").unlink()
    kept = _run(sample_copy, store)
    assert (kept.loaded, kept.skipped, kept.pruned) == (1, 3, 0)
    quads = store_quads(store)
    assert any("place/vienna" in q for q in quads) and not any("place/geneva" in q for q in quads)
    assert any("graph/003_4a37522199f6be1e" in q for q in quads)  # without --prune it stays
    pruned = _run(sample_copy, store, prune=True)
    assert (pruned.loaded, pruned.skipped, pruned.pruned) == (0, 4, 1)
    assert not any("graph/003_4a37522199f6be1e" in q for q in store_quads(store))


def test_bad_input_is_reported_and_the_rest_loads(sample_copy: Path, store: Path, tmp_path: Path) -> None:
    assert _run(sample_copy, store).loaded == 5
    before = store_quads(store)
    (sample_copy / "empty.txt").write_bytes(b"")
    (sample_copy / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    # Stricter shapes that three samples (no dateline) break: they are rejected and keep their old graphs.
    strict = tmp_path / "strict.ttl"
    strict.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ng: <https://w3id.org/newsgraph/ontology#> .\n"
        "[] a sh:NodeShape ; sh:targetClass ng:Article ; sh:property [ sh:path ng:datePublished ;"
        " sh:minCount 1 ; sh:message \"needs a publication date\" ] .\n"
    )
    summary = _run(sample_copy, store, shapes=str(strict))
    assert (summary.read, summary.loaded, summary.rejected, summary.unreadable) == (7, 2, 3, 2)
    assert not summary.ok
    assert sum("needs a publication date" in p for p in summary.problems) == 3
    assert any("empty.txt: empty file" in p for p in summary.problems)
    assert any("photo.png: binary file" in p for p in summary.problems)
    # The rejected articles keep their graphs exactly (the two loaded ones were rebuilt under new shapes).
    rejected = ("graph/001_", "graph/002_", "graph/003_")
    assert {q for q in store_quads(store) if any(r in q for r in rejected)} == {q for q in before if any(r in q for r in rejected)}


def test_a_second_file_with_the_same_id_is_held_back(sample_copy: Path, store: Path) -> None:
    (sample_copy / "more").mkdir()
    (sample_copy / "more" / "002_20ad466d803281f7.txt").write_text("Another story.\n\nNothing here.\n")
    summary = _run(sample_copy, store)
    assert (summary.read, summary.loaded, summary.failed) == (6, 5, 1)
    assert any("same article id (002_20ad466d803281f7)" in p for p in summary.problems)
    assert any("place/geneva" in q for q in store_quads(store))  # the first one's graph, intact


def test_the_run_leaves_a_summary_artifact(samples: Path, store: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    from flows.etl import etl_flow

    state = etl_flow(str(samples), ("store", str(store)), return_state=True)
    run_id = state.state_details.flow_run_id

    async def markdown() -> list[str]:
        async with get_client() as client:
            arts = await client.read_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["newsgraph-etl-summary"]), flow_run_id=ArtifactFilterFlowRunId(any_=[run_id])))
            return [a.data for a in arts]

    [md] = asyncio.run(markdown())
    assert "| read | 5 |" in md and "| loaded | 5 |" in md and "| persons |" in md


def test_batches_are_prepared_one_at_a_time(samples: Path, store: Path) -> None:
    """One preparing thread: concurrent prepares only held more batches in memory (bench/)."""
    import time

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.etl import etl_flow

    state = etl_flow(str(samples), ("store", str(store)), batch_size=1, return_state=True)
    run_id = state.state_details.flow_run_id

    async def prepares() -> list:
        async with get_client() as client:
            runs = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
            return [r for r in runs if r.name.startswith("prepare_articles") and r.end_time is not None]

    deadline = time.monotonic() + 60
    while len(runs := asyncio.run(prepares())) < 5 and time.monotonic() < deadline:
        time.sleep(1)  # the server records task runs from their events, a moment later
    assert len(runs) == 5
    spans = sorted((r.start_time, r.end_time) for r in runs)
    assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:])), spans
