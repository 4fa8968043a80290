"""Build stage: one article's Extraction -> an rdflib Graph (its future named graph).

The only stage that writes RDF. Every node gets a deterministic IRI (no blank
nodes), so building the same article twice gives the same triples and a rerun
of the ETL leaves the store exactly as it was.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from .namespaces import ID, NG, PREFIXES, WD
from .records import Article, Country, Extraction, Meeting, Permission, Person, WeaponSystem

_MEETING_STATUS = {"held": NG.Held, "planned": NG.Planned}
_PERMISSION_STATUS = {"granted": NG.Granted, "restricted": NG.Restricted, "refused": NG.Refused}
_ACTION_TYPE = {"use": NG.Use, "supply": NG.Supply, "retransfer": NG.Retransfer}


def slug(text: str) -> str:
    """ASCII, lowercase, hyphenated: 'Lars Løkke Rasmussen' -> 'lars-lokke-rasmussen'."""
    folded = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "O"))
    folded = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "x"


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def article_iri(article: Article) -> URIRef:
    return ID[f"article/{article.id}"]


def person_iri(key: str) -> URIRef:
    return ID[f"person/{key}"]


def country_iri(country: Country) -> URIRef:
    return ID[f"country/{country.key}"]


def place_iri(name: str) -> URIRef:
    return ID[f"place/{slug(name)}"]


def weapon_iri(key: str) -> URIRef:
    return ID[f"weapon/{key}"]


def meeting_iri(article: Article, m: Meeting) -> URIRef:
    return ID[f"meeting/{article.id}-{_digest(sorted(m.participants), m.status, m.date, m.place, m.evidence)}"]


def permission_iri(article: Article, p: Permission) -> URIRef:
    grantor = p.grantor.key if p.grantor else ""
    # a use permission keeps the IRI it had before permissions had kinds
    kind = () if p.kind == "use" else (p.kind, p.recipient.key if p.recipient else "")
    return ID[f"permission/{article.id}-{_digest(grantor, p.grantor_person, p.grantee.key, p.status, p.weapon, p.evidence, *kind)}"]


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def _text(value: str) -> Literal:
    # A plain literal is xsd:string in RDF 1.1, and it is what Oxigraph hands back.
    return Literal(value)


def _date(value: date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def build_graph(x: Extraction, stamp: str | None = None) -> Graph:
    """The article's graph; `stamp` records which pipeline built it (for incremental runs)."""
    g = new_graph()
    art = _add_article(g, x.article)
    if stamp:
        g.add((art, NG.pipelineStamp, _text(stamp)))
    for person in x.persons:
        _add_person(g, art, person)
    for weapon in x.weapons:
        _add_weapon(g, art, weapon)
    for meeting in x.meetings:
        _add_meeting(g, art, x.article, meeting)
    for permission in x.permissions:
        _add_permission(g, art, x.article, permission)
    return g


def _add_article(g: Graph, a: Article) -> URIRef:
    node = article_iri(a)
    g.add((node, RDF.type, NG.Article))
    g.add((node, NG.sourcePath, _text(a.source)))
    g.add((node, NG.contentHash, _text(a.sha256)))
    if a.title:
        g.add((node, NG.title, _text(a.title)))
    if a.publisher:
        g.add((node, NG.publisher, _text(a.publisher)))
    if a.published:
        g.add((node, NG.datePublished, _date(a.published)))
    return node


def _add_fact(g: Graph, node: URIRef, cls: URIRef, art: URIRef, evidence: str) -> None:
    g.add((node, RDF.type, cls))
    g.add((node, NG.sourceArticle, art))
    g.add((node, NG.evidence, _text(evidence)))


def _add_country(g: Graph, art: URIRef, c: Country) -> URIRef:
    node = country_iri(c)
    g.add((node, RDF.type, NG.Country))
    g.add((node, RDF.type, NG.Place))
    g.add((node, NG.name, _text(c.name)))
    g.add((node, NG.mentionedIn, art))
    if c.wikidata:
        g.add((node, NG.wikidata, WD[c.wikidata]))
    return node


def _add_person(g: Graph, art: URIRef, p: Person) -> None:
    node = person_iri(p.key)
    _add_fact(g, node, NG.Person, art, p.evidence)
    g.add((node, NG.name, _text(p.name)))
    g.add((node, NG.mentionedIn, art))
    for alias in p.aliases:
        if alias != p.name:
            g.add((node, NG.alias, _text(alias)))
    for role in p.roles:
        g.add((node, NG.role, _text(role)))
    if p.country:
        g.add((node, NG.country, _add_country(g, art, p.country)))


def _add_weapon(g: Graph, art: URIRef, w: WeaponSystem) -> None:
    node = weapon_iri(w.key)
    _add_fact(g, node, NG.WeaponSystem, art, w.evidence)
    g.add((node, NG.name, _text(w.name)))
    g.add((node, NG.mentionedIn, art))
    for mention in w.mentions:
        if mention != w.name:
            g.add((node, NG.alias, _text(mention)))
    if w.kind:
        g.add((node, NG.kind, _text(w.kind)))
    if w.wikidata:
        g.add((node, NG.wikidata, WD[w.wikidata]))


def _add_meeting(g: Graph, art: URIRef, a: Article, m: Meeting) -> None:
    node = meeting_iri(a, m)
    _add_fact(g, node, NG.Meeting, art, m.evidence)
    for key in m.participants:
        g.add((node, NG.participant, person_iri(key)))
    g.add((node, NG.status, _MEETING_STATUS[m.status]))
    if m.date:
        g.add((node, NG.date, _date(m.date)))
    if m.place:
        place = place_iri(m.place)
        g.add((place, RDF.type, NG.Place))
        g.add((place, NG.name, _text(m.place)))
        g.add((node, NG.place, place))
    for topic in m.topics:
        g.add((node, NG.topic, _text(topic)))


def _add_permission(g: Graph, art: URIRef, a: Article, p: Permission) -> None:
    node = permission_iri(a, p)
    _add_fact(g, node, NG.Permission, art, p.evidence)
    g.add((node, NG.grantee, _add_country(g, art, p.grantee)))
    g.add((node, NG.status, _PERMISSION_STATUS[p.status]))
    g.add((node, NG.actionType, _ACTION_TYPE[p.kind]))
    if p.recipient:
        g.add((node, NG.recipient, _add_country(g, art, p.recipient)))
    if p.grantor:
        g.add((node, NG.grantor, _add_country(g, art, p.grantor)))
    if p.grantor_person:
        g.add((node, NG.grantorPerson, person_iri(p.grantor_person)))
    if p.weapon_system:
        g.add((node, NG.weaponSystem, weapon_iri(p.weapon_system)))
    for prop, value in ((NG.weapon, p.weapon), (NG.action, p.action), (NG.scope, p.scope)):
        if value:
            g.add((node, prop, _text(value)))
    if p.date:
        g.add((node, NG.date, _date(p.date)))
