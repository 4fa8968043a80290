"""The files beside a store that let newsgraph processes take turns on it.

`STORE.etl.lock` (one ETL run at a time), `STORE.turn.lock` and `STORE.rw.lock`
(readers share, a writer waits for them and holds them alone) and
`STORE.serve.json` (a running `newsgraph serve` and where it answers). The load
stage and the endpoint (etl/serve/) both use them; neither imports the other for it.
"""
from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from .errors import UserError


class StoreError(UserError):
    """The store cannot be opened or written; the message says what to do."""


READ_WAIT_S = 600.0
WRITE_WAIT_S = 600.0


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


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Held by whatever reads the store while no newsgraph process writes it (see etl.load.read_store)."""
    where = f"{path}{_etl_pid(path)}"
    with _turn(path, fcntl.LOCK_SH, READ_WAIT_S, waiting=f"waiting for the ETL run loading into {where} to finish…",
               gave_up=f"an ETL run has been loading into {where} for over {READ_WAIT_S:.0f} s; "
                       "try again when it has finished"):
        yield


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Held by whatever opens the store read-write (see etl.load.read_store)."""
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


@dataclass(frozen=True)
class ServerInfo:
    """What a running `newsgraph serve` wrote about itself."""

    url: str  # the public base URL, ending in "/"
    pid: int  # the newsgraph serve process
    started: str  # its start time per /proc, so a reused pid is not taken for it
    oxigraph_pid: int
    writable: bool

    @property
    def query_url(self) -> str:
        return self.url + "query"

    @property
    def update_url(self) -> str:
        return self.url + "update"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint (`?graph=IRI`)."""
        return self.url + "store"


def state_path(store: Path) -> Path:
    store = store.resolve()
    return store.with_name(store.name + ".serve.json")


def start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot, "" where /proc is missing or the pid is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]  # field 22; the command name before ")" may hold spaces


def _alive(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: alive
    return start_time(pid) == started


def read_state(store: Path) -> ServerInfo | None:
    """The serve process recorded for this store if it is still alive (stale files are removed)."""
    path = state_path(store)
    try:
        info = ServerInfo(**json.loads(path.read_text()))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError):
        path.unlink(missing_ok=True)
        return None
    if _alive(info.pid, info.started):
        return info
    path.unlink(missing_ok=True)
    return None


def write_state(store: Path, info: ServerInfo) -> None:
    path = state_path(store)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(asdict(info)))
    tmp.replace(path)  # readers never see half a file


def remove_state(store: Path) -> None:
    path = state_path(store)
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass
