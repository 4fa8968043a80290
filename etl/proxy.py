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
What is left of that latency is system calls and Python run with cold caches
(the proxy sleeps between requests; measured, each step costs several times what
a warm loop shows), so the usual small request takes a short path: the bytes of
each peer sit in one buffer that heads and chunked framing are read from with
find(), slices and index arithmetic; each distinct set of header lines is parsed
once (a client repeats its own, oxigraph answers with a few heads); a request
with nothing to drop goes on as it came; and the timeouts are the kernel's
(SO_RCVTIMEO, SO_SNDTIMEO), since a Python socket timeout makes every recv() and
send() a poll() first. Anything unusual (bare LF line ends, chunk extensions,
heads or chunks split across reads) takes the general path, to the same result.
"""
from __future__ import annotations

import queue
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

_T = TypeVar("_T")

CANCELLED = b"The SPARQL operation has been cancelled"
"""What oxigraph 0.5.13 appends to a response whose query hit --timeout-s (measured)."""

BUFFER_LIMIT = 256 * 1024  # larger responses stream: little added latency, little memory per request
CHUNK = 64 * 1024
GRACE_S = 5  # how long past --timeout-s the proxy waits for oxigraph to cancel a silent query
TICK_S = 0.5  # a read from oxigraph may end this much past a query's deadline (fewer system calls)
IDLE_S = 120  # a client connection that sends nothing (or takes nothing) this long is closed
OXIGRAPH_IDLE_S = 60  # oxigraph's read timeout without --timeout-s (HTTP_TIMEOUT in its cli/src/main.rs)
WORKER_IDLE_S = 60  # a worker thread with no connection this long ends
MAX_LINE = 64 * 1024
MAX_HEADERS = 200
MAX_HEAD = 1024 * 1024  # a request or response head this long is not one oxigraph would send or take

# Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, not to the message;
# Content-Length is recomputed and Expect is answered here.
_HOP = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"transfer-encoding",
     b"upgrade", b"content-length", b"expect"}
)
REPORT_PATHS = (b"/report ", b"/report?")  # the request target, as the request line has it
SEEN_MAX = 256  # distinct heads kept parsed; then they are forgotten and parsed again
SEEN_KEY_MAX = 4096  # longer header lines are parsed each time

# Python's own socket timeouts make each recv() and send() a poll() first; the kernel's
# do not (a blocking recv() fails with EAGAIN instead). Linux and the BSDs take a timeval.
_KERNEL_TIMEOUTS = sys.platform.startswith(("linux", "darwin", "freebsd"))
# Linux copies a listening socket's options to the connections it accepts.
_INHERITED = sys.platform.startswith("linux")


def _set_timeouts(sock: socket.socket, seconds: float | None) -> None:
    """Let a blocking recv() or send() on `sock` wait at most `seconds` (None: forever) for progress."""
    if not _KERNEL_TIMEOUTS:
        sock.settimeout(seconds)
        return
    microseconds = max(1, int(seconds * 1e6)) if seconds else 0  # a zero timeval: no timeout
    timeval = struct.pack("@ll", *divmod(microseconds, 1_000_000))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)


def _client_options(sock: socket.socket) -> None:
    """No Nagle delay, and the idle timeouts, for a client connection; on Linux set on the
    listening socket instead, which saves three system calls per connection."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    _set_timeouts(sock, IDLE_S)


class BadMessage(Exception):
    """A peer sent something that is not HTTP/1.1 framing we can follow."""


class _Reader:
    """A socket and the bytes received from it that are not consumed yet (`buf` from `pos` on)."""

    __slots__ = ("buf", "pos", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""
        self.pos = 0

    def fill(self) -> bool:
        """Receive more bytes; False when the peer has closed its side."""
        data = self.sock.recv(CHUNK)
        if not data:
            return False
        if self.pos < len(self.buf):
            self.buf = self.buf[self.pos:] + data  # a partial line or head: short, except for huge heads
        else:
            self.buf = data  # the common case, everything consumed: no copying
        self.pos = 0
        return True

    def head(self) -> bytes:
        """The next message head with CRLF line ends, through the empty line that ends it, consumed."""
        buf, pos = self.buf, self.pos
        if pos == len(buf):  # the usual case: nothing left over from the last message
            buf, pos = self.sock.recv(CHUNK), 0
            if not buf:
                raise EOFError
            self.buf, self.pos = buf, 0
        end = buf.find(b"\r\n\r\n", pos) + 4
        # The usual case: all here, no blank line before it, short, and no bare LF (nor too many lines) in it.
        if pos + 4 < end <= pos + MAX_LINE and buf[pos] != 13 and (
                buf.count(b"\r\n", pos, end) == buf.count(b"\n", pos, end) <= MAX_HEADERS + 1):
            self.pos = end
            return buf[pos:end]
        head = self._slow_head()
        if head.count(b"\n") > MAX_HEADERS + 1:  # counting the empty line
            raise BadMessage("too many header lines")
        if len(head) > MAX_LINE and max(map(len, head.split(b"\r\n"))) > MAX_LINE:
            raise BadMessage("a header line too long")
        return head

    def _slow_head(self) -> bytes:
        """head() for a head that is still arriving, follows blank lines, or has bare LF line ends."""
        searched = 0  # bytes after `pos` known not to hold the end of the head
        while True:
            buf = self.buf
            # Tolerate blank lines between messages (RFC 9112 §2.2).
            while buf.startswith((b"\r\n", b"\n"), self.pos):
                self.pos = buf.index(b"\n", self.pos) + 1
                searched = 0
            # The head ends with an empty line; bare LF line ends count too (RFC 9112 §2.2).
            start = self.pos + searched
            end = buf.find(b"\n\r\n", start)
            bare = buf.find(b"\n\n", start, end + 1 if end >= 0 else len(buf))
            if bare >= 0 or end >= 0:
                end = bare if bare >= 0 else end
                lines = [line[:-1] if line.endswith(b"\r") else line for line in buf[self.pos:end].split(b"\n")]
                self.pos = end + (2 if bare >= 0 else 3)
                return b"\r\n".join(lines) + b"\r\n\r\n"
            if len(buf) - self.pos > MAX_HEAD:
                raise BadMessage("a message head that does not end")
            searched = max(0, len(buf) - self.pos - 2)  # the end may straddle what comes next
            if not self.fill():
                raise EOFError

    def line(self) -> bytes:
        """The next line without its LF, consumed; what is left (maybe b"") at the end of the stream."""
        while (end := self.buf.find(b"\n", self.pos)) < 0:
            if len(self.buf) - self.pos > MAX_LINE:
                raise BadMessage("a line too long")
            if not self.fill():
                line, self.buf, self.pos = self.buf[self.pos:], b"", 0
                return line
        line, self.pos = self.buf[self.pos:end], end + 1
        return line


class _Message:
    """What the header lines after a head's first line say: the end-to-end ones as sent on (each
    ending in CRLF), and the framing and connection handling that the hop-by-hop ones give."""

    # Defaults kept by most messages (class attributes, so that they cost nothing per message).
    length: int | None = None
    chunked = False
    close = False
    expect_continue = False

    def __init__(self, fields: bytes, plain: bool) -> None:
        self.fields = fields
        self.plain = plain  # no line was dropped: a request head can go on as it came


def _parse_fields(fields: bytes) -> _Message:
    """The header lines after a head's first line, as _Reader.head() returns them (through the empty line)."""
    lines = fields.split(b"\r\n")[:-2]  # the empty line ends the last header line and is one itself
    kept = []
    message = _Message(b"", True)
    for line in lines:
        name, colon, value = line.partition(b":")
        if not colon:
            raise BadMessage("a header line without a colon")
        key = name.strip().lower()
        if key not in _HOP:
            kept.append(line + b"\r\n")
            continue
        value = value.strip()
        if key == b"content-length":
            message.length = int(value)
            if message.length < 0:
                raise BadMessage("a negative Content-Length")
        elif key == b"transfer-encoding":
            message.chunked = value.lower().endswith(b"chunked")
        elif key == b"connection":
            message.close = b"close" in value.lower()
        elif key == b"expect":
            message.expect_continue = value.lower() == b"100-continue"
    message.fields = b"".join(kept)
    message.plain = len(kept) == len(lines)
    return message


def _parse_response(head: bytes) -> tuple[bytes, _Message, int]:
    """A response head as _Reader.head() returns it: the head to send on (its first line and
    end-to-end header lines, each ending in CRLF), its header lines parsed, and its status code."""
    first = head.index(b"\r\n")
    start = head[:first]
    response = _parse_fields(head[first + 2:])
    return start + b"\r\n" + response.fields, response, int(start.split(b" ", 2)[1])


def _remember(seen: dict[bytes, _T], key: bytes, parse: Callable[[bytes], _T]) -> _T:
    """parse(key), remembered in `seen` for the next seen.get(key). A client repeats its header
    lines with each request and oxigraph answers with the same few heads, so each distinct one
    is parsed once (measured: parsing them was a fifth of what the proxy added per request)."""
    value = parse(key)
    if len(key) <= SEEN_KEY_MAX:
        if len(seen) >= SEEN_MAX:  # a client that varies its headers: memory stays bounded
            seen.clear()
        seen[key] = value
    return value


def _complete_chunks(buf: bytes, pos: int, out: bytearray) -> tuple[int, bool]:
    """Append to `out` the data of the chunks (RFC 9112 §7.1) from `pos` on that are all in `buf`;
    return where they end, and whether the last chunk was among them."""
    while (eol := buf.find(b"\r\n", pos)) >= 0:
        try:
            size = int(buf[pos:eol], 16)
        except ValueError:
            break  # an extension, a bare LF, garbage: _Body._next_chunk() tells
        end = eol + 2 + size
        if size < 0 or not buf.startswith(b"\r\n", end):
            break  # a chunk not all here yet, or not followed by CRLF: _Body copes
        out += buf[eol + 2:end]
        pos = end + 2  # past the data's CRLF; after the last chunk, past the empty trailer line
        if not size:
            return pos, True
    return pos, False


class _Body:
    """One message body, read from `r` piece by piece with chunked framing (RFC 9112 §7.1) undone."""

    __slots__ = ("after_data", "chunked", "done", "left", "r")

    def __init__(self, r: _Reader, message: _Message, *, until_close: bool) -> None:
        self.r = r
        self.chunked = message.chunked
        self.after_data = False  # a chunk's data was read: its CRLF comes before the next size line
        if self.chunked:
            self.left = 0  # payload bytes to come before the next framing line
        elif message.length is not None:
            self.left = message.length
        else:
            self.left = sys.maxsize if until_close else 0  # a response without framing ends at EOF
        self.done = not self.chunked and self.left == 0

    def read_into(self, out: bytearray, limit: int) -> bool:
        """Append payload to `out` until the body ends (True) or `out` holds more than `limit` bytes (False)."""
        r = self.r
        while not self.done:
            if self.left:
                buf, pos = r.buf, r.pos
                if pos == len(buf):
                    if not r.fill():
                        if self.left != sys.maxsize:
                            raise BadMessage("connection closed inside a body")
                        self.done = True  # a close-delimited body is complete
                    continue
                end = min(len(buf), pos + self.left)
                out += buf[pos:end]
                self.left -= end - pos
                r.pos = end
                if len(out) > limit:
                    return False
            elif not self.chunked:
                self.done = True
            elif self._whole_chunks(out):
                if len(out) > limit and not self.done:
                    return False
            else:
                self._next_chunk()
        return True

    def _whole_chunks(self, out: bytearray) -> bool:
        """Take the chunks that are here whole, through the last chunk; False if none is."""
        r = self.r
        pos = r.pos
        if self.after_data:
            if not r.buf.startswith(b"\r\n", pos):
                return False
            pos += 2
        end, self.done = _complete_chunks(r.buf, pos, out)
        if end == pos:
            return False
        r.pos, self.after_data = end, False
        return True

    def _next_chunk(self) -> None:
        """Read up to and including the next chunk's size line, receiving as needed."""
        r = self.r
        if self.after_data:
            r.line()  # the CRLF after a chunk's data
        line = r.line()
        if not line:
            raise BadMessage("connection closed inside a chunked body")
        size = int(line.split(b";", 1)[0], 16)  # chunk extensions are skipped
        if size < 0:
            raise BadMessage("a negative chunk size")
        self.left, self.after_data = size, True
        if not size:
            while r.line().rstrip(b"\r"):  # trailer fields, dropped; or the end of the stream
                pass
            self.done = True


def _read_body(up: _Reader, response: _Message, out: bytearray, limit: int) -> _Body | None:
    """Read a response body into `out`; past `limit` bytes stop, and return the _Body to stream the rest from."""
    done = False
    if response.chunked:  # oxigraph's way; mostly the whole body came with the head
        up.pos, done = _complete_chunks(up.buf, up.pos, out)
        if done and len(out) <= limit:
            return None
    body = _Body(up, response, until_close=True)
    if done:
        body.done = True
    return None if len(out) <= limit and body.read_into(out, limit) else body


class _Upstream(_Reader):
    """One kept-alive connection to oxigraph; reads from it end at `deadline` (monotonic) unless None."""

    __slots__ = ("check_at", "deadline", "timeout", "used_at")

    def __init__(self, address: tuple[str, int]) -> None:
        sock = socket.create_connection(address)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().__init__(sock)
        self.timeout: float | None = None  # the socket's timeouts as last set
        self.deadline: float | None = None
        self.check_at = 0.0  # when the timeouts may have to be set closer to the deadline
        self.used_at = 0.0  # when the last request went on it (monotonic): it has been idle since, or longer

    def close(self) -> None:
        self.sock.close()

    def send(self, message: bytes, now: float, deadline: float | None) -> None:
        """Send a request whose response must have come by `deadline` (None: no limit); `now`: time.monotonic()."""
        self.used_at = now
        self.deadline = deadline
        if deadline is not None:
            self._bound(now)
        elif self.timeout is not None:
            self._set_timeouts(None)
        try:
            self.sock.sendall(message)
        except BlockingIOError:  # the kernel's timeout: the deadline has passed
            raise TimeoutError from None

    def fill(self) -> bool:
        # Also while data keeps coming: a query streaming rows past its deadline is stopped.
        if self.deadline is not None and (now := time.monotonic()) >= self.check_at:
            self._bound(now)
        try:
            return super().fill()
        except BlockingIOError:  # the kernel's timeout: the deadline has passed
            raise TimeoutError from None

    def _bound(self, now: float) -> None:
        """Raise TimeoutError past the deadline; else have the socket time out at most TICK_S after it."""
        assert self.deadline is not None
        left = self.deadline - now
        if left <= 0:
            raise TimeoutError
        # A read that starts later ends later: look again soon.
        self.check_at = now + TICK_S / 2
        # Setting timeouts takes system calls: a query on a reused connection mostly finds
        # the ones the previous query set, timeout + GRACE_S (+ TICK_S / 4), still right.
        if self.timeout is None or not left <= self.timeout <= left + TICK_S / 2:
            self._set_timeouts(left + TICK_S / 4)

    def _set_timeouts(self, timeout: float | None) -> None:
        _set_timeouts(self.sock, timeout)
        self.timeout = timeout


class Proxy:
    """Listens on the public address and relays each connection to oxigraph at `upstream`."""

    def __init__(self, listener: socket.socket, upstream: tuple[str, int], timeout_s: int,
                 buffer_limit: int = BUFFER_LIMIT, report: Callable[[], bytes] | None = None) -> None:
        self.listener = listener
        self.upstream = upstream
        self.timeout_s = timeout_s
        self.buffer_limit = buffer_limit
        self.report = report  # builds the HTML page answered at /report (a path oxigraph does not serve)
        self._idle: list[_Upstream] = []  # the most recently used last
        self._seen_fields: dict[bytes, _Message] = {}  # by a request's header lines
        self._seen_responses: dict[bytes, tuple[bytes, _Message, int]] = {}  # by the whole head
        # Oxigraph's --timeout-s is also its read timeout: a kept-alive connection that waits
        # that long for a request is answered "500 Resource temporarily unavailable (os error 11)"
        # unasked, then closed (measured), and the next request sent on it would get that 500.
        self._reuse_s = (timeout_s if timeout_s > 0 else OXIGRAPH_IDLE_S) / 2
        self._idle_workers = 0
        self._queue: queue.SimpleQueue[socket.socket] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._stopping = False
        if _INHERITED:
            _client_options(listener)  # accept() then also wakes every IDLE_S, harmlessly

    def serve_forever(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except (BlockingIOError, TimeoutError):
                continue  # the idle timeout, inherited by accepted connections (see _client_options)
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

    def _take(self, now: float) -> tuple[_Upstream, bool]:
        with self._lock:
            if self._idle:
                if now - self._idle[-1].used_at < self._reuse_s:
                    return self._idle.pop(), True
                stale, self._idle = self._idle, []  # the rest waited longer still
            else:
                stale = []
        for up in stale:
            up.close()
        return _Upstream(self.upstream), False

    def _give_back(self, up: _Upstream) -> None:
        with self._lock:
            if not self._stopping:
                self._idle.append(up)
                return
        up.close()

    def _serve_connection(self, conn: socket.socket) -> None:
        if not _INHERITED:
            _client_options(conn)
        client = _Reader(conn)
        try:
            while self._exchange(client):
                pass
        except (EOFError, OSError):
            pass
        except (BadMessage, ValueError):
            try:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
        finally:
            conn.close()

    def _exchange(self, client: _Reader) -> bool:
        """Relay one request and its response; False when the client connection must close."""
        conn = client.sock
        head = client.head()
        first = head.index(b"\r\n")
        start = head[:first]
        method, _, rest = start.partition(b" ")
        http10 = rest.endswith(b"HTTP/1.0")
        fields = head[first + 2:]
        request = self._seen_fields.get(fields) or _remember(self._seen_fields, fields, _parse_fields)
        close = request.close
        if request.plain:
            message = head  # the usual request: no body, nothing to drop; it goes on as it came
        else:
            message = self._rewritten(client, start, request)
        if self.report is not None and rest.startswith(REPORT_PATHS):
            conn.sendall(self._report_response(method))
            return not close and not http10
        # Oxigraph does not always honour its timeout: measured, a query that filters out
        # everything ran 23 s past a 1 s limit in silence, and a cross product streamed rows
        # for 150 s. Past timeout + GRACE_S a query response is ours to stop.
        now = time.monotonic()
        deadline = now + self.timeout_s + GRACE_S if self.timeout_s > 0 and rest.startswith(b"/query") else None
        try:
            up, head, response, status = self._ask(message, now, deadline)
        except TimeoutError:
            conn.sendall(self._timed_out())
            return not close and not http10
        except (OSError, EOFError, BadMessage, ValueError, IndexError):
            conn.sendall(_plain(502, "Bad Gateway", "The SPARQL server behind newsgraph is not answering.\n"))
            return False
        keep = self._relay(conn, up, method, head, response, status, http10)
        return keep and not close and not http10

    def _rewritten(self, client: _Reader, start: bytes, request: _Message) -> bytes:
        """What to send on for a request with a body or hop-by-hop headers."""
        if request.expect_continue:
            client.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        if not request.chunked and request.length is None:
            return b"%s\r\n%s\r\n" % (start, request.fields)
        body = bytearray()
        _Body(client, request, until_close=False).read_into(body, sys.maxsize)
        return b"%s\r\n%sContent-Length: %d\r\n\r\n%s" % (start, request.fields, len(body), body)

    def _ask(self, message: bytes, now: float, deadline: float | None) -> tuple[_Upstream, bytes, _Message, int]:
        """The connection to oxigraph `message` went on, and the response's head as _parse_response() gives it."""
        for _ in range(2):
            up, reused = self._take(now)
            try:
                up.send(message, now, deadline)
                head = up.head()
                seen = self._seen_responses.get(head) or _remember(self._seen_responses, head, _parse_response)
                return up, *seen
            except BlockingIOError:  # the kernel's timeout: the deadline has passed
                up.close()
                raise TimeoutError from None
            except (EOFError, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection oxigraph closed while idle: retry once on a fresh one.
                up.close()
                if not reused:
                    raise
            except BaseException:
                up.close()
                raise
        raise EOFError

    def _relay(self, conn: socket.socket, up: _Upstream, method: bytes, head: bytes, response: _Message,
               status: int, http10: bool) -> bool:
        no_body = method == b"HEAD" or status in (204, 304) or 100 <= status < 200
        close_delimited = not no_body and not response.chunked and response.length is None
        if http10:
            head += b"Connection: close\r\n"
        buffered = bytearray()
        try:
            if not no_body:
                body = _read_body(up, response, buffered, sys.maxsize if http10 else self.buffer_limit)
                if body is not None:
                    return self._stream(conn, up, head, buffered, body)
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
        if not no_body:
            conn.sendall(b"%sContent-Length: %d\r\n\r\n%s" % (head, len(buffered), buffered))
        elif response.length is not None:  # HEAD keeps the GET's length
            conn.sendall(b"%sContent-Length: %d\r\n\r\n" % (head, response.length))
        else:
            conn.sendall(head + b"\r\n")
        return True

    def _stream(self, conn: socket.socket, up: _Upstream, head: bytes, pending: bytearray, body: _Body) -> bool:
        conn.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n")
        keep = len(CANCELLED)
        try:
            # Oxigraph's chunks are ~1 KiB: send fewer, bigger ones, always holding back the tail.
            while not body.read_into(pending, CHUNK + keep - 1):
                conn.sendall(b"%x\r\n%s\r\n" % (len(pending) - keep, pending[:-keep]))
                del pending[:-keep]
        except (OSError, BadMessage, ValueError):
            pending = bytearray(CANCELLED)  # broken off upstream or a stuck query: the client must not see an ending
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

    def _report_response(self, method: bytes) -> bytes:
        if method not in (b"GET", b"HEAD"):
            return _plain(405, "Method Not Allowed", "/report is a page: GET it.\n")
        assert self.report is not None
        try:
            body = self.report()
        except Exception as exc:  # noqa: BLE001 - a failed page must not end this connection's worker
            return _plain(502, "Bad Gateway", f"newsgraph could not build the report: {exc}\n")
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n" \
               b"Content-Length: %d\r\n\r\n" % len(body)
        return head if method == b"HEAD" else head + body

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
