"""Bad input, crashes and concurrent use lose nothing (issue 6).

Every test runs the real thing: the Prefect flow or the `newsgraph` command,
the real store, real pySHACL.
"""
from __future__ import annotations

import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl.load import StoreTarget, open_store
from etl.store import exclusive
from etl.namespaces import GRAPH
from etl.pipeline import prepare, run_local
from etl.read import iter_sources

NEWSGRAPH = str(Path(sys.executable).with_name("newsgraph"))


def _graphs(store: Path) -> dict[str, set[str]]:
    """Article graph IRI -> its quads as text."""
    s = open_store(store)
    try:
        out: dict[str, set[str]] = {}
        for q in s:
            g = q.graph_name.value if hasattr(q.graph_name, "value") else ""
            if g.startswith(str(GRAPH)):
                out.setdefault(g, set()).add(str(q))
        return out
    finally:
        del s


def _bad_inputs(folder: Path) -> dict[str, str]:
    """Write one file of each bad kind; returns file name -> expected reason (None: loads)."""
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text("   \n\n  \t\n")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048))
    shutil.make_archive(str(folder / "bundle"), "zip", root_dir=folder, base_dir="empty.txt")
    with (folder / "huge.txt").open("wb") as fh:  # 50 MB, sparse: refused before it is read
        fh.truncate(50 * 1024 * 1024)
    (folder / "utf16.txt").write_bytes("Foreign Minister Marta Varga met Olek Brandt in Geneva.".encode("utf-16"))
    (folder / "latin1.txt").write_bytes("Le ministre José Núñez a rencontré Zoë Brandt à Genève.".encode("cp1252"))
    (folder / "bad-utf8.txt").write_bytes(b"Ministers met in Vienna \xff\xfe\xfa on Monday.")
    (folder / "nobody.html").write_text("<html><head><title>x</title></head><body><nav>Home</nav></body></html>")
    (folder / "scripts.html").write_text("<html><head><script>var a = 1;</script><style>p {}</style></head></html>")
    (folder / "oneline.txt").write_text("Defense Minister Rustem Orlov met Olek Brandt. " * 20000)  # ~1 MB, one line
    (folder / "nopunct.txt").write_text("the minister of defense met officials in the capital and " * 4000)
    (folder / "german.txt").write_text("Der Bundeskanzler traf sich am Dienstag in Berlin mit dem Präsidenten.\n")
    (folder / "title-only.txt").write_text("Ministers to meet next week\n")
    return {
        "empty.txt": "empty file", "blank.txt": "empty file", "image.png": "binary file",
        "bundle.zip": "binary file", "huge.txt": "larger than", "nobody.html": "no article text",
        "scripts.html": "no article text",
    }


@pytest.mark.usefixtures("prefect_harness")
def test_bad_input_gets_a_reason_the_rest_loads_and_quarantine_reruns(sample_copy: Path, store: Path,
                                                                       tmp_path: Path) -> None:
    from flows.etl import etl_flow

    expected = _bad_inputs(sample_copy)
    qfile = tmp_path / "q.json"
    summary = etl_flow(str(sample_copy), ("store", str(store)), quarantine_file=str(qfile))
    loadable = 5 + 7  # the samples, and the odd-but-readable files (encodings, long lines, German, title only)
    assert (summary.read, summary.loaded, summary.unreadable) == (loadable + len(expected), loadable, len(expected))
    assert len(summary.problems) == len(expected)
    for name, reason in expected.items():
        line = next(p for p in summary.problems if Path(p.split(":")[0]).name == name)
        assert reason in line and "\n" not in line
    held = json.loads(qfile.read_text())["articles"]
    assert sorted(Path(p).name for p in held) == sorted(expected)
    assert summary.quarantined == len(expected)

    # The user fixes one file and reruns just the quarantined ones.
    (sample_copy / "empty.txt").write_text("Foreign Minister Marta Varga met Olek Brandt in Geneva on Monday.\n")
    rerun = etl_flow("", ("store", str(store)), quarantine_file=str(qfile), only=sorted(held))
    assert (rerun.read, rerun.loaded) == (len(expected), 1)
    assert "empty.txt" not in {Path(p).name for p in json.loads(qfile.read_text())["articles"]}


def test_a_file_that_disappears_mid_run_is_reported(tmp_path: Path) -> None:
    gone = tmp_path / "gone.txt"
    p = prepare(gone)
    assert p.outcome == "unreadable" and "cannot read" in p.reasons[0]


def _corpus(samples: Path, dest: Path, copies: int) -> Path:
    """Distinct articles made from the samples (a numbered line makes each file its own)."""
    dest.mkdir()
    for i in range(copies):
        for src in sorted(samples.glob("*.txt")):
            (dest / f"{src.stem}-{i:03d}.txt").write_text(f"Ref {i}\n" + src.read_text(encoding="utf-8"),
                                                          encoding="utf-8")
    return dest


@pytest.mark.usefixtures("prefect_harness")
def test_kill_9_during_loading_leaves_only_whole_articles(samples: Path, tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL

    corpus = _corpus(samples, tmp_path / "corpus", 16)  # 80 articles
    reference = tmp_path / "reference"
    target = StoreTarget.open(reference)
    assert run_local(iter_sources(corpus), target).loaded == 80
    target.close()
    expected = _graphs(reference)

    store = tmp_path / "store"
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    cmd = [NEWSGRAPH, "etl", str(corpus), "--store", str(store), "--batch-size", "5"]
    rng = random.Random(7)
    for _ in range(5):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(2.0, 6.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if store.exists():
            # The store opens, and every article in it is whole: exactly its uninterrupted graph.
            for graph, quads in _graphs(store).items():
                assert quads == expected[graph], graph
            assert subprocess.run([NEWSGRAPH, "validate", "--store", str(store)], capture_output=True).returncode == 0
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    got = _graphs(store)
    for g in expected:
        assert got.get(g) == expected[g], (g, sorted(got.get(g, set()) ^ expected[g])[:4])
    assert got == expected


def test_a_second_etl_on_the_same_store_refuses_with_one_line(samples: Path, store: Path) -> None:
    with exclusive(store):
        proc = subprocess.run([NEWSGRAPH, "etl", str(samples), "--store", str(store)],
                              capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "another `newsgraph etl`" in proc.stderr


_SCHEDULED_WRITER = """
import sys, time
from pathlib import Path
from etl.load import StoreTarget, graph_iri
end, round = time.monotonic() + float(sys.argv[2]), 0
while time.monotonic() < end:
    round += 1
    # A short ETL run: 100 new article graphs (one bulk load), the previous run's 100 removed.
    target = StoreTarget.open(Path(sys.argv[1]))
    target.replace_graphs({graph_iri(f"r{round}-{a}"): b"".join(
        b"<http://x/%d/%d> <http://x/p> <http://x/o%d> .\\n" % (round, a, t) for t in range(200)) for a in range(100)})
    for a in range(100):
        target.remove_graph(graph_iri(f"r{round - 1}-{a}"))
    target.close()
    print(round, flush=True)
"""


def test_queries_and_exports_while_etl_runs_write_the_store(store: Path) -> None:
    from etl.export import export
    from etl.query import query_store

    writer = subprocess.Popen([sys.executable, "-c", _SCHEDULED_WRITER, str(store), "12"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "1", writer.stderr.read()
        reads = 0
        while writer.poll() is None:
            sizes = query_store(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", "csv")
            # Always one whole run's 100 articles: never a run in progress, never a half-written file.
            assert sorted(line.split(",")[1] for line in sizes.splitlines()[1:]) == ["200"] * 100
            out = io.BytesIO()
            export(store, out, "nquads")
            assert out.getvalue().count(b"\n") == 20_000
            reads += 1
        rounds, err = writer.communicate(timeout=60)
    finally:
        writer.kill()
    assert writer.returncode == 0, err  # queries never made a run fail with "in use"
    assert reads >= 5 and len(rounds.split()) >= 5, (reads, rounds)  # neither side starved the other
