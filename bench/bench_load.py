"""Concurrent load through `newsgraph serve` next to bare `oxigraph serve-read-only` on the same store.

    python bench/bench_load.py [--articles 300 | --store PATH] [--seconds 3] [--repeat 3] [--json FILE]

For 1, 4 and 16 concurrent clients of each kind — HTTP/1.1 keep-alive, HTTP/1.0
with `Connection: keep-alive`, and a new connection per request (what curl in a
loop, SPARQLWrapper and most scripts do) — and for a point query and an
analytical one, clients query each server for `--seconds`, the two servers taking
turns (newsgraph, bare, newsgraph, bare…) so that drift on a shared machine hits
both alike. Prints queries/s, failed requests and p50/p95 latency per server, the
median of `--repeat` runs, and the ratios newsgraph/bare (goal: throughput >= 0.9,
p95 <= 1.2, no failure).

Bare oxigraph is started by newsgraph's own code, so with its flags (`--union-default-graph`,
no `--timeout-s`: with it, oxigraph 0.5.13 starts a thread per query that sleeps the whole
timeout).
The clients are plain sockets on threads (no third-party tool): the same client
code runs in tests/test_serve_load.py.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.serve.server import _start_oxigraph, _wait_ready  # noqa: E402
from etl.store import read_state  # noqa: E402

NG = "https://w3id.org/newsgraph/ontology#"
KINDS = ("keep-alive HTTP/1.1", "keep-alive HTTP/1.0", "new connection")
CONCURRENCY = (1, 4, 16)
CLIENT_TIMEOUT_S = 60.0


class Failed(Exception):
    """A request that did not get a complete 200 answer."""


def request_bytes(sparql: str, kind: str, accept: str = "application/sparql-results+json") -> bytes:
    """The GET request a client of `kind` sends for `sparql`."""
    version, connection = {"keep-alive HTTP/1.1": ("1.1", ""), "keep-alive HTTP/1.0": ("1.0", "keep-alive"),
                           "new connection": ("1.1", "close")}[kind]
    lines = [f"GET /query?{urllib.parse.urlencode({'query': sparql})} HTTP/{version}", "Host: 127.0.0.1",
             f"Accept: {accept}"] + ([f"Connection: {connection}"] if connection else [])
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class Client:
    """One client: sends `request` again and again on its own connection(s), as `kind` does."""

    def __init__(self, port: int, request: bytes, kind: str) -> None:
        self.port = port
        self.request = request
        self.reuse = kind != "new connection"
        self.http10 = kind == "keep-alive HTTP/1.0"
        self.sock: socket.socket | None = None
        self.buf = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        self.buf = b""

    def ask(self) -> bytes:
        """One request; its answer's body. Raises Failed (or OSError) unless it is a whole 200."""
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=CLIENT_TIMEOUT_S)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock.sendall(self.request)
            status, keep, body = self._response()
        except BaseException:
            self.close()
            raise
        if not (keep and self.reuse):
            self.close()
        if status != 200:
            raise Failed(f"HTTP {status}: {body[:100]!r}")
        return body

    def _recv(self) -> bytes:
        assert self.sock is not None
        data = self.sock.recv(65536)
        if not data:
            raise Failed("connection closed before the answer was complete")
        return data

    def _until(self, sep: bytes) -> bytes:
        while (i := self.buf.find(sep)) < 0:
            self.buf += self._recv()
        line, self.buf = self.buf[:i], self.buf[i + len(sep):]
        return line

    def _exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            self.buf += self._recv()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _response(self) -> tuple[int, bool, bytes]:
        """(status, whether the connection stays open, body), framed by Content-Length, chunks or close."""
        head = self._until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = head[0].split(" ", 2)[1]
        headers = {k.strip().lower(): v.strip().lower() for k, _, v in (h.partition(":") for h in head[1:])}
        # An HTTP/1.0 connection stays open only when the server says so.
        keep = headers.get("connection") == "keep-alive" if self.http10 else headers.get("connection") != "close"
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while size := int(self._until(b"\r\n").split(b";")[0], 16):
                body += self._exactly(size)
                self._exactly(2)
            self._until(b"\r\n")
        elif "content-length" in headers:
            body = self._exactly(int(headers["content-length"]))
        else:  # ends when the server closes
            body, self.buf = self.buf, b""
            while data := self.sock.recv(65536):  # type: ignore[union-attr]
                body += data
            keep = False
        return int(status), keep, body


@dataclass
class Run:
    """What `clients` clients of one kind got from one server in one timed run."""

    requests: int = 0
    failures: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        s = sorted(self.latencies)
        return s[min(len(s) - 1, int(len(s) * p))] if s else float("nan")


def run_clients(port: int, request: bytes, kind: str, clients: int, *, seconds: float | None = None,
                requests: int | None = None, check: bytes | None = None) -> Run:
    """`clients` threads of `kind` query at once, for `seconds` or until `requests` answers each.

    Every request is bounded by CLIENT_TIMEOUT_S; `check` (if given) must be in every body.
    """
    run = Run()
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)
    stop_at: list[float] = [float("inf")]

    def client() -> None:
        me = Client(port, request, kind)
        latencies: list[float] = []
        failures = 0
        errors: list[str] = []
        start_line.wait()
        done = 0
        while time.perf_counter() < stop_at[0] and (requests is None or done < requests):
            t = time.perf_counter()
            try:
                body = me.ask()
                if check is not None and check not in body:
                    raise Failed(f"unexpected answer {body[:100]!r}")
            except (Failed, OSError, ValueError) as exc:
                failures += 1
                errors.append(f"{type(exc).__name__}: {exc}")
            latencies.append(time.perf_counter() - t)
            done += 1
        me.close()
        with lock:
            run.latencies += latencies
            run.failures += failures
            run.errors += errors[:5]

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    start_line.wait()
    begin = time.perf_counter()
    if seconds is not None:
        stop_at[0] = begin + seconds
    for t in threads:
        t.join()
    run.seconds = time.perf_counter() - begin
    run.requests = len(run.latencies)
    return run


# --- the two servers -----------------------------------------------------------------------------

@contextmanager
def newsgraph_server(store: Path, timeout_s: int = 30) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    code = ("import sys; from pathlib import Path; from etl.serve.server import run_serve; "
            f"sys.exit(run_serve(Path({str(store)!r}), '127.0.0.1', 0, {timeout_s}, False, False))")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # the banner's first line: it answers
        info = read_state(store)
        if info is None:
            raise SystemExit(f"newsgraph serve did not start on {store}")
        yield proc, int(info.url.rsplit(":", 1)[1].strip("/"))
    finally:
        proc.terminate()
        proc.wait(60)


@contextmanager
def bare_server(store: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """Oxigraph alone, started exactly as `newsgraph serve` starts it behind its proxy (same flags)."""
    ox = _start_oxigraph(store, cors=False, writable=False)
    try:
        _wait_ready(ox, store, threading.Event())
        yield ox.proc, ox.port
    finally:
        ox.stop()


def queries(port: int) -> list[tuple[str, str]]:
    """(label, SPARQL): a point query on a person of the store, and an analytical one."""
    first = Client(port, request_bytes(f"SELECT ?p WHERE {{ ?p a <{NG}Person> }} LIMIT 1", "new connection"),
                   "new connection")
    person = json.loads(first.ask())["results"]["bindings"][0]["p"]["value"]
    # The shipped meetings_per_person.rq answers 4 MB in ~10 s on 10,000 articles: an export, not
    # a query to run 16 at once within the 30 s limit. This one aggregates over every article graph.
    return [("point (one person's names)", f"SELECT ?name ?g WHERE {{ GRAPH ?g {{ <{person}> <{NG}name> ?name }} }}"),
            ("analytical (weapons by articles)", f"SELECT ?w (COUNT(DISTINCT ?g) AS ?articles) WHERE {{ GRAPH ?g "
             f"{{ ?w a <{NG}WeaponSystem> }} }} GROUP BY ?w ORDER BY DESC(?articles) LIMIT 20")]


# --- the measurement -----------------------------------------------------------------------------

@dataclass
class Cell:
    query: str
    kind: str
    clients: int
    newsgraph: dict[str, float]
    bare: dict[str, float]

    @property
    def throughput_ratio(self) -> float:
        return self.newsgraph["per_s"] / self.bare["per_s"]

    @property
    def p95_ratio(self) -> float:
        return self.newsgraph["p95_ms"] / self.bare["p95_ms"]


def summary(runs: list[Run]) -> dict[str, float]:
    """Medians over runs of one server in one cell; failures are summed."""
    return {"per_s": statistics.median(r.per_s for r in runs),
            "p50_ms": statistics.median(r.percentile(0.5) for r in runs) * 1e3,
            "p95_ms": statistics.median(r.percentile(0.95) for r in runs) * 1e3,
            "failures": float(sum(r.failures for r in runs)), "requests": float(sum(r.requests for r in runs))}


def measure(ports: dict[str, int], seconds: float, repeat: int, concurrency: tuple[int, ...] = CONCURRENCY,
            log=print) -> list[Cell]:
    cells = []
    for label, sparql in queries(ports["newsgraph"]):
        for kind in KINDS:
            request = request_bytes(sparql, kind)
            for clients in concurrency:
                runs: dict[str, list[Run]] = {"newsgraph": [], "bare": []}
                run_clients(ports["bare"], request, kind, clients, requests=2)  # warm caches alike
                for i in range(repeat):
                    for name in ("newsgraph", "bare") if i % 2 == 0 else ("bare", "newsgraph"):
                        runs[name].append(run_clients(ports[name], request, kind, clients, seconds=seconds))
                cell = Cell(label, kind, clients, summary(runs["newsgraph"]), summary(runs["bare"]))
                errors = [e for r in runs["newsgraph"] + runs["bare"] for e in r.errors][:2]
                log(f"{label:36} {kind:20} {clients:2} clients: newsgraph {cell.newsgraph['per_s']:8,.0f}/s "
                    f"bare {cell.bare['per_s']:8,.0f}/s ratio {cell.throughput_ratio:.2f}, "
                    f"p95 {cell.newsgraph['p95_ms']:.2f}/{cell.bare['p95_ms']:.2f} ms, failed "
                    f"{cell.newsgraph['failures']:.0f}/{cell.bare['failures']:.0f}" + (f" {errors}" if errors else ""))
                cells.append(cell)
    return cells


def markdown(cells: list[Cell]) -> str:
    lines = ["| query | clients | connection | newsgraph q/s | bare q/s | ratio | newsgraph p50 / p95 ms "
             "| bare p50 / p95 ms | p95 ratio | failed (newsgraph / bare) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for c in cells:
        n, b = c.newsgraph, c.bare
        lines.append(f"| {c.query} | {c.clients} | {c.kind} | {n['per_s']:,.0f} | {b['per_s']:,.0f} | "
                     f"{c.throughput_ratio:.2f} | {n['p50_ms']:.2f} / {n['p95_ms']:.2f} | "
                     f"{b['p50_ms']:.2f} / {b['p95_ms']:.2f} | {c.p95_ratio:.2f} | "
                     f"{n['failures']:.0f} of {n['requests']:,.0f} / {b['failures']:.0f} of {b['requests']:,.0f} |")
    return "\n".join(lines)


def build_store(articles: int, where: Path) -> Path:
    """The synthetic corpus through the real pipeline (no Prefect), as `newsgraph etl` would load it."""
    from bench.corpus import write_corpus
    from bench.measure import local_run

    store = where / "store"
    run = local_run(write_corpus(where / "corpus", articles), store)
    print(f"built {store}: {run.loaded} articles, {run.triples} triples in {run.seconds:.0f} s", file=sys.stderr)
    return store


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, help="an existing store (default: build one from --articles)")
    ap.add_argument("--articles", type=int, default=300, help="synthetic articles to build a store from (default 300)")
    ap.add_argument("--seconds", type=float, default=3.0, help="length of each timed run (default 3)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per server and cell; medians are reported (default 3)")
    ap.add_argument("--clients", default="1,4,16", help="concurrent clients (default 1,4,16)")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args(argv)
    concurrency = tuple(int(c) for c in args.clients.split(","))

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        store = args.store or build_store(args.articles, Path(tmp))
        start = time.perf_counter()
        with newsgraph_server(store) as (_, ng_port), bare_server(store) as (_, bare_port):
            cells = measure({"newsgraph": ng_port, "bare": bare_port}, args.seconds, args.repeat, concurrency,
                            log=lambda m: print(m, file=sys.stderr, flush=True))
    load = os.getloadavg()
    print(markdown(cells))
    print(f"\n{os.cpu_count()} cores; load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min) "
          f"at the end; {time.perf_counter() - start:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"loadavg": load, "cells": [
            {**asdict(c), "throughput_ratio": c.throughput_ratio, "p95_ratio": c.p95_ratio} for c in cells]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
