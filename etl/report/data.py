"""What the report page shows, as JSON: rows of shipped queries, joined and grouped.

Every row and number comes from a query in ontology/queries/ (loaded by name), so the
page agrees with `newsgraph query --name meetings` and the rest. Persons and articles are
listed once and facts refer to them by position, which keeps the page small at 10,000
articles; how to draw them (which persons the network shows, which date a fact stands
at) is the page script's business, so a filter can change it.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..resources import load_query

Row = dict[str, str]
"""One solution: variable name -> lexical value (an IRI's text for IRIs); unbound variables are absent."""

Select = Callable[[str], list[Row]]
"""Runs a SELECT query (its text) on the store or endpoint the report is built from."""

QUERIES = ("report_counts", "report_articles", "persons", "meetings", "permissions", "permission_evidence")
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
    persons = _persons(rows["persons"])
    meetings = _meetings(rows["meetings"], articles, persons)
    permissions = _permissions(rows["permissions"], rows["permission_evidence"], articles, persons)
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
    """Things listed once and referred to by position; one a query names but never lists
    (none should be) gets a bare entry rather than breaking the page."""

    def __init__(self, bare: Callable[[str], dict[str, Any]]) -> None:
        self.at: dict[str, int] = {}
        self.items: list[dict[str, Any]] = []
        self.bare = bare

    def put(self, iri: str, item: dict[str, Any]) -> None:
        if iri not in self.at:
            self.at[iri] = len(self.items)
            self.items.append(item)

    def of(self, iri: str) -> int:
        if iri not in self.at:
            self.put(iri, self.bare(iri))
        return self.at[iri]


def _persons(rows: list[Row]) -> _Listed:
    """One entry per person (persons.rq's `person`: the one node across articles), with the name
    most articles give in full, every role, and the country most articles give."""
    names: dict[str, Counter[str]] = defaultdict(Counter)
    roles: dict[str, Counter[str]] = defaultdict(Counter)
    countries: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        p = r["person"]
        names[p][r["name"]] += 1
        roles[p].update(x.strip() for x in r.get("roles", "").split(";") if x.strip())
        if r.get("country"):
            countries[p][r["country"]] += 1
    persons = _Listed(lambda iri: {"iri": iri, "name": _tail(iri), "roles": [], "country": None})
    for p, spelled in names.items():
        # A full name beats a surname alone, then the most common spelling, then the longest.
        name = max(spelled, key=lambda n: (len(n.split()), spelled[n], len(n), n))
        persons.put(p, {"iri": p, "name": name, "roles": [x for x, _ in roles[p].most_common()],
                        "country": countries[p].most_common(1)[0][0] if countries[p] else None})
    return persons


def _meetings(rows: list[Row], articles: _Listed, persons: _Listed) -> list[dict[str, Any]]:
    """One entry per meeting (meetings.rq has one row per participant)."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        m = out.get(r["meeting"])
        if m is None:
            m = out[r["meeting"]] = {
                "iri": r["meeting"], "article": articles.of(r["article"]), "date": r.get("date"),
                "place": r.get("place"), "status": r["status"], "evidence": r["evidence"],
                "participants": [], "written": []}
        who = persons.of(r["person"])
        if who not in m["participants"]:  # two nodes of one person (surname alone, full name) meet once
            m["participants"].append(who)
        if r["participant"] not in m["written"]:
            m["written"].append(r["participant"])
    return list(out.values())


def _permissions(rows: list[Row], evidence: list[Row], articles: _Listed, persons: _Listed) -> list[dict[str, Any]]:
    more = {r["permission"]: r for r in evidence}
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["permission"] in out:
            continue
        extra = more.get(r["permission"], {})
        node = r.get("grantorPersonNode")
        out[r["permission"]] = {
            "iri": r["permission"], "article": articles.of(r["article"]), "grantor": r.get("grantor"),
            "grantorPerson": r.get("grantorPerson"), "grantorPersonNode": persons.of(node) if node else None,
            "grantee": r["grantee"], "weapon": r.get("weapon"), "weaponSystem": extra.get("weaponSystem"),
            "weaponSystemName": extra.get("weaponSystemName"), "action": r.get("action"), "scope": r.get("scope"),
            "date": r.get("date"), "status": r["status"], "evidence": extra.get("evidence", "")}
    return list(out.values())
