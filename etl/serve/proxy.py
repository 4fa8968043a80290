"""newsgraph's public port: a reverse proxy in front of `oxigraph serve` that keeps the query time limit.

Oxigraph 0.5.13's own `--timeout-s` does not serve: it streams results, so a
query it cancels has already sent `200 OK` and just ends early (with "The SPARQL
operation has been cancelled" appended), which a client cannot tell from a short
success; it does not always stop in time (a query whose filter rejects every row
ran 23 s past a 1 s limit); and it starts a thread per query that sleeps the whole
timeout, which at a few thousand queries a second exhausts the machine's threads.
So oxigraph runs without it, and the proxy ends every query response at the
limit itself: it holds each response back until it is complete, and one not
complete in time becomes `503` with a clear message. A response larger than
BUFFER_LIMIT is streamed instead; if time runs out while it streams, the
connection is dropped before the final chunk, which HTTP clients report as an
error (curl: exit 18; Python: IncompleteRead; browsers: a network error).

It speaks just enough HTTP/1.1 to find message boundaries (Content-Length or
chunked) and forwards everything else byte for byte: the endpoint is still
oxigraph. One event loop (uvloop where installed) serves every connection, so
idle and slow clients cost a little memory, never a thread, and every wait has
a deadline: a client must send a whole request head within `idle_s` (and keep
a body coming), take what it is sent, and may keep an idle connection that long.
Connections to oxigraph are kept alive and reused (oxigraph starts a thread per
connection), always in HTTP/1.1: oxigraph closes an HTTP/1.0 connection after
each answer without saying so, and does not keep it alive when asked to.

The usual small request takes a short path: the bytes of each peer sit in one
buffer that heads and chunked framing are read from with find(), slices and
index arithmetic; each distinct set of header lines is parsed once (a client
repeats its own, oxigraph answers with a few heads); a request with nothing to
drop goes on as it came; and a read or write that can be done at once is done
without the event loop. Anything unusual (bare LF line ends, chunk extensions,
heads or chunks split across reads) takes the general path, to the same result.
"""
from __future__ import annotations

import asyncio
import socket
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

try:  # an event loop on libuv: measured, 0.09 ms of CPU per point query where asyncio's own takes 0.11
    import uvloop
except ImportError:  # pragma: no cover - uvloop has no Windows build
    uvloop = None

_T = TypeVar("_T")

BUFFER_LIMIT = 256 * 1024  # larger responses stream: little added latency, little memory per request
CHUNK = 64 * 1024
IDLE_S = 60.0  # a client's time to send a request head, or to keep a body or its reading going
DRAIN_S = 5.0  # on stop, how long requests in flight get to finish before they are cut off
OXIGRAPH_IDLE_S = 60  # oxigraph's read timeout (HTTP_TIMEOUT in its cli/src/main.rs)
MAX_IDLE_UPSTREAM = 64  # kept-alive connections to oxigraph; more are closed after use
MAX_LINE = 64 * 1024
MAX_HEADERS = 200
MAX_HEAD = 1024 * 1024  # a response head this long is not one oxigraph would send
MAX_REQUEST_HEAD = 64 * 1024  # oxigraph itself refuses heads over 8 KiB: the rest is refused early
MAX_BODY = 16 * 1024 * 1024  # a query or update body; Graph Store uploads (/store) have no limit
READ_AHEAD = 256 * 1024  # received bytes not taken yet; past that the connection is not read
BACKLOG = 1024  # connections the kernel accepts for us while we are busy
LINGER_S = 2.0  # after refusing a body, how long its bytes are read and dropped so that the answer arrives

# Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, not to the message;
# Content-Length is recomputed and Expect is answered here.
_HOP = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"transfer-encoding",
     b"upgrade", b"content-length", b"expect"}
)
QUERY_PATHS = (b"/query", b"/sparql")  # oxigraph answers SPARQL queries at both: both get the time limit
REPORT_PATHS = (b"/report ", b"/report?")  # the request target, as the request line has it
SEEN_MAX = 256  # distinct heads kept parsed; then they are forgotten and parsed again
SEEN_KEY_MAX = 4096  # longer header lines are parsed each time


class BadMessage(Exception):
    """A peer sent something that is not HTTP/1.1 framing we can follow."""


class Refused(BadMessage):
    """A request the proxy answers itself with an error status, then closes."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason = status, reason


class _Link(asyncio.Protocol):
    """One TCP connection: its transport, the bytes received that no one has taken yet, and
    whether the peer takes what is written. A protocol rather than sock_recv() and friends: the
    socket stays registered with the event loop, and reads and writes happen in its C code."""

    def __init__(self, on_made: Callable[[_Link], object] | None = None) -> None:
        self.on_made = on_made
        self.transport: asyncio.Transport = None  # type: ignore[assignment]  # set by connection_made
        self.chunks: list[bytes] = []
        self.size = 0
        self.eof = False
        self.paused = False  # reading paused: READ_AHEAD bytes wait to be taken
        self.waiter: asyncio.Future[None] | None = None
        self.drained: asyncio.Future[None] | None = None  # while the peer does not take what is written

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        if self.on_made is not None:
            self.on_made(self)

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self.size += len(data)
        if self.size > READ_AHEAD:
            self.transport.pause_reading()
            self.paused = True
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return True  # a client may close its side and still wait for the answer

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self._wake()
        self.resume_writing()

    def pause_writing(self) -> None:
        self.drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        drained, self.drained = self.drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def take(self) -> bytes:
        data = self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)
        self.chunks = []
        self.size = 0
        if self.paused:
            self.paused = False
            self.transport.resume_reading()
        return data

    async def write(self, data: bytes | bytearray, timeout: float | None) -> None:
        """Send `data`; if the peer does not take what is written, wait at most `timeout` seconds."""
        if self.transport.is_closing():
            raise ConnectionResetError("the connection has closed")
        self.transport.write(data)  # mostly sent at once, by the event loop's C code
        if self.drained is not None:
            async with asyncio.timeout(timeout):
                await self.drained
            if self.transport.is_closing():
                raise ConnectionResetError("the connection has closed")


class _Reader:
    """A connection and the bytes received from it that are not consumed yet (`buf` from `pos` on).

    A read that has to wait ends at `deadline` (the event loop's clock) with TimeoutError;
    with `stretch`, each read that brings bytes moves the deadline that far ahead.
    """

    __slots__ = ("buf", "deadline", "limit", "link", "loop", "pos", "stretch")

    def __init__(self, link: _Link, loop: asyncio.AbstractEventLoop, limit: int = MAX_HEAD) -> None:
        self.link = link
        self.loop = loop
        self.buf = b""
        self.pos = 0
        self.deadline: float | None = None
        self.stretch: float | None = None
        self.limit = limit  # the longest head taken

    async def recv(self) -> bytes:
        """The bytes received since the last call, waiting for some; b"" once the peer has closed."""
        link = self.link
        if not link.chunks:
            if link.eof:
                return b""
            link.waiter = waiter = self.loop.create_future()
            try:
                if self.deadline is None:
                    await waiter
                else:
                    async with asyncio.timeout_at(self.deadline):
                        await waiter
            finally:
                link.waiter = None
            if not link.chunks:
                return b""
        data = link.take()
        if self.stretch is not None:
            self.deadline = self.loop.time() + self.stretch
        return data

    async def fill(self) -> bool:
        """Receive more bytes; False when the peer has closed its side."""
        data = await self.recv()
        if not data:
            return False
        if self.pos < len(self.buf):
            self.buf = self.buf[self.pos:] + data  # a partial line or head: short, except for huge heads
        else:
            self.buf = data  # the common case, everything consumed: no copying
        self.pos = 0
        return True

    async def head(self) -> bytes:
        """The next message head with CRLF line ends, through the empty line that ends it, consumed."""
        buf, pos = self.buf, self.pos
        if pos == len(buf):  # the usual case: nothing left over from the last message
            buf, pos = await self.recv(), 0
            if not buf:
                raise EOFError
            self.buf, self.pos = buf, 0
        end = buf.find(b"\r\n\r\n", pos) + 4
        # The usual case: all here, no blank line before it, short, and no bare LF (nor too many lines) in it.
        if pos + 4 < end <= pos + MAX_LINE and buf[pos] != 13 and (
                buf.count(b"\r\n", pos, end) == buf.count(b"\n", pos, end) <= MAX_HEADERS + 1):
            self.pos = end
            return buf[pos:end]
        head = await self._slow_head()
        if head.count(b"\n") > MAX_HEADERS + 1:  # counting the empty line
            raise Refused(431, "Request Header Fields Too Large", "too many header lines")
        if len(head) > MAX_LINE and max(map(len, head.split(b"\r\n"))) > MAX_LINE:
            raise Refused(431, "Request Header Fields Too Large", "a header line too long")
        return head

    async def _slow_head(self) -> bytes:
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
            if len(buf) - self.pos > min(self.limit, MAX_LINE) and buf.find(b"\n", self.pos) < 0:
                raise Refused(414, "URI Too Long", "a request line too long")
            if len(buf) - self.pos > self.limit:
                raise Refused(431, "Request Header Fields Too Large", "a message head that does not end")
            searched = max(0, len(buf) - self.pos - 2)  # the end may straddle what comes next
            if not await self.fill():
                raise EOFError

    async def line(self) -> bytes:
        """The next line without its LF, consumed; what is left (maybe b"") at the end of the stream."""
        while (end := self.buf.find(b"\n", self.pos)) < 0:
            if len(self.buf) - self.pos > MAX_LINE:
                raise BadMessage("a line too long")
            if not await self.fill():
                line, self.buf, self.pos = self.buf[self.pos:], b"", 0
                return line
        line, self.pos = self.buf[self.pos:end], end + 1
        return line

    def partial(self) -> bool:
        """Whether some of a message head has come."""
        return self.pos < len(self.buf)


class _Message:
    """What the header lines after a head's first line say: the end-to-end ones as sent on (each
    ending in CRLF), and the framing and connection handling that the hop-by-hop ones give."""

    # Defaults kept by most messages (class attributes, so that they cost nothing per message).
    length: int | None = None
    chunked = False
    close = False
    keep_alive = False
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
            message.keep_alive = b"keep-alive" in value.lower()
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

    async def read_into(self, out: bytearray, limit: int) -> bool:
        """Append payload to `out` until the body ends (True) or `out` holds more than `limit` bytes (False)."""
        r = self.r
        while not self.done:
            if self.left:
                buf, pos = r.buf, r.pos
                if pos == len(buf):
                    if not await r.fill():
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
                await self._next_chunk()
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

    async def _next_chunk(self) -> None:
        """Read up to and including the next chunk's size line, receiving as needed."""
        r = self.r
        if self.after_data:
            await r.line()  # the CRLF after a chunk's data
        line = await r.line()
        if not line:
            raise BadMessage("connection closed inside a chunked body")
        size = int(line.split(b";", 1)[0], 16)  # chunk extensions are skipped
        if size < 0:
            raise BadMessage("a negative chunk size")
        self.left, self.after_data = size, True
        if not size:
            while (await r.line()).rstrip(b"\r"):  # trailer fields, dropped; or the end of the stream
                pass
            self.done = True


async def _read_body(up: _Reader, response: _Message, out: bytearray, limit: int) -> _Body | None:
    """Read a response body into `out`; past `limit` bytes stop, and return the _Body to stream the rest from."""
    done = False
    if response.chunked:  # oxigraph's way; mostly the whole body came with the head
        up.pos, done = _complete_chunks(up.buf, up.pos, out)
        if done and len(out) <= limit:
            return None
    body = _Body(up, response, until_close=True)
    if done:
        body.done = True
    return None if len(out) <= limit and await body.read_into(out, limit) else body


class _Upstream(_Reader):
    """One kept-alive connection to oxigraph; a query's reads end at its deadline."""

    __slots__ = ("used_at",)

    def __init__(self, link: _Link, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(link, loop)
        self.used_at = 0.0  # when the last request went on it (loop time): it has been idle since, or longer

    @classmethod
    async def connect(cls, address: tuple[str, int], loop: asyncio.AbstractEventLoop) -> _Upstream:
        async with asyncio.timeout(IDLE_S):  # oxigraph at its connection limit queues us
            _, link = await loop.create_connection(_Link, *address)
        return cls(link, loop)

    def close(self) -> None:
        self.link.transport.close()


class Proxy:
    """Listens on the public address and relays each connection to oxigraph at `upstream`."""

    def __init__(self, listener: socket.socket, upstream: tuple[str, int], timeout_s: int,
                 buffer_limit: int = BUFFER_LIMIT, idle_s: float = IDLE_S,
                 report: Callable[[], bytes] | None = None) -> None:
        self.listener = listener
        self.report = report  # builds the HTML page answered at /report (a path oxigraph does not serve)
        self.upstream = upstream
        self.timeout_s = timeout_s
        self.buffer_limit = buffer_limit
        self.idle_s = idle_s
        self._loop: asyncio.AbstractEventLoop = uvloop.new_event_loop() if uvloop else asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._stop = asyncio.Event()
        self._drain_s = DRAIN_S
        self._stopping = False
        self._connections: set[asyncio.Task[None]] = set()
        self._busy: set[asyncio.Task[bool]] = set()  # exchanges between a request's head and its answer's end
        self._idle: list[_Upstream] = []  # the most recently used last
        self._seen_fields: dict[bytes, _Message] = {}  # by a request's header lines
        self._seen_responses: dict[bytes, tuple[bytes, _Message, int]] = {}  # by the whole head
        # A kept-alive connection that waits OXIGRAPH_IDLE_S for a request is answered
        # "500 Resource temporarily unavailable (os error 11)" unasked, then closed (measured),
        # and the next request sent on it would get that 500.
        self._reuse_s = OXIGRAPH_IDLE_S / 2

    def start(self) -> threading.Thread:
        self.listener.setblocking(False)
        self._thread = threading.Thread(target=self._run, name="newsgraph-proxy", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, drain_s: float = DRAIN_S) -> None:
        """Stop taking connections; requests in flight get `drain_s` to finish, then are cut off
        (those not answered yet get a 503). Returns when every connection is closed."""
        if self._thread is None:
            self.listener.close()
            return
        self._drain_s = drain_s
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(drain_s + 10)

    def _run(self) -> None:
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        server = await self._loop.create_server(lambda: _Link(self._connected), sock=self.listener, backlog=BACKLOG)
        await self._stop.wait()
        self._stopping = True
        server.close()
        for task in self._connections - self._busy:  # between requests: nothing to finish
            task.cancel()
        if self._busy:
            await asyncio.wait(self._busy, timeout=self._drain_s)
        for task in self._connections:
            task.cancel()
        if self._connections:
            await asyncio.wait(self._connections, timeout=LINGER_S + 1)
        for up in self._idle:
            up.close()
        self._idle.clear()

    def _connected(self, link: _Link) -> None:
        task = self._loop.create_task(self._serve_connection(link))
        self._connections.add(task)
        task.add_done_callback(self._connections.discard)

    async def _serve_connection(self, link: _Link) -> None:
        client = _Reader(link, self._loop, MAX_REQUEST_HEAD)
        try:
            while await self._exchange(client) and not self._stopping:
                pass
        except TimeoutError:  # before OSError, which it is
            if client.partial():  # a head begun, not finished in time; a silent idle connection just closes
                await self._refuse(client, 408, "Request Timeout", "the request did not arrive in time")
        except Refused as exc:
            await self._refuse(client, exc.status, exc.reason, str(exc))
        except (BadMessage, ValueError):
            await self._refuse(client, 400, "Bad Request", "not an HTTP request newsgraph can read")
        except (EOFError, OSError):
            pass
        finally:
            link.transport.close()

    async def _exchange(self, client: _Reader) -> bool:
        """Relay one request and its response; False when the client connection must close."""
        client.deadline = self._loop.time() + self.idle_s
        head = await client.head()
        client.deadline = None
        task = asyncio.current_task()
        self._busy.add(task)  # type: ignore[arg-type]
        answered = [False]
        try:
            return await self._relay_request(client, head, answered)
        except asyncio.CancelledError:
            if not answered[0]:  # cut off by stop(): an answer, not silence
                client.link.transport.write(_plain(503, "Service Unavailable", "newsgraph serve is stopping.\n",
                                                   close=True))
            raise
        finally:
            self._busy.discard(task)  # type: ignore[arg-type]

    async def _relay_request(self, client: _Reader, head: bytes, answered: list[bool]) -> bool:
        first = head.index(b"\r\n")
        start = head[:first]
        method, _, rest = start.partition(b" ")
        http10 = rest.endswith(b"HTTP/1.0")
        fields = head[first + 2:]
        request = self._seen_fields.get(fields) or _remember(self._seen_fields, fields, _parse_fields)
        # An HTTP/1.0 connection closes after each answer unless the client asked to keep it.
        close = request.close or (http10 and not request.keep_alive)
        if http10:
            # Oxigraph closes the connection after answering an HTTP/1.0 request, without saying
            # so (measured): asked in HTTP/1.1, it keeps the connection for the next request.
            start = start[:-1] + b"1"
        if request.plain and not http10:
            message, upload = head, None  # the usual request: no body, nothing to drop; it goes on as it came
        else:
            message, upload = await self._rewritten(client, start, rest, request)
        if self.report is not None and rest.startswith(REPORT_PATHS):
            await self._answer(client, await self._report_response(method), answered)
            return not close
        now = self._loop.time()
        deadline = now + self.timeout_s if self.timeout_s > 0 and rest.startswith(QUERY_PATHS) else None
        try:
            up, head, response, status = await self._ask(message, upload, now, deadline)
        except TimeoutError:
            await self._answer(client, self._timed_out(), answered)
            return not close
        except Refused:
            raise
        except (OSError, EOFError, BadMessage, ValueError, IndexError):
            await self._answer(client, _plain(502, "Bad Gateway", "The SPARQL server behind newsgraph is not answering.\n"),
                               answered)
            return False
        if close:
            head += b"Connection: close\r\n"
        elif http10:
            head += b"Connection: keep-alive\r\n"
        return await self._relay(client, up, method, head, response, status, http10, answered) and not close

    async def _rewritten(self, client: _Reader, start: bytes, target: bytes,
                         request: _Message) -> tuple[bytes, _Body | None]:
        """What to send on for a request with a body or hop-by-hop headers; and a large body to
        send after it, streamed from the client."""
        if not request.chunked and request.length is None:
            return b"%s\r\n%s\r\n" % (start, request.fields), None
        limit = sys.maxsize if target.startswith(b"/store") else MAX_BODY
        if (request.length or 0) > limit:
            raise Refused(413, "Content Too Large", f"a query or update larger than {MAX_BODY >> 20} MiB")
        if request.expect_continue:
            await client.link.write(b"HTTP/1.1 100 Continue\r\n\r\n", self.idle_s)
        body = _Body(client, request, until_close=False)
        if request.length is not None and request.length > self.buffer_limit:
            return b"%s\r\n%sContent-Length: %d\r\n\r\n" % (start, request.fields, request.length), body
        data = bytearray()
        client.deadline, client.stretch = self._loop.time() + self.idle_s, self.idle_s
        try:
            if not await body.read_into(data, limit):
                raise Refused(413, "Content Too Large", f"a query or update larger than {MAX_BODY >> 20} MiB")
        except TimeoutError:
            raise Refused(408, "Request Timeout", "the request body stopped arriving") from None
        finally:
            client.deadline = client.stretch = None
        return b"%s\r\n%sContent-Length: %d\r\n\r\n%s" % (start, request.fields, len(data), data), None

    async def _upload(self, body: _Body, up: _Upstream) -> None:
        """Send on a large request body as it arrives."""
        client = body.r
        client.deadline, client.stretch = self._loop.time() + self.idle_s, self.idle_s
        try:
            while not body.done:
                piece = bytearray()
                await body.read_into(piece, CHUNK)
                await up.link.write(piece, self.idle_s)
        except TimeoutError:
            raise Refused(408, "Request Timeout", "the request body stopped arriving") from None
        except (EOFError, BadMessage) as exc:
            if isinstance(exc, Refused):
                raise
            raise Refused(400, "Bad Request", "the request body broke off") from None
        finally:
            client.deadline = client.stretch = None

    async def _ask(self, message: bytes, upload: _Body | None, now: float,
                   deadline: float | None) -> tuple[_Upstream, bytes, _Message, int]:
        """The connection to oxigraph `message` went on, and the response's head as _parse_response() gives it."""
        for attempt in range(2):
            # A streamed body cannot be sent twice: it goes on a new connection, which oxigraph has not closed.
            up = None if attempt or upload is not None else self._take(now)
            reused = up is not None
            if up is None:
                up = await _Upstream.connect(self.upstream, self._loop)
            up.used_at, up.deadline = now, deadline
            try:
                await up.link.write(message, self.idle_s)
                if upload is not None:
                    await self._upload(upload, up)
                head = await up.head()
                seen = self._seen_responses.get(head) or _remember(self._seen_responses, head, _parse_response)
                return up, *seen
            except (EOFError, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection oxigraph closed while idle: retry once on a fresh one.
                up.close()
                if not reused:
                    raise
            except BaseException:
                up.close()
                raise
        raise EOFError

    def _take(self, now: float) -> _Upstream | None:
        """The kept-alive connection to oxigraph used last, unless oxigraph may have dropped it."""
        if self._idle:
            up = self._idle.pop()
            if now - up.used_at < self._reuse_s:
                return up
            for stale in (up, *self._idle):  # the rest waited longer still
                stale.close()
            self._idle.clear()
        return None

    def _give_back(self, up: _Upstream) -> None:
        if self._stopping or len(self._idle) >= MAX_IDLE_UPSTREAM:
            up.close()
        else:
            up.deadline = None
            self._idle.append(up)

    async def _answer(self, client: _Reader, data: bytes | bytearray, answered: list[bool]) -> None:
        answered[0] = True
        await client.link.write(data, self.idle_s)

    async def _relay(self, client: _Reader, up: _Upstream, method: bytes, head: bytes, response: _Message,
                     status: int, http10: bool, answered: list[bool]) -> bool:
        no_body = method == b"HEAD" or status in (204, 304) or 100 <= status < 200
        close_delimited = not no_body and not response.chunked and response.length is None
        buffered = bytearray()
        try:
            if not no_body:
                # HTTP/1.0 knows no chunked framing: its answers are buffered whole.
                body = await _read_body(up, response, buffered, sys.maxsize if http10 else self.buffer_limit)
                if body is not None:
                    return await self._stream(client, up, head, buffered, body, answered)
        except TimeoutError:
            up.close()
            await self._answer(client, self._timed_out(), answered)
            return True
        except (OSError, BadMessage, ValueError):
            up.close()
            await self._answer(client, _plain(502, "Bad Gateway",
                                              "The SPARQL server behind newsgraph broke off its answer.\n"), answered)
            return False
        except BaseException:
            up.close()
            raise
        if response.close or close_delimited:
            up.close()
        else:
            self._give_back(up)
        if not no_body:
            await self._answer(client, b"%sContent-Length: %d\r\n\r\n%s" % (head, len(buffered), buffered), answered)
        elif response.length is not None:  # HEAD keeps the GET's length
            await self._answer(client, b"%sContent-Length: %d\r\n\r\n" % (head, response.length), answered)
        else:
            await self._answer(client, head + b"\r\n", answered)
        return True

    async def _stream(self, client: _Reader, up: _Upstream, head: bytes, pending: bytearray, body: _Body,
                      answered: list[bool]) -> bool:
        link = client.link
        try:
            await self._answer(client, head + b"Transfer-Encoding: chunked\r\n\r\n", answered)
            # Oxigraph's chunks are ~1 KiB: send fewer, bigger ones.
            while not await body.read_into(pending, CHUNK):
                await link.write(b"%x\r\n%s\r\n" % (len(pending), pending), self.idle_s)
                del pending[:]
            await link.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(pending), pending) if pending else b"0\r\n\r\n",
                             self.idle_s)
            return True
        except (OSError, BadMessage, ValueError):
            # Out of time, broken off upstream, or a client that left or stopped reading. Too late
            # for a status code: end without the last chunk, so the client sees a broken transfer.
            link.transport.close()
            return False
        finally:
            up.close()  # not worth tracking whether a huge response left it reusable

    async def _report_response(self, method: bytes) -> bytes:
        if method not in (b"GET", b"HEAD"):
            return _plain(405, "Method Not Allowed", "/report is a page: GET it.\n")
        assert self.report is not None
        try:  # the page runs queries for seconds: on a thread, so the loop keeps serving everyone else
            body = await self._loop.run_in_executor(None, self.report)
        except Exception as exc:  # noqa: BLE001 - a failed page is this request's answer, not the server's end
            return _plain(502, "Bad Gateway", f"newsgraph could not build the report: {exc}\n")
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n" \
               b"Content-Length: %d\r\n\r\n" % len(body)
        return head if method == b"HEAD" else head + body

    async def _refuse(self, client: _Reader, status: int, reason: str, message: str) -> None:
        """Answer an error and close; what the client still sends is read and dropped for a
        moment first, or closing would reset the connection before the answer is read."""
        transport = client.link.transport
        if transport.is_closing():
            return
        transport.write(_plain(status, reason, message + "\n", close=True))
        if transport.can_write_eof():
            transport.write_eof()
        client.deadline, client.stretch = self._loop.time() + LINGER_S, None
        try:
            while await client.recv():
                pass
        except OSError:
            pass

    def _timed_out(self) -> bytes:
        return _plain(
            503,
            "Query Timed Out",
            f"Query timed out: it ran longer than the server's limit of {self.timeout_s} s "
            "(`newsgraph serve --timeout-s`), so its results were cut off and are not returned.\n",
        )


def _plain(status: int, reason: str, message: str, close: bool = False) -> bytes:
    body = message.encode()
    return b"HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n%s\r\n%s" % (
        status, reason.encode(), len(body), b"Connection: close\r\n" if close else b"", body)
