"""--workers (a process pool) and --dask-address (a real local Dask cluster) give the same graph."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import store_quads

pytestmark = pytest.mark.usefixtures("prefect_harness")



def _run(flow, samples: Path, store: Path):
    return flow(str(samples), ("store", str(store)), batch_size=2, ahead=2)


def test_process_pool_and_dask_match_the_sequential_run(samples: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    from flows.etl import etl_flow, with_runner

    _run(etl_flow, samples, tmp_path / "seq")
    expected = store_quads(tmp_path / "seq")

    summary = _run(with_runner(workers=2), samples, tmp_path / "pool")
    assert (summary.loaded, summary.problems) == (5, [])
    assert store_quads(tmp_path / "pool") == expected

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, processes=True) as cluster:
        summary = _run(with_runner(dask_address=cluster.scheduler_address), samples, tmp_path / "dask")
    assert (summary.loaded, summary.problems) == (5, [])
    assert store_quads(tmp_path / "dask") == expected
