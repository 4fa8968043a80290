"""`newsgraph report`: one self-contained HTML page of the graph.

Who met whom (a network), meetings and permissions in time (a timeline), which grantors
allowed which weapon systems (a matrix), and every fact one click from its evidence
sentence and article. The page's data is JSON built from shipped queries
(etl.report.data); etl.report.page puts it, the page's script and the vendored drawing
libraries into one file that works offline.

The same page comes from the store on disk (`newsgraph report`) or from a SPARQL
endpoint (`newsgraph serve` answers it at /report).
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from ..errors import UserError
from ..load import read_store
from ..query import run_query
from .data import Built, Row, Select, collect, page_data
from .page import render

__all__ = ["ReportError", "endpoint_page", "store_page", "store_select"]

ENDPOINT_TIMEOUT_S = 120


class ReportError(UserError):
    """The report cannot be built; the message is one line for the user."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def store_select(store: ox.Store) -> Select:
    """Runs the page's queries on an open store."""
    def select(sparql: str) -> list[Row]:
        solutions = run_query(store, sparql)
        names = [v.value for v in solutions.variables]
        return [{n: term.value for n in names if (term := s[n]) is not None} for s in solutions]
    return select


def store_page(path: Path) -> bytes:
    """The page, from the on-disk store (waiting its turn while an ETL run loads, as queries do)."""
    rows = read_store(path, lambda store: collect(store_select(store)))
    return render(page_data(rows, Built(str(path), _now())))


def _endpoint_select(query_url: str) -> Select:
    # No proxies: newsgraph serve asks the Oxigraph server beside it, on this machine.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def select(sparql: str) -> list[Row]:
        request = urllib.request.Request(
            query_url, data=urllib.parse.urlencode({"query": sparql}).encode(),
            headers={"Accept": "application/sparql-results+json",
                     "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with opener.open(request, timeout=ENDPOINT_TIMEOUT_S) as response:
                bindings = json.load(response)["results"]["bindings"]
        except urllib.error.HTTPError as exc:
            detail = " ".join(exc.read(300).decode("utf-8", "replace").split())
            raise ReportError(f"{query_url} answered HTTP {exc.code}: {detail}") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ReportError(f"no SPARQL results from {query_url}: {exc}") from None
        return [{k: v["value"] for k, v in b.items()} for b in bindings]
    return select


def endpoint_page(query_url: str, store_label: str) -> bytes:
    """The page, from a SPARQL endpoint whose default graph is the union of the article graphs."""
    return render(page_data(collect(_endpoint_select(query_url)), Built(store_label, _now())))
