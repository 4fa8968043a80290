"""A thin reverse proxy in front of `oxigraph serve` that makes timeouts visible.

Oxigraph 0.5.13 streams results: when `--timeout-s` cancels a query it has
already sent `200 OK`, so it appends "The SPARQL operation has been cancelled"
to the body and ends the response normally; a client cannot tell that from a
short success. The proxy forwards every request unchanged and holds each
response back until it is complete; a cut-off response becomes `503` with a
clear message. A response larger than BUFFER_LIMIT is streamed instead, holding
back only its tail; if that one is cut off, the connection is dropped before the
final chunk, which HTTP clients report as an error (curl: exit 18; Python:
IncompleteRead; browsers: a network error). The proxy also ends a query response
itself at timeout + GRACE_S, since oxigraph does not always stop in time.

It speaks just enough HTTP/1.1 to find message boundaries (Content-Length or
chunked) and forwards everything else byte for byte: the endpoint is still
oxigraph. Raw sockets rather than http.server keep its added latency small.
"""
from __future__ import annotations

import queue
import socket
import threading
import time
from collections.abc import Iterator
from typing import BinaryIO

CANCELLED = b"The SPARQL operation has been cancelled"
"""What oxigraph 0.5.13 appends to a response whose query hit --timeout-s (measured)."""

BUFFER_LIMIT = 256 * 1024  # larger responses stream: little added latency, little memory per request
CHUNK = 64 * 1024
GRACE_S = 5  # how long past --timeout-s the proxy waits for oxigraph to cancel a silent query
IDLE_S = 120  # a kept-alive client connection that sends nothing this long is closed
WORKER_IDLE_S = 60  # a worker thread with no connection this long ends
MAX_LINE = 64 * 1024
MAX_HEADERS = 200

# Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, not to the message;
# Content-Length is recomputed and Expect is answered here.
_HOP = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"transfer-encoding",
     b"upgrade", b"content-length", b"expect"}
)


class BadMessage(Exception):
    """A peer sent something that is not HTTP/1.1 framing we can follow."""


class _Message:
    """A request or response head: its first line, its end-to-end header lines, and the framing headers."""

    def __init__(self, rfile: BinaryIO) -> None:
        line = rfile.readline(MAX_LINE)
        while line in (b"\r\n", b"\n"):  # tolerate blank lines between messages (RFC 9112 §2.2)
            line = rfile.readline(MAX_LINE)
        if not line:
            raise EOFError
        self.start = line.rstrip(b"\r\n")
        self.lines: list[bytes] = []
        self.length: int | None = None
        self.chunked = False
        self.close = False
        self.expect_continue = False
        for _ in range(MAX_HEADERS):
            line = rfile.readline(MAX_LINE)
            if line in (b"\r\n", b"\n", b""):
                return
            name, colon, value = line.partition(b":")
            if not colon:
                raise BadMessage("a header line without a colon")
            key = name.strip().lower()
            value = value.strip()
            if key == b"content-length":
                self.length = int(value)
            elif key == b"transfer-encoding":
                self.chunked = value.lower().endswith(b"chunked")
            elif key == b"connection":
                self.close = b"close" in value.lower()
            elif key == b"expect":
                self.expect_continue = value.lower() == b"100-continue"
            if key not in _HOP:
                self.lines.append(line if line.endswith(b"\r\n") else line.rstrip(b"\n") + b"\r\n")
        raise BadMessage("too many header lines")


def _read_chunks(rfile: BinaryIO) -> Iterator[bytes]:
    """Yield the payload of a chunked body (RFC 9112 §7.1), skipping extensions and trailers."""
    while True:
        line = rfile.readline(MAX_LINE)
        if not line:
            raise BadMessage("connection closed inside a chunked body")
        size = int(line.split(b";")[0], 16)
        if size == 0:
            while rfile.readline(MAX_LINE) not in (b"\r\n", b"\n", b""):
                pass
            return
        data = rfile.read(size)
        if len(data) < size:
            raise BadMessage("connection closed inside a chunk")
        rfile.readline(MAX_LINE)
        yield data


def _read_exact(rfile: BinaryIO, length: int) -> Iterator[bytes]:
    while length > 0:
        data = rfile.read1(min(length, CHUNK))
        if not data:
            raise BadMessage("connection closed inside a body")
        length -= len(data)
        yield data


def _body(rfile: BinaryIO, head: _Message, *, until_close: bool) -> Iterator[bytes]:
    if head.chunked:
        return _read_chunks(rfile)
    if head.length is not None:
        return _read_exact(rfile, head.length)
    return iter(lambda: rfile.read1(CHUNK), b"") if until_close else iter(())


class _Upstream:
    """One kept-alive connection to oxigraph."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.sock = socket.create_connection(address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = self.sock.makefile("rb", buffering=CHUNK)

    def close(self) -> None:
        self.rfile.close()
        self.sock.close()

    def wait_until(self, deadline: float | None) -> None:
        """Let the next read block until `deadline` (monotonic), or forever when None."""
        if deadline is None:
            self.sock.settimeout(None)
            return
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self.sock.settimeout(left)

    def in_time(self, chunks: Iterator[bytes], deadline: float | None) -> Iterator[bytes]:
        """`chunks`, raising TimeoutError once `deadline` has passed."""
        if deadline is None:
            yield from chunks
            return
        reset_at = 0.0
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise TimeoutError
            if now >= reset_at:  # settimeout is a system call: not for every 1 KiB chunk
                self.sock.settimeout(deadline - now)
                reset_at = now + 0.5
            data = next(chunks, None)
            if data is None:
                return
            yield data


class Proxy:
    """Listens on the public address and relays each connection to oxigraph at `upstream`."""

    def __init__(self, listener: socket.socket, upstream: tuple[str, int], timeout_s: int,
                 buffer_limit: int = BUFFER_LIMIT) -> None:
        self.listener = listener
        self.upstream = upstream
        self.timeout_s = timeout_s
        self.buffer_limit = buffer_limit
        self._idle: list[_Upstream] = []
        self._idle_workers = 0
        self._queue: queue.SimpleQueue[socket.socket] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._stopping = False

    def serve_forever(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                if self._stopping:
                    return
                time.sleep(0.05)  # e.g. out of file descriptors: do not spin
                continue
            # Hand the connection to an idle worker: starting a thread per connection
            # was a third of the added latency for clients that connect per request.
            with self._lock:
                if self._idle_workers:
                    self._idle_workers -= 1
                    self._queue.put(conn)
                    continue
            threading.Thread(target=self._work, args=(conn,), daemon=True).start()

    def _work(self, conn: socket.socket) -> None:
        while True:
            self._serve_connection(conn)
            with self._lock:
                self._idle_workers += 1
            try:
                conn = self._queue.get(timeout=WORKER_IDLE_S)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():  # nothing was handed to us after all: retire
                        self._idle_workers -= 1
                        return
                    conn = self._queue.get_nowait()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="newsgraph-proxy", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stopping = True
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        with self._lock:
            for up in self._idle:
                up.close()
            self._idle.clear()

    def _take(self) -> tuple[_Upstream, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return _Upstream(self.upstream), False

    def _give_back(self, up: _Upstream) -> None:
        with self._lock:
            if not self._stopping:
                self._idle.append(up)
                return
        up.close()

    def _serve_connection(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.settimeout(IDLE_S)
        rfile = conn.makefile("rb", buffering=CHUNK)
        try:
            while self._exchange(conn, rfile):
                pass
        except (EOFError, OSError):
            pass
        except (BadMessage, ValueError):
            try:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
        finally:
            rfile.close()
            conn.close()

    def _exchange(self, conn: socket.socket, rfile: BinaryIO) -> bool:
        """Relay one request and its response; False when the client connection must close."""
        request = _Message(rfile)
        method, _, rest = request.start.partition(b" ")
        http10 = rest.endswith(b"HTTP/1.0")
        if request.expect_continue:
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = b"".join(_body(rfile, request, until_close=False))
        head = bytearray(request.start + b"\r\n")
        head += b"".join(request.lines)
        if body or request.length is not None or request.chunked:
            head += b"Content-Length: %d\r\n" % len(body)
        head += b"\r\n"
        # Oxigraph does not always honour its timeout: measured, a query that filters out
        # everything ran 23 s past a 1 s limit in silence, and a cross product streamed rows
        # for 150 s. Past timeout + GRACE_S a query response is ours to stop.
        is_query = rest.startswith(b"/query") and self.timeout_s > 0
        deadline = time.monotonic() + self.timeout_s + GRACE_S if is_query else None
        try:
            up, response = self._ask(bytes(head) + body, deadline)
        except TimeoutError:
            conn.sendall(self._timed_out())
            return not request.close and not http10
        except (OSError, EOFError, BadMessage, ValueError):
            conn.sendall(_plain(502, "Bad Gateway", "The SPARQL server behind newsgraph is not answering.\n"))
            return False
        keep = self._relay(conn, up, method, response, http10, deadline)
        return keep and not request.close and not http10

    def _ask(self, message: bytes, deadline: float | None) -> tuple[_Upstream, _Message]:
        for _ in range(2):
            up, reused = self._take()
            try:
                up.wait_until(deadline)
                up.sock.sendall(message)
                return up, _Message(up.rfile)
            except (EOFError, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection oxigraph closed while idle: retry once on a fresh one.
                up.close()
                if not reused:
                    raise
            except BaseException:
                up.close()
                raise
        raise EOFError

    def _relay(self, conn: socket.socket, up: _Upstream, method: bytes, response: _Message, http10: bool,
               deadline: float | None) -> bool:
        status = int(response.start.split(b" ", 2)[1])
        no_body = method == b"HEAD" or status in (204, 304) or 100 <= status < 200
        close_delimited = not no_body and not response.chunked and response.length is None
        chunks = iter(()) if no_body else up.in_time(_body(up.rfile, response, until_close=True), deadline)
        head = response.start + b"\r\n" + b"".join(response.lines)
        if http10:
            head += b"Connection: close\r\n"
        buffered = bytearray()
        try:
            for data in chunks:
                buffered += data
                if len(buffered) > self.buffer_limit and not http10:
                    return self._stream(conn, up, head, bytes(buffered), chunks)
        except TimeoutError:
            up.close()
            conn.sendall(self._timed_out())
            return True
        except (OSError, BadMessage, ValueError):
            up.close()
            conn.sendall(_plain(502, "Bad Gateway", "The SPARQL server behind newsgraph broke off its answer.\n"))
            return False
        if response.close or close_delimited:
            up.close()
        else:
            self._give_back(up)
        if buffered.endswith(CANCELLED):
            conn.sendall(self._timed_out())
            return True
        if no_body and response.length is not None:
            head += b"Content-Length: %d\r\n" % response.length  # HEAD keeps the GET's length
        elif not no_body:
            head += b"Content-Length: %d\r\n" % len(buffered)
        conn.sendall(head + b"\r\n" + buffered)
        return True

    def _stream(self, conn: socket.socket, up: _Upstream, head: bytes, first: bytes, chunks: Iterator[bytes]) -> bool:
        conn.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n")
        keep = len(CANCELLED)
        pending = bytearray(first)
        try:
            for data in chunks:
                pending += data
                if len(pending) >= CHUNK + keep:  # oxigraph's chunks are ~1 KiB: send fewer, bigger ones
                    conn.sendall(b"%x\r\n%s\r\n" % (len(pending) - keep, pending[:-keep]))
                    del pending[:-keep]
        except (OSError, BadMessage, ValueError):
            pending = CANCELLED  # broken off upstream or a stuck query: the client must not see an ending
        finally:
            up.close()  # not worth tracking whether a huge response left it reusable
        if pending.endswith(CANCELLED):
            # Too late for a status code: end without the last chunk, so the client sees a broken transfer.
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the client has gone already
            return False
        conn.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(pending), pending) if pending else b"0\r\n\r\n")
        return True

    def _timed_out(self) -> bytes:
        return _plain(
            503,
            "Query Timed Out",
            f"Query timed out: it ran longer than the server's limit of {self.timeout_s} s "
            "(`newsgraph serve --timeout-s`), so its results were cut off and are not returned.\n",
        )


def _plain(status: int, reason: str, message: str) -> bytes:
    body = message.encode()
    return b"HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s" % (
        status, reason.encode(), len(body), body)
