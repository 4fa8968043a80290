"""newsgraph's benchmark suite: `python -m bench [--sizes 100,1000,10000] [--repeat 3] [--json FILE]`.

Generates a synthetic corpus per size (bench/corpus.py) in a temp dir, runs the
ETL without and with Prefect on fresh on-disk stores, and prints one table of
medians, each figure next to its anchor and its target. `--quick` is the CI
smoke run: the smallest size, once, no judgement on the numbers.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

LARGE = 10_000  # ETL runs at this size and above take minutes each: they run --large-repeat times


@dataclass
class Row:
    key: str
    label: str
    value: float | None
    unit: str
    anchor: float | None = None
    anchor_label: str = ""
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None
    note: str = ""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,1000,10000", help="corpus sizes in articles (default 100,1000,10000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are reported (default 3)")
    ap.add_argument("--large-repeat", type=int, default=1,
                    help=f"ETL runs at sizes >= {LARGE:,} (default 1: each takes ~10 min on 2 cores)")
    ap.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    ap.add_argument("--quick", action="store_true", help="smallest size, one run: the CI smoke test")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    ap.add_argument("--markdown", type=Path, metavar="FILE", help="also write the README Performance section")
    args = ap.parse_args(argv)
    args.sizes = sorted({int(s) for s in args.sizes.split(",")})
    if args.quick:
        args.sizes, args.repeat, args.large_repeat = args.sizes[:1], 1, 1
    return args


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def machine() -> dict[str, str]:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor() or "?")
    mem_kb = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                   if ln.startswith("MemTotal")), 0)
    # The load average says how much else ran: on a shared 2-core machine it explains the spread.
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "ram": f"{mem_kb / 2**20:.1f} GiB",
            "python": platform.python_version(), "os": platform.platform(),
            "loadavg_15min": f"{os.getloadavg()[2]:.1f}"}


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def hermetic_prefect(tmp: Path) -> None:
    """A private local Prefect server and client home: the user's ~/.newsgraph and ~/.prefect stay untouched."""
    os.environ["NEWSGRAPH_HOME"] = str(tmp / "newsgraph-home")
    os.environ["PREFECT_HOME"] = str(tmp / "prefect-client")
    os.environ.pop("PREFECT_API_URL", None)


def run(args: argparse.Namespace, tmp: Path) -> tuple[list[Row], dict]:
    from bench import measure
    from bench.corpus import write_corpus

    hermetic_prefect(tmp)
    from flows import api  # reads NEWSGRAPH_HOME at import

    rows: list[Row] = []
    fresh = _fresh_paths(tmp)
    largest = args.sizes[-1]
    per_size: dict[int, dict] = {}
    log("starting the local Prefect server (untimed)")
    api.ensure_api(log=log)
    try:
        measure.flow_run(measure.SAMPLES, fresh("store"))  # warm-up: imports, flow registration
        for n in args.sizes:
            corpus = write_corpus(tmp / f"corpus-{n}", n, args.seed)
            runs = args.large_repeat if n >= LARGE else args.repeat
            locals_, flows = [], []
            stores: list[Path] = []  # the last one is still on disk
            for r in range(runs):
                dump = tmp / "loaded.dump" if (n == largest and r == 0) else None
                # Alternate which goes first, so drift on a noisy machine hits both alike.
                order: list[Callable[[], None]] = [
                    lambda: locals_.append(measure.local_run(corpus, _kept(stores, fresh("store")), dump)),
                    lambda: flows.append(measure.flow_run(corpus, _kept(stores, fresh("store")))),
                ]
                for step in order if r % 2 == 0 else order[::-1]:
                    step()
                log(f"{n} articles, run {r + 1}/{runs}: local {locals_[-1].seconds:.1f} s, flow {flows[-1].seconds:.1f} s")
            per_size[n] = {"articles": n, "runs": runs, "local_s": median([x.seconds for x in locals_]),
                           "flow_s": median([f.seconds for f in flows]), "loaded": locals_[0].loaded,
                           "rejected": locals_[0].rejected, "triples": locals_[0].triples,
                           "flow_loaded": min(f.loaded for f in flows),
                           "flow_problems": [p for f in flows for p in f.problems][:3]}
            if n == largest:
                rows += report_rows(stores[-1], n, args.repeat)
                rows.append(shipped_queries_row(measure, stores[-1], n))
                rows += load_rows(measure, locals_, tmp, fresh, args.repeat)
                rows += shacl_rows(locals_)
                rows += extraction_rows(measure, corpus, args)
            _rm(corpus)
        rows += etl_rows(per_size, largest)
        rows.append(scaling_row(measure, args, per_size, tmp, fresh))
    finally:
        api.stop_server()
    rows += query_rows(measure, args.quick)
    rows += coldstart_rows(measure, fresh("store"), max(args.repeat, 3))
    return rows, {str(n): v for n, v in per_size.items()}


def _fresh_paths(tmp: Path) -> Callable[[str], Path]:
    """A new path under tmp per call; the previous store of that kind is deleted (disk, not memory, is the limit)."""
    counter = iter(range(10**9))
    last: dict[str, Path] = {}

    def fresh(kind: str) -> Path:
        if kind in last:
            _rm(last[kind])
        last[kind] = tmp / f"{kind}-{next(counter)}"
        return last[kind]
    return fresh


def _kept(stores: list[Path], store: Path) -> Path:
    stores.append(store)
    return store


def report_rows(store: Path, articles: int, repeat: int) -> list[Row]:
    """`newsgraph report` on the store just loaded, and the page opened in headless Chromium."""
    from bench import report
    from etl.load import StoreTarget, load_ontology

    target = StoreTarget.open(store)  # run_local loads no ontology; the queries read its labels
    load_ontology(target)
    target.close()
    t = report.measure(store, repeat)
    log(f"report of {articles} articles: built in {t.build_s:.1f} s, opened in "
        + (f"{t.open_s:.2f} s" if t.open_s is not None else "n/a"))
    drawn = f"; the network draws {t.nodes:,} persons, the timeline {t.items:,} facts" if t.nodes is not None else ""
    return [
        Row("report_build_s", f"report: newsgraph report, {articles:,} articles", t.build_s, "s",
            t.queries_s, "its queries alone", t.build_s / t.queries_s, "<= 30 s", t.build_s <= 30,
            f"{t.build_cpu_s:.1f} s of CPU; {t.size_mb:.1f} MB page{drawn}"),
        Row("report_open_s", f"report: opened in headless Chromium, {articles:,} articles", t.open_s, "s",
            t.empty_open_s, "an empty store's page", t.open_s / t.empty_open_s if t.open_s else None, "<= 5 s",
            None if t.open_s is None else t.open_s <= 5 and not t.errors,
            t.browser_missing or (f"{len(t.errors)} console error(s): {t.errors[0]}" if t.errors else
                                  "navigation to the views drawn (network settled, timeline fitted)")),
    ]


def shipped_queries_row(measure, store: Path, articles: int) -> Row:
    """The slowest query shipped in ontology/queries/ on the store just loaded (report_rows
    loaded the ontology its labels come from), each one's time in the note."""
    seconds = measure.shipped_query_seconds(store)
    slowest = max(seconds, key=seconds.__getitem__)
    log(f"shipped queries on {articles} articles: " + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))
    return Row("shipped_query_s", f"query: slowest shipped query, {articles:,} articles", seconds[slowest], "s",
               note=f"{slowest}; " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(seconds.items(), key=lambda kv: -kv[1])
                                                if k != slowest))


def _rm(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def load_rows(measure, locals_: list, tmp: Path, fresh: Callable[[str], Path], repeat: int) -> list[Row]:
    nquads = tmp / "loaded.nq"
    quads = measure.dump_to_nquads(tmp / "loaded.dump", nquads)
    bulk = median([measure.bulk_extend_seconds(nquads, fresh("bulk")) for _ in range(repeat)])
    loader = median([x.triples / x.load_s for x in locals_])
    anchor = quads / bulk
    return [Row("load_triples_per_s", "load: StoreTarget.replace_graphs per batch", loader, "triples/s",
                anchor, "Store.bulk_extend, fresh store", loader / anchor, "ratio >= 0.5", loader / anchor >= 0.5,
                f"{quads:,} quads, on-disk stores, parsing included in both; newsgraph adds each batch's "
                "new articles in one atomic bulk load")]


def shacl_rows(locals_: list) -> list[Row]:
    per_article = median([x.validate_s / x.loaded * 1000 for x in locals_])
    etl_per_article = median([x.seconds / x.loaded * 1000 for x in locals_])
    share = median([x.validate_s / x.seconds for x in locals_])
    extract_share = median([x.extract_s / x.seconds for x in locals_])
    return [
        Row("shacl_ms_per_article", "SHACL: validation per article", per_article, "ms",
            etl_per_article, "whole ETL per article (run_local)"),
        Row("shacl_share", "SHACL: share of the ETL", share, "share", target="<= 0.25", ok=share <= 0.25,
            note=f"extraction is {extract_share:.0%} of the same runs"),
    ]


def extraction_rows(measure, corpus: Path, args: argparse.Namespace) -> list[Row]:
    helper = [measure.extraction_helper(5 if args.quick else 20) for _ in range(args.repeat)]
    own = median([measure.extraction_own(corpus) for _ in range(args.repeat)])
    rows = [Row("extraction_corpus_sentences_per_s", "extraction: generated corpus (100 articles)", own,
                "sentences/s", 1000, "target, one core (CPU time)", own / 1000, ">= 1000 (500 floor)", own >= 1000)]
    if measure.DEV_ARTICLES.is_dir():  # real news pages, when the development corpus is beside the checkout
        dev = median([measure.extraction_own(measure.DEV_ARTICLES) for _ in range(args.repeat)])
        rows.append(Row("extraction_dev_sentences_per_s", "extraction: ../shared/dev (real pages)", dev,
                        "sentences/s", 1000, "target, one core (CPU time)", dev / 1000, ">= 1000 (500 floor)", dev >= 1000))
    if None in helper:
        rows.insert(0, Row("extraction_sentences_per_s", "extraction: bench_extract (samples)", own, "sentences/s",
                           1000, "target, one core", own / 1000, ">= 1000", own >= 1000,
                           "bench/bench_extract.py not available: generated corpus figure"))
    else:
        value = median(helper)
        rows.insert(0, Row("extraction_sentences_per_s", "extraction: bench_extract (samples)", value, "sentences/s",
                           1000, "target, one core", value / 1000, ">= 1000", value >= 1000))
    return rows


def etl_rows(per_size: dict[int, dict], largest: int) -> list[Row]:
    rows = []
    for n, s in per_size.items():
        share = (s["flow_s"] - s["local_s"]) / s["flow_s"]
        rows.append(Row(f"etl_flow_s_{n}", f"ETL {n:,} articles: Prefect flow", s["flow_s"], "s",
                        s["local_s"], "run_local (no Prefect)", s["flow_s"] / s["local_s"], "",
                        note=f"Prefect share {share:.1%}; {s['runs']} run(s); loaded {s['loaded']}/{n} "
                             f"without Prefect, {s['flow_loaded']}/{n} with" + "".join(f"; {p}" for p in s["flow_problems"])))
    s = per_size[largest]
    share = (s["flow_s"] - s["local_s"]) / s["flow_s"]
    rows.append(Row("prefect_share", f"Prefect: share of ETL wall time at {largest:,}", share, "share",
                    s["local_s"], "run_local seconds", target="<= 0.15 at 10,000", ok=share <= 0.15))
    return rows


def scaling_row(measure, args: argparse.Namespace, per_size: dict[int, dict], tmp: Path,
                fresh: Callable[[str], Path]) -> Row:
    """Flow time of the largest size over the next one, normalized to a 10x step."""
    from bench.corpus import write_corpus

    big = args.sizes[-1]
    if len(args.sizes) > 1:
        small, t_small = args.sizes[-2], per_size[args.sizes[-2]]["flow_s"]
    else:  # one size (--quick): a tenth of it, just for this ratio
        small = max(1, big // 10)
        corpus = write_corpus(tmp / f"corpus-{small}", small, args.seed)
        t_small = median([measure.flow_run(corpus, fresh("store")).seconds for _ in range(args.repeat)])
    ratio = per_size[big]["flow_s"] / t_small * 10 / (big / small)
    return Row("scaling_10x", f"scaling: flow time({big:,}) / time({small:,})", ratio, "x (per 10x articles)",
               10.0, "linear", ratio / 10, "<= 11", ratio <= 11)


def query_rows(measure, quick: bool) -> list[Row]:
    """The first query bench_query reports (a point query, keep-alive) in full, and the worst ratio of all."""
    q = measure.query_helper(quick)
    keys = (("query_p50_ms", "p50"), ("query_p95_ms", "p95"), ("query_worst_ratio", "worst ratio"))
    if q is None:
        return [Row(k, f"query: endpoint {p}", None, "ms" if k.endswith("_ms") else "x", target="ratio <= 1.1",
                    note="bench/bench_query.py not available") for k, p in keys]
    first = q[0]
    ratios = {f"{x.query} {p}": getattr(x, f"{p}_ms") / getattr(x, f"bare_{p}_ms") for x in q for p in ("p50", "p95")}
    worst = max(ratios, key=ratios.__getitem__)
    rows = [Row(f"query_{p}_ms", f"query: endpoint {p}, {first.query}", getattr(first, f"{p}_ms"), "ms",
                getattr(first, f"bare_{p}_ms"), "bare `oxigraph serve`", ratios[f"{first.query} {p}"],
                "ratio <= 1.1", ratios[f"{first.query} {p}"] <= 1.1) for p in ("p50", "p95")]
    rows.append(Row("query_worst_ratio", "query: worst newsgraph/bare ratio", ratios[worst], "x", target="<= 1.1",
                    ok=ratios[worst] <= 1.1, note=f"{worst}, over {len(q)} query/client pairs"))
    return rows


def coldstart_rows(measure, store: Path, runs: int) -> list[Row]:
    measure.small_store(store)
    seconds = measure.coldstart_seconds(store, runs)
    heavy, slowest = measure.query_imports(store)
    top = ", ".join(f"{m} {ms:.0f} ms" for m, ms in slowest)
    return [
        Row("coldstart_s", "cold start: newsgraph query --name persons", seconds, "s", target="<= 1.5",
            ok=seconds <= 1.5, note=f"slowest imports: {top}"),
        Row("coldstart_heavy_imports", "cold start: Prefect/extraction modules imported", float(len(heavy)), "modules",
            target="0", ok=not heavy, note=", ".join(heavy) or "none"),
    ]


def fmt(x: float | None, unit: str = "") -> str:
    if x is None:
        return "n/a"
    if unit == "share":
        return f"{x:.1%}"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def table(rows: list[Row]) -> str:
    head = ("measurement", "median", "unit", "anchor", "ratio", "target", "ok")
    body = [(r.label, fmt(r.value, r.unit), r.unit,
             f"{fmt(r.anchor)} ({r.anchor_label})" if r.anchor is not None else "", fmt(r.ratio),
             r.target, {True: "yes", False: "NO", None: ""}[r.ok]) for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in (head, *body)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"- {r.label}: {r.note}" for r in rows if r.note]
    return "\n".join(lines + ([""] + notes if notes else []))


def markdown(rows: list[Row], info: dict[str, str], command: str, wall_s: float) -> str:
    head = "| measurement | median | anchor | ratio | target | ok |\n|---|---|---|---|---|---|\n"
    body = "".join(
        f"| {r.label} | {fmt(r.value, r.unit)} {'' if r.unit == 'share' else r.unit} | "
        f"{f'{fmt(r.anchor)} ({r.anchor_label})' if r.anchor is not None else ''} | {fmt(r.ratio)} | "
        f"{r.target} | {dict([(True, 'yes'), (False, '**no**'), (None, '')])[r.ok]} |\n" for r in rows)
    notes = "".join(f"- {r.label}: {r.note}\n" for r in rows if r.note)
    return (f"## Performance\n\nMeasured with\n\n```sh\n{command}\n```\n\n"
            f"on {info['nproc']} cores ({info['cpu']}), {info['ram']} RAM, Python {info['python']}, {info['os']}; "
            f"load average {info['loadavg_15min']} at the end; the whole run took {wall_s / 60:.0f} min.\n\n{head}{body}\n{notes}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsgraph-bench-") as tmp:
        rows, sizes = run(args, Path(tmp))
    wall = time.perf_counter() - start
    info = machine()
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    print(table(rows))
    print(f"\n{info['nproc']} cores, {info['cpu']}, {info['ram']}, Python {info['python']}, "
          f"load average {info['loadavg_15min']}; {wall:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "command": command.strip(), "wall_s": wall,
                                         "sizes": sizes, "measurements": {r.key: asdict(r) for r in rows}}, indent=2))
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(rows, info, command.strip(), wall))
    return 0


if __name__ == "__main__":
    sys.exit(main())
