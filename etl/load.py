"""Load stage: one named graph per article, replaced atomically.

A *target* is where graphs go: the embedded on-disk Oxigraph store (StoreTarget,
here) or any SPARQL 1.1 Graph Store Protocol endpoint (etl.endpoint). Both take
an article's triples as N-Triples and swap its named graph in one transaction,
so a crash or a rejected article never leaves half an article in the store.
"""
from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol, TypeVar

import pyoxigraph as ox

from .errors import UserError
from .namespaces import GRAPH, ONTOLOGY
from .resources import ONTOLOGY_DIR, load_query


class StoreError(UserError):
    """The store cannot be opened or written; the message says what to do."""


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


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """One ETL run at a time per store: a second run refuses with one line instead of interleaving."""
    lock_path = path.with_name(path.name + ".etl.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            raise StoreError(f"another `newsgraph etl` (pid {holder}) is loading into {path}; "
                             "wait for it to finish, then run again") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield


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


READ_WAIT_S = 600.0
WRITE_WAIT_S = 600.0


def read_store(path: Path, work: Callable[[ox.Store], T]) -> T:
    """`work` on a read-only view of the store, while no newsgraph process writes it.

    RocksDB gives no guarantee to a reader while another process writes (measured
    with a busy writer: 4% of reads failed on files compaction had deleted, one saw
    an empty store, one grew to 24 GB). So readers share a lock that a writer holds
    alone: a query waits for the ETL run loading now, and an ETL run waits for the
    queries reading now. Neither fails because the other is there.
    """
    from .serve import read_state  # serve imports this module

    if not path.exists():
        raise StoreError(f"no store at {path}: run `newsgraph etl SOURCE --store {path}` first")
    if (server := read_state(path)) is not None and server.writable:
        raise StoreError(f"{path} is being served writable at {server.url}; query it there "
                         f"(curl {server.query_url} --data-urlencode query=...) or stop that server")
    where = f"{path}{_etl_pid(path)}"
    with _turn(path, fcntl.LOCK_SH, READ_WAIT_S, waiting=f"waiting for the ETL run loading into {where} to finish…",
               gave_up=f"an ETL run has been loading into {where} for over {READ_WAIT_S:.0f} s; "
                       "try again when it has finished"):
        try:
            view = ox.Store.read_only(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the store {path}: {exc}") from None
        try:
            return work(view)
        finally:
            del view  # closed before the lock goes, or a writer could start under it


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Held by whatever opens the store read-write (see read_store)."""
    with _turn(path, fcntl.LOCK_EX, WRITE_WAIT_S, waiting=f"waiting for the queries reading {path} to finish…",
               gave_up=f"a query or export has been reading {path} for over {WRITE_WAIT_S:.0f} s; "
                       "stop it, then run again"):
        yield


@contextmanager
def _turn(path: Path, mode: int, wait_s: float, *, waiting: str, gave_up: str) -> Iterator[None]:
    """The readers' shared lock or the writer's exclusive one, taken through a turnstile.

    A writer holds the turnstile while it waits for the readers in progress, and new
    readers wait at it: a stream of queries cannot starve an ETL run (flock alone
    grants shared locks whenever no one holds the exclusive one).
    """
    deadline = time.monotonic() + wait_s
    told = False

    def take(suffix: str, how: int) -> IO[str] | nullcontext[None]:
        nonlocal told
        lock_path = path.with_name(path.name + suffix)
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fh = lock_path.open("a")
        except PermissionError:
            # A store this user may only read (a shared folder): nor can this user write it.
            return nullcontext()
        while True:
            try:
                fcntl.flock(fh, how | fcntl.LOCK_NB)
                return fh
            except BlockingIOError:
                if time.monotonic() > deadline:
                    fh.close()
                    raise StoreError(gave_up) from None
                if not told:
                    print(waiting, file=sys.stderr, flush=True)
                    told = True
                time.sleep(0.05)

    with take(".turn.lock", mode):
        held = take(".rw.lock", mode)
    with held:  # closing the file releases the lock, also when the process dies
        yield


def _etl_pid(path: Path) -> str:
    try:
        pid = path.with_name(path.name + ".etl.lock").read_text().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid else ""


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
