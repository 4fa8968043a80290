"""`newsgraph schedule`: a real Prefect deployment on a real local Prefect server fires and loads."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

NEWSGRAPH = str(Path(sys.executable).with_name("newsgraph"))


def _articles(store: Path, env: dict) -> set[str]:
    """The store's articles, asked the way a user would while the schedule runs."""
    proc = subprocess.run([NEWSGRAPH, "query", "--name", "articles", "--store", str(store), "--format", "csv"],
                          capture_output=True, text=True, env=env, timeout=60)
    if proc.returncode != 0:
        assert "no store at" in proc.stderr, proc.stderr  # only before the first run may a query fail
        return set()
    return {line.split(",")[0] for line in proc.stdout.splitlines()[1:]}


def test_scheduled_deployment_fires_and_picks_up_a_new_article(tmp_path: Path, samples: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(samples / "001_f2193cdbfc58450b.txt", inbox)
    store = tmp_path / "store"
    env = {**os.environ, "NEWSGRAPH_HOME": str(tmp_path / "home")}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen([NEWSGRAPH, "schedule", str(inbox), "--store", str(store), "--interval", "5s"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and _articles(store, env) != {"001_f2193cdbfc58450b"}:
            assert proc.poll() is None, proc.stdout.read()
            time.sleep(2)
        assert _articles(store, env) == {"001_f2193cdbfc58450b"}
        shutil.copy(samples / "003_4a37522199f6be1e.txt", inbox)  # dropped in while it runs
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(_articles(store, env)) < 2:
            time.sleep(2)
        assert _articles(store, env) == {"001_f2193cdbfc58450b", "003_4a37522199f6be1e"}
    finally:
        # SIGTERM stops it as Ctrl-C does; a test run from a background shell may have SIGINT ignored.
        proc.send_signal(signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        subprocess.run([NEWSGRAPH, "prefect", "stop"], env=env, capture_output=True, timeout=60)
    assert proc.returncode == 0, out
    assert "stopped serving" in out
    assert "Traceback" not in out
