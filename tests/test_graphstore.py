"""EndpointTarget over real HTTP: a real `oxigraph serve`, and a small recording server for credentials."""
from __future__ import annotations

import base64
import json
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from etl.serve.graphstore import EndpointTarget, query_url_for, target_spec
from etl.load import StoreError, StoreTarget, graph_iri
from etl.serve.server import _private_port, oxigraph_binary

NT = b'<https://w3id.org/newsgraph/id/p1> <https://w3id.org/newsgraph/ontology#name> "Alice" .\n'
NT2 = b'<https://w3id.org/newsgraph/id/p2> <https://w3id.org/newsgraph/ontology#name> "Bob" .\n'
SECRET = "s3cr3t-Pa55"


@pytest.fixture(scope="module")
def oxigraph_url() -> Iterator[str]:
    """A bare, in-memory, writable `oxigraph serve` standing in for any GSP endpoint."""
    port = _private_port()
    proc = subprocess.Popen([oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}"], stderr=subprocess.DEVNULL)
    for _ in range(200):  # bounded: 10 s
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/store"
    proc.terminate()
    proc.wait(10)


class Recorder(BaseHTTPRequestHandler):
    """Answers every request with the status in ?status= (default 204) and remembers what it got."""

    seen: list[tuple[str, str, dict[str, str], bytes]] = []

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Recorder.seen.append((self.command, self.path, dict(self.headers.items()), body))
        status = int(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("status", ["204"])[0])
        self.send_response(status)
        if status in (301, 302, 307, 308):
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        message = b"denied" if status >= 400 else b""
        self.send_header("Content-Length", str(len(message)))
        self.end_headers()
        self.wfile.write(message)

    do_PUT = do_DELETE = do_POST = do_GET = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Recorder.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}/ds/data"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEWSGRAPH_ENDPOINT_USER", "NEWSGRAPH_ENDPOINT_PASSWORD", "NEWSGRAPH_ENDPOINT_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_replace_remove_and_list_graphs(oxigraph_url: str) -> None:
    target = EndpointTarget(oxigraph_url)
    g = graph_iri("endpoint-a")
    target.replace_graph(g, NT)
    target.replace_graph(g, NT2)  # PUT replaces: Alice goes
    assert g in target.graph_names()
    with urllib.request.urlopen(f"{oxigraph_url}?{urllib.parse.urlencode({'graph': g})}") as r:
        assert r.read().strip() == NT2.strip()
    target.remove_graph(g)
    target.remove_graph(g)  # already gone: not an error
    assert g not in target.graph_names()
    target.close()


def test_versions(oxigraph_url: str) -> None:
    target = EndpointTarget(oxigraph_url)
    g = graph_iri("endpoint-v")
    article = "<https://w3id.org/newsgraph/id/article/v>"
    ng = "https://w3id.org/newsgraph/ontology#"
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    target.replace_graph(g, (f"{article} {rdf_type} <{ng}Article> .\n{article} <{ng}contentHash> \"abc\" .\n"
                             f"{article} <{ng}pipelineStamp> \"s1\" .\n").encode())
    assert target.versions()[g] == ("abc", "s1")
    target.remove_graph(g)


def test_query_url_of_known_servers() -> None:
    assert query_url_for("http://h:7878/store") == "http://h:7878/query"
    assert query_url_for("http://h:3030/ds/data") == "http://h:3030/ds/query"
    assert query_url_for("http://h:7200/repositories/news/rdf-graphs/service") == "http://h:7200/repositories/news"


def test_basic_auth_from_the_environment(recorder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSGRAPH_ENDPOINT_USER", "etl")
    monkeypatch.setenv("NEWSGRAPH_ENDPOINT_PASSWORD", SECRET)
    EndpointTarget(recorder).replace_graph(graph_iri("a"), NT)
    method, path, headers, body = Recorder.seen[-1]
    assert method == "PUT" and body == NT and headers["Content-Type"] == "application/n-triples"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["graph"] == [graph_iri("a")]
    assert headers["Authorization"] == "Basic " + base64.b64encode(f"etl:{SECRET}".encode()).decode()


def test_bearer_token_from_the_environment(recorder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSGRAPH_ENDPOINT_TOKEN", SECRET)
    EndpointTarget(recorder).remove_graph(graph_iri("a"))
    assert Recorder.seen[-1][0] == "DELETE" and Recorder.seen[-1][2]["Authorization"] == f"Bearer {SECRET}"


def test_refusal_is_one_line_without_the_secret(recorder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSGRAPH_ENDPOINT_TOKEN", SECRET)
    with pytest.raises(StoreError) as caught:
        EndpointTarget(recorder + "?status=401").replace_graph(graph_iri("a"), NT)
    message = str(caught.value)
    assert "HTTP 401" in message and "NEWSGRAPH_ENDPOINT_TOKEN" in message and "denied" in message
    assert SECRET not in message and "\n" not in message


def test_credentials_in_the_url_become_basic_auth(recorder: str) -> None:
    url = recorder.replace("http://", f"http://etl:{SECRET}@") + "?status=500"
    with pytest.raises(StoreError) as caught:
        EndpointTarget(url).replace_graph(graph_iri("a"), NT)
    assert "HTTP 500" in str(caught.value) and SECRET not in str(caught.value)
    assert Recorder.seen[-1][2]["Authorization"] == "Basic " + base64.b64encode(f"etl:{SECRET}".encode()).decode()


def test_redirects_are_not_followed(recorder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A redirect would take the Authorization header to another server."""
    monkeypatch.setenv("NEWSGRAPH_ENDPOINT_TOKEN", SECRET)
    with pytest.raises(StoreError, match="HTTP 307"):
        EndpointTarget(recorder + "?status=307").replace_graph(graph_iri("a"), NT)
    assert len(Recorder.seen) == 1


def test_half_or_double_credentials_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSGRAPH_ENDPOINT_USER", "etl")
    with pytest.raises(StoreError, match="set both"):
        EndpointTarget("http://127.0.0.1:1/store")
    monkeypatch.setenv("NEWSGRAPH_ENDPOINT_PASSWORD", SECRET)
    monkeypatch.setenv("NEWSGRAPH_ENDPOINT_TOKEN", SECRET)
    with pytest.raises(StoreError, match="not both"):
        EndpointTarget("http://127.0.0.1:1/store")


def test_unreachable_endpoint_is_one_line() -> None:
    port = _private_port()  # nothing listens there
    with pytest.raises(StoreError, match=f"cannot reach the endpoint http://127.0.0.1:{port}/store"):
        EndpointTarget(f"http://127.0.0.1:{port}/store").replace_graph(graph_iri("a"), NT)


def test_not_http_is_refused() -> None:
    with pytest.raises(StoreError, match="http:// or https://"):
        EndpointTarget("file:///etc/passwd")


def test_graph_names_needs_json_results(recorder: str) -> None:
    with pytest.raises(StoreError, match="did not answer a SPARQL query with JSON"):
        EndpointTarget(recorder).graph_names()
    method, path, _, body = Recorder.seen[-1]
    assert method == "POST" and path == "/ds/query" and b"GRAPH" in body


def test_target_spec_without_a_server(tmp_path: Path) -> None:
    store = tmp_path / "store"
    StoreTarget.open(store).close()
    assert target_spec(store) == ("store", str(store))
    assert target_spec(store, "http://example.org/ds/data") == ("endpoint", "http://example.org/ds/data")
    assert json.dumps(target_spec(store))  # plain data: it travels to Prefect tasks
