"""`newsgraph serve` under concurrent load, against misbehaving clients, and stopped under load.

All on 127.0.0.1, every wait bounded. The clients are bench/bench_load.py's. No timing
assertions except one the issue asks for: while a client misbehaves, a well-behaved one
keeps its p95 latency within 2x of the same server idle (idle measured before and after).
"""
from __future__ import annotations

import json
import signal
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_serve import NG, make_store, pid_gone, port_of, serve

from bench.bench_load import KINDS, Client, request_bytes, run_clients
from etl.load import open_store
from etl.serve.proxy import MAX_BODY, Proxy
from etl.serve.server import _start_oxigraph, _wait_ready
from etl.store import state_path

POINT = f"SELECT ?name WHERE {{ <https://w3id.org/newsgraph/id/person-1a> <{NG}name> ?name }}"
IDLE_S = 3.0  # the proxy's patience with silent or slow clients, in these tests
WAIT_S = 15.0  # no socket of a test waits longer than this for anything


def threads_of(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


# --- 16 concurrent clients of each kind ----------------------------------------------------------

def test_sixteen_concurrent_clients_of_each_kind_see_no_failure(tmp_path: Path) -> None:
    """HTTP/1.1 keep-alive, HTTP/1.0 keep-alive and a new connection per request, 16 clients each
    at once, 60 requests per client: every answer a whole 200 with the right rows. The proxy's
    threads stay few (it once started a thread per connection and kept it for a minute)."""
    s = serve(make_store(tmp_path / "store"), timeout_s=30)
    try:
        port = port_of(s.info)
        for kind in KINDS:
            run = run_clients(port, request_bytes(POINT, kind), kind, 16, requests=60, check=b"Person 1A")
            assert run.requests == 16 * 60 and run.failures == 0, (kind, run.errors)
            assert threads_of(s.proc.pid) < 30, kind
        # and nothing lingers: the next request right after the load is answered
        assert Client(port, request_bytes(POINT, "new connection"), "new connection").ask().count(b"Person 1A") == 1
    finally:
        assert s.stop() == 0


# --- misbehaving clients, each next to a well-behaved one ---------------------------------------

@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A Proxy with IDLE_S patience in front of real oxigraph; answers over 16 KiB stream."""
    store = make_store(tmp_path_factory.mktemp("misbehaving") / "store", articles=400)
    ox = _start_oxigraph(store, False, False)
    listener = socket.create_server(("127.0.0.1", 0))
    proxy = Proxy(listener, ("127.0.0.1", ox.port), 30, buffer_limit=16 * 1024, idle_s=IDLE_S)
    try:
        _wait_ready(ox, store, threading.Event())
        proxy.start()
        yield listener.getsockname()[1]
    finally:
        proxy.stop()
        ox.stop()


def p95_of_well_behaved(port: int, requests: int = 300) -> tuple[float, int, list[str]]:
    """One client, a new connection per request: (p95 latency in s, failures, some errors)."""
    run = run_clients(port, request_bytes(POINT, "new connection"), "new connection", 1, requests=requests,
                      check=b"Person 1A")
    return run.percentile(0.95), run.failures, run.errors


def next_to_well_behaved(port: int, misbehave: Callable[[], None]) -> None:
    """Run `misbehave` (which asserts what it gets) while a well-behaved client queries; that
    client must see no failure and a p95 within 2x of the idle server's (the larger of idle
    before and idle after, 300 requests each: the machine is shared, so its noise is bracketed)."""
    idle_before, failures, _ = p95_of_well_behaved(port)
    assert failures == 0
    errors: list[BaseException] = []

    def attacker() -> None:
        try:
            misbehave()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    thread = threading.Thread(target=attacker)
    thread.start()
    time.sleep(0.2)  # the misbehaviour is under way
    busy, failures, failed = p95_of_well_behaved(port)
    thread.join(60)
    assert not thread.is_alive(), "the misbehaving client was not dealt with in time"
    if errors:
        raise errors[0]
    assert failures == 0, failed
    idle_after, failures, _ = p95_of_well_behaved(port)
    assert failures == 0
    # 2 ms more for the noise of a shared 2-core machine, where the misbehaving client's own work
    # also takes CPU: what this is for is one client stalling the others (a blocked event loop,
    # no worker left, a full backlog), which costs seconds, not a millisecond.
    assert busy <= 2 * max(idle_before, idle_after) + 0.002, (busy, idle_before, idle_after)


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes (bounded by the socket's timeout per read)."""
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def test_hundred_silent_connections_are_closed(proxied: int) -> None:
    def misbehave() -> None:
        socks = [connect(proxied) for _ in range(100)]
        start = time.monotonic()
        try:
            for sock in socks:
                assert read_all(sock) == b""  # closed without a word: there was no request
            assert time.monotonic() - start < IDLE_S + 5
        finally:
            for sock in socks:
                sock.close()

    next_to_well_behaved(proxied, misbehave)


def test_head_sent_one_byte_per_second_gets_408(proxied: int) -> None:
    def misbehave() -> None:
        request = request_bytes(POINT, "keep-alive HTTP/1.1")
        with connect(proxied) as sock:
            start = time.monotonic()
            sent = 0
            sock.settimeout(1.0)
            answer = b""
            while not answer and time.monotonic() - start < IDLE_S + 5:
                try:
                    sock.sendall(request[sent:sent + 1])
                    sent += 1
                    answer = sock.recv(65536)  # waits up to a second: one byte per second
                except TimeoutError:
                    continue
                except OSError:
                    break
            sock.settimeout(WAIT_S)
            answer += read_all(sock)
            assert answer.startswith(b"HTTP/1.1 408 "), answer[:100]
            assert sent < len(request)  # cut off before the head was whole
            assert time.monotonic() - start < IDLE_S + 5

    next_to_well_behaved(proxied, misbehave)


def test_fifty_megabyte_post_gets_413(proxied: int) -> None:
    def misbehave() -> None:
        body = b"query=" + b"x" * (50 * 1024 * 1024)
        assert len(body) > MAX_BODY
        with connect(proxied) as sock:
            start = time.monotonic()
            head = (b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(body))
            try:
                sock.sendall(head + body)
            except OSError:
                pass  # refused while it was still sending: the answer is waiting
            answer = read_all(sock)
            assert answer.startswith(b"HTTP/1.1 413 "), answer[:100]
            assert time.monotonic() - start < 10

    next_to_well_behaved(proxied, misbehave)


def test_one_megabyte_request_line_gets_414(proxied: int) -> None:
    def misbehave() -> None:
        with connect(proxied) as sock:
            start = time.monotonic()
            try:
                sock.sendall(b"GET /query?query=" + b"A" * 1024 * 1024 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            except OSError:
                pass
            answer = read_all(sock)
            assert answer.startswith(b"HTTP/1.1 414 "), answer[:100]
            assert time.monotonic() - start < 10

    next_to_well_behaved(proxied, misbehave)


def test_http10_without_keep_alive_is_answered_and_closed(proxied: int) -> None:
    def misbehave() -> None:
        for _ in range(50):
            with connect(proxied) as sock:
                sock.sendall(f"GET /query?{urllib.parse.urlencode({'query': POINT})} HTTP/1.0\r\n"
                             "Host: 127.0.0.1\r\nAccept: application/sparql-results+json\r\n\r\n".encode())
                answer = read_all(sock)  # the server closes after it
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200 ") and b"Connection: close" in head
            assert b"chunked" not in head.lower()  # HTTP/1.0 knows no chunks
            assert json.loads(body)["results"]["bindings"][0]["name"]["value"] == "Person 1A"

    next_to_well_behaved(proxied, misbehave)


def test_expect_100_continue(proxied: int) -> None:
    def misbehave() -> None:
        body = urllib.parse.urlencode({"query": POINT}).encode()
        with connect(proxied) as sock:
            f = sock.makefile("rb")
            sock.sendall(b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/csv\r\nExpect: 100-continue\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n" % len(body))
            assert f.readline() == b"HTTP/1.1 100 Continue\r\n" and f.readline() == b"\r\n"
            sock.sendall(body)
            assert f.readline().startswith(b"HTTP/1.1 200 ")
        # Too large: refused before the body is sent, with no 100 Continue.
        with connect(proxied) as sock:
            sock.sendall(b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                         b"Content-Type: application/sparql-query\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY + 1))
            assert read_all(sock).startswith(b"HTTP/1.1 413 ")

    next_to_well_behaved(proxied, misbehave)


def test_clients_that_leave_mid_response(proxied: int) -> None:
    """Clients that close after the first bytes of a streamed answer, or right after asking."""
    names = f"SELECT ?s ?name WHERE {{ ?s <{NG}name> ?name }}"
    export = (f"GET /query?{urllib.parse.urlencode({'query': names})} HTTP/1.1\r\n"
              "Host: 127.0.0.1\r\nAccept: text/csv\r\n\r\n").encode()

    def misbehave() -> None:
        for _ in range(20):
            with connect(proxied) as sock:
                sock.sendall(export)
                assert sock.recv(1024).startswith(b"HTTP/1.1 200 ")
        for _ in range(20):
            with connect(proxied) as sock:
                sock.sendall(request_bytes(POINT, "keep-alive HTTP/1.1"))
        # the export still arrives whole for a client that stays
        with connect(proxied) as sock:
            sock.sendall(export.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
            answer = read_all(sock)
        assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"\r\n0\r\n\r\n")
        assert answer.count(b"\r\nhttps://w3id.org/newsgraph/id/person-") == 800

    next_to_well_behaved(proxied, misbehave)


# --- stopping under load ------------------------------------------------------------------------

def test_sigterm_under_load_ends_every_request_and_leaves_nothing_behind(tmp_path: Path) -> None:
    s = serve(make_store(tmp_path / "store"), timeout_s=30)
    port = port_of(s.info)
    outcomes: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + 30  # bounded even if the server never stopped

    def client(kind: str) -> None:
        me = Client(port, request_bytes(POINT, kind), kind)
        while time.monotonic() < stop_at:
            try:
                me.ask()
                outcome = "answered"
            except TimeoutError:
                outcome = "hung"  # the client's own 60 s limit: the server neither answered nor closed
            except OSError as exc:
                if isinstance(exc, ConnectionRefusedError):
                    break  # the port is closed: the server has gone
                outcome = "error"
            except Exception:
                outcome = "error"  # a 503, a closed connection: an answer, not a hang
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=client, args=(KINDS[i % 3],)) for i in range(16)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    answered_before = outcomes.count("answered")
    start = time.monotonic()
    s.proc.send_signal(signal.SIGTERM)
    assert s.proc.wait(30) == 0
    stopped_in = time.monotonic() - start
    for t in threads:
        t.join(WAIT_S)
    assert not any(t.is_alive() for t in threads), "a client still waits for an answer"
    assert answered_before > 16 and "hung" not in outcomes
    assert stopped_in < 15
    assert pid_gone(s.info.oxigraph_pid)
    assert not state_path(s.store).exists()
    store = open_store(s.store)  # opens clean: nothing holds it
    assert len(list(store.named_graphs())) == 3
