"""The W3C SPARQL 1.1 Protocol test suite against `newsgraph serve` and against bare `oxigraph serve`.

The suite's manifest (tests/data/sparql-protocol/, from w3c/rdf-tests; its README gives the commit)
models each test in RDF: the HTTP requests to send, in order, and the status, result format and
ASK answer to expect. Each manifest entry runs once per server, so the report says, test by test,
whether it passed on newsgraph and on bare Oxigraph. The rule: newsgraph passes every test that
bare Oxigraph passes; where bare Oxigraph fails one, newsgraph's case is an xfail saying so.

Like for like: bare Oxigraph runs with the very command line newsgraph gives its own oxigraph
(read from that process), on its own copy of the same data. Tests that update run against
`--writable` servers (each such test clears and fills the graphs it checks); the others against
read-only ones, which is how newsgraph serves by default. Last, the suite's updates go to the
read-only servers, which must refuse them.
"""
from __future__ import annotations

import http.client
import io
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyparsing import ParseException
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.query import Result

SUITE = Path(__file__).resolve().parent / "data" / "sparql-protocol" / "sparql11" / "protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
START_S = 60  # a server that has not answered by then will not

# What each mf:expectedFormat admits, by media type, with the rdflib parser that checks the body.
RESULTS = {"application/sparql-results+xml": "xml", "application/sparql-results+json": "json"}
TABLES = {**RESULTS, "text/csv": "csv", "text/tab-separated-values": "tsv"}
# The tests name RDF/XML, Turtle, N-Triples and RDFa; the Recommendation (§2.2.6) allows "an equivalent
# RDF graph serialization". N-Quads is a dataset format, not among them.
GRAPHS = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt",
          "text/n3": "n3", "application/ld+json": "json-ld"}
FORMATS = {"boolean": RESULTS, "tabular": TABLES, "RDF": GRAPHS}


@dataclass(frozen=True)
class Expected:
    statuses: frozenset[str]  # status classes: "2", "3", "4"
    format: str | None  # mf:expectedFormat: "boolean", "tabular" or "RDF"
    boolean: bool | None  # mf:expectedBoolean


@dataclass(frozen=True)
class Request:
    method: str
    operation: str  # "query" or "update": the endpoint it goes to (/query or /update)
    params: str  # the URL's query string
    headers: dict[str, str]
    body: bytes | None
    expected: Expected

    def __str__(self) -> str:
        target = f"/{self.operation}" + (f"?{self.params}" if self.params else "")
        return f"{self.method} {target if len(target) <= 80 else target[:77] + '...'}"


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    requests: tuple[Request, ...]

    @property
    def writes(self) -> bool:
        return any(r.operation == "update" for r in self.requests)


def _operation(params: str, headers: dict[str, str], text: str | None) -> str:
    """Query or update: the manifest sends both to /sparql/ and leaves the endpoint to the runner.

    By media type, else by the parameters (URL and form-like body), else by what the body parses as.
    """
    media = next((v for k, v in headers.items() if k.lower() == "content-type"), "").split(";")[0].strip()
    if media in ("application/sparql-query", "application/sparql-update"):
        return media.rsplit("-", 1)[1]
    names = set(urllib.parse.parse_qs(params)) | set(urllib.parse.parse_qs(text or ""))
    if names & {"update", "using-graph-uri", "using-named-graph-uri"}:
        return "update"
    if "query" in names or text is None:
        return "query"
    try:
        parseQuery(text)
        return "query"
    except ParseException:
        return "update"


def _request(g: Graph, node) -> Request:
    path = str(g.value(node, HT.absolutePath))
    assert path.startswith("/sparql"), path  # the manifest's stand-in for the endpoint's path
    params = path.partition("?")[2]
    headers_list = g.value(node, HT.headers)
    headers = {str(g.value(h, HT.fieldName)): str(g.value(h, HT.fieldValue))
               for h in (Collection(g, headers_list) if headers_list else [])}
    body_node = g.value(node, HT.body)
    text = None if body_node is None else str(g.value(body_node, CNT.chars))
    body = None if text is None else text.encode(str(g.value(body_node, CNT.characterEncoding)))
    resp = g.value(node, HT.resp)
    statuses = frozenset(re.fullmatch(r".*StatusCode(\d)xx", str(s)).group(1)
                         for s in g.objects(resp, MF.expectedStatus))
    fmt, boolean = g.value(resp, MF.expectedFormat), g.value(resp, MF.expectedBoolean)
    return Request(str(g.value(node, HT.methodName)), _operation(params, headers, text), params, headers, body,
                   Expected(statuses, None if fmt is None else str(fmt), None if boolean is None else boolean.toPython()))


def load_manifest(path: Path) -> tuple[list[Case], dict[str, Path]]:
    """The manifest's tests in its order, and the data they expect: graph IRI -> file."""
    g = Graph().parse(path, format="turtle")
    manifest = g.value(predicate=RDF.type, object=MF.Manifest)
    cases, data = [], {}
    for entry in Collection(g, g.value(manifest, MF.entries)):
        for graph_data in g.objects(entry, UT.graphData):
            iri = str(g.value(graph_data, RDFS.label))
            file = Path(urllib.request.url2pathname(urllib.parse.urlsplit(str(g.value(graph_data, UT.graph))).path))
            assert data.setdefault(iri, file) == file, f"{iri}: two files"
        action = g.value(entry, MF.action)
        requests = tuple(_request(g, r) for r in Collection(g, g.value(action, HT.requests)))
        cases.append(Case(str(entry).rpartition("#")[2], str(g.value(entry, MF.name)), requests))
    return cases, data


CASES, DATA = load_manifest(SUITE / "manifest.ttl")


# --- servers ---------------------------------------------------------------------------------

@dataclass
class Server:
    name: str  # "newsgraph" or "oxigraph"
    writable: bool
    host: str
    port: int
    proc: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # Ctrl-C: newsgraph stops its oxigraph, flushes a writable store
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def build_store(path: Path) -> Path:
    store = ox.Store(str(path))
    for iri, file in DATA.items():
        store.load(path=str(file), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri))
    store.flush()
    del store  # releases the RocksDB lock for the server
    return path


def start_newsgraph(store: Path, writable: bool) -> Server:
    argv = [str(Path(sys.executable).with_name("newsgraph")), "serve", "--store", str(store), "--port", "0"]
    log = store.with_name(store.name + ".log")
    with log.open("wb") as err:  # a file: a pipe nobody reads would fill up and block the server
        proc = subprocess.Popen([*argv, *(["--writable"] if writable else [])], stdout=subprocess.PIPE, stderr=err)
    watchdog = threading.Timer(START_S, proc.kill)
    watchdog.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # the banner, printed once the endpoint answers
            if found := re.search(rb"(http://\S+/)query\s*$", line):
                url = urllib.parse.urlsplit(found.group(1).decode())
                return Server("newsgraph", writable, url.hostname or "", url.port or 80, proc)
    finally:
        watchdog.cancel()
    proc.kill()
    proc.wait()
    raise AssertionError(f"newsgraph serve did not start: {log.read_text(errors='replace')}")


def oxigraph_argv(pid: int) -> list[str]:
    """The command line of the oxigraph server that process `pid` started (a child, or further down)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            pass  # a process that just ended
    family, found = {pid}, True
    while found:
        found = {child for child, parent in parents.items() if parent in family} - family
        family |= found
    for member in sorted(family - {pid}):
        argv = Path(f"/proc/{member}/cmdline").read_bytes().decode().split("\0")[:-1]
        if argv and Path(argv[0]).name == "oxigraph":
            return argv
    raise AssertionError(f"no oxigraph process under newsgraph serve (pid {pid})")


def start_bare(like: list[str], store: Path, writable: bool) -> Server:
    """`oxigraph serve` with the same subcommand and flags as `like`, on another store and port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    argv = list(like)
    for flag, value in (("--location", str(store)), ("--bind", f"127.0.0.1:{port}")):
        argv[argv.index(flag) + 1] = value
    log = store.with_name(store.name + ".log")
    with log.open("wb") as err:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + START_S
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Server("oxigraph", writable, "127.0.0.1", port, proc)
        except OSError:
            time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise AssertionError(f"{' '.join(argv)} did not start: {log.read_text(errors='replace')}")


def _servers(tmp: Path, writable: bool) -> Iterator[dict[str, Server]]:
    started: list[Server] = []
    try:
        newsgraph = start_newsgraph(build_store(tmp / "newsgraph-store"), writable)
        started.append(newsgraph)
        started.append(start_bare(oxigraph_argv(newsgraph.proc.pid), build_store(tmp / "oxigraph-store"), writable))
        yield {s.name: s for s in started}
    finally:
        for server in reversed(started):
            server.stop()


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    yield from _servers(tmp_path_factory.mktemp("protocol-read-only"), writable=False)


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    yield from _servers(tmp_path_factory.mktemp("protocol-writable"), writable=True)


# --- running a test --------------------------------------------------------------------------

def send(server: Server, request: Request) -> tuple[int, str, bytes]:
    """One request on a new connection, exactly as the manifest gives it (no headers added but Host)."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        target = f"/{request.operation}" + (f"?{request.params}" if request.params else "")
        conn.request(request.method, target, body=request.body, headers=request.headers)
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type") or "", resp.read()
    finally:
        conn.close()


def check(expected: Expected, status: int, content_type: str, body: bytes) -> str | None:
    """What is wrong with a response, or None: the status class, then the format and the ASK answer."""
    if str(status)[0] not in expected.statuses:
        wanted = " or ".join(f"{s}xx" for s in sorted(expected.statuses))
        return f"expected {wanted}, got {status}: {body[:160].decode(errors='replace').strip()!r}"
    if expected.format is None:
        return None
    media = content_type.split(";")[0].strip().lower()
    parsers = FORMATS[expected.format]
    if media not in parsers:
        return f"expected {expected.format} results ({', '.join(parsers)}), got Content-Type {content_type!r}"
    try:
        if expected.format == "RDF":
            Graph().parse(data=body, format=parsers[media])
            return None
        result = Result.parse(io.BytesIO(body), format=parsers[media])
    except Exception as exc:  # any parser's complaint: the body is not what its Content-Type says
        return f"the {media} body does not parse: {exc}"
    if result.type != ("ASK" if expected.format == "boolean" else "SELECT"):
        return f"expected {expected.format} results, got {result.type} results"
    if expected.boolean is not None and result.askAnswer != expected.boolean:
        return f"expected the answer {str(expected.boolean).lower()}, got {str(result.askAnswer).lower()}"
    return None


_outcomes: dict[tuple[str, str, bool], str | None] = {}


def outcome(case: Case, server: Server) -> str | None:
    """Why `case` fails on `server`, or None when it passes; each case runs once per server."""
    key = (case.name, server.name, server.writable)
    if key not in _outcomes:
        _outcomes[key] = _run(case, server)
    return _outcomes[key]


def _run(case: Case, server: Server) -> str | None:
    for n, request in enumerate(case.requests, 1):
        try:
            problem = check(request.expected, *send(server, request))
        except (OSError, http.client.HTTPException) as exc:  # a dropped connection is an answer too, a wrong one
            problem = f"no HTTP response: {exc!r}"
        if problem:
            return f"request {n}/{len(case.requests)} ({request}): {problem}"
    return None


def _params() -> list:
    return [pytest.param(case, name, id=f"{case.name}-{name}" + ("-writable" if case.writes else ""))
            for case in CASES for name in ("oxigraph", "newsgraph")]


@pytest.mark.parametrize(("case", "name"), _params())
def test_protocol(case: Case, name: str, request: pytest.FixtureRequest) -> None:
    servers = request.getfixturevalue("writable" if case.writes else "read_only")
    bare = outcome(case, servers["oxigraph"])
    if name == "oxigraph":
        if bare:
            pytest.xfail(f"Oxigraph fails {case.name}: {bare}")
        return
    failure = outcome(case, servers["newsgraph"])
    if failure and bare:
        pytest.xfail(f"fails on bare Oxigraph too: {bare}")
    assert failure is None, f"{case.title}: passes on bare Oxigraph, fails on newsgraph: {failure}"


# The suite's update tests, sent to the read-only servers: refused, and the data stays.
REFUSED = [(case, r) for case in CASES for r in case.requests if r.operation == "update" and "2" in r.expected.statuses]
LOADED = sum(1 for file in DATA.values() for line in file.read_text().splitlines() if line.strip())
COUNT = Request("POST", "query", "", {"Content-Type": "application/sparql-query",
                                      "Accept": "application/sparql-results+json"},
                b"SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", Expected(frozenset("2"), "tabular", None))


def quads(server: Server) -> int:
    status, content_type, body = send(server, COUNT)
    assert check(COUNT.expected, status, content_type, body) is None, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("name", ["oxigraph", "newsgraph"])
@pytest.mark.parametrize(("case", "update"), [pytest.param(c, r, id=c.name) for c, r in REFUSED])
def test_update_refused_when_read_only(case: Case, update: Request, name: str,
                                       read_only: dict[str, Server]) -> None:
    server = read_only[name]
    status, _, body = send(server, update)
    assert 400 <= status < 500, f"{update}: {status} {body[:160]!r}"
    assert quads(server) == LOADED
