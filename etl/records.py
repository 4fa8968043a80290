"""Typed records passed between pipeline stages. No RDF here: that is build.py's job."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

MeetingStatus = Literal["held", "planned"]
PermissionStatus = Literal["granted", "restricted", "refused"]
# use: the grantee may use the weapons; supply: it may get them (a sale, an export, a delivery);
# retransfer: it may pass the grantor's weapons on to a third country (the recipient)
PermissionKind = Literal["use", "supply", "retransfer"]


@dataclass(frozen=True)
class Article:
    """One input document after reading: its main text and what the page says about itself."""

    id: str  # stable, IRI-safe id (the file stem, slugged)
    source: str  # path the text came from
    text: str  # main text (page boilerplate left for extract to drop)
    sha256: str  # hash of the raw bytes: drives incremental runs
    title: str | None = None
    publisher: str | None = None
    published: date | None = None


@dataclass(frozen=True)
class Country:
    key: str  # slug, stable across runs: "united-states"
    name: str  # canonical English name: "United States"
    wikidata: str | None = None  # "Q30"


@dataclass(frozen=True)
class Person:
    key: str  # stable across articles and runs: same person, same key
    name: str  # fullest form written in the article: "Marta Varga"
    evidence: str  # sentence that introduces the person
    aliases: tuple[str, ...] = ()  # other forms seen in the article
    roles: tuple[str, ...] = ()  # as written: "Foreign Minister"
    country: Country | None = None


@dataclass(frozen=True)
class WeaponSystem:
    key: str  # slug of the canonical name: "mim-104-patriot"
    name: str  # canonical: "MIM-104 Patriot"
    evidence: str
    mentions: tuple[str, ...] = ()  # as written in the article: "Patriots"
    kind: str | None = None  # "air defence system", "fighter aircraft", ...
    wikidata: str | None = None  # "Q174968"


@dataclass(frozen=True)
class Meeting:
    participants: tuple[str, ...]  # Person.key of each, two or more
    status: MeetingStatus
    evidence: str
    date: date | None = None
    place: str | None = None  # as written: "Kyiv"
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Permission:
    grantee: Country
    status: PermissionStatus
    evidence: str
    grantor: Country | None = None
    grantor_person: str | None = None  # Person.key
    weapon: str | None = None  # what may be used, as written: "US weapons"
    weapon_system: str | None = None  # WeaponSystem.key when a named system
    action: str | None = None  # "strike targets in Russia"
    scope: str | None = None  # "Kharkiv region", "Russian territory"
    date: date | None = None
    kind: PermissionKind = "use"
    recipient: Country | None = None  # where a retransfer goes


@dataclass
class Extraction:
    """Everything extract() found in one article."""

    article: Article
    persons: list[Person] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    weapons: list[WeaponSystem] = field(default_factory=list)
    permissions: list[Permission] = field(default_factory=list)
