"""The ETL as a Prefect flow: batches of articles as tasks, retries on I/O.

Tasks work on batches, not single articles: a Prefect task run costs ~10 ms,
which would dominate per-article work. Preparing (read, extract, build,
validate) runs on the flow's task runner, a few batches ahead of the loads,
which stay in this process because the embedded store has one writer.
"""

import sys
import time
from collections import deque
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner

from etl.serve.graphstore import open_target, target_spec
from etl.errors import UserError
from etl.load import Target, Versions, graph_iri, load_ontology
from etl.store import exclusive
from etl.pipeline import (BATCH_SIZE, Prepared, Summary, batches, load_groups, load_prepared, pipeline_stamp,
                          prepare_batch, prune_graphs, split_clashes)
from etl import quarantine
from etl.read import article_id, iter_sources
from etl.resolve import resolve
from etl.resources import SHAPES_DIR

TargetSpec = tuple[str, str]
"""("store", PATH) or ("endpoint", URL): plain data, so tasks on other processes can open it."""

_OPEN: dict[TargetSpec, Target] = {}


def _target(spec: TargetSpec) -> Target:
    """The run's target, opened once per flow run: the loads run in the flow's own process,
    and opening (and flushing) the store for every batch cost ~50 ms a batch."""
    spec = (spec[0], spec[1])  # a deployment's parameters arrive as a JSON list
    if spec not in _OPEN:
        _OPEN[spec] = open_target(spec)
    return _OPEN[spec]


def _close_targets() -> None:
    while _OPEN:
        _OPEN.popitem()[1].close()  # flushes the store once, at the end of the run


# NO_CACHE everywhere: hashing batches of article bytes for a cache key would cost more than the work.
IO_RETRIES = {"retries": 2, "retry_delay_seconds": [1, 5], "cache_policy": NO_CACHE}


@task(**IO_RETRIES)
def list_sources(source: str) -> list[str]:
    # Absolute, so the quarantine list still finds them from another working directory.
    return [str(p.absolute()) for p in iter_sources(Path(source))]


@task(**IO_RETRIES)
def read_versions(spec: TargetSpec) -> Versions:
    return _target(spec).versions()


@task(**IO_RETRIES)
def ontology_task(spec: TargetSpec) -> None:
    load_ontology(_target(spec))


@task(cache_policy=NO_CACHE)
def prepare_articles(paths: list[str], shapes: str, stored: Versions, stamp: str) -> list[Prepared]:
    return prepare_batch([Path(p) for p in paths], Path(shapes), stored, stamp)


@task(**IO_RETRIES)
def load_batch(spec: TargetSpec, batch: list[Prepared]) -> list[tuple[Prepared, bool]]:
    return load_prepared(_target(spec), batch)


@task(**IO_RETRIES)
def prune_task(spec: TargetSpec, keep: list[str]) -> int:
    return prune_graphs(_target(spec), keep)


@task(**IO_RETRIES)
def resolve_task(spec: TargetSpec) -> int:
    return len(resolve(_target(spec)))


@task(**IO_RETRIES)
def record_quarantine(path: str, held_back: dict[str, list[str]], cleared: list[str]) -> int:
    return quarantine.update(Path(path), held_back, cleared)


@task(cache_policy=NO_CACHE)
def publish_summary(summary: Summary) -> None:
    create_markdown_artifact(key="newsgraph-etl-summary", markdown=summary_markdown(summary),
                             description="What this ETL run read, loaded and rejected")


def summary_markdown(s: Summary) -> str:
    rows = [("read", s.read), ("loaded", s.loaded), ("unchanged (skipped)", s.skipped),
            ("rejected by SHACL", s.rejected), ("unreadable", s.unreadable), ("failed", s.failed),
            ("pruned", s.pruned), ("persons linked across articles", s.resolved), ("triples loaded", s.triples),
            *((k.replace("_", " "), v) for k, v in s.counts.items()), ("seconds", f"{s.seconds:.1f}")]
    md = "| what | count |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in rows)
    if s.fatal:
        md += f"\n**Stopped:** {s.fatal}\n"
    if s.problems:
        md += "\n**Problems**\n\n" + "".join(f"- {p}\n" for p in s.problems)
    return md


# One preparing thread: Python code runs on one core at a time, so the default pool's extra threads
# only held more batches in memory at once (+15% live objects; full GCs 12.9 -> 10.4 s at 3,000
# articles). Loads overlap it on the main thread: the store writes without holding the GIL.
@flow(name="newsgraph-etl", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=1))
def etl_flow(source: str, target: TargetSpec, batch_size: int = BATCH_SIZE, shapes: str = str(SHAPES_DIR),
             prune: bool = False, force: bool = False, ahead: int = 2, progress: bool = False,
             quarantine_file: str | None = None, only: list[str] | None = None) -> Summary:
    """Read, extract, validate and load every article under `source` that is new or changed.

    `ahead` is how many batches are being prepared while one loads (the number
    of workers, when the task runner has several). Articles that cannot be
    loaded go on the `quarantine_file` list; `only` limits the run to these files.
    """
    start = time.perf_counter()
    summary = Summary(quarantine_file=quarantine_file)
    try:
        with one_run_at_a_time(target):
            # Under the lock: a `newsgraph serve` that started since the CLI looked is seen now.
            target = target_spec(Path(target[1])) if target[0] == "store" else target
            try:
                _etl(source, target, summary, batch_size, shapes, prune, force, ahead, progress, only)
            finally:
                _close_targets()
            if quarantine_file:
                summary.quarantined = record_quarantine(quarantine_file, summary.held_back, summary.cleared)
    except UserError as exc:  # e.g. the store is locked: one line in the summary, not a traceback
        summary.fatal = str(exc)
    summary.seconds = time.perf_counter() - start
    publish_summary(summary)
    return summary


def one_run_at_a_time(spec: TargetSpec):
    """Scheduled and manual runs on one store take turns (an endpoint serializes its own writes)."""
    return exclusive(Path(spec[1])) if spec[0] == "store" else nullcontext()


def _etl(source: str, target: TargetSpec, summary: Summary, batch_size: int, shapes: str, prune: bool,
         force: bool, ahead: int, progress: bool, only: list[str] | None) -> None:
    listed, clashes = split_clashes(Path(p) for p in (only if only is not None else list_sources(source)))
    paths = [str(p) for p in listed]
    for p in clashes:
        summary.add(p, False)
    stored = {} if force else read_versions(target)
    stamp = pipeline_stamp(Path(shapes))  # once per run, the same for every batch wherever it runs
    ontology_task(target)
    total = len(paths) + len(clashes)

    def prepared() -> Iterator[list[Prepared]]:
        pending: deque[PrefectFuture] = deque()
        done = len(clashes)

        def next_batch() -> list[Prepared]:
            nonlocal done
            batch = pending.popleft().result()
            done += len(batch)
            if progress:  # counted as prepared: loads wait for a group of batches (load_groups)
                print(f"\r[{done}/{total}] articles", end="", file=sys.stderr, flush=True)
            return batch

        for batch in batches(paths, batch_size):
            # Only this batch's entries travel with the task (it may run in another process).
            mine = {g: stored[g] for g in (graph_iri(article_id(Path(p))) for p in batch) if g in stored}
            pending.append(prepare_articles.submit(batch, shapes, mine, stamp))
            if len(pending) > ahead:
                yield next_batch()
        while pending:
            yield next_batch()

    # An endpoint stores each graph in a transaction of its own, never a bulk load: grouping
    # there would only keep the articles from its clients longer.
    groups = load_groups(prepared()) if target[0] == "store" else prepared()
    for group in groups:
        for p, loaded in load_batch(target, group):
            summary.add(p, loaded)
    if progress and paths:
        print(file=sys.stderr)
    if prune:
        summary.pruned = prune_task(target, [article_id(Path(p)) for p in paths])
    # From the whole store, after every load and prune: which articles changed does not matter.
    summary.resolved = resolve_task(target)


def with_runner(workers: int = 1, dask_address: str | None = None):
    """etl_flow on the task runner the user asked for: threads, N processes, or a Dask cluster."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return etl_flow.with_options(task_runner=DaskTaskRunner(address=dask_address))
    if workers > 1:
        from prefect.task_runners import ProcessPoolTaskRunner

        return etl_flow.with_options(task_runner=ProcessPoolTaskRunner(max_workers=workers))
    return etl_flow
