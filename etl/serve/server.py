"""`newsgraph serve`: the Oxigraph SPARQL server over newsgraph's store.

The endpoint is the real `oxigraph` server (from the PyPI package `oxigraph`),
run as a child process on a private loopback port. newsgraph's port is a thin
proxy (etl.serve.proxy) whose job is the query time limit: a query past it gets an
HTTP error, where oxigraph 0.5.13's own --timeout-s would send a truncated 200.
On SIGTERM/Ctrl-C the proxy stops taking connections and lets the requests in
flight finish (DRAIN_S) before oxigraph stops.

While serving, a state file next to the store (`<store>.serve.json`, etl.store) tells
`newsgraph etl` where the server is, so it loads through the server (--writable)
or refuses with one line (read-only) instead of touching the store under it.
"""
from __future__ import annotations

import ctypes
import functools
import ipaddress
import resource
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..load import flush_store
from ..store import ServerInfo, StoreError, exclusive, read_state, remove_state, start_time, write_state
from .proxy import BACKLOG, Proxy

STOP_GRACE_S = 10
STARTING_NOTICE_S = 3


class ServeError(UserError):
    """The server cannot start; the message says what to do."""


def _answers(url: str, timeout: float = 2.0) -> bool:
    # No proxies: the server is on this machine, whatever http_proxy says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def find_running(store: Path, wait_s: float = 0.0) -> ServerInfo | None:
    """The `newsgraph serve` on this store if its process is alive and it answers HTTP.

    A server still opening the store gets up to `wait_s` to answer.
    """
    deadline = time.monotonic() + wait_s
    while (info := read_state(store)) is not None:
        if _answers(info.url):
            return info
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.2)
    return None


def oxigraph_binary() -> str:
    """The `oxigraph` executable: beside this Python (a venv's bin/) first, then on PATH."""
    here = Path(sys.executable).with_name("oxigraph")
    found = str(here) if os.access(here, os.X_OK) else shutil.which("oxigraph")
    if not found:
        raise ServeError("the `oxigraph` server is not installed: run `pip install 'oxigraph>=0.5.13,<0.6'`")
    return found


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        addresses = {a[4][0] for a in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


def _url_host(host: str) -> str:
    """How to write `host` in a URL; a wildcard address becomes one the user can click."""
    if host in ("0.0.0.0", "::", ""):
        return socket.gethostname()
    return f"[{host}]" if ":" in host else host


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host.strip("[]"), port), family=family, backlog=BACKLOG)
    except OSError as exc:
        if exc.errno == 98 or "in use" in str(exc).lower():
            raise ServeError(f"port {port} on {host} is already in use: "
                             "stop what runs there or pick another --port") from None
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _raise_fd_limit() -> None:
    """Each client connection is a file descriptor (two while it queries): allow as many as the
    system lets this user, rather than the usual 1,024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (OSError, ValueError):
            pass


def _private_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent(parent: int) -> None:
    """Runs in the child before exec: have Linux SIGTERM it if newsgraph dies, even by SIGKILL."""
    if _LIBC is not None:
        PR_SET_PDEATHSIG = 1
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # newsgraph died before the line above
            os._exit(1)


_LIBC = ctypes.CDLL(None) if sys.platform.startswith("linux") else None  # loaded before fork, not in the child


def _check_store(store: Path) -> None:
    """The store exists, no ETL is loading into it and no other process holds it."""
    if not store.is_dir():
        raise StoreError(f"no store at {store}: run `newsgraph etl SOURCE --store {store}` first")
    # The ETL takes this lock and then looks for a state file; we wrote ours before
    # taking it, so one of the two always sees the other.
    with exclusive(store):
        # Open read-write once: refuses with one line if another process holds the store.
        _flush(store)


def _flush(store: Path) -> None:
    """Open read-write and flush: RocksDB replays its write-ahead log into table files and drops it.

    Graphs PUT one by one into `oxigraph serve` stay in that log; the next open of
    the store replays it (measured: 10 s for 400k triples in 2000 PUTs, then 0.03 s).
    """
    notice = threading.Timer(STARTING_NOTICE_S, print, (f"flushing {store}'s write-ahead log…",),
                             {"file": sys.stderr, "flush": True})
    notice.start()
    try:
        flush_store(store, create=False)
    finally:
        notice.cancel()


@dataclass
class _Oxigraph:
    """The child `oxigraph serve[-read-only]` and the tail of what it printed."""

    proc: subprocess.Popen[bytes]
    port: int
    tail: deque[str]
    echo: threading.Event  # set once started: from then on its messages go to our stderr

    def pump(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            self.tail.append(line)
            if self.echo.is_set():
                print(f"oxigraph: {line}", file=sys.stderr, flush=True)

    def last_words(self) -> str:
        lines = [line for line in self.tail if line.strip()]
        return lines[-1] if lines else f"exit status {self.proc.returncode}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # what Ctrl-C would send it
            try:
                self.proc.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _start_oxigraph(store: Path, cors: bool, writable: bool) -> _Oxigraph:
    # No --timeout-s: oxigraph 0.5.13 then starts a thread per query that sleeps the whole
    # timeout (measured: 8,400 threads after 2 s of 16 clients, a fifth of the throughput, and
    # at the machine's thread limit oxigraph aborts). The proxy keeps the time limit instead.
    port = _private_port()
    cmd = [oxigraph_binary(), "serve" if writable else "serve-read-only", "--location", str(store),
           "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    if cors:
        cmd.append("--cors")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True,  # our Ctrl-C is ours to pass on, after the proxy stops
                            preexec_fn=functools.partial(_die_with_parent, os.getpid()))
    ox = _Oxigraph(proc, port, deque(maxlen=20), threading.Event())
    threading.Thread(target=ox.pump, name="oxigraph-stderr", daemon=True).start()
    return ox


def _wait_ready(ox: _Oxigraph, store: Path, stop: threading.Event) -> None:
    """Until oxigraph answers (or the user gives up); opening a big store can take a while."""
    started = time.monotonic()
    noticed = False
    while ox.proc.poll() is None and not stop.is_set():
        try:
            socket.create_connection(("127.0.0.1", ox.port), timeout=1).close()
            return
        except OSError:
            pass
        if not noticed and time.monotonic() - started > STARTING_NOTICE_S:
            print(f"oxigraph is opening {store}…", file=sys.stderr, flush=True)
            noticed = True
        time.sleep(0.05)
    ox.proc.wait()
    message = ox.last_words()
    if "lock" in message.lower():
        raise StoreError(f"the store {store} is in use by another process; stop it, then try again")
    raise ServeError(f"oxigraph could not serve {store}: {message}")


def _flush_quietly(store: Path) -> None:
    """After a writable server: flush now so the next command opens the store at once."""
    try:
        _flush(store)
    except StoreError as exc:
        print(f"newsgraph: warning: {exc}", file=sys.stderr)


def _banner(store: Path, url: str, timeout_s: int, writable: bool) -> str:
    mode = "read-write (--writable)" if writable else "read-only"
    limit = f"queries time out after {timeout_s} s" if timeout_s > 0 else "no query timeout"
    lines = [
        f"SPARQL endpoint over {store} ({mode}; default graph = union of all article graphs; {limit})",
        f"  query page (YASGUI)     {url}",
        f"  report (HTML page)      {url}report",
        f"  SPARQL query            {url}query",
    ]
    if writable:
        lines.append(f"  SPARQL update           {url}update")
    lines += [f"  graph store (GSP)       {url}store", "Press Ctrl-C to stop."]
    return "\n".join(lines)


def run_serve(store: Path, host: str = "127.0.0.1", port: int = 7878, timeout_s: int = 30,
              cors: bool = False, writable: bool = False) -> int:
    """Serve `store` until Ctrl-C/SIGTERM/SIGHUP; returns the exit status."""
    if timeout_s < 0:
        raise ServeError("--timeout-s must be 0 (no limit) or more seconds")
    if writable and not is_loopback(host):
        raise ServeError(f"--writable only binds to this machine (127.0.0.1, ::1 or localhost), not {host}: "
                         "anyone who can reach the port could change the data")
    oxigraph_binary()
    running = read_state(store)
    if running is not None:
        raise ServeError(f"{store} is already served at {running.url} (pid {running.pid}); stop that one first")
    _raise_fd_limit()
    listener = _listen(host, port)
    port = listener.getsockname()[1]
    url = f"http://{_url_host(host)}:{port}/"
    local_url = url if is_loopback(host) else f"http://127.0.0.1:{port}/"
    stop = threading.Event()
    previous = _catch_stop_signals(stop)
    ox: _Oxigraph | None = None
    proxy: Proxy | None = None
    try:
        write_state(store, ServerInfo(local_url, os.getpid(), start_time(os.getpid()), 0, writable))
        _check_store(store)
        ox = _start_oxigraph(store, cors, writable)
        write_state(store, ServerInfo(local_url, os.getpid(), start_time(os.getpid()), ox.proc.pid, writable))
        _wait_ready(ox, store, stop)
        if stop.is_set():
            return 0
        ox.echo.set()
        from ..report import endpoint_page

        proxy = Proxy(listener, ("127.0.0.1", ox.port), timeout_s,
                      report=functools.partial(endpoint_page, f"http://127.0.0.1:{ox.port}/query", str(store)))
        proxy.start()
        print(_banner(store, url, timeout_s, writable), flush=True)
        while not stop.is_set() and ox.proc.poll() is None:
            stop.wait(0.5)
        if not stop.is_set():
            print(f"newsgraph: error: oxigraph stopped unexpectedly: {ox.last_words()}", file=sys.stderr)
            return 1
        return 0
    finally:
        if proxy is not None:
            proxy.stop()
        else:
            listener.close()
        if ox is not None:
            ox.stop()
            if writable:
                _flush_quietly(store)
        remove_state(store)
        for sig, old in previous.items():
            signal.signal(sig, old)


def _catch_stop_signals(stop: threading.Event) -> dict[int, object]:
    """Ctrl-C, SIGTERM and SIGHUP set `stop`; returns the handlers to restore (none off the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
