"""`newsgraph serve`: the real oxigraph server behind newsgraph's proxy, over real HTTP on 127.0.0.1."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from etl.serve.graphstore import EndpointTarget, target_for
from etl.load import StoreError, StoreTarget, graph_iri, open_store
from etl.serve.proxy import Proxy
from etl.serve.server import ServeError, _start_oxigraph, _wait_ready, run_serve
from etl.store import ServerInfo, read_state, state_path

ROOT = Path(__file__).resolve().parent.parent
NG = "https://w3id.org/newsgraph/ontology#"
ID = "https://w3id.org/newsgraph/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PERSONS_IN_GRAPHS = f"SELECT ?g ?name WHERE {{ GRAPH ?g {{ ?p <{NG}name> ?name }} }} ORDER BY ?name"
# Nested cross products over a handful of triples: seconds of work, no rows until the end.
SLOW_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?q ?r ?s }"
SLOW_ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?q ?r ?s }"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def article_nt(n: int) -> bytes:
    """One article's graph: two persons who met."""
    a, b, m = f"<{ID}person-{n}a>", f"<{ID}person-{n}b>", f"<{ID}meeting-{n}>"
    return (
        f'{a} <{RDF_TYPE}> <{NG}Person> .\n{a} <{NG}name> "Person {n}A" .\n'
        f'{b} <{RDF_TYPE}> <{NG}Person> .\n{b} <{NG}name> "Person {n}B" .\n'
        f"{m} <{RDF_TYPE}> <{NG}Meeting> .\n{m} <{NG}participant> {a} .\n{m} <{NG}participant> {b} .\n"
    ).encode()


def make_store(path: Path, articles: int = 3) -> Path:
    target = StoreTarget.open(path)
    for n in range(articles):
        target.replace_graph(graph_iri(f"art{n}"), article_nt(n))
    target.close()
    return path


@dataclass
class Served:
    proc: subprocess.Popen[str]
    info: ServerInfo
    store: Path

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(30)


def serve(store: Path, *, timeout_s: int = 1, writable: bool = False, host: str = "127.0.0.1") -> Served:
    """Start `run_serve` in its own process, as the CLI would, on a free port (port 0)."""
    code = (f"import sys; from pathlib import Path; from etl.serve.server import run_serve; "
            f"sys.exit(run_serve(Path({str(store)!r}), {host!r}, 0, {timeout_s}, False, {writable}))")
    # stderr to a file: a pipe nobody drains would fill up with oxigraph's log and block it.
    with (store.parent / f"{store.name}.serve.err").open("a") as err:
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True)
    assert proc.stdout is not None
    banner = proc.stdout.readline()  # printed once the endpoint answers
    info = read_state(store)
    if not banner or info is None:
        proc.kill()
        raise AssertionError(f"serve did not start: {(store.parent / f'{store.name}.serve.err').read_text()}")
    return Served(proc, info, store)


def pid_gone(pid: int) -> bool:
    for _ in range(100):  # bounded: up to 5 s
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        stat = Path(f"/proc/{pid}/stat")
        if stat.is_file() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return True  # a zombie waiting for its parent (the test) to reap it: it has exited
        time.sleep(0.05)
    return False


def port_of(info: ServerInfo) -> int:
    return int(info.url.rsplit(":", 1)[1].strip("/"))


def http(url: str, *, data: bytes | None = None, method: str | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with NO_PROXY.open(request, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def query(server: ServerInfo, sparql: str, accept: str, *, post: bool = False) -> tuple[int, dict[str, str], bytes]:
    encoded = urllib.parse.urlencode({"query": sparql})
    if post:
        return http(server.query_url, data=encoded.encode(), headers={
            "Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
    return http(f"{server.query_url}?{encoded}", headers={"Accept": accept})


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    s = serve(make_store(tmp_path_factory.mktemp("serve") / "store"))
    yield s
    assert s.stop() == 0


# --- the SPARQL protocol, through newsgraph's port ---------------------------------------------

@pytest.mark.parametrize("post", [False, True], ids=["GET", "POST"])
def test_select_json(served: Served, post: bool) -> None:
    status, headers, body = query(served.info, PERSONS_IN_GRAPHS, "application/sparql-results+json", post=post)
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+json")
    rows = json.loads(body)["results"]["bindings"]
    assert [r["name"]["value"] for r in rows] == ["Person 0A", "Person 0B", "Person 1A", "Person 1B",
                                                  "Person 2A", "Person 2B"]
    assert rows[0]["g"]["value"] == graph_iri("art0")  # each triple's article graph: its provenance


def test_select_xml(served: Served) -> None:
    status, headers, body = query(served.info, PERSONS_IN_GRAPHS, "application/sparql-results+xml")
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert len(ET.fromstring(body).findall(".//r:result", ns)) == 6


@pytest.mark.parametrize("accept,delimiter", [("text/csv", ","), ("text/tab-separated-values", "\t")])
def test_select_csv_tsv(served: Served, accept: str, delimiter: str) -> None:
    status, headers, body = query(served.info, PERSONS_IN_GRAPHS, accept)
    assert status == 200 and headers["content-type"].startswith(accept)
    rows = list(csv.reader(io.StringIO(body.decode()), delimiter=delimiter))
    assert rows[0] in (["g", "name"], ["?g", "?name"]) and len([r for r in rows if r]) == 7


def test_default_graph_is_the_union_of_article_graphs(served: Served) -> None:
    sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{NG}Meeting> }}"
    _, _, body = query(served.info, sparql, "application/sparql-results+json")
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "3"


@pytest.mark.parametrize("accept,fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                        ("application/ld+json", ox.RdfFormat.JSON_LD)])
def test_construct_formats(served: Served, accept: str, fmt: ox.RdfFormat) -> None:
    sparql = f"CONSTRUCT {{ ?p <{NG}name> ?n }} WHERE {{ ?p <{NG}name> ?n }}"
    status, headers, body = query(served.info, sparql, accept, post=True)
    assert status == 200 and headers["content-type"].startswith(accept)
    assert len(list(ox.parse(body, format=fmt))) == 6


def test_sparqlwrapper(served: Served) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(served.info.query_url)
    client.setQuery(f"SELECT ?name WHERE {{ <{ID}person-1a> <{NG}name> ?name }}")
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert rows == [{"name": {"type": "literal", "value": "Person 1A"}}]


def test_yasgui_page(served: Served) -> None:
    status, headers, body = http(served.info.url)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"Yasgui" in body
    status, _, script = http(served.info.url + "yasgui.min.js")
    assert status == 200 and len(script) > 100_000


def test_head_and_keep_alive(served: Served) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port_of(served.info), timeout=10)
    for _ in range(3):  # the same connection, request after request
        conn.request("HEAD", "/")
        response = conn.getresponse()
        assert response.status == 200 and response.read() == b""
        conn.request("GET", "/query?" + urllib.parse.urlencode({"query": "ASK {}"}),
                     headers={"Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        assert json.loads(response.read())["boolean"] is True
    conn.close()


# --- safe by default ----------------------------------------------------------------------------

def test_updates_are_refused_by_default(served: Served) -> None:
    status, _, body = http(served.info.update_url, data=urllib.parse.urlencode(
        {"update": f"INSERT DATA {{ <{ID}x> <{NG}name> \"X\" }}"}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403 and b"read-only" in body
    status, _, _ = http(served.info.store_url + "?" + urllib.parse.urlencode({"graph": graph_iri("art0")}),
                        data=b"", method="DELETE")
    assert status == 403
    _, _, body = query(served.info, PERSONS_IN_GRAPHS, "application/sparql-results+json")
    assert len(json.loads(body)["results"]["bindings"]) == 6


@pytest.mark.parametrize("path", ["/query", "/sparql"])
def test_query_past_the_timeout_is_an_error(served: Served, path: str) -> None:
    """Oxigraph answers queries at /sparql too: the time limit holds there as well."""
    start = time.monotonic()
    url = served.info.query_url.removesuffix("/query") + path
    status, headers, body = http(f"{url}?{urllib.parse.urlencode({'query': SLOW_COUNT})}",
                                 headers={"Accept": "application/sparql-results+json"})
    assert status == 503 and headers["content-type"].startswith("text/plain")
    assert b"timed out" in body and b"1 s" in body
    assert time.monotonic() - start < 10



def test_query_cut_off_while_streaming_rows_is_an_error(served: Served) -> None:
    """Rows were flowing when the timeout hit: a 503, or (past the proxy's buffer) a broken transfer."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port_of(served.info), timeout=30)
    conn.request("GET", "/query?" + urllib.parse.urlencode({"query": SLOW_ROWS}), headers={"Accept": "text/csv"})
    response = conn.getresponse()
    if response.status == 200:
        with pytest.raises(http.client.IncompleteRead):
            response.read()
    else:
        assert response.status == 503 and b"timed out" in response.read()
    conn.close()


def test_query_oxigraph_does_not_cancel_is_stopped_by_the_proxy(served: Served) -> None:
    """Oxigraph checks its timeout between solutions; this one finds none for a long time."""
    sparql = ("SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?q ?r ?s "
              "FILTER(STRLEN(CONCAT(STR(?c), STR(?f), STR(?i), STR(?l), STR(?o), STR(?s))) = 1) }")
    start = time.monotonic()
    status, _, body = query(served.info, sparql, "application/sparql-results+json")
    assert status == 503 and b"timed out" in body
    assert time.monotonic() - start < 1 + 3


def test_timeout_through_sparqlwrapper(served: Served) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    client = SPARQLWrapper(served.info.query_url)
    client.setQuery(SLOW_COUNT)
    client.setReturnFormat(JSON)
    with pytest.raises((urllib.error.HTTPError, SPARQLWrapperException)):
        client.query().convert()


def test_timeout_of_a_large_streamed_result_breaks_the_transfer(tmp_path: Path) -> None:
    """Past the proxy's buffer the status is already sent: the client must see a broken transfer instead."""
    import http.client

    store = make_store(tmp_path / "store")
    ox_child = _start_oxigraph(store, False, False)
    listener = socket.create_server(("127.0.0.1", 0))
    proxy = Proxy(listener, ("127.0.0.1", ox_child.port), 1, buffer_limit=4096)
    try:
        _wait_ready(ox_child, store, threading.Event())
        proxy.start()
        conn = http.client.HTTPConnection("127.0.0.1", listener.getsockname()[1], timeout=30)
        conn.request("GET", "/query?" + urllib.parse.urlencode({"query": SLOW_ROWS}), headers={"Accept": "text/csv"})
        response = conn.getresponse()
        assert response.status == 200  # sent before the first 4 KiB of rows left
        with pytest.raises(http.client.IncompleteRead):
            response.read()
        conn.close()
        # A large result that completes in time streams through whole.
        conn = http.client.HTTPConnection("127.0.0.1", listener.getsockname()[1], timeout=30)
        conn.request("GET", "/query?" + urllib.parse.urlencode({"query": "SELECT * { ?a ?b ?c . ?d ?e ?f }"}),
                     headers={"Accept": "text/csv"})
        response = conn.getresponse()
        assert response.status == 200 and len(response.read().splitlines()) == 21 * 21 + 1
        conn.close()
    finally:
        proxy.stop()
        ox_child.stop()


# --- ETL while serving ---------------------------------------------------------------------------

def test_etl_refuses_while_served_read_only(served: Served) -> None:
    with pytest.raises(StoreError, match=r"served read-only at http://127\.0\.0\.1:\d+/ .*--writable"):
        target_for(served.store)


def test_article_loaded_through_a_writable_server_is_visible_at_once(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store")
    s = serve(store, writable=True)
    try:
        target = target_for(store)  # finds the running server through its state file
        assert isinstance(target, EndpointTarget) and target.url == s.info.store_url
        target.replace_graph(graph_iri("new"), article_nt(7))
        _, _, body = query(s.info, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{ID}person-7a> <{NG}name> ?n }} }}",
                           "application/sparql-results+json")
        assert json.loads(body)["results"]["bindings"] == [{"g": {"type": "uri", "value": graph_iri("new")}}]
        target.replace_graph(graph_iri("new"), article_nt(8))  # PUT replaces: 7's triples go
        assert graph_iri("new") in target.graph_names()
        _, _, body = query(s.info, f"ASK {{ <{ID}person-7a> ?p ?o }}", "application/sparql-results+json")
        assert json.loads(body)["boolean"] is False
        # The server holds the store: a second read-write open is one clear line, not a RocksDB traceback.
        with pytest.raises(StoreError, match="in use by another process") as caught:
            open_store(store)
        assert "\n" not in str(caught.value)
    finally:
        assert s.stop() == 0
    # Stopped: the store opens at once and has the article.
    reopened = open_store(store)
    assert ox.NamedNode(graph_iri("new")) in set(reopened.named_graphs())


def test_writable_only_on_loopback(tmp_path: Path) -> None:
    with pytest.raises(ServeError, match="--writable only binds to this machine"):
        run_serve(make_store(tmp_path / "store"), "0.0.0.0", 0, 1, False, True)


# --- clear errors --------------------------------------------------------------------------------

def test_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        with pytest.raises(ServeError, match=f"port {port} on 127.0.0.1 is already in use"):
            run_serve(make_store(tmp_path / "store"), "127.0.0.1", port, 1, False, False)


def test_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        run_serve(tmp_path / "nothing", "127.0.0.1", 0, 1, False, False)
    assert not state_path(tmp_path / "nothing").exists()


def test_second_serve_on_the_same_store(served: Served) -> None:
    with pytest.raises(ServeError, match="already served at"):
        run_serve(served.store, "127.0.0.1", 0, 1, False, False)


def test_oxigraph_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    with pytest.raises(ServeError, match="`oxigraph` server is not installed"):
        run_serve(tmp_path / "store", "127.0.0.1", 0, 1, False, False)


# --- stopping ------------------------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stop_leaves_no_process_and_no_state_file(tmp_path: Path, sig: int) -> None:
    s = serve(make_store(tmp_path / "store"))
    assert s.stop(sig) == 0
    assert pid_gone(s.info.oxigraph_pid)
    assert not state_path(s.store).exists()
    open_store(s.store)  # nothing holds it any more


def test_sigkill_takes_oxigraph_down_too(tmp_path: Path) -> None:
    s = serve(make_store(tmp_path / "store"), writable=True)
    s.stop(signal.SIGKILL)
    assert pid_gone(s.info.oxigraph_pid)  # Linux PR_SET_PDEATHSIG
    assert read_state(s.store) is None  # the left-over state file is recognised as stale
    open_store(s.store)


@pytest.mark.usefixtures("prefect_harness")
def test_queries_keep_answering_while_the_etl_loads_through_the_server(tmp_path: Path, samples: Path) -> None:
    """Bounded query load on 127.0.0.1 during a real `newsgraph etl` through a --writable server."""
    import threading

    from prefect.settings import PREFECT_API_URL

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(8):
        for src in sorted(samples.glob("*.txt")):
            (corpus / f"{src.stem}-{i}.txt").write_text(f"Ref {i}\n" + src.read_text(encoding="utf-8"), encoding="utf-8")
    served = serve(make_store(tmp_path / "store", articles=1), timeout_s=10, writable=True)
    outcomes: list[int] = []
    done = threading.Event()

    def load() -> None:  # bounded: at most 2,000 queries or 300 s, stops when the ETL is done
        deadline = time.monotonic() + 300
        while not done.is_set() and len(outcomes) < 2000 and time.monotonic() < deadline:
            status, _, body = query(served.info, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "text/csv")
            outcomes.append(status if body.startswith(b"n") else -1)

    worker = threading.Thread(target=load)
    worker.start()
    try:
        etl = subprocess.run([str(Path(sys.executable).with_name("newsgraph")), "etl", str(corpus), "--store", str(served.store),
                              "--batch-size", "4"], capture_output=True, text=True, timeout=600,
                             env={**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()})
    finally:
        done.set()
        worker.join()
    try:
        assert etl.returncode == 0, etl.stderr
        assert "40 loaded" in etl.stdout
        assert len(outcomes) > 10 and set(outcomes) == {200}
        status, _, body = query(served.info, "SELECT (COUNT(DISTINCT ?a) AS ?n) "
                                "WHERE { ?a a <https://w3id.org/newsgraph/ontology#Article> }", "text/csv")
        assert body.decode().split()[1] == "40"  # every article loaded while serving is visible
    finally:
        assert served.stop() == 0
