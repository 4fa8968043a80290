"""Load into a SPARQL 1.1 Graph Store Protocol endpoint, and choose where `newsgraph etl` loads.

EndpointTarget speaks plain GSP (indirect graph identification, `?graph=IRI`):
PUT replaces one article's graph, DELETE removes it. That works with Oxigraph
(`/store`), Fuseki (`/DATASET/data`), GraphDB (`/repositories/REPO/rdf-graphs/service`)
and `newsgraph serve --writable`. Credentials come from the environment (or the
URL's user:password@) and never appear in messages.
"""
from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from ..load import StoreError, StoreTarget, Target, Versions, flush_store
from ..resources import load_query
from ..store import read_state
from .server import find_running, is_loopback

REQUEST_TIMEOUT_S = 300  # one article's graph; generous for a busy remote server
START_WAIT_S = 10


def _redact(url: str) -> str:
    """The URL without user:password@, for messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _auth_header(url: str) -> dict[str, str]:
    """Bearer from NEWSGRAPH_ENDPOINT_TOKEN; basic from NEWSGRAPH_ENDPOINT_USER/_PASSWORD or user:password@."""
    parts = urllib.parse.urlsplit(url)
    token = os.environ.get("NEWSGRAPH_ENDPOINT_TOKEN")
    user = os.environ.get("NEWSGRAPH_ENDPOINT_USER") or (parts.username and urllib.parse.unquote(parts.username))
    password = os.environ.get("NEWSGRAPH_ENDPOINT_PASSWORD") or (
        urllib.parse.unquote(parts.password) if parts.password is not None else None)
    if token and (user or password):
        raise StoreError("set NEWSGRAPH_ENDPOINT_TOKEN or NEWSGRAPH_ENDPOINT_USER/NEWSGRAPH_ENDPOINT_PASSWORD, "
                         "not both")
    if token:
        return {"Authorization": f"Bearer {token}"}
    if user or password:
        if not (user and password is not None):
            raise StoreError("set both NEWSGRAPH_ENDPOINT_USER and NEWSGRAPH_ENDPOINT_PASSWORD for basic auth")
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")}
    return {}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect would carry the Authorization header to wherever it points.
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


def query_url_for(store_url: str) -> str:
    """Where the SPARQL query service of a GSP endpoint usually is (Oxigraph, Fuseki, GraphDB)."""
    for gsp, query in (("/store", "/query"), ("/data", "/query"), ("/rdf-graphs/service", "")):
        if store_url.rstrip("/").endswith(gsp):
            return store_url.rstrip("/")[: -len(gsp)] + query
    return store_url


class EndpointTarget:
    """A SPARQL 1.1 Graph Store Protocol endpoint: one named graph per article."""

    def __init__(self, url: str, query_url: str | None = None) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise StoreError(f"--endpoint {_redact(url)}: give the http:// or https:// URL "
                             "of a Graph Store Protocol endpoint")
        self._headers = _auth_header(url)
        self.url = _redact(url)  # credentials travel in the header, never in the URL
        self.query_url = query_url or query_url_for(self.url)
        handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
        if is_loopback(parts.hostname or ""):
            handlers.append(urllib.request.ProxyHandler({}))  # no HTTP proxy can reach this machine's loopback
        self._opener = urllib.request.build_opener(*handlers)

    def _graph_url(self, graph: str) -> str:
        return self.url + ("&" if "?" in self.url else "?") + urllib.parse.urlencode({"graph": graph})

    def _send(self, method: str, url: str, what: str, data: bytes | None = None,
              headers: dict[str, str] | None = None, ok_missing: bool = False) -> bytes:
        request = urllib.request.Request(url, data=data, method=method, headers={**self._headers, **(headers or {})})
        try:
            with self._opener.open(request, timeout=REQUEST_TIMEOUT_S) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            if ok_missing and exc.code == 404:
                return b""
            detail = " ".join(exc.read(300).decode("utf-8", "replace").split())
            hint = ""
            if exc.code in (401, 403):
                hint = " (check NEWSGRAPH_ENDPOINT_USER/NEWSGRAPH_ENDPOINT_PASSWORD or NEWSGRAPH_ENDPOINT_TOKEN)"
            raise StoreError(f"{self.url} refused to {what}: HTTP {exc.code} {exc.reason}{hint}"
                             + (f": {detail}" if detail else "")) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"cannot reach the endpoint {self.url}: {reason}") from None

    def replace_graph(self, graph: str, ntriples: bytes) -> None:
        # GSP PUT replaces the graph's content in one request; the server does it atomically.
        self._send("PUT", self._graph_url(graph), f"store graph <{graph}>", ntriples,
                   {"Content-Type": "application/n-triples"})

    def replace_graphs(self, graphs: dict[str, bytes]) -> None:
        for graph, ntriples in graphs.items():
            self.replace_graph(graph, ntriples)

    def remove_graph(self, graph: str) -> None:
        self._send("DELETE", self._graph_url(graph), f"delete graph <{graph}>", ok_missing=True)

    def _select(self, sparql: str, what: str) -> list[dict[str, dict[str, str]]]:
        body = self._send("POST", self.query_url, what, urllib.parse.urlencode({"query": sparql}).encode(),
                          {"Content-Type": "application/x-www-form-urlencoded",
                           "Accept": "application/sparql-results+json"})
        try:
            return json.loads(body)["results"]["bindings"]
        except (ValueError, KeyError, TypeError):
            raise StoreError(f"{self.query_url} did not answer a SPARQL query with JSON results") from None

    def select(self, sparql: str) -> list[dict[str, str]]:
        return [{k: v["value"] for k, v in row.items()} for row in self._select(sparql, "answer a query")]

    def graph_names(self) -> set[str]:
        rows = self._select(load_query("graph_names"), "list its named graphs")
        return {row["g"]["value"] for row in rows if row.get("g", {}).get("type") == "uri"}

    def versions(self) -> Versions:
        rows = self._select(load_query("article_versions"), "list the article versions it holds")
        return {row["graph"]["value"]: (row["hash"]["value"], row["stamp"]["value"] if "stamp" in row else "")
                for row in rows}

    def close(self) -> None:
        pass  # one connection per request: nothing to release


def target_spec(store: Path, endpoint: str | None = None) -> tuple[str, str]:
    """Where `newsgraph etl` loads: ("endpoint", URL) or ("store", PATH).

    A `newsgraph serve --writable` on the store makes it its Graph Store endpoint.
    Call this holding `etl.store.exclusive(store)`: a `newsgraph serve` starting now
    writes its state file before it checks that lock, so one of us sees the other.
    """
    if endpoint:
        return ("endpoint", endpoint)
    info = find_running(store, wait_s=START_WAIT_S)
    if info is not None and info.writable:
        return ("endpoint", info.store_url)
    if info is not None:
        raise StoreError(f"{store} is being served read-only at {info.url} (pid {info.pid}); stop that "
                         "`newsgraph serve` and run again, or serve with --writable to load while serving")
    if (starting := read_state(store)) is not None:
        raise StoreError(f"a `newsgraph serve` (pid {starting.pid}) has {store} open but does not answer "
                         f"at {starting.url}; stop it, then run again")
    flush_store(store)  # fail fast, with one line, if another process holds the store
    return ("store", str(store))


def open_target(spec: tuple[str, str]) -> Target:
    kind, where = spec
    return EndpointTarget(where) if kind == "endpoint" else StoreTarget.open(Path(where))


def target_for(store: Path, endpoint: str | None = None) -> Target:
    return open_target(target_spec(store, endpoint))
