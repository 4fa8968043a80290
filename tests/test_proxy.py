"""etl.serve.proxy's HTTP handling, over raw sockets, in front of the real oxigraph server.

tests/test_serve.py covers `newsgraph serve` as clients use it; these send what
http.client never would (heads in pieces, bare LF, pipelining, bad framing) and
check the bytes that come back.
"""
from __future__ import annotations

import io
import itertools
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from etl.load import StoreTarget, graph_iri
from etl.serve.proxy import CHUNK, Proxy
from etl.serve.server import _Oxigraph, _start_oxigraph, _wait_ready

NG = "https://w3id.org/newsgraph/ontology#"
ID = "https://w3id.org/newsgraph/id/"
TIMEOUT_S = 2  # the proxy's query time limit
NAMES = "SELECT ?name WHERE { ?p <" + NG + "name> ?name }"


def article_nt(n: int) -> bytes:
    a, b = f"<{ID}person-{n}a>", f"<{ID}person-{n}b>"
    return (f'{a} <{NG}name> "Person {n}A" .\n{b} <{NG}name> "Person {n}B" .\n'
            f"<{ID}meeting-{n}> <{NG}participant> {a} .\n<{ID}meeting-{n}> <{NG}participant> {b} .\n").encode()


@pytest.fixture(scope="module")
def oxigraph_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """Real oxigraph on a store whose full export is several times CHUNK (~1 KiB chunks)."""
    store = tmp_path_factory.mktemp("proxy") / "store"
    target = StoreTarget.open(store)
    for n in range(600):
        target.replace_graph(graph_iri(f"art{n}"), article_nt(n))
    target.close()
    ox = _start_oxigraph(store, False, False)
    try:
        _wait_ready(ox, store, threading.Event())
        yield ox.port
    finally:
        ox.stop()


@contextmanager
def proxy(upstream_port: int, buffer_limit: int | None = None) -> Iterator[int]:
    listener = socket.create_server(("127.0.0.1", 0))
    extra = {} if buffer_limit is None else {"buffer_limit": buffer_limit}
    p = Proxy(listener, ("127.0.0.1", upstream_port), TIMEOUT_S, **extra)
    p.start()
    try:
        yield listener.getsockname()[1]
    finally:
        p.stop()


@pytest.fixture
def proxy_port(oxigraph_port: int) -> Iterator[int]:
    with proxy(oxigraph_port) as port:
        yield port


def connect(port: int) -> tuple[socket.socket, io.BufferedReader]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock, sock.makefile("rb")


def read_response(f: io.BufferedReader) -> tuple[int, dict[str, str], bytes]:
    """One response, framed by Content-Length or chunked, read from `f` and no further."""
    status = int(f.readline().split()[1])
    headers: dict[str, str] = {}
    while (line := f.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while size := int(f.readline().split(b";")[0], 16):
            body += f.read(size)
            assert f.readline() == b"\r\n"
        assert f.readline() == b"\r\n"
        return status, headers, body
    return status, headers, f.read(int(headers.get("content-length", "0")))


def query_request(sparql: str, *, version: str = "1.1", line_end: str = "\r\n") -> bytes:
    target = "/query?" + urllib.parse.urlencode({"query": sparql})
    lines = [f"GET {target} HTTP/{version}", "Host: localhost", "Accept: application/sparql-results+json", "", ""]
    return line_end.join(lines).encode()


def names(body: bytes) -> list[str]:
    return sorted(row["name"]["value"] for row in json.loads(body)["results"]["bindings"])


def test_requests_in_pieces(proxy_port: int) -> None:
    """Requests that arrive in several TCP segments, split inside lines and inside the CRLFs."""
    body = urllib.parse.urlencode({"query": NAMES}).encode()
    request = (b"POST /query HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               b"Accept: application/sparql-results+json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    end = request.index(b"\r\n\r\n")
    cuts = (0, 8, 48, end + 1, end + 3, len(request) - 10, len(request))  # two inside the empty line
    sock, f = connect(proxy_port)
    with sock:
        for whole_first in (False, True):  # first on a new connection, then after a request that came whole
            if whole_first:
                sock.sendall(query_request(NAMES))
                status, _, answer = read_response(f)
                assert status == 200 and len(names(answer)) == 1200
            for a, b in itertools.pairwise(cuts):
                sock.sendall(request[a:b])
                time.sleep(0.05)  # each piece its own segment, read by its own recv()
            status, _, answer = read_response(f)
            assert status == 200 and len(names(answer)) == 1200


def test_pipelined_requests_are_answered_in_order(proxy_port: int) -> None:
    first = f"SELECT ?name WHERE {{ <{ID}person-1a> <{NG}name> ?name }}"
    second = f"SELECT ?name WHERE {{ <{ID}person-2b> <{NG}name> ?name }}"
    sock, f = connect(proxy_port)
    with sock:
        # The page is no query: the connection to oxigraph the queries used loses their deadline.
        sock.sendall(query_request(first) + query_request(second) + b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert names(read_response(f)[2]) == ["Person 1A"]
        assert names(read_response(f)[2]) == ["Person 2B"]
        status, headers, page = read_response(f)
        assert status == 200 and headers["content-type"].startswith("text/html") and b"Yasgui" in page


def test_blank_lines_and_bare_lf_line_ends(proxy_port: int) -> None:
    """RFC 9112 §2.2: blank lines before a request, and LF alone as a line end, are tolerated."""
    sock, f = connect(proxy_port)
    with sock:
        sock.sendall(b"\r\n\r\n" + query_request(f"SELECT ?name WHERE {{ <{ID}person-3a> <{NG}name> ?name }}",
                                                 line_end="\n"))
        status, headers, body = read_response(f)
        assert status == 200 and names(body) == ["Person 3A"]
        assert headers["content-length"] == str(len(body))


def test_hop_by_hop_headers_are_dropped_and_connection_close_honoured(proxy_port: int) -> None:
    sock, f = connect(proxy_port)
    with sock:
        # "Connection : close", with a space: a header all the same (the proxy strips names).
        sock.sendall(query_request("ASK {}").replace(b"Host:", b"Connection : close\r\nKeep-Alive: 5\r\nHost:"))
        status, headers, body = read_response(f)
        assert status == 200 and json.loads(body)["boolean"] is True
        assert "transfer-encoding" not in headers and headers["content-length"] == str(len(body))
        assert f.read() == b""  # closed after the answer, as asked


def test_chunked_request_body_with_expect_100_continue(proxy_port: int) -> None:
    body = urllib.parse.urlencode({"query": f"SELECT ?name WHERE {{ <{ID}person-4b> <{NG}name> ?name }}"}).encode()
    sock, f = connect(proxy_port)
    with sock:
        sock.sendall(b"POST /query HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Accept: application/sparql-results+json\r\nTransfer-Encoding: chunked\r\n"
                     b"Expect: 100-continue\r\n\r\n")
        assert f.readline() == b"HTTP/1.1 100 Continue\r\n" and f.readline() == b"\r\n"
        sock.sendall(b"%x;ext=1\r\n%s\r\n" % (10, body[:10]))
        time.sleep(0.05)
        sock.sendall(b"%x\r\n%s\r\n0\r\nX-Trailer: dropped\r\n\r\n" % (len(body) - 10, body[10:]))
        status, _, answer = read_response(f)
        assert status == 200 and names(answer) == ["Person 4B"]


def test_http10_client_gets_connection_close(proxy_port: int) -> None:
    sock, f = connect(proxy_port)
    with sock:
        sock.sendall(query_request("ASK {}", version="1.0"))
        status, headers, body = read_response(f)
        assert status == 200 and json.loads(body)["boolean"] is True
        assert headers["connection"] == "close" and f.read() == b""


def head_lines(port: int, request: bytes, then: bytes = b"") -> list[bytes]:
    """The header lines of the first answer to `request`, which must be a HEAD; with `then`
    sent right after it, also the next answer's status line."""
    sock, f = connect(port)
    with sock:
        sock.sendall(request + then)
        lines = []
        while (line := f.readline()) != b"\r\n":
            lines.append(line)
        return lines + [f.readline()] if then else lines  # no body came between the two answers


def test_head_keeps_oxigraph_s_length_and_sends_no_body(oxigraph_port: int, proxy_port: int) -> None:
    request = b"HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n"
    # Bare oxigraph does not answer a request sent right behind a HEAD before its 60 s read timeout.
    bare, proxied = head_lines(oxigraph_port, request), head_lines(proxy_port, request, query_request("ASK {}"))
    assert bare[0] == proxied[0] == b"HTTP/1.1 200 OK\r\n" and proxied[-1] == b"HTTP/1.1 200 OK\r\n"
    length = next(line for line in bare if line.lower().startswith(b"content-length:")).split(b":")[1].strip()
    assert b"Content-Length: %s\r\n" % length in proxied


@pytest.mark.parametrize("request_", [
    b"GET / HTTP/1.1\r\nHost localhost\r\n\r\n",  # a header line without a colon
    b"POST /query HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n",
    b"POST /query HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1x\r\n\r\n",
    b"POST /query HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
], ids=["no colon", "negative length", "bad length", "bad chunk size"])
def test_malformed_requests_get_400_and_close(proxy_port: int, request_: bytes) -> None:
    sock, f = connect(proxy_port)
    with sock:
        sock.sendall(request_)
        status, headers, _ = read_response(f)
        assert status == 400 and headers["connection"] == "close"
        assert f.read() == b""


@pytest.mark.parametrize("sparql,buffer_limit,streamed", [
    ("CONSTRUCT WHERE { ?s ?p ?o }", 64 * 1024 * 1024, False),
    ("CONSTRUCT WHERE { ?s ?p ?o }", 4096, True),
    ("CONSTRUCT WHERE { ?s <" + NG + "name> ?o } LIMIT 100", 4096, True),  # mostly whole in one recv(), yet over the limit
], ids=["buffered", "streamed", "small streamed"])
def test_large_response_arrives_whole(oxigraph_port: int, sparql: str, buffer_limit: int, streamed: bool) -> None:
    """Oxigraph's ~1 KiB chunks straddle the proxy's recv() calls; the payload must come through intact."""
    request = (f"GET /query?{urllib.parse.urlencode({'query': sparql})} HTTP/1.1\r\nHost: localhost\r\n"
               "Accept: application/n-triples\r\n\r\n").encode()
    sock, f = connect(oxigraph_port)
    with sock:
        sock.sendall(request)
        status, _, bare = read_response(f)
    assert status == 200 and len(bare) > (3 * CHUNK if buffer_limit > CHUNK else buffer_limit)
    with proxy(oxigraph_port, buffer_limit) as port:
        sock, f = connect(port)
        with sock:
            for _ in range(2):  # and the kept-alive connections behind it stay usable
                sock.sendall(request)
                status, headers, body = read_response(f)
                assert status == 200 and body == bare
                assert ("transfer-encoding" in headers) == streamed


def test_connections_oxigraph_dropped_are_not_answered_502(tmp_path: Path) -> None:
    """Kept-alive connections to an oxigraph that has gone (restarted here; oxigraph also drops
    one idle for 60 s) fail on reuse: the request is sent again on a new connection."""
    store = tmp_path / "store"
    target = StoreTarget.open(store)
    target.replace_graph(graph_iri("art0"), article_nt(0))
    target.close()
    first = _start_oxigraph(store, False, False)
    _wait_ready(first, store, threading.Event())
    with proxy(first.port) as port:
        socks = [connect(port) for _ in range(4)]
        for sock, _ in socks:  # four requests at once: four kept-alive connections to oxigraph
            sock.sendall(query_request("ASK {}"))
        assert [read_response(f)[0] for _, f in socks] == [200] * 4
        first.stop()
        second = _start_oxigraph_on(store, first.port)
        try:
            for sock, f in socks:
                sock.sendall(query_request(NAMES))
                status, _, body = read_response(f)
                assert status == 200 and names(body) == ["Person 0A", "Person 0B"], body
        finally:
            for sock, _ in socks:
                sock.close()
            second.stop()


def _start_oxigraph_on(store: Path, port: int) -> _Oxigraph:
    """_start_oxigraph again on the port an oxigraph that stopped used."""
    import etl.serve.server as server

    original = server._private_port
    server._private_port = lambda: port
    try:
        ox = _start_oxigraph(store, False, False)
    finally:
        server._private_port = original
    _wait_ready(ox, store, threading.Event())
    return ox


def test_oxigraph_not_answering_is_502() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        with proxy(unused.getsockname()[1]) as port:
            sock, f = connect(port)
            with sock:
                sock.sendall(query_request("ASK {}"))
                status, _, body = read_response(f)
    assert status == 502 and b"not answering" in body
