"""Resolve stage: one node per person across articles, as owl:sameAs links in their own graph.

Each article keys its persons on its own (build.person_iri: "m-varga" for a first initial
and a surname skeleton, "varga" for a surname alone), so an article that only writes
"Varga" makes a node beside the full name's node. After each ETL run this stage reads every
person node of the whole store and links each surname-only node to the full-name node with
the same surname skeleton when exactly one such node is compatible (no conflicting country
or office); ambiguous surnames stay apart. Only when no such node fits, a two-part name that
may put the surname first ("Chen Lian", whose "Chen" is no known given name) is the candidate,
as within one article (etl.extract.persons). The links are a function of the store's content
alone, so the order articles loaded in does not matter and a rerun writes the same graph.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rdflib.namespace import OWL

from .build import person_iri
from .load import Target
from .namespaces import RESOLUTION
from .resources import load_query

_PERSON = str(person_iri(""))
_FULL_KEY = re.compile(r"(?P<initial>[a-z0-9]?)-(?P<surname>[a-z0-9]+)")
_SURNAME_KEY = re.compile(r"[a-z0-9]+")

# Words a role may end on that name a relation or a rank of importance, not an office:
# "his Ukrainian counterpart", "the Russian leader" fit any office.
_NOT_OFFICES = frozenset({"counterpart", "colleague", "leader", "official", "head", "chief"})
_RANK_WORDS = frozenset({"vice", "deputy"})  # a vice president is not the president


@dataclass(frozen=True)
class PersonNode:
    """What the whole store says about one person node."""

    iri: str
    surname: str  # the key's surname skeleton
    full: bool  # keyed on a first initial as well, not on the surname alone
    countries: frozenset[str]
    offices: frozenset[str]
    surname_first: frozenset[str] = frozenset()  # skeletons of a first part that may be the surname


def office(role: str) -> str | None:
    """The office a role names, for comparing: "U.S. Secretary of State" -> "secretary",
    "Polish Deputy Defense Minister" -> "deputy minister", "Ukrainian counterpart" -> None."""
    words = re.findall(r"[a-z]+", role.lower())
    if "of" in words[1:]:
        words = words[: words.index("of", 1)]
    if not words:
        return None
    head = words[-1][:-1] if words[-1].endswith("s") and not words[-1].endswith("ss") else words[-1]
    if head in _NOT_OFFICES:
        return None
    rank = next((w for w in words if w in _RANK_WORDS), None)
    return f"{rank} {head}" if rank else head


def person_nodes(rows: list[dict[str, str]]) -> list[PersonNode]:
    """Rows of person_facts.rq, one node each; nodes whose IRI is no person key are left out."""
    out = []
    for row in rows:
        key = row["person"].removeprefix(_PERSON)  # any other IRI keeps its ':' and matches neither
        if m := _FULL_KEY.fullmatch(key):
            surname, full = m.group("surname"), True
        elif _SURNAME_KEY.fullmatch(key):
            surname, full = key, False
        else:
            continue
        offices = frozenset(filter(None, map(office, row.get("roles", "").split("\x1f"))))
        first = _surname_first(row.get("names", "").split("\x1f")) if full else frozenset()
        out.append(PersonNode(row["person"], surname, full, frozenset(row.get("countries", "").split()), offices,
                              first))
    return out


def _surname_first(names: list[str]) -> frozenset[str]:
    """Skeletons of the first part of two-part names that do not start with a known given name."""
    # The same rule, lexicon and skeleton as within an article; imported here, where the ETL
    # has loaded etl.extract already, so that importing this module does not.
    from .extract.lexicon import load
    from .extract.persons import skeleton

    given = load().given_names
    return frozenset(skeleton(parts[0]) for parts in (n.split() for n in names)
                     if len(parts) == 2 and parts[0] not in given)


def _conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both known and nothing in common; what one node does not say never conflicts."""
    return bool(a and b and not a & b)


def compatible(variant: PersonNode, candidate: PersonNode) -> bool:
    return (not _conflict(variant.countries, candidate.countries)
            and not _conflict(variant.offices, candidate.offices))


def same_as(nodes: list[PersonNode]) -> dict[str, str]:
    """Surname-only node -> the one compatible full-name node, where there is exactly one."""
    by_surname: dict[str, list[PersonNode]] = defaultdict(list)
    by_first: dict[str, list[PersonNode]] = defaultdict(list)
    for node in nodes:
        if node.full:
            by_surname[node.surname].append(node)
            for first in node.surname_first:
                by_first[first].append(node)
    links = {}
    for node in nodes:
        if node.full:
            continue
        for pool in (by_surname, by_first):  # names in the usual order first
            if fits := [c for c in pool[node.surname] if compatible(node, c)]:
                break
        if len(fits) == 1:
            links[node.iri] = fits[0].iri
    return links


def resolution_ntriples(links: dict[str, str]) -> bytes:
    """The resolution graph, sorted: the same links give the same bytes."""
    return "".join(f"<{v}> <{OWL.sameAs}> <{c}> .\n" for v, c in sorted(links.items())).encode("utf-8")


def resolve(target: Target) -> dict[str, str]:
    """Rebuild the resolution graph from everything the target holds; returns its links."""
    links = same_as(person_nodes(target.select(load_query("person_facts"))))
    if links:
        target.replace_graph(str(RESOLUTION), resolution_ntriples(links))
    else:
        target.remove_graph(str(RESOLUTION))
    return links
