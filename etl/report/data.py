"""What the report page shows, as JSON: rows of shipped queries, joined and grouped.

Every row and number comes from a query in ontology/queries/ (loaded by name), so the
page agrees with `newsgraph query --name meetings` and the rest. Persons and articles are
listed once and facts refer to them by position, which keeps the page small at 10,000
articles; how to draw them (which persons the network shows, which date a fact stands
at) is the page script's business, so a filter can change it.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..resources import load_query

Row = dict[str, str]
"""One solution: variable name -> lexical value (an IRI's text for IRIs); unbound variables are absent."""

Select = Callable[[str], list[Row]]
"""Runs a SELECT query (its text) on the store or endpoint the report is built from."""

QUERIES = ("report_counts", "report_articles", "report_status_labels", "report_persons", "report_meetings",
           "report_permissions")
COUNTS = ("articles", "persons", "meetings", "weaponSystems", "permissions")

NETWORK_LIMIT = 1500
"""More persons than this and the network draws the top ones by meetings (and says so):
a force layout of thousands of nodes takes longer to settle than a reader waits."""


@dataclass(frozen=True)
class Built:
    """Where and when the page was built from."""

    store: str
    time: str  # ISO 8601, UTC


def collect(select: Select) -> dict[str, list[Row]]:
    """The rows of every query the page needs, by query name."""
    return {name: select(load_query(name)) for name in QUERIES}


def page_data(rows: dict[str, list[Row]], built: Built) -> dict[str, Any]:
    """The JSON document the page's script draws from."""
    counts = rows["report_counts"][0] if rows["report_counts"] else {}
    articles = _Listed(lambda iri: {"iri": iri, "id": _tail(iri)})
    for r in rows["report_articles"]:
        articles.put(r["article"], {"iri": r["article"], "id": _tail(r["article"]), "title": r.get("title"),
                                    "publisher": r.get("publisher"), "published": r.get("published"),
                                    "path": r.get("path")})
    status = {r["status"]: r["label"] for r in rows["report_status_labels"]}
    persons = _persons(rows["report_persons"])
    meetings = _meetings(rows["report_meetings"], status, articles, persons)
    permissions = _permissions(rows["report_permissions"], status, articles, persons)
    return {
        "built": {"store": built.store, "time": built.time},
        "counts": {k: int(counts.get(k, 0)) for k in COUNTS},
        "networkLimit": NETWORK_LIMIT,
        "articles": articles.items,
        "persons": persons.items,
        "meetings": meetings,
        "permissions": permissions,
    }


def _tail(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


class _Listed:
    """Things listed once, when a fact first names them, and referred to by position."""

    def __init__(self, make: Callable[[str], dict[str, Any]]) -> None:
        self.at: dict[str, int] = {}
        self.items: list[dict[str, Any]] = []
        self.make = make

    def put(self, iri: str, item: dict[str, Any]) -> None:
        if iri not in self.at:
            self.at[iri] = len(self.items)
            self.items.append(item)

    def of(self, iri: str) -> int:
        if iri not in self.at:
            self.put(iri, self.make(iri))
        return self.at[iri]


def _persons(rows: list[Row]) -> _Listed:
    """Persons as facts name them (the one node across articles, as persons.rq's `person`),
    each with the name most articles give in full, every role, and the country most articles give."""
    names: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # person -> name -> graphs
    roles: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    countries: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in rows:
        p, g = r["person"], r["g"]
        names[p][r["name"]].add(g)
        if "role" in r:
            roles[p][r["role"]].add(g)
        if "country" in r:
            countries[p][r["country"]].add(g)

    def person(iri: str) -> dict[str, Any]:
        spelled = names.get(iri) or {_tail(iri): set()}
        # A full name beats a surname alone, then the most common spelling, then the longest.
        name = max(spelled, key=lambda n: (len(n.split()), len(spelled[n]), len(n), n))
        return {"iri": iri, "name": name, "roles": _by_articles(roles.get(iri, {})),
                "country": next(iter(_by_articles(countries.get(iri, {}))), None)}
    return _Listed(person)


def _by_articles(seen: dict[str, set[str]]) -> list[str]:
    """Values said by more articles first."""
    return sorted(seen, key=lambda v: (-len(seen[v]), v))


def _label(status: dict[str, str], iri: str) -> str:
    return status.get(iri) or _tail(iri).lower()  # a store without the ontology graph has no labels


def _meetings(rows: list[Row], status: dict[str, str], articles: _Listed, persons: _Listed) -> list[dict[str, Any]]:
    """One entry per meeting (the query has one row per participant)."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        m = out.get(r["meeting"])
        if m is None:
            m = out[r["meeting"]] = {
                "iri": r["meeting"], "article": articles.of(r["article"]), "date": r.get("date"),
                "place": r.get("place"), "status": _label(status, r["status"]), "evidence": r["evidence"],
                "participants": [], "written": []}
        who = persons.of(r["person"])
        if who not in m["participants"]:  # two nodes of one person (surname alone, full name) meet once
            m["participants"].append(who)
        if r["participant"] not in m["written"]:
            m["written"].append(r["participant"])
    return list(out.values())


def _permissions(rows: list[Row], status: dict[str, str], articles: _Listed, persons: _Listed) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["permission"] in out:
            continue
        node = r.get("grantorPersonNode")
        out[r["permission"]] = {
            "iri": r["permission"], "article": articles.of(r["article"]), "grantor": r.get("grantor"),
            "grantorPerson": r.get("grantorPerson"), "grantorPersonNode": persons.of(node) if node else None,
            "grantee": r["grantee"], "weapon": r.get("weapon"), "weaponSystem": r.get("weaponSystem"),
            "weaponSystemName": r.get("weaponSystemName"), "action": r.get("action"), "scope": r.get("scope"),
            "date": r.get("date"), "status": _label(status, r["status"]), "evidence": r["evidence"]}
    return list(out.values())
