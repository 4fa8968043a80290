"""How long `newsgraph report` takes to build a page, and Chromium to open it.

`python -m bench` measures it on the largest generated corpus it loads; on a store
you already have:

    python -m bench.report --store STORE [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.browser import NoBrowser, chromium, open_report
from bench.measure import newsgraph_command


@dataclass
class ReportTimes:
    build_s: float  # `newsgraph report`, a fresh process: imports, queries, page
    build_cpu_s: float  # its CPU time: steadier than wall time on a shared machine
    queries_s: float  # the page's queries alone, in one process (the anchor)
    open_s: float | None  # navigation to drawn, in headless Chromium; None without Chromium
    empty_open_s: float | None  # the same for an empty store's page: the libraries' own cost
    size_mb: float
    nodes: int | None  # persons the network draws
    items: int | None  # facts on the timeline's axis
    errors: list[str]
    browser_missing: str = ""


def _build(store: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one `newsgraph report`."""
    cpu, start = os.times(), time.perf_counter()
    subprocess.run([newsgraph_command(), "report", "--store", str(store), "-o", str(out)], check=True,
                   capture_output=True)
    wall, after = time.perf_counter() - start, os.times()
    return wall, after.children_user + after.children_system - cpu.children_user - cpu.children_system


def _queries(store: Path) -> float:
    from etl.load import read_store
    from etl.report import store_select
    from etl.report.data import collect

    start = time.perf_counter()
    read_store(store, lambda s: collect(store_select(s)))
    return time.perf_counter() - start


def measure(store: Path, repeat: int = 3) -> ReportTimes:
    """Medians of `repeat` builds and opens, interleaved with their anchors."""
    from etl.report import store_page

    with tempfile.TemporaryDirectory(prefix="newsgraph-report-") as tmp:
        page, empty = Path(tmp) / "report.html", Path(tmp) / "empty.html"
        import pyoxigraph as ox

        s = ox.Store(str(Path(tmp) / "empty-store"))
        del s
        empty.write_bytes(store_page(Path(tmp) / "empty-store"))
        builds, queries = [], []
        for _ in range(repeat):
            builds.append(_build(store, page))
            queries.append(_queries(store))
        times = ReportTimes(statistics.median(b[0] for b in builds), statistics.median(b[1] for b in builds),
                            statistics.median(queries), None, None,
                            page.stat().st_size / 1e6, None, None, [])
        try:
            with chromium() as browser:
                opens, empties = [], []
                for _ in range(repeat):
                    for url, into in ((page.as_uri(), opens), (empty.as_uri(), empties)):
                        opened = open_report(browser, url, timeout_s=120)
                        into.append(opened.seconds)
                        times.errors += opened.errors
                        if url == page.as_uri():
                            times.nodes, times.items = opened.page.evaluate(
                                "() => [newsgraphReport.network.body.data.nodes.length, newsgraphReport.items.length]")
                        opened.page.close()
                times.open_s, times.empty_open_s = statistics.median(opens), statistics.median(empties)
        except NoBrowser as exc:
            times.browser_missing = str(exc)
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    t = measure(args.store, args.repeat)
    print(f"build {t.build_s:.1f} s ({t.build_cpu_s:.1f} s CPU; its queries alone {t.queries_s:.1f} s), "
          f"{t.size_mb:.1f} MB; "
          + (f"open {t.open_s:.2f} s (empty page {t.empty_open_s:.2f} s), {t.nodes} nodes, {t.items} timeline items"
             if t.open_s is not None else t.browser_missing)
          + (f"; errors: {t.errors}" if t.errors else ""))
    return 1 if t.errors else 0


if __name__ == "__main__":
    sys.exit(main())
