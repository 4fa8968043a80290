"""The measurements, each a small function returning raw numbers (seconds, counts).

bench/__main__.py runs them several times, takes medians and puts each next to
its anchor. Prefect is imported only by `flow_seconds`, after flows.api has
pointed it at the local server.
"""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from etl.load import StoreTarget, Versions
from etl.pipeline import BATCH_SIZE, batches
from etl.records import Article

ROOT = Path(__file__).resolve().parent.parent
# The development corpus of real news pages, where the checkout sits beside shared/.
DEV_ARTICLES = ROOT.parent / "shared" / "dev" / "articles"
SAMPLES = ROOT / "examples" / "articles"
# What `newsgraph query` must not load: Prefect and the extraction/validation stack.
HEAVY_PREFIXES = ("prefect", "etl.extract", "etl.extract.text", "etl.extract.dates", "etl.extract.lexicon", "pyshacl", "trafilatura")


@dataclass
class TimedTarget:
    """A StoreTarget that times each load and can keep what it loaded for the anchor."""

    inner: StoreTarget
    dump: BinaryIO | None = None
    load_s: float = 0.0

    def replace_graphs(self, graphs: dict[str, bytes]) -> None:
        start = time.perf_counter()
        self.inner.replace_graphs(graphs)
        self.load_s += time.perf_counter() - start
        for graph, ntriples in graphs.items():
            self._keep(graph, ntriples)

    def replace_graph(self, graph: str, ntriples: bytes) -> None:
        start = time.perf_counter()
        self.inner.replace_graph(graph, ntriples)
        self.load_s += time.perf_counter() - start
        self._keep(graph, ntriples)

    def _keep(self, graph: str, ntriples: bytes) -> None:
        if self.dump:
            self.dump.write(f"{graph}\t{len(ntriples)}\n".encode() + ntriples)

    def remove_graph(self, graph: str) -> None:
        self.inner.remove_graph(graph)

    def graph_names(self) -> set[str]:
        return self.inner.graph_names()

    def select(self, sparql: str) -> list[dict[str, str]]:
        return self.inner.select(sparql)

    def versions(self) -> Versions:
        return self.inner.versions()

    def close(self) -> None:
        self.inner.close()


@dataclass
class LocalRun:
    seconds: float
    loaded: int
    rejected: int
    triples: int
    load_s: float
    validate_s: float
    extract_s: float


@dataclass
class StageClock:
    """Seconds spent in the functions it wraps, summed over a run."""

    seconds: dict[str, float] = field(default_factory=dict)

    def wrap(self, name: str, fn: Callable) -> Callable:
        self.seconds[name] = 0.0

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
        return timed


@contextmanager
def stage_clock() -> Iterator[StageClock]:
    """Time extraction and SHACL inside the real pipeline.prepare (a perf_counter pair per call: µs)."""
    import etl.extract
    import etl.pipeline

    clock = StageClock()
    saved = etl.extract.extract, etl.pipeline.validate_graph
    etl.extract.extract = clock.wrap("extract", saved[0])
    etl.pipeline.validate_graph = clock.wrap("validate", saved[1])
    try:
        yield clock
    finally:
        etl.extract.extract, etl.pipeline.validate_graph = saved


def article_paths(corpus: Path) -> Iterator[Path]:
    from etl.read import iter_sources

    return iter_sources(corpus)


def local_run(corpus: Path, store: Path, dump: Path | None = None) -> LocalRun:
    """etl.pipeline.run_local (no Prefect) into a fresh on-disk store."""
    from etl.pipeline import run_local

    with (dump.open("wb") if dump else _null()) as fh, stage_clock() as clock:
        target = TimedTarget(StoreTarget.open(store), fh)
        summary = run_local(article_paths(corpus), target)
        target.close()
    return LocalRun(summary.seconds, summary.loaded, summary.rejected, summary.triples, target.load_s,
                    clock.seconds["validate"], clock.seconds["extract"])


@contextmanager
def _null() -> Iterator[None]:
    yield None


def dump_to_nquads(dump: Path, nquads: Path) -> int:
    """The loaded graphs as one N-Quads file (untimed), so the anchor loads the very same quads."""
    count = 0
    with dump.open("rb") as src, nquads.open("wb") as out:
        while header := src.readline():
            graph, size = header.decode().rstrip("\n").split("\t")
            g = ox.NamedNode(graph)
            quads = [ox.Quad(t.subject, t.predicate, t.object, g)
                     for t in ox.parse(src.read(int(size)), format=ox.RdfFormat.N_TRIPLES)]
            count += len(quads)
            ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)
    return count


def bulk_extend_seconds(nquads: Path, store: Path) -> float:
    """Anchor: pyoxigraph's bulk_extend of the same quads into a fresh on-disk store (parsing included, as for the loader)."""
    s = ox.Store(str(store))
    start = time.perf_counter()
    s.bulk_extend(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS))
    s.flush()
    seconds = time.perf_counter() - start
    del s
    return seconds


@dataclass
class FlowRun:
    seconds: float
    loaded: int
    problems: list[str]  # what the flow's summary reported: run_local loads every article of the corpus


def flow_run(corpus: Path, store: Path) -> FlowRun:
    """The same corpus through the Prefect flow (the server must be up)."""
    from flows.etl import etl_flow

    start = time.perf_counter()
    summary = etl_flow(str(corpus), ("store", str(store)), batch_size=50)
    return FlowRun(time.perf_counter() - start, summary.loaded, summary.problems[:3])


def extract_in_batches(articles: list[Article]) -> None:
    """Extract as the ETL does (prepare_batch): each batch's sentences parsed together."""
    from etl.extract import extract, parse_ahead

    for batch in batches(articles, BATCH_SIZE):
        parses = parse_ahead(batch)
        for a in batch:
            extract(a, parses)


def warm_extraction() -> None:
    """Lexicons loaded, regexes compiled and the model loaded, on an invented article (one of the
    timed ones would be partly done before the clock starts)."""
    from etl.extract import extract
    from etl.extract.nlp import pipeline

    extract(Article(id="warm-up", source="", sha256="",
                    text="Minister Anna Berg met President Tom Hale in Oslo on Monday.\n"
                         "Norway allowed Ukraine to use its F-16 jets against targets in Russia."))
    pipeline()


def extraction_own(corpus: Path, limit: int = 100) -> float:
    """Sentences per CPU second of etl.extract over the first `limit` corpus articles, lexicons
    warm: the time of this thread alone, which is one core's work whatever else the machine runs."""
    from etl.extract import sentences_of
    from etl.read import read_article

    articles = [read_article(p) for _, p in zip(range(limit), article_paths(corpus))]
    warm_extraction()
    start = time.thread_time()
    extract_in_batches(articles)
    elapsed = time.thread_time() - start
    return sum(len(sentences_of(a)) for a in articles) / elapsed


def shipped_query_seconds(store: Path) -> dict[str, float]:
    """Seconds each query shipped in ontology/queries/ takes on a store, as `newsgraph query
    --name` runs it (results written out as CSV), without the command's start-up."""
    from etl.query import query_store
    from etl.resources import QUERIES_DIR

    out = {}
    for path in sorted(QUERIES_DIR.glob("*.rq")):
        start = time.perf_counter()
        query_store(store, path.read_text(encoding="utf-8"), "csv")
        out[path.stem] = time.perf_counter() - start
    return out


def extraction_helper(repeat: int) -> float | None:
    """bench/bench_extract.py's sentences/s, or None when it is missing or says nothing we can read."""
    script = ROOT / "bench" / "bench_extract.py"
    if not script.exists():
        return None
    out = _run([sys.executable, str(script), "--repeat", str(repeat)])
    m = re.search(r"([\d,]+(?:\.\d+)?) sentences/s", out)
    return float(m[1].replace(",", "")) if m else None


def query_helper(quick: bool) -> list[QueryLatency] | None:
    """Endpoint latency from bench/bench_query.py: newsgraph serve vs bare `oxigraph serve`, per query and client."""
    script = ROOT / "bench" / "bench_query.py"
    if not script.exists():
        return None
    size = ["--articles", "30", "--repeat", "40"] if quick else []
    return parse_query_output(_run([sys.executable, str(script), *size], check=False)) or None


@dataclass(frozen=True)
class QueryLatency:
    query: str  # bench_query's label and client style
    bare_p50_ms: float
    bare_p95_ms: float
    p50_ms: float
    p95_ms: float


_LATENCY = re.compile(r"^(?P<label>.*?)\s+(?P<b50>[\d.]+)/(?P<b95>[\d.]+)\s+(?P<n50>[\d.]+)/(?P<n95>[\d.]+)\s+[\d.]+/[\d.]+\b")


def parse_query_output(out: str) -> list[QueryLatency]:
    """bench_query's table rows: `label client  bare p50/p95  newsgraph p50/p95  ratio p50/p95  [more columns]`."""
    return [QueryLatency(" ".join(m["label"].split()), float(m["b50"]), float(m["b95"]), float(m["n50"]), float(m["n95"]))
            for m in map(_LATENCY.match, out.splitlines()) if m]


def coldstart_seconds(store: Path, runs: int) -> float:
    """Median wall time of `newsgraph query --name persons`, a fresh process each time (first run warms the disk cache)."""
    cmd = [newsgraph_command(), "query", "--name", "persons", "--store", str(store)]
    _run(cmd)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        _run(cmd)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def query_imports(store: Path) -> tuple[list[str], list[tuple[str, float]]]:
    """Heavy modules `newsgraph query` imports, and its three slowest top-level imports (name, ms)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "etl.cli", "query", "--name", "persons",
                           "--store", str(store)], capture_output=True, text=True, check=True, cwd=ROOT)
    modules: list[tuple[str, float, int]] = []
    for line in proc.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].rstrip()
            modules.append((name.strip(), int(parts[1]) / 1000, len(name) - len(name.lstrip())))
    heavy = sorted({m for m, _, _ in modules if m.startswith(HEAVY_PREFIXES)})
    top = min((d for _, _, d in modules), default=0)
    slowest = sorted(((m, ms) for m, ms, d in modules if d == top), key=lambda x: -x[1])[:3]
    return heavy, slowest


def small_store(dest: Path) -> Path:
    """The sample articles loaded into a fresh store (with the ontology, as `newsgraph etl` does)."""
    from etl.load import load_ontology
    from etl.pipeline import run_local

    target = StoreTarget.open(dest)
    load_ontology(target)
    run_local(article_paths(SAMPLES), target)
    target.close()
    return dest


def newsgraph_command() -> str:
    return shutil.which("newsgraph", path=str(Path(sys.executable).parent)) or shutil.which("newsgraph") or "newsgraph"


def _run(cmd: list[str], check: bool = True) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if check and proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return proc.stdout
