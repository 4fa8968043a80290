"""The stages in order for one article, and a run summary.

flows/ wraps these in Prefect tasks; bench/ calls them directly to measure
Prefect's share. Nothing here imports Prefect.
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from itertools import islice
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .build import build_graph
from .load import Target, graph_iri
from .read import ReadError, read_article
from .resources import SHAPES_DIR
from .validate import validate_graph

Outcome = Literal["ready", "unreadable", "rejected", "failed"]


@dataclass(frozen=True)
class Prepared:
    """One article after read -> extract -> build -> validate, ready to load or not."""

    source: str
    outcome: Outcome
    article_id: str | None = None
    ntriples: bytes = b""
    triples: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()


def prepare(path: Path, shapes: Path = SHAPES_DIR) -> Prepared:
    """Everything but the load, for one file. Never raises: a bad article becomes a reason."""
    from .extract import extract  # the NLP stack loads only for commands that extract

    try:
        article = read_article(path)
    except ReadError as exc:
        return Prepared(str(path), "unreadable", reasons=(str(exc),))
    try:
        x = extract(article)
        graph = build_graph(x)
        report = validate_graph(graph, shapes)
    except Exception as exc:  # one bad article must not stop the batch
        return Prepared(str(path), "failed", article.id, reasons=(f"{path}: {type(exc).__name__}: {exc}",))
    counts = {"persons": len(x.persons), "meetings": len(x.meetings),
              "weapon_systems": len(x.weapons), "permissions": len(x.permissions)}
    if not report.conforms:
        return Prepared(str(path), "rejected", article.id, counts=counts,
                        reasons=tuple(f"{path}: {v}" for v in report.violations))
    return Prepared(str(path), "ready", article.id, graph.serialize(format="nt", encoding="utf-8"),
                    len(graph), counts)


@dataclass
class Summary:
    read: int = 0
    loaded: int = 0
    unreadable: int = 0
    rejected: int = 0
    failed: int = 0
    triples: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("persons", "meetings", "weapon_systems", "permissions"), 0))
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, p: Prepared, loaded: bool) -> None:
        self.read += 1
        if loaded:
            self.loaded += 1
            self.triples += p.triples
            for k, v in p.counts.items():
                self.counts[k] += v
        else:
            setattr(self, p.outcome, getattr(self, p.outcome) + 1)
        self.problems.extend(p.reasons)

    @property
    def ok(self) -> bool:
        return not (self.unreadable or self.rejected or self.failed)

    def render(self) -> str:
        lines = [
            f"articles: {self.read} read, {self.loaded} loaded, {self.rejected} rejected by SHACL, "
            f"{self.unreadable} unreadable, {self.failed} failed",
            f"triples loaded: {self.triples}",
            "facts: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in self.counts.items()),
            f"time: {self.seconds:.1f} s",
        ]
        lines += [f"problem: {p}" for p in self.problems]
        return "\n".join(lines)


def load_prepared(target: Target, batch: list[Prepared]) -> list[tuple[Prepared, bool]]:
    """Replace each ready article's graph; one failed load does not stop the others."""
    out = []
    for p in batch:
        if p.outcome != "ready" or p.article_id is None:
            out.append((p, False))
            continue
        try:
            target.replace_graph(graph_iri(p.article_id), p.ntriples)
            out.append((p, True))
        except Exception as exc:  # the store keeps what it had: the swap is one transaction
            out.append((Prepared(p.source, "failed", p.article_id, reasons=(f"{p.source}: load failed: {exc}",)), False))
    return out


def batches(paths: Iterable[Path], size: int) -> Iterator[list[Path]]:
    """Fixed-size batches, so a large folder is never held in memory at once."""
    it = iter(paths)
    while batch := list(islice(it, size)):
        yield batch


def run_local(paths: Iterable[Path], target: Target, batch_size: int = 50, shapes: Path = SHAPES_DIR) -> Summary:
    """The whole ETL without Prefect (bench/ compares against the flow)."""
    start = time.perf_counter()
    summary = Summary()
    for batch in batches(paths, batch_size):
        for p, loaded in load_prepared(target, [prepare(path, shapes) for path in batch]):
            summary.add(p, loaded)
    summary.seconds = time.perf_counter() - start
    return summary
