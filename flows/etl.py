"""The ETL as a Prefect flow: batches of articles as tasks, retries on I/O.

Tasks work on batches, not single articles: a Prefect task run costs ~10 ms,
which would dominate per-article work.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.artifacts import create_markdown_artifact

from etl.load import Target, load_ontology
from etl.pipeline import Prepared, Summary, batches, load_prepared, prepare
from etl.read import iter_sources
from etl.resources import SHAPES_DIR


@task(retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def list_sources(source: str) -> list[str]:
    return [str(p) for p in iter_sources(Path(source))]


# NO_CACHE: hashing batches of article bytes for a cache key would cost more than the work.
@task(cache_policy=NO_CACHE)
def prepare_batch(paths: list[str], shapes: str) -> list[Prepared]:
    return [prepare(Path(p), Path(shapes)) for p in paths]


@task(retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def load_batch(target_spec: tuple[str, str], batch: list[Prepared]) -> list[tuple[Prepared, bool]]:
    target = _open_target(target_spec)
    try:
        return load_prepared(target, batch)
    finally:
        target.close()


@task(retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def ontology_task(target_spec: tuple[str, str]) -> None:
    target = _open_target(target_spec)
    try:
        load_ontology(target)
    finally:
        target.close()


def _open_target(spec: tuple[str, str]) -> Target:
    kind, where = spec
    if kind == "endpoint":
        from etl.endpoint import EndpointTarget

        return EndpointTarget(where)
    from etl.load import StoreTarget

    return StoreTarget.open(Path(where))


@task(cache_policy=NO_CACHE)
def publish_summary(summary: Summary) -> None:
    create_markdown_artifact(key="newsgraph-etl-summary", markdown=summary_markdown(summary),
                             description="What this ETL run read, loaded and rejected")


def summary_markdown(s: Summary) -> str:
    rows = [("read", s.read), ("loaded", s.loaded), ("rejected by SHACL", s.rejected),
            ("unreadable", s.unreadable), ("failed", s.failed), ("triples loaded", s.triples),
            *((k.replace("_", " "), v) for k, v in s.counts.items()), ("seconds", f"{s.seconds:.1f}")]
    md = "| what | count |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in rows)
    if s.problems:
        md += "\n**Problems**\n\n" + "".join(f"- {p}\n" for p in s.problems)
    return md


@flow(name="newsgraph-etl", log_prints=False)
def etl_flow(source: str, target: tuple[str, str], batch_size: int = 50, shapes: str = str(SHAPES_DIR),
             progress: bool = False) -> Summary:
    start = time.perf_counter()
    paths = list_sources(source)
    ontology_task(target)
    summary = Summary()
    for batch in batches(paths, batch_size):
        for p, loaded in load_batch(target, prepare_batch(batch, shapes)):
            summary.add(p, loaded)
        if progress:
            print(f"\r[{summary.read}/{len(paths)}] articles", end="", file=sys.stderr, flush=True)
    if progress and paths:
        print(file=sys.stderr)
    summary.seconds = time.perf_counter() - start
    publish_summary(summary)
    return summary
