"""Query stage: SPARQL over the store, results as a table, CSV, TSV or JSON.

Queries see the union of all article graphs as their default graph, and GRAPH
clauses still name each article's graph (its provenance).
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Literal as Lit

import pyoxigraph as ox

from .errors import UserError
from .load import read_store
from .namespaces import PREFIXES

ResultFormat = Lit["table", "csv", "tsv", "json"]
_RESULT_FORMATS = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV, "json": ox.QueryResultsFormat.JSON}
_GRAPH_FORMATS = {"table": ox.RdfFormat.TURTLE, "csv": ox.RdfFormat.N_TRIPLES, "tsv": ox.RdfFormat.N_TRIPLES, "json": ox.RdfFormat.JSON_LD}
_PREFIXES = {p: str(ns) for p, ns in PREFIXES.items()}


class QueryError(UserError):
    """The query cannot run; the message is one line for the user."""


def parse_binding(text: str) -> tuple[ox.Variable, ox.NamedNode | ox.Literal]:
    """`name=value` from the command line: <...> is an IRI, anything else a plain literal."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise QueryError(f"--bind {text!r}: write it as NAME=VALUE (VALUE in <> for an IRI)")
    value = value.strip()
    term = ox.NamedNode(value[1:-1]) if value.startswith("<") and value.endswith(">") else ox.Literal(value)
    return ox.Variable(name.strip().lstrip("?$")), term


def run_query(store: ox.Store, sparql: str, bindings: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None):
    try:
        return store.query(sparql, prefixes=_PREFIXES, use_default_graph_as_union=True, substitutions=bindings or None)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {' '.join(str(exc).split())}") from None
    except (OSError, RuntimeError) as exc:
        raise QueryError(f"query failed: {' '.join(str(exc).split())}") from None


def format_result(result, fmt: ResultFormat) -> str:
    if isinstance(result, ox.QueryBoolean):
        return ("true" if result else "false") + "\n"
    if isinstance(result, ox.QueryTriples):
        return ox.serialize(result, format=_GRAPH_FORMATS[fmt], prefixes=_PREFIXES).decode("utf-8")
    if fmt == "table":
        return _table(result)
    return result.serialize(format=_RESULT_FORMATS[fmt]).decode("utf-8")


def query_store(path: Path, sparql: str, fmt: ResultFormat = "table", bindings=None) -> str:
    return read_store(path, lambda store: format_result(run_query(store, sparql, bindings), fmt))


TABLE_CELL_CHARS = 60
"""The table is for reading at a terminal: IRIs shortened to prefixes, long text cut (csv/json keep all)."""


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        text = next((f"{p}:{term.value[len(ns):]}" for p, ns in _PREFIXES.items() if term.value.startswith(ns)),
                    term.value)
    else:
        text = term.value if isinstance(term, ox.Literal) else str(term)
    return text if len(text) <= TABLE_CELL_CHARS else text[:TABLE_CELL_CHARS - 1] + "…"


def _table(solutions: ox.QuerySolutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[_cell(sol[n]) for n in names] for sol in solutions]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    out = io.StringIO()
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths))
    out.write(line.rstrip() + "\n" + "  ".join("-" * w for w in widths) + "\n")
    for r in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")
    return out.getvalue()
