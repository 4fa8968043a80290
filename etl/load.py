"""Load stage: one named graph per article, replaced atomically.

A *target* is where graphs go: the embedded on-disk Oxigraph store (StoreTarget,
here) or any SPARQL 1.1 Graph Store Protocol endpoint (etl.serve.graphstore). Both take
an article's triples as N-Triples and swap its named graph in one transaction,
so a crash or a rejected article never leaves half an article in the store.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import pyoxigraph as ox

from .namespaces import GRAPH, ONTOLOGY
from .resources import ONTOLOGY_DIR, load_query
from .store import StoreError, read_state, reading, writing


T = TypeVar("T")

Versions = dict[str, tuple[str, str]]
"""Article graph IRI -> (content hash, pipeline stamp) of what the target holds."""


class Target(Protocol):
    def replace_graph(self, graph: str, ntriples: bytes) -> None: ...

    def replace_graphs(self, graphs: dict[str, bytes]) -> None:
        """Several graphs; each one arrives whole or not at all. After an error any of them may
        have been replaced (wholly): replace them one by one to learn which one failed."""
        ...

    def remove_graph(self, graph: str) -> None: ...
    def graph_names(self) -> set[str]: ...

    def select(self, sparql: str) -> list[dict[str, str]]:
        """A SELECT's rows, each variable's value as text (unbound ones left out). Name graphs
        with GRAPH: targets differ in what their default graph holds."""
        ...

    def versions(self) -> Versions: ...
    def close(self) -> None: ...


def graph_iri(article_id: str) -> str:
    return str(GRAPH[article_id])


def open_store(path: Path, *, create: bool = True) -> ox.Store:
    """Open the on-disk store read-write, with one clear message when it cannot be."""
    if not create and not path.exists():
        raise StoreError(f"no store at {path}: run `newsgraph etl SOURCE --store {path}` first")
    try:
        return ox.Store(str(path))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreError(
                f"the store {path} is in use by another process (a running `newsgraph serve` or etl); "
                "stop it or wait for it to finish, then try again"
            ) from None
        raise StoreError(f"cannot open the store {path}: {exc}") from None


def read_store(path: Path, work: Callable[[ox.Store], T]) -> T:
    """`work` on a read-only view of the store, while no newsgraph process writes it.

    RocksDB gives no guarantee to a reader while another process writes (measured
    with a busy writer: 4% of reads failed on files compaction had deleted, one saw
    an empty store, one grew to 24 GB). So readers share a lock that a writer holds
    alone: a query waits for the ETL run loading now, and an ETL run waits for the
    queries reading now. Neither fails because the other is there.
    """
    if not path.exists():
        raise StoreError(f"no store at {path}: run `newsgraph etl SOURCE --store {path}` first")
    if (server := read_state(path)) is not None and server.writable:
        raise StoreError(f"{path} is being served writable at {server.url}; query it there "
                         f"(curl {server.query_url} --data-urlencode query=...) or stop that server")
    with reading(path):
        try:
            view = ox.Store.read_only(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the store {path}: {exc}") from None
        try:
            return work(view)
        finally:
            del view  # closed before the lock goes, or a writer could start under it


def flush_store(path: Path, *, create: bool = True) -> None:
    """Open read-write once, as a writer, and flush: one line if another process holds the store."""
    with writing(path):
        open_store(path, create=create).flush()


def load_ontology(target: Target) -> None:
    """(Re)load ontology/ into its own named graph, so queries can read its labels."""
    data = b"".join(
        ox.serialize(ox.parse(path=str(p), format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)
        for p in sorted(ONTOLOGY_DIR.glob("*.ttl"))
    )
    target.replace_graph(str(ONTOLOGY), data)


@dataclass
class StoreTarget:
    """The embedded Oxigraph store on disk."""

    store: ox.Store
    lock: ExitStack

    @classmethod
    def open(cls, path: Path) -> "StoreTarget":
        lock = ExitStack()
        lock.enter_context(writing(path))
        try:
            store = open_store(path)
        except BaseException:
            lock.close()
            raise
        # Holding the store read-write means no bulk load of ours is under way: its
        # temporary files here were left by a killed run and were never part of the store.
        for leftover in path.glob("bulk-*.sst"):
            leftover.unlink(missing_ok=True)
        return cls(store, lock)

    def replace_graphs(self, graphs: dict[str, bytes]) -> None:
        new = {g: nt for g, nt in graphs.items()
               if not self.store.contains_named_graph(ox.NamedNode(g)) and _is_plain_ntriples(nt)}
        if new:
            # Oxigraph's bulk loader writes sorted files and adds them to the store in one
            # atomic ingestion when it commits, without a transaction's per-quad reads:
            # 2.7x faster than a transaction per article on 1M triples (measured, bench/).
            # All of this batch's new graphs arrive together or none does.
            self.store.bulk_load(b"".join(_to_nquads(g, nt) for g, nt in new.items()), format=ox.RdfFormat.N_QUADS)
        for g, nt in graphs.items():
            if g not in new:
                self.replace_graph(g, nt)

    def replace_graph(self, graph: str, ntriples: bytes) -> None:
        g = ox.NamedNode(graph)
        if not self.store.contains_named_graph(g):
            # A new article: Store.load is one transaction, and 2-3x faster than an update.
            self.store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=g)
            return
        # A changed article: one SPARQL update is one transaction, so the old graph goes and
        # the new one arrives together or not at all. The data is N-Triples that rdflib
        # serialized, never text from a user.
        self.store.update(f"DROP SILENT GRAPH {g} ;\nINSERT DATA {{ GRAPH {g} {{\n{ntriples.decode('utf-8')}\n}} }}")

    def remove_graph(self, graph: str) -> None:
        self.store.update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")

    def graph_names(self) -> set[str]:
        return {g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)}

    def select(self, sparql: str) -> list[dict[str, str]]:
        rows = self.store.query(sparql)
        names = [v.value for v in rows.variables]
        return [{n: row[n].value for n in names if row[n] is not None} for row in rows]

    def versions(self) -> Versions:
        return {row["graph"].value: (row["hash"].value, row["stamp"].value if row["stamp"] else "")
                for row in self.store.query(load_query("article_versions"))}

    def close(self) -> None:
        self.store.flush()
        del self.store  # RocksDB closes (and stops compacting) before readers may come in
        self.lock.close()


def _is_plain_ntriples(ntriples: bytes) -> bool:
    """One triple per line, each ending " .": what rdflib writes, and what _to_nquads can rewrite."""
    return ntriples.endswith(b" .\n") and ntriples.count(b"\n") == ntriples.count(b" .\n")


def _to_nquads(graph: str, ntriples: bytes) -> bytes:
    # N-Triples escapes line breaks inside literals, so " .\n" only ever ends a statement.
    return ntriples.replace(b" .\n", f" {ox.NamedNode(graph)} .\n".encode())
