"""Query latency through `newsgraph serve` next to the bare `oxigraph serve-read-only` on the same store.

    python bench/bench_query.py [--articles 300 | --store PATH] [--repeat 300]

Both servers run at once with the same flags (union default graph; no --timeout-s,
which newsgraph keeps in its proxy: see bench_load.py); each
request alternates between them so drift hits both alike. Prints p50/p95 per
query and client style, the ratio newsgraph/bare (target: <= 1.1), and the
proxy's own CPU time per request, which a busy machine does not blur.
Client styles: "keep-alive" reuses one connection (YASGUI, SPARQLWrapper with
keep-alive, Jena); "new conn" opens one per request (curl, plain SPARQLWrapper).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_load import bare_server, build_store, newsgraph_server  # noqa: E402
from etl.resources import load_query  # noqa: E402
from etl.store import state_path  # noqa: E402

NG = "https://w3id.org/newsgraph/ontology#"


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def requester(port: int, keep_alive: bool) -> Callable[[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def ask(sparql: str, accept: str) -> bytes:
        nonlocal conn
        if not keep_alive:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/query?" + urllib.parse.urlencode({"query": sparql}), headers={"Accept": accept})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"HTTP {response.status}: {body[:200]!r}")
        if not keep_alive:
            conn.close()
        return body

    return ask


def percentiles(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    return s[len(s) // 2], s[min(len(s) - 1, int(len(s) * 0.95))]


def measure(ports: dict[str, int], sparql: str, accept: str, repeat: int, keep_alive: bool) -> dict[str, list[float]]:
    asks = {name: requester(port, keep_alive) for name, port in ports.items()}
    times: dict[str, list[float]] = {name: [] for name in ports}
    for i in range(repeat + max(5, repeat // 10)):  # the first ones warm caches and connections
        for name, ask in asks.items() if i % 2 else reversed(asks.items()):
            start = time.perf_counter()
            ask(sparql, accept)
            if i >= max(5, repeat // 10):
                times[name].append(time.perf_counter() - start)
    return times


def queries(port: int) -> list[tuple[str, str, str, int]]:
    """(label, SPARQL, Accept, share of --repeat): a point query, an analytical one, a bulk export."""
    ask = requester(port, True)
    rows = json.loads(ask(f"SELECT ?p WHERE {{ ?p a <{NG}Person> }} LIMIT 1", "application/sparql-results+json"))
    person = rows["results"]["bindings"][0]["p"]["value"]
    point = f"SELECT ?name ?g WHERE {{ GRAPH ?g {{ <{person}> <{NG}name> ?name }} }}"
    return [
        ("point (one person's names)", point, "application/sparql-results+json", 1),
        ("meetings_per_person.rq", load_query("meetings_per_person"), "application/sparql-results+json", 4),
        ("all triples, N-Triples", "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples", 20),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, help="an existing store (default: build one from --articles)")
    ap.add_argument("--articles", type=int, default=300, help="synthetic articles to build a store from (default 300)")
    ap.add_argument("--repeat", type=int, default=300, help="requests per server for the point query (default 300)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-query-") as tmp:
        store = args.store or build_store(args.articles, Path(tmp))
        with newsgraph_server(store) as (newsgraph, ng_port), bare_server(store) as (_, bare_port):
            # On a busy machine wall times are noisy; the proxy's own CPU time per request is not.
            print(f"{'query':30} {'client':10} {'bare p50/p95 ms':>17} {'newsgraph p50/p95 ms':>21} "
                  f"{'ratio p50/p95':>14} {'proxy CPU ms/req':>17}")
            for label, sparql, accept, share in queries(ng_port):
                for keep_alive in (True, False):
                    cpu_before = cpu_s(newsgraph.pid)
                    t = measure({"bare": bare_port, "newsgraph": ng_port}, sparql, accept,
                                max(20, args.repeat // share), keep_alive)
                    proxy_cpu = (cpu_s(newsgraph.pid) - cpu_before) / len(t["newsgraph"])
                    b50, b95 = percentiles(t["bare"])
                    n50, n95 = percentiles(t["newsgraph"])
                    print(f"{label:30} {'keep-alive' if keep_alive else 'new conn':10} "
                          f"{b50 * 1e3:8.2f}/{b95 * 1e3:<8.2f} {n50 * 1e3:11.2f}/{n95 * 1e3:<9.2f} "
                          f"{n50 / b50:6.2f}/{n95 / b95:<6.2f} {proxy_cpu * 1e3:12.3f}")
        assert not state_path(store).exists()
    return 0


if __name__ == "__main__":
    sys.exit(main())
