"""The stages in order for one article, and a run summary.

flows/ wraps these in Prefect tasks; bench/ calls them directly to measure
Prefect's share. Nothing here imports Prefect.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from rdflib import Graph, URIRef

from . import __version__
from .build import build_graph
from .load import Target, Versions, graph_iri
from .namespaces import GRAPH, ID
from .read import ReadError, article_id, content_hash, parse_article, read_raw
from .records import Article
from .resolve import resolve
from .resources import SHAPES_DIR
from .validate import validate_graph

if TYPE_CHECKING:  # the NLP stack loads only for commands that extract
    from .extract.nlp import Parses

# Articles per batch: read, extracted (their sentences parsed together), validated and loaded
# as one; flows make one task of each.
BATCH_SIZE = 50

Outcome = Literal["ready", "skipped", "unreadable", "rejected", "failed"]


@cache
def pipeline_stamp(shapes: Path = SHAPES_DIR) -> str:
    """Fingerprint of what turns an article into its graph: code, lexicons, shapes.

    An article whose file and stamp both match what the store holds is skipped;
    a new release or edited lexicon rebuilds everything, as it should.
    """
    from .extract.nlp import model_stamp

    h = hashlib.sha256(f"{__version__} {model_stamp()}".encode())
    etl_dir = Path(__file__).resolve().parent
    code = [etl_dir / f"{m}.py" for m in GRAPH_MODULES]
    extraction = sorted(f for f in (etl_dir / "extract").rglob("*.*") if f.suffix in {".py", ".tsv", ".json"})
    shape_files = sorted(shapes.glob("*.ttl")) if shapes.is_dir() else [shapes]
    # File bytes, not parsed graphs: blank node labels differ from one process to the next.
    for f in [*code, *extraction, *shape_files]:
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()[:16]


GRAPH_MODULES = ("read", "records", "namespaces", "build")
"""The modules (with the whole etl/extract/ package and its data) whose code decides an
article's graph; editing the CLI, the server or the loader does not make every article look changed."""


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


@dataclass(frozen=True)
class _Built:
    """An article read, extracted and turned into its graph; not yet validated."""

    path: Path
    article_id: str
    graph: Graph
    counts: dict[str, int]


def prepare(path: Path, shapes: Path = SHAPES_DIR, stored: Versions | None = None, stamp: str = "") -> Prepared:
    """Everything but the load, for one file. Never raises: a bad article becomes a reason."""
    return prepare_batch([path], shapes, stored, stamp)[0]


def prepare_batch(paths: list[Path], shapes: Path = SHAPES_DIR, stored: Versions | None = None,
                  stamp: str = "") -> list[Prepared]:
    """Read, extract, build and validate a batch of files, one Prepared each, in order.

    `stored` is what the target already holds: an article whose bytes and pipeline
    `stamp` match is skipped after hashing, before any parsing or extraction.
    Validation is one pySHACL call for the whole batch (its per-call cost dominates
    small article graphs); only a batch that fails is checked article by article,
    to say which articles broke the shapes.
    """
    stamp = stamp or pipeline_stamp(shapes)
    read = [_read(path, stored, stamp) for path in paths]
    parses = _parse_ahead([r for r in read if isinstance(r, Article)])
    built = [r if isinstance(r, Prepared) else _build(r, parses, stamp) for r in read]
    graphs = [b.graph for b in built if isinstance(b, _Built)]
    try:
        batch_ok = len(graphs) > 1 and validate_graph(disjoint_union(graphs), shapes, scratch=True).conforms
    except Exception:  # validate one by one below, where each failure is reported with its article
        batch_ok = False
    return [b if isinstance(b, Prepared) else _validated(b, shapes, batch_ok) for b in built]


def disjoint_union(graphs: list[Graph]) -> Graph:
    """All graphs in one, each article's nodes renamed apart.

    Persons, countries and weapons are shared between articles; merged as they are,
    one article's triples could satisfy a shape another article's graph breaks.
    Renamed apart, the union conforms exactly when every graph does.
    """
    union = Graph()
    prefix = str(ID)
    for i, g in enumerate(graphs):
        def own(term, i=i):
            return URIRef(f"{term}#{i}") if isinstance(term, URIRef) and term.startswith(prefix) else term
        for s, p, o in g:
            union.add((own(s), p, own(o)))
    return union


def _read(path: Path, stored: Versions | None, stamp: str) -> Prepared | Article:
    try:
        raw = read_raw(path)
        if stored and stored.get(graph_iri(article_id(path))) == (content_hash(raw), stamp):
            return Prepared(str(path), "skipped", article_id(path))
        return parse_article(path, raw)
    except ReadError as exc:
        return Prepared(str(path), "unreadable", reasons=(str(exc),))


def _parse_ahead(articles: list[Article]) -> Parses | None:
    """The batch's sentences parsed together (the fast way); None if that fails, so that each
    article parses its own and a failure is reported with the article that caused it."""
    from .extract import parse_ahead

    try:
        return parse_ahead(articles) if articles else None
    except Exception:
        return None


def _build(article: Article, parses: Parses | None, stamp: str) -> Prepared | _Built:
    from .extract import extract

    path = Path(article.source)
    try:
        x = extract(article, parses)
        graph = build_graph(x, stamp)
    except Exception as exc:  # one bad article must not stop the batch
        return Prepared(str(path), "failed", article.id, reasons=(f"{path}: {type(exc).__name__}: {exc}",))
    counts = {"persons": len(x.persons), "meetings": len(x.meetings),
              "weapon_systems": len(x.weapons), "permissions": len(x.permissions)}
    return _Built(path, article.id, graph, counts)


def _validated(b: _Built, shapes: Path, batch_ok: bool) -> Prepared:
    if not batch_ok:
        try:
            report = validate_graph(b.graph, shapes)
        except Exception as exc:
            return Prepared(str(b.path), "failed", b.article_id, reasons=(f"{b.path}: SHACL validation: {exc}",))
        if not report.conforms:
            return Prepared(str(b.path), "rejected", b.article_id, counts=b.counts,
                            reasons=tuple(f"{b.path}: {v}" for v in report.violations))
    return Prepared(str(b.path), "ready", b.article_id, b.graph.serialize(format="nt", encoding="utf-8"),
                    len(b.graph), b.counts)


@dataclass
class Summary:
    read: int = 0
    loaded: int = 0
    skipped: int = 0
    pruned: int = 0
    resolved: int = 0  # surname-only person nodes linked to a full name's node (etl/resolve.py)
    unreadable: int = 0
    rejected: int = 0
    failed: int = 0
    triples: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("persons", "meetings", "weapon_systems", "permissions"), 0))
    problems: list[str] = field(default_factory=list)
    held_back: dict[str, list[str]] = field(default_factory=dict)  # source -> why it was not loaded
    cleared: list[str] = field(default_factory=list)  # sources now in the store as they are on disk
    quarantined: int = 0  # articles on the quarantine list after this run
    quarantine_file: str | None = None
    seconds: float = 0.0
    fatal: str | None = None  # why the run stopped before its end, if it did

    def add(self, p: Prepared, loaded: bool) -> None:
        self.read += 1
        if loaded:
            self.loaded += 1
            self.triples += p.triples
            for k, v in p.counts.items():
                self.counts[k] += v
        else:
            setattr(self, p.outcome, getattr(self, p.outcome) + 1)
        if loaded or p.outcome == "skipped":
            self.cleared.append(p.source)
        else:
            self.held_back[p.source] = list(p.reasons)
        self.problems.extend(p.reasons)

    @property
    def ok(self) -> bool:
        return not (self.unreadable or self.rejected or self.failed or self.fatal)

    def render(self) -> str:
        lines = [
            f"articles: {self.read} read, {self.loaded} loaded, {self.skipped} unchanged, "
            f"{self.rejected} rejected by SHACL, {self.unreadable} unreadable, {self.failed} failed"
            + (f", {self.pruned} pruned" if self.pruned else ""),
            f"triples loaded: {self.triples}",
            "facts: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in self.counts.items()),
            *([f"across articles: {self.resolved} person(s) named by surname alone linked to their full name"]
              if self.resolved else []),
            f"time: {self.seconds:.1f} s",
        ]
        lines += [f"problem: {p}" for p in self.problems]
        if self.quarantined:
            lines.append(f"quarantine: {self.quarantined} article(s) held back, listed with reasons in "
                         f"{self.quarantine_file}; fix them (or the rules) and run `newsgraph etl --quarantined`")
        if self.fatal:
            lines.append(f"stopped: {self.fatal}")
        return "\n".join(lines)


def load_prepared(target: Target, batch: list[Prepared]) -> list[tuple[Prepared, bool]]:
    """Replace each ready article's graph; one failed load does not stop the others."""
    ready = {i: graph_iri(p.article_id) for i, p in enumerate(batch) if p.outcome == "ready" and p.article_id}
    failed: dict[int, str] = {}
    try:
        # One call for the batch: the store adds the batch's new graphs in one bulk load.
        target.replace_graphs({g: batch[i].ntriples for i, g in ready.items()})
    except Exception:  # each graph went whole or not at all: redo them one by one to find the culprit
        for i, g in ready.items():
            try:
                target.replace_graph(g, batch[i].ntriples)
            except Exception as exc:  # the store keeps what it had: the swap is one transaction
                failed[i] = f"{batch[i].source}: load failed: {exc}"
    return [(Prepared(p.source, "failed", p.article_id, reasons=(failed[i],)), False) if i in failed
            else (p, i in ready) for i, p in enumerate(batch)]


def split_clashes(paths: Iterable[Path]) -> tuple[list[Path], list[Prepared]]:
    """The paths to load, and those whose article id an earlier path of the run already has.

    Two files with one id would share one named graph, the later silently replacing
    the earlier; the later is held back with a reason instead.
    """
    first: dict[str, Path] = {}
    keep: list[Path] = []
    clashes: list[Prepared] = []
    for path in paths:
        aid = article_id(path)
        if aid in first:
            clashes.append(Prepared(str(path), "failed", aid, reasons=(
                f"{path}: same article id ({aid}) as {first[aid]}, and one would replace the other; "
                "rename one of the two files",)))
        else:
            first[aid] = path
            keep.append(path)
    return keep, clashes


def batches(paths: Iterable[Path], size: int) -> Iterator[list[Path]]:
    """Fixed-size batches, so a large folder is never held in memory at once."""
    it = iter(paths)
    while batch := list(islice(it, size)):
        yield batch


LOAD_CAP_TRIPLES = 200_000
"""The most triples held back for one load (~2,000 articles, ~30 MB of N-Triples)."""


def load_groups(prepared: Iterable[list[Prepared]]) -> Iterator[list[Prepared]]:
    """Prepared batches regrouped into the loads to make, in order: each load at least half as
    many triples as the run's loads before it, from the first batch alone up to LOAD_CAP_TRIPLES.

    Every bulk load is a new file in the store's level 0, which RocksDB soon compacts into the
    rest of the store by rewriting it, in background threads: with a load per batch that cost
    grew with the store, from 1 ms of CPU per article early in a run to 5-6 ms by 10,000
    articles (measured: 41 s of compaction and 6 GB written for a 310 MB store; 5 s and 1 GB
    with these loads). The first batch still loads at once, and the cap bounds what waits in memory.
    """
    group: list[Prepared] = []
    before = 0
    for batch in prepared:
        group += batch
        triples = sum(p.triples for p in group)
        if triples >= min(LOAD_CAP_TRIPLES, before // 2):
            yield group
            before += triples
            group = []
    if group:
        yield group


def prune_graphs(target: Target, keep: Iterable[str]) -> int:
    """Remove the graphs of articles no longer in the source; returns how many went."""
    articles = {g for g in target.graph_names() if g.startswith(str(GRAPH))}
    gone = articles - {graph_iri(a) for a in keep}
    for graph in sorted(gone):
        target.remove_graph(graph)
    return len(gone)


def run_local(paths: Iterable[Path], target: Target, batch_size: int = BATCH_SIZE, shapes: Path = SHAPES_DIR) -> Summary:
    """The whole ETL without Prefect (bench/ compares against the flow)."""
    start = time.perf_counter()
    summary = Summary()
    stored = target.versions()
    stamp = pipeline_stamp(shapes)
    paths, clashes = split_clashes(paths)
    for p in clashes:
        summary.add(p, False)
    prepared = (prepare_batch(batch, shapes, stored, stamp) for batch in batches(paths, batch_size))
    for group in load_groups(prepared):
        for p, loaded in load_prepared(target, group):
            summary.add(p, loaded)
    summary.resolved = len(resolve(target))
    summary.seconds = time.perf_counter() - start
    return summary
