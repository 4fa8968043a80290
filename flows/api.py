"""Which Prefect API the flows talk to, set before Prefect is imported.

Without a server, every Prefect flow run starts a temporary API server
(~10 s here) and prints asyncio shutdown noise. So newsgraph starts one local
Prefect server in the background on first use and reuses it afterwards;
a user's own server or Prefect Cloud is used when PREFECT_API_URL is set.
This module does not import Prefect: it only decides the environment.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from etl.errors import UserError

STATE_DIR = Path(os.environ.get("NEWSGRAPH_HOME", Path.home() / ".newsgraph"))
STATE_FILE = STATE_DIR / "prefect-server.json"
START_TIMEOUT_S = 120.0

QUIET_DEFAULTS = {
    # No calls out from the Prefect client or server.
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # newsgraph prints its own progress and summary; Prefect's per-task lines would drown them,
    # and its shutdown chatter ("EventsWorker - Still processing items", asyncio callbacks
    # failing as a flow-run process exits) says nothing a user can act on.
    "PREFECT_LOGGING_LEVEL": "ERROR",
    "PREFECT_LOGGING_ROOT_LEVEL": "CRITICAL",
}


class PrefectServerError(UserError):
    """The local Prefect server could not be started; the message says what to do."""


@dataclass(frozen=True)
class LocalServer:
    url: str
    pid: int


def quiet_environment() -> None:
    for key, value in QUIET_DEFAULTS.items():
        os.environ.setdefault(key, value)


def ensure_api(log=print) -> str:
    """Point Prefect at an API: the user's (PREFECT_API_URL), or newsgraph's local server."""
    quiet_environment()
    if url := os.environ.get("PREFECT_API_URL"):
        return url
    server = running_server() or start_server(log)
    os.environ["PREFECT_API_URL"] = server.url
    return server.url


def running_server() -> LocalServer | None:
    try:
        state = json.loads(STATE_FILE.read_text())
        server = LocalServer(state["url"], int(state["pid"]))
    except (OSError, ValueError, KeyError):
        return None
    return server if _healthy(server.url) else None


def start_server(log=print) -> LocalServer:
    prefect = shutil.which("prefect") or str(Path(sys.executable).with_name("prefect"))
    if not Path(prefect).exists():
        raise PrefectServerError("the `prefect` command is not installed: reinstall newsgraph (pip install -e .)")
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(STATE_DIR / "prefect"), "PREFECT_LOGGING_LEVEL": "INFO"}
    env.pop("PREFECT_API_URL", None)
    log(f"starting a local Prefect server on {url[:-4]} (once; later runs reuse it, ~20 s)...")
    with (STATE_DIR / "prefect-server.log").open("ab") as out:
        proc = subprocess.Popen(
            [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            start_new_session=True,  # outlives this command; `newsgraph prefect stop` ends it
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise PrefectServerError(f"the local Prefect server exited at start; see {STATE_DIR / 'prefect-server.log'}")
        if _healthy(url):
            STATE_FILE.write_text(json.dumps({"url": url, "pid": proc.pid}))
            return LocalServer(url, proc.pid)
        time.sleep(0.5)
    proc.terminate()
    raise PrefectServerError(f"the local Prefect server did not answer within {START_TIMEOUT_S:.0f} s; "
                             f"see {STATE_DIR / 'prefect-server.log'}")


def stop_server() -> bool:
    server = running_server()
    STATE_FILE.unlink(missing_ok=True)
    if server is None:
        return False
    try:
        os.killpg(server.pid, 15)
    except ProcessLookupError:
        return False
    return True


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
